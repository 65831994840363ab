//! The optimizer on 1,000 candidate projects: the exact Pareto front, and
//! the point chosen on it for the default weights.
//!
//! Run: `cargo bench -p steamflow-decisions --bench optimizer`
//!
//! The instance is a large site after a survey, generated the way the
//! analysis generates candidates ([`candidates`] over a [`Situation`]):
//!
//! - 900 failed traps on a 10 barg and a 3 barg header, 3–8 mm orifices:
//!   a third blown open (the whole orifice passes steam), half leaking
//!   (10–50 % of it), the rest blocked (no steam lost, still a repair);
//!   the steam lost through the orifice by the isentropic orifice equation
//!   of `operators`, its energy above make-up water, priced per kWh;
//! - 80 leaks of 1–10 mm holes, sized the same way, repaired for
//!   500 + 100 per mm;
//! - 15 bare segments DN50–DN200, 5–60 m, their bare and insulated heat
//!   loss from `operators`' pipe heat-loss model;
//! - a condensate return project (recovery 75 %, target 90 %; the 70 %
//!   floor holds without it);
//! - two pressure levels for each of the two headers (alternatives).
//!
//! That is 1,000 candidates, 5 of them constrained. The budget is active
//! at 20,000 (the default: 50 of the 900 trap repairs) and at 100,000.
//!
//! Two cost models: the analysis's (every trap repair costs the same 400),
//! and quoted costs (each trap repair 250–600 on its own quote), which
//! gives the knapsack many more distinct spends to keep apart — the harder
//! case for an exact front. The front's size and a first timing are
//! printed before each group.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use steamflow_decisions::{
    BareSegment, Candidate, CondensateState, Constraints, CostAssumptions, FailedTrap, HeaderLimit,
    HeaderOption, LeakFound, Prices, Problem, Situation, Weights, candidates, choose, pareto_front,
};
use steamflow_operators::analysis::heat_loss::{Insulation, PipeHeatLossInput, pipe_heat_loss};
use steamflow_operators::analysis::leak::{OrificeLeak, orifice_leak};
use steamflow_operators::if97::{h_pt, saturation_temperature, state_px};
use steamflow_operators::units::{Length, Pressure, Temperature, ThermalConductivity};

/// xorshift64*: a fixed, dependency-free sequence for a repeatable instance.
struct Rng(u64);

impl Rng {
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * x
    }
}

const HOURS: f64 = 8_000.0;
const AMBIENT_C: f64 = 20.0;
const MAKEUP_C: f64 = 15.0;

/// The plant's prices: 0.035 per kWh of steam energy, natural gas at
/// 56.1 kg CO2/GJ burnt at 82 % efficiency.
fn prices() -> Prices {
    Prices {
        money_per_kwh: 0.035,
        co2_t_per_mwh: 56.1 * 3.6 / 0.82 / 1000.0,
        water_per_t: 2.5,
        hours_per_year: HOURS,
        fuel_share: 0.85,
    }
}

/// Steam lost through a hole of `diameter_mm` at `barg`: (kg/h, kW).
fn orifice_loss(barg: f64, diameter_mm: f64) -> (f64, f64) {
    let p = Pressure::from_barg(barg);
    let leak = OrificeLeak::saturated_to_atmosphere(p, Length::from_mm(diameter_mm));
    let (Ok(rate), Ok(makeup)) = (
        orifice_leak(&leak),
        h_pt(
            Pressure::from_barg(0.0),
            Temperature::from_celsius(MAKEUP_C),
        ),
    ) else {
        return (0.0, 0.0);
    };
    let kg_s = rate.mass_flow.kg_per_s();
    let kw = kg_s * (rate.upstream_enthalpy.j_per_kg() - makeup.j_per_kg()) / 1000.0;
    (kg_s * 3600.0, kw)
}

fn situation(rng: &mut Rng) -> Situation {
    let prices = prices();
    let yearly = |kw: f64| kw * HOURS * prices.money_per_kwh;
    let failed_traps = (0..900)
        .map(|i| {
            let barg = if i % 3 == 0 { 3.0 } else { 10.0 };
            let orifice = rng.uniform(3.0, 8.0);
            let pick = rng.uniform(0.0, 1.0);
            let (state, open) = if pick < 1.0 / 3.0 {
                ("blown_open", 1.0)
            } else if pick < 5.0 / 6.0 {
                ("leaking", rng.uniform(0.1, 0.5))
            } else {
                ("blocked", 0.0)
            };
            let (kg_h, kw) = if open > 0.0 {
                // Open area fraction → equivalent diameter.
                orifice_loss(barg, orifice * f64::sqrt(open))
            } else {
                (0.0, 0.0)
            };
            FailedTrap {
                id: format!("t{i:03}"),
                trap_type: "float_thermostatic".into(),
                state: state.into(),
                confidence: rng.uniform(0.6, 0.99),
                loss_kg_h: kg_h,
                loss_kw: kw,
                cost_per_year: yearly(kw),
            }
        })
        .collect();
    let leaks = (0..80)
        .map(|i| {
            let hole = rng.uniform(1.0, 10.0);
            let (kg_h, kw) = orifice_loss(if i % 2 == 0 { 10.0 } else { 3.0 }, hole);
            LeakFound {
                segment: Some(format!("s{i:02}")),
                loss_kg_h: kg_h,
                loss_kw: kw,
                cost_per_year: yearly(kw),
                equivalent_diameter_mm: Some(hole),
                confidence: rng.uniform(0.5, 0.95),
            }
        })
        .collect();
    let t_steam = saturation_temperature(Pressure::from_barg(10.0))
        .unwrap_or(Temperature::from_celsius(184.0));
    let ambient = Temperature::from_celsius(AMBIENT_C);
    let hfg = match (
        state_px(Pressure::from_barg(10.0), 1.0),
        state_px(Pressure::from_barg(10.0), 0.0),
    ) {
        (Ok(v), Ok(l)) => v.h.j_per_kg() - l.h.j_per_kg(),
        _ => 2.0e6,
    };
    let bare_segments = (0..15)
        .map(|i| {
            let od_mm = [60.3, 114.3, 168.3, 219.1][i % 4];
            let length = rng.uniform(5.0, 60.0);
            let input = PipeHeatLossInput::bare(
                t_steam,
                ambient,
                Length::from_mm(od_mm),
                Length::from_m(length),
            );
            let insulated = PipeHeatLossInput {
                insulation: Some(Insulation {
                    thickness: Length::from_mm(50.0),
                    conductivity: ThermalConductivity::from_w_per_m_k(0.04),
                }),
                ..input
            };
            let kw = |i: &PipeHeatLossInput| pipe_heat_loss(i).map_or(0.0, |l| l.total.kw());
            let (bare_kw, insulated_kw) = (kw(&input), kw(&insulated));
            BareSegment {
                id: format!("b{i:02}"),
                length_m: length,
                bare_kw,
                insulated_kw,
                steam_kg_h: (bare_kw - insulated_kw).max(0.0) * 1000.0 / hfg * 3600.0,
            }
        })
        .collect();
    let header = |id: &str, barg: f64, min: f64, mains_kw: f64| {
        let sat =
            |b: f64| saturation_temperature(Pressure::from_barg(b)).map_or(100.0, |t| t.celsius());
        HeaderOption {
            header: id.into(),
            operating_barg: barg,
            min_allowed_barg: min,
            mains_heat_loss_kw: mains_kw,
            saturation_c: sat(barg),
            saturation_at_min_c: sat(min),
            ambient_c: AMBIENT_C,
        }
    };
    Situation {
        failed_traps,
        leaks,
        bare_segments,
        condensate: Some(CondensateState {
            produced_kg_h: 20_000.0,
            returned_kg_h: 15_000.0,
            heat_kw_per_kg_h: 0.12,
        }),
        headers: vec![header("hp", 10.0, 8.5, 180.0), header("lp", 3.0, 2.0, 90.0)],
    }
}

/// The problem as the pipeline poses it for one plant's window: the
/// baseline is every candidate's loss plus the balance's unexplained rest.
fn problem(all: Vec<Candidate>, budget: f64) -> Problem {
    let energy: f64 = all.iter().map(|c| c.savings.energy_kw).sum::<f64>() + 400.0;
    Problem {
        candidates: all,
        baseline_energy_loss_kw: energy,
        baseline_co2_t_per_year: energy * HOURS / 1000.0 * prices().co2_t_per_mwh,
        constraints: Constraints {
            budget,
            min_condensate_recovery: 0.7,
            condensate_produced_kg_h: 20_000.0,
            condensate_returned_kg_h: 15_000.0,
            header_limits: vec![
                HeaderLimit {
                    header: "hp".into(),
                    min_barg: 8.5,
                    max_barg: 13.0,
                },
                HeaderLimit {
                    header: "lp".into(),
                    min_barg: 2.0,
                    max_barg: 5.0,
                },
            ],
        },
    }
}

/// The candidates at the analysis's costs, or with each trap repair quoted
/// on its own (250–600, whole currency units).
fn instance(quoted: bool) -> Vec<Candidate> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut all = candidates(&situation(&mut rng), &prices(), &CostAssumptions::default());
    if quoted {
        for c in all.iter_mut().filter(|c| c.id.starts_with("repair_trap:")) {
            c.capex = rng.uniform(250.0, 600.0).round();
        }
    }
    all
}

fn optimizer(c: &mut Criterion) {
    for (costs, quoted) in [("analysis costs", false), ("quoted costs", true)] {
        let all = instance(quoted);
        for budget in [20_000.0, 100_000.0] {
            let problem = problem(all.clone(), budget);
            let constrained = problem
                .candidates
                .iter()
                .filter(|c| c.is_constrained())
                .count();
            let started = Instant::now();
            let Ok(front) = pareto_front(&problem) else {
                println!("{costs}, budget {budget:.0}: no front");
                continue;
            };
            let front_s = started.elapsed().as_secs_f64();
            let weights = Weights::default();
            let chosen = choose(&problem, &front, &weights);
            println!(
                "{costs}, budget {budget:.0}: {} candidates ({constrained} constrained), \
                 front of {} portfolios in {front_s:.3} s (first run); chosen point spends {:.0} on {} projects",
                problem.candidates.len(),
                front.points.len(),
                chosen.as_ref().map_or(0.0, |c| c.point.capex),
                chosen.as_ref().map_or(0, |c| c.point.chosen.len()),
            );
            let mut group = c.benchmark_group(format!("optimizer/1000 candidates/{costs}"));
            group.sample_size(10);
            group.bench_function(format!("pareto_front, budget {budget:.0}"), |b| {
                b.iter(|| pareto_front(black_box(&problem)))
            });
            group.bench_function(format!("choose, budget {budget:.0}"), |b| {
                b.iter(|| choose(black_box(&problem), black_box(&front), &weights))
            });
            group.finish();
        }
    }
}

criterion_group!(benches, optimizer);
criterion_main!(benches);

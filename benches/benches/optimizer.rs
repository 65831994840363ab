//! Time of the exact Pareto front for 1,000 candidate projects.
//!
//! Run: `cargo bench -p steamflow-benches --bench optimizer`
//!
//! The instance is a large site after a survey: 900 failed traps (repair
//! 250–600, saving 2–300 kW), 80 leaks (700–1,500, 5–80 kW), 15 bare
//! segments (insulation 1–6 k, 3–40 kW), a condensate return project and
//! two pressure levels for each of two headers (the constrained
//! candidates), under budgets of 20,000 and 100,000. Savings are priced
//! as the analysis prices them: money and CO2 in proportion to the
//! energy, as for one fuel. The front's size is printed with each budget.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use steamflow_decisions::{
    Candidate, Constraints, Difficulty, HeaderChange, HeaderLimit, Problem, ProjectKind, Savings,
    pareto_front,
};

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

fn candidate(id: String, kind: ProjectKind, capex: f64, kw: f64) -> Candidate {
    Candidate {
        id: id.clone(),
        kind,
        asset: id.clone(),
        action: id,
        // Whole currency units, as a repair is quoted.
        capex: capex.round(),
        savings: Savings {
            steam_kg_h: kw * 1.33,
            energy_kw: kw,
            money_per_year: kw * 8760.0 * 0.04,
            co2_t_per_year: kw * 8.76 * 0.2376,
        },
        fuel_share: 0.9,
        condensate_gain_kg_h: 0.0,
        header_change: None,
        exclusive_group: None,
        difficulty: Difficulty::Low,
        operational_impact: String::new(),
        basis: String::new(),
    }
}

fn instance(budget: f64) -> Problem {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut candidates = Vec::with_capacity(1_000);
    for i in 0..900 {
        let (capex, kw) = (rng.uniform(250.0, 600.0), rng.uniform(2.0, 300.0));
        candidates.push(candidate(
            format!("repair_trap:t{i}"),
            ProjectKind::RepairTrap,
            capex,
            kw,
        ));
    }
    for i in 0..80 {
        let (capex, kw) = (rng.uniform(700.0, 1_500.0), rng.uniform(5.0, 80.0));
        candidates.push(candidate(
            format!("fix_leak:s{i}"),
            ProjectKind::FixLeak,
            capex,
            kw,
        ));
    }
    for i in 0..15 {
        let (capex, kw) = (rng.uniform(1_000.0, 6_000.0), rng.uniform(3.0, 40.0));
        candidates.push(candidate(
            format!("insulate:b{i}"),
            ProjectKind::Insulate,
            capex,
            kw,
        ));
    }
    let mut condensate = candidate(
        "raise_condensate_recovery:plant".into(),
        ProjectKind::RaiseCondensateRecovery,
        12_000.0,
        150.0,
    );
    condensate.condensate_gain_kg_h = 800.0;
    candidates.push(condensate);
    for header in ["hp", "lp"] {
        for (k, to) in [9.5, 9.0].into_iter().enumerate() {
            let mut c = candidate(
                format!("lower_header_pressure:{header}@{to}"),
                ProjectKind::LowerHeaderPressure,
                5_000.0,
                20.0 + 15.0 * k as f64,
            );
            c.header_change = Some(HeaderChange {
                header: header.into(),
                from_barg: 10.0,
                to_barg: to,
            });
            c.exclusive_group = Some(format!("header:{header}"));
            candidates.push(c);
        }
    }
    Problem {
        candidates,
        baseline_energy_loss_kw: 200_000.0,
        baseline_co2_t_per_year: 420_000.0,
        constraints: Constraints {
            budget,
            min_condensate_recovery: 0.7,
            condensate_produced_kg_h: 20_000.0,
            condensate_returned_kg_h: 15_000.0,
            header_limits: ["hp", "lp"]
                .into_iter()
                .map(|h| HeaderLimit {
                    header: h.into(),
                    min_barg: 8.5,
                    max_barg: 13.0,
                })
                .collect(),
        },
    }
}

fn front_of_1000(c: &mut Criterion) {
    let mut group = c.benchmark_group("pareto_front/1000 candidates");
    group.sample_size(10);
    for budget in [20_000.0, 100_000.0] {
        let problem = instance(budget);
        let started = Instant::now();
        let front = pareto_front(&problem);
        let size = front.as_ref().map_or(0, |f| f.points.len());
        println!(
            "budget {budget:.0}: {} candidates, front of {size} portfolios, first run {:.3} s",
            problem.candidates.len(),
            started.elapsed().as_secs_f64()
        );
        group.bench_function(format!("budget {budget:.0}"), |b| {
            b.iter(|| pareto_front(black_box(&problem)))
        });
    }
    group.finish();
}

criterion_group!(benches, front_of_1000);
criterion_main!(benches);

//! Incremental maintenance: late readings inside the lateness correct
//! balances, and the correction flows on to leaks and alerts; over random
//! out-of-order streams the consolidated `balances`, `leaks` and
//! `trap_statuses` equal a from-scratch batch computation over the
//! readings the graph accepted.

use std::collections::BTreeMap;
use std::sync::Arc;

use proptest::prelude::*;
use steamflow::config::Config;
use steamflow::dataflow::analysis::{
    AnalysisModel, BalanceRecord, LeakRecord, TrapStatus, WindowView,
};
use steamflow::dataflow::{Aggregate, GraphConfig};
use steamflow_operators::alerting::EventKind;
use steamflow_operators::analysis::leak_detection::{
    AcousticLeakDetector, BalanceLeakDetector, LeakContext, SegmentLeakInput, fuse_leaks,
};
use steamflow_operators::analysis::plant_balance::plant_balance;
use steamflow_operators::analysis::trap_status::{TrapAssessment, assess_trap};
use steamflow_operators::reading::Reading;
use steamflow_operators::units::MassFlow;
use steamflow_simulator::{Fault, FaultKind};

use super::harness::*;
use crate::dataflow::harness::model as accepted_windows;

/// The demo with detectors that learn over `warmup` windows and a leak
/// rule that pages at once.
fn config_with_warmup(warmup: u32) -> Config {
    let mut config = demo_config();
    config.analysis.leaks.balance.warmup_windows = warmup;
    config.analysis.leaks.balance.clear_windows = 3;
    config.analysis.leaks.acoustic.warmup_windows = warmup;
    if let Some(rule) = config.alerts.get_mut("leak") {
        rule.for_secs = 0;
    }
    config
}

const B1_FLOW: &str = "north.b1.flow";

#[test]
fn a_late_reading_changes_a_balance_and_the_change_flows_to_leaks_and_alerts() {
    let config = config_with_warmup(5);
    let mut sim = simulator(&config, 25, 10_000, Vec::new());
    sim.variation = quiet();
    let on_time = simulate(&demo_plant(&config), &sim);
    // Boiler 1's meter buffered six more readings in each of minutes 12,
    // 13 and 14, each 400 kg/h above the reading before it; they arrive
    // with the readings of minute 16, 2–4 minutes late (lateness: 5 min).
    let late: Vec<Reading> = on_time
        .iter()
        .filter(|r| {
            r.tag.as_str() == B1_FLOW && (minute(12)..minute(15)).contains(&(r.time_ms as u64))
        })
        .map(|r| Reading {
            time_ms: r.time_ms + 5_000,
            value: r.value + 400.0,
            ..r.clone()
        })
        .collect();
    assert_eq!(late.len(), 18);
    let cut = on_time
        .iter()
        .position(|r| r.time_ms as u64 >= minute(16) + 30_000)
        .unwrap();
    let mut feed: Vec<Reading> = on_time[..cut].to_vec();
    feed.extend(late);
    feed.extend_from_slice(&on_time[cut..]);
    let model = Arc::new(AnalysisModel::from_config(&config).unwrap());
    let feed = feed.into_iter().map(|r| (0, r)).collect();
    let run = run(graph_config(10, 300), model, 1, 64, feed);
    // The late readings enter at the watermark's tick, minute 16.
    let late_time = minute(16);

    // Window 12's balance: first without them, then corrected at minute 16.
    let window_12: Vec<(f64, u64, isize)> = run
        .balances
        .updates
        .iter()
        .filter(|(b, _, _)| b.window_start_ms == minute(12))
        .map(|(b, time, diff)| (b.generation_kg_h.get(), *time, *diff))
        .collect();
    assert_eq!(window_12.len(), 3, "{window_12:?}");
    let (before, first_time, _) = window_12[0];
    assert!(first_time < late_time);
    let retracted = window_12.iter().find(|(_, _, d)| *d == -1).unwrap();
    let asserted = window_12
        .iter()
        .find(|(_, t, d)| *d == 1 && *t == late_time)
        .unwrap();
    assert_eq!((retracted.0, retracted.1), (before, late_time));
    // Half the readings of the window are 400 kg/h higher: +200 kg/h.
    assert!(
        (asserted.0 - before - 200.0).abs() < 1.0,
        "{before} → {}",
        asserted.0
    );

    // No leak before the late data; then an unlocated one from minute 12,
    // asserted at the late readings' time.
    assert!(
        run.leaks
            .updates
            .iter()
            .all(|(_, time, _)| *time >= late_time)
    );
    let leaks = run.leaks.records();
    let windows: Vec<u64> = leaks.iter().map(|l| l.window_start_ms).collect();
    assert_eq!(windows.first(), Some(&minute(12)), "{windows:?}");
    assert!(leaks.iter().all(|l| l.segment.is_none()));
    let size = leaks[0].size_kg_h.get();
    assert!((150.0..=250.0).contains(&size), "{size} kg/h");
    // One leak per window from minute 12 until the residual has been back
    // for three windows: windows computed before the late data (minute 15)
    // were replayed too.
    let last = *windows.last().unwrap();
    assert!((minute(15)..=minute(17)).contains(&last), "{windows:?}");
    let expected: Vec<u64> = (12..=(last - minute(0)) / 60_000)
        .map(|m| minute(m as i64))
        .collect();
    assert_eq!(windows, expected);

    // The leak rule fires for minute 12 when the late readings arrive, and
    // resolves as later windows come in.
    let alerts: Vec<_> = run
        .alerts
        .updates
        .iter()
        .filter(|(a, _, _)| a.rule == "leak")
        .collect();
    let kinds: Vec<(EventKind, u64, isize)> = alerts
        .iter()
        .map(|(a, time, diff)| (a.kind, *time, *diff))
        .collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert_eq!(kinds[0], (EventKind::Firing, late_time, 1));
    assert!(kinds[1].0 == EventKind::Resolved && kinds[1].1 > late_time && kinds[1].2 == 1);
    assert_eq!(alerts[0].0.event_time_ms as u64, minute(13));
    assert_eq!(alerts[0].0.dedup_key(), "leak/north/unlocated");
}

/// `value` rounded to 1/64: sums of such numbers are exact in any order,
/// so the graph's window sums (merged per tick) equal the batch's (folded
/// in delivery order) bit for bit.
fn quantize(value: f64) -> f64 {
    (value * 64.0).round() / 64.0
}

/// SplitMix64: a small deterministic generator for delivery delays.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Readings delivered by two sources (by tag) in the order their delays
/// give: most on time, some out of order, `late_permille` ‰ late inside
/// the 300 s lateness (sparse, so that a late reading often changes one
/// window whose successors are already computed), a few beyond it, a few
/// twice.
fn disorder(readings: &[Reading], seed: u64, late_permille: u64) -> Vec<(usize, Reading)> {
    let mut rng = Mix(seed);
    let mut sent: Vec<(i64, u64, usize, Reading)> = Vec::new();
    for (index, reading) in readings.iter().enumerate() {
        let source = usize::from(reading.tag.as_str().len() % 2 == 0);
        let roll = rng.below(1000);
        let delay_s = if roll < late_permille {
            60 + rng.below(230)
        } else if roll < late_permille + 3 {
            330 + rng.below(300)
        } else if roll < 300 {
            rng.below(40)
        } else {
            0
        };
        let reading = Reading {
            value: quantize(reading.value),
            ..reading.clone()
        };
        let arrival = reading.time_ms + (delay_s as i64) * 1000;
        if rng.below(100) < 3 {
            sent.push((arrival + 30_000, index as u64, source, reading.clone()));
        }
        sent.push((arrival, index as u64, source, reading));
    }
    sent.sort_by_key(|(arrival, index, _, _)| (*arrival, *index));
    sent.into_iter()
        .map(|(_, _, source, reading)| (source, reading))
        .collect()
}

/// What a from-scratch pass over the accepted windows gives, calling the
/// calculations directly: balances, leaks and trap statuses.
struct Batch {
    balances: Vec<BalanceRecord>,
    leaks: Vec<LeakRecord>,
    traps: Vec<TrapStatus>,
}

fn batch(model: &AnalysisModel, graph: &GraphConfig, feed: &[(usize, Reading)]) -> Batch {
    let windows = accepted_windows(graph, feed).windows;
    let mut by_start: BTreeMap<u64, Vec<(u32, Aggregate)>> = BTreeMap::new();
    for (window, agg) in windows {
        if let Some((0, slot)) = model.locate(window.key) {
            by_start
                .entry(window.start_ms)
                .or_default()
                .push((slot, agg));
        }
    }
    let plant = model.plant(0).unwrap();
    let settings = model.settings();
    let mut balance_detector = BalanceLeakDetector::new(&settings.leaks.balance).unwrap();
    let mut acoustic: Vec<(usize, AcousticLeakDetector)> = plant
        .plant
        .segments
        .iter()
        .enumerate()
        .filter(|(_, s)| s.acoustic_tag.is_some())
        .map(|(i, _)| {
            (
                i,
                AcousticLeakDetector::new(&settings.leaks.acoustic).unwrap(),
            )
        })
        .collect();
    let mut out = Batch {
        balances: Vec::new(),
        leaks: Vec::new(),
        traps: Vec::new(),
    };
    for (start, parts) in by_start {
        let end = start + 60_000;
        let view = WindowView::new(plant, &parts);
        let assessments: Vec<TrapAssessment> = (0..plant.plant.traps.len())
            .map(|i| {
                assess_trap(
                    &view.trap_observation(i).unwrap(),
                    &plant.trap_thresholds[i],
                    &plant.pricing,
                )
            })
            .collect();
        for (trap, a) in plant.plant.traps.iter().zip(&assessments) {
            out.traps.push(TrapStatus::new(
                "north",
                &trap.id,
                trap.trap_type,
                start,
                end,
                a,
            ));
        }
        let trap_steam: Vec<MassFlow> =
            assessments.iter().map(TrapAssessment::steam_loss).collect();
        let before = plant_balance(
            &plant.plant,
            &plant.network,
            &view.plant_window(),
            &trap_steam,
            &plant.pricing,
            &settings.balance,
        );
        let end_ms = end as i64;
        let status = balance_detector
            .update(
                end_ms,
                before.as_ref().ok().map(|b| b.residual_before_leaks),
            )
            .unwrap();
        let heard: Vec<_> = acoustic
            .iter_mut()
            .map(|(s, detector)| {
                let tag = plant.plant.segments[*s].acoustic_tag.as_deref();
                (
                    *s,
                    detector
                        .update(end_ms, view.level_stats(tag).as_ref())
                        .unwrap(),
                )
            })
            .collect();
        let inputs: Vec<SegmentLeakInput<'_>> = heard
            .iter()
            .map(|(s, status)| SegmentLeakInput {
                segment_id: &plant.plant.segments[*s].id,
                acoustic: Some(status),
                pressure: view.segment_inlet_pressure(*s),
            })
            .collect();
        let context = LeakContext {
            reference_pressure: view.reference_pressure(),
            pricing: plant.pricing,
        };
        let leaks = fuse_leaks(Some(&status), &inputs, &context, &settings.leaks);
        out.leaks.extend(
            leaks
                .iter()
                .map(|l| LeakRecord::new("north", start, end, l)),
        );
        if let Ok(b) = before {
            let b = b.with_leaks(&leaks).unwrap_or(b);
            out.balances
                .push(BalanceRecord::new("north", start, end, &b));
        }
    }
    out.balances.sort();
    out.leaks.sort();
    out.traps.sort();
    out
}

/// The records of a stream whose every record is present exactly once.
fn once<D: Clone + std::fmt::Debug>(stream: &Stream<D>) -> Result<Vec<D>, TestCaseError> {
    for (record, count) in &stream.contents {
        prop_assert_eq!(*count, 1, "{:?}", record);
    }
    Ok(stream.records())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    #[test]
    fn incremental_balances_and_leaks_equal_a_batch_computation(
        sim_seed in 0..1_000_u64,
        delivery_seed in any::<u64>(),
        late_permille in 0..12_u64,
        workers in 1..=2_u16,
        batch_size in 1..200_usize,
    ) {
        let config = config_with_warmup(4);
        let faults = vec![
            Fault { trap: Some("t_digester".into()), ..Fault::new(FaultKind::TrapBlownOpen, 180) },
            Fault {
                segment: Some("s_hp_2".into()),
                diameter_mm: Some(4.0),
                ..Fault::new(FaultKind::Leak, 420)
            },
        ];
        let mut sim = simulator(&config, 14, 10_000, faults);
        sim.seed = sim_seed;
        let readings = simulate(&demo_plant(&config), &sim);
        let feed = disorder(&readings, delivery_seed, late_permille);
        let graph = graph_config(15, 300);
        let model = Arc::new(AnalysisModel::from_config(&config).unwrap());
        let expected = batch(&model, &graph, &feed);
        prop_assert!(!expected.leaks.is_empty(), "the scenario must produce leaks");
        let run = run(graph, model, workers, batch_size, feed);

        prop_assert_eq!(once(&run.balances)?, expected.balances);
        prop_assert_eq!(once(&run.leaks)?, expected.leaks);
        prop_assert_eq!(once(&run.trap_statuses)?, expected.traps);
        // Every retraction undoes an earlier assertion of the same record.
        let mut held: BTreeMap<&BalanceRecord, isize> = BTreeMap::new();
        for (record, _, diff) in &run.balances.updates {
            let count = held.entry(record).or_default();
            *count += diff;
            prop_assert!(*count == 0 || *count == 1);
        }
    }
}

//! Scenario tests of the simulator: a healthy plant balances; each fault
//! shows in the tags it should; the same seed gives the same readings.

use std::collections::{BTreeMap, HashSet};

use steamflow_operators::plant::Plant;
use steamflow_operators::reading::Reading;

use crate::synthetic::{self, PlantSize};
use crate::{Fault, FaultKind, PlantSimulator, SimulatorConfig, Snapshot, Variation};

const PLANT: &str = "p1";

fn plant() -> Plant {
    let mut plant = synthetic::plant(PLANT, &PlantSize::default());
    // A leak sensor on the first pipe of the first consumer.
    if let Some(segment) = plant.segments.first_mut() {
        segment.acoustic_tag = Some("p1.h0c0s0.acoustic".into());
    }
    plant
}

fn config(duration_secs: u64, faults: Vec<Fault>) -> SimulatorConfig {
    SimulatorConfig {
        duration_secs,
        faults,
        ..SimulatorConfig::new(PLANT)
    }
}

/// Every reading and the snapshot of every step.
fn run(plant: &Plant, config: &SimulatorConfig) -> (Vec<(i64, Reading)>, Vec<Snapshot>) {
    let mut sim = PlantSimulator::new(PLANT, plant, config).unwrap_or_else(|e| panic!("{e}"));
    let mut readings = Vec::new();
    let mut snapshots = Vec::new();
    while let Some(batch) = sim.next_batch() {
        readings.extend(batch.readings.into_iter().map(|r| (batch.time_ms, r)));
        if let Some(s) = sim.snapshot() {
            snapshots.push(s.clone());
        }
    }
    assert_eq!(sim.physics_errors(), 0);
    (readings, snapshots)
}

/// The values of one tag by event time (the last delivered wins).
fn series(readings: &[(i64, Reading)], tag: &str) -> BTreeMap<i64, f64> {
    readings
        .iter()
        .filter(|(_, r)| r.tag.as_str() == tag)
        .map(|(_, r)| (r.time_ms, r.value))
        .collect()
}

/// Mean of a tag over event times in [from_s, to_s) after the start.
fn mean(readings: &[(i64, Reading)], tag: &str, from_s: i64, to_s: i64) -> f64 {
    let start = readings.iter().map(|(_, r)| r.time_ms).min().unwrap_or(0);
    let values: Vec<f64> = series(readings, tag)
        .into_iter()
        .filter(|(t, _)| (start + from_s * 1000..start + to_s * 1000).contains(t))
        .map(|(_, v)| v)
        .collect();
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

fn fault(kind: FaultKind, start_secs: u64) -> Fault {
    Fault::new(kind, start_secs)
}

#[test]
fn every_step_balances_exactly() {
    let (_, snapshots) = run(&plant(), &config(600, vec![]));
    assert_eq!(snapshots.len(), 600);
    for s in &snapshots {
        let b = s.balance;
        assert!(b.residual_kg_h().abs() < 1e-6 * b.generation_kg_h, "{b:?}");
        assert!(
            b.pipe_condensate_kg_h > 0.0 && b.trap_steam_kg_h > 0.0,
            "{b:?}"
        );
        assert!(b.energy_in_kw > 0.0 && b.pipe_heat_loss_kw > 0.0);
    }
}

#[test]
fn healthy_metered_balance_closes_within_5_percent_per_window() {
    let plant = plant();
    let (readings, _) = run(&plant, &config(1800, vec![]));
    let boilers: Vec<String> = plant.boilers.iter().map(|b| b.flow_tag.clone()).collect();
    let consumers: Vec<String> = plant
        .consumers
        .iter()
        .filter_map(|c| c.flow_tag.clone())
        .collect();
    for window in 0..30 {
        let (from, to) = (window * 60, window * 60 + 60);
        let generation: f64 = boilers.iter().map(|t| mean(&readings, t, from, to)).sum();
        let consumption: f64 = consumers.iter().map(|t| mean(&readings, t, from, to)).sum();
        let closure = (generation - consumption) / generation;
        // The difference is the pipework's condensate and the drip traps' steam: ~1 %.
        assert!(
            (0.0..0.05).contains(&closure),
            "window {window}: {generation} vs {consumption}"
        );
    }
}

#[test]
fn same_seed_same_readings() {
    let plant = plant();
    let faults = vec![
        Fault {
            tags: vec![],
            fraction: Some(0.05),
            ..fault(FaultKind::Duplicate, 10)
        },
        Fault {
            max_delay_secs: Some(5.0),
            ..fault(FaultKind::OutOfOrder, 0)
        },
        Fault {
            trap: Some("h0c1t1".into()),
            ..fault(FaultKind::TrapBlownOpen, 60)
        },
    ];
    let key = |rs: Vec<(i64, Reading)>| {
        rs.into_iter()
            .map(|(d, r)| (d, r.time_ms, r.tag.to_string(), r.value.to_bits()))
            .collect::<Vec<_>>()
    };
    let a = key(run(&plant, &config(300, faults.clone())).0);
    let b = key(run(&plant, &config(300, faults.clone())).0);
    assert_eq!(a, b);
    let other = SimulatorConfig {
        seed: 2,
        ..config(300, faults)
    };
    assert_ne!(a, key(run(&plant, &other).0));
}

#[test]
fn blown_open_trap_is_hot_and_loud_downstream() {
    let trap = "h0c0t1"; // a drip trap on a main
    let f = Fault {
        trap: Some(trap.into()),
        ..fault(FaultKind::TrapBlownOpen, 600)
    };
    let (readings, snapshots) = run(&plant(), &config(1200, vec![f]));
    let delta = |from, to| {
        mean(&readings, &format!("p1.{trap}.inlet_temperature"), from, to)
            - mean(
                &readings,
                &format!("p1.{trap}.outlet_temperature"),
                from,
                to,
            )
    };
    let loud = |from, to| mean(&readings, &format!("p1.{trap}.acoustic"), from, to);
    assert!(
        delta(0, 600) > 30.0 && loud(0, 600) < 50.0,
        "healthy: ΔT {} dB {}",
        delta(0, 600),
        loud(0, 600)
    );
    assert!(
        delta(700, 1200) < 5.0 && loud(700, 1200) > 65.0,
        "blown: ΔT {} dB {}",
        delta(700, 1200),
        loud(700, 1200)
    );
    let before = snapshots
        .get(500)
        .map_or(0.0, |s| s.balance.trap_steam_kg_h);
    let after = snapshots
        .get(900)
        .map_or(0.0, |s| s.balance.trap_steam_kg_h);
    assert!(after - before > 30.0, "{before} → {after}");
}

#[test]
fn leaking_and_degraded_traps_are_louder_than_healthy_and_quieter_than_blown() {
    let trap = "h0c0t1";
    let level = |kind| {
        let f = Fault {
            trap: Some(trap.into()),
            ..fault(kind, 0)
        };
        let (readings, _) = run(&plant(), &config(120, vec![f]));
        mean(&readings, &format!("p1.{trap}.acoustic"), 0, 120)
    };
    let healthy = {
        let (readings, _) = run(&plant(), &config(120, vec![]));
        mean(&readings, &format!("p1.{trap}.acoustic"), 0, 120)
    };
    let degraded = level(FaultKind::TrapDegraded);
    let leaking = level(FaultKind::TrapLeaking);
    let blown = level(FaultKind::TrapBlownOpen);
    assert!(
        healthy + 5.0 < degraded && degraded + 5.0 < leaking && leaking + 5.0 < blown,
        "{healthy} {degraded} {leaking} {blown}"
    );
}

#[test]
fn blocked_trap_cools_well_below_saturation_and_falls_silent() {
    let trap = "h1c0t0"; // the process trap of a 6 barg consumer
    let f = Fault {
        trap: Some(trap.into()),
        ..fault(FaultKind::TrapBlocked, 300)
    };
    let plant = plant();
    let index = plant
        .traps
        .iter()
        .position(|t| t.id == trap)
        .unwrap_or(usize::MAX);
    let (readings, snapshots) = run(&plant, &config(3000, vec![f]));
    let saturation = snapshots
        .last()
        .and_then(|s| s.traps.get(index))
        .map_or(0.0, |t| t.saturation_c);
    let inlet_before = mean(&readings, &format!("p1.{trap}.inlet_temperature"), 0, 300);
    let inlet_after = mean(
        &readings,
        &format!("p1.{trap}.inlet_temperature"),
        2700,
        3000,
    );
    assert!(
        inlet_before > saturation - 40.0,
        "{inlet_before} vs {saturation}"
    );
    assert!(
        inlet_after < inlet_before - 60.0,
        "{inlet_before} → {inlet_after}"
    );
    assert!(mean(&readings, &format!("p1.{trap}.acoustic"), 2700, 3000) < 25.0);
    // The flooded consumer draws much less steam.
    let flow_before = mean(&readings, "p1.h1c0.flow", 0, 300);
    let flow_after = mean(&readings, "p1.h1c0.flow", 600, 3000);
    assert!(
        flow_after < 0.5 * flow_before,
        "{flow_before} → {flow_after}"
    );
}

#[test]
fn pipe_leak_raises_generation_and_the_leak_sensor() {
    let f = Fault {
        segment: Some("h0c0s0".into()),
        diameter_mm: Some(6.0),
        ..fault(FaultKind::Leak, 300)
    };
    let (readings, snapshots) = run(&plant(), &config(600, vec![f]));
    let leak = snapshots.last().map_or(0.0, |s| s.balance.leak_kg_h);
    // 6 mm at 10 barg: ~110 kg/h (Napier with C_d 0.7).
    assert!((80.0..150.0).contains(&leak), "{leak}");
    let generation = |from, to| mean(&readings, "p1.b0.flow", from, to);
    assert!(
        generation(360, 600) - generation(0, 300) > 0.5 * leak,
        "{} → {}",
        generation(0, 300),
        generation(360, 600)
    );
    assert!(
        mean(&readings, "p1.h0c0s0.acoustic", 360, 600)
            > mean(&readings, "p1.h0c0s0.acoustic", 0, 300) + 20.0
    );
}

#[test]
fn meter_faults_change_only_their_tags() {
    let tag = "p1.h0c1.flow";
    let faults = vec![
        Fault {
            tags: vec![tag.into()],
            rate_per_h: Some(360.0),
            ..fault(FaultKind::Drift, 100)
        },
        Fault {
            tags: vec!["p1.h0.pressure".into()],
            offset: Some(0.5),
            ..fault(FaultKind::Bias, 100)
        },
        Fault {
            tags: vec!["p1.h1.pressure".into()],
            duration_secs: Some(60),
            ..fault(FaultKind::Dropout, 100)
        },
        Fault {
            tags: vec!["p1.cr1.flow".into()],
            ..fault(FaultKind::Flatline, 100)
        },
        Fault {
            tags: vec!["p1.ambient.temperature".into()],
            sigma: Some(5.0),
            ..fault(FaultKind::Noise, 100)
        },
    ];
    let plant = plant();
    let (clean, _) = run(&plant, &config(300, vec![]));
    let (faulty, _) = run(&plant, &config(300, faults));
    let start = clean.iter().map(|(_, r)| r.time_ms).min().unwrap_or(0);
    let at = |rs: &[(i64, Reading)], tag: &str, s: i64| {
        series(rs, tag).get(&(start + s * 1000)).copied()
    };
    // Drift: 360 kg/h per hour is 0.1 kg/h per second since the start.
    let drift = at(&faulty, tag, 250)
        .zip(at(&clean, tag, 250))
        .map(|(f, c)| f - c);
    assert!(drift.is_some_and(|d| (d - 15.0).abs() < 1e-6), "{drift:?}");
    let bias = at(&faulty, "p1.h0.pressure", 200)
        .zip(at(&clean, "p1.h0.pressure", 200))
        .map(|(f, c)| f - c);
    assert!(bias.is_some_and(|d| (d - 0.5).abs() < 1e-9), "{bias:?}");
    assert!(at(&faulty, "p1.h0.pressure", 50) == at(&clean, "p1.h0.pressure", 50));
    assert_eq!(series(&faulty, "p1.h1.pressure").len(), 300 - 60);
    let flat: HashSet<u64> = series(&faulty, "p1.cr1.flow")
        .range(start + 100_000..)
        .map(|(_, v)| v.to_bits())
        .collect();
    assert_eq!(flat.len(), 1);
    let spread = |rs: &[(i64, Reading)]| {
        let v: Vec<f64> = series(rs, "p1.ambient.temperature")
            .range(start + 100_000..)
            .map(|(_, v)| *v)
            .collect();
        let m = v.iter().sum::<f64>() / v.len() as f64;
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
    };
    assert!(
        spread(&faulty) > 10.0 * spread(&clean),
        "{} vs {}",
        spread(&faulty),
        spread(&clean)
    );
    // Every other tag is untouched.
    let changed = [
        "p1.h0c1.flow",
        "p1.h0.pressure",
        "p1.h1.pressure",
        "p1.cr1.flow",
        "p1.ambient.temperature",
    ];
    for (_, r) in clean
        .iter()
        .filter(|(_, r)| !changed.contains(&r.tag.as_str()))
    {
        assert_eq!(
            at(&faulty, r.tag.as_str(), (r.time_ms - start) / 1000),
            Some(r.value)
        );
    }
}

#[test]
fn delivery_faults_reorder_delay_duplicate_and_garble() {
    let faults = vec![
        Fault {
            max_delay_secs: Some(10.0),
            fraction: Some(0.2),
            ..fault(FaultKind::OutOfOrder, 0)
        },
        Fault {
            delay_secs: Some(120.0),
            fraction: Some(0.01),
            ..fault(FaultKind::Late, 0)
        },
        Fault {
            fraction: Some(0.02),
            ..fault(FaultKind::Duplicate, 0)
        },
        Fault {
            fraction: Some(0.01),
            ..fault(FaultKind::Malformed, 0)
        },
    ];
    let (clean, _) = run(&plant(), &config(300, vec![]));
    let (readings, _) = run(&plant(), &config(300, faults));
    let out_of_order = readings
        .windows(2)
        .filter(|w| w[1].1.time_ms < w[0].1.time_ms)
        .count();
    assert!(out_of_order > 100, "{out_of_order}");
    let late = readings
        .iter()
        .filter(|(delivered, r)| delivered - r.time_ms >= 120_000)
        .count();
    assert!(late > 10, "{late}");
    let mut seen = HashSet::new();
    let duplicates = readings
        .iter()
        .filter(|(_, r)| !seen.insert((r.time_ms, r.tag.clone())))
        .count();
    assert!(duplicates > 50, "{duplicates}");
    assert_eq!(readings.len() - duplicates, clean.len());
    let garbled = readings
        .iter()
        .filter(|(_, r)| !r.value.is_finite() || r.value.abs() >= 1e300)
        .count();
    assert!(garbled > 10, "{garbled}");
    // Nothing is lost: every reading of the clean run arrives.
    let keys: HashSet<_> = readings
        .iter()
        .map(|(_, r)| (r.time_ms, r.tag.clone()))
        .collect();
    assert!(
        clean
            .iter()
            .all(|(_, r)| keys.contains(&(r.time_ms, r.tag.clone())))
    );
}

#[test]
fn noiseless_run_reports_the_model_exactly() {
    let plant = plant();
    let quiet = SimulatorConfig {
        variation: Variation::none(),
        ..config(5, vec![])
    };
    let (readings, snapshots) = run(&plant, &quiet);
    let last = snapshots.last().cloned().unwrap_or_default();
    let flows = series(&readings, "p1.b0.flow");
    assert_eq!(
        flows.values().last().copied(),
        last.boilers.first().map(|b| b.flow_kg_h)
    );
    // Without demand movement the plant sits still.
    assert!(
        flows
            .values()
            .all(|v| (v - flows.values().next().copied().unwrap_or(0.0)).abs() < 1e-6)
    );
}

#[test]
fn bad_plants_and_faults_are_refused() {
    let mut broken = plant();
    broken.traps[0].segment = Some("nowhere".into());
    broken.traps[0].consumer = None;
    assert!(PlantSimulator::new(PLANT, &broken, &config(10, vec![])).is_err());
    let f = Fault {
        trap: Some("t_missing".into()),
        ..fault(FaultKind::TrapBlocked, 0)
    };
    assert!(PlantSimulator::new(PLANT, &plant(), &config(10, vec![f])).is_err());
    let bad_start = SimulatorConfig {
        start_time: "yesterday".into(),
        ..config(10, vec![])
    };
    assert!(PlantSimulator::new(PLANT, &plant(), &bad_start).is_err());
}

//! The analysis streams as sinks see them: JSON lines by name; and several
//! plants analysed apart on several workers.

use std::collections::BTreeMap;
use std::sync::Arc;

use steamflow::dataflow::analysis::{AnalysisModel, AnalysisStage};
use steamflow::dataflow::{BuildGraph, KeyRegistry, MemoryLines, SourceId, names};
use steamflow_operators::reading::Reading;
use steamflow_simulator::{Fault, FaultKind, PlantSimulator};

use super::harness::*;

const STREAMS: [&str; 6] = [
    names::STEAM_STATES,
    names::TRAP_STATUSES,
    names::BALANCES,
    names::LOSSES,
    names::LEAKS,
    names::ALERTS,
];

#[test]
fn every_analysis_stream_renders_as_json_lines() {
    let config = demo_config();
    let faults = vec![Fault {
        trap: Some("t_digester".into()),
        ..Fault::new(FaultKind::TrapBlownOpen, 60)
    }];
    let readings = simulate(&demo_plant(&config), &simulator(&config, 6, 5000, faults));
    let model = Arc::new(AnalysisModel::from_config(&config).unwrap());
    let sinks: BTreeMap<&str, MemoryLines> = STREAMS
        .iter()
        .map(|name| (*name, MemoryLines::default()))
        .collect();
    let subscribed = sinks.clone();
    timely::execute_directly(move |worker| {
        let mut ingest = worker.dataflow(|scope| {
            let graph_config = graph_config(10, 300);
            let (ingest, mut graph) = scope
                .steamflow_graph(graph_config.clone(), KeyRegistry::new())
                .unwrap();
            graph.attach_analysis(model, &graph_config).unwrap();
            for (name, lines) in &subscribed {
                graph
                    .outputs
                    .subscribe(name, Box::new(lines.clone()))
                    .unwrap();
            }
            ingest
        });
        for chunk in readings.chunks(256) {
            ingest.push(SourceId(0), chunk);
            worker.step();
        }
        ingest.close();
        drop(ingest);
        while worker.step_or_park(None) {}
    });
    let parse = |name: &str| -> Vec<serde_json::Value> {
        sinks[name]
            .lines()
            .iter()
            .map(|line| {
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{name}: {e}: {line}"))
            })
            .collect()
    };
    let balances = parse(names::BALANCES);
    assert_eq!(balances.len(), 6);
    let b = &balances[0];
    assert_eq!(
        (b["diff"].as_i64(), b["plant"].as_str()),
        (Some(1), Some("north"))
    );
    assert_eq!(b["window_start_utc"], "2025-01-06T06:00:00.000Z");
    assert!(b["mass_closure_pct"].as_f64().unwrap() > 95.0);
    assert!(b["assumptions"].is_array());
    let traps = parse(names::TRAP_STATUSES);
    assert_eq!(traps.len(), 6 * 8);
    let blown = traps
        .iter()
        .find(|t| t["trap"] == "t_digester" && t["window_start_utc"] == "2025-01-06T06:03:00.000Z")
        .unwrap();
    assert_eq!(blown["state"], "blown_open");
    assert_eq!(blown["trap_type"], "float_thermostatic");
    assert!(blown["loss_kg_h"].as_f64().unwrap() > 100.0);
    assert!(!blown["evidence"].as_array().unwrap().is_empty());
    let losses = parse(names::LOSSES);
    assert_eq!(losses.len(), 6 * 6);
    assert!(losses.iter().any(|l| l["category"] == "unaccounted"));
    let states = parse(names::STEAM_STATES);
    assert!(
        states
            .iter()
            .any(|s| s["kind"] == "header" && s["phase"] == "saturated")
    );
    let alerts = parse(names::ALERTS);
    let firing = alerts.iter().find(|a| a["kind"] == "firing").unwrap();
    assert_eq!(firing["dedup_key"], "trap_failed/north/t_digester");
    assert_eq!(
        (firing["severity"].as_str(), firing["scope"].as_str()),
        (Some("high"), Some("window"))
    );
    assert!(
        firing["message"]
            .as_str()
            .unwrap()
            .starts_with("FIRING [high]")
    );
    // No leak in six minutes: the detectors are still learning.
    assert!(parse(names::LEAKS).is_empty());
}

#[test]
fn plants_are_analysed_apart_on_two_workers() {
    let mut config = demo_config();
    let plant = demo_plant(&config);
    config.plants.insert("south".to_owned(), plant.clone());
    let sim = simulator(&config, 8, 5000, Vec::new());
    let readings_of = |id: &str, seed: u64| -> Vec<Reading> {
        let mut s = PlantSimulator::new(
            id,
            &plant,
            &steamflow_simulator::SimulatorConfig {
                seed,
                ..sim.clone()
            },
        )
        .unwrap();
        let mut out = Vec::new();
        while let Some(batch) = s.next_batch() {
            // On 1/64: window sums are then exact however the readings
            // were batched into partial aggregates.
            out.extend(batch.readings.into_iter().map(|r| Reading {
                value: (r.value * 64.0).round() / 64.0,
                ..r
            }));
        }
        out
    };
    let north = readings_of("north", 1);
    let south = readings_of("south", 2);
    let both = Arc::new(AnalysisModel::from_config(&config).unwrap());
    let mut feed: Vec<(usize, Reading)> = north.iter().cloned().map(|r| (0, r)).collect();
    feed.extend(south.into_iter().map(|r| (1, r)));
    let together = run(graph_config(10, 300), both, 2, 128, feed);
    let by_plant = |plant: &str| {
        together
            .balances
            .records()
            .into_iter()
            .filter(|b| b.plant == plant)
            .count()
    };
    assert_eq!((by_plant("north"), by_plant("south")), (8, 8));

    // North alone, on one worker, comes out the same.
    config.plants.shift_remove("south");
    let alone = Arc::new(AnalysisModel::from_config(&config).unwrap());
    let feed = north.into_iter().map(|r| (0, r)).collect();
    let single = run(graph_config(10, 300), alone, 1, 128, feed);
    let north_of = |run: &Run| {
        let mut b: Vec<_> = run
            .balances
            .records()
            .into_iter()
            .filter(|b| b.plant == "north")
            .collect();
        b.sort();
        b
    };
    assert_eq!(north_of(&together), north_of(&single));
    let traps = |run: &Run| {
        run.trap_statuses
            .records()
            .into_iter()
            .filter(|t| t.plant == "north")
            .collect::<Vec<_>>()
    };
    assert_eq!(traps(&together), traps(&single));
}

#[test]
fn the_run_entry_point_attaches_the_stage_from_the_graph_config() {
    use steamflow::dataflow::workers::{Feed, VecFeed, run as run_workers};

    let config = demo_config();
    let readings = simulate(
        &demo_plant(&config),
        &simulator(&config, 4, 5000, Vec::new()),
    );
    let mut graph = graph_config(10, 300);
    graph.analysis = Some(Arc::new(AnalysisModel::from_config(&config).unwrap()));
    let balances = MemoryLines::default();
    let sink = balances.clone();
    run_workers(
        &steamflow::dataflow::WorkerOptions::default(),
        graph,
        KeyRegistry::new(),
        move |_, _| vec![Box::new(VecFeed::new(readings.clone(), 256)) as Box<dyn Feed>],
        move |outputs, _| outputs.subscribe(names::BALANCES, Box::new(sink.clone())),
    )
    .unwrap();
    assert_eq!(balances.lines().len(), 4);
}

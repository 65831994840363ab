//! `steamflow run` and `steamflow demo` as a user runs them: exit codes,
//! messages, and the files each sink writes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("steamflow-run-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn steamflow(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_steamflow"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Ten minutes of two tags of plant `north`, one reading a second, with a
/// row that does not decode and a value that is not finite.
fn write_csv(path: &Path) {
    let mut csv = String::from("time,plant,tag,value,quality,unit\n");
    for s in 0..600 {
        let time = 1_736_143_200_000_i64 + s * 1000;
        csv.push_str(&format!(
            "{time},north,north.hp.pressure,{},good,barg\n",
            10.0 + (s % 7) as f64 * 0.01
        ));
        csv.push_str(&format!(
            "{time},north,north.b1.flow,{},good,kg/h\n",
            9000.0 + (s % 11) as f64
        ));
    }
    csv.push_str("not a time,north,north.b1.flow,1,good,kg/h\n");
    csv.push_str("1736143800000,north,north.b1.flow,NaN,good,kg/h\n");
    std::fs::write(path, csv).unwrap();
}

/// The demo plant with its simulator replaced by a file source and sinks of every kind.
fn write_config(dir: &Path, extra: &str) -> PathBuf {
    let demo = steamflow::config::DEMO_CONFIG;
    let plant_start = demo.find("[plants.north]").unwrap();
    let plant_end = demo.find("[alerts.").unwrap();
    let config = format!(
        "[sources.historian]\ntype = \"file\"\npath = \"readings.csv\"\n\n{}\n\
         [sinks.files]\ntype = \"jsonl\"\ninputs = [\"readings\", \"window_aggregates.5m\", \"dead_letters\", \"historian\"]\ndir = \"out/jsonl\"\n\n\
         [sinks.columns]\ntype = \"parquet\"\ninputs = [\"window_aggregates\", \"dead_letters\"]\ndir = \"out/parquet\"\n\n\
         [sinks.terminal]\ntype = \"console\"\ninputs = [\"dead_letters\"]\n{extra}",
        &demo[plant_start..plant_end]
    );
    let path = dir.join("steamflow.toml");
    std::fs::write(&path, config).unwrap();
    path
}

fn lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The records a stream file holds at its end: updates summed, `time` and
/// `diff` left out.
fn contents(updates: &[serde_json::Value]) -> Vec<serde_json::Value> {
    let mut counts: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
    for update in updates {
        let mut record = update.clone();
        let diff = record["diff"].as_i64().unwrap();
        let object = record.as_object_mut().unwrap();
        object.remove("diff");
        object.remove("time");
        *counts.entry(record.to_string()).or_default() += diff;
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(record, _)| serde_json::from_str(&record).unwrap())
        .collect()
}

#[test]
fn a_file_source_runs_into_every_kind_of_sink() {
    let dir = scratch("sinks");
    write_csv(&dir.join("readings.csv"));
    write_config(&dir, "");
    let out = steamflow(&["run", "steamflow.toml", "--quiet"], &dir);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let readings = lines(&dir.join("out/jsonl/readings.jsonl"));
    assert_eq!(readings.len(), 1200);
    assert_eq!(readings[0]["diff"], 1);
    assert_eq!(readings[0]["plant"], "north");
    let five = contents(&lines(&dir.join("out/jsonl/window_aggregates.5m.jsonl")));
    assert!(five.iter().all(|w| w["window"] == "5m"));
    // 10 minutes: two 5-minute windows of two tags (updated as each minute closed).
    assert_eq!(five.len(), 4);
    assert_eq!(
        five.iter()
            .map(|w| w["count"].as_u64().unwrap())
            .sum::<u64>(),
        1200
    );
    // The raw source stream is the historian's file, undecodable row aside.
    let raw = lines(&dir.join("out/jsonl/historian.jsonl"));
    assert_eq!(raw.len(), 1201);
    let dead = lines(&dir.join("out/jsonl/dead_letters.jsonl"));
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0]["reason"], "non_finite");
    for stream in ["window_aggregates", "dead_letters"] {
        assert!(
            dir.join(format!("out/parquet/{stream}.parquet")).is_file(),
            "{stream}"
        );
    }
    // The terminal shows the dead letter; the report counts the bad row.
    assert!(
        stdout.contains("[dead_letters]") && stdout.contains("reason=non_finite"),
        "{stdout}"
    );
    assert!(stderr.contains("ran 1,201 readings"), "{stderr}");
    assert!(
        stderr.contains("bad_time 1") && stderr.contains("non_finite 1"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_workers_write_what_one_writes() {
    let dir = scratch("workers");
    write_csv(&dir.join("readings.csv"));
    write_config(&dir, "");
    let run = |workers: &str, out: &str| {
        let config = std::fs::read_to_string(dir.join("steamflow.toml"))
            .unwrap()
            .replace("dir = \"out/", &format!("dir = \"{out}/"));
        std::fs::write(dir.join(format!("{out}.toml")), config).unwrap();
        let output = steamflow(&["run", &format!("{out}.toml"), "-q", "-w", workers], &dir);
        assert!(output.status.success(), "{}", text(&output.stderr));
        let mut files: Vec<(String, String)> = std::fs::read_dir(dir.join(out).join("jsonl"))
            .unwrap()
            .map(|e| {
                let path = e.unwrap().path();
                (
                    path.display().to_string().replace(out, "X"),
                    std::fs::read_to_string(&path).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let one = run("1", "one");
    assert_eq!(one.len(), 4);
    assert!(one == run("2", "two"), "2 workers wrote other files than 1");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_opens_every_source_and_says_which_fails() {
    let dir = scratch("check");
    write_config(&dir, "");
    let out = steamflow(&["run", "steamflow.toml", "--check"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("source `historian`") && stderr.contains("readings.csv"),
        "{stderr}"
    );
    write_csv(&dir.join("readings.csv"));
    let out = steamflow(&["run", "steamflow.toml", "--check"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("every source opens"));
    assert!(!dir.join("out").exists(), "--check runs nothing");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn config_errors_read_as_validate_prints_them() {
    let dir = scratch("invalid");
    write_config(
        &dir,
        "\n[sinks.bad]\ntype = \"jsonl\"\ninputs = [\"nope\"]\ndir = \"x\"\n",
    );
    let out = steamflow(&["run", "steamflow.toml"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("sinks.bad.inputs[0]") && stderr.contains("no stream `nope`"),
        "{stderr}"
    );
    let out = steamflow(&["run", "missing.toml"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_demo_summarises_and_writes_every_stream_twice() {
    let dir = scratch("demo");
    let out = steamflow(
        &["demo", "--duration-secs", "600", "--out", "demo", "-q"],
        &dir,
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    for part in [
        "North site steam system",
        "Losses",
        "Failed traps",
        "Leaks",
        "Balance closure",
        "Alerts",
        "Streams written",
    ] {
        assert!(stdout.contains(part), "{part} missing from\n{stdout}");
    }
    for stream in ["readings", "window_aggregates", "dead_letters", "sim"] {
        assert!(
            dir.join(format!("demo/jsonl/{stream}.jsonl")).is_file(),
            "{stream}"
        );
        assert!(
            dir.join(format!("demo/parquet/{stream}.parquet")).is_file(),
            "{stream}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

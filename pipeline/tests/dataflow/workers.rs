//! One worker, two workers and two processes on loopback produce
//! identical output files.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use steamflow::dataflow::workers::replay_jsonl;
use steamflow::dataflow::{GraphConfig, WorkerOptions};

const T0: i64 = 1_735_689_600_000;

/// Several plants and tags over 40 minutes, out of order, with
/// duplicates, late and malformed readings — deterministic.
fn write_readings(path: &Path) {
    let mut lines = Vec::new();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        // xorshift64*: a fixed pseudo-random sequence.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    for step in 0..2_400_i64 {
        for plant in 0..4 {
            for tag in 0..3 {
                let r = next();
                let jitter = (r % 20) as i64 * 1000;
                let time = if r % 97 == 0 {
                    T0 + step * 1000 - 400_000 // beyond the lateness
                } else if r % 31 == 0 {
                    T0 + step * 1000 - 90_000 // late, inside the lateness
                } else {
                    T0 + step * 1000 - jitter
                };
                let value = if r % 211 == 0 {
                    "NaN".to_owned() // not JSON: the reader skips the line
                } else {
                    format!("{}", ((r >> 20) % 4000) as f64 / 8.0)
                };
                let line = format!(
                    "{{\"time_ms\":{time},\"plant\":\"plant{plant}\",\"tag\":\"tag{tag}\",\"value\":{value},\"quality\":\"good\"}}"
                );
                if r % 53 == 0 {
                    lines.push(line.clone()); // a duplicate
                }
                lines.push(line);
            }
        }
    }
    lines.push("not a reading".to_owned());
    std::fs::write(path, lines.join("\n")).unwrap();
}

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("steamflow-dataflow-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    out.sort();
    out
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn one_worker_two_workers_and_two_processes_agree() {
    let dir = scratch("agree");
    let input = dir.join("readings.jsonl");
    write_readings(&input);

    let run = |workers: u16, out: &Path| {
        let options = WorkerOptions {
            workers,
            ..WorkerOptions::default()
        };
        replay_jsonl(&options, GraphConfig::default(), &input, out, true).unwrap();
    };
    let (one, two) = (dir.join("one"), dir.join("two"));
    run(1, &one);
    run(2, &two);

    // Two processes, with the names registered up front (from a config)
    // and learned from each other at run time.
    let cluster = dir.join("cluster");
    let learned = dir.join("learned");
    for (out, learn) in [(&cluster, false), (&learned, true)] {
        let hostfile = dir.join("hosts");
        std::fs::write(
            &hostfile,
            format!("127.0.0.1:{}\n127.0.0.1:{}\n", free_port(), free_port()),
        )
        .unwrap();
        let spawn = |process: &str| {
            let mut command = Command::new(env!("CARGO_BIN_EXE_steamflow"));
            command
                .args(["dev-replay", "--input"])
                .arg(&input)
                .arg("--out")
                .arg(out)
                .args(["-n", "2", "-p", process, "-h"])
                .arg(&hostfile);
            if learn {
                command.arg("--learn-names");
            }
            command.spawn().unwrap()
        };
        let mut children = [spawn("0"), spawn("1")];
        for child in &mut children {
            assert!(child.wait().unwrap().success());
        }
    }

    let reference = files(&one);
    let names: Vec<&str> = reference.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "dead_letters.jsonl",
            "readings.jsonl",
            "window_aggregates.jsonl"
        ]
    );
    let windows = &reference[2].1;
    assert!(windows.lines().count() > 100);
    assert!(
        windows.contains("\"diff\":-1"),
        "late data retracted some window"
    );
    let dead = &reference[0].1;
    // NaN has no JSON spelling: those lines are unreadable and skipped.
    for reason in ["late", "duplicate"] {
        assert!(
            dead.contains(&format!("\"reason\":\"{reason}\"")),
            "{reason}"
        );
    }
    assert!(files(&two) == reference, "2 workers differ from 1");
    assert!(
        files(&cluster) == reference,
        "2 processes differ from 1 worker"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

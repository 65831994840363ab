//! Helpers for tests that talk to real peers (brokers, servers, Python
//! protocol peers): find the program, pick a free port, and skip — saying
//! why — when a peer is missing on a developer's machine. Under CI (`CI`
//! set) a missing peer is a failure, never a silent skip:
//! `scripts/setup-services.sh` installs them all.

use std::net::TcpListener;
use std::path::PathBuf;

/// Whether we run under CI, where every peer must be present.
pub fn under_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}

/// The path of a program on PATH (or in /usr/sbin, where Debian puts daemons).
pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// The Python with the protocol peers: `STEAMFLOW_PYTHON`, else `.venv/bin/python`
/// of the workspace, if it exists.
pub fn python() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("STEAMFLOW_PYTHON").map(PathBuf::from) {
        return path.is_file().then_some(path);
    }
    let mut dir = std::env::current_dir().ok()?;
    loop {
        let candidate = dir.join(".venv/bin/python");
        if candidate.is_file() {
            return Some(candidate);
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// Returns the program, or — when it is missing — fails under CI and
/// otherwise prints why the test is skipped and returns `None`.
pub fn require(found: Option<PathBuf>, what: &str, test: &str) -> Option<PathBuf> {
    match found {
        Some(path) => Some(path),
        None if under_ci() => {
            panic!("{test}: {what} is missing; scripts/setup-services.sh installs it")
        }
        None => {
            eprintln!("SKIPPED {test}: {what} is not installed (run scripts/setup-services.sh)");
            None
        }
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .unwrap_or(0)
}

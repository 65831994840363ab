#!/usr/bin/env bash
# The test command of README.md: sets up what the tests need on a fresh
# machine, then runs formatting, lints and every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is not installed: install Rust (rustup) first" >&2
  exit 1
fi

echo "== services and protocol peers"
scripts/setup-services.sh
# Tests find the peers here; a test whose peer is missing fails under CI and
# says why it skipped elsewhere.
export STEAMFLOW_PYTHON="$PWD/.venv/bin/python"

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
# Every test binary runs even when one fails, so a log shows every failure.
cargo test --workspace --locked --no-fail-fast

# The Arroyo UDF plugin is its own workspace with its own lockfile (arrow 51).
echo "== sql/arroyo: fmt, clippy, test"
cargo fmt --manifest-path sql/arroyo/Cargo.toml -- --check
cargo clippy --manifest-path sql/arroyo/Cargo.toml --all-targets --locked -- -D warnings
cargo test --manifest-path sql/arroyo/Cargo.toml --locked
# The Fluvio client is a cargo feature of its connector (off by default: it
# brings its own async runtime and TLS stack); build and test it too.
echo "== Fluvio client (--all-features)"
cargo clippy -p steamflow-source-fluvio --all-targets --all-features --locked -- -D warnings
cargo test -p steamflow-source-fluvio --all-features --locked

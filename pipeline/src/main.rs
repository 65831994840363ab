//! The `steamflow` command line.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use steamflow::cli;

/// steamflow — a streaming analyzer for industrial steam systems.
#[derive(Debug, Parser)]
#[command(name = "steamflow", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Steam-table and steam-system calculations (IAPWS-IF97, leaks, heat loss, economics).
    Calc(cli::calc::CalcArgs),
    /// Replay readings through the dataflow graph (development harness).
    #[command(hide = true)]
    DevReplay(cli::dataflow_dev::DevReplayArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Calc(args) => cli::calc::run(args),
        Command::DevReplay(args) => cli::dataflow_dev::run(args),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

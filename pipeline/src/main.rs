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
    /// Simulate the built-in demo plant through the whole graph and summarise what it found.
    Demo(cli::demo::DemoArgs),
    /// Run a config: its sources through the dataflow graph into its sinks.
    Run(cli::run::RunArgs),
    /// Steam-table and steam-system calculations (IAPWS-IF97, leaks, heat loss, economics).
    Calc(cli::calc::CalcArgs),
    /// The ClickHouse schema: print its DDL, or create/upgrade it on a server.
    Clickhouse(cli::clickhouse::ClickHouseArgs),
    /// Check a config file and report every error with its key and line.
    Validate(cli::validate::ValidateArgs),
    /// Simulate a plant (with faults): write its readings and a replay
    /// config, or serve it live over OPC UA, Modbus TCP and MQTT.
    Simulate(Box<cli::simulate::SimulateArgs>),
    /// Write a daily, weekly, monthly or annual report of a run (HTML, PDF, JSON, Excel).
    Report(cli::report::ReportArgs),
    /// SQL with the steam functions over a run's output folder (one statement or a shell).
    Sql(cli::sql::SqlArgs),
    /// Replay readings through the dataflow graph (development harness).
    #[command(hide = true)]
    DevReplay(cli::dataflow_dev::DevReplayArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Demo(args) => cli::demo::run(args),
        Command::Run(args) => cli::run::run(args),
        Command::Calc(args) => cli::calc::run(args),
        Command::Clickhouse(args) => cli::clickhouse::run(args),
        Command::Validate(args) => cli::validate::run(args),
        Command::Simulate(args) => cli::simulate::run(*args),
        Command::Report(args) => cli::report::run(args),
        Command::Sql(args) => cli::sql::run(args),
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

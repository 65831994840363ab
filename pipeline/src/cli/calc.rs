//! `steamflow calc`: one calculation from flags, or many from JSON Lines.

use std::process::ExitCode;

/// Arguments of `steamflow calc`.
#[derive(Debug, clap::Args)]
pub struct CalcArgs {}

/// Runs `steamflow calc`.
pub fn run(_args: CalcArgs) -> anyhow::Result<ExitCode> {
    Ok(ExitCode::SUCCESS)
}

//! `steamflow validate FILE`: checks a config and reports every error with
//! its key path, line and column; then plans every SQL view against the
//! columns of the streams it reads and reports each view that does not
//! plan (bad SQL, an unknown table or column, a type error) by its name.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::{Config, LoadError};

/// Arguments of `steamflow validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The config file (TOML).
    pub file: PathBuf,
}

/// Runs `steamflow validate`: 0 when the file is valid, 1 when it has
/// errors (each printed as `FILE:LINE:COLUMN: key.path: message`, or
/// `FILE: view NAME: message` for a view), 2 when it cannot be read.
pub fn run(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let config = match Config::load(&args.file) {
        Ok(config) => config,
        Err(error) => return Ok(print_load_error(&args.file, &error)),
    };
    if let Err(problems) = crate::run::views::check(&config) {
        for problem in &problems {
            eprintln!("{}: {problem}", args.file.display());
        }
        let n = problems.len();
        eprintln!(
            "{}: {n} error{}",
            args.file.display(),
            if n == 1 { "" } else { "s" }
        );
        return Ok(ExitCode::from(1));
    }
    println!("{}: ok — {}", args.file.display(), summary(&config));
    Ok(ExitCode::SUCCESS)
}

/// Prints why a config could not be loaded, as `steamflow validate` does,
/// and returns its exit code: 1 for errors in the file, 2 when it cannot be read.
pub fn print_load_error(file: &std::path::Path, error: &LoadError) -> ExitCode {
    match error {
        LoadError::Invalid(errors) => {
            eprintln!("{errors}");
            let n = errors.diagnostics.len();
            eprintln!(
                "{}: {n} error{}",
                file.display(),
                if n == 1 { "" } else { "s" }
            );
            ExitCode::from(1)
        }
        LoadError::Io(..) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// One line saying what the config holds.
pub fn summary(config: &Config) -> String {
    let tags: usize = config.plants.values().map(|p| p.tag_bindings().len()).sum();
    [
        count(config.sources.len(), "source"),
        count(config.plants.len(), "plant"),
        count(tags, "tag"),
        count(config.windows.len(), "window"),
        count(config.alerts.len(), "alert rule"),
        count(config.sinks.len(), "sink"),
        count(config.views.len(), "view"),
    ]
    .join(", ")
}

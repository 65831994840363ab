//! `steamflow calc`: one calculation from flags, or many from JSON Lines.
//!
//! The subcommands are built from the calculators' specs, so every
//! calculator has `--help` listing its inputs with their units, and the flags
//! are the batch contract's keys (`p_from` is `--p-from`, `--p_from` works too).

use std::io::{self, IsTerminal};
use std::process::ExitCode;

use clap::{Arg, ArgMatches, Command, FromArgMatches, Subcommand};
use serde_json::{Map, Value};

use crate::calc::spec::{CalcSpec, InputKind};
use crate::calc::{self, CALCULATORS, Outputs, batch};

/// Arguments of `steamflow calc`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  steamflow calc state --p \"10 barg\" --t \"250 °C\"\n  \
                  steamflow calc flash --p-from \"10 barg\" --p-to \"0 barg\"\n  \
                  echo '{\"id\":1,\"calc\":\"saturation\",\"p\":\"1 MPa\"}' | steamflow calc batch"
)]
pub struct CalcArgs {
    /// Print the answer as one JSON object (the batch contract's output line) instead of a table.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    which: Which,
}

/// The calculator chosen on the command line, with its raw flag values.
#[derive(Debug)]
enum Which {
    Batch,
    One {
        name: &'static str,
        values: Map<String, Value>,
    },
}

const BATCH_ABOUT: &str = "Read JSON Lines on stdin, write one JSON line per input line";
const BATCH_LONG_ABOUT: &str = "Read JSON Lines on stdin and write one JSON line per input line, \
    in order.\n\nInput:  {\"id\": <any>, \"calc\": \"<name>\", <inputs>}\n\
    Output: {\"id\": <same>, \"ok\": true, <outputs>}  or  {\"id\": <same>, \"ok\": false, \"error\": \"<why>\"}\n\n\
    Dimensioned inputs are strings with units (\"3 MPa\", \"10 barg\"), dimensionless ones numbers. \
    A bad line gets an error line; the batch never stops.";

fn flag_name(key: &str) -> String {
    key.replace('_', "-")
}

fn command_for(spec: &'static CalcSpec) -> Command {
    let mut command = Command::new(spec.name)
        .about(spec.about)
        .long_about(spec.long_about);
    for input in spec.inputs {
        let value_name = match input.kind {
            InputKind::Quantity(_) => "VALUE UNIT",
            InputKind::Number => "NUMBER",
            InputKind::Numbers => "N,N,...",
        };
        let help = if input.required {
            input.help.to_owned()
        } else {
            format!("{} [optional]", input.help)
        };
        let mut arg = Arg::new(input.key)
            .long(flag_name(input.key))
            .value_name(value_name)
            .help(help)
            .required(input.required)
            .allow_hyphen_values(true);
        if flag_name(input.key) != input.key {
            arg = arg.alias(input.key);
        }
        command = command.arg(arg);
    }
    let outputs: Vec<String> = spec
        .outputs
        .iter()
        .map(|o| {
            if o.unit.is_empty() {
                o.key.to_owned()
            } else {
                format!("{} [{}]", o.key, o.unit)
            }
        })
        .collect();
    command.after_help(format!("Outputs: {}", outputs.join(", ")))
}

impl FromArgMatches for Which {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let Some((name, sub)) = matches.subcommand() else {
            return Err(clap::Error::new(clap::error::ErrorKind::MissingSubcommand));
        };
        if name == "batch" {
            return Ok(Which::Batch);
        }
        let Some(calculator) = calc::find(name) else {
            return Err(clap::Error::new(clap::error::ErrorKind::InvalidSubcommand));
        };
        let mut values = Map::new();
        for input in calculator.spec.inputs {
            if let Some(value) = sub.get_one::<String>(input.key) {
                values.insert(input.key.to_owned(), Value::String(value.clone()));
            }
        }
        Ok(Which::One {
            name: calculator.spec.name,
            values,
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Which::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Subcommand for Which {
    fn augment_subcommands(command: Command) -> Command {
        let command = CALCULATORS.iter().fold(command, |command, c| {
            command.subcommand(command_for(c.spec))
        });
        command
            .subcommand(
                Command::new("batch")
                    .about(BATCH_ABOUT)
                    .long_about(BATCH_LONG_ABOUT),
            )
            .subcommand_required(true)
            .arg_required_else_help(true)
    }

    fn augment_subcommands_for_update(command: Command) -> Command {
        Which::augment_subcommands(command)
    }

    fn has_subcommand(name: &str) -> bool {
        name == "batch" || calc::find(name).is_some()
    }
}

/// Runs `steamflow calc`.
pub fn run(args: CalcArgs) -> anyhow::Result<ExitCode> {
    match args.which {
        Which::Batch => {
            let stdin = io::stdin().lock();
            let stdout = io::BufWriter::new(io::stdout().lock());
            batch::run(stdin, stdout)?;
            Ok(ExitCode::SUCCESS)
        }
        Which::One { name, values } => {
            let outcome = calc::evaluate(name, &values);
            match (outcome, args.json) {
                (Ok(outputs), true) => {
                    let mut line = Map::new();
                    line.insert("ok".to_owned(), Value::Bool(true));
                    line.extend(outputs.into_map());
                    println!("{}", Value::Object(line));
                    Ok(ExitCode::SUCCESS)
                }
                (Ok(outputs), false) => {
                    print!("{}", render(name, &values, &outputs));
                    Ok(ExitCode::SUCCESS)
                }
                (Err(error), true) => {
                    println!("{}", serde_json::json!({"ok": false, "error": error.0}));
                    Ok(ExitCode::FAILURE)
                }
                (Err(error), false) => {
                    eprintln!("error: {error}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}

/// The readable answer: the inputs as given, then each output with its unit.
fn render(name: &str, values: &Map<String, Value>, outputs: &Outputs) -> String {
    let Some(calculator) = calc::find(name) else {
        return String::new();
    };
    let given: Vec<String> = values
        .iter()
        .map(|(k, v)| {
            format!(
                "{k} = {}",
                v.as_str().map_or_else(|| v.to_string(), str::to_owned)
            )
        })
        .collect();
    let mut text = format!("{name}: {}\n", given.join(", "));
    let width = calculator
        .spec
        .outputs
        .iter()
        .map(|o| o.label.chars().count())
        .max()
        .unwrap_or(0);
    for output in calculator.spec.outputs {
        let value = outputs
            .get(output.key)
            .map_or_else(|| "—".to_owned(), format_value);
        let unit = if output.unit.is_empty() || value == "—" {
            ""
        } else {
            output.unit
        };
        let line = format!("  {:<width$}  {value} {unit}", output.label);
        text.push_str(line.trim_end());
        text.push('\n');
    }
    if io::stdout().is_terminal() {
        text.push('\n');
    }
    text
}

fn format_value(value: &Value) -> String {
    match value {
        Value::Null => "—".to_owned(),
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        Value::Number(n) if n.is_i64() => n.to_string(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), significant),
        Value::Array(items) => items
            .iter()
            .map(format_value)
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// Nine significant digits, the precision of the IF97 verification tables.
fn significant(value: f64) -> String {
    if value == 0.0 {
        return "0".to_owned();
    }
    let magnitude = value.abs().log10().floor() as i32;
    if !(-4..9).contains(&magnitude) {
        return format!("{value:.8e}");
    }
    let decimals = (8 - magnitude).max(0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

//! The steamflow config: one TOML file, in the conventions of Vector and
//! Telegraf.
//!
//! ```toml
//! [sources.sim]                 # where readings come from (sources.rs)
//! type = "simulator"
//! plant = "north"
//!
//! [plants.north]                # the asset model bound to tags (plants.rs)
//! [[plants.north.boilers]]
//! id = "b1"
//! # ...
//!
//! [windows.1m]                  # event-time windows (windows.rs)
//! kind = "tumbling"
//! size_secs = 60
//!
//! [validation.range]            # validation rules (validation.rs)
//! action = "reject"
//!
//! [alerts.trap_failed]          # alert rules (alerts.rs)
//! severity = "high"
//! condition = "trap_failure"
//!
//! [analysis.traps.all]          # analysis settings (analysis.rs)
//! acoustic_baseline_db = 38.0
//!
//! [sinks.files]                 # where streams go (sinks.rs)
//! type = "jsonl"
//! inputs = ["balances", "alerts"]
//! dir = "out"
//!
//! [api]                         # /metrics, /health, /ready of a run (api.rs)
//! listen = "127.0.0.1:8686"
//!
//! [views.top_losses]            # SQL views over the live streams (views.rs)
//! file = "sql/views/top_losses_by_cost.sql"
//! ```
//!
//! Every table is typed and refuses unknown keys; keys are snake_case with
//! their unit as suffix. String values may use `${ENV_VAR}` (env.rs).
//! [`Config::from_toml`] reports every error at once, each with its key
//! path and line, then checks what the types cannot: references between
//! sections, the plant networks, tags bound once, window slides, sink inputs.

pub mod alerts;
pub mod analysis;
pub mod api;
pub mod diagnostic;
pub mod env;
mod load;
pub mod plants;
pub mod recommendations;
pub mod sinks;
pub mod sources;
pub mod validation;
pub mod views;
pub mod windows;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Serialize;
use steamflow_operators::plant::Plant;
use toml::de::{DeTable, DeValue};

pub use alerts::AlertRule;
pub use analysis::AnalysisConfig;
pub use diagnostic::{ConfigErrors, KeyPath};
pub use sinks::SinkConfig;
pub use sources::SourceConfig;
pub use validation::ValidationConfig;
pub use views::ViewConfig;
pub use windows::WindowConfig;

use env::EnvLookup;
use load::{Collector, Value};

/// The built-in demo config: one small plant simulated for an hour with a
/// few faults (`steamflow simulate` without `--config`).
pub const DEMO_CONFIG: &str = include_str!("demo.toml");

/// The named output streams of the graph, which sinks and views subscribe to.
pub const BUILTIN_STREAMS: &[&str] = &[
    "readings",
    "window_aggregates",
    "steam_states",
    "balances",
    "trap_statuses",
    "leaks",
    "losses",
    "alerts",
    "recommendations",
    "dead_letters",
];

/// The sections a config file may have.
const SECTIONS: &[&str] = &[
    "sources",
    "plants",
    "windows",
    "validation",
    "alerts",
    "analysis",
    "sinks",
    "api",
    "views",
];

/// A whole, checked config.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Config {
    /// Sources by id.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub sources: IndexMap<String, SourceConfig>,
    /// Plants by id.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub plants: IndexMap<String, Plant>,
    /// Windows by id; the defaults when the file has no `[windows]`.
    pub windows: IndexMap<String, WindowConfig>,
    /// Validation rules.
    pub validation: ValidationConfig,
    /// Alert rules by id.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub alerts: IndexMap<String, AlertRule>,
    /// Settings of the analysis stage; the defaults without `[analysis]`.
    #[serde(skip_serializing_if = "AnalysisConfig::is_default")]
    pub analysis: AnalysisConfig,
    /// Sinks by id.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub sinks: IndexMap<String, SinkConfig>,
    /// The run's HTTP endpoints; `None` without `[api]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<api::ApiConfig>,
    /// SQL views by name; each is a stream too.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub views: IndexMap<String, ViewConfig>,
    /// The folder relative paths are resolved against (the config file's).
    #[serde(skip)]
    pub base_dir: PathBuf,
}

/// Why a config file could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read.
    Io(PathBuf, std::io::Error),
    /// The file has errors.
    Invalid(ConfigErrors),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io(path, error) => write!(f, "cannot read {}: {error}", path.display()),
            LoadError::Invalid(errors) => errors.fmt(f),
        }
    }
}

impl std::error::Error for LoadError {}

impl Config {
    /// Reads and checks a config file; relative paths in it are relative to its folder.
    pub fn load(path: &Path) -> Result<Config, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|e| LoadError::Io(path.to_owned(), e))?;
        let mut config = Config::from_toml(&text, &path.display().to_string(), &env::process_env)
            .map_err(LoadError::Invalid)?;
        config.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(config)
    }

    /// Parses and checks a config, with `${VAR}` looked up in `env`;
    /// `file` names the text in messages.
    pub fn from_toml(text: &str, file: &str, env: EnvLookup<'_>) -> Result<Config, ConfigErrors> {
        let mut collector = Collector::new(text);
        let (root, syntax_errors) = DeTable::parse_recoverable(text);
        if !syntax_errors.is_empty() {
            for error in syntax_errors {
                collector.at_span(
                    KeyPath::root(),
                    error.message().trim().to_owned(),
                    error.span(),
                );
            }
            return Err(ConfigErrors::new(file, collector.diagnostics));
        }
        let span = root.span();
        let mut root: Value<'_> = toml::Spanned::new(span, DeValue::Table(root.into_inner()));
        env::substitute(&mut root, &KeyPath::root(), env, &mut collector);
        let (config, present) = read_sections(&mut collector, &root);
        let mut checker = Checker {
            config: &config,
            present: &present,
            issues: Vec::new(),
        };
        checker.check_all();
        for (path, message) in checker.issues {
            collector.at_path(&root, path, message);
        }
        if collector.diagnostics.is_empty() {
            Ok(config)
        } else {
            Err(ConfigErrors::new(file, collector.diagnostics))
        }
    }

    /// The config as TOML, as [`Config::from_toml`] reads it back.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string_pretty(self)
    }

    /// A path of the config resolved against its folder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_owned()
        } else {
            self.base_dir.join(path)
        }
    }

    /// Every stream a sink can subscribe to: the built-in outputs, each
    /// source's raw readings, each window's aggregates, and each view.
    pub fn streams(&self) -> Vec<String> {
        let mut streams = stream_names(self.sources.keys(), self.windows.keys());
        streams.extend(self.views.keys().cloned());
        streams
    }
}

fn stream_names<'a>(
    sources: impl Iterator<Item = &'a String>,
    windows: impl Iterator<Item = &'a String>,
) -> Vec<String> {
    let mut streams: Vec<String> = BUILTIN_STREAMS.iter().map(|s| (*s).to_owned()).collect();
    streams.extend(sources.cloned());
    streams.extend(windows.map(|w| format!("window_aggregates.{w}")));
    streams
}

/// The ids each section of the file has, whether or not they parsed: a
/// reference to an entry with errors of its own is not reported again.
#[derive(Default)]
pub(crate) struct Present {
    pub(crate) sources: BTreeSet<String>,
    pub(crate) plants: BTreeSet<String>,
    pub(crate) windows: BTreeSet<String>,
    pub(crate) views: BTreeSet<String>,
}

/// True for ids made of letters, digits, `_` and `-`.
fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn read_sections(c: &mut Collector<'_>, root: &Value<'_>) -> (Config, Present) {
    let mut config = Config {
        windows: windows::default_windows(),
        ..Config::default()
    };
    let mut present = Present::default();
    let DeValue::Table(table) = root.get_ref() else {
        return (config, present);
    };
    for (key, value) in table {
        let name = key.get_ref().as_ref();
        let path = KeyPath::root().key(name);
        match name {
            "sources" => {
                config.sources = read_tagged(
                    c,
                    value,
                    &path,
                    "source",
                    SourceConfig::TYPES,
                    SourceConfig::load,
                );
                present.sources = entry_ids(value);
            }
            "sinks" => {
                config.sinks =
                    read_tagged(c, value, &path, "sink", SinkConfig::TYPES, SinkConfig::load)
            }
            "plants" => {
                config.plants = read_entries(c, value, &path);
                present.plants = entry_ids(value);
            }
            "windows" => {
                config.windows = read_entries(c, value, &path);
                present.windows = entry_ids(value);
            }
            "alerts" => config.alerts = read_entries(c, value, &path),
            "validation" => config.validation = c.deserialize(value, &path).unwrap_or_default(),
            "analysis" => config.analysis = c.deserialize(value, &path).unwrap_or_default(),
            "api" => config.api = Some(c.deserialize(value, &path).unwrap_or_default()),
            "views" => {
                config.views = read_entries(c, value, &path);
                present.views = entry_ids(value);
            }
            _ => c.at_span(
                path,
                format!(
                    "unknown section `{name}`, expected one of: {}",
                    SECTIONS.join(", ")
                ),
                Some(key.span()),
            ),
        }
    }
    (config, present)
}

fn entry_ids(section: &Value<'_>) -> BTreeSet<String> {
    match section.get_ref() {
        DeValue::Table(table) => table.keys().map(|k| k.get_ref().to_string()).collect(),
        _ => BTreeSet::new(),
    }
}

/// The entries of a `[section.<id>]` table, each read as `T`.
fn read_entries<T: serde::de::DeserializeOwned>(
    c: &mut Collector<'_>,
    section: &Value<'_>,
    path: &KeyPath,
) -> IndexMap<String, T> {
    let mut out = IndexMap::new();
    let DeValue::Table(table) = section.get_ref() else {
        c.at_span(
            path.clone(),
            format!(
                "expected a table of named entries, found {}",
                section.get_ref().type_str()
            ),
            Some(section.span()),
        );
        return out;
    };
    for (key, value) in table {
        let id = key.get_ref().as_ref();
        let entry_path = path.key(id);
        if !is_id(id) {
            c.at_span(
                entry_path.clone(),
                "an id is made of letters, digits, `_` and `-`",
                Some(key.span()),
            );
        }
        if let Some(entry) = c.deserialize::<T>(value, &entry_path) {
            out.insert(id.to_owned(), entry);
        }
    }
    out
}

type LoadVariant<T> = fn(&mut Collector<'_>, &str, &Value<'_>, &KeyPath) -> Option<Option<T>>;

/// The entries of a `[section.<id>]` table whose `type` key picks the type.
fn read_tagged<T>(
    c: &mut Collector<'_>,
    section: &Value<'_>,
    path: &KeyPath,
    what: &str,
    types: &[&str],
    load: LoadVariant<T>,
) -> IndexMap<String, T> {
    let mut out = IndexMap::new();
    let DeValue::Table(table) = section.get_ref() else {
        c.at_span(
            path.clone(),
            format!(
                "expected a table of named {what}s, found {}",
                section.get_ref().type_str()
            ),
            Some(section.span()),
        );
        return out;
    };
    let expected = types
        .iter()
        .map(|t| format!("\"{t}\""))
        .collect::<Vec<_>>()
        .join(", ");
    for (key, value) in table {
        let id = key.get_ref().as_ref();
        let entry_path = path.key(id);
        if !is_id(id) {
            c.at_span(
                entry_path.clone(),
                "an id is made of letters, digits, `_` and `-`",
                Some(key.span()),
            );
        }
        if BUILTIN_STREAMS.contains(&id) {
            c.at_span(
                entry_path.clone(),
                format!("`{id}` is the name of a built-in stream"),
                Some(key.span()),
            );
        }
        let DeValue::Table(entry) = value.get_ref() else {
            c.at_span(
                entry_path,
                format!(
                    "expected a {what} table, found {}",
                    value.get_ref().type_str()
                ),
                Some(value.span()),
            );
            continue;
        };
        let type_path = entry_path.key("type");
        let Some((type_key, type_value)) = entry.get_key_value("type") else {
            c.at_span(
                type_path,
                format!("missing required key `type` (one of {expected})"),
                Some(value.span()),
            );
            continue;
        };
        let Some(kind) = type_value.get_ref().as_str() else {
            c.at_span(
                type_path,
                format!("`type` must be a string, one of {expected}"),
                Some(type_value.span()),
            );
            continue;
        };
        let mut body = value.clone();
        if let DeValue::Table(body_table) = body.get_mut() {
            body_table.remove(type_key.get_ref().as_ref());
        }
        match load(c, kind, &body, &entry_path) {
            Some(Some(entry)) => {
                out.insert(id.to_owned(), entry);
            }
            Some(None) => {}
            None => c.at_span(
                type_path,
                format!("unknown {what} type `{kind}`, expected one of {expected}"),
                Some(type_value.span()),
            ),
        }
    }
    out
}

/// The checks that need more than one value: references, networks, limits.
pub(crate) struct Checker<'c> {
    pub(crate) config: &'c Config,
    pub(crate) present: &'c Present,
    pub(crate) issues: Vec<(KeyPath, String)>,
}

impl Checker<'_> {
    pub(crate) fn issue(&mut self, path: KeyPath, message: impl Into<String>) {
        self.issues.push((path, message.into()));
    }

    pub(crate) fn positive(&mut self, path: KeyPath, value: f64) {
        if !(value.is_finite() && value > 0.0) {
            self.issue(
                path,
                format!("must be a number greater than 0, found {value}"),
            );
        }
    }

    pub(crate) fn non_negative(&mut self, path: KeyPath, value: f64) {
        if !(value.is_finite() && value >= 0.0) {
            self.issue(
                path,
                format!("must be a number of at least 0, found {value}"),
            );
        }
    }

    /// Every stream name, counting sources, windows and views that have
    /// errors of their own.
    pub(crate) fn streams(&self) -> Vec<String> {
        let mut streams = self.graph_streams();
        streams.extend(self.present.views.iter().cloned());
        streams
    }

    /// The streams of the graph and its sources (the views' aside).
    pub(crate) fn graph_streams(&self) -> Vec<String> {
        stream_names(
            self.present.sources.iter(),
            self.present
                .windows
                .iter()
                .chain(self.config.windows.keys()),
        )
    }

    fn check_all(&mut self) {
        let config = self.config;
        for (id, plant) in &config.plants {
            self.check_plant(id, plant);
        }
        for (id, source) in &config.sources {
            self.check_source(id, source);
        }
        for (id, window) in &config.windows {
            self.check_window(id, window);
        }
        self.check_validation(&config.validation);
        for (id, rule) in &config.alerts {
            self.check_alert(id, rule);
        }
        self.check_analysis(&config.analysis);
        for (id, sink) in &config.sinks {
            self.check_sink(id, sink);
        }
        if let Some(api) = &config.api {
            self.check_api(api);
        }
        for (name, view) in &config.views {
            self.check_view(name, view);
        }
    }
}

#[cfg(test)]
mod tests;

//! `[views.<name>]`: SQL views over the live streams.
//!
//! A view is a `SELECT` over the run's streams (each a table: its current
//! contents, corrections from late data applied; `<stream>_updates` the
//! recent updates with their `time` and `diff`) and over other views. It is
//! evaluated as windows close, and its result is itself a stream named
//! after the view: sinks and other views subscribe to it by name, and an
//! `alerts` sink routes it when its rows are alerts (columns `dedup_key`,
//! `plant`, `severity`, `message`; a row appearing fires, a row leaving
//! resolves).
//!
//! ```toml
//! [views.top_losses]
//! file = "sql/views/top_losses_by_cost.sql"   # relative to the config file
//!
//! [views.poor_closure]
//! sql = """
//! SELECT plant, window_start, mass_closure_pct FROM balances
//! WHERE abs(mass_closure_pct - 100) > 5
//! """
//! history_windows = 120
//!
//! [sinks.files]
//! type = "jsonl"
//! inputs = ["balances", "top_losses"]
//! dir = "out"
//! ```
//!
//! `steamflow validate` plans every view against the columns of the
//! streams it reads and reports bad SQL, an unknown table or column and
//! type errors with the view's name; `steamflow run` refuses to start with
//! the same errors.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Checker;
use super::diagnostic::KeyPath;

/// One view: its query, inline or in a file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewConfig {
    /// The query (`SELECT …` or `WITH … SELECT …`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// A file holding the query, relative to the config file's folder
    /// (the examples in `sql/views/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// Base windows of updates the view's `<stream>_updates` tables keep
    /// (default 60: an hour of 1-minute windows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_windows: Option<usize>,
}

/// Windows of recent updates kept when a view does not say.
pub const DEFAULT_HISTORY_WINDOWS: usize = 60;

/// Why a view's query could not be read.
#[derive(Debug, thiserror::Error)]
#[error("view {name}: cannot read {}: {source}", path.display())]
pub struct ViewFileError {
    /// The view.
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// The operating system's reason.
    pub source: std::io::Error,
}

impl ViewConfig {
    /// The query: `sql`, or the contents of `file` resolved against `base_dir`.
    pub fn query(&self, name: &str, base_dir: &Path) -> Result<String, ViewFileError> {
        match (&self.sql, &self.file) {
            (Some(sql), _) => Ok(sql.clone()),
            (None, Some(file)) => {
                let path = if file.is_absolute() {
                    file.clone()
                } else {
                    base_dir.join(file)
                };
                std::fs::read_to_string(&path).map_err(|source| ViewFileError {
                    name: name.to_owned(),
                    path,
                    source,
                })
            }
            // The config check refuses a view with neither.
            (None, None) => Ok(String::new()),
        }
    }

    /// Windows of recent updates kept.
    pub fn history_windows(&self) -> usize {
        self.history_windows.unwrap_or(DEFAULT_HISTORY_WINDOWS)
    }
}

/// True for names SQL reads without quotes (and the stream tables use):
/// lowercase letters, digits and `_`, not starting with a digit.
pub fn is_view_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Checker<'_> {
    pub(crate) fn check_view(&mut self, name: &str, view: &ViewConfig) {
        let path = KeyPath::root().key("views").key(name);
        if !is_view_name(name) {
            self.issue(
                path.clone(),
                "a view's name is a SQL table name: lowercase letters, digits and `_`, not starting with a digit",
            );
        }
        let streams = self.graph_streams();
        let taken = streams.iter().any(|s| s == name)
            || name
                .strip_suffix("_updates")
                .is_some_and(|stream| streams.iter().any(|s| s == stream));
        if taken {
            self.issue(
                path.clone(),
                format!("`{name}` is the name of a stream (or its table of updates)"),
            );
        }
        match (&view.sql, &view.file) {
            (Some(_), Some(_)) => self.issue(path.key("file"), "give `sql` or `file`, not both"),
            (None, None) => self.issue(path.clone(), "missing `sql` (the query) or `file`"),
            (Some(sql), None) if sql.trim().is_empty() => {
                self.issue(path.key("sql"), "the query is empty")
            }
            _ => {}
        }
        if view.history_windows == Some(0) {
            self.issue(path.key("history_windows"), "must be at least 1");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, DEMO_CONFIG};

    fn errors(table: &str) -> Vec<String> {
        let text = format!("{DEMO_CONFIG}\n{table}\n");
        match Config::from_toml(&text, "test.toml", &|_| None) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .diagnostics
                .into_iter()
                .map(|d| format!("{}: {}", d.path, d.message))
                .collect(),
        }
    }

    #[test]
    fn a_view_is_a_stream_sinks_subscribe_to() {
        let text = format!(
            "{DEMO_CONFIG}\n[views.poor_closure]\nsql = \"SELECT * FROM balances\"\n\
             [sinks.out]\ntype = \"jsonl\"\ninputs = [\"poor_closure\"]\ndir = \"out\"\n"
        );
        let config = Config::from_toml(&text, "test.toml", &|_| None).expect("valid");
        assert!(config.streams().contains(&"poor_closure".to_owned()));
        assert_eq!(config.views["poor_closure"].history_windows(), 60);
    }

    #[test]
    fn view_errors_name_their_key() {
        assert_eq!(
            errors("[views.balances]\nsql = \"SELECT 1\""),
            ["views.balances: `balances` is the name of a stream (or its table of updates)"]
        );
        assert_eq!(
            errors("[views.x]\nsql = \"SELECT 1\"\nfile = \"x.sql\""),
            ["views.x.file: give `sql` or `file`, not both"]
        );
        assert_eq!(
            errors("[views.x]\nhistory_windows = 0"),
            [
                "views.x: missing `sql` (the query) or `file`",
                "views.x.history_windows: must be at least 1"
            ]
        );
        assert_eq!(errors("[views.Top]\nsql = \"SELECT 1\"").len(), 1);
        assert!(errors("[views.x]\nquery = \"SELECT 1\"")[0].contains("query"));
    }
}

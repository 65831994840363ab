//! What `steamflow sql` does, apart from parsing its arguments: open a
//! session over an output folder (and the views of a views folder) or
//! connect to a running pipeline's HTTP API, then run one statement or
//! the interactive shell.

use std::path::{Path, PathBuf};

use datafusion::prelude::SessionContext;

use crate::error::Result;
use crate::folder::register_folder;
use crate::http::json_rows;
use crate::remote::Remote;
use crate::session::{Answer, function_names, new_session, query, table_names};
use crate::views::register_view_files;

/// How `-e` prints its result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// A text table with a header.
    #[default]
    Table,
    /// A JSON array of row objects.
    Json,
}

/// A session over the streams of `dir` (if given) with the views of the
/// `.sql` files in `views` (if given) registered on top.
pub async fn open(dir: Option<&Path>, views: Option<&Path>) -> Result<SessionContext> {
    let ctx = new_session();
    if let Some(dir) = dir {
        register_folder(&ctx, dir).await?;
    }
    if let Some(views) = views {
        register_view_files(&ctx, views).await?;
    }
    Ok(ctx)
}

/// Where statements run: a local session, or a running pipeline.
#[derive(Clone)]
pub enum Backend {
    /// A session in this process (a finished run's folder, views).
    Local(SessionContext),
    /// A running pipeline's HTTP API (see [`crate::remote`]).
    Remote(Remote),
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Backend::Local(ctx) => f.debug_tuple("Local").field(&ctx.session_id()).finish(),
            Backend::Remote(remote) => f.debug_tuple("Remote").field(remote).finish(),
        }
    }
}

/// A backend that sends every statement to the pipeline at `url` (its API
/// base URL) with the bearer `token`.
pub fn open_remote(url: &str, token: Option<String>) -> Result<Backend> {
    Ok(Backend::Remote(Remote::new(url, token)?))
}

impl Backend {
    /// Runs one statement.
    pub async fn query(&self, sql: &str) -> Result<Answer> {
        match self {
            Backend::Local(ctx) => query(ctx, sql).await,
            Backend::Remote(remote) => remote.query(sql).await,
        }
    }

    /// The tables (and views) a statement can read, sorted.
    pub async fn table_names(&self) -> Result<Vec<String>> {
        match self {
            Backend::Local(ctx) => Ok(table_names(ctx)),
            Backend::Remote(remote) => {
                let rows = remote.rows("SHOW TABLES").await?;
                let mut names: Vec<String> = rows
                    .iter()
                    .filter(|row| {
                        row.get("table_schema").and_then(|v| v.as_str())
                            != Some("information_schema")
                    })
                    .filter_map(|row| row.get("table_name")?.as_str().map(str::to_owned))
                    .collect();
                names.sort();
                names.dedup();
                Ok(names)
            }
        }
    }

    /// Every function a statement can call, sorted.
    pub async fn function_names(&self) -> Result<Vec<String>> {
        match self {
            Backend::Local(ctx) => Ok(function_names(ctx)),
            Backend::Remote(remote) => {
                let rows = remote.rows("SHOW FUNCTIONS").await?;
                let mut names: Vec<String> = rows
                    .iter()
                    .filter_map(|row| row.get("function_name")?.as_str().map(str::to_owned))
                    .collect();
                names.sort();
                names.dedup();
                Ok(names)
            }
        }
    }

    /// The steam functions (or those whose name contains `pattern`) with
    /// their syntax and description.
    pub async fn describe_functions(&self, pattern: &str) -> Result<String> {
        match self {
            Backend::Local(ctx) => Ok(crate::shell::describe_functions(ctx, pattern)),
            Backend::Remote(remote) => {
                let rows = remote
                    .rows(
                        "SELECT DISTINCT routine_name, syntax_example, description \
                         FROM information_schema.routines ORDER BY routine_name",
                    )
                    .await?;
                let text = |row: &serde_json::Map<String, serde_json::Value>, key: &str| {
                    row.get(key)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_owned()
                };
                let mut out = String::new();
                for row in &rows {
                    let name = text(row, "routine_name");
                    let matches = if pattern.is_empty() {
                        crate::udf::is_steamflow_function(&name)
                    } else {
                        name.contains(pattern)
                    };
                    if matches {
                        let syntax = Some(text(row, "syntax_example"))
                            .filter(|s| !s.is_empty())
                            .unwrap_or(name);
                        out.push_str(&format!("{syntax}\n    {}\n", text(row, "description")));
                    }
                }
                if out.is_empty() {
                    out.push_str("no function matches\n");
                }
                Ok(out)
            }
        }
    }

    /// Runs `sql` and renders its result.
    pub async fn execute(&self, sql: &str, format: OutputFormat) -> Result<String> {
        render(self.query(sql).await?, format)
    }
}

/// Runs `sql` and renders its result.
pub async fn execute(ctx: &SessionContext, sql: &str, format: OutputFormat) -> Result<String> {
    render(query(ctx, sql).await?, format)
}

/// The result as a text table or a JSON array.
fn render(answer: Answer, format: OutputFormat) -> Result<String> {
    match format {
        OutputFormat::Table => answer.pretty(),
        OutputFormat::Json => {
            let bytes =
                json_rows(&answer.batches).map_err(datafusion::error::DataFusionError::from)?;
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        }
    }
}

/// Runs a future on a multi-threaded runtime (the CLI is synchronous).
pub fn block_on<F: std::future::Future>(future: F) -> Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    Ok(runtime.block_on(future))
}

/// The default history file of the shell: `$HOME/.steamflow_sql_history`.
pub fn default_history() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".steamflow_sql_history"))
}

//! What `steamflow sql` does, apart from parsing its arguments: open a
//! session over an output folder (and the views of a views folder), then
//! run one statement or the interactive shell.

use std::path::{Path, PathBuf};

use datafusion::prelude::SessionContext;

use crate::error::Result;
use crate::folder::register_folder;
use crate::http::json_rows;
use crate::session::{new_session, query};
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

/// Runs `sql` and renders its result.
pub async fn execute(ctx: &SessionContext, sql: &str, format: OutputFormat) -> Result<String> {
    let answer = query(ctx, sql).await?;
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

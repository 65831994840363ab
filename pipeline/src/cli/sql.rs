//! `steamflow sql`: SQL over the streams of a finished run's output folder
//! or of a running pipeline (over its HTTP API, `--url`), with the steam
//! functions: one statement with `-e`, or an interactive shell (history,
//! tab completion of table and function names, `\dt`, `\df`).

use std::path::PathBuf;
use std::process::ExitCode;

use steamflow_sql::command::{self, Backend, OutputFormat};

/// Arguments of `steamflow sql`.
#[derive(Debug, clap::Args)]
pub struct SqlArgs {
    /// Output folder of a finished run: its `<stream>.parquet` / `<stream>.jsonl`
    /// files (also under `parquet/` and `jsonl/`, as `steamflow demo --out` writes
    /// them) become the tables `<stream>` (current contents, corrections applied)
    /// and `<stream>_updates` (every update with its `time` and `diff`).
    #[arg(long, value_name = "DIR", conflicts_with = "url")]
    pub dir: Option<PathBuf>,
    /// A running pipeline's HTTP API (for example `http://plant-host:8686`):
    /// statements run there, over its live tables and views (read-only, at
    /// most 10,000 rows per answer).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Bearer token (a JWT of a role that may run SQL) for `--url`; without
    /// it, the `STEAMFLOW_TOKEN` environment variable (which, unlike an
    /// argument, other users of the machine cannot see).
    #[arg(long, value_name = "TOKEN", requires = "url")]
    pub token: Option<String>,
    /// Folder of view files: each `<name>.sql` becomes the view `<name>`
    /// (for example `sql/views`).
    #[arg(long, value_name = "DIR", conflicts_with = "url")]
    pub views: Option<PathBuf>,
    /// Run this statement, print its result and exit (no shell).
    #[arg(short = 'e', long = "execute", value_name = "SQL")]
    pub execute: Option<String>,
    /// How `-e` prints its result.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// How `-e` prints its result.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// A text table.
    Table,
    /// A JSON array of row objects.
    Json,
}

/// Runs `steamflow sql`.
pub fn run(args: SqlArgs) -> anyhow::Result<ExitCode> {
    let format = match args.format {
        Format::Table => OutputFormat::Table,
        Format::Json => OutputFormat::Json,
    };
    let outcome = command::block_on(async move {
        let backend = match &args.url {
            Some(url) => {
                let token = args.token.or_else(|| std::env::var("STEAMFLOW_TOKEN").ok());
                command::open_remote(url, token)?
            }
            None => {
                Backend::Local(command::open(args.dir.as_deref(), args.views.as_deref()).await?)
            }
        };
        match args.execute {
            Some(sql) => {
                println!("{}", backend.execute(&sql, format).await?);
                Ok(ExitCode::SUCCESS)
            }
            None => {
                steamflow_sql::shell::run_on(&backend, command::default_history()).await?;
                Ok::<_, steamflow_sql::SqlError>(ExitCode::SUCCESS)
            }
        }
    })?;
    Ok(outcome?)
}

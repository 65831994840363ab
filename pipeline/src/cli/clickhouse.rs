//! `steamflow clickhouse`: the ClickHouse schema.
//!
//! - `steamflow clickhouse schema [--server-version 18.16 | --url URL]`
//!   prints the DDL that `migrate` runs for that server (default: current);
//! - `steamflow clickhouse migrate --url URL [--database steamflow]`
//!   creates or upgrades the schema: each versioned file once, idempotent.

use std::process::ExitCode;

use steamflow_sink_clickhouse::{ClickHouseConfig, Server, detect_blocking, migrate_blocking};

/// Arguments of `steamflow clickhouse`.
#[derive(Debug, clap::Args)]
pub struct ClickHouseArgs {
    #[command(subcommand)]
    pub command: ClickHouseCommand,
}

/// What to do.
#[derive(Debug, clap::Subcommand)]
pub enum ClickHouseCommand {
    /// Print the schema's DDL, adapted to a server version.
    Schema {
        /// Adapt to this server version (`major.minor`).
        #[arg(long, conflicts_with = "url")]
        server_version: Option<String>,
        /// Ask this server (HTTP interface) for its version.
        #[arg(long)]
        url: Option<String>,
        /// User, with `--url`.
        #[arg(long, default_value = "default")]
        user: String,
        /// Environment variable holding the password, with `--url`.
        #[arg(long)]
        password_env: Option<String>,
    },
    /// Create or upgrade the schema on a server.
    Migrate {
        /// The server's HTTP interface, e.g. `http://127.0.0.1:8123`.
        #[arg(long)]
        url: String,
        /// The database (created if missing).
        #[arg(long, default_value = "steamflow")]
        database: String,
        /// User.
        #[arg(long, default_value = "default")]
        user: String,
        /// Environment variable holding the password.
        #[arg(long)]
        password_env: Option<String>,
    },
}

fn settings(url: &str, user: &str, password_env: Option<String>) -> ClickHouseConfig {
    let mut config = ClickHouseConfig::new(url, "");
    config.user = user.to_owned();
    config.password_env = password_env;
    config
}

/// Runs `steamflow clickhouse`.
pub fn run(args: ClickHouseArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        ClickHouseCommand::Schema {
            server_version,
            url,
            user,
            password_env,
        } => {
            let server = match (server_version, url) {
                (Some(version), _) => Server::parse(&version)?,
                (None, Some(url)) => detect_blocking(&settings(&url, &user, password_env))?,
                (None, None) => Server::CURRENT,
            };
            print!("{}", server.schema_sql());
        }
        ClickHouseCommand::Migrate {
            url,
            database,
            user,
            password_env,
        } => {
            anyhow::ensure!(
                steamflow_sink_clickhouse::is_identifier(&database),
                "--database must be letters, digits and _"
            );
            let mut config = settings(&url, &user, password_env);
            config.database = database.clone();
            let done = migrate_blocking(&config)?;
            println!(
                "ClickHouse {} at {url}, database {database}: {} migrations applied now, {} before",
                done.server,
                done.applied.len(),
                done.already
            );
            for name in done.applied {
                println!("  applied {name}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

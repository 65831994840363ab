//! SQL over steamflow's streams, on Apache DataFusion.
//!
//! - [`api`]: read-only queries answered as JSON for the pipeline's HTTP API;
//! - [`udf`]: steam functions (`steam_h_pt(p_bar_abs, t_c)`, …) over Arrow arrays;
//! - [`folder`]: the streams of a finished run's output folder as tables;
//! - [`session`]: the session every entry point uses, and running a query;
//! - [`shell`]: the interactive shell of `steamflow sql`;
//! - [`live`]: a running pipeline's streams as tables, and views over them
//!   evaluated into updates;
//! - [`views`]: named queries over the tables, checked before they run;
//! - [`remote`]: the same queries against a running pipeline, over its HTTP API;
//! - [`command`]: `steamflow sql` (one statement or the shell);
//! - [`json`]: Arrow rows as JSON fields and objects (for JSON sinks and APIs);
//! - [`http`]: `POST /sql` answering JSON or Arrow IPC.

pub mod api;
pub mod command;
pub mod error;
pub mod folder;
pub mod http;
pub mod json;
pub mod live;
pub mod remote;
pub mod session;
pub mod shell;
pub mod udf;
pub mod views;

pub use datafusion;
pub use error::{Result, SqlError};
pub use session::{Answer, new_session, query};

//! JSON Lines files of steamflow's named streams.
//!
//! Every output of the graph (window aggregates, balances, trap statuses,
//! alerts, dead letters, …) is a named stream; this sink writes one file per
//! stream, `<dir>/<stream>.jsonl`, one JSON object per row. Rows are any
//! `serde::Serialize` struct; the writer adds a `diff` field (+1 asserts the
//! row, −1 retracts it) so differential updates survive the trip to disk.
//!
//! - [`JsonlDir`]: the folder of a run's streams; [`JsonlDir::stream`] opens
//!   a [`JsonlWriter`] for a stream name.
//! - [`JsonlWriter`]: buffered, flushed on [`JsonlWriter::flush`] and
//!   [`JsonlWriter::close`]; every failure is a [`SinkError`].
//! - [`RenderedWriter`]: the same files for rows a producer rendered
//!   itself as JSON object members (the dataflow's named streams).
//! - [`ReadingsWriter`] / [`write_readings`]: a historian-style file of raw
//!   readings (no `diff`) that the file source replays.
//! - [`float`]: serde helpers that keep NaN and ±∞ (JSON has no such numbers).

pub mod float;

mod error;
mod readings;
mod rendered;
mod stream;
mod writer;

pub use error::SinkError;
pub use readings::{ReadingJson, ReadingsWriter, write_readings};
pub use rendered::{RenderedWriter, render_line};
pub use stream::{JsonlDir, check_stream_name};
pub use writer::JsonlWriter;

//! Replay of historian files — CSV, JSON Lines and Parquet — as batches of
//! [`Reading`](steamflow_operators::reading::Reading)s.
//!
//! A file holds one reading per row with the columns
//! `time, plant, tag, value, quality, unit`:
//!
//! ```text
//! time,plant,tag,value,quality,unit
//! 2025-01-01T00:00:00.000Z,north,b1.steam_flow,12.5,good,t/h
//! ```
//!
//! - `time`: RFC 3339 (`Z` or an offset; converted to UTC) or epoch
//!   milliseconds; in Parquet also a timestamp column of any unit and zone.
//! - `plant`: may be absent when the source names a default plant.
//! - `value`: a number, or `NaN`/`inf`/`-inf`; an empty field (JSON `null`,
//!   Parquet null) is NaN — the reading is kept and validation judges it.
//! - `quality`: `good`, `uncertain`, `bad` or an OPC UA status code; absent
//!   or empty means good.
//! - `unit`: optional.
//!
//! Rows come out in file order, in [`Batch`]es. A row that does not decode
//! is not dropped and does not stop the replay: it becomes a [`DeadLetter`]
//! with its line (or row) number and a [`Reason`]. Only a failure of the file
//! itself (I/O, a corrupt Parquet page) is an error.
//!
//! Replay runs as fast as it can, or paced by event time at a real-time
//! factor ([`ReplayOptions::realtime_factor`]); an optional progress bar
//! shows bytes (CSV, JSON Lines) or rows (Parquet).
//!
//! [`CsvWriter`] writes the CSV layout this crate reads; the Parquet and JSON
//! Lines sinks write the other two.

mod csv;
mod dead_letter;
mod error;
mod fields;
mod format;
mod intern;
mod jsonl;
mod pace;
mod parquet;
mod progress;
mod replay;

pub use crate::csv::{CsvWriter, write_csv_readings};
pub use dead_letter::{DeadLetter, Location, Reason};
pub use error::{OpenError, ReplayError};
pub use format::FileFormat;
pub use replay::{Batch, FileReplay, ReplayOptions, ReplayStats};

//! The progress bar of a replay: bytes for text files, rows for Parquet.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::FileFormat;

const BYTES_TEMPLATE: &str =
    "{spinner} {prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}";
const ROWS_TEMPLATE: &str =
    "{spinner} {prefix} [{bar:30}] {human_pos}/{human_len} rows {per_sec} eta {eta}";

/// Sets a bar up for a file of `total` bytes or rows.
pub(crate) fn configure(bar: &ProgressBar, format: FileFormat, total: u64, name: &str) {
    let template = match format {
        FileFormat::Csv | FileFormat::Jsonl => BYTES_TEMPLATE,
        FileFormat::Parquet => ROWS_TEMPLATE,
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_length(total);
    bar.set_prefix(name.to_owned());
}

/// A bar drawn on standard error (hidden when it is not a terminal).
pub(crate) fn stderr_bar() -> ProgressBar {
    ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
}

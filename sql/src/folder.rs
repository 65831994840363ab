//! The streams of a finished run as tables: the Parquet or JSON Lines files
//! a run (or `steamflow demo`) wrote, one per named stream.
//!
//! A stream file holds the stream's *updates*: each row is a record with
//! the dataflow `time` of the update and its `diff` (+1 asserts the
//! record, −1 retracts it: late data inside the allowed lateness retracts
//! a window's old aggregate and asserts the corrected one). For a stream
//! `s` the session gets two tables:
//!
//! - `s_updates`: the file as written, every update with `time` and `diff`;
//! - `s`: the stream's contents at the end of the run, corrections applied:
//!   the records whose diffs sum to more than zero, with `time` the last
//!   update that touched the record (no `diff` column).
//!
//! A file without a `diff` column (the simulator's raw readings) is not an
//! update log: `s` is then every row of the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use datafusion::prelude::{JsonReadOptions, ParquetReadOptions, SessionContext};

use crate::error::{Result, SqlError};

/// The format of a stream file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `<stream>.parquet`.
    Parquet,
    /// `<stream>.jsonl`.
    JsonLines,
}

/// A stream file found in a folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamFile {
    /// The stream's name (the file stem).
    pub stream: String,
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: Format,
}

/// The stream files of `dir`, `dir/parquet` and `dir/jsonl`; where a
/// stream has both, Parquet (typed columns) wins. Sorted by stream.
pub fn stream_files(dir: &Path) -> Result<Vec<StreamFile>> {
    let mut found: BTreeMap<String, StreamFile> = BTreeMap::new();
    for folder in [dir.to_path_buf(), dir.join("jsonl"), dir.join("parquet")] {
        if !folder.is_dir() {
            continue;
        }
        let entries = std::fs::read_dir(&folder).map_err(|source| SqlError::Io {
            path: folder.clone(),
            source,
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let format = match path.extension().and_then(|ext| ext.to_str()) {
                Some("parquet") => Format::Parquet,
                Some("jsonl") => Format::JsonLines,
                _ => continue,
            };
            let Some(stream) = path
                .file_stem()
                .and_then(|stem| stem.to_str())
                .map(str::to_owned)
            else {
                continue;
            };
            if !is_table_name(&stream) || std::fs::metadata(&path).map_or(true, |m| m.len() == 0) {
                continue;
            }
            if found
                .get(&stream)
                .is_some_and(|existing| existing.format == Format::Parquet)
            {
                continue;
            }
            let file = StreamFile {
                stream: stream.clone(),
                path,
                format,
            };
            found.insert(stream, file);
        }
    }
    if found.is_empty() {
        return Err(SqlError::NoStreams {
            path: dir.to_path_buf(),
        });
    }
    Ok(found.into_values().collect())
}

/// A stream name usable as an unquoted SQL table name.
pub(crate) fn is_table_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Registers every stream of `dir` as `<stream>_updates` and `<stream>`
/// (see the [module docs](self)); returns the files registered.
pub async fn register_folder(ctx: &SessionContext, dir: &Path) -> Result<Vec<StreamFile>> {
    let files = stream_files(dir)?;
    for file in &files {
        let updates = format!("{}_updates", file.stream);
        let path = file.path.to_string_lossy();
        match file.format {
            Format::Parquet => {
                ctx.register_parquet(&updates, path.as_ref(), ParquetReadOptions::default())
                    .await?
            }
            Format::JsonLines => {
                let options = JsonReadOptions::default().file_extension(".jsonl");
                ctx.register_json(&updates, path.as_ref(), options).await?
            }
        }
        let schema = ctx.table(updates.as_str()).await?.schema().clone();
        if schema.field_with_unqualified_name("diff").is_err() {
            // Not an update log (raw readings, say): every row counts once.
            let create = format!("CREATE VIEW {} AS SELECT * FROM {updates}", file.stream);
            ctx.sql(&create).await?.collect().await?;
            continue;
        }
        let columns: Vec<String> = schema
            .fields()
            .iter()
            .map(|field| field.name())
            .filter(|name| *name != "time" && *name != "diff")
            .map(|name| quote(name))
            .collect();
        ctx.sql(&current_view(&file.stream, &updates, &columns))
            .await?
            .collect()
            .await?;
    }
    Ok(files)
}

/// `CREATE VIEW <stream>`: the records whose diffs sum above zero.
fn current_view(stream: &str, updates: &str, columns: &[String]) -> String {
    let list = columns.join(", ");
    let select = if list.is_empty() {
        String::from("max(\"time\") AS \"time\"")
    } else {
        format!("max(\"time\") AS \"time\", {list}")
    };
    let group = if list.is_empty() {
        String::new()
    } else {
        format!(" GROUP BY {list}")
    };
    format!(
        "CREATE VIEW {stream} AS SELECT {select} FROM {updates}{group} HAVING sum(\"diff\") > 0"
    )
}

/// A double-quoted SQL identifier.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_names_must_be_plain_identifiers() {
        assert!(is_table_name("window_aggregates"));
        assert!(is_table_name("_x1"));
        assert!(!is_table_name("1x"));
        assert!(!is_table_name("Balances"));
        assert!(!is_table_name("a-b"));
        assert!(!is_table_name(""));
    }

    #[test]
    fn the_current_view_sums_diffs_per_record() {
        let sql = current_view("s", "s_updates", &[quote("a"), quote("b")]);
        assert_eq!(
            sql,
            "CREATE VIEW s AS SELECT max(\"time\") AS \"time\", \"a\", \"b\" FROM s_updates GROUP BY \"a\", \"b\" HAVING sum(\"diff\") > 0"
        );
    }
}

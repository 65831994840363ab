//! How each output record reads in a sink: as JSON fields (a line of a
//! JSON Lines sink, with plant and tag names resolved) and, where the
//! record type declares them, as typed columns (a row of a Parquet sink).

use std::fmt::Write as _;

use steamflow_operators::reading::format_utc_ms;
use steamflow_sink_parquet::RowAppender;
use steamflow_sink_parquet::arrow_types::{DataType, Field, TimeUnit};

use super::aggregate::Aggregate;
use super::key::{KeyRegistry, TagKey};
use super::record::{DeadLetter, KeyedReading};
use super::window::WindowKey;

/// A record that an output stream carries and a sink can write.
pub trait OutputRecord:
    timely::ExchangeData + differential_dataflow::ExchangeData + Ord + std::fmt::Debug + Clone
{
    /// Writes the record's fields as JSON object members (`"a":1,"b":"x"`,
    /// no braces), resolving keys to names through `names`.
    fn write_fields(&self, names: &KeyRegistry, out: &mut String);

    /// The record's typed columns for columnar sinks (Parquet), which put
    /// their own `time` column first and `diff` last. `None`, the default,
    /// lets such a sink map the JSON fields of
    /// [`write_fields`](Self::write_fields) to columns instead.
    fn columns() -> Option<Vec<Field>>
    where
        Self: Sized,
    {
        None
    }

    /// Pushes one value per column of [`columns`](Self::columns), in order.
    fn append_columns(&self, names: &KeyRegistry, row: &mut RowAppender<'_>) {
        let _ = (names, row);
    }
}

/// A Timestamp(ms, UTC) column.
pub fn time_column(name: &str, nullable: bool) -> Field {
    Field::new(
        name,
        DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
        nullable,
    )
}

/// The `plant`, `tag` and `key` columns of a keyed record (names null
/// when this process never saw the key).
fn key_columns() -> [Field; 3] {
    [
        Field::new("plant", DataType::Utf8, true),
        Field::new("tag", DataType::Utf8, true),
        Field::new("key", DataType::Utf8, false),
    ]
}

/// Pushes the values of [`key_columns`].
pub fn append_key(row: &mut RowAppender<'_>, names: &KeyRegistry, key: TagKey) {
    match names.lookup(key) {
        Some(entry) => row.str(entry.plant.as_str()).str(entry.tag.as_str()),
        None => row.null().null(),
    };
    row.str(&key.to_string());
}

/// Milliseconds as the signed value of a timestamp column.
fn ms(time_ms: u64) -> i64 {
    i64::try_from(time_ms).unwrap_or(i64::MAX)
}

/// Appends a JSON string literal.
pub fn json_str(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends a JSON number; NaN and infinities (not JSON) become `null`.
pub fn json_f64(out: &mut String, value: f64) {
    if value.is_finite() {
        let _ = write!(out, "{value}");
    } else {
        out.push_str("null");
    }
}

/// Appends `"plant":…,"tag":…,"key":…` for a key (names `null` when this
/// process never saw the key).
pub fn json_key(out: &mut String, names: &KeyRegistry, key: TagKey) {
    match names.lookup(key) {
        Some(entry) => {
            out.push_str("\"plant\":");
            json_str(out, entry.plant.as_str());
            out.push_str(",\"tag\":");
            json_str(out, entry.tag.as_str());
        }
        None => out.push_str("\"plant\":null,\"tag\":null"),
    }
    let _ = write!(out, ",\"key\":\"{key}\"");
}

fn json_time(out: &mut String, field: &str, time_ms: u64) {
    let _ = write!(out, ",\"{field}\":{time_ms}");
    let _ = write!(out, ",\"{field}_utc\":");
    json_str(
        out,
        &format_utc_ms(i64::try_from(time_ms).unwrap_or(i64::MAX)),
    );
}

impl OutputRecord for KeyedReading {
    fn write_fields(&self, names: &KeyRegistry, out: &mut String) {
        json_key(out, names, self.key);
        json_time(out, "event_time", self.time_ms);
        out.push_str(",\"value\":");
        json_f64(out, self.value);
        let _ = write!(out, ",\"quality\":\"{}\",\"flags\":[", self.quality);
        for (index, reason) in self.flags.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            let _ = write!(out, "\"{reason}\"");
        }
        out.push(']');
    }

    fn columns() -> Option<Vec<Field>> {
        let mut fields = key_columns().to_vec();
        fields.extend([
            time_column("event_time", false),
            Field::new("value", DataType::Float64, false),
            Field::new("quality", DataType::Utf8, false),
            Field::new("flags", DataType::Utf8, false),
        ]);
        Some(fields)
    }

    fn append_columns(&self, names: &KeyRegistry, row: &mut RowAppender<'_>) {
        append_key(row, names, self.key);
        let flags: Vec<&str> = self.flags.iter().map(|reason| reason.code()).collect();
        row.time_ms(ms(self.time_ms))
            .f64(self.value)
            .str(self.quality.as_str())
            .str(&flags.join(","));
    }
}

impl OutputRecord for DeadLetter {
    fn write_fields(&self, names: &KeyRegistry, out: &mut String) {
        json_key(out, names, self.key);
        json_time(out, "event_time", self.time_ms);
        out.push_str(",\"value\":");
        json_f64(out, self.value);
        let _ = write!(
            out,
            ",\"quality\":\"{}\",\"reason\":\"{}\",\"detail\":",
            self.quality, self.reason
        );
        json_f64(out, self.detail);
    }

    fn columns() -> Option<Vec<Field>> {
        let mut fields = key_columns().to_vec();
        fields.extend([
            time_column("event_time", false),
            Field::new("value", DataType::Float64, false),
            Field::new("quality", DataType::Utf8, false),
            Field::new("reason", DataType::Utf8, false),
            Field::new("detail", DataType::Float64, false),
        ]);
        Some(fields)
    }

    fn append_columns(&self, names: &KeyRegistry, row: &mut RowAppender<'_>) {
        append_key(row, names, self.key);
        row.time_ms(ms(self.time_ms))
            .f64(self.value)
            .str(self.quality.as_str())
            .str(self.reason.code())
            .f64(self.detail);
    }
}

impl OutputRecord for (WindowKey, Aggregate) {
    fn write_fields(&self, names: &KeyRegistry, out: &mut String) {
        let (window, agg) = self;
        json_key(out, names, window.key);
        let _ = write!(out, ",\"window\":\"{}\"", window.spec);
        json_time(out, "window_start", window.start_ms);
        json_time(out, "window_end", window.end_ms());
        let _ = write!(out, ",\"count\":{}", agg.count);
        for (name, value) in [
            ("sum", agg.sum),
            ("mean", agg.mean()),
            ("min", agg.min),
            ("max", agg.max),
            ("first", agg.first_value),
            ("last", agg.last_value),
        ] {
            let _ = write!(out, ",\"{name}\":");
            json_f64(out, value);
        }
        let _ = write!(
            out,
            ",\"first_ms\":{},\"last_ms\":{}",
            agg.first_ms, agg.last_ms
        );
    }

    fn columns() -> Option<Vec<Field>> {
        let mut fields = key_columns().to_vec();
        fields.extend([
            Field::new("window", DataType::Utf8, false),
            time_column("window_start", false),
            time_column("window_end", false),
            Field::new("count", DataType::UInt64, false),
        ]);
        for name in ["sum", "mean", "min", "max", "first", "last"] {
            fields.push(Field::new(name, DataType::Float64, false));
        }
        fields.extend([
            time_column("first_time", false),
            time_column("last_time", false),
        ]);
        Some(fields)
    }

    fn append_columns(&self, names: &KeyRegistry, row: &mut RowAppender<'_>) {
        let (window, agg) = self;
        append_key(row, names, window.key);
        row.str(&window.spec.label())
            .time_ms(ms(window.start_ms))
            .time_ms(ms(window.end_ms()))
            .u64(agg.count)
            .f64(agg.sum)
            .f64(agg.mean())
            .f64(agg.min)
            .f64(agg.max)
            .f64(agg.first_value)
            .f64(agg.last_value)
            .time_ms(ms(agg.first_ms))
            .time_ms(ms(agg.last_ms));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use steamflow_operators::reading::{PlantId, Quality, Tag};

    #[test]
    fn strings_escape_and_non_finite_numbers_are_null() {
        let mut out = String::new();
        json_str(&mut out, "a\"b\\c\n\u{1}é");
        assert_eq!(out, r#""a\"b\\c\n\u0001é""#);
        out.clear();
        json_f64(&mut out, f64::NAN);
        json_f64(&mut out, 2.5);
        assert_eq!(out, "null2.5");
    }

    #[test]
    fn dead_letters_render_as_json() {
        let names = KeyRegistry::new();
        let key = names
            .intern(&PlantId::from("north"), &Tag::from("t\"1"))
            .unwrap()
            .key;
        let letter = DeadLetter {
            key,
            time_ms: 1_735_689_600_000,
            value: f64::INFINITY,
            quality: Quality::Good,
            reason: super::super::Reason::Late,
            detail: 400_000.0,
        };
        let mut out = String::from("{");
        letter.write_fields(&names, &mut out);
        out.push('}');
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["tag"], "t\"1");
        assert_eq!(parsed["reason"], "late");
        assert_eq!(parsed["value"], serde_json::Value::Null);
        assert_eq!(parsed["event_time_utc"], "2025-01-01T00:00:00.000Z");
    }
}

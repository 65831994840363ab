//! How each output record reads as JSON: the fields after `time` and `diff`
//! on a line of a JSON Lines sink, with plant and tag names resolved.

use std::fmt::Write as _;

use steamflow_operators::reading::format_utc_ms;

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

//! Payloads to readings: one [`Decoder`] per subscription applies its topic
//! template, name templates and field paths to each message.
//!
//! Every message ends as readings, [`DecodeError`]s (dead letters with a
//! stable reason code) or — empty payloads (a retained message being
//! cleared) and retained messages under `retained = "discard"` — a counted
//! discard. Nothing panics on any payload.
//!
//! Reason codes: `bad_json`, `not_a_number`, `missing_field`, `wrong_type`,
//! `bad_time`, `bad_quality`, `empty_name`, `unexpected_topic`.

use std::collections::HashMap;

use serde_json::Value;
use steamflow_operators::reading::{PlantId, Quality, Reading, Tag, UnitLabel, parse_utc_ms};
use steamflow_source_core::{DecodeError, SourceBatch};

use crate::config::{PayloadFormat, RetainedPolicy, SubscriptionConfig, TimeFormat};
use crate::path::FieldPath;
use crate::topic::{NameTemplate, TOPIC_CAPTURE, TopicTemplate};

/// 9999-12-31T23:59:59.999Z: later (or earlier than its negative) is no time
/// a plant ever measured, and would overflow date arithmetic downstream.
const MAX_TIME_MS: i64 = 253_402_300_799_999;

/// Names kept for reuse; past this many the cache starts over, so that a
/// publisher inventing a topic per message cannot grow memory without bound.
const INTERNER_CAPACITY: usize = 65_536;

/// One received message.
#[derive(Clone, Copy, Debug)]
pub struct Message<'a> {
    pub topic: &'a str,
    pub payload: &'a [u8],
    /// Delivered because it was retained (MQTT sets the flag only on the
    /// copy sent to a new subscription).
    pub retain: bool,
    /// Receive time (UTC ms): the event time of payloads that carry none.
    pub received_ms: i64,
}

/// What became of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Readings and/or decode errors were added to the batch.
    Decoded,
    /// Dropped on purpose (empty payload, discarded retained message).
    Discarded,
}

/// Shared strings for names seen before.
struct Interner<T> {
    known: HashMap<String, T>,
}

impl<T: Clone + for<'a> From<&'a str>> Interner<T> {
    fn new() -> Self {
        Interner {
            known: HashMap::new(),
        }
    }

    fn get(&mut self, name: &str) -> T {
        if let Some(known) = self.known.get(name) {
            return known.clone();
        }
        if self.known.len() >= INTERNER_CAPACITY {
            self.known.clear();
        }
        let shared = T::from(name);
        self.known.insert(name.to_owned(), shared.clone());
        shared
    }
}

/// Where a plant or tag comes from.
enum NameSource {
    /// Rendered from the topic's captures (and text).
    Template(NameTemplate),
    /// Read from the payload at a path (required there).
    Payload(FieldPath),
}

/// Field paths compiled.
struct Paths {
    time: FieldPath,
    value: FieldPath,
    quality: FieldPath,
    unit: FieldPath,
    readings: FieldPath,
}

/// The decoder of one subscription.
pub struct Decoder {
    source: String,
    topic: TopicTemplate,
    plant: NameSource,
    tag: NameSource,
    unit: Option<UnitLabel>,
    format: PayloadFormat,
    time_format: TimeFormat,
    retained: RetainedPolicy,
    paths: Paths,
    plants: Interner<PlantId>,
    tags: Interner<Tag>,
    units: Interner<UnitLabel>,
}

/// A failed field: the reason code and what was wrong.
type Failure = (&'static str, String);

impl Decoder {
    /// The decoder of `subscription` for the source `source_id`; the error
    /// is a config problem (see `MqttSourceConfig::validate`).
    pub fn new(source_id: &str, subscription: &SubscriptionConfig) -> Result<Decoder, String> {
        let topic = TopicTemplate::parse(&subscription.topic)?;
        let fields = &subscription.fields;
        let name = |template: &str, path: &str, what: &str| -> Result<NameSource, String> {
            if !path.is_empty() {
                return FieldPath::parse(path).map(NameSource::Payload);
            }
            let template = NameTemplate::parse(template).map_err(|e| format!("{what}: {e}"))?;
            if let Some(missing) = template.missing_capture(&topic) {
                return Err(format!(
                    "{what}: `{{{missing}}}` is not captured by `{}`",
                    subscription.topic
                ));
            }
            Ok(NameSource::Template(template))
        };
        let plant = name(&subscription.plant, &fields.plant, "plant")?;
        let tag = name(&subscription.tag, &fields.tag, "tag")?;
        let paths = Paths {
            time: FieldPath::parse(&fields.time)?,
            value: FieldPath::parse(&fields.value)?,
            quality: FieldPath::parse(&fields.quality)?,
            unit: FieldPath::parse(&fields.unit)?,
            readings: FieldPath::parse(&fields.readings)?,
        };
        Ok(Decoder {
            source: source_id.to_owned(),
            topic,
            plant,
            tag,
            unit: subscription.unit.as_deref().map(UnitLabel::from),
            format: subscription.format,
            time_format: subscription.time_format,
            retained: subscription.retained,
            paths,
            plants: Interner::new(),
            tags: Interner::new(),
            units: Interner::new(),
        })
    }

    /// The topic filter to subscribe to.
    pub fn filter(&self) -> &str {
        self.topic.filter()
    }

    /// Whether this subscription's filter matches `topic`.
    pub fn matches(&self, topic: &str) -> bool {
        self.topic.matches(topic).is_some()
    }

    /// Decodes a message whose topic matches this subscription into `batch`.
    pub fn decode(&mut self, message: &Message<'_>, batch: &mut SourceBatch) -> Outcome {
        if message.payload.is_empty() {
            return Outcome::Discarded;
        }
        if message.retain && self.retained == RetainedPolicy::Discard {
            return Outcome::Discarded;
        }
        let Some(captures) = self.topic.matches(message.topic) else {
            batch.errors.push(self.error(
                message,
                "unexpected_topic",
                format!("the topic does not match `{}`", self.topic.filter()),
                message.topic.to_owned(),
                &String::from_utf8_lossy(message.payload),
            ));
            return Outcome::Decoded;
        };
        let first_reading = batch.readings.len();
        match self.format {
            PayloadFormat::Number => self.decode_number(message, &captures, batch),
            PayloadFormat::Json => self.decode_json(message, &captures, batch),
        }
        if message.retain
            && self.retained == RetainedPolicy::Flag
            && let Some(readings) = batch.readings.get_mut(first_reading..)
        {
            for reading in readings {
                reading.quality = reading.quality.max(Quality::Uncertain);
            }
        }
        Outcome::Decoded
    }

    fn decode_number(&mut self, message: &Message<'_>, captures: &[&str], batch: &mut SourceBatch) {
        let text = String::from_utf8_lossy(message.payload);
        let Ok(value) = text.trim().parse::<f64>() else {
            batch.errors.push(self.error(
                message,
                "not_a_number",
                "the payload is not a number".to_owned(),
                message.topic.to_owned(),
                &text,
            ));
            return;
        };
        match self.names(message, captures, None) {
            Ok((plant, tag)) => batch.readings.push(Reading {
                time_ms: message.received_ms,
                plant,
                tag,
                value,
                quality: Quality::Good,
                unit: self.unit.clone(),
            }),
            Err((reason, text_why)) => batch.errors.push(self.error(
                message,
                reason,
                text_why,
                message.topic.to_owned(),
                &text,
            )),
        }
    }

    fn decode_json(&mut self, message: &Message<'_>, captures: &[&str], batch: &mut SourceBatch) {
        let root: Value = match serde_json::from_slice(message.payload) {
            Ok(root) => root,
            Err(error) => {
                batch.errors.push(self.error(
                    message,
                    "bad_json",
                    format!("the payload is not JSON: {error}"),
                    message.topic.to_owned(),
                    &String::from_utf8_lossy(message.payload),
                ));
                return;
            }
        };
        let elements = if self.paths.readings.is_off() {
            match &root {
                Value::Array(items) => Some(items.as_slice()),
                _ => None,
            }
        } else {
            match self.paths.readings.find(&root) {
                Some(Value::Array(items)) => Some(items.as_slice()),
                found => {
                    let (reason, why) = match found {
                        None => ("missing_field", "has no readings array at"),
                        Some(_) => ("wrong_type", "has no array at"),
                    };
                    batch.errors.push(self.error(
                        message,
                        reason,
                        format!("the payload {why} `{}`", self.paths.readings.display()),
                        message.topic.to_owned(),
                        &String::from_utf8_lossy(message.payload),
                    ));
                    return;
                }
            }
        };
        match elements {
            Some(items) => {
                for (index, item) in items.iter().enumerate() {
                    let origin = || format!("{}[{index}]", message.topic);
                    match self.reading(message, captures, item) {
                        Ok(reading) => batch.readings.push(reading),
                        Err((reason, why)) => {
                            let text = item.to_string();
                            batch
                                .errors
                                .push(self.error(message, reason, why, origin(), &text));
                        }
                    }
                }
            }
            None => match self.reading(message, captures, &root) {
                Ok(reading) => batch.readings.push(reading),
                Err((reason, why)) => batch.errors.push(self.error(
                    message,
                    reason,
                    why,
                    message.topic.to_owned(),
                    &String::from_utf8_lossy(message.payload),
                )),
            },
        }
    }

    /// One reading from an object (fields at the paths) or a bare value.
    fn reading(
        &mut self,
        message: &Message<'_>,
        captures: &[&str],
        element: &Value,
    ) -> Result<Reading, Failure> {
        let object = match element {
            Value::Object(_) => Some(element),
            Value::Array(_) => {
                return Err((
                    "wrong_type",
                    "a reading is an object or a number, found an array".into(),
                ));
            }
            _ => None,
        };
        let Some(object) = object else {
            // A bare number (or numeric text, true/false, null): the value.
            let value = value_of(element)?;
            let (plant, tag) = self.names(message, captures, None)?;
            return Ok(Reading {
                time_ms: message.received_ms,
                plant,
                tag,
                value,
                quality: Quality::Good,
                unit: self.unit.clone(),
            });
        };
        let value = match self.paths.value.find(object) {
            Some(value) => value_of(value)?,
            None => {
                return Err((
                    "missing_field",
                    format!("no value at `{}`", self.paths.value.display()),
                ));
            }
        };
        let time_ms = match self.paths.time.find(object) {
            None => message.received_ms,
            Some(time) => time_of(time, self.time_format)?,
        };
        let quality = match self.paths.quality.find(object) {
            None | Some(Value::Null) => Quality::Good,
            Some(quality) => quality_of(quality)?,
        };
        let unit = match self.paths.unit.find(object) {
            None | Some(Value::Null) => self.unit.clone(),
            Some(Value::String(unit)) if unit.is_empty() => self.unit.clone(),
            Some(Value::String(unit)) => Some(self.units.get(unit)),
            Some(other) => {
                return Err((
                    "wrong_type",
                    format!("the unit must be text, found {}", kind(other)),
                ));
            }
        };
        let (plant, tag) = self.names(message, captures, Some(object))?;
        Ok(Reading {
            time_ms,
            plant,
            tag,
            value,
            quality,
            unit,
        })
    }

    /// The plant and tag of a reading: from the topic or the payload.
    fn names(
        &mut self,
        message: &Message<'_>,
        captures: &[&str],
        object: Option<&Value>,
    ) -> Result<(PlantId, Tag), Failure> {
        let plant = name(
            &self.plant,
            &self.topic,
            message.topic,
            captures,
            object,
            "plant",
        )?;
        let tag = name(
            &self.tag,
            &self.topic,
            message.topic,
            captures,
            object,
            "tag",
        )?;
        Ok((self.plants.get(&plant), self.tags.get(&tag)))
    }

    fn error(
        &self,
        message: &Message<'_>,
        reason: &'static str,
        why: String,
        origin: String,
        payload: &str,
    ) -> DecodeError {
        DecodeError::new(
            &self.source,
            reason,
            why,
            origin,
            payload,
            message.received_ms,
        )
    }
}

fn name(
    source: &NameSource,
    topic: &TopicTemplate,
    topic_name: &str,
    captures: &[&str],
    object: Option<&Value>,
    what: &str,
) -> Result<String, Failure> {
    let name = match source {
        NameSource::Template(template) => template
            .render(|field| {
                if field == TOPIC_CAPTURE {
                    Some(topic_name)
                } else {
                    topic
                        .capture_index(field)
                        .and_then(|i| captures.get(i).copied())
                }
            })
            .ok_or_else(|| {
                (
                    "missing_field",
                    format!("the {what} template has an unknown field"),
                )
            })?,
        NameSource::Payload(path) => match object.and_then(|object| path.find(object)) {
            Some(Value::String(text)) => text.clone(),
            Some(Value::Number(number)) => number.to_string(),
            Some(other) => {
                return Err((
                    "wrong_type",
                    format!(
                        "the {what} at `{}` must be text, found {}",
                        path.display(),
                        kind(other)
                    ),
                ));
            }
            None => {
                return Err((
                    "missing_field",
                    format!("no {what} at `{}`", path.display()),
                ));
            }
        },
    };
    if name.trim().is_empty() {
        return Err(("empty_name", format!("the {what} is empty")));
    }
    Ok(name)
}

/// A JSON type's name, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value: a number, numeric text (`"7.5"`, `"NaN"`), `true`/`false` (1/0),
/// or `null` (NaN: no value, for validation to judge).
pub fn value_of(value: &Value) -> Result<f64, Failure> {
    match value {
        Value::Number(number) => number
            .as_f64()
            .ok_or_else(|| ("wrong_type", format!("the value {number} is not a float"))),
        Value::Null => Ok(f64::NAN),
        Value::Bool(flag) => Ok(f64::from(u8::from(*flag))),
        Value::String(text) => text.trim().parse::<f64>().map_err(|_| {
            let excerpt: String = text.chars().take(40).collect();
            (
                "wrong_type",
                format!("the value must be a number, found the text `{excerpt}`"),
            )
        }),
        other => Err((
            "wrong_type",
            format!("the value must be a number, found {}", kind(other)),
        )),
    }
}

/// An event time in UTC ms, read as `format` says.
pub fn time_of(time: &Value, format: TimeFormat) -> Result<i64, Failure> {
    let bad = |what: String| ("bad_time", what);
    let ms = match (format, time) {
        (TimeFormat::Auto | TimeFormat::Rfc3339, Value::String(text))
            if !(format == TimeFormat::Auto && is_integer_text(text)) =>
        {
            parse_utc_ms(text).map_err(|error| bad(error.to_string()))?
        }
        (TimeFormat::Rfc3339, other) => {
            return Err(bad(format!(
                "the time must be RFC 3339 text, found {}",
                kind(other)
            )));
        }
        (TimeFormat::Auto | TimeFormat::UnixMs, Value::String(text)) => text
            .trim()
            .parse::<i64>()
            .map_err(|_| bad(format!("`{text}` is not epoch milliseconds")))?,
        (TimeFormat::Auto | TimeFormat::UnixMs, Value::Number(number)) => match number.as_i64() {
            Some(ms) => ms,
            None => {
                let ms = number.as_f64().unwrap_or(f64::NAN);
                if ms.fract() != 0.0 || !ms.is_finite() || ms.abs() > MAX_TIME_MS as f64 {
                    return Err(bad(format!(
                        "{number} is not a whole number of epoch milliseconds"
                    )));
                }
                ms as i64
            }
        },
        (TimeFormat::UnixS, Value::Number(_) | Value::String(_)) => {
            let seconds = match time {
                Value::Number(number) => number.as_f64(),
                Value::String(text) => text.trim().parse::<f64>().ok(),
                _ => None,
            };
            let ms = seconds.map(|s| (s * 1000.0).round()).unwrap_or(f64::NAN);
            if !ms.is_finite() || ms.abs() > MAX_TIME_MS as f64 {
                return Err(bad(format!("{time} is not epoch seconds")));
            }
            ms as i64
        }
        (_, other) => {
            return Err(bad(format!(
                "the time must be a number or text, found {}",
                kind(other)
            )));
        }
    };
    if ms.abs() > MAX_TIME_MS {
        return Err(bad(format!("{ms} ms is outside the years 0000 to 9999")));
    }
    Ok(ms)
}

fn is_integer_text(text: &str) -> bool {
    let digits = text.trim().strip_prefix('-').unwrap_or(text.trim());
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A quality: a name (`good`, `uncertain`, `bad`), an OPC UA status code
/// (number or text, decimal or `0x` hex), or `true`/`false` (good/bad).
pub fn quality_of(quality: &Value) -> Result<Quality, Failure> {
    match quality {
        Value::String(text) => text
            .parse::<Quality>()
            .map_err(|error| ("bad_quality", error.to_string())),
        Value::Number(number) => number
            .as_u64()
            .and_then(|status| u32::try_from(status).ok())
            .map(Quality::from_opcua_status)
            .ok_or_else(|| {
                (
                    "bad_quality",
                    format!("{number} is not an OPC UA status code"),
                )
            }),
        Value::Bool(true) => Ok(Quality::Good),
        Value::Bool(false) => Ok(Quality::Bad),
        other => Err((
            "bad_quality",
            format!(
                "the quality must be text or a status code, found {}",
                kind(other)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SubscriptionConfig;
    use serde_json::json;

    const NOW: i64 = 1_735_689_600_000;

    fn decode(
        config: &SubscriptionConfig,
        topic: &str,
        payload: &str,
        retain: bool,
    ) -> SourceBatch {
        let mut decoder = Decoder::new("mqtt1", config).unwrap();
        let mut batch = SourceBatch::default();
        decoder.decode(
            &Message {
                topic,
                payload: payload.as_bytes(),
                retain,
                received_ms: NOW,
            },
            &mut batch,
        );
        batch
    }

    fn seed() -> SubscriptionConfig {
        SubscriptionConfig::new("steam/{plant}/traps/{tag}/status")
    }

    #[test]
    fn an_object_payload_becomes_one_reading_named_by_the_topic() {
        let batch = decode(
            &seed(),
            "steam/north/traps/T-101/status",
            r#"{"time": "2025-01-01T00:00:01Z", "value": 71.5, "quality": "uncertain", "unit": "dB"}"#,
            false,
        );
        assert_eq!(batch.errors, vec![]);
        let reading = &batch.readings[0];
        assert_eq!(reading.plant.as_str(), "north");
        assert_eq!(reading.tag.as_str(), "T-101");
        assert_eq!(reading.time_ms, NOW + 1000);
        assert_eq!(reading.value, 71.5);
        assert_eq!(reading.quality, Quality::Uncertain);
        assert_eq!(reading.unit.as_ref().map(|u| u.as_str()), Some("dB"));
    }

    #[test]
    fn bare_numbers_take_the_receive_time_and_the_configured_unit() {
        let mut config = seed();
        config.unit = Some("barg".into());
        for payload in ["7.25", "\"7.25\""] {
            let batch = decode(&config, "steam/n/traps/t/status", payload, false);
            assert_eq!(batch.readings.len(), 1, "{payload}: {:?}", batch.errors);
            assert_eq!(batch.readings[0].time_ms, NOW);
            assert_eq!(batch.readings[0].value, 7.25);
            assert_eq!(
                batch.readings[0].unit.as_ref().map(|u| u.as_str()),
                Some("barg")
            );
        }
        config.format = PayloadFormat::Number;
        let batch = decode(&config, "steam/n/traps/t/status", " NaN\n", false);
        assert!(batch.readings[0].value.is_nan());
        let batch = decode(&config, "steam/n/traps/t/status", "seven", false);
        assert_eq!(batch.errors[0].reason, "not_a_number");
    }

    #[test]
    fn an_array_payload_gives_a_reading_or_an_error_per_element() {
        let mut config = SubscriptionConfig::new("steam/{plant}/{network}/generation");
        config.fields.tag = "name".into();
        config.fields.readings = "points".into();
        config.time_format = TimeFormat::UnixS;
        let payload = json!({"points": [
            {"name": "hp.flow", "value": 12.5, "time": 1735689600.5},
            {"name": "hp.pressure", "value": "high", "time": 1735689600},
            {"value": 3},
            {"name": "hp.temp", "value": 250, "time": 1735689601, "quality": 2147483648u32},
        ]})
        .to_string();
        let batch = decode(&config, "steam/north/hp/generation", &payload, false);
        let tags: Vec<_> = batch.readings.iter().map(|r| r.tag.as_str()).collect();
        assert_eq!(tags, ["hp.flow", "hp.temp"]);
        assert_eq!(batch.readings[0].time_ms, NOW + 500);
        assert_eq!(batch.readings[1].quality, Quality::Bad);
        let reasons: Vec<_> = batch
            .errors
            .iter()
            .map(|e| (e.reason, e.origin.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                ("wrong_type", "steam/north/hp/generation[1]"),
                ("missing_field", "steam/north/hp/generation[2]")
            ]
        );
        assert!(batch.errors[0].payload.contains("hp.pressure"));
    }

    #[test]
    fn a_top_level_array_is_a_list_of_readings() {
        let batch = decode(
            &seed(),
            "steam/n/traps/t/status",
            r#"[{"value": 1, "time": 1735689600000}, 2, [3]]"#,
            false,
        );
        assert_eq!(batch.readings.len(), 2);
        assert_eq!(batch.readings[0].time_ms, NOW);
        assert_eq!(batch.errors[0].reason, "wrong_type");
    }

    #[test]
    fn templates_and_pointers_shape_the_names() {
        let mut config = SubscriptionConfig::new("steam/{plant}/{network}/generation");
        config.tag = "{network}.generation".into();
        config.plant = "site-{plant}".into();
        config.fields.value = "/data/flow".into();
        let batch = decode(
            &config,
            "steam/north/lp/generation",
            r#"{"data": {"flow": 4.5}}"#,
            false,
        );
        assert_eq!(batch.readings[0].plant.as_str(), "site-north");
        assert_eq!(batch.readings[0].tag.as_str(), "lp.generation");
        let mut whole = SubscriptionConfig::new("plant/#");
        whole.plant = "north".into();
        whole.tag = "{topic}".into();
        let batch = decode(&whole, "plant/a/b", "1", false);
        assert_eq!(batch.readings[0].tag.as_str(), "plant/a/b");
    }

    #[test]
    fn malformed_payloads_get_reason_codes() {
        let cases = [
            ("{not json", "bad_json"),
            ("{\"value\": [1]}", "wrong_type"),
            ("{\"valu\": 1}", "missing_field"),
            ("{\"value\": 1, \"time\": \"yesterday\"}", "bad_time"),
            ("{\"value\": 1, \"time\": true}", "bad_time"),
            ("{\"value\": 1, \"time\": 1e300}", "bad_time"),
            ("{\"value\": 1, \"quality\": \"fine\"}", "bad_quality"),
            ("{\"value\": 1, \"quality\": -1}", "bad_quality"),
            ("{\"value\": 1, \"unit\": 5}", "wrong_type"),
            ("\u{0}\u{ff}", "bad_json"),
        ];
        for (payload, reason) in cases {
            let batch = decode(&seed(), "steam/n/traps/t/status", payload, false);
            assert_eq!(batch.readings, vec![], "{payload}");
            assert_eq!(batch.errors.len(), 1, "{payload}");
            assert_eq!(
                batch.errors[0].reason, reason,
                "{payload}: {}",
                batch.errors[0].message
            );
            assert_eq!(batch.errors[0].source, "mqtt1");
            assert_eq!(batch.errors[0].origin, "steam/n/traps/t/status");
        }
        let batch = decode(&seed(), "steam/n/traps//status", "1", false);
        assert_eq!(batch.errors[0].reason, "empty_name");
        let batch = decode(&seed(), "other/topic", "1", false);
        assert_eq!(batch.errors[0].reason, "unexpected_topic");
    }

    #[test]
    fn values_of_every_json_kind_have_a_defined_outcome() {
        assert!(value_of(&json!(null)).unwrap().is_nan());
        assert_eq!(value_of(&json!(true)), Ok(1.0));
        assert_eq!(value_of(&json!(" -inf ")), Ok(f64::NEG_INFINITY));
        assert_eq!(value_of(&json!(u64::MAX)), Ok(u64::MAX as f64));
        assert!(value_of(&json!({})).is_err());
    }

    #[test]
    fn times_follow_the_configured_format() {
        assert_eq!(time_of(&json!("1735689600000"), TimeFormat::Auto), Ok(NOW));
        assert_eq!(time_of(&json!(1735689600000i64), TimeFormat::Auto), Ok(NOW));
        assert_eq!(
            time_of(&json!("2025-01-01T01:00:00+01:00"), TimeFormat::Rfc3339),
            Ok(NOW)
        );
        assert!(time_of(&json!(1735689600000i64), TimeFormat::Rfc3339).is_err());
        assert_eq!(time_of(&json!("1735689600"), TimeFormat::UnixS), Ok(NOW));
        assert_eq!(
            time_of(&json!(1735689600.25), TimeFormat::UnixS),
            Ok(NOW + 250)
        );
        assert!(time_of(&json!(1.5), TimeFormat::UnixMs).is_err());
        assert!(time_of(&json!(i64::MAX), TimeFormat::UnixMs).is_err());
        assert!(time_of(&json!(1e20), TimeFormat::UnixS).is_err());
    }

    #[test]
    fn retained_messages_are_flagged_accepted_or_discarded() {
        let payload = r#"{"value": 1, "quality": "good"}"#;
        let batch = decode(&seed(), "steam/n/traps/t/status", payload, true);
        assert_eq!(batch.readings[0].quality, Quality::Uncertain);
        let mut accept = seed();
        accept.retained = RetainedPolicy::Accept;
        let batch = decode(&accept, "steam/n/traps/t/status", payload, true);
        assert_eq!(batch.readings[0].quality, Quality::Good);
        let mut discard = seed();
        discard.retained = RetainedPolicy::Discard;
        let mut decoder = Decoder::new("m", &discard).unwrap();
        let mut batch = SourceBatch::default();
        let message = Message {
            topic: "steam/n/traps/t/status",
            payload: payload.as_bytes(),
            retain: true,
            received_ms: NOW,
        };
        assert_eq!(decoder.decode(&message, &mut batch), Outcome::Discarded);
        assert!(batch.is_empty());
        let not_retained = Message {
            retain: false,
            ..message
        };
        assert_eq!(decoder.decode(&not_retained, &mut batch), Outcome::Decoded);
        let empty = Message {
            payload: b"",
            ..not_retained
        };
        assert_eq!(decoder.decode(&empty, &mut batch), Outcome::Discarded);
    }
}

//! Records to readings: a JSON object (one reading), an array of them, or
//! an array at `fields.readings`; a bare number is a value named by the
//! key. The field paths and the value, time and quality readers are the
//! MQTT source's, so both read a payload the same way.
//!
//! Every record ends as readings or [`DecodeError`]s (dead letters with a
//! stable reason code, the origin `topic/partition@offset`); an empty
//! record is a counted discard. Nothing panics on any payload.
//!
//! Reason codes: `bad_json`, `missing_field`, `wrong_type`, `bad_time`,
//! `bad_quality`, `empty_name`.

use serde_json::Value;
use steamflow_operators::reading::{PlantId, Quality, Reading, Tag, UnitLabel};
use steamflow_source_core::{DecodeError, SourceBatch};
use steamflow_source_mqtt::decode::{quality_of, time_of, value_of};
use steamflow_source_mqtt::path::FieldPath;

use crate::config::{FluvioSourceConfig, KeyNames, TimeFormat};

/// One consumed record.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    pub topic: &'a str,
    pub partition: u32,
    pub offset: i64,
    pub key: Option<&'a [u8]>,
    pub value: &'a [u8],
    /// The record's timestamp (UTC ms) if the producer set one: the event
    /// time of payloads that carry none.
    pub timestamp_ms: Option<i64>,
    /// Receive time (UTC ms): the event time when there is nothing better.
    pub received_ms: i64,
}

impl Record<'_> {
    /// Where a record came from, for dead letters: `topic/partition@offset`.
    pub fn origin(&self) -> String {
        format!("{}/{}@{}", self.topic, self.partition, self.offset)
    }

    fn event_time_ms(&self) -> i64 {
        self.timestamp_ms
            .filter(|ms| *ms > 0)
            .unwrap_or(self.received_ms)
    }
}

/// What became of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Readings and/or decode errors were added to the batch.
    Decoded,
    /// An empty record, dropped on purpose (and counted).
    Discarded,
}

/// A failed field: the reason code and what was wrong.
type Failure = (&'static str, String);

struct Paths {
    time: FieldPath,
    value: FieldPath,
    quality: FieldPath,
    unit: FieldPath,
    tag: FieldPath,
    plant: FieldPath,
    readings: FieldPath,
}

/// The decoder of one source.
pub struct Decoder {
    source: String,
    paths: Paths,
    key: KeyNames,
    plant: Option<PlantId>,
    unit: Option<UnitLabel>,
    time_format: TimeFormat,
}

/// The plant and tag a key gives.
struct KeyParts<'k> {
    plant: Option<&'k str>,
    tag: Option<&'k str>,
}

impl Decoder {
    /// The decoder of `config` for the source `source_id`; the error is a
    /// config problem (see [`FluvioSourceConfig::validate`]).
    pub fn new(source_id: &str, config: &FluvioSourceConfig) -> Result<Decoder, String> {
        let fields = &config.fields;
        let path = |key: &str, text: &str| {
            FieldPath::parse(text).map_err(|message| format!("fields.{key}: {message}"))
        };
        Ok(Decoder {
            source: source_id.to_owned(),
            paths: Paths {
                time: path("time", &fields.time)?,
                value: path("value", &fields.value)?,
                quality: path("quality", &fields.quality)?,
                unit: path("unit", &fields.unit)?,
                tag: path("tag", &fields.tag)?,
                plant: path("plant", &fields.plant)?,
                readings: path("readings", &fields.readings)?,
            },
            key: config.key,
            plant: config.plant.as_deref().map(PlantId::from),
            unit: config.unit.as_deref().map(UnitLabel::from),
            time_format: config.time_format,
        })
    }

    /// Decodes a record into `batch`.
    pub fn decode(&self, record: &Record<'_>, batch: &mut SourceBatch) -> Outcome {
        if record.value.is_empty() {
            return Outcome::Discarded;
        }
        let key_text = record.key.map(String::from_utf8_lossy);
        let key = self.key_parts(key_text.as_deref());
        let root: Value = match serde_json::from_slice(record.value) {
            Ok(root) => root,
            Err(error) => {
                batch.errors.push(self.error(
                    record,
                    "bad_json",
                    format!("the record is not JSON: {error}"),
                    record.origin(),
                    &String::from_utf8_lossy(record.value),
                ));
                return Outcome::Decoded;
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
                        record,
                        reason,
                        format!("the record {why} `{}`", self.paths.readings.display()),
                        record.origin(),
                        &String::from_utf8_lossy(record.value),
                    ));
                    return Outcome::Decoded;
                }
            }
        };
        match elements {
            Some(items) => {
                for (index, item) in items.iter().enumerate() {
                    match self.reading(record, &key, item) {
                        Ok(reading) => batch.readings.push(reading),
                        Err((reason, why)) => batch.errors.push(self.error(
                            record,
                            reason,
                            why,
                            format!("{}[{index}]", record.origin()),
                            &item.to_string(),
                        )),
                    }
                }
            }
            None => match self.reading(record, &key, &root) {
                Ok(reading) => batch.readings.push(reading),
                Err((reason, why)) => batch.errors.push(self.error(
                    record,
                    reason,
                    why,
                    record.origin(),
                    &String::from_utf8_lossy(record.value),
                )),
            },
        }
        Outcome::Decoded
    }

    fn key_parts<'k>(&self, key: Option<&'k str>) -> KeyParts<'k> {
        let key = key.map(str::trim).filter(|key| !key.is_empty());
        match (self.key, key) {
            (KeyNames::Tag, Some(key)) => KeyParts {
                plant: None,
                tag: Some(key),
            },
            (KeyNames::PlantTag, Some(key)) => match key.split_once('/') {
                Some((plant, tag)) => KeyParts {
                    plant: Some(plant),
                    tag: Some(tag),
                },
                None => KeyParts {
                    plant: None,
                    tag: Some(key),
                },
            },
            _ => KeyParts {
                plant: None,
                tag: None,
            },
        }
    }

    /// One reading from an object (fields at the paths) or a bare value.
    fn reading(
        &self,
        record: &Record<'_>,
        key: &KeyParts<'_>,
        element: &Value,
    ) -> Result<Reading, Failure> {
        let object = match element {
            Value::Object(_) => element,
            Value::Array(_) => {
                return Err((
                    "wrong_type",
                    "a reading is an object or a number, found an array".into(),
                ));
            }
            _ => {
                // A bare number (or numeric text, true/false, null): the
                // value, named by the key.
                let value = value_of(element)?;
                let (plant, tag) = self.names(key, None)?;
                return Ok(Reading {
                    time_ms: record.event_time_ms(),
                    plant,
                    tag,
                    value,
                    quality: Quality::Good,
                    unit: self.unit.clone(),
                });
            }
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
            None | Some(Value::Null) => record.event_time_ms(),
            Some(time) => time_of(time, self.time_format)?,
        };
        let quality = match self.paths.quality.find(object) {
            None | Some(Value::Null) => Quality::Good,
            Some(quality) => quality_of(quality)?,
        };
        let unit = match self.paths.unit.find(object) {
            None | Some(Value::Null) => self.unit.clone(),
            Some(Value::String(unit)) if unit.is_empty() => self.unit.clone(),
            Some(Value::String(unit)) => Some(UnitLabel::from(unit.as_str())),
            Some(other) => {
                return Err((
                    "wrong_type",
                    format!("the unit must be text, found {}", kind(other)),
                ));
            }
        };
        let (plant, tag) = self.names(key, Some(object))?;
        Ok(Reading {
            time_ms,
            plant,
            tag,
            value,
            quality,
            unit,
        })
    }

    /// The plant and tag: from the payload, else the key, else (plant only)
    /// the configured plant.
    fn names(&self, key: &KeyParts<'_>, object: Option<&Value>) -> Result<(PlantId, Tag), Failure> {
        let tag = match name_in(&self.paths.tag, object, "tag")? {
            Some(tag) => tag,
            None => key.tag.map(str::to_owned).ok_or_else(|| {
                (
                    "missing_field",
                    format!(
                        "no tag at `{}` and none in the record key (see `key`)",
                        self.paths.tag.display()
                    ),
                )
            })?,
        };
        let plant = match name_in(&self.paths.plant, object, "plant")? {
            Some(plant) => PlantId::from(plant.as_str()),
            None => match (key.plant, &self.plant) {
                (Some(plant), _) => PlantId::from(plant),
                (None, Some(plant)) => plant.clone(),
                (None, None) => {
                    return Err((
                        "missing_field",
                        format!(
                            "no plant at `{}`, none in the record key, and the source names none",
                            self.paths.plant.display()
                        ),
                    ));
                }
            },
        };
        if plant.as_str().trim().is_empty() {
            return Err(("empty_name", "the plant is empty".into()));
        }
        if tag.trim().is_empty() {
            return Err(("empty_name", "the tag is empty".into()));
        }
        Ok((plant, Tag::from(tag.as_str())))
    }

    fn error(
        &self,
        record: &Record<'_>,
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
            record.received_ms,
        )
    }
}

/// A name (text or number) at `path` in the object, if there is one.
fn name_in(
    path: &FieldPath,
    object: Option<&Value>,
    what: &str,
) -> Result<Option<String>, Failure> {
    match object.and_then(|object| path.find(object)) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(other) => Err((
            "wrong_type",
            format!(
                "the {what} at `{}` must be text, found {}",
                path.display(),
                kind(other)
            ),
        )),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClusterConfig;
    use serde_json::json;

    const NOW: i64 = 1_735_689_600_000;

    fn config() -> FluvioSourceConfig {
        FluvioSourceConfig::new(ClusterConfig::new("127.0.0.1:9003"), "steam")
    }

    fn decode_with(config: &FluvioSourceConfig, key: Option<&str>, value: &str) -> SourceBatch {
        let decoder = Decoder::new("fluvio1", config).unwrap();
        let mut batch = SourceBatch::default();
        decoder.decode(
            &Record {
                topic: "steam",
                partition: 1,
                offset: 42,
                key: key.map(str::as_bytes),
                value: value.as_bytes(),
                timestamp_ms: None,
                received_ms: NOW,
            },
            &mut batch,
        );
        batch
    }

    #[test]
    fn a_sink_record_reads_back_as_the_same_reading() {
        let batch = decode_with(
            &config(),
            Some("north/PT-101"),
            r#"{"time":"2025-01-01T00:00:01Z","plant":"north","tag":"PT-101","value":10.5,"quality":"uncertain","unit":"barg"}"#,
        );
        assert_eq!(batch.errors, vec![]);
        let reading = &batch.readings[0];
        assert_eq!(
            (reading.plant.as_str(), reading.tag.as_str()),
            ("north", "PT-101")
        );
        assert_eq!(reading.time_ms, NOW + 1000);
        assert_eq!(reading.value, 10.5);
        assert_eq!(reading.quality, Quality::Uncertain);
        assert_eq!(reading.unit.as_ref().map(|u| u.as_str()), Some("barg"));
    }

    #[test]
    fn keys_name_readings_whose_payload_does_not() {
        let mut config = config();
        config.key = KeyNames::PlantTag;
        let batch = decode_with(&config, Some("south/FT-7"), "3.5");
        assert_eq!(batch.readings[0].plant.as_str(), "south");
        assert_eq!(batch.readings[0].tag.as_str(), "FT-7");
        assert_eq!(batch.readings[0].time_ms, NOW, "no time: the receive time");
        config.key = KeyNames::Tag;
        config.plant = Some("north".into());
        let batch = decode_with(&config, Some("a/b"), r#"{"value": 1}"#);
        assert_eq!(batch.readings[0].plant.as_str(), "north");
        assert_eq!(batch.readings[0].tag.as_str(), "a/b");
        // The payload wins over the key.
        let batch = decode_with(&config, Some("x"), r#"{"value": 1, "tag": "T-1"}"#);
        assert_eq!(batch.readings[0].tag.as_str(), "T-1");
    }

    #[test]
    fn the_record_timestamp_is_the_event_time_of_payloads_without_one() {
        let decoder = Decoder::new("f", &config()).unwrap();
        let mut batch = SourceBatch::default();
        let record = Record {
            topic: "steam",
            partition: 0,
            offset: 0,
            key: None,
            value: br#"{"plant": "n", "tag": "t", "value": 1}"#,
            timestamp_ms: Some(NOW - 5000),
            received_ms: NOW,
        };
        decoder.decode(&record, &mut batch);
        assert_eq!(batch.readings[0].time_ms, NOW - 5000);
    }

    #[test]
    fn arrays_give_a_reading_or_an_error_per_element() {
        let mut config = config();
        config.fields.readings = "points".into();
        config.plant = Some("north".into());
        let payload = json!({"points": [
            {"tag": "hp.flow", "value": 12.5, "time": 1735689600500i64},
            {"tag": "hp.pressure", "value": "high"},
            {"value": 3},
        ]})
        .to_string();
        let batch = decode_with(&config, None, &payload);
        assert_eq!(batch.readings.len(), 1);
        assert_eq!(batch.readings[0].time_ms, NOW + 500);
        let reasons: Vec<_> = batch
            .errors
            .iter()
            .map(|e| (e.reason, e.origin.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                ("wrong_type", "steam/1@42[1]"),
                ("missing_field", "steam/1@42[2]")
            ]
        );
        assert!(batch.errors[0].payload.contains("hp.pressure"));
        let batch = decode_with(&config, None, r#"{"points": 5}"#);
        assert_eq!(batch.errors[0].reason, "wrong_type");
    }

    #[test]
    fn malformed_records_and_wrong_types_get_reason_codes() {
        let cases = [
            ("{not json", "bad_json"),
            ("\u{0}\u{ff}", "bad_json"),
            (r#"{"plant":"n","tag":"t","value":[1]}"#, "wrong_type"),
            (r#"{"plant":"n","tag":"t","valu":1}"#, "missing_field"),
            (r#"{"plant":"n","value":1}"#, "missing_field"),
            (r#"{"tag":"t","value":1}"#, "missing_field"),
            (r#"{"plant":"n","tag":{"a":1},"value":1}"#, "wrong_type"),
            (
                r#"{"plant":"n","tag":"t","value":1,"time":"yesterday"}"#,
                "bad_time",
            ),
            (
                r#"{"plant":"n","tag":"t","value":1,"time":1e300}"#,
                "bad_time",
            ),
            (
                r#"{"plant":"n","tag":"t","value":1,"quality":"fine"}"#,
                "bad_quality",
            ),
            (
                r#"{"plant":"n","tag":"t","value":1,"unit":5}"#,
                "wrong_type",
            ),
            (r#"{"plant":"n","tag":" ","value":1}"#, "empty_name"),
            ("[[1]]", "wrong_type"),
        ];
        for (payload, reason) in cases {
            let batch = decode_with(&config(), None, payload);
            assert_eq!(batch.readings, vec![], "{payload}");
            assert_eq!(batch.errors.len(), 1, "{payload}");
            let error = &batch.errors[0];
            assert_eq!(error.reason, reason, "{payload}: {}", error.message);
            assert_eq!(error.source, "fluvio1");
            assert!(error.origin.starts_with("steam/1@42"), "{}", error.origin);
            assert_eq!(error.received_ms, NOW);
        }
    }

    #[test]
    fn an_empty_record_is_discarded_not_decoded() {
        let decoder = Decoder::new("f", &config()).unwrap();
        let mut batch = SourceBatch::default();
        let record = Record {
            topic: "steam",
            partition: 0,
            offset: 0,
            key: None,
            value: b"",
            timestamp_ms: None,
            received_ms: NOW,
        };
        assert_eq!(decoder.decode(&record, &mut batch), Outcome::Discarded);
        assert!(batch.is_empty());
    }
}

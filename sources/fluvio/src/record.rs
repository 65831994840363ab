//! What the sink produces: each record a JSON object, keyed by a template
//! filled from its top-level fields (`{plant}/{tag}` by default), so that
//! the records of one tag go to one partition, in order.
//!
//! A reading is written with the field names the Fluvio source (and the
//! JSON Lines files) read by default: `time` (RFC 3339), `plant`, `tag`,
//! `value`, `quality`, `unit`.

use serde::Serialize;
use serde_json::Value;
use steamflow_operators::reading::{Reading, format_utc_ms};
use steamflow_source_mqtt::topic::NameTemplate;

/// A record ready to produce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedRecord {
    /// The key; `None` when the sink has no key template.
    pub key: Option<String>,
    /// The JSON object.
    pub value: Vec<u8>,
}

/// A record that cannot be produced, and why (never retried: it would fail again).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EncodeError(pub String);

/// A reading as the sink writes it.
#[derive(Serialize)]
struct ReadingRecord<'a> {
    time: String,
    plant: &'a str,
    tag: &'a str,
    /// NaN and ±∞ are written as `null`, which JSON readers take as "no value".
    value: f64,
    quality: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'a str>,
}

/// Encodes records for one sink.
#[derive(Clone, Debug)]
pub struct RecordEncoder {
    key: Option<NameTemplate>,
}

impl RecordEncoder {
    /// An encoder with the key template `key` (empty: no key).
    pub fn new(key: &str) -> Result<RecordEncoder, String> {
        let key = if key.is_empty() {
            None
        } else {
            Some(NameTemplate::parse(key)?)
        };
        Ok(RecordEncoder { key })
    }

    /// Any serializable record that is a JSON object.
    pub fn encode<T: Serialize + ?Sized>(&self, record: &T) -> Result<EncodedRecord, EncodeError> {
        let value = serde_json::to_value(record).map_err(|error| EncodeError(error.to_string()))?;
        if !value.is_object() {
            return Err(EncodeError(format!(
                "a record must be a JSON object, found {value}"
            )));
        }
        let key = self.key_of(&value)?;
        let value = serde_json::to_vec(&value).map_err(|error| EncodeError(error.to_string()))?;
        Ok(EncodedRecord { key, value })
    }

    /// A reading as `{"time", "plant", "tag", "value", "quality", "unit"}`.
    pub fn encode_reading(&self, reading: &Reading) -> Result<EncodedRecord, EncodeError> {
        self.encode(&ReadingRecord {
            time: format_utc_ms(reading.time_ms),
            plant: reading.plant.as_str(),
            tag: reading.tag.as_str(),
            value: reading.value,
            quality: reading.quality.as_str(),
            unit: reading.unit.as_ref().map(|unit| unit.as_str()),
        })
    }

    fn key_of(&self, record: &Value) -> Result<Option<String>, EncodeError> {
        let Some(template) = &self.key else {
            return Ok(None);
        };
        let mut key = String::new();
        let mut missing = None;
        template
            .render_into(&mut key, |field, out| {
                match record.get(field) {
                    Some(Value::String(text)) => out.push_str(text),
                    Some(Value::Number(number)) => out.push_str(&number.to_string()),
                    Some(Value::Bool(flag)) => out.push_str(if *flag { "true" } else { "false" }),
                    _ => {
                        missing = Some(field.to_owned());
                        return None;
                    }
                }
                Some(())
            })
            .ok_or_else(|| {
                EncodeError(format!(
                    "the record has no text or number field `{}` for the key",
                    missing.unwrap_or_default()
                ))
            })?;
        Ok(Some(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ClusterConfig, FluvioSourceConfig, KeyNames};
    use crate::decode::{Decoder, Record};
    use serde_json::json;
    use steamflow_operators::reading::{PlantId, Quality, Tag, UnitLabel};
    use steamflow_source_core::SourceBatch;

    fn reading(value: f64) -> Reading {
        Reading {
            time_ms: 1_735_689_600_250,
            plant: PlantId::from("north"),
            tag: Tag::from("PT-101"),
            value,
            quality: Quality::Uncertain,
            unit: Some(UnitLabel::from("barg")),
        }
    }

    #[test]
    fn a_reading_is_keyed_by_plant_and_tag() {
        let encoder = RecordEncoder::new("{plant}/{tag}").unwrap();
        let record = encoder.encode_reading(&reading(10.5)).unwrap();
        assert_eq!(record.key.as_deref(), Some("north/PT-101"));
        let value: Value = serde_json::from_slice(&record.value).unwrap();
        assert_eq!(
            value,
            json!({"time": "2025-01-01T00:00:00.250Z", "plant": "north", "tag": "PT-101",
                   "value": 10.5, "quality": "uncertain", "unit": "barg"})
        );
    }

    #[test]
    fn non_finite_values_are_null() {
        let encoder = RecordEncoder::new("").unwrap();
        let record = encoder.encode_reading(&reading(f64::NAN)).unwrap();
        assert_eq!(record.key, None);
        let value: Value = serde_json::from_slice(&record.value).unwrap();
        assert_eq!(value["value"], Value::Null);
    }

    #[test]
    fn records_of_any_stream_fill_the_key_from_their_fields() {
        let encoder = RecordEncoder::new("{plant}/alert/{id}").unwrap();
        let alert = json!({"plant": "north", "id": 7, "kind": "trap_failed"});
        assert_eq!(
            encoder.encode(&alert).unwrap().key.as_deref(),
            Some("north/alert/7")
        );
        let error = encoder.encode(&json!({"plant": "north"})).unwrap_err();
        assert!(error.0.contains("`id`"), "{error}");
        let error = encoder.encode(&json!([1, 2])).unwrap_err();
        assert!(error.0.contains("JSON object"), "{error}");
    }

    /// What the sink writes, the source reads back unchanged.
    #[test]
    fn the_source_reads_what_the_sink_writes() {
        let encoder = RecordEncoder::new("{plant}/{tag}").unwrap();
        let original = reading(7.25);
        let record = encoder.encode_reading(&original).unwrap();
        let mut config = FluvioSourceConfig::new(ClusterConfig::new("h:9003"), "steam");
        config.key = KeyNames::PlantTag;
        let decoder = Decoder::new("f", &config).unwrap();
        let mut batch = SourceBatch::default();
        decoder.decode(
            &Record {
                topic: "steam",
                partition: 0,
                offset: 0,
                key: record.key.as_deref().map(str::as_bytes),
                value: &record.value,
                timestamp_ms: None,
                received_ms: 0,
            },
            &mut batch,
        );
        assert_eq!(batch.readings, vec![original]);
    }
}

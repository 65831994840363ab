//! Request bodies to readings: a JSON array of objects (or one object), or
//! NDJSON (one object per line; blank lines are skipped). Each object has
//! the fields of steamflow's JSON Lines files:
//!
//! | field     | type                                                        |
//! |-----------|-------------------------------------------------------------|
//! | `time`    | RFC 3339 text, or epoch ms (integer or digits); also `time_ms`, `timestamp` |
//! | `plant`   | text; absent: the source's `plant`                          |
//! | `tag`     | text                                                        |
//! | `value`   | number, numeric text (`"NaN"`), or `null` (NaN)             |
//! | `quality` | `good`/`uncertain`/`bad` or an OPC UA status code; absent: good |
//! | `unit`    | text, optional                                              |
//!
//! Other fields are ignored. Each item is decoded on its own: a bad item
//! is rejected with a reason code (`bad_json`, `not_an_object`,
//! `missing_field`, `wrong_type`, `bad_time`, `bad_quality`) and the others
//! are accepted.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use steamflow_operators::reading::{PlantId, Quality, Reading, Tag, UnitLabel, parse_utc_ms};

/// 9999-12-31T23:59:59.999Z, the latest time accepted (and its negative the earliest).
const MAX_TIME_MS: i64 = 253_402_300_799_999;

/// Why an item was rejected: a stable code and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub reason: &'static str,
    pub message: String,
}

impl Rejection {
    fn new(reason: &'static str, message: impl Into<String>) -> Rejection {
        Rejection {
            reason,
            message: message.into(),
        }
    }
}

/// A JSON value of one field, strings borrowed where the text allows.
#[derive(Debug, Default)]
enum Field<'a> {
    #[default]
    Absent,
    Null,
    Bool,
    Int(i64),
    Float(f64),
    Text(Cow<'a, str>),
    /// An array or an object (skipped while parsing).
    Nested(&'static str),
}

impl<'de> Deserialize<'de> for Field<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FieldVisitor)
    }
}

struct FieldVisitor;

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = Field<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Field::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Field::Null)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Field::Bool)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Field::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(i64::try_from(v).map_or(Field::Float(v as f64), Field::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Field::Float(v))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Field::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Field::Text(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Field::Text(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Field::Nested("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Field::Nested("an object"))
    }
}

/// The names of the fields a reading uses; other keys are skipped.
enum Key {
    Time,
    Plant,
    Tag,
    Value,
    Quality,
    Unit,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "time" | "time_ms" | "timestamp" => Key::Time,
                    "plant" => Key::Plant,
                    "tag" => Key::Tag,
                    "value" => Key::Value,
                    "quality" => Key::Quality,
                    "unit" => Key::Unit,
                    _ => Key::Other,
                })
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// One item: an object's fields, or what else it was.
#[derive(Debug)]
enum Item<'a> {
    Object(Fields<'a>),
    NotAnObject(&'static str),
}

#[derive(Debug, Default)]
struct Fields<'a> {
    time: Field<'a>,
    plant: Field<'a>,
    tag: Field<'a>,
    value: Field<'a>,
    quality: Field<'a>,
    unit: Field<'a>,
}

impl<'de> Deserialize<'de> for Item<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ItemVisitor)
    }
}

struct ItemVisitor;

impl<'de> Visitor<'de> for ItemVisitor {
    type Value = Item<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Fields::default();
        while let Some(key) = map.next_key::<Key>()? {
            let slot = match key {
                Key::Time => &mut fields.time,
                Key::Plant => &mut fields.plant,
                Key::Tag => &mut fields.tag,
                Key::Value => &mut fields.value,
                Key::Quality => &mut fields.quality,
                Key::Unit => &mut fields.unit,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *slot = map.next_value()?;
        }
        Ok(Item::Object(fields))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Item::NotAnObject("an array"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Item::NotAnObject("null"))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Item::NotAnObject("a boolean"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Item::NotAnObject("a number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Item::NotAnObject("a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Item::NotAnObject("a number"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Item::NotAnObject("text"))
    }
}

/// Where an item was in the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// NDJSON: the line number, from 1.
    Line(usize),
    /// JSON array: the element index, from 0.
    Index(usize),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(line) => write!(f, "line {line}"),
            Position::Index(index) => write!(f, "index {index}"),
        }
    }
}

/// One decoded item: a reading, or why not, with its text.
pub struct Decoded<'a> {
    pub position: Position,
    pub text: &'a str,
    pub result: Result<Reading, Rejection>,
}

/// Why a whole body was refused (nothing in it accepted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyError(pub Rejection);

/// Decodes NDJSON, item by item.
pub fn decode_ndjson<'a>(body: &'a str, plant: Option<&PlantId>) -> Vec<Decoded<'a>> {
    body.split('\n')
        .enumerate()
        .filter_map(|(index, line)| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() {
                return None;
            }
            Some(Decoded {
                position: Position::Line(index + 1),
                text: line,
                result: decode_item(line, plant),
            })
        })
        .collect()
}

/// Decodes a JSON body: an array of items or a single object. A body that
/// is not JSON at all is refused whole.
pub fn decode_json<'a>(
    body: &'a str,
    plant: Option<&PlantId>,
) -> Result<Vec<Decoded<'a>>, BodyError> {
    let trimmed = body.trim_start();
    if trimmed.starts_with('{') {
        let text = body.trim();
        return Ok(vec![Decoded {
            position: Position::Index(0),
            text,
            result: match serde_json::from_str::<Item<'_>>(text) {
                Ok(item) => reading(item, plant),
                Err(error) => return Err(BodyError(Rejection::new("bad_json", error.to_string()))),
            },
        }]);
    }
    if !trimmed.starts_with('[') {
        return Err(BodyError(Rejection::new(
            "bad_json",
            "the body must be a JSON array of readings or one reading object",
        )));
    }
    let items: Vec<&RawValue> = serde_json::from_str(body)
        .map_err(|error| BodyError(Rejection::new("bad_json", error.to_string())))?;
    Ok(items
        .into_iter()
        .enumerate()
        .map(|(index, raw)| Decoded {
            position: Position::Index(index),
            text: raw.get(),
            result: decode_item(raw.get(), plant),
        })
        .collect())
}

fn decode_item(text: &str, plant: Option<&PlantId>) -> Result<Reading, Rejection> {
    let item: Item<'_> = serde_json::from_str(text)
        .map_err(|error| Rejection::new("bad_json", error.to_string()))?;
    reading(item, plant)
}

fn reading(item: Item<'_>, default_plant: Option<&PlantId>) -> Result<Reading, Rejection> {
    let fields = match item {
        Item::Object(fields) => fields,
        Item::NotAnObject(kind) => {
            return Err(Rejection::new(
                "not_an_object",
                format!("a reading is a JSON object, found {kind}"),
            ));
        }
    };
    let time_ms = time(&fields.time)?;
    let plant = match name(&fields.plant, "plant")? {
        Some(plant) => PlantId::from(plant),
        None => default_plant.cloned().ok_or_else(|| {
            Rejection::new(
                "missing_field",
                "no plant (and the source has no default plant)",
            )
        })?,
    };
    let tag = Tag::from(
        name(&fields.tag, "tag")?.ok_or_else(|| Rejection::new("missing_field", "no tag"))?,
    );
    let value = value(&fields.value)?;
    let quality = match &fields.quality {
        Field::Absent | Field::Null => Quality::Good,
        Field::Text(text) => text
            .parse::<Quality>()
            .map_err(|error| Rejection::new("bad_quality", error.to_string()))?,
        Field::Int(status) => u32::try_from(*status)
            .map(Quality::from_opcua_status)
            .map_err(|_| {
                Rejection::new(
                    "bad_quality",
                    format!("{status} is not an OPC UA status code"),
                )
            })?,
        other => {
            return Err(Rejection::new(
                "bad_quality",
                format!(
                    "the quality must be text or a status code, found {}",
                    kind(other)
                ),
            ));
        }
    };
    let unit = name(&fields.unit, "unit")?.map(UnitLabel::from);
    Ok(Reading {
        time_ms,
        plant,
        tag,
        value,
        quality,
        unit,
    })
}

fn kind(field: &Field<'_>) -> &'static str {
    match field {
        Field::Absent => "nothing",
        Field::Null => "null",
        Field::Bool => "a boolean",
        Field::Int(_) | Field::Float(_) => "a number",
        Field::Text(_) => "text",
        Field::Nested(kind) => kind,
    }
}

/// A name field: text (empty counts as absent), or absent/null.
fn name<'f>(field: &'f Field<'_>, what: &str) -> Result<Option<&'f str>, Rejection> {
    match field {
        Field::Absent | Field::Null => Ok(None),
        Field::Text(text) if text.trim().is_empty() => Ok(None),
        Field::Text(text) => Ok(Some(text.trim())),
        other => Err(Rejection::new(
            "wrong_type",
            format!("the {what} must be text, found {}", kind(other)),
        )),
    }
}

fn time(field: &Field<'_>) -> Result<i64, Rejection> {
    let ms = match field {
        Field::Absent | Field::Null => return Err(Rejection::new("missing_field", "no time")),
        Field::Int(ms) => *ms,
        Field::Float(ms) if ms.fract() == 0.0 && ms.abs() <= MAX_TIME_MS as f64 => *ms as i64,
        Field::Text(text) => {
            let text = text.trim();
            let digits = text.strip_prefix('-').unwrap_or(text);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                text.parse::<i64>()
                    .map_err(|_| Rejection::new("bad_time", format!("`{text}` is out of range")))?
            } else {
                parse_utc_ms(text).map_err(|error| Rejection::new("bad_time", error.to_string()))?
            }
        }
        other => {
            return Err(Rejection::new(
                "bad_time",
                format!(
                    "the time must be RFC 3339 text or epoch milliseconds, found {}",
                    kind(other)
                ),
            ));
        }
    };
    if ms.abs() > MAX_TIME_MS {
        return Err(Rejection::new(
            "bad_time",
            format!("{ms} ms is outside the years 0000 to 9999"),
        ));
    }
    Ok(ms)
}

fn value(field: &Field<'_>) -> Result<f64, Rejection> {
    match field {
        Field::Absent => Err(Rejection::new("missing_field", "no value")),
        Field::Null => Ok(f64::NAN),
        Field::Int(v) => Ok(*v as f64),
        Field::Float(v) => Ok(*v),
        Field::Text(text) => text.trim().parse::<f64>().map_err(|_| {
            let excerpt: String = text.chars().take(40).collect();
            Rejection::new(
                "wrong_type",
                format!("the value must be a number, found the text `{excerpt}`"),
            )
        }),
        other => Err(Rejection::new(
            "wrong_type",
            format!("the value must be a number, found {}", kind(other)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_735_689_600_000;

    fn reasons(decoded: &[Decoded<'_>]) -> Vec<Result<f64, &'static str>> {
        decoded
            .iter()
            .map(|d| d.result.as_ref().map(|r| r.value).map_err(|e| e.reason))
            .collect()
    }

    #[test]
    fn ndjson_lines_are_decoded_one_by_one() {
        let body = "{\"time\":\"2025-01-01T00:00:00Z\",\"plant\":\"north\",\"tag\":\"a\",\"value\":1.5,\"extra\":[1,{}]}\r\n\
                    \n\
                    {\"time\":1735689600000,\"tag\":\"b\",\"value\":2}\n\
                    {\"time\":1735689600000,\"tag\":\"c\",\"value\":\n\
                    [1,2]\n\
                    {\"time_ms\":\"1735689600000\",\"tag\":\"d\",\"value\":\"NaN\",\"quality\":\"0x40000000\",\"unit\":\"barg\"}\n";
        let plant = PlantId::from("south");
        let decoded = decode_ndjson(body, Some(&plant));
        let positions: Vec<_> = decoded.iter().map(|d| d.position).collect();
        assert_eq!(
            positions,
            [
                Position::Line(1),
                Position::Line(3),
                Position::Line(4),
                Position::Line(5),
                Position::Line(6)
            ]
        );
        let results = reasons(&decoded);
        assert_eq!(results[0], Ok(1.5));
        assert_eq!(results[1], Ok(2.0));
        assert_eq!(results[2], Err("bad_json"));
        assert_eq!(results[3], Err("not_an_object"));
        let last = decoded[4].result.as_ref().unwrap();
        assert!(last.value.is_nan());
        assert_eq!(last.quality, Quality::Uncertain);
        assert_eq!(last.plant.as_str(), "south");
        assert_eq!(last.unit.as_ref().map(|u| u.as_str()), Some("barg"));
        assert_eq!(last.time_ms, T0);
        let first = decoded[0].result.as_ref().unwrap();
        assert_eq!(
            (first.plant.as_str(), first.tag.as_str(), first.time_ms),
            ("north", "a", T0)
        );
    }

    #[test]
    fn json_arrays_are_decoded_element_by_element() {
        let body = r#" [
            {"time": "2025-01-01T00:00:00Z", "plant": "n", "tag": "a", "value": 1},
            {"time": "2025-01-01T00:00:00Z", "plant": "n", "tag": "b", "value": true},
            {"time": "2025-01-01T00:00:00Z", "plant": "n", "value": 3},
            5
        ] "#;
        let decoded = decode_json(body, None).unwrap();
        assert_eq!(
            reasons(&decoded),
            [
                Ok(1.0),
                Err("wrong_type"),
                Err("missing_field"),
                Err("not_an_object")
            ]
        );
        assert_eq!(decoded[3].position, Position::Index(3));
        assert_eq!(decoded[3].text, "5");
        let single =
            decode_json(r#"{"time": 0, "plant": "n", "tag": "a", "value": 1}"#, None).unwrap();
        assert_eq!(reasons(&single), [Ok(1.0)]);
        assert_eq!(decode_json("[]", None).unwrap().len(), 0);
    }

    #[test]
    fn bodies_that_are_not_json_are_refused_whole() {
        for body in ["", "  ", "hello", "[{\"a\": 1},", "{\"a\": }", "7"] {
            let error = decode_json(body, None).err();
            assert_eq!(error.map(|e| e.0.reason), Some("bad_json"), "{body:?}");
        }
    }

    #[test]
    fn every_field_error_has_its_reason() {
        let plant = PlantId::from("p");
        let cases = [
            (r#"{"tag":"a","value":1}"#, "missing_field"),
            (r#"{"time":"noon","tag":"a","value":1}"#, "bad_time"),
            (r#"{"time":1.5,"tag":"a","value":1}"#, "bad_time"),
            (r#"{"time":1e300,"tag":"a","value":1}"#, "bad_time"),
            (
                r#"{"time":"99999999999999999999","tag":"a","value":1}"#,
                "bad_time",
            ),
            (r#"{"time":0,"value":1}"#, "missing_field"),
            (r#"{"time":0,"tag":7,"value":1}"#, "wrong_type"),
            (r#"{"time":0,"tag":"a"}"#, "missing_field"),
            (r#"{"time":0,"tag":"a","value":"lots"}"#, "wrong_type"),
            (r#"{"time":0,"tag":"a","value":{}}"#, "wrong_type"),
            (
                r#"{"time":0,"tag":"a","value":1,"quality":"fine"}"#,
                "bad_quality",
            ),
            (
                r#"{"time":0,"tag":"a","value":1,"quality":-3}"#,
                "bad_quality",
            ),
            (r#"{"time":0,"tag":"a","value":1,"unit":3}"#, "wrong_type"),
        ];
        for (line, reason) in cases {
            let result = decode_item(line, Some(&plant));
            assert_eq!(result.map_err(|e| e.reason).err(), Some(reason), "{line}");
        }
        let no_plant = decode_item(r#"{"time":0,"tag":"a","value":1}"#, None);
        assert_eq!(no_plant.map_err(|e| e.reason).err(), Some("missing_field"));
        let null_value = decode_item(r#"{"time":0,"tag":"a","value":null}"#, Some(&plant));
        assert!(null_value.unwrap().value.is_nan());
    }
}

//! A record's JSON fields, parsed without copying: keys and plain strings
//! borrow from the text, numbers stay numbers. The sink parses each
//! record once into this and encodes its row from it.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// One JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Field<'a> {
    /// `null` (also NaN and ∞, which JSON writers spell so).
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A negative integer.
    I64(i64),
    /// A non-negative integer.
    U64(u64),
    /// Any other number.
    F64(f64),
    /// A string.
    Str(Cow<'a, str>),
    /// An array.
    Array(Vec<Field<'a>>),
    /// An object (no column takes one).
    Object,
}

impl Field<'_> {
    /// The value as a float, if it is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Field::I64(v) => Some(v as f64),
            Field::U64(v) => Some(v as f64),
            Field::F64(v) => Some(v),
            _ => None,
        }
    }

    /// The value as a signed integer, if it is one that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Field::I64(v) => Some(v),
            Field::U64(v) => i64::try_from(v).ok(),
            _ => None,
        }
    }

    /// The value as an unsigned integer, if it is one.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Field::U64(v) => Some(v),
            _ => None,
        }
    }

    /// What kind of value it is, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Field::Null => "null",
            Field::Bool(_) => "a boolean",
            Field::I64(_) | Field::U64(_) | Field::F64(_) => "a number",
            Field::Str(_) => "a string",
            Field::Array(_) => "an array",
            Field::Object => "an object",
        }
    }

    /// The same value, from a parsed JSON value.
    pub fn from_value(value: &Value) -> Field<'_> {
        match value {
            Value::Null => Field::Null,
            Value::Bool(b) => Field::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(v), _, _) => Field::U64(v),
                (None, Some(v), _) => Field::I64(v),
                (None, None, Some(v)) => Field::F64(v),
                _ => Field::Null,
            },
            Value::String(s) => Field::Str(Cow::Borrowed(s)),
            Value::Array(items) => Field::Array(items.iter().map(Field::from_value).collect()),
            Value::Object(_) => Field::Object,
        }
    }
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
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Field<'de>, E> {
        Ok(Field::Null)
    }
    fn visit_none<E>(self) -> Result<Field<'de>, E> {
        Ok(Field::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Field<'de>, E> {
        Ok(Field::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Field<'de>, E> {
        Ok(u64::try_from(v).map_or(Field::I64(v), Field::U64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Field<'de>, E> {
        Ok(Field::U64(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Field<'de>, E> {
        Ok(Field::F64(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Field<'de>, E> {
        Ok(Field::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Field<'de>, E> {
        Ok(Field::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Field<'de>, E> {
        Ok(Field::Str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Field<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Field::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Field<'de>, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(Field::Object)
    }
}

/// A key that borrows from the text unless it has escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// A record's fields in their order.
#[derive(Debug, Default)]
pub struct Record<'a> {
    fields: Vec<(Cow<'a, str>, Field<'a>)>,
}

impl<'a> Record<'a> {
    /// Parses a JSON object's members without the braces (`"a":1,"b":"x"`).
    pub fn parse_members(object: &'a str) -> Result<Record<'a>, serde_json::Error> {
        serde_json::from_str(object)
    }

    /// The fields of a parsed object.
    pub fn from_map(map: &'a serde_json::Map<String, Value>) -> Record<'a> {
        Record {
            fields: map
                .iter()
                .map(|(k, v)| (Cow::Borrowed(k.as_str()), Field::from_value(v)))
                .collect(),
        }
    }

    /// The field `name`; `hint` is where to look first (fields mostly come
    /// in column order) and is moved past the field found.
    pub fn get(&self, name: &str, hint: &mut usize) -> Option<&Field<'a>> {
        let n = self.fields.len();
        for offset in 0..n {
            let index = (*hint + offset) % n;
            if let Some((key, value)) = self.fields.get(index)
                && key == name
            {
                *hint = index + 1;
                return Some(value);
            }
        }
        None
    }
}

impl<'de> Deserialize<'de> for Record<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RecordVisitor;
        impl<'de> Visitor<'de> for RecordVisitor {
            type Value = Record<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record<'de>, A::Error> {
                let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(16));
                while let Some((Key(key), value)) = map.next_entry::<Key<'de>, Field<'de>>()? {
                    fields.push((key, value));
                }
                Ok(Record { fields })
            }
        }
        deserializer.deserialize_map(RecordVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_borrow_plain_strings_and_keep_numbers_exact() {
        let text =
            r#"{"tag":"PT-1","esc":"a\"b","t":1735689600250,"v":-2,"x":1.5,"f":["a"],"n":null}"#;
        let record = Record::parse_members(text).unwrap();
        let mut hint = 0;
        assert!(matches!(
            record.get("tag", &mut hint),
            Some(Field::Str(Cow::Borrowed("PT-1")))
        ));
        assert_eq!(
            record.get("esc", &mut hint),
            Some(&Field::Str("a\"b".into()))
        );
        assert_eq!(
            record.get("t", &mut hint),
            Some(&Field::U64(1_735_689_600_250))
        );
        assert_eq!(record.get("v", &mut hint), Some(&Field::I64(-2)));
        assert_eq!(record.get("x", &mut hint), Some(&Field::F64(1.5)));
        assert_eq!(
            record.get("tag", &mut hint),
            Some(&Field::Str("PT-1".into()))
        );
        assert_eq!(record.get("missing", &mut hint), None);
    }
}

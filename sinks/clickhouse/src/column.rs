//! Column types as the server names them, and their RowBinary encoding.
//!
//! RowBinary is the row-by-row binary format of ClickHouse's HTTP
//! interface: fixed-width numbers little-endian, strings and arrays
//! prefixed by a LEB128 length, `Nullable` by a null byte, `DateTime` as
//! UInt32 seconds, `DateTime64(p)` as Int64 ticks of 10^-p s, `Date` as
//! UInt16 days, `LowCardinality(T)` as `T`.

use steamflow_sink_parquet::Value;

use crate::field::Field;

/// A column's type, for the types steamflow's tables use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// `String` (also `LowCardinality(String)`).
    String,
    /// `Float64`.
    Float64,
    /// `Int8`, `Int16`, `Int32`, `Int64`: the width in bytes.
    Int(u8),
    /// `UInt8`, … `UInt64` (also `Bool`): the width in bytes.
    UInt(u8),
    /// `DateTime`: whole seconds.
    DateTime,
    /// `DateTime64(precision)`.
    DateTime64(u32),
    /// `Date`: days.
    Date,
    /// `Nullable(T)`.
    Nullable(Box<ColumnType>),
    /// `Array(T)`.
    Array(Box<ColumnType>),
}

impl ColumnType {
    /// Parses the type as `system.columns` spells it; `None` for a type
    /// the sink cannot write.
    pub fn parse(text: &str) -> Option<ColumnType> {
        let text = text.trim();
        if let Some(inner) = wrapped(text, "Nullable") {
            return Some(ColumnType::Nullable(Box::new(ColumnType::parse(inner)?)));
        }
        if let Some(inner) = wrapped(text, "Array") {
            return Some(ColumnType::Array(Box::new(ColumnType::parse(inner)?)));
        }
        if let Some(inner) = wrapped(text, "LowCardinality") {
            return ColumnType::parse(inner);
        }
        if let Some(args) = wrapped(text, "DateTime64") {
            let precision = args.split(',').next()?.trim().parse().ok()?;
            return (precision <= 9).then_some(ColumnType::DateTime64(precision));
        }
        if text == "DateTime" || wrapped(text, "DateTime").is_some() {
            return Some(ColumnType::DateTime);
        }
        Some(match text {
            "String" => ColumnType::String,
            "Float64" => ColumnType::Float64,
            "Int8" => ColumnType::Int(1),
            "Int16" => ColumnType::Int(2),
            "Int32" => ColumnType::Int(4),
            "Int64" => ColumnType::Int(8),
            "UInt8" | "Bool" => ColumnType::UInt(1),
            "UInt16" => ColumnType::UInt(2),
            "UInt32" => ColumnType::UInt(4),
            "UInt64" => ColumnType::UInt(8),
            "Date" => ColumnType::Date,
            _ => return None,
        })
    }

    /// The type's name, as the server would spell it.
    pub fn type_name(&self) -> String {
        match self {
            ColumnType::String => "String".into(),
            ColumnType::Float64 => "Float64".into(),
            ColumnType::Int(width) => format!("Int{}", u32::from(*width) * 8),
            ColumnType::UInt(width) => format!("UInt{}", u32::from(*width) * 8),
            ColumnType::DateTime => "DateTime('UTC')".into(),
            ColumnType::DateTime64(precision) => format!("DateTime64({precision}, 'UTC')"),
            ColumnType::Date => "Date".into(),
            ColumnType::Nullable(inner) => format!("Nullable({})", inner.type_name()),
            ColumnType::Array(inner) => format!("Array({})", inner.type_name()),
        }
    }

    /// Appends `value` in RowBinary; `Err` says why it does not fit.
    /// Time columns take UTC milliseconds since the epoch; a non-nullable
    /// `Float64` takes `null` (a NaN or ∞ a JSON writer could not spell) as NaN.
    pub fn encode(&self, value: &Field<'_>, out: &mut Vec<u8>) -> Result<(), String> {
        match (self, value) {
            (ColumnType::Nullable(_), Field::Null) => out.push(1),
            (ColumnType::Nullable(inner), value) => {
                out.push(0);
                inner.encode(value, out)?;
            }
            (ColumnType::String, Field::Str(s)) => put_str(out, s),
            (ColumnType::Float64, Field::Null) => out.extend_from_slice(&f64::NAN.to_le_bytes()),
            (ColumnType::Float64, number) if number.as_f64().is_some() => {
                let v = number.as_f64().unwrap_or(f64::NAN);
                out.extend_from_slice(&v.to_le_bytes());
            }
            (ColumnType::UInt(width), Field::Bool(b)) => put_uint(out, u64::from(*b), *width)?,
            (ColumnType::UInt(width), Field::U64(v)) => put_uint(out, *v, *width)?,
            (ColumnType::Int(width), number @ (Field::I64(_) | Field::U64(_))) => {
                put_int(out, number.as_i64().ok_or("too large")?, *width)?;
            }
            (
                ColumnType::DateTime | ColumnType::DateTime64(_) | ColumnType::Date,
                number @ (Field::I64(_) | Field::U64(_)),
            ) => {
                self.encode_time_ms(number.as_i64().ok_or("too large")?, out)?;
            }
            (ColumnType::Array(inner), Field::Array(items)) => {
                put_len(out, items.len());
                for item in items {
                    inner.encode(item, out)?;
                }
            }
            (column, value) => {
                return Err(format!(
                    "{} does not fit a {} column",
                    value.kind(),
                    column.type_name()
                ));
            }
        }
        Ok(())
    }

    /// Appends a typed value (pushed by a record through a `RowAppender`)
    /// in RowBinary; `Err` says why it does not fit. A non-nullable
    /// `Float64` takes a null as NaN, and an `Array(String)` takes a
    /// string as its comma-separated items (how typed records spell a
    /// list of codes, readings' `flags`).
    pub fn encode_typed(&self, value: Value<'_>, out: &mut Vec<u8>) -> Result<(), String> {
        match (self, value) {
            (ColumnType::Nullable(_), Value::Null) => out.push(1),
            (ColumnType::Nullable(inner), value) => {
                out.push(0);
                inner.encode_typed(value, out)?;
            }
            (ColumnType::Float64, value) => {
                let v = match value {
                    Value::F64(v) => v,
                    Value::Null => f64::NAN,
                    Value::I64(v) => v as f64,
                    Value::U64(v) => v as f64,
                    Value::I32(v) => f64::from(v),
                    Value::U32(v) => f64::from(v),
                    other => return Err(mismatch(other, self)),
                };
                out.extend_from_slice(&v.to_le_bytes());
            }
            (ColumnType::String, Value::Str(s)) => put_str(out, s),
            (ColumnType::UInt(width), Value::Bool(b)) => put_uint(out, u64::from(b), *width)?,
            (ColumnType::UInt(width), Value::U64(v)) => put_uint(out, v, *width)?,
            (ColumnType::UInt(width), Value::U32(v)) => put_uint(out, u64::from(v), *width)?,
            (ColumnType::UInt(width), Value::I64(v)) => {
                put_uint(
                    out,
                    u64::try_from(v).map_err(|_| format!("{v} < 0"))?,
                    *width,
                )?;
            }
            (ColumnType::UInt(width), Value::I32(v)) => {
                put_uint(
                    out,
                    u64::try_from(v).map_err(|_| format!("{v} < 0"))?,
                    *width,
                )?;
            }
            (ColumnType::Int(width), Value::I64(v)) => put_int(out, v, *width)?,
            (ColumnType::Int(width), Value::I32(v)) => put_int(out, i64::from(v), *width)?,
            (ColumnType::Int(width), Value::U32(v)) => put_int(out, i64::from(v), *width)?,
            (ColumnType::Int(width), Value::U64(v)) => {
                put_int(out, i64::try_from(v).map_err(|_| "too large")?, *width)?;
            }
            (
                ColumnType::DateTime | ColumnType::DateTime64(_) | ColumnType::Date,
                Value::TimeMs(ms) | Value::I64(ms),
            ) => self.encode_time_ms(ms, out)?,
            (ColumnType::Array(inner), Value::Str(items)) if **inner == ColumnType::String => {
                if items.is_empty() {
                    put_len(out, 0);
                } else {
                    put_len(out, items.split(',').count());
                    for item in items.split(',') {
                        put_str(out, item);
                    }
                }
            }
            (column, value) => return Err(mismatch(value, column)),
        }
        Ok(())
    }

    /// Appends a time given in UTC milliseconds, in this column's unit.
    pub fn encode_time_ms(&self, ms: i64, out: &mut Vec<u8>) -> Result<(), String> {
        match self {
            ColumnType::DateTime => {
                let seconds = u32::try_from(ms.div_euclid(1000))
                    .map_err(|_| format!("{ms} ms is outside DateTime's range"))?;
                out.extend_from_slice(&seconds.to_le_bytes());
            }
            ColumnType::DateTime64(precision) => {
                let ticks = if *precision >= 3 {
                    ms.checked_mul(10i64.pow(precision - 3))
                } else {
                    Some(ms.div_euclid(10i64.pow(3 - precision)))
                }
                .ok_or_else(|| format!("{ms} ms is outside DateTime64's range"))?;
                out.extend_from_slice(&ticks.to_le_bytes());
            }
            ColumnType::Date => {
                let days = u16::try_from(ms.div_euclid(86_400_000))
                    .map_err(|_| format!("{ms} ms is outside Date's range"))?;
                out.extend_from_slice(&days.to_le_bytes());
            }
            ColumnType::Nullable(inner) => {
                out.push(0);
                inner.encode_time_ms(ms, out)?;
            }
            other => return Err(format!("a time does not fit a {other:?} column")),
        }
        Ok(())
    }
}

fn mismatch(value: Value<'_>, column: &ColumnType) -> String {
    format!("{value:?} does not fit a {} column", column.type_name())
}

fn wrapped<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.strip_prefix(name)?
        .strip_prefix('(')?
        .strip_suffix(')')
}

/// A LEB128 length.
pub(crate) fn put_len(out: &mut Vec<u8>, len: usize) {
    let mut len = len as u64;
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A length-prefixed string.
fn put_str(out: &mut Vec<u8>, s: &str) {
    put_len(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

fn put_uint(out: &mut Vec<u8>, v: u64, width: u8) -> Result<(), String> {
    let bytes = v.to_le_bytes();
    let width = usize::from(width);
    if width < 8 && v >> (width * 8) != 0 {
        return Err(format!("{v} does not fit {width} bytes"));
    }
    out.extend_from_slice(bytes.get(..width).ok_or("bad width")?);
    Ok(())
}

fn put_int(out: &mut Vec<u8>, v: i64, width: u8) -> Result<(), String> {
    let width = usize::from(width);
    let bits = width * 8;
    if width < 8 && (v < -(1i64 << (bits - 1)) || v >= 1i64 << (bits - 1)) {
        return Err(format!("{v} does not fit {width} bytes"));
    }
    out.extend_from_slice(v.to_le_bytes().get(..width).ok_or("bad width")?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn enc(column: &ColumnType, value: serde_json::Value, out: &mut Vec<u8>) -> Result<(), String> {
        column.encode(&Field::from_value(&value), out)
    }

    #[test]
    fn types_parse_as_system_columns_spells_them() {
        assert_eq!(
            ColumnType::parse("Nullable(DateTime64(3, 'UTC'))"),
            Some(ColumnType::Nullable(Box::new(ColumnType::DateTime64(3))))
        );
        assert_eq!(
            ColumnType::parse("DateTime('UTC')"),
            Some(ColumnType::DateTime)
        );
        assert_eq!(
            ColumnType::parse("LowCardinality(String)"),
            Some(ColumnType::String)
        );
        assert_eq!(
            ColumnType::parse("Array(String)"),
            Some(ColumnType::Array(Box::new(ColumnType::String)))
        );
        assert_eq!(ColumnType::parse("Map(String, String)"), None);
    }

    #[test]
    fn values_encode_as_rowbinary() {
        // Reference encodings: ClickHouse docs, "RowBinary" format.
        let mut out = Vec::new();
        enc(&ColumnType::String, json!("ab"), &mut out).unwrap();
        assert_eq!(out, [2, b'a', b'b']);
        out.clear();
        put_len(&mut out, 300);
        assert_eq!(out, [0xac, 0x02]);
        out.clear();
        enc(&ColumnType::DateTime, json!(1_500), &mut out).unwrap();
        assert_eq!(out, 1u32.to_le_bytes());
        out.clear();
        let nullable = ColumnType::Nullable(Box::new(ColumnType::Float64));
        enc(&nullable, json!(null), &mut out).unwrap();
        assert_eq!(out, [1]);
        out.clear();
        enc(&ColumnType::Int(1), json!(-1), &mut out).unwrap();
        assert_eq!(out, [0xff]);
        assert!(enc(&ColumnType::Int(1), json!(200), &mut out).is_err());
        assert!(enc(&ColumnType::String, json!(1), &mut out).is_err());
    }

    #[test]
    fn typed_values_encode_as_their_json_twins_do() {
        let cases = [
            (ColumnType::String, Value::Str("ab"), json!("ab")),
            (ColumnType::Float64, Value::F64(1.5), json!(1.5)),
            (ColumnType::Float64, Value::Null, json!(null)),
            (
                ColumnType::DateTime64(3),
                Value::TimeMs(1_500),
                json!(1_500),
            ),
            (ColumnType::DateTime, Value::TimeMs(1_500), json!(1_500)),
            (ColumnType::UInt(1), Value::Bool(true), json!(true)),
            (ColumnType::UInt(8), Value::U64(7), json!(7)),
            (ColumnType::Int(1), Value::I64(-1), json!(-1)),
            (
                ColumnType::Nullable(Box::new(ColumnType::String)),
                Value::Null,
                json!(null),
            ),
            (
                ColumnType::Array(Box::new(ColumnType::String)),
                Value::Str("late,stale"),
                json!(["late", "stale"]),
            ),
            (
                ColumnType::Array(Box::new(ColumnType::String)),
                Value::Str(""),
                json!([]),
            ),
        ];
        for (column, typed, json) in cases {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            column.encode_typed(typed, &mut a).unwrap();
            enc(&column, json, &mut b).unwrap();
            assert_eq!(a, b, "{column:?} {typed:?}");
        }
        let mut out = Vec::new();
        assert!(
            ColumnType::Int(1)
                .encode_typed(Value::I64(200), &mut out)
                .is_err()
        );
        assert!(
            ColumnType::UInt(8)
                .encode_typed(Value::I64(-1), &mut out)
                .is_err()
        );
        assert!(
            ColumnType::String
                .encode_typed(Value::F64(1.0), &mut out)
                .is_err()
        );
    }
}

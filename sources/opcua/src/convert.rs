//! OPC UA data values to readings: the numeric value, the quality from the
//! status code, the event time from the chosen timestamp. What does not
//! convert becomes a [`DecodeError`] with its reason.

use opcua::types::{DataValue, DateTime, StatusCode, Variant};
use steamflow_operators::reading::{Quality, Reading};
use steamflow_source_core::DecodeError;

use crate::config::{ResolvedNode, TimestampSource};

/// Reason code: the node does not exist on the server.
pub const UNKNOWN_NODE: &str = "unknown_node";
/// Reason code: the value is not a number (string, array, structure, …).
pub const WRONG_TYPE: &str = "wrong_type";
/// Reason code: the server refused the monitored item (e.g. a filter it does not support).
pub const MONITORED_ITEM_REJECTED: &str = "monitored_item_rejected";
/// Reason code: the node cannot be read (access denied, not a variable).
pub const NOT_READABLE: &str = "not_readable";

/// Ticks (100 ns) between 1601-01-01 (the OPC UA epoch) and 1970-01-01.
const UNIX_EPOCH_TICKS: i64 = 116_444_736_000_000_000;
const TICKS_PER_MS: i64 = 10_000;

/// UTC milliseconds of an OPC UA timestamp; `None` for the null time.
pub fn unix_ms(time: &DateTime) -> Option<i64> {
    let ticks = time.checked_ticks();
    (ticks > 0).then(|| (ticks - UNIX_EPOCH_TICKS).div_euclid(TICKS_PER_MS))
}

/// An OPC UA timestamp of UTC milliseconds.
pub fn opcua_time(unix_ms: i64) -> DateTime {
    DateTime::from(
        unix_ms
            .saturating_mul(TICKS_PER_MS)
            .saturating_add(UNIX_EPOCH_TICKS)
            .max(0),
    )
}

/// The event time of a value: the preferred timestamp, else the other, else `received_ms`.
pub fn event_time(value: &DataValue, prefer: TimestampSource, received_ms: i64) -> i64 {
    let source = value.source_timestamp.as_ref().and_then(unix_ms);
    let server = value.server_timestamp.as_ref().and_then(unix_ms);
    let (first, second) = match prefer {
        TimestampSource::Source => (source, server),
        TimestampSource::Server => (server, source),
    };
    first.or(second).unwrap_or(received_ms)
}

/// A scalar number as f64; booleans are 0 and 1. `None` for anything else.
pub fn numeric(variant: &Variant) -> Option<f64> {
    Some(match variant {
        Variant::Boolean(v) => f64::from(u8::from(*v)),
        Variant::SByte(v) => f64::from(*v),
        Variant::Byte(v) => f64::from(*v),
        Variant::Int16(v) => f64::from(*v),
        Variant::UInt16(v) => f64::from(*v),
        Variant::Int32(v) => f64::from(*v),
        Variant::UInt32(v) => f64::from(*v),
        // i64/u64 beyond 2^53 lose precision; plant measurements never come close.
        Variant::Int64(v) => *v as f64,
        Variant::UInt64(v) => *v as f64,
        Variant::Float(v) => f64::from(*v),
        Variant::Double(v) => *v,
        _ => return None,
    })
}

/// The OPC UA type name of a variant, for error messages.
fn type_name(variant: &Variant) -> String {
    match variant {
        Variant::Array(array) => format!("array of {:?}", array.value_type),
        other => format!("{:?}", other.type_id()),
    }
}

/// The status code of a value; an absent one means Good (Part 6, 5.2.2.17).
pub fn status(value: &DataValue) -> StatusCode {
    value.status.unwrap_or(StatusCode::Good)
}

/// Converts one value of one node.
///
/// - a number (or boolean) becomes a reading whose quality comes from the
///   status code's severity bits ([`Quality::from_opcua_status`]);
/// - no value with a bad or uncertain status becomes a NaN reading of that
///   quality: the server says the value is unusable, which downstream must see;
/// - `BadNodeIdUnknown` becomes [`UNKNOWN_NODE`];
/// - anything else (strings, arrays, structures, no value with a good
///   status) becomes [`WRONG_TYPE`].
pub fn to_reading(
    source: &str,
    node: &ResolvedNode,
    value: &DataValue,
    prefer: TimestampSource,
    received_ms: i64,
) -> Result<Reading, DecodeError> {
    let status = status(value);
    if status == StatusCode::BadNodeIdUnknown {
        return Err(unknown_node(source, node, received_ms));
    }
    let quality = Quality::from_opcua_status(status.bits());
    let number = match &value.value {
        Some(variant) if !matches!(variant, Variant::Empty) => match numeric(variant) {
            Some(number) => number,
            None => {
                return Err(DecodeError::new(
                    source,
                    WRONG_TYPE,
                    format!(
                        "node `{}` (tag {}) holds a {}, not a number",
                        node.text,
                        node.tag,
                        type_name(variant)
                    ),
                    node.text.clone(),
                    &format!("{variant:?}"),
                    received_ms,
                ));
            }
        },
        _ if quality != Quality::Good => f64::NAN,
        _ => {
            return Err(DecodeError::new(
                source,
                WRONG_TYPE,
                format!(
                    "node `{}` (tag {}) sent no value with a good status",
                    node.text, node.tag
                ),
                node.text.clone(),
                "",
                received_ms,
            ));
        }
    };
    Ok(Reading {
        time_ms: event_time(value, prefer, received_ms),
        plant: node.plant.clone(),
        tag: node.tag.clone(),
        value: number,
        quality,
        unit: node.unit.clone(),
    })
}

/// The decode error of a node the server does not know.
pub fn unknown_node(source: &str, node: &ResolvedNode, received_ms: i64) -> DecodeError {
    DecodeError::new(
        source,
        UNKNOWN_NODE,
        format!(
            "the server does not know node `{}` (tag {}): BadNodeIdUnknown",
            node.text, node.tag
        ),
        node.text.clone(),
        "",
        received_ms,
    )
}

/// The decode error of a node that cannot be read or monitored.
pub fn node_refused(
    source: &str,
    reason: &'static str,
    node: &ResolvedNode,
    what: &str,
    status: StatusCode,
    received_ms: i64,
) -> DecodeError {
    DecodeError::new(
        source,
        reason,
        format!(
            "{what} node `{}` (tag {}) failed: {status}",
            node.text, node.tag
        ),
        node.text.clone(),
        "",
        received_ms,
    )
}

/// Now, in UTC milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Acquisition, ResolvedNode};
    use opcua::types::{NodeId, UAString};

    fn node() -> ResolvedNode {
        ResolvedNode {
            node_id: NodeId::new(2, "flow"),
            text: "ns=2;s=flow".into(),
            plant: "north".into(),
            tag: "north.flow".into(),
            unit: Some("t/h".into()),
            acquisition: Acquisition::Poll { interval_ms: 1000 },
            backfill: true,
        }
    }

    fn value(variant: Option<Variant>, status: Option<StatusCode>) -> DataValue {
        DataValue {
            value: variant,
            status,
            source_timestamp: Some(opcua_time(1_700_000_000_123)),
            server_timestamp: Some(opcua_time(1_700_000_000_456)),
            ..Default::default()
        }
    }

    #[test]
    fn time_round_trips_through_opcua_ticks() {
        for ms in [0, 1, 1_700_000_000_123, -1_000] {
            assert_eq!(unix_ms(&opcua_time(ms)), Some(ms));
        }
        assert_eq!(unix_ms(&DateTime::null()), None);
    }

    #[test]
    fn numbers_of_every_width_convert() {
        let cases = [
            (Variant::Boolean(true), 1.0),
            (Variant::SByte(-3), -3.0),
            (Variant::Byte(200), 200.0),
            (Variant::Int16(-300), -300.0),
            (Variant::UInt16(60000), 60000.0),
            (Variant::Int32(-70000), -70000.0),
            (Variant::UInt32(4_000_000_000), 4e9),
            (Variant::Int64(-5), -5.0),
            (Variant::UInt64(5), 5.0),
            (Variant::Float(1.5), 1.5),
            (Variant::Double(2.25), 2.25),
        ];
        for (variant, expected) in cases {
            let reading = to_reading(
                "s",
                &node(),
                &value(Some(variant), None),
                TimestampSource::Source,
                0,
            )
            .unwrap();
            assert_eq!(reading.value, expected);
            assert_eq!(reading.quality, Quality::Good);
            assert_eq!(reading.time_ms, 1_700_000_000_123);
            assert_eq!(reading.unit.as_ref().map(|u| u.as_str()), Some("t/h"));
        }
    }

    #[test]
    fn quality_comes_from_the_severity_bits() {
        let cases = [
            (StatusCode::Good, Quality::Good),
            (StatusCode::UncertainLastUsableValue, Quality::Uncertain),
            (StatusCode::BadSensorFailure, Quality::Bad),
        ];
        for (status, quality) in cases {
            let reading = to_reading(
                "s",
                &node(),
                &value(Some(Variant::Double(1.0)), Some(status)),
                TimestampSource::Source,
                0,
            )
            .unwrap();
            assert_eq!(reading.quality, quality, "{status}");
        }
    }

    #[test]
    fn a_bad_status_without_value_is_a_bad_nan() {
        let reading = to_reading(
            "s",
            &node(),
            &value(None, Some(StatusCode::BadCommunicationError)),
            TimestampSource::Source,
            0,
        )
        .unwrap();
        assert!(reading.value.is_nan());
        assert_eq!(reading.quality, Quality::Bad);
    }

    #[test]
    fn strings_arrays_and_empty_good_values_are_wrong_types() {
        let cases = [
            value(Some(Variant::String(UAString::from("open"))), None),
            value(Some(Variant::from(vec![1.0f64, 2.0])), None),
            value(None, None),
        ];
        for case in cases {
            let error = to_reading("src", &node(), &case, TimestampSource::Source, 7).unwrap_err();
            assert_eq!(error.reason, WRONG_TYPE);
            assert_eq!(error.origin, "ns=2;s=flow");
            assert_eq!(error.received_ms, 7);
        }
    }

    #[test]
    fn unknown_node_status_is_an_unknown_node() {
        let error = to_reading(
            "src",
            &node(),
            &value(None, Some(StatusCode::BadNodeIdUnknown)),
            TimestampSource::Source,
            0,
        )
        .unwrap_err();
        assert_eq!(error.reason, UNKNOWN_NODE);
    }

    #[test]
    fn timestamp_preference_and_fallbacks() {
        let mut v = value(Some(Variant::Double(1.0)), None);
        assert_eq!(
            event_time(&v, TimestampSource::Server, 9),
            1_700_000_000_456
        );
        v.server_timestamp = None;
        assert_eq!(
            event_time(&v, TimestampSource::Server, 9),
            1_700_000_000_123
        );
        v.source_timestamp = None;
        assert_eq!(event_time(&v, TimestampSource::Source, 9), 9);
    }
}

//! Field decoding shared by the three formats: time, names, value, quality.
//!
//! Everything here works on byte slices and allocates only for what is new
//! (a name not seen before) or wrong (the text quoted in a [`Reason`]).

use steamflow_operators::reading::{PlantId, Quality, Reading, Tag, UnitLabel, parse_utc_ms};

use crate::dead_letter::{Reason, snippet};
use crate::intern::Interner;

/// The longest time text remembered for the repeat check; any real
/// timestamp fits.
const TIME_CACHE_BYTES: usize = 40;

/// The state of field decoding for one file: the shared names seen so far,
/// the default plant, and the last time text with its value (a historian
/// file writes every tag of a scan with the same timestamp).
pub(crate) struct Fields {
    plants: Interner<PlantId>,
    tags: Interner<Tag>,
    units: Interner<UnitLabel>,
    default_plant: Option<PlantId>,
    last_time: [u8; TIME_CACHE_BYTES],
    last_time_len: usize,
    last_time_ms: i64,
}

/// The raw fields of one row, trimmed; `None` where the row has no such field.
pub(crate) struct RawRow<'a> {
    pub time: Option<&'a [u8]>,
    pub plant: Option<&'a [u8]>,
    pub tag: Option<&'a [u8]>,
    pub value: Option<&'a [u8]>,
    pub quality: Option<&'a [u8]>,
    pub unit: Option<&'a [u8]>,
}

impl Fields {
    pub(crate) fn new(default_plant: Option<&str>) -> Self {
        Self {
            plants: Interner::new(),
            tags: Interner::new(),
            units: Interner::new(),
            default_plant: default_plant.map(PlantId::from),
            last_time: [0; TIME_CACHE_BYTES],
            last_time_len: usize::MAX,
            last_time_ms: 0,
        }
    }

    /// Whether rows without a plant can still be read.
    pub(crate) fn has_default_plant(&self) -> bool {
        self.default_plant.is_some()
    }

    /// A reading from the text fields of a row (CSV and the text columns of
    /// the other formats). Fields are checked in column order; the first
    /// failure is the reason.
    pub(crate) fn reading(&mut self, row: &RawRow<'_>) -> Result<Reading, Reason> {
        let time_ms = self.time(row.time.ok_or(Reason::MissingField("time"))?)?;
        let plant = self.plant(row.plant)?;
        let tag = self.tag(row.tag)?;
        let value = parse_value(row.value.ok_or(Reason::MissingField("value"))?)?;
        let quality = parse_quality(row.quality)?;
        let unit = self.unit(row.unit)?;
        Ok(Reading {
            time_ms,
            plant,
            tag,
            value,
            quality,
            unit,
        })
    }

    /// Epoch milliseconds or RFC 3339, remembered for the next row.
    pub(crate) fn time(&mut self, text: &[u8]) -> Result<i64, Reason> {
        let text = text.trim_ascii();
        if text.len() == self.last_time_len && self.last_time.get(..text.len()) == Some(text) {
            return Ok(self.last_time_ms);
        }
        let time_ms = parse_time(text)?;
        if let Some(slot) = self.last_time.get_mut(..text.len()) {
            slot.copy_from_slice(text);
            self.last_time_len = text.len();
            self.last_time_ms = time_ms;
        }
        Ok(time_ms)
    }

    /// The row's plant, else the default one.
    pub(crate) fn plant(&mut self, text: Option<&[u8]>) -> Result<PlantId, Reason> {
        match text.map(<[u8]>::trim_ascii) {
            Some(text) if !text.is_empty() => self.plants.get(text, "plant"),
            _ => self.default_plant.clone().ok_or(Reason::MissingPlant),
        }
    }

    /// The tag, which must not be empty.
    pub(crate) fn tag(&mut self, text: Option<&[u8]>) -> Result<Tag, Reason> {
        match text.map(<[u8]>::trim_ascii) {
            Some(text) if !text.is_empty() => self.tags.get(text, "tag"),
            _ => Err(Reason::MissingField("tag")),
        }
    }

    /// The unit, `None` when absent or empty.
    pub(crate) fn unit(&mut self, text: Option<&[u8]>) -> Result<Option<UnitLabel>, Reason> {
        match text.map(<[u8]>::trim_ascii) {
            Some(text) if !text.is_empty() => self.units.get(text, "unit").map(Some),
            _ => Ok(None),
        }
    }
}

/// Epoch milliseconds (an optional `-` and up to 18 digits) or RFC 3339.
pub(crate) fn parse_time(text: &[u8]) -> Result<i64, Reason> {
    let text = text.trim_ascii();
    let digits = text.strip_prefix(b"-").unwrap_or(text);
    if !digits.is_empty() && digits.len() <= 18 && digits.iter().all(u8::is_ascii_digit) {
        let magnitude = digits
            .iter()
            .fold(0_i64, |acc, d| acc * 10 + i64::from(d - b'0'));
        return Ok(if digits.len() < text.len() {
            -magnitude
        } else {
            magnitude
        });
    }
    std::str::from_utf8(text)
        .ok()
        .and_then(|text| parse_utc_ms(text).ok())
        .ok_or_else(|| Reason::BadTime(snippet(text)))
}

/// A float, `NaN`/`inf`/`-inf`/`infinity` (any case) included; an empty
/// field is NaN (no value: kept for validation to judge).
pub(crate) fn parse_value(text: &[u8]) -> Result<f64, Reason> {
    let text = text.trim_ascii();
    if text.is_empty() {
        return Ok(f64::NAN);
    }
    std::str::from_utf8(text)
        .ok()
        .and_then(|text| text.parse::<f64>().ok())
        .ok_or_else(|| Reason::NonNumericValue(snippet(text)))
}

/// `good`/`uncertain`/`bad` (any case) or an OPC UA status code in decimal
/// or `0x` hex; absent or empty is good.
pub(crate) fn parse_quality(text: Option<&[u8]>) -> Result<Quality, Reason> {
    let text = text.map(<[u8]>::trim_ascii).unwrap_or_default();
    match text {
        b"" | b"good" => return Ok(Quality::Good),
        b"bad" => return Ok(Quality::Bad),
        b"uncertain" => return Ok(Quality::Uncertain),
        _ => {}
    }
    std::str::from_utf8(text)
        .ok()
        .and_then(|text| text.parse::<Quality>().ok())
        .ok_or_else(|| Reason::UnknownQuality(snippet(text)))
}

/// The quality of a numeric OPC UA status code column.
pub(crate) fn quality_of_status(status: i64) -> Result<Quality, Reason> {
    u32::try_from(status)
        .map(Quality::from_opcua_status)
        .map_err(|_| Reason::UnknownQuality(status.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_as_epoch_ms_or_rfc3339() {
        assert_eq!(parse_time(b"1735689600250"), Ok(1_735_689_600_250));
        assert_eq!(parse_time(b"-1"), Ok(-1));
        assert_eq!(parse_time(b" 0 "), Ok(0));
        assert_eq!(
            parse_time(b"2025-01-01T01:00:00+01:00"),
            Ok(1_735_689_600_000)
        );
        for bad in [
            &b""[..],
            b"-",
            b"12:00",
            b"2025-13-01T00:00:00Z",
            b"\xff",
            b"1234567890123456789",
        ] {
            assert!(
                matches!(parse_time(bad), Err(Reason::BadTime(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_time_cache_returns_what_parsing_would() {
        let mut fields = Fields::new(None);
        let a = b"2025-01-01T00:00:00.000Z";
        let b = b"2025-01-01T00:00:01.000Z";
        assert_eq!(fields.time(a), Ok(1_735_689_600_000));
        assert_eq!(fields.time(a), Ok(1_735_689_600_000));
        assert_eq!(fields.time(b), Ok(1_735_689_601_000));
        assert!(fields.time(b"2025-01-01T00:00:01.000").is_err());
        assert_eq!(fields.time(b), Ok(1_735_689_601_000));
        let long = [b'1'; 60];
        assert!(fields.time(&long).is_err());
    }

    #[test]
    fn values_parse_non_finite_spellings_and_empty_as_nan() {
        assert_eq!(parse_value(b" 12.5 "), Ok(12.5));
        assert_eq!(parse_value(b"1e300"), Ok(1e300));
        assert_eq!(parse_value(b"-inf"), Ok(f64::NEG_INFINITY));
        assert_eq!(parse_value(b"Infinity"), Ok(f64::INFINITY));
        assert!(parse_value(b"NaN").is_ok_and(f64::is_nan));
        assert!(parse_value(b"").is_ok_and(f64::is_nan));
        for bad in [&b"1,5"[..], b"twelve", b"0x10", b"\xff"] {
            assert!(
                matches!(parse_value(bad), Err(Reason::NonNumericValue(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn qualities_parse_names_and_codes() {
        assert_eq!(parse_quality(None), Ok(Quality::Good));
        assert_eq!(parse_quality(Some(b"")), Ok(Quality::Good));
        assert_eq!(parse_quality(Some(b"BAD")), Ok(Quality::Bad));
        assert_eq!(parse_quality(Some(b"0x40000000")), Ok(Quality::Uncertain));
        assert_eq!(
            parse_quality(Some(b"fine")),
            Err(Reason::UnknownQuality("fine".into()))
        );
        assert_eq!(quality_of_status(0x8000_0000), Ok(Quality::Bad));
        assert!(quality_of_status(-1).is_err());
    }

    #[test]
    fn rows_without_plant_use_the_default_or_fail() {
        let row = RawRow {
            time: Some(b"0"),
            plant: None,
            tag: Some(b"t"),
            value: Some(b"1"),
            quality: None,
            unit: Some(b""),
        };
        assert_eq!(Fields::new(None).reading(&row), Err(Reason::MissingPlant));
        let reading = Fields::new(Some("north")).reading(&row).unwrap();
        assert_eq!(reading.plant.as_str(), "north");
        assert_eq!(reading.unit, None);
    }
}

//! One measured value of one tag at one instant: the unit of data that flows
//! from every source through validation, windows and analysis.
//!
//! A [`Reading`] carries its event time (UTC milliseconds since the Unix
//! epoch), the plant and tag it belongs to, the value as the source sent it,
//! its [`Quality`] and, where the source said, its unit. Plant, tag and unit
//! names are shared strings ([`PlantId`], [`Tag`], [`UnitLabel`]): cloning a
//! reading copies three pointers, not three strings.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

macro_rules! shared_name {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Arc<str>);

        impl $name {
            /// The name as a string slice.
            #[inline]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&*self.0, f)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(name: &str) -> Self {
                Self(Arc::from(name))
            }
        }

        impl From<String> for $name {
            fn from(name: String) -> Self {
                Self(Arc::from(name))
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::from)
            }
        }
    };
}

shared_name!(
    /// The id of a plant, as in `[plants.<id>]` of the config.
    PlantId
);
shared_name!(
    /// A point id (tag) of a plant: one measured signal, such as `north.boiler1.flow`.
    Tag
);
shared_name!(
    /// A unit as the source wrote it (`"kg/h"`, `"barg"`, `"°C"`); unit
    /// normalisation parses it later.
    UnitLabel
);

/// How far a value can be trusted, as OPC UA status codes grade it.
///
/// OPC UA (Part 4, 7.34 StatusCode) keeps the severity in the two most
/// significant bits of the 32-bit status code: `00` good, `01` uncertain,
/// `10` bad; `11` is reserved and treated as bad here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Quality {
    /// The value is usable (status code severity `00`).
    #[default]
    Good,
    /// The value may be usable but is suspect (severity `01`).
    Uncertain,
    /// The value is not usable (severity `10`, and the reserved `11`).
    Bad,
}

impl Quality {
    /// The quality of an OPC UA status code, from its severity bits (31..30).
    pub fn from_opcua_status(status: u32) -> Quality {
        match status >> 30 {
            0b00 => Quality::Good,
            0b01 => Quality::Uncertain,
            _ => Quality::Bad,
        }
    }

    /// The generic OPC UA status code of this quality: `Good` (0x0000_0000),
    /// `Uncertain` (0x4000_0000) or `Bad` (0x8000_0000).
    pub fn opcua_status(self) -> u32 {
        match self {
            Quality::Good => 0x0000_0000,
            Quality::Uncertain => 0x4000_0000,
            Quality::Bad => 0x8000_0000,
        }
    }

    /// The lower-case name used in files and configs.
    pub fn as_str(self) -> &'static str {
        match self {
            Quality::Good => "good",
            Quality::Uncertain => "uncertain",
            Quality::Bad => "bad",
        }
    }
}

impl fmt::Display for Quality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a string is not a [`Quality`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a quality: expected good, uncertain, bad or an OPC UA status code")]
pub struct QualityParseError(String);

impl FromStr for Quality {
    type Err = QualityParseError;

    /// Accepts the names (any case) and OPC UA status codes in decimal or `0x` hex.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        match trimmed.to_ascii_lowercase().as_str() {
            "good" => return Ok(Quality::Good),
            "uncertain" => return Ok(Quality::Uncertain),
            "bad" => return Ok(Quality::Bad),
            _ => {}
        }
        let status = match trimmed
            .strip_prefix("0x")
            .or_else(|| trimmed.strip_prefix("0X"))
        {
            Some(hex) => u32::from_str_radix(hex, 16),
            None => trimmed.parse::<u32>(),
        };
        status
            .map(Quality::from_opcua_status)
            .map_err(|_| QualityParseError(text.to_owned()))
    }
}

/// One value of one tag at one instant.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Reading {
    /// Event time: UTC milliseconds since 1970-01-01T00:00:00Z.
    pub time_ms: i64,
    /// The plant the tag belongs to.
    pub plant: PlantId,
    /// The point id.
    pub tag: Tag,
    /// The value as sent; may be NaN or absurd, validation decides.
    pub value: f64,
    /// The source's judgement of the value.
    pub quality: Quality,
    /// The unit the source stated, if any.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub unit: Option<UnitLabel>,
}

/// Why a string is not a UTC timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a timestamp: expected RFC 3339, e.g. 2025-01-01T00:00:00Z or 2025-01-01T00:00:00.250+01:00"
)]
pub struct TimeParseError(String);

const MS_PER_DAY: i64 = 86_400_000;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`, valid for every i32 year).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (`civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Formats UTC milliseconds as RFC 3339 with milliseconds, e.g. `2025-01-01T00:00:00.000Z`.
pub fn format_utc_ms(time_ms: i64) -> String {
    let days = time_ms.div_euclid(MS_PER_DAY);
    let ms_of_day = time_ms.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let secs = ms_of_day / 1000;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        ms_of_day % 1000
    )
}

/// Parses an RFC 3339 timestamp (`T` or a space between date and time,
/// optional fraction, `Z` or a `±hh:mm` offset) to UTC milliseconds.
/// Digits beyond milliseconds are truncated.
pub fn parse_utc_ms(text: &str) -> Result<i64, TimeParseError> {
    parse_rfc3339(text.trim()).ok_or_else(|| TimeParseError(text.to_owned()))
}

fn number(text: &str, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>()
        .ok()
        .filter(|value| range.contains(value))
}

fn parse_rfc3339(text: &str) -> Option<i64> {
    let (date, rest) = (text.get(..10)?, text.get(10..)?);
    let mut parts = date.split('-');
    let year = number(parts.next()?, 0..=9999)?;
    let month = number(parts.next()?, 1..=12)?;
    let day = number(parts.next()?, 1..=31)?;
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (hour, minute, second) = (
        number(rest.get(0..2)?, 0..=23)?,
        number(rest.get(3..5)?, 0..=59)?,
        number(rest.get(6..8)?, 0..=60)?,
    );
    if rest.get(2..3)? != ":" || rest.get(5..6)? != ":" {
        return None;
    }
    let mut rest = rest.get(8..)?;
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        let kept = fraction.get(..digits.min(3))?;
        millis = number(kept, 0..=999)? * 10_i64.pow(3 - u32::try_from(kept.len()).ok()?);
        rest = fraction.get(digits..)?;
        if digits == 0 {
            return None;
        }
    }
    let offset_minutes = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.get(0..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.get(3..4)? != ":" {
                return None;
            }
            sign * (number(rest.get(1..3)?, 0..=23)? * 60 + number(rest.get(4..6)?, 0..=59)?)
        }
    };
    let days = days_from_civil(year, month, day);
    let (check_year, check_month, check_day) = civil_from_days(days);
    if (check_year, check_month, check_day) != (year, month, day) {
        return None; // 2025-02-30 and the like
    }
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opcua_severity_bits_map_to_quality() {
        assert_eq!(Quality::from_opcua_status(0x0000_0000), Quality::Good);
        // GoodClamped keeps severity 00 with a non-zero sub-code.
        assert_eq!(Quality::from_opcua_status(0x0030_0000), Quality::Good);
        // UncertainLastUsableValue
        assert_eq!(Quality::from_opcua_status(0x4090_0000), Quality::Uncertain);
        // BadCommunicationError
        assert_eq!(Quality::from_opcua_status(0x8005_0000), Quality::Bad);
        // Reserved severity 11 is not trusted.
        assert_eq!(Quality::from_opcua_status(0xC000_0000), Quality::Bad);
        for quality in [Quality::Good, Quality::Uncertain, Quality::Bad] {
            assert_eq!(Quality::from_opcua_status(quality.opcua_status()), quality);
        }
    }

    #[test]
    fn quality_parses_names_and_status_codes() {
        assert_eq!("GOOD".parse::<Quality>(), Ok(Quality::Good));
        assert_eq!(" uncertain ".parse::<Quality>(), Ok(Quality::Uncertain));
        assert_eq!("0x80050000".parse::<Quality>(), Ok(Quality::Bad));
        assert_eq!("1073741824".parse::<Quality>(), Ok(Quality::Uncertain));
        assert!("fine".parse::<Quality>().is_err());
    }

    #[test]
    fn utc_formatting_round_trips() {
        assert_eq!(format_utc_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_utc_ms(1_735_689_600_250), "2025-01-01T00:00:00.250Z");
        assert_eq!(format_utc_ms(-1), "1969-12-31T23:59:59.999Z");
        for ms in [
            0,
            951_782_400_000,
            1_709_164_800_123,
            -86_400_001,
            4_102_444_799_999,
        ] {
            assert_eq!(parse_utc_ms(&format_utc_ms(ms)), Ok(ms), "{ms}");
        }
    }

    #[test]
    fn rfc3339_variants_parse() {
        assert_eq!(parse_utc_ms("2025-01-01T00:00:00Z"), Ok(1_735_689_600_000));
        assert_eq!(
            parse_utc_ms("2025-01-01 01:00:00+01:00"),
            Ok(1_735_689_600_000)
        );
        assert_eq!(
            parse_utc_ms("2024-12-31T19:00:00.5-05:00"),
            Ok(1_735_689_600_500)
        );
        assert_eq!(
            parse_utc_ms("2025-01-01T00:00:00.123456Z"),
            Ok(1_735_689_600_123)
        );
        for bad in [
            "2025-02-30T00:00:00Z",
            "2025-01-01T24:00:00Z",
            "2025-01-01",
            "2025-01-01T00:00:00",
            "x",
            "2025-01-01T00:00:00.Z",
        ] {
            assert!(parse_utc_ms(bad).is_err(), "{bad}");
        }
    }
}

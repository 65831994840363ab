//! Times in reports: UTC milliseconds shown as ISO 8601, and the dates a
//! user types on the command line.

use steamflow_operators::reading::{format_utc_ms, parse_utc_ms};

/// `2025-01-06T06:00:00Z` (milliseconds dropped when zero).
pub fn format_utc(time_ms: i64) -> String {
    let text = format_utc_ms(time_ms);
    match text.strip_suffix(".000Z") {
        Some(whole) => format!("{whole}Z"),
        None => text,
    }
}

/// A date (`2025-01-06`, midnight UTC) or an RFC 3339 time, as UTC ms.
pub fn parse_time(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let full = if text.len() == 10 {
        format!("{text}T00:00:00Z")
    } else {
        text.to_string()
    };
    parse_utc_ms(&full).map_err(|_| {
        format!("`{text}` is not a date (2025-01-06) or an RFC 3339 time (2025-01-06T06:00:00Z)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_parse_to_utc_milliseconds() {
        assert_eq!(parse_time("2025-01-06").unwrap(), 1_736_121_600_000);
        assert_eq!(
            parse_time("2025-01-06T06:00:00Z").unwrap(),
            1_736_143_200_000
        );
        assert!(parse_time("06/01/2025").is_err());
        assert_eq!(format_utc(1_736_143_200_000), "2025-01-06T06:00:00Z");
    }
}

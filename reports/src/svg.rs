//! Charts drawn as inline SVG: no script, no external resource, so the
//! HTML renders the same in a browser, a mail client or a PDF printer.
//! Each chart carries `data-chart` and each mark `data-label` and
//! `data-value`, so a test can read back what was drawn.

use std::fmt::Write as _;

use crate::html::escape;

const WIDTH: f64 = 720.0;
const BAR_HEIGHT: f64 = 26.0;
const LABEL_WIDTH: f64 = 230.0;
const PALETTE: [&str; 6] = [
    "#c0392b", "#e67e22", "#2980b9", "#16a085", "#8e44ad", "#7f8c8d",
];

/// A horizontal bar chart of labelled values (negative values drawn from
/// zero to the left in grey, and labelled with their sign).
pub fn bar_chart(id: &str, title: &str, bars: &[(String, f64)], unit: &str) -> String {
    let max = bars
        .iter()
        .map(|(_, v)| v.abs())
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let plot = WIDTH - LABEL_WIDTH - 120.0;
    let height = BAR_HEIGHT * bars.len() as f64 + 40.0;
    let mut svg = format!(
        r#"<svg data-chart="{id}" role="img" aria-label="{title}" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{title}</title>"#,
        title = escape(title)
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = 30.0 + i as f64 * BAR_HEIGHT;
        let length = plot * value.abs() / max;
        let colour = if *value < 0.0 {
            "#95a5a6"
        } else {
            PALETTE[i % PALETTE.len()]
        };
        let _ = write!(
            svg,
            r#"<text x="{lx}" y="{ty}" text-anchor="end" font-size="13">{label}</text><rect data-label="{label}" data-value="{value}" x="{x}" y="{y}" width="{length:.1}" height="{h}" fill="{colour}"/><text class="value" x="{vx:.1}" y="{ty}" font-size="13">{shown} {unit}</text>"#,
            lx = LABEL_WIDTH - 8.0,
            ty = y + BAR_HEIGHT * 0.6,
            label = escape(label),
            x = LABEL_WIDTH,
            h = BAR_HEIGHT - 6.0,
            vx = LABEL_WIDTH + length + 6.0,
            shown = crate::model::money(*value),
            unit = escape(unit),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A line chart of values over labelled points (time buckets).
pub fn line_chart(id: &str, title: &str, points: &[(String, f64)], unit: &str) -> String {
    let height = 240.0;
    let (left, right, top, bottom) = (70.0, 20.0, 20.0, 40.0);
    let values: Vec<f64> = points.iter().map(|(_, v)| *v).collect();
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (low, high) = if low.is_finite() && high > low {
        (low, high)
    } else {
        let centre = if low.is_finite() { low } else { 0.0 };
        (centre - 1.0, centre + 1.0)
    };
    let x = |i: usize| left + (WIDTH - left - right) * i as f64 / (points.len().max(2) - 1) as f64;
    let y = |v: f64| top + (height - top - bottom) * (high - v) / (high - low);
    let mut svg = format!(
        r#"<svg data-chart="{id}" role="img" aria-label="{title}" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{title}</title>"#,
        title = escape(title)
    );
    let _ = write!(
        svg,
        r##"<line x1="{left}" y1="{b}" x2="{r}" y2="{b}" stroke="#555"/><text x="{tx}" y="{ty}" text-anchor="end" font-size="12">{hi:.0} {unit}</text><text x="{tx}" y="{b}" text-anchor="end" font-size="12">{lo:.0} {unit}</text>"##,
        b = height - bottom,
        r = WIDTH - right,
        tx = left - 6.0,
        ty = top + 10.0,
        hi = high,
        lo = low,
        unit = escape(unit),
    );
    let path: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
        .collect();
    let _ = write!(
        svg,
        r##"<polyline fill="none" stroke="#2980b9" stroke-width="2" points="{}"/>"##,
        path.join(" ")
    );
    for (i, (label, value)) in points.iter().enumerate() {
        let _ = write!(
            svg,
            r##"<circle data-label="{label}" data-value="{value}" cx="{cx:.1}" cy="{cy:.1}" r="3" fill="#2980b9"/>"##,
            label = escape(label),
            cx = x(i),
            cy = y(*value),
        );
    }
    if let (Some((first, _)), Some((last, _))) = (points.first(), points.last()) {
        let _ = write!(
            svg,
            r#"<text x="{left}" y="{ly}" font-size="11">{first}</text><text x="{r}" y="{ly}" text-anchor="end" font-size="11">{last}</text>"#,
            ly = height - 12.0,
            r = WIDTH - right,
            first = escape(first),
            last = escape(last),
        );
    }
    svg.push_str("</svg>");
    svg
}

//! The end-of-run summary a plant engineer reads: per plant, the losses by
//! category (kg/h, kW, money a year), the failed traps, the leaks, whether
//! the balance closes, the alerts that fired, and where each stream was
//! written.
//!
//! It reads the analysis streams as collections of JSON records
//! ([`Collected`]), by stream and field name, so it depends on no record
//! type: a stream this build does not produce is said to be missing.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::RunReport;
use super::collect::Collected;
use super::console::{short_utc, thousands};
use crate::config::Config;
use crate::dataflow::names;

/// The streams the summary reads.
pub const SUMMARY_STREAMS: [&str; 6] = [
    names::LOSSES,
    names::TRAP_STATUSES,
    names::LEAKS,
    names::BALANCES,
    names::ALERTS,
    names::RECOMMENDATIONS,
];

/// Losses are averaged over this many of the last base windows.
const LOSS_WINDOWS: usize = 15;
/// Alerts listed at most.
const TOP_ALERTS: usize = 10;

type Record = Map<String, Value>;

fn num(record: &Record, key: &str) -> Option<f64> {
    record.get(key).and_then(Value::as_f64)
}

fn text<'a>(record: &'a Record, key: &str) -> &'a str {
    record.get(key).and_then(Value::as_str).unwrap_or("")
}

fn int(record: &Record, key: &str) -> Option<i64> {
    record.get(key).and_then(Value::as_i64)
}

/// The records of one plant of a collected stream, in time order.
fn of_plant(collected: &Collected, stream: &str, plant: &str) -> Vec<Record> {
    collected
        .contents(stream)
        .into_iter()
        .filter(|(record, _, _)| text(record, "plant") == plant)
        .map(|(record, _, _)| record)
        .collect()
}

/// `12.3`, `1,234`: numbers as an engineer reads them.
fn amount(value: f64) -> String {
    if !value.is_finite() {
        return "–".to_owned();
    }
    if value.abs() >= 1000.0 {
        let sign = if value < 0.0 { "-" } else { "" };
        format!("{sign}{}", thousands(value.abs().round() as u64))
    } else if value.abs() >= 10.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

fn utc(ms: Option<i64>) -> String {
    ms.map_or_else(
        || "?".to_owned(),
        |t| {
            let full = short_utc(t);
            // The date is in the header: show the time of day.
            full.split(' ').nth(1).map_or(full.clone(), str::to_owned)
        },
    )
}

/// The whole summary, as text.
pub fn render(report: &RunReport, config: &Config) -> String {
    let mut out = String::new();
    let status = &report.status;
    let plants = status.plants();
    for (plant_id, plant) in &config.plants {
        let name = plant.name.as_deref().unwrap_or(plant_id.as_str());
        let _ = writeln!(out, "\n━━ {name} (plant `{plant_id}`) ━━");
        if let Some(p) = plants.get(plant_id) {
            let span = match (p.first_ms, p.last_ms) {
                (Some(a), Some(b)) => format!(
                    "{} → {} UTC, {:.1} h of plant time",
                    short_utc(a).trim_end_matches('Z'),
                    utc(Some(b)).trim_end_matches('Z'),
                    (b - a) as f64 / 3_600_000.0
                ),
                _ => String::new(),
            };
            let _ = writeln!(out, "{} readings, {span}", thousands(p.readings));
            if !p.dead_letters.is_empty() {
                let reasons: Vec<String> = p
                    .dead_letters
                    .iter()
                    .map(|(r, n)| format!("{} {r}", thousands(*n)))
                    .collect();
                let _ = writeln!(out, "refused at the door: {}", reasons.join(", "));
            }
        }
        let currency = plant
            .economics
            .as_ref()
            .map_or("money", |e| e.currency.as_str());
        losses(&mut out, &report.collected, plant_id, currency);
        traps(&mut out, &report.collected, plant_id, currency);
        leaks(&mut out, &report.collected, plant_id, currency);
        balance(&mut out, &report.collected, plant_id);
        alerts(&mut out, &report.collected, plant_id);
        recommendations(
            &mut out,
            &report.collected,
            plant_id,
            currency,
            config.analysis.recommendations.top,
        );
    }
    out
}

fn missing(out: &mut String, collected: &Collected, stream: &str) -> bool {
    if collected.streams().iter().any(|s| s == stream) {
        return false;
    }
    let _ = writeln!(out, "  (no `{stream}` stream in this build)");
    true
}

fn losses(out: &mut String, collected: &Collected, plant: &str, currency: &str) {
    let _ = writeln!(
        out,
        "\nLosses (average of the last {LOSS_WINDOWS} min)        kg/h        kW   {currency}/year"
    );
    if missing(out, collected, names::LOSSES) {
        return;
    }
    let records = of_plant(collected, names::LOSSES, plant);
    let mut windows: Vec<i64> = records
        .iter()
        .filter_map(|r| int(r, "window_start"))
        .collect();
    windows.sort_unstable();
    windows.dedup();
    let recent: Vec<i64> = windows.iter().rev().take(LOSS_WINDOWS).copied().collect();
    let mut by_category: Vec<(String, [f64; 3], usize)> = Vec::new();
    for record in records
        .iter()
        .filter(|r| int(r, "window_start").is_some_and(|w| recent.contains(&w)))
    {
        let category = text(record, "category").to_owned();
        let values = [
            num(record, "loss_kg_h").unwrap_or(0.0),
            num(record, "loss_kw").unwrap_or(0.0),
            num(record, "cost_per_year").unwrap_or(0.0),
        ];
        match by_category.iter_mut().find(|(c, _, _)| *c == category) {
            Some((_, sum, n)) => {
                for (s, v) in sum.iter_mut().zip(values) {
                    *s += v;
                }
                *n += 1;
            }
            None => by_category.push((category, values, 1)),
        }
    }
    if by_category.is_empty() {
        let _ = writeln!(out, "  (no window analysed)");
        return;
    }
    let mut total = [0.0; 3];
    for (category, sum, n) in &by_category {
        let mean = sum.map(|s| s / *n as f64);
        for (t, m) in total.iter_mut().zip(mean) {
            *t += m;
        }
        let _ = writeln!(
            out,
            "  {:<36} {:>8} {:>9} {:>10}",
            category_label(category),
            amount(mean[0]),
            amount(mean[1]),
            amount(mean[2])
        );
    }
    let _ = writeln!(
        out,
        "  {:<36} {:>8} {:>9} {:>10}",
        "total",
        amount(total[0]),
        amount(total[1]),
        amount(total[2])
    );
}

fn category_label(category: &str) -> &str {
    match category {
        "pipe" => "pipe heat loss",
        "trap" => "failed traps (live steam)",
        "leak" => "steam leaks",
        "flash" => "flash steam vented",
        "condensate" => "condensate not returned",
        "unaccounted" => "unaccounted (balance residual)",
        other => other,
    }
}

fn traps(out: &mut String, collected: &Collected, plant: &str, currency: &str) {
    let _ = writeln!(out, "\nFailed traps");
    if missing(out, collected, names::TRAP_STATUSES) {
        return;
    }
    // Per trap, its windows in order: the latest state and when it began.
    let mut per_trap: BTreeMap<String, Vec<Record>> = BTreeMap::new();
    for record in of_plant(collected, names::TRAP_STATUSES, plant) {
        per_trap
            .entry(text(&record, "trap").to_owned())
            .or_default()
            .push(record);
    }
    let mut failed = 0;
    let mut unknown = Vec::new();
    for (trap, mut windows) in per_trap {
        windows.sort_by_key(|r| int(r, "window_start"));
        let Some(last) = windows.last() else {
            continue;
        };
        let state = text(last, "state");
        if state == "unknown" {
            unknown.push(trap);
            continue;
        }
        if state == "ok" {
            continue;
        }
        let since = windows
            .iter()
            .rev()
            .take_while(|r| text(r, "state") == state)
            .last()
            .and_then(|r| int(r, "window_start"));
        failed += 1;
        let _ = writeln!(
            out,
            "  {trap:<14} {:<20} {:<11} confidence {:.2}, {} kg/h, {} kW, {} {currency}/year, since {}",
            text(last, "trap_type"),
            state.replace('_', " "),
            num(last, "confidence").unwrap_or(0.0),
            amount(num(last, "loss_kg_h").unwrap_or(0.0)),
            amount(num(last, "loss_kw").unwrap_or(0.0)),
            amount(num(last, "loss_cost_per_year").unwrap_or(0.0)),
            utc(since),
        );
    }
    if failed == 0 {
        let _ = writeln!(out, "  none");
    }
    if !unknown.is_empty() {
        let _ = writeln!(out, "  not enough data to judge: {}", unknown.join(", "));
    }
}

fn leaks(out: &mut String, collected: &Collected, plant: &str, currency: &str) {
    let _ = writeln!(out, "\nLeaks");
    if missing(out, collected, names::LEAKS) {
        return;
    }
    let records = of_plant(collected, names::LEAKS, plant);
    let last_window = records.iter().filter_map(|r| int(r, "window_start")).max();
    let current: Vec<&Record> = records
        .iter()
        .filter(|r| int(r, "window_start") == last_window)
        .collect();
    if current.is_empty() {
        let _ = writeln!(out, "  none");
        return;
    }
    for leak in current {
        let methods: Vec<&str> = leak
            .get("methods")
            .and_then(Value::as_array)
            .map(|m| m.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let diameter = num(leak, "equivalent_diameter_mm")
            .map(|d| format!(" (≈ {d:.1} mm hole)"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<14} {} kg/h{diameter}, {} kW, {} {currency}/year; found by {}, confidence {:.2}, priority {:.0}/100, since {}",
            text(leak, "location"),
            amount(num(leak, "size_kg_h").unwrap_or(0.0)),
            num(leak, "energy_kw").map_or_else(|| "?".to_owned(), amount),
            num(leak, "cost_per_year").map_or_else(|| "?".to_owned(), amount),
            methods.join(" + "),
            num(leak, "confidence").unwrap_or(0.0),
            num(leak, "priority").unwrap_or(0.0),
            utc(int(leak, "since")),
        );
    }
}

fn balance(out: &mut String, collected: &Collected, plant: &str) {
    let _ = writeln!(out, "\nBalance closure (bounds: mass ±5 %, energy ±7 %)");
    if missing(out, collected, names::BALANCES) {
        return;
    }
    let mut records = of_plant(collected, names::BALANCES, plant);
    records.sort_by_key(|r| int(r, "window_start"));
    let Some(last) = records.last() else {
        let _ = writeln!(out, "  (no window analysed)");
        return;
    };
    let verdict = |closes: Option<bool>| match closes {
        Some(true) => "closes",
        Some(false) => "does NOT close",
        None => "?",
    };
    let _ = writeln!(
        out,
        "  last window ({}): mass {:.1} % {}, energy {:.1} % {}; generation {} kg/h, efficiency {:.1} %",
        utc(int(last, "window_start")),
        num(last, "mass_closure_pct").unwrap_or(f64::NAN),
        verdict(last.get("mass_closes").and_then(Value::as_bool)),
        num(last, "energy_closure_pct").unwrap_or(f64::NAN),
        verdict(last.get("energy_closes").and_then(Value::as_bool)),
        amount(num(last, "generation_kg_h").unwrap_or(f64::NAN)),
        num(last, "efficiency").unwrap_or(f64::NAN) * 100.0,
    );
    let count = |key: &str| {
        records
            .iter()
            .filter(|r| r.get(key).and_then(Value::as_bool) == Some(true))
            .count()
    };
    let _ = writeln!(
        out,
        "  over the run: mass closed in {} of {} windows, energy in {}",
        count("mass_closes"),
        records.len(),
        count("energy_closes")
    );
    if let Some(rate) = num(last, "condensate_recovery_rate") {
        let _ = writeln!(out, "  condensate recovery {:.0} %", rate * 100.0);
    }
}

fn severity_rank(severity: &str) -> u8 {
    match severity {
        "critical" => 0,
        "high" => 1,
        "medium" => 2,
        "low" => 3,
        _ => 4,
    }
}

fn alerts(out: &mut String, collected: &Collected, plant: &str) {
    let _ = writeln!(out, "\nAlerts");
    if missing(out, collected, names::ALERTS) {
        return;
    }
    let events = of_plant(collected, names::ALERTS, plant);
    // The last event of each alert says whether it still fires.
    let mut last: BTreeMap<String, &Record> = BTreeMap::new();
    let mut sorted: Vec<&Record> = events.iter().collect();
    sorted.sort_by_key(|r| int(r, "event_time"));
    for event in &sorted {
        last.insert(text(event, "dedup_key").to_owned(), event);
    }
    let mut fired: Vec<&Record> = sorted
        .iter()
        .copied()
        .filter(|r| text(r, "kind") == "firing")
        .collect();
    let still = last
        .values()
        .filter(|r| text(r, "kind") != "resolved")
        .count();
    let _ = writeln!(
        out,
        "  {} fired, {} resolved, {still} still firing",
        fired.len(),
        sorted
            .iter()
            .filter(|r| text(r, "kind") == "resolved")
            .count()
    );
    fired.sort_by_key(|r| (severity_rank(text(r, "severity")), int(r, "event_time")));
    for event in fired.iter().take(TOP_ALERTS) {
        let now = last
            .get(text(event, "dedup_key"))
            .is_some_and(|l| text(l, "kind") != "resolved");
        let asset = text(event, "asset");
        let _ = writeln!(
            out,
            "  {:<8} {} {:<16} {:<14} {} {}",
            text(event, "severity").to_uppercase(),
            utc(int(event, "event_time")),
            text(event, "rule"),
            if asset.is_empty() { "(plant)" } else { asset },
            if now { "FIRING " } else { "resolved" },
            super::console::alert_message(text(event, "message")),
        );
    }
}

/// The latest window's recommendations, the first `top` of them.
fn recommendations(
    out: &mut String,
    collected: &Collected,
    plant: &str,
    currency: &str,
    top: usize,
) {
    let _ = writeln!(out, "\nRecommendations (the last window's, best first)");
    if missing(out, collected, names::RECOMMENDATIONS) {
        return;
    }
    let records = of_plant(collected, names::RECOMMENDATIONS, plant);
    let last_window = records.iter().filter_map(|r| int(r, "window_start")).max();
    let mut current: Vec<&Record> = records
        .iter()
        .filter(|r| int(r, "window_start") == last_window)
        .collect();
    if current.is_empty() {
        let _ = writeln!(out, "  none: no failed trap, leak or other project found");
        return;
    }
    current.sort_by_key(|r| int(r, "rank"));
    let _ = writeln!(
        out,
        "  {:>2}  {:<40} {:>7} {:>6} {:>11} {:>8} {:>7} {:>9}  {:<6} portfolio",
        "#",
        "action",
        "kg/h",
        "kW",
        format!("{currency}/yr"),
        "t CO2/yr",
        "cost",
        "payback",
        "effort"
    );
    for r in current.iter().take(top) {
        let payback = num(r, "simple_payback_years").map_or_else(
            || "never".to_owned(),
            |y| {
                if y < 1.0 {
                    format!("{:.0} d", y * 365.0)
                } else {
                    format!("{y:.1} y")
                }
            },
        );
        let action = text(r, "action");
        let short: String = action.chars().take(40).collect();
        let _ = writeln!(
            out,
            "  {:>2}  {:<40} {:>7} {:>6} {:>11} {:>8} {:>7} {:>9}  {:<6} {}",
            int(r, "rank").unwrap_or(0),
            short,
            amount(num(r, "savings_kg_h").unwrap_or(0.0)),
            amount(num(r, "savings_kw").unwrap_or(0.0)),
            amount(num(r, "savings_per_year").unwrap_or(0.0)),
            amount(num(r, "co2_t_per_year").unwrap_or(0.0)),
            amount(num(r, "capex").unwrap_or(0.0)),
            payback,
            text(r, "difficulty"),
            if r.get("in_portfolio").and_then(Value::as_bool) == Some(true) {
                "yes"
            } else {
                "no"
            },
        );
        let _ = writeln!(out, "      why: {}", text(r, "why"));
    }
    if current.len() > top {
        let _ = writeln!(
            out,
            "  … and {} more in the recommendations stream",
            current.len() - top
        );
    }
}

/// Where each stream went: `dir/`, then each file with its rows.
pub fn render_outputs(report: &RunReport) -> String {
    let mut out = String::new();
    let mut by_dir: BTreeMap<String, Vec<(String, u64)>> = BTreeMap::new();
    for output in report.status.outputs() {
        let Some(path) = &output.path else {
            continue;
        };
        let dir = path
            .parent()
            .map_or_else(String::new, |d| format!("{}/", d.display()));
        let file = path
            .file_name()
            .map_or_else(String::new, |f| f.to_string_lossy().into_owned());
        by_dir.entry(dir).or_default().push((file, output.rows()));
    }
    for (dir, files) in by_dir {
        let _ = writeln!(out, "  {dir}");
        for (file, rows) in files {
            let _ = writeln!(out, "    {file:<34} {:>10} rows", thousands(rows));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_like_an_engineers_table() {
        assert_eq!(amount(0.24), "0.2");
        assert_eq!(amount(12.4), "12");
        assert_eq!(amount(41_400.2), "41,400");
        assert_eq!(amount(-2_500.0), "-2,500");
        assert_eq!(amount(f64::NAN), "–");
    }
}

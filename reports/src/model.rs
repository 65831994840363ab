//! The figures of a report, computed from a run's streams for a period —
//! the eight sections of the seed's energy audit: executive summary,
//! performance metrics, loss analysis with breakdown, economic impact,
//! recommendations with ROI, trend analysis, compliance status and action
//! plan, plus the trap population, leaks and alerts they draw on.
//!
//! Averages are over the period's windows: a per-window figure summed over
//! plants, then averaged over the distinct window starts.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::input::{Record, RunData};
use crate::kind::ReportKind;
use crate::time::format_utc;

/// Hours in a year, for converting per-year costs into a period's cost.
const HOURS_PER_YEAR: f64 = 8760.0;

/// The period a report covers: `[from_ms, to_ms)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Period {
    /// Start [ms since the epoch].
    pub from_ms: i64,
    /// End, exclusive [ms since the epoch].
    pub to_ms: i64,
}

/// A whole report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Its kind.
    pub kind: ReportKind,
    /// Its title.
    pub title: String,
    /// The period asked for.
    pub period: Period,
    /// `from` in ISO 8601 UTC.
    pub from_utc: String,
    /// `to` in ISO 8601 UTC.
    pub to_utc: String,
    /// The plants in the data.
    pub plants: Vec<String>,
    /// Windows with a balance in the period.
    pub windows: usize,
    /// Hours of data those windows cover.
    pub hours_covered: f64,
    /// 1. Executive summary.
    pub executive_summary: ExecutiveSummary,
    /// 2. System performance metrics.
    pub performance: Performance,
    /// 3. Loss analysis with breakdown.
    pub losses: Vec<LossLine>,
    /// 4. Economic impact.
    pub economics: Economics,
    /// 5. Recommendations with ROI.
    pub recommendations: Vec<RecommendationLine>,
    /// 6. Trend analysis.
    pub trends: Trend,
    /// 7. Compliance status.
    pub compliance: Vec<ComplianceCheck>,
    /// 8. Action plan.
    pub action_plan: Vec<Action>,
    /// Trap population at the end of the period.
    pub traps: TrapPopulation,
    /// Leaks found in the period, costliest first.
    pub leaks: Vec<LeakLine>,
    /// Alerts in the period.
    pub alerts: AlertSummary,
}

/// 1. What management reads first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExecutiveSummary {
    /// Sentences with the headline figures.
    pub headlines: Vec<String>,
    /// Total loss [kg/h], period average.
    pub total_loss_kg_h: f64,
    /// Total loss [kW], period average.
    pub total_loss_kw: f64,
    /// Total loss cost [money/yr] at the period's average rate.
    pub total_loss_cost_per_year: f64,
    /// What the losses cost during the period [money].
    pub cost_in_period: f64,
    /// Traps failed at the end of the period.
    pub failed_traps: usize,
    /// Distinct leak locations found in the period.
    pub leaks: usize,
}

/// 2. How the system ran.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Performance {
    /// Steam generated [kg/h], average.
    pub generation_kg_h: f64,
    /// Steam consumed [kg/h], average.
    pub consumption_kg_h: f64,
    /// Boiler-house efficiency [%], average.
    pub efficiency_pct: f64,
    /// Mass balance closure [%], average.
    pub mass_closure_pct: f64,
    /// Energy balance closure [%], average.
    pub energy_closure_pct: f64,
    /// Windows whose mass balance closed within ±5 %.
    pub mass_closed_windows: usize,
    /// Windows whose energy balance closed within ±7 %.
    pub energy_closed_windows: usize,
    /// Condensate recovery [%], average.
    pub condensate_recovery_pct: f64,
}

/// 3. One loss category.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LossLine {
    /// Category code (`trap`).
    pub category: String,
    /// What it is, in words.
    pub label: String,
    /// Average [kg/h].
    pub loss_kg_h: f64,
    /// Average [kW].
    pub loss_kw: f64,
    /// Cost [money/yr] at the average rate.
    pub cost_per_year: f64,
    /// Share of the total cost [%].
    pub share_pct: f64,
}

/// 4. What the losses cost.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Economics {
    /// All losses [money/yr] at the period's average rate.
    pub cost_per_year: f64,
    /// All losses [money/day].
    pub cost_per_day: f64,
    /// During the period's covered hours [money].
    pub cost_in_period: f64,
    /// Implied cost of the lost steam [money per tonne].
    pub steam_cost_per_tonne: Option<f64>,
    /// Avoidable share: everything but the unaccounted residual [money/yr].
    pub avoidable_cost_per_year: f64,
}

/// 5. One recommendation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecommendationLine {
    /// Rank, 1 first.
    pub rank: usize,
    /// What to do.
    pub action: String,
    /// Where.
    pub location: String,
    /// Expected savings [money/yr].
    pub savings_per_year: f64,
    /// Expected savings [kg/h].
    pub savings_kg_h: Option<f64>,
    /// What it costs [money], when appraised.
    pub cost: Option<f64>,
    /// Simple payback [years], when appraised.
    pub payback_years: Option<f64>,
    /// Why it ranks here.
    pub why: String,
}

/// 6. Figures per time bucket.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trend {
    /// Bucket length in words (`15 min`).
    pub bucket: String,
    /// Bucket length [ms].
    pub bucket_ms: i64,
    /// One point per bucket with data.
    pub points: Vec<TrendPoint>,
}

/// One trend bucket.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrendPoint {
    /// Bucket start, ISO 8601 UTC.
    pub start_utc: String,
    /// Total loss [kg/h], average.
    pub loss_kg_h: f64,
    /// Total loss [kW], average.
    pub loss_kw: f64,
    /// Mass closure [%], average.
    pub mass_closure_pct: f64,
    /// Energy closure [%], average.
    pub energy_closure_pct: f64,
    /// Condensate recovery [%], average.
    pub condensate_recovery_pct: f64,
}

/// 7. One compliance check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComplianceCheck {
    /// What is checked.
    pub item: String,
    /// The requirement and its source.
    pub requirement: String,
    /// The measured value, in words.
    pub value: String,
    /// `pass`, `fail` or `not measured`.
    pub status: String,
}

/// 8. One action.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Action {
    /// Order to act in.
    pub priority: usize,
    /// What to do.
    pub action: String,
    /// Who does it.
    pub owner: String,
    /// By when.
    pub due: String,
}

/// The traps' states.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrapPopulation {
    /// Traps per state at the end of the period.
    pub by_state: Vec<StateCount>,
    /// The failed ones, costliest first.
    pub failed: Vec<FailedTrap>,
}

/// Traps in one state.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StateCount {
    /// The state (`ok`, `blown_open`, …).
    pub state: String,
    /// How many traps.
    pub count: usize,
}

/// A failed trap.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailedTrap {
    /// Plant.
    pub plant: String,
    /// Trap id.
    pub trap: String,
    /// Its state.
    pub state: String,
    /// Live steam lost [kg/h].
    pub loss_kg_h: f64,
    /// Cost [money/yr].
    pub cost_per_year: f64,
}

/// A leak.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeakLine {
    /// Plant.
    pub plant: String,
    /// Where.
    pub location: String,
    /// Size [kg/h] (latest estimate).
    pub size_kg_h: f64,
    /// Cost [money/yr] (latest estimate).
    pub cost_per_year: f64,
    /// Repair priority (0–100).
    pub priority: f64,
}

/// Alerts in the period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlertSummary {
    /// Alerts that fired.
    pub fired: usize,
    /// Alerts that resolved.
    pub resolved: usize,
    /// Firing alerts per severity.
    pub by_severity: Vec<StateCount>,
    /// Their messages, first fired first.
    pub messages: Vec<String>,
}

impl Report {
    /// The report of `kind` over `period` from a run's streams.
    pub fn build(kind: ReportKind, period: Period, data: &RunData) -> Report {
        // In a canonical order, so that the figures do not depend on the
        // order the records were read in (a folder's lines, a table's rows):
        // sums of floats are summed in the same order, ties broken alike.
        fn select<'a>(records: &'a [Record], period: Period, keys: &[&str]) -> Vec<&'a Record> {
            let mut selected: Vec<&Record> = records
                .iter()
                .filter(|record| {
                    let start = num(record, "window_start").map_or(i64::MIN, |t| t as i64);
                    start >= period.from_ms && start < period.to_ms
                })
                .collect();
            canonical_order(&mut selected, keys);
            selected
        }
        let balances = select(&data.balances, period, &["window_start", "plant"]);
        let losses = select(&data.losses, period, &["window_start", "plant", "category"]);
        let traps = select(
            &data.trap_statuses,
            period,
            &["window_start", "plant", "trap"],
        );
        let leaks = select(&data.leaks, period, &["window_start", "plant", "location"]);
        let mut alerts: Vec<&Record> = data
            .alerts
            .iter()
            .filter(|alert| {
                let at = num(alert, "event_time").map_or(i64::MIN, |t| t as i64);
                at >= period.from_ms && at < period.to_ms
            })
            .collect();
        canonical_order(
            &mut alerts,
            &["event_time", "plant", "dedup_key", "kind", "message"],
        );

        let windows = distinct(&balances, "window_start").len();
        let window_ms = balances
            .first()
            .and_then(|b| Some(num(b, "window_end")? - num(b, "window_start")?))
            .unwrap_or(60_000.0);
        let hours_covered = windows as f64 * window_ms / 3.6e6;
        let performance = performance(&balances);
        let loss_lines = loss_lines(&losses);
        let economics = economics(&loss_lines, hours_covered);
        let population = trap_population(&traps);
        let leak_lines = leak_lines(&leaks);
        let alert_summary = alert_summary(&alerts);
        let latest_recommendations = latest_window_per_plant(
            select(
                &data.recommendations,
                period,
                &["window_start", "plant", "rank", "id"],
            )
            .into_iter()
            .cloned()
            .collect(),
        );
        let recommendations = recommendations(&latest_recommendations, &population, &leak_lines);
        let compliance = compliance(
            &performance,
            windows,
            &population,
            &alert_summary,
            period,
            window_ms,
        );
        let action_plan = action_plan(&recommendations, &alert_summary);
        let total_kg_h: f64 = loss_lines.iter().map(|l| l.loss_kg_h).sum();
        let total_kw: f64 = loss_lines.iter().map(|l| l.loss_kw).sum();
        let executive_summary = ExecutiveSummary {
            headlines: headlines(
                &loss_lines,
                &economics,
                &population,
                &leak_lines,
                &performance,
                windows,
            ),
            total_loss_kg_h: total_kg_h,
            total_loss_kw: total_kw,
            total_loss_cost_per_year: economics.cost_per_year,
            cost_in_period: economics.cost_in_period,
            failed_traps: population.failed.len(),
            leaks: leak_lines.len(),
        };
        let mut plants: BTreeSet<String> = BTreeSet::new();
        for record in balances.iter().chain(&losses).chain(&traps) {
            if let Some(plant) = text(record, "plant") {
                plants.insert(plant.to_string());
            }
        }
        Report {
            kind,
            title: kind.title().to_string(),
            period,
            from_utc: format_utc(period.from_ms),
            to_utc: format_utc(period.to_ms),
            plants: plants.into_iter().collect(),
            windows,
            hours_covered,
            executive_summary,
            performance,
            losses: loss_lines,
            economics,
            recommendations,
            trends: trends(&balances, period),
            compliance,
            action_plan,
            traps: population,
            leaks: leak_lines,
            alerts: alert_summary,
        }
    }
}

/// Sorts `records` by `keys` in turn: numbers by value, then strings, a
/// missing field first.
fn canonical_order(records: &mut [&Record], keys: &[&str]) {
    let rank = |value: Option<&Value>| match value {
        None | Some(Value::Null) => 0,
        Some(Value::Bool(_)) => 1,
        Some(Value::Number(_)) => 2,
        Some(Value::String(_)) => 3,
        Some(_) => 4,
    };
    records.sort_by(|a, b| {
        keys.iter()
            .map(|key| {
                let (x, y) = (a.get(*key), b.get(*key));
                rank(x).cmp(&rank(y)).then_with(|| match (x, y) {
                    (Some(Value::Number(x)), Some(Value::Number(y))) => x
                        .as_f64()
                        .unwrap_or(f64::NAN)
                        .total_cmp(&y.as_f64().unwrap_or(f64::NAN)),
                    (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
                    (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
                    _ => std::cmp::Ordering::Equal,
                })
            })
            .find(|order| order.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
}

pub(crate) fn num(record: &Record, field: &str) -> Option<f64> {
    record
        .get(field)
        .and_then(Value::as_f64)
        .filter(|v| v.is_finite())
}

pub(crate) fn text<'a>(record: &'a Record, field: &str) -> Option<&'a str> {
    record.get(field).and_then(Value::as_str)
}

fn distinct(records: &[&Record], field: &str) -> BTreeSet<i64> {
    records
        .iter()
        .filter_map(|r| num(r, field))
        .map(|v| v as i64)
        .collect()
}

/// Σ over records of `field`, divided by the distinct window starts.
fn per_window_mean(records: &[&Record], field: &str) -> f64 {
    let windows = distinct(records, "window_start").len();
    if windows == 0 {
        return 0.0;
    }
    records.iter().filter_map(|r| num(r, field)).sum::<f64>() / windows as f64
}

fn mean(records: &[&Record], field: &str) -> f64 {
    let values: Vec<f64> = records.iter().filter_map(|r| num(r, field)).collect();
    if values.is_empty() {
        return 0.0;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

fn performance(balances: &[&Record]) -> Performance {
    let closed = |field: &str| {
        balances
            .iter()
            .filter(|b| b.get(field).and_then(Value::as_bool) == Some(true))
            .count()
    };
    Performance {
        generation_kg_h: per_window_mean(balances, "generation_kg_h"),
        consumption_kg_h: per_window_mean(balances, "consumption_kg_h"),
        efficiency_pct: 100.0 * mean(balances, "efficiency"),
        mass_closure_pct: mean(balances, "mass_closure_pct"),
        energy_closure_pct: mean(balances, "energy_closure_pct"),
        mass_closed_windows: closed("mass_closes"),
        energy_closed_windows: closed("energy_closes"),
        condensate_recovery_pct: 100.0 * mean(balances, "condensate_recovery_rate"),
    }
}

/// What each loss category is, in a plant engineer's words.
pub fn category_label(category: &str) -> String {
    match category {
        "pipe" => "pipe heat loss",
        "trap" => "failed traps (live steam)",
        "condensate" => "condensate not returned",
        "flash" => "flash steam vented",
        "leak" => "steam leaks",
        "unaccounted" => "unaccounted (balance residual)",
        other => other,
    }
    .to_string()
}

fn loss_lines(losses: &[&Record]) -> Vec<LossLine> {
    let windows = distinct(losses, "window_start").len().max(1) as f64;
    let mut by_category: BTreeMap<String, (f64, f64, f64)> = BTreeMap::new();
    for record in losses {
        let Some(category) = text(record, "category") else {
            continue;
        };
        let sums = by_category.entry(category.to_string()).or_default();
        sums.0 += num(record, "loss_kg_h").unwrap_or(0.0);
        sums.1 += num(record, "loss_kw").unwrap_or(0.0);
        sums.2 += num(record, "cost_per_year").unwrap_or(0.0);
    }
    let total_cost: f64 = by_category.values().map(|s| s.2 / windows).sum();
    let mut lines: Vec<LossLine> = by_category
        .into_iter()
        .map(|(category, (kg_h, kw, cost))| LossLine {
            label: category_label(&category),
            category,
            loss_kg_h: kg_h / windows,
            loss_kw: kw / windows,
            cost_per_year: cost / windows,
            share_pct: if total_cost.abs() > 0.0 {
                100.0 * cost / windows / total_cost
            } else {
                0.0
            },
        })
        .collect();
    lines.sort_by(|a, b| b.cost_per_year.total_cmp(&a.cost_per_year));
    lines
}

fn economics(lines: &[LossLine], hours: f64) -> Economics {
    let cost_per_year: f64 = lines.iter().map(|l| l.cost_per_year).sum();
    let kg_h: f64 = lines.iter().map(|l| l.loss_kg_h).sum();
    let avoidable = lines
        .iter()
        .filter(|l| l.category != "unaccounted")
        .map(|l| l.cost_per_year)
        .sum();
    Economics {
        cost_per_year,
        cost_per_day: cost_per_year / 365.0,
        cost_in_period: cost_per_year * hours / HOURS_PER_YEAR,
        steam_cost_per_tonne: (kg_h > 0.0)
            .then(|| cost_per_year / (kg_h * HOURS_PER_YEAR / 1000.0)),
        avoidable_cost_per_year: avoidable,
    }
}

fn trap_population(traps: &[&Record]) -> TrapPopulation {
    // The latest window's record of each trap.
    let mut latest: BTreeMap<(String, String), &Record> = BTreeMap::new();
    for record in traps {
        let key = (
            text(record, "plant").unwrap_or_default().to_string(),
            text(record, "trap").unwrap_or_default().to_string(),
        );
        let start = num(record, "window_start").unwrap_or(f64::MIN);
        let newer = latest
            .get(&key)
            .is_none_or(|held| start >= num(held, "window_start").unwrap_or(f64::MIN));
        if newer {
            latest.insert(key, record);
        }
    }
    let mut by_state: BTreeMap<String, usize> = BTreeMap::new();
    let mut failed = Vec::new();
    for ((plant, trap), record) in &latest {
        let state = text(record, "state").unwrap_or("unknown").to_string();
        *by_state.entry(state.clone()).or_default() += 1;
        if !matches!(state.as_str(), "ok" | "unknown" | "cold" | "idle") {
            failed.push(FailedTrap {
                plant: plant.clone(),
                trap: trap.clone(),
                state,
                loss_kg_h: num(record, "loss_kg_h").unwrap_or(0.0),
                cost_per_year: num(record, "loss_cost_per_year").unwrap_or(0.0),
            });
        }
    }
    failed.sort_by(|a, b| b.cost_per_year.total_cmp(&a.cost_per_year));
    TrapPopulation {
        by_state: by_state
            .into_iter()
            .map(|(state, count)| StateCount { state, count })
            .collect(),
        failed,
    }
}

fn leak_lines(leaks: &[&Record]) -> Vec<LeakLine> {
    let mut latest: BTreeMap<(String, String), &Record> = BTreeMap::new();
    for record in leaks {
        let key = (
            text(record, "plant").unwrap_or_default().to_string(),
            text(record, "location").unwrap_or_default().to_string(),
        );
        let start = num(record, "window_start").unwrap_or(f64::MIN);
        if latest
            .get(&key)
            .is_none_or(|held| start >= num(held, "window_start").unwrap_or(f64::MIN))
        {
            latest.insert(key, record);
        }
    }
    let mut lines: Vec<LeakLine> = latest
        .into_iter()
        .map(|((plant, location), record)| LeakLine {
            plant,
            location,
            size_kg_h: num(record, "size_kg_h").unwrap_or(0.0),
            cost_per_year: num(record, "cost_per_year").unwrap_or(0.0),
            priority: num(record, "priority").unwrap_or(0.0),
        })
        .collect();
    lines.sort_by(|a, b| b.cost_per_year.total_cmp(&a.cost_per_year));
    lines
}

fn alert_summary(alerts: &[&Record]) -> AlertSummary {
    let kind = |a: &&&Record| text(a, "kind").unwrap_or_default().to_string();
    let firing: Vec<&&Record> = alerts.iter().filter(|a| kind(a) == "firing").collect();
    let mut by_severity: BTreeMap<String, usize> = BTreeMap::new();
    for alert in &firing {
        *by_severity
            .entry(text(alert, "severity").unwrap_or("unknown").to_string())
            .or_default() += 1;
    }
    let mut ordered = firing.clone();
    ordered.sort_by(|a, b| {
        num(a, "event_time")
            .unwrap_or(0.0)
            .total_cmp(&num(b, "event_time").unwrap_or(0.0))
    });
    AlertSummary {
        fired: firing.len(),
        resolved: alerts.iter().filter(|a| kind(a) == "resolved").count(),
        by_severity: by_severity
            .into_iter()
            .map(|(state, count)| StateCount { state, count })
            .collect(),
        messages: ordered
            .iter()
            .filter_map(|a| text(a, "message").map(str::to_string))
            .collect(),
    }
}

/// The records of each plant's latest window: the recommendations that
/// apply at the end of the period (earlier windows hold earlier versions).
fn latest_window_per_plant(records: Vec<Record>) -> Vec<Record> {
    let mut latest: BTreeMap<String, f64> = BTreeMap::new();
    for record in &records {
        let plant = text(record, "plant").unwrap_or_default().to_string();
        let start = num(record, "window_start").unwrap_or(f64::MIN);
        let slot = latest.entry(plant).or_insert(start);
        *slot = slot.max(start);
    }
    records
        .into_iter()
        .filter(|record| {
            let plant = text(record, "plant").unwrap_or_default();
            num(record, "window_start").unwrap_or(f64::MIN)
                >= latest.get(plant).copied().unwrap_or(f64::MIN)
        })
        .collect()
}

/// The run's recommendations stream when it has one; otherwise the
/// repairs the analysis points to (failed traps, leaks), unappraised.
fn recommendations(
    stream: &[Record],
    traps: &TrapPopulation,
    leaks: &[LeakLine],
) -> Vec<RecommendationLine> {
    let mut lines: Vec<RecommendationLine> = if stream.is_empty() {
        let traps = traps.failed.iter().map(|t| RecommendationLine {
            rank: 0,
            action: format!(
                "repair or replace trap {} ({})",
                t.trap,
                t.state.replace('_', " ")
            ),
            location: format!("{} / {}", t.plant, t.trap),
            savings_per_year: t.cost_per_year,
            savings_kg_h: Some(t.loss_kg_h),
            cost: None,
            payback_years: None,
            why: format!("losing {:.0} kg/h of live steam", t.loss_kg_h),
        });
        let leaks = leaks.iter().map(|l| RecommendationLine {
            rank: 0,
            action: format!("repair the leak at {}", l.location),
            location: format!("{} / {}", l.plant, l.location),
            savings_per_year: l.cost_per_year,
            savings_kg_h: Some(l.size_kg_h),
            cost: None,
            payback_years: None,
            why: format!(
                "{:.0} kg/h escaping, repair priority {:.0}/100",
                l.size_kg_h, l.priority
            ),
        });
        traps.chain(leaks).collect()
    } else {
        stream.iter().map(recommendation_from_record).collect()
    };
    lines.sort_by(|a, b| b.savings_per_year.total_cmp(&a.savings_per_year));
    for (index, line) in lines.iter_mut().enumerate() {
        line.rank = index + 1;
    }
    lines
}

/// Reads a record of the recommendations stream, tolerating the names its
/// fields may have.
fn recommendation_from_record(record: &Record) -> RecommendationLine {
    let first_text = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| text(record, n))
            .unwrap_or_default()
            .to_string()
    };
    let first_num = |names: &[&str]| names.iter().find_map(|n| num(record, n));
    RecommendationLine {
        rank: 0,
        action: first_text(&["action", "what", "title"]),
        location: first_text(&["location", "where", "asset"]),
        savings_per_year: first_num(&[
            "savings_per_year",
            "savings_money_per_year",
            "annual_savings",
        ])
        .unwrap_or(0.0),
        savings_kg_h: first_num(&["savings_kg_h"]),
        cost: first_num(&["cost", "capex"]),
        payback_years: first_num(&["payback_years", "simple_payback_years"]),
        why: first_text(&["why", "reason", "rationale"]),
    }
}

fn compliance(
    performance: &Performance,
    windows: usize,
    traps: &TrapPopulation,
    alerts: &AlertSummary,
    period: Period,
    window_ms: f64,
) -> Vec<ComplianceCheck> {
    let status = |pass: bool| if pass { "pass" } else { "fail" }.to_string();
    let share = |n: usize| {
        if windows == 0 {
            0.0
        } else {
            100.0 * n as f64 / windows as f64
        }
    };
    let population: usize = traps.by_state.iter().map(|s| s.count).sum();
    let failed_pct = if population == 0 {
        0.0
    } else {
        100.0 * traps.failed.len() as f64 / population as f64
    };
    let expected = ((period.to_ms - period.from_ms) as f64 / window_ms).max(1.0);
    let coverage = 100.0 * windows as f64 / expected;
    let open_severe: usize = alerts
        .by_severity
        .iter()
        .filter(|s| s.state == "critical" || s.state == "high")
        .map(|s| s.count)
        .sum::<usize>()
        .saturating_sub(alerts.resolved);
    let mut checks = vec![
        ComplianceCheck {
            item: "Mass balance closure (measurement validity)".into(),
            requirement: "within ±5 % in at least 95 % of windows (seed bounds)".into(),
            value: format!("{:.1} % of windows", share(performance.mass_closed_windows)),
            status: status(windows > 0 && share(performance.mass_closed_windows) >= 95.0),
        },
        ComplianceCheck {
            item: "Energy balance closure".into(),
            requirement: "within ±7 % in at least 95 % of windows (seed bounds)".into(),
            value: format!("{:.1} % of windows", share(performance.energy_closed_windows)),
            status: status(windows > 0 && share(performance.energy_closed_windows) >= 95.0),
        },
        ComplianceCheck {
            item: "Condensate recovery".into(),
            requirement: "at least 70 % (seed optimisation constraint)".into(),
            value: format!("{:.1} %", performance.condensate_recovery_pct),
            status: status(performance.condensate_recovery_pct >= 70.0),
        },
        ComplianceCheck {
            item: "Failed steam traps".into(),
            requirement: "at most 10 % of the population (US DOE Steam Tip Sheet #1: unmaintained systems reach 15–30 %)".into(),
            value: format!("{} of {population} ({failed_pct:.1} %)", traps.failed.len()),
            status: if population == 0 {
                "not measured".into()
            } else {
                status(failed_pct <= 10.0)
            },
        },
        ComplianceCheck {
            item: "Severe alerts resolved".into(),
            requirement: "no High or Critical alert left firing at the end of the period".into(),
            value: format!("{open_severe} still firing"),
            status: status(open_severe == 0),
        },
    ];
    checks.push(ComplianceCheck {
        item: "Data coverage (ISO 50001 §6.6 monitoring)".into(),
        requirement: "balances for at least 90 % of the period".into(),
        value: format!("{coverage:.1} % of the period"),
        status: status(coverage >= 90.0),
    });
    checks
}

fn action_plan(recommendations: &[RecommendationLine], alerts: &AlertSummary) -> Vec<Action> {
    let mut actions: Vec<Action> = recommendations
        .iter()
        .take(10)
        .map(|r| {
            let owner = if r.action.contains("trap") || r.action.contains("leak") {
                "maintenance"
            } else {
                "energy engineering"
            };
            let due = if r.savings_per_year >= 50_000.0 {
                "within 7 days"
            } else if r.savings_per_year >= 10_000.0 {
                "within 30 days"
            } else {
                "next planned shutdown"
            };
            Action {
                priority: 0,
                action: r.action.clone(),
                owner: owner.into(),
                due: due.into(),
            }
        })
        .collect();
    if alerts.fired > alerts.resolved {
        actions.push(Action {
            priority: 0,
            action: format!(
                "review the {} alert(s) still firing with the on-call rota",
                alerts.fired - alerts.resolved
            ),
            owner: "operations".into(),
            due: "within 24 hours".into(),
        });
    }
    for (index, action) in actions.iter_mut().enumerate() {
        action.priority = index + 1;
    }
    actions
}

fn headlines(
    losses: &[LossLine],
    economics: &Economics,
    traps: &TrapPopulation,
    leaks: &[LeakLine],
    performance: &Performance,
    windows: usize,
) -> Vec<String> {
    let mut lines = vec![format!(
        "Steam losses average {:.0} kg/h ({:.0} kW), costing {} a year at this rate.",
        losses.iter().map(|l| l.loss_kg_h).sum::<f64>(),
        losses.iter().map(|l| l.loss_kw).sum::<f64>(),
        money(economics.cost_per_year)
    )];
    if let Some(top) = losses.first() {
        lines.push(format!(
            "The largest loss is {} at {} a year ({:.0} % of the total).",
            top.label,
            money(top.cost_per_year),
            top.share_pct
        ));
    }
    if !traps.failed.is_empty() {
        lines.push(format!(
            "{} failed trap(s) waste {} a year; {} leak(s) another {}.",
            traps.failed.len(),
            money(traps.failed.iter().map(|t| t.cost_per_year).sum()),
            leaks.len(),
            money(leaks.iter().map(|l| l.cost_per_year).sum())
        ));
    }
    lines.push(format!(
        "The mass balance closed in {} of {windows} windows; condensate recovery averaged {:.0} %.",
        performance.mass_closed_windows, performance.condensate_recovery_pct
    ));
    lines
}

/// Money with thousands separators, no decimals (`93,775`).
pub fn money(value: f64) -> String {
    let rounded = value.round();
    let digits = format!("{:.0}", rounded.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if rounded < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

fn trends(balances: &[&Record], period: Period) -> Trend {
    let starts = distinct(balances, "window_start");
    let span = match (starts.first(), starts.last()) {
        (Some(first), Some(last)) => last - first,
        _ => 0,
    };
    // The longest bucket that still gives a dozen points.
    const BUCKETS: [(i64, &str); 7] = [
        (60_000, "1 min"),
        (300_000, "5 min"),
        (900_000, "15 min"),
        (3_600_000, "1 h"),
        (86_400_000, "1 day"),
        (604_800_000, "1 week"),
        (2_592_000_000, "30 days"),
    ];
    let (bucket_ms, bucket) = BUCKETS
        .iter()
        .rev()
        .find(|(ms, _)| span / ms >= 12)
        .copied()
        .unwrap_or(BUCKETS[0]);
    let mut groups: BTreeMap<i64, Vec<&Record>> = BTreeMap::new();
    for record in balances {
        if let Some(start) = num(record, "window_start") {
            let start = start as i64;
            let bucket_start =
                period.from_ms + (start - period.from_ms).div_euclid(bucket_ms) * bucket_ms;
            groups.entry(bucket_start).or_default().push(record);
        }
    }
    Trend {
        bucket: bucket.to_string(),
        bucket_ms,
        points: groups
            .into_iter()
            .map(|(start, records)| TrendPoint {
                start_utc: format_utc(start),
                loss_kg_h: per_window_mean(&records, "total_loss_kg_h"),
                loss_kw: per_window_mean(&records, "total_loss_kw"),
                mass_closure_pct: mean(&records, "mass_closure_pct"),
                energy_closure_pct: mean(&records, "energy_closure_pct"),
                condensate_recovery_pct: 100.0 * mean(&records, "condensate_recovery_rate"),
            })
            .collect(),
    }
}

//! Recommendations: every candidate appraised and ranked for a
//! maintenance planner.
//!
//! The rank is by net present value over the project life at the plant's
//! discount rate — the money a project makes, net of what it costs —
//! then by discounted payback, then by id (stable). Each recommendation
//! says why it ranks where it does, against its neighbours, and whether
//! the optimizer's chosen portfolio includes it.

use steamflow_operators::economics::{
    Appraisal, Irr, ProjectInput, SensitivityInput, SensitivityRanges, TornadoRow, appraise,
    tornado,
};

use crate::candidate::Candidate;
use crate::portfolio::Choice;

/// How projects are appraised.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AppraisalSettings {
    /// Discount rate, a fraction a year.
    pub discount_rate: f64,
    /// Years of life.
    pub life_years: u32,
    /// Hours a year under steam.
    pub operating_hours: f64,
    /// Sensitivity ranges.
    pub ranges: SensitivityRanges,
}

/// One ranked recommendation.
#[derive(Clone, Debug, PartialEq)]
pub struct Recommendation {
    /// 1 is the first to do.
    pub rank: usize,
    /// The project.
    pub candidate: Candidate,
    /// NPV, IRR and paybacks.
    pub appraisal: Appraisal,
    /// Sensitivity of the NPV, longest bar first.
    pub tornado: Vec<TornadoRow>,
    /// True when the chosen portfolio includes it.
    pub in_portfolio: bool,
    /// Why it is (not) in the portfolio.
    pub portfolio_reason: Option<String>,
    /// Why it ranks where it does.
    pub why: String,
}

/// Appraises and ranks `candidates`. A candidate whose appraisal fails (a
/// figure out of range) is left out with its reason in the second list.
pub fn recommend(
    candidates: &[Candidate],
    settings: &AppraisalSettings,
    choice: Option<&Choice>,
) -> (Vec<Recommendation>, Vec<(String, String)>) {
    let mut refused = Vec::new();
    let mut ranked: Vec<(usize, Appraisal, Vec<TornadoRow>)> = Vec::new();
    for (i, c) in candidates.iter().enumerate() {
        let project = ProjectInput {
            capex: c.capex,
            annual_saving: c.savings.money_per_year,
            annual_cost: 0.0,
            life_years: settings.life_years,
            discount_rate: settings.discount_rate,
        };
        let appraisal = appraise(&project);
        let sensitivity = tornado(&SensitivityInput {
            project,
            fuel_share: c.fuel_share.clamp(0.0, 1.0),
            operating_hours: settings.operating_hours,
            ranges: settings.ranges,
        });
        match (appraisal, sensitivity) {
            (Ok(a), Ok((_, rows))) => ranked.push((i, a, rows)),
            (Err(e), _) | (_, Err(e)) => refused.push((c.id.clone(), e.to_string())),
        }
    }
    ranked.sort_by(|(i, a, _), (j, b, _)| {
        b.npv
            .total_cmp(&a.npv)
            .then(
                a.discounted_payback_years
                    .unwrap_or(f64::INFINITY)
                    .total_cmp(&b.discounted_payback_years.unwrap_or(f64::INFINITY)),
            )
            .then(
                candidates
                    .get(*i)
                    .map(|c| &c.id)
                    .cmp(&candidates.get(*j).map(|c| &c.id)),
            )
    });
    let npvs: Vec<f64> = ranked.iter().map(|(_, a, _)| a.npv).collect();
    let out = ranked
        .into_iter()
        .enumerate()
        .filter_map(|(k, (i, appraisal, rows))| {
            let c = candidates.get(i)?.clone();
            let in_portfolio = choice.is_some_and(|ch| ch.point.chosen.contains(&i));
            let why = why(k, &npvs, &c, &appraisal, settings, rows.first());
            Some(Recommendation {
                rank: k + 1,
                portfolio_reason: choice.and_then(|ch| ch.reasons.get(i).cloned()),
                candidate: c,
                appraisal,
                tornado: rows,
                in_portfolio,
                why,
            })
        })
        .collect();
    (out, refused)
}

fn why(
    k: usize,
    npvs: &[f64],
    c: &Candidate,
    a: &Appraisal,
    s: &AppraisalSettings,
    widest: Option<&TornadoRow>,
) -> String {
    let npv = a.npv;
    let mut text = format!(
        "NPV {npv:.0} over {} years at {:.0} %",
        s.life_years,
        s.discount_rate * 100.0
    );
    match a.simple_payback_years {
        Some(y) if y < 1.0 => text.push_str(&format!(", pays back in {:.0} days", y * 365.0)),
        Some(y) => text.push_str(&format!(", pays back in {y:.1} years")),
        None => text.push_str(", never pays back in money"),
    }
    if let Irr::Unique(r) = a.irr {
        text.push_str(&format!(", IRR {:.0} %", r * 100.0));
    }
    if let Some(prev) = k.checked_sub(1).and_then(|p| npvs.get(p)) {
        text.push_str(&format!("; below #{k} (NPV {prev:.0})"));
    } else {
        text.push_str("; the most valuable project");
    }
    if let Some(next) = npvs.get(k + 1) {
        text.push_str(&format!(", above #{} (NPV {next:.0})", k + 2));
    }
    if c.savings.energy_kw <= 0.0 {
        text.push_str("; it saves no steam, but protects the equipment it drains");
    }
    if let Some(row) = widest {
        text.push_str(&format!(
            "; most sensitive to the {} (NPV {:.0} to {:.0})",
            row.factor.as_str().replace('_', " "),
            row.npv_low.min(row.npv_high),
            row.npv_low.max(row.npv_high)
        ));
    }
    text
}

//! The point of the front chosen for given weights, and why each
//! candidate is in or out.
//!
//! Each objective is scaled over the front to 0 (its best value on the
//! front) .. 1 (its worst), so the weights compare like with like whatever
//! the units; the chosen point minimises the weighted sum of the scaled
//! objectives (ties: the cheaper). A weighted sum can reach every point of
//! the front's convex hull; points in its dents are on the front (and
//! reported) but only an ε-constraint choice would pick them.

use crate::front::{Front, FrontPoint, Problem};

/// How much each objective matters; only the ratios count.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weights {
    /// Energy still lost.
    pub energy: f64,
    /// Money spent.
    pub cost: f64,
    /// CO2 still emitted.
    pub co2: f64,
}

impl Default for Weights {
    /// Energy and CO2 together weigh twice the money: a plant that wants
    /// its losses gone, within its budget.
    fn default() -> Self {
        Weights {
            energy: 1.0,
            cost: 1.0,
            co2: 1.0,
        }
    }
}

/// The chosen portfolio.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    /// Its point of the front.
    pub point: FrontPoint,
    /// Why each candidate is in or out, by candidate index.
    pub reasons: Vec<String>,
    /// The choice in one paragraph.
    pub summary: String,
}

/// The point of `front` that minimises the weighted scaled objectives;
/// `None` for an empty front or weights that are not finite and ≥ 0.
pub fn choose(problem: &Problem, front: &Front, weights: &Weights) -> Option<Choice> {
    let w = [weights.energy, weights.cost, weights.co2];
    if w.iter().any(|x| !x.is_finite() || *x < 0.0) {
        return None;
    }
    let objectives = |p: &FrontPoint| [p.energy_loss_kw, p.capex, p.co2_t_per_year];
    let mut lo = [f64::INFINITY; 3];
    let mut hi = [f64::NEG_INFINITY; 3];
    for p in &front.points {
        for (k, v) in objectives(p).into_iter().enumerate() {
            lo[k] = lo[k].min(v);
            hi[k] = hi[k].max(v);
        }
    }
    let score = |p: &FrontPoint| -> f64 {
        objectives(p)
            .into_iter()
            .enumerate()
            .map(|(k, v)| {
                let span = hi[k] - lo[k];
                let scaled = if span > 0.0 { (v - lo[k]) / span } else { 0.0 };
                w[k] * scaled
            })
            .sum()
    };
    let best = front.points.iter().min_by(|a, b| {
        score(a)
            .total_cmp(&score(b))
            .then(a.capex.total_cmp(&b.capex))
    })?;
    let reasons = explain(problem, front, best);
    let summary = format!(
        "Of {} non-dominated portfolios, this one spends {:.0} of the {:.0} budget on {} of {} projects, \
         cuts the energy lost from {:.0} to {:.0} kW and CO2 from {:.0} to {:.0} t a year, and saves {:.0} a year. \
         Weights energy {:.2}, cost {:.2}, CO2 {:.2}, each objective scaled over the front.",
        front.points.len(),
        best.capex,
        problem.constraints.budget,
        best.chosen.len(),
        problem.candidates.len(),
        problem.baseline_energy_loss_kw,
        best.energy_loss_kw,
        problem.baseline_co2_t_per_year,
        best.co2_t_per_year,
        best.money_saved_per_year,
        weights.energy,
        weights.cost,
        weights.co2,
    );
    Some(Choice {
        point: best.clone(),
        reasons,
        summary,
    })
}

/// Why each candidate is in the chosen portfolio or not.
fn explain(problem: &Problem, front: &Front, chosen: &FrontPoint) -> Vec<String> {
    let remaining = problem.constraints.budget - chosen.capex;
    // The least energy per money among the chosen: what the margin buys.
    let marginal = chosen
        .chosen
        .iter()
        .filter_map(|&i| problem.candidates.get(i))
        .filter(|c| c.capex > 0.0)
        .map(|c| c.savings.energy_kw / c.capex * 1000.0)
        .fold(f64::INFINITY, f64::min);
    problem
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let per_1000 = if c.capex > 0.0 {
                c.savings.energy_kw / c.capex * 1000.0
            } else {
                f64::INFINITY
            };
            if chosen.chosen.contains(&i) {
                format!(
                    "chosen: saves {:.1} kW, {:.1} t CO2 and {:.0} a year for {:.0} ({:.2} kW per 1000 spent)",
                    c.savings.energy_kw,
                    c.savings.co2_t_per_year,
                    c.savings.money_per_year,
                    c.capex,
                    per_1000
                )
            } else if let Some((_, why)) = front.excluded.iter().find(|(j, _)| *j == i) {
                format!("left out: {why}")
            } else if c.savings.energy_kw <= 0.0 {
                "left out: it saves no energy, so it adds cost and nothing else the objectives count"
                    .to_owned()
            } else if c.capex > remaining {
                format!(
                    "left out: it costs {:.0} and {:.0} of the budget is left; the chosen projects save more per money",
                    c.capex, remaining
                )
            } else if let Some(group) = &c.exclusive_group
                && chosen.chosen.iter().any(|&j| {
                    problem
                        .candidates
                        .get(j)
                        .and_then(|o| o.exclusive_group.as_ref())
                        == Some(group)
                })
            {
                "left out: an alternative of the same change is chosen".to_owned()
            } else {
                format!(
                    "left out at these weights: {:.2} kW per 1000 spent, against {:.2} for the least effective chosen project; \
                     the money it needs weighs more than what it saves",
                    per_1000, marginal
                )
            }
        })
        .collect()
}

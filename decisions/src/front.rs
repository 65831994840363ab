//! The exact Pareto front of project portfolios.
//!
//! # The problem
//!
//! Choose a subset S of the candidates (a portfolio) that respects
//!
//! - the budget: Σ capex ≤ B;
//! - condensate recovery: (returned + Σ gains) / produced ≥ the floor
//!   (70 % by default, the seed's target) — or no portfolio at all when
//!   the plant already meets it and S changes nothing;
//! - header pressures: each header changed at most once, to a pressure
//!   within its limits (the lowest its consumers allow, its design);
//! - exclusive groups: at most one candidate of each,
//!
//! minimising three objectives together: the energy still lost
//! (baseline − Σ kW saved), the money spent (Σ capex) and the CO2 still
//! emitted (baseline − Σ t saved). The front is every objective vector no
//! feasible portfolio dominates, each with one portfolio that attains it.
//!
//! # The algorithm, and why it is exact
//!
//! Objective values are first made integers at a stated resolution (1 W,
//! 0.01 of the currency, 1 kg CO2 a year): sums are then exact, so the
//! front is exactly defined and tests can compare it with enumeration.
//!
//! Candidates that take part in no constraint but the budget ("free")
//! form a multi-objective 0/1 knapsack, solved by dynamic programming with
//! dominance pruning (Nemhauser & Ullmann, 1969; for several objectives
//! Bazgan, Hugot & Vanderpooten, 2009): after item k the state set holds
//! the non-dominated vectors (capex, −kW saved, −CO2 saved) of the subsets
//! of the first k items within the budget. Pruning is safe because the
//! objectives are additive and the budget is monotone: if partial subset
//! A is no worse than B in every coordinate, then A ∪ T is feasible
//! whenever B ∪ T is and no worse, for every completion T — so no
//! non-dominated final portfolio is lost. The non-dominated filter sorts
//! the vectors and keeps a staircase of the last two coordinates: O(q log q)
//! for q vectors, exact in three dimensions.
//!
//! The few constrained candidates (condensate, header pressure, exclusive
//! alternatives; at most [`MAX_CONSTRAINED`]) are enumerated: every
//! feasible combination is added to every free vector within the rest of
//! the budget, and the union is filtered once more. The free front under
//! budget B contains, for any smaller budget, a vector no worse than every
//! free subset within it, so the union's filter is exact too.
//!
//! Work is O(n · q log q) for n free candidates and q front vectors. q is
//! small in practice: energy and CO2 saved are proportional for every
//! project burning the same fuel, so the three-objective front is the
//! two-objective (spend, save) one, which stays far below the 2ⁿ subsets.

use std::collections::BTreeMap;

use crate::candidate::Candidate;

/// Most constrained candidates enumerated (2²⁰ combinations at most).
pub const MAX_CONSTRAINED: usize = 20;

/// Resolution of energy \[W per unit\].
const ENERGY_UNIT_W: f64 = 1.0;
/// Resolution of money \[currency per unit\].
const MONEY_UNIT: f64 = 0.01;
/// Resolution of CO2 \[kg a year per unit\].
const CO2_UNIT_KG: f64 = 1.0;

/// A header's allowed operating pressures.
#[derive(Clone, Debug, PartialEq)]
pub struct HeaderLimit {
    /// The header.
    pub header: String,
    /// The lowest pressure its consumers allow \[barg\].
    pub min_barg: f64,
    /// The highest (its design) \[barg\].
    pub max_barg: f64,
}

/// The constraints of a portfolio.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraints {
    /// Most money to spend.
    pub budget: f64,
    /// Least condensate recovery, a fraction (0.7).
    pub min_condensate_recovery: f64,
    /// Condensate formed \[kg/h\].
    pub condensate_produced_kg_h: f64,
    /// Condensate returned now \[kg/h\].
    pub condensate_returned_kg_h: f64,
    /// Pressure limits of headers; a header without one cannot be changed.
    pub header_limits: Vec<HeaderLimit>,
}

/// What the optimizer is given.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// The candidates.
    pub candidates: Vec<Candidate>,
    /// Energy lost now \[kW\].
    pub baseline_energy_loss_kw: f64,
    /// CO2 emitted by those losses now \[t/year\].
    pub baseline_co2_t_per_year: f64,
    /// The constraints.
    pub constraints: Constraints,
}

/// One point of the front.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontPoint {
    /// Money spent.
    pub capex: f64,
    /// Energy still lost \[kW\].
    pub energy_loss_kw: f64,
    /// CO2 still emitted \[t/year\].
    pub co2_t_per_year: f64,
    /// Money saved a year by the portfolio.
    pub money_saved_per_year: f64,
    /// The portfolio: indices into the candidates, ascending.
    pub chosen: Vec<usize>,
    /// The integer objective vector (capex, −energy saved, −CO2 saved).
    pub key: [i64; 3],
}

/// The front, every point non-dominated, sorted by capex.
#[derive(Clone, Debug, PartialEq)]
pub struct Front {
    /// The points.
    pub points: Vec<FrontPoint>,
    /// Candidates that can never be chosen, and why.
    pub excluded: Vec<(usize, String)>,
}

/// Why there is no front.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FrontError {
    /// A number is NaN, infinite or out of range.
    #[error("{0}")]
    Invalid(String),
    /// No portfolio satisfies the constraints.
    #[error("no portfolio satisfies the constraints: {0}")]
    Infeasible(String),
    /// Too many candidates take part in constraints to enumerate.
    #[error(
        "{0} candidates change condensate, header pressure or are alternatives; at most {MAX_CONSTRAINED} can be weighed exactly"
    )]
    TooManyConstrained(usize),
}

/// A candidate's integer vector (capex, −kW, −CO2): every objective minimised.
fn key_of(c: &Candidate) -> Result<[i64; 3], FrontError> {
    let q = |name: &str, value: f64, unit: f64| -> Result<i64, FrontError> {
        let units = (value / unit).round();
        if !value.is_finite() || units.abs() > 1e15 {
            return Err(FrontError::Invalid(format!(
                "candidate {}: {name} {value} is not a usable number",
                c.id
            )));
        }
        Ok(units as i64)
    };
    if c.capex < 0.0 {
        return Err(FrontError::Invalid(format!(
            "candidate {}: capex {} is negative",
            c.id, c.capex
        )));
    }
    Ok([
        q("capex", c.capex, MONEY_UNIT)?,
        -q("energy saved", c.savings.energy_kw * 1000.0, ENERGY_UNIT_W)?,
        -q("CO2 saved", c.savings.co2_t_per_year * 1000.0, CO2_UNIT_KG)?,
    ])
}

fn add(a: [i64; 3], b: [i64; 3]) -> [i64; 3] {
    [
        a[0].saturating_add(b[0]),
        a[1].saturating_add(b[1]),
        a[2].saturating_add(b[2]),
    ]
}

/// The portfolios of the free candidates kept after each step: their
/// vectors, and a bitset per portfolio (bit b: the b-th free candidate is
/// in it) stored row by row in one slab, so a step copies memory instead
/// of allocating.
struct States {
    keys: Vec<[i64; 3]>,
    words: usize,
    slab: Vec<u64>,
}

impl States {
    fn row(&self, index: usize) -> Option<&[u64]> {
        self.slab.get(index * self.words..(index + 1) * self.words)
    }

    /// The free candidates (bit numbers) of portfolio `index`.
    fn members(&self, index: usize) -> Vec<usize> {
        let Some(row) = self.row(index) else {
            return Vec::new();
        };
        row.iter()
            .enumerate()
            .flat_map(|(w, &word)| {
                (0..64)
                    .filter(move |b| word & (1u64 << b) != 0)
                    .map(move |b| w * 64 + b)
            })
            .collect()
    }
}

/// Merges two sequences sorted by vector into one sorted sequence, lazily;
/// on equal vectors the first sequence's item comes first.
fn merge<T>(
    a: impl Iterator<Item = ([i64; 3], T)>,
    b: impl Iterator<Item = ([i64; 3], T)>,
) -> impl Iterator<Item = ([i64; 3], T)> {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => x.0 <= y.0,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        if take_a { a.next() } else { b.next() }
    })
}

/// The non-dominated filter over vectors that arrive sorted: a vector is
/// kept when no vector kept before it is no worse in the last two
/// coordinates (the first is no worse by the order). It keeps a staircase
/// of the kept (second, third) coordinates: second ascending, third
/// strictly descending.
#[derive(Default)]
struct Staircase(BTreeMap<i64, i64>);

impl Staircase {
    /// Whether `key` is kept, recording it when it is.
    fn admit(&mut self, key: [i64; 3]) -> bool {
        let [_, b, c] = key;
        if let Some((_, &best_c)) = self.0.range(..=b).next_back()
            && best_c <= c
        {
            return false;
        }
        // The steps the new one covers: second ≥ b and third ≥ c, a run
        // from b upwards (the third coordinate descends along the stairs).
        while let Some((&sb, &sc)) = self.0.range(b..).next() {
            if sc < c {
                break;
            }
            self.0.remove(&sb);
        }
        self.0.insert(b, c);
        true
    }
}

/// Keeps the non-dominated vectors (one state per distinct vector),
/// sorted by vector.
fn non_dominated<T: Copy>(mut points: Vec<([i64; 3], T)>) -> Vec<([i64; 3], T)> {
    points.sort_by_key(|a| a.0);
    let mut stairs = Staircase::default();
    points.retain(|(key, _)| stairs.admit(*key));
    points
}

/// The exact Pareto front of `problem` (see the module docs).
///
/// Errors: a non-finite or negative number, more than
/// [`MAX_CONSTRAINED`] constrained candidates, or no feasible portfolio.
pub fn pareto_front(problem: &Problem) -> Result<Front, FrontError> {
    let cons = &problem.constraints;
    for (name, v) in [
        ("budget", cons.budget),
        ("condensate recovery floor", cons.min_condensate_recovery),
        ("condensate produced", cons.condensate_produced_kg_h),
        ("condensate returned", cons.condensate_returned_kg_h),
        ("baseline energy loss", problem.baseline_energy_loss_kw),
        ("baseline CO2", problem.baseline_co2_t_per_year),
    ] {
        if !v.is_finite() || (v < 0.0 && name != "baseline energy loss") {
            return Err(FrontError::Invalid(format!("{name} is {v}")));
        }
    }
    let budget = (cons.budget / MONEY_UNIT).round() as i64;
    let keys: Vec<[i64; 3]> = problem
        .candidates
        .iter()
        .map(key_of)
        .collect::<Result<_, _>>()?;

    let mut excluded = Vec::new();
    let mut free = Vec::new();
    let mut constrained = Vec::new();
    for (i, c) in problem.candidates.iter().enumerate() {
        let over_budget = keys.get(i).is_some_and(|k| k[0] > budget);
        if over_budget {
            excluded.push((i, "costs more than the whole budget".to_owned()));
        } else if let Some(reason) = header_violation(c, &cons.header_limits) {
            excluded.push((i, reason));
        } else if c.is_constrained() {
            constrained.push(i);
        } else {
            free.push(i);
        }
    }
    if constrained.len() > MAX_CONSTRAINED {
        return Err(FrontError::TooManyConstrained(constrained.len()));
    }

    // The free candidates: multi-objective knapsack by dynamic programming.
    let words = free.len().div_ceil(64).max(1);
    let mut states = States {
        keys: vec![[0, 0, 0]],
        words,
        slab: vec![0; words],
    };
    for (bit, &i) in free.iter().enumerate() {
        let Some(&k) = keys.get(i) else { continue };
        // Both sequences stay sorted by vector: the kept states are, and
        // adding the same vector to each keeps their order.
        let without = states
            .keys
            .iter()
            .enumerate()
            .map(|(s, key)| (*key, (s, false)));
        let with = states
            .keys
            .iter()
            .enumerate()
            .filter(|(_, key)| key[0].saturating_add(k[0]) <= budget)
            .map(|(s, key)| (add(*key, k), (s, true)));
        let mut stairs = Staircase::default();
        let mut next = States {
            keys: Vec::with_capacity(states.keys.len() * 2),
            words,
            slab: Vec::with_capacity(states.slab.len() * 2),
        };
        for (key, (s, took)) in merge(without, with) {
            if !stairs.admit(key) {
                continue;
            }
            let row_start = next.slab.len();
            match states.row(s) {
                Some(row) => next.slab.extend_from_slice(row),
                None => next.slab.resize(row_start + words, 0),
            }
            if took && let Some(word) = next.slab.get_mut(row_start + bit / 64) {
                *word |= 1u64 << (bit % 64);
            }
            next.keys.push(key);
        }
        states = next;
    }

    // The constrained candidates: every feasible combination.
    let mut combined: Vec<([i64; 3], (usize, u32))> = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    for mask in 0u32..(1u32 << constrained.len()) {
        let picked: Vec<usize> = constrained
            .iter()
            .enumerate()
            .filter(|(bit, _)| mask & (1 << bit) != 0)
            .map(|(_, &i)| i)
            .collect();
        if let Err(reason) = combination_feasible(problem, &picked) {
            if reasons.len() < 3 && !reasons.contains(&reason) {
                reasons.push(reason);
            }
            continue;
        }
        let base = picked
            .iter()
            .filter_map(|&i| keys.get(i))
            .fold([0, 0, 0], |acc, k| add(acc, *k));
        if base[0] > budget {
            continue;
        }
        for (s, key) in states.keys.iter().enumerate() {
            let key = add(base, *key);
            if key[0] <= budget {
                combined.push((key, (s, mask)));
            }
        }
    }
    if combined.is_empty() {
        return Err(FrontError::Infeasible(reasons.join("; ")));
    }
    let points = non_dominated(combined)
        .into_iter()
        .map(|(key, (s, mask))| {
            let mut chosen: Vec<usize> = states
                .members(s)
                .into_iter()
                .filter_map(|bit| free.get(bit).copied())
                .collect();
            chosen.extend(
                constrained
                    .iter()
                    .enumerate()
                    .filter(|(bit, _)| mask & (1 << bit) != 0)
                    .map(|(_, &i)| i),
            );
            chosen.sort_unstable();
            point(problem, key, chosen)
        })
        .collect();
    excluded.sort();
    Ok(Front { points, excluded })
}

/// The figures of a portfolio.
fn point(problem: &Problem, key: [i64; 3], chosen: Vec<usize>) -> FrontPoint {
    let money = chosen
        .iter()
        .filter_map(|&i| problem.candidates.get(i))
        .map(|c| c.savings.money_per_year)
        .sum();
    FrontPoint {
        capex: key[0] as f64 * MONEY_UNIT,
        energy_loss_kw: problem.baseline_energy_loss_kw + key[1] as f64 * ENERGY_UNIT_W / 1000.0,
        co2_t_per_year: problem.baseline_co2_t_per_year + key[2] as f64 * CO2_UNIT_KG / 1000.0,
        money_saved_per_year: money,
        chosen,
        key,
    }
}

/// Why a candidate's header change is outside the limits, if it is.
fn header_violation(c: &Candidate, limits: &[HeaderLimit]) -> Option<String> {
    let change = c.header_change.as_ref()?;
    let Some(limit) = limits.iter().find(|l| l.header == change.header) else {
        return Some(format!(
            "header {} has no pressure limits: its consumers' needs are unknown",
            change.header
        ));
    };
    if !(limit.min_barg..=limit.max_barg).contains(&change.to_barg) {
        return Some(format!(
            "{:.2} barg is outside header {}'s limits {:.2} to {:.2} barg",
            change.to_barg, change.header, limit.min_barg, limit.max_barg
        ));
    }
    None
}

/// Whether a set of constrained candidates can be chosen together.
///
/// Exclusive groups and headers: at most one each. Condensate recovery
/// after the set must reach the floor (when nothing is produced, it does).
pub fn combination_feasible(problem: &Problem, picked: &[usize]) -> Result<(), String> {
    let cons = &problem.constraints;
    let mut groups: Vec<&str> = Vec::new();
    let mut headers: Vec<&str> = Vec::new();
    let mut gain = 0.0;
    for c in picked.iter().filter_map(|&i| problem.candidates.get(i)) {
        if let Some(g) = c.exclusive_group.as_deref() {
            if groups.contains(&g) {
                return Err(format!("alternatives of {g} exclude each other"));
            }
            groups.push(g);
        }
        if let Some(h) = c.header_change.as_ref() {
            if headers.contains(&h.header.as_str()) {
                return Err(format!("header {} can take one pressure", h.header));
            }
            headers.push(&h.header);
        }
        gain += c.condensate_gain_kg_h;
    }
    if cons.condensate_produced_kg_h > 0.0 {
        let rate = (cons.condensate_returned_kg_h + gain) / cons.condensate_produced_kg_h;
        if rate + 1e-12 < cons.min_condensate_recovery {
            return Err(format!(
                "condensate recovery would be {:.0} %, below the {:.0} % floor",
                rate * 100.0,
                cons.min_condensate_recovery * 100.0
            ));
        }
    }
    Ok(())
}

/// Objective vector of a portfolio at the front's resolution, or `None`
/// when it breaks a constraint; for checking the front by enumeration.
pub fn evaluate(problem: &Problem, chosen: &[usize]) -> Option<[i64; 3]> {
    let budget = (problem.constraints.budget / MONEY_UNIT).round() as i64;
    let mut key = [0, 0, 0];
    let mut constrained = Vec::new();
    for &i in chosen {
        let c = problem.candidates.get(i)?;
        if header_violation(c, &problem.constraints.header_limits).is_some() {
            return None;
        }
        if c.is_constrained() {
            constrained.push(i);
        }
        key = add(key, key_of(c).ok()?);
    }
    (key[0] <= budget && combination_feasible(problem, &constrained).is_ok()).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staircase_filter_keeps_exactly_the_non_dominated() {
        let pts = vec![
            ([0, 0, 0], 0),
            ([1, -5, -5], 1),
            ([1, -5, -5], 2), // duplicate
            ([2, -5, -5], 3), // dominated by 1
            ([2, -6, -4], 4),
            ([3, -4, -6], 5),
            ([3, -4, -4], 6), // dominated by 1
            ([4, -7, -7], 7),
        ];
        let kept: Vec<usize> = non_dominated(pts).into_iter().map(|(_, v)| v).collect();
        assert_eq!(kept, vec![0, 1, 4, 5, 7]);
    }
}

//! Views over the demo plant give the numbers the pipeline computes.

use super::harness::{close, demo, int, num, records, run};

/// Steam generated, from the boiler meters' 1-minute means, and the mass
/// closure recomputed from it and the balance's other terms
/// (closure = (consumption + known losses) / (generation + flash recovered)).
const CLOSURE: &str = r#"
[views.closure]
sql = """
WITH metered AS (
    SELECT plant, CAST(window_start AS BIGINT) AS window_start, sum(mean) AS generation_kg_h
    FROM window_aggregates
    WHERE "window" = '1m' AND tag IN ('north.b1.flow', 'north.b2.flow')
    GROUP BY plant, window_start
)
SELECT b.plant, b.window_start, m.generation_kg_h,
       (b.consumption_kg_h + b.known_losses_kg_h)
         / (m.generation_kg_h + b.flash_recovered_kg_h) * 100 AS mass_closure_pct
FROM balances AS b
JOIN metered AS m ON m.plant = b.plant AND m.window_start = b.window_start
"""
"#;

#[test]
fn a_view_recomputing_the_balance_closure_from_window_aggregates_equals_the_balances_stream() {
    let config = demo(CLOSURE, 1800);
    let report = run(&config, &["balances", "closure"]);
    let balances = records(&report, "balances");
    let closure = records(&report, "closure");
    assert!(balances.len() >= 25, "{} balances", balances.len());
    assert_eq!(closure.len(), balances.len(), "one row per balance");
    for balance in &balances {
        let start = int(balance, "window_start");
        let row = closure
            .iter()
            .find(|row| int(row, "window_start") == start)
            .unwrap_or_else(|| panic!("no view row for the window at {start}"));
        let (generation, closure_pct) = (num(row, "generation_kg_h"), num(row, "mass_closure_pct"));
        assert!(
            close(generation, num(balance, "generation_kg_h"), 1e-9),
            "window {start}: generation {generation} vs {balance:?}"
        );
        assert!(
            close(closure_pct, num(balance, "mass_closure_pct"), 1e-9),
            "window {start}: closure {closure_pct} vs {balance:?}"
        );
    }
    let views = report.views.as_ref().expect("the run had views");
    assert!(views.evaluations() >= 25, "{}", views.summary());
    assert!(views.quantile_s(0.5).is_some(), "{}", views.summary());
}

/// The example views of `sql/views/` as live views.
const EXAMPLES: &str = r#"
[views.top_losses]
file = "sql/views/top_losses_by_cost.sql"

[views.traps_by_state]
file = "sql/views/traps_by_state.sql"

[views.daily_energy_balance]
file = "sql/views/daily_energy_balance.sql"
"#;

#[test]
fn the_example_views_run_live_over_the_demo_plant() {
    // Past the digester trap's failure (20 minutes in).
    let config = demo(EXAMPLES, 1800);
    let report = run(
        &config,
        &["top_losses", "traps_by_state", "daily_energy_balance"],
    );
    let traps: f64 = records(&report, "traps_by_state")
        .iter()
        .map(|row| num(row, "traps"))
        .sum();
    assert_eq!(traps, 8.0, "the demo plant's eight traps");
    let daily = records(&report, "daily_energy_balance");
    assert_eq!(daily.len(), 1, "{daily:?}");
    assert!(num(&daily[0], "generated_t") > 0.0, "{daily:?}");
    let losses = records(&report, "top_losses");
    assert!(
        losses
            .iter()
            .any(|row| row.get("asset").and_then(|a| a.as_str()) == Some("t_digester")),
        "the failed digester trap is among the top losses: {losses:?}"
    );
}

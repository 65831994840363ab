//! A healthy plant: a day without a critical or high alert, and a balance
//! that closes within the seed's bounds (mass ±5 %, energy ±7 %).

use super::harness::{demo, num, run, text};

#[test]
fn a_healthy_day_raises_no_critical_or_high_alert() {
    // 24 hours at one sample a minute: the whole daily demand cycle.
    let run = run(
        &demo(Vec::new(), 86_400, 60_000),
        1,
        &["alerts", "balances"],
    );
    let serious: Vec<String> = run
        .records("alerts")
        .iter()
        .filter(|a| matches!(text(a, "severity"), "critical" | "high"))
        .map(|a| {
            format!(
                "{} {} {}",
                text(a, "rule"),
                text(a, "asset"),
                text(a, "message")
            )
        })
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");
    assert!(run.records("balances").len() > 1000, "the day was analysed");
}

#[test]
fn a_healthy_plant_balance_closes_within_the_seeds_bounds() {
    let run = run(&demo(Vec::new(), 3600, 5000), 2, &["balances"]);
    let balances = run.records("balances");
    assert!(balances.len() >= 55, "{} windows", balances.len());
    for balance in &balances {
        let (mass, energy) = (
            num(balance, "mass_closure_pct"),
            num(balance, "energy_closure_pct"),
        );
        assert!((mass - 100.0).abs() <= 5.0, "mass closes at {mass} %");
        assert!((energy - 100.0).abs() <= 7.0, "energy closes at {energy} %");
        assert_eq!(balance["mass_closes"], true);
        assert_eq!(balance["energy_closes"], true);
    }
}

//! Candidates from a situation, appraised and ranked.

use steamflow_decisions::rank::AppraisalSettings;
use steamflow_decisions::{
    CostAssumptions, FailedTrap, LeakFound, Prices, ProjectKind, Situation, candidates, recommend,
};
use steamflow_operators::economics::SensitivityRanges;

fn prices() -> Prices {
    Prices {
        money_per_kwh: 0.04,
        co2_t_per_mwh: 0.24,
        water_per_t: 2.5,
        hours_per_year: 8760.0,
        fuel_share: 0.9,
    }
}

fn settings() -> AppraisalSettings {
    AppraisalSettings {
        discount_rate: 0.08,
        life_years: 5,
        operating_hours: 8760.0,
        ranges: SensitivityRanges::default(),
    }
}

/// The bigger loss ranks first, a blocked trap (no steam lost) last, and
/// each says why.
#[test]
fn ranked_by_net_present_value() {
    let situation = Situation {
        failed_traps: vec![
            FailedTrap {
                id: "t_small".into(),
                trap_type: "thermodynamic".into(),
                state: "leaking".into(),
                confidence: 0.8,
                loss_kg_h: 20.0,
                loss_kw: 15.0,
                cost_per_year: 6_000.0,
            },
            FailedTrap {
                id: "t_blocked".into(),
                trap_type: "thermostatic".into(),
                state: "blocked".into(),
                confidence: 0.9,
                loss_kg_h: 0.0,
                loss_kw: 0.0,
                cost_per_year: 0.0,
            },
        ],
        leaks: vec![LeakFound {
            segment: Some("s1".into()),
            loss_kg_h: 50.0,
            loss_kw: 35.0,
            cost_per_year: 15_000.0,
            equivalent_diameter_mm: Some(4.0),
            confidence: 0.7,
        }],
        ..Situation::default()
    };
    let cands = candidates(&situation, &prices(), &CostAssumptions::default());
    assert_eq!(cands.len(), 3);
    let (recs, refused) = recommend(&cands, &settings(), None);
    assert!(refused.is_empty(), "{refused:?}");
    let order: Vec<&str> = recs.iter().map(|r| r.candidate.id.as_str()).collect();
    assert_eq!(
        order,
        [
            "fix_leak:s1",
            "repair_trap:t_small",
            "repair_trap:t_blocked"
        ]
    );
    assert_eq!(recs[0].candidate.kind, ProjectKind::FixLeak);
    assert!(recs[0].why.contains("most valuable"), "{}", recs[0].why);
    assert!(recs[1].why.contains("below #1"), "{}", recs[1].why);
    assert!(
        recs[2].why.contains("protects the equipment"),
        "{}",
        recs[2].why
    );
    // The leak's CO2 follows its energy: 35 kW × 8760 h × 0.24 t/MWh.
    let co2 = recs[0].candidate.savings.co2_t_per_year;
    assert!((co2 - 35.0 * 8.76 * 0.24).abs() < 1e-9, "{co2}");
    // Repair cost 500 + 4 mm × 100 = 900; simple payback 900 / 15 000 a year.
    let pb = recs[0].appraisal.simple_payback_years.unwrap();
    assert!((pb - 0.06).abs() < 1e-12, "{pb}");
    assert_eq!(recs[0].tornado.len(), 3);
}

//! Recommendations on the demo plant: its two injected faults — the
//! digester's trap blown open and a 4 mm hole in the main to the digester —
//! are recommended for repair, ranked by what each truly costs.
//!
//! "Truly" is the physics of the fault as injected, independent of the
//! analysis that found it: the orifice equation (C_d 0.7) for a 10 mm trap
//! seat between the 10 barg main and the 3 barg flash vessel, and for a
//! 4 mm hole from the 10 barg main to the atmosphere, priced at the demo's
//! 35 per tonne for 8760 h.

use steamflow::dataflow::names;
use steamflow_operators::analysis::leak::{OrificeLeak, orifice_leak};
use steamflow_operators::analysis::trap_loss::{TrapLossInput, trap_loss};
use steamflow_operators::units::{Length, Pressure};
use steamflow_simulator::FaultKind;

use super::harness::{Record, demo, fault, int, num, run, text};

const TONNE_PRICE: f64 = 35.0;

/// The true cost a year of each injected fault.
fn true_costs() -> [(&'static str, f64); 2] {
    let trap = trap_loss(&TrapLossInput {
        downstream_pressure: Pressure::from_barg(3.0),
        ..TrapLossInput::blow_through(Pressure::from_barg(10.0), Length::from_mm(10.0))
    })
    .unwrap();
    let leak = orifice_leak(&OrificeLeak::saturated_to_atmosphere(
        Pressure::from_barg(10.0),
        Length::from_mm(4.0),
    ))
    .unwrap();
    let per_year = |kg_h: f64| kg_h * 8760.0 / 1000.0 * TONNE_PRICE;
    [
        (
            "repair_trap:t_digester",
            per_year(trap.steam_loss.kg_per_h()),
        ),
        ("fix_leak:s_hp_2", per_year(leak.mass_flow.kg_per_h())),
    ]
}

#[test]
fn the_demo_faults_rank_by_their_true_cost() {
    let faults = vec![
        fault(FaultKind::TrapBlownOpen, 600, |f| {
            f.trap = Some("t_digester".to_owned());
        }),
        fault(FaultKind::Leak, 900, |f| {
            f.segment = Some("s_hp_2".to_owned());
            f.diameter_mm = Some(4.0);
        }),
    ];
    let streams = run(&demo(faults, 2400, 2000), 1, &[names::RECOMMENDATIONS]);
    let records = streams.records(names::RECOMMENDATIONS);
    let last = records
        .iter()
        .map(|r| int(r, "window_start"))
        .max()
        .unwrap();
    let mut current: Vec<&Record> = records
        .iter()
        .filter(|r| int(r, "window_start") == last)
        .collect();
    current.sort_by_key(|r| int(r, "rank"));
    for r in &current {
        eprintln!(
            "#{} {} {:.0} kg/h {:.0}/yr npv {:.0}: {}",
            int(r, "rank"),
            text(r, "id"),
            num(r, "savings_kg_h"),
            num(r, "savings_per_year"),
            num(r, "npv"),
            text(r, "why")
        );
    }
    let rank_of = |id: &str| {
        current
            .iter()
            .find(|r| text(r, "id") == id)
            .map(|r| (int(r, "rank"), num(r, "savings_per_year")))
            .unwrap_or_else(|| panic!("no recommendation `{id}` in the last window"))
    };
    let mut truth = true_costs();
    truth.sort_by(|a, b| b.1.total_cmp(&a.1));
    let ranks: Vec<i64> = truth.iter().map(|(id, _)| rank_of(id).0).collect();
    assert!(
        ranks.windows(2).all(|w| w[0] < w[1]),
        "true costs {truth:?} but ranks {ranks:?}"
    );
    // Each estimate is of the size of the truth (the analysis sizes from
    // temperatures and ultrasound, not from the injected diameter).
    for (id, cost) in truth {
        let (_, estimate) = rank_of(id);
        assert!(
            estimate > cost / 2.5 && estimate < cost * 2.5,
            "{id}: estimated {estimate:.0} a year, truly {cost:.0}"
        );
    }
    // Every recommendation is actionable: an action, a cost, a reason.
    for r in &current {
        assert!(!text(r, "action").is_empty() && !text(r, "why").is_empty());
        assert!(num(r, "capex") > 0.0);
        assert!(!text(r, "difficulty").is_empty());
    }
    // Both repairs fit the 20 000 budget and the optimizer takes them.
    for id in ["repair_trap:t_digester", "fix_leak:s_hp_2"] {
        let r = current.iter().find(|r| text(r, "id") == id).unwrap();
        assert_eq!(
            r.get("in_portfolio").and_then(|v| v.as_bool()),
            Some(true),
            "{r:?}"
        );
    }
}

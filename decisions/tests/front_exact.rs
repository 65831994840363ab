//! The optimizer's front against brute-force enumeration of every
//! portfolio, on random small instances.

use proptest::prelude::*;
use steamflow_decisions::front::evaluate;
use steamflow_decisions::{
    Candidate, Constraints, Difficulty, FrontError, HeaderChange, HeaderLimit, Problem,
    ProjectKind, Savings, Weights, choose, pareto_front,
};

fn candidate(i: usize, capex: f64, kw: f64, co2: f64) -> Candidate {
    Candidate {
        id: format!("c{i}"),
        kind: ProjectKind::RepairTrap,
        asset: format!("t{i}"),
        action: format!("repair t{i}"),
        capex,
        savings: Savings {
            steam_kg_h: kw * 1.3,
            energy_kw: kw,
            money_per_year: kw * 500.0,
            co2_t_per_year: co2,
        },
        fuel_share: 0.9,
        condensate_gain_kg_h: 0.0,
        header_change: None,
        exclusive_group: None,
        difficulty: Difficulty::Low,
        operational_impact: String::new(),
        basis: String::new(),
    }
}

/// A random instance: free candidates, a condensate project, two
/// alternative pressures of one header (one possibly outside its limits).
fn instance() -> impl Strategy<Value = Problem> {
    (
        prop::collection::vec((0.0f64..2_000.0, 0.0f64..300.0, 0.0f64..4.0), 0..9),
        (0.0f64..3_000.0, 0.0f64..100.0, 0.0f64..800.0),
        prop::option::of((0.0f64..3_000.0, 0.0f64..50.0, 0.0f64..50.0, 8.0f64..10.5)),
        (0.0f64..6_000.0, 0.3f64..0.95, 0.0f64..1.0),
        any::<bool>(),
    )
        .prop_map(
            |(free, cond, header, (budget, floor, returned), proportional)| {
                let mut candidates: Vec<Candidate> = free
                    .into_iter()
                    .enumerate()
                    .map(|(i, (capex, kw, co2_per_kw))| {
                        let co2 = if proportional {
                            kw * 1.7
                        } else {
                            kw * co2_per_kw
                        };
                        candidate(i, capex, kw, co2)
                    })
                    .collect();
                let n = candidates.len();
                let mut c = candidate(n, cond.0, cond.1, cond.1 * 1.7);
                c.kind = ProjectKind::RaiseCondensateRecovery;
                c.condensate_gain_kg_h = cond.2;
                candidates.push(c);
                if let Some((capex, kw1, kw2, to)) = header {
                    for (k, (kw, to)) in [(kw1, to), (kw2, to - 0.5)].into_iter().enumerate() {
                        let mut h = candidate(n + 1 + k, capex, kw, kw * 1.7);
                        h.kind = ProjectKind::LowerHeaderPressure;
                        h.header_change = Some(HeaderChange {
                            header: "hp".into(),
                            from_barg: 10.5,
                            to_barg: to,
                        });
                        h.exclusive_group = Some("header:hp".into());
                        candidates.push(h);
                    }
                }
                Problem {
                    candidates,
                    baseline_energy_loss_kw: 3_000.0,
                    baseline_co2_t_per_year: 5_000.0,
                    constraints: Constraints {
                        budget,
                        min_condensate_recovery: floor,
                        condensate_produced_kg_h: 1_000.0,
                        condensate_returned_kg_h: 1_000.0 * returned * 0.9,
                        header_limits: vec![HeaderLimit {
                            header: "hp".into(),
                            min_barg: 8.5,
                            max_barg: 13.0,
                        }],
                    },
                }
            },
        )
}

/// Every objective vector no feasible portfolio dominates, by enumeration.
fn brute_force(problem: &Problem) -> Vec<[i64; 3]> {
    let n = problem.candidates.len();
    let mut feasible: Vec<[i64; 3]> = (0u32..(1 << n))
        .filter_map(|mask| {
            let chosen: Vec<usize> = (0..n).filter(|i| mask & (1 << i) != 0).collect();
            evaluate(problem, &chosen)
        })
        .collect();
    feasible.sort();
    feasible.dedup();
    let dominated = |a: &[i64; 3], b: &[i64; 3]| a != b && (0..3).all(|k| b[k] <= a[k]);
    feasible
        .iter()
        .filter(|a| !feasible.iter().any(|b| dominated(a, b)))
        .copied()
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The front is exactly the non-dominated set of every feasible
    /// portfolio, each point's portfolio is feasible and attains it.
    #[test]
    fn front_equals_enumeration(problem in instance()) {
        let expected = brute_force(&problem);
        match pareto_front(&problem) {
            Ok(front) => {
                let mut found: Vec<[i64; 3]> = front.points.iter().map(|p| p.key).collect();
                found.sort();
                prop_assert_eq!(&found, &expected);
                for p in &front.points {
                    // The portfolio reported attains the point and keeps every constraint.
                    prop_assert_eq!(evaluate(&problem, &p.chosen), Some(p.key));
                    prop_assert!(p.capex <= problem.constraints.budget + 0.005);
                }
                let choice = choose(&problem, &front, &Weights::default());
                prop_assert!(choice.is_some());
            }
            Err(FrontError::Infeasible(_)) => prop_assert!(expected.is_empty()),
            Err(e) => prop_assert!(false, "{e}"),
        }
    }
}

/// The condensate floor forces the return project in, whatever it costs.
#[test]
fn condensate_floor_forces_the_return_project() {
    let mut cond = candidate(1, 900.0, 10.0, 17.0);
    cond.condensate_gain_kg_h = 300.0;
    let problem = Problem {
        candidates: vec![candidate(0, 100.0, 50.0, 85.0), cond],
        baseline_energy_loss_kw: 500.0,
        baseline_co2_t_per_year: 800.0,
        constraints: Constraints {
            budget: 1_000.0,
            min_condensate_recovery: 0.7,
            condensate_produced_kg_h: 1_000.0,
            condensate_returned_kg_h: 500.0,
            header_limits: Vec::new(),
        },
    };
    let front = pareto_front(&problem).unwrap();
    assert!(
        front.points.iter().all(|p| p.chosen.contains(&1)),
        "{front:?}"
    );
    // Without the money for it, no portfolio is feasible, and it says why.
    let poor = Problem {
        constraints: Constraints {
            budget: 500.0,
            ..problem.constraints.clone()
        },
        ..problem
    };
    match pareto_front(&poor) {
        Err(FrontError::Infeasible(why)) => assert!(why.contains("condensate"), "{why}"),
        other => panic!("{other:?}"),
    }
}

/// A pressure below what the consumers allow is never chosen, and says so.
#[test]
fn header_limits_are_respected() {
    let mut low = candidate(0, 10.0, 500.0, 850.0);
    low.header_change = Some(HeaderChange {
        header: "hp".into(),
        from_barg: 10.0,
        to_barg: 7.0,
    });
    low.exclusive_group = Some("header:hp".into());
    let problem = Problem {
        candidates: vec![low, candidate(1, 10.0, 5.0, 8.5)],
        baseline_energy_loss_kw: 600.0,
        baseline_co2_t_per_year: 900.0,
        constraints: Constraints {
            budget: 100.0,
            min_condensate_recovery: 0.7,
            condensate_produced_kg_h: 0.0,
            condensate_returned_kg_h: 0.0,
            header_limits: vec![HeaderLimit {
                header: "hp".into(),
                min_barg: 8.0,
                max_barg: 13.0,
            }],
        },
    };
    let front = pareto_front(&problem).unwrap();
    assert!(front.points.iter().all(|p| !p.chosen.contains(&0)));
    assert!(
        front
            .excluded
            .iter()
            .any(|(i, why)| *i == 0 && why.contains("outside"))
    );
    let choice = choose(&problem, &front, &Weights::default()).unwrap();
    assert!(
        choice.reasons[0].starts_with("left out"),
        "{:?}",
        choice.reasons
    );
}

/// Weights move the choice along the front: money only → spend nothing;
/// energy only → the most energy saved the budget allows.
#[test]
fn weights_pick_the_ends_of_the_front() {
    let problem = Problem {
        candidates: vec![
            candidate(0, 400.0, 300.0, 510.0),
            candidate(1, 300.0, 100.0, 170.0),
            candidate(2, 500.0, 250.0, 425.0),
        ],
        baseline_energy_loss_kw: 1_000.0,
        baseline_co2_t_per_year: 1_700.0,
        constraints: Constraints {
            budget: 900.0,
            min_condensate_recovery: 0.7,
            condensate_produced_kg_h: 0.0,
            condensate_returned_kg_h: 0.0,
            header_limits: Vec::new(),
        },
    };
    let front = pareto_front(&problem).unwrap();
    let money = choose(
        &problem,
        &front,
        &Weights {
            energy: 0.0,
            cost: 1.0,
            co2: 0.0,
        },
    )
    .unwrap();
    assert!(money.point.chosen.is_empty());
    let energy = choose(
        &problem,
        &front,
        &Weights {
            energy: 1.0,
            cost: 0.0,
            co2: 0.0,
        },
    )
    .unwrap();
    assert_eq!(energy.point.chosen, vec![0, 2]);
    assert!((energy.point.energy_loss_kw - 450.0).abs() < 1e-9);
    assert!(
        energy.reasons[1].contains("left out"),
        "{:?}",
        energy.reasons
    );
    assert!(energy.summary.contains("non-dominated"));
}

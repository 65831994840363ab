use proptest::prelude::*;

use super::*;
use crate::analysis::test_noise::Gauss;

const MINUTE: i64 = 60_000;

/// σ = 1 and μ = 0 given; δ = `shift` σ; h = 5.
fn known(shift: f64, clear_windows: u32) -> CusumSettings {
    CusumSettings {
        min_shift: shift,
        min_shift_sigmas: shift,
        decision_interval_sigmas: 5.0,
        sigma: Some(1.0),
        min_sigma: 1e-6,
        baseline: Some(0.0),
        warmup_windows: 0,
        clear_windows,
        estimate_smoothing: 0.2,
    }
}

fn detector(settings: CusumSettings) -> Cusum {
    Cusum::new(settings).unwrap_or_else(|e| panic!("{e}"))
}

/// Windows between false alarms on N(0, 1) noise: the count of windows
/// fed divided by the alarms raised.
fn measured_arl0(settings: CusumSettings, windows: i64, seed: u64) -> (f64, u32) {
    let mut c = detector(settings);
    let mut g = Gauss::new(seed);
    let mut alarms = 0;
    for t in 0..windows {
        if let Ok(out) = c.update(t, Some(g.next())) {
            alarms += u32::from(out.raised);
        }
    }
    (windows as f64 / f64::from(alarms.max(1)), alarms)
}

/// k = 0.5, h = 5: Siegmund's approximation gives 938 windows between
/// false alarms. Measured over 10⁶ windows: within 15 % of it.
#[test]
fn false_alarm_rate_matches_siegmund_at_one_sigma() {
    let expected = siegmund_arl(0.5, 5.0, 0.0);
    assert!((expected - 938.0).abs() < 1.0, "{expected}");
    let (arl, alarms) = measured_arl0(known(1.0, 1), 1_000_000, 11);
    println!(
        "k = 0.5, h = 5: {alarms} false alarms in 10^6 windows, ARL0 {arl:.0} (Siegmund {expected:.0})"
    );
    assert!(
        (arl - expected).abs() / expected < 0.15,
        "ARL0 {arl} from {alarms} alarms"
    );
}

/// k = 1, h = 5 (the leak defaults): about 113 000 windows between false
/// alarms by Siegmund. Measured: 3·10⁶ windows of noise raise at most a
/// few dozen alarms (a rate below 2·10⁻⁵ per window; about 27 expected).
#[test]
fn false_alarm_rate_at_two_sigma_is_rare() {
    let expected = siegmund_arl(1.0, 5.0, 0.0);
    assert!(expected > 100_000.0, "{expected}");
    let (arl, alarms) = measured_arl0(known(2.0, 1), 3_000_000, 5);
    println!(
        "k = 1, h = 5: {alarms} false alarms in 3·10^6 windows, ARL0 {arl:.0} (Siegmund {expected:.0})"
    );
    assert!(alarms <= 60, "{alarms} alarms, ARL0 {arl}");
    assert!(arl > 50_000.0, "{arl}");
}

/// A 4σ step with δ = 2σ, h = 5: Siegmund gives 2.0 windows on average.
/// Over 1000 seeded trials every step is found within 4 windows and the
/// mean delay is about 2.
#[test]
fn a_step_is_found_within_four_windows() {
    let mut delays = Vec::new();
    for seed in 0..1000 {
        let mut c = detector(known(2.0, 3));
        let mut g = Gauss::new(seed);
        let step_at = 50;
        let mut found = None;
        for t in 0..100 {
            let x = g.next() + if t >= step_at { 4.0 } else { 0.0 };
            if let Ok(out) = c.update(t * MINUTE, Some(x))
                && out.raised
            {
                found = Some(t);
                break;
            }
        }
        match found {
            Some(t) if t >= step_at => delays.push(t - step_at + 1),
            Some(_) => {} // a false alarm before the step (rare) does not count
            None => panic!("seed {seed}: step not found"),
        }
    }
    let worst = delays.iter().copied().max().unwrap_or(i64::MAX);
    let mean = delays.iter().sum::<i64>() as f64 / delays.len() as f64;
    println!("4σ step, k = 1, h = 5: mean delay {mean:.2} windows, worst {worst}");
    assert!(worst <= 4, "worst delay {worst}");
    assert!((1.5..2.6).contains(&mean), "mean delay {mean}");
    assert!(delays.len() >= 990);
}

#[test]
fn the_change_is_dated_and_sized() {
    let mut c = detector(known(2.0, 3));
    let mut g = Gauss::new(3);
    let mut raised = None;
    for t in 0..200 {
        let x = 0.3 * g.next() + if t >= 100 { 6.0 } else { 0.0 };
        if let Ok(out) = c.update(t * MINUTE, Some(x))
            && out.raised
        {
            raised = Some(out);
            break;
        }
    }
    let out = raised.expect("raised");
    assert_eq!(out.phase, CusumPhase::Alarm);
    assert_eq!(out.since_ms, Some(100 * MINUTE));
    let shift = out.shift.unwrap_or(0.0);
    assert!((shift - 6.0).abs() < 1.0, "{shift}");
    assert!(out.standard_score().unwrap_or(0.0) > 3.0);
}

#[test]
fn the_reference_is_learned_then_held() {
    let settings = CusumSettings {
        sigma: None,
        baseline: None,
        warmup_windows: 30,
        min_sigma: 0.1,
        ..known(2.0, 3)
    };
    let mut c = detector(settings);
    let mut g = Gauss::new(9);
    // A meter bias of 30 with noise 5: learned, not an alarm.
    let mut t = 0;
    for _ in 0..30 {
        let out = c.update(t, Some(30.0 + 5.0 * g.next()));
        assert!(matches!(
            out.map(|o| o.phase),
            Ok(CusumPhase::WarmingUp { .. }) | Ok(CusumPhase::Watching)
        ));
        t += 1;
    }
    let r = c.reference().expect("learned");
    assert!((r.mean - 30.0).abs() < 3.0, "{r:?}");
    assert!((r.sigma - 5.0).abs() < 2.0, "{r:?}");
    assert!((r.shift - 2.0 * r.sigma).abs() < 1e-12);
    for _ in 0..200 {
        let out = c.update(t, Some(30.0 + 5.0 * g.next()));
        assert_ne!(out.map(|o| o.raised), Ok(true));
        t += 1;
    }
    let mut found = false;
    for _ in 0..10 {
        if let Ok(out) = c.update(t, Some(60.0 + 5.0 * g.next())) {
            found |= out.raised;
        }
        t += 1;
    }
    assert!(found);
    assert_eq!(c.reference(), Some(r), "the reference does not move");
}

#[test]
fn a_noiseless_signal_uses_the_floor() {
    let settings = CusumSettings {
        sigma: None,
        baseline: None,
        warmup_windows: 5,
        min_sigma: 2.0,
        min_shift: 0.0,
        ..known(2.0, 3)
    };
    let mut c = detector(settings);
    for t in 0..5 {
        let _ = c.update(t, Some(10.0));
    }
    let r = c.reference().expect("learned");
    assert_eq!(r.sigma, 2.0);
    assert_eq!(r.shift, 4.0);
    // A 1-unit wobble of a perfectly flat signal is not a change.
    for t in 5..1000 {
        let x = 10.0 + if t % 2 == 0 { 1.0 } else { -1.0 };
        assert_ne!(c.update(t, Some(x)).map(|o| o.raised), Ok(true));
    }
}

#[test]
fn the_alarm_ends_after_clear_windows_and_tracks_growth() {
    let mut c = detector(known(2.0, 3));
    let mut t = 0;
    let mut feed = |c: &mut Cusum, x: f64| {
        t += 1;
        c.update(t, Some(x)).unwrap_or_else(|e| panic!("{e}"))
    };
    for _ in 0..3 {
        feed(&mut c, 5.0);
    }
    assert_eq!(c.phase(), CusumPhase::Alarm);
    for _ in 0..30 {
        feed(&mut c, 10.0);
    }
    let grown = feed(&mut c, 10.0).shift.unwrap_or(0.0);
    assert!((grown - 10.0).abs() < 0.1, "{grown}");
    // Two quiet windows, then a loud one: the clear count restarts.
    feed(&mut c, 0.0);
    feed(&mut c, 0.0);
    assert_eq!(feed(&mut c, 10.0).phase, CusumPhase::Alarm);
    feed(&mut c, 0.0);
    feed(&mut c, 0.0);
    let out = feed(&mut c, 0.0);
    assert!(out.ended);
    assert_eq!(out.phase, CusumPhase::Watching);
    assert_eq!(out.statistic, 0.0);
}

#[test]
fn out_of_order_windows_are_refused_without_effect() {
    let mut c = detector(known(2.0, 3));
    assert!(c.update(10, Some(5.0)).is_ok());
    let before = c.clone();
    assert_eq!(
        c.update(10, Some(100.0)),
        Err(OutOfOrder {
            last_ms: 10,
            time_ms: 10
        })
    );
    assert!(c.update(5, Some(100.0)).is_err());
    assert_eq!(c, before);
}

#[test]
fn missing_values_change_nothing_but_time() {
    let mut c = detector(known(2.0, 3));
    let _ = c.update(1, Some(4.0));
    let s = c.s;
    for (t, v) in [(2, None), (3, Some(f64::NAN)), (4, Some(f64::INFINITY))] {
        let out = c.update(t, v).unwrap_or_else(|e| panic!("{e}"));
        assert!(!out.raised);
    }
    assert_eq!(c.s, s);
    assert_eq!(c.last_ms, Some(4));
}

#[test]
fn same_windows_same_result() {
    let run = || {
        let mut c = detector(known(2.0, 3));
        let mut g = Gauss::new(42);
        (0..500)
            .filter_map(|t| {
                c.update(t, Some(g.next() + if t > 250 { 3.0 } else { 0.0 }))
                    .ok()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

#[test]
fn settings_are_checked() {
    let good = known(2.0, 3);
    assert!(good.check().is_ok());
    for bad in [
        CusumSettings {
            decision_interval_sigmas: 0.0,
            ..good
        },
        CusumSettings {
            sigma: Some(f64::NAN),
            ..good
        },
        CusumSettings {
            sigma: None,
            warmup_windows: 1,
            ..good
        },
        CusumSettings {
            clear_windows: 0,
            ..good
        },
        CusumSettings {
            estimate_smoothing: 0.0,
            ..good
        },
        CusumSettings {
            min_shift: -1.0,
            ..good
        },
    ] {
        assert!(Cusum::new(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn siegmund_examples() {
    // Montgomery's one-sided figures: ARL1 at a 1σ shift, k = 0.5, h = 5: 10.4.
    assert!((siegmund_arl(0.5, 5.0, 1.0) - 10.34).abs() < 0.05);
    assert!((siegmund_arl(1.0, 5.0, 4.0) - 2.0).abs() < 0.05);
    assert!((siegmund_arl(1.0, 5.0, 2.0) - 5.67).abs() < 0.05);
    assert!(siegmund_arl(0.5, 5.0, 0.5).is_finite());
}

proptest! {
    #[test]
    fn never_panics(values in prop::collection::vec((any::<i64>(), prop::option::of(any::<f64>())), 0..200)) {
        let settings = CusumSettings { sigma: None, baseline: None, warmup_windows: 3, ..known(2.0, 2) };
        let mut c = detector(settings);
        for (t, v) in values {
            if let Ok(out) = c.update(t, v) {
                prop_assert!(out.statistic >= 0.0 || out.statistic.is_nan());
            }
        }
    }
}

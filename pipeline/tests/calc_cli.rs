//! `steamflow calc <name> --<input> "<value unit>"` for people.

use std::process::Command;

fn steamflow(args: &[&str]) -> (String, String, bool) {
    let output = Command::new(env!("CARGO_BIN_EXE_steamflow"))
        .args(args)
        .output()
        .expect("runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.success(),
    )
}

#[test]
fn readable_state() {
    let (out, _, ok) = steamflow(&["calc", "state", "--p", "3 MPa", "--t", "300 K"]);
    assert!(ok);
    assert!(out.contains("specific enthalpy"), "{out}");
    // R7-97(2012) table 5, printed to nine significant digits.
    assert!(out.contains("115.331273 kJ/kg"), "{out}");
}

#[test]
fn json_flag_prints_the_contract_line() {
    let (out, _, ok) = steamflow(&["calc", "saturation", "--p", "10 barg", "--json"]);
    assert!(ok);
    let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(line["ok"], true);
    assert!(line["t_k"].as_f64().unwrap() > 450.0);
}

#[test]
fn errors_say_what_is_wrong() {
    let (_, err, ok) = steamflow(&["calc", "state", "--p", "3 MPa", "--t", "300 kelvins"]);
    assert!(!ok);
    assert!(
        err.contains("°C") || err.contains("K"),
        "lists accepted units: {err}"
    );
    let (_, err, ok) = steamflow(&["calc", "state", "--p", "3 MPa"]);
    assert!(!ok);
    assert!(err.contains("exactly two"), "{err}");
}

#[test]
fn every_calculator_has_help() {
    for calculator in steamflow::calc::CALCULATORS {
        let (out, _, ok) = steamflow(&["calc", calculator.spec.name, "--help"]);
        assert!(ok, "{}", calculator.spec.name);
        for input in calculator.spec.inputs {
            assert!(
                out.contains(&format!("--{}", input.key.replace('_', "-"))),
                "{out}"
            );
        }
    }
}

#[test]
fn underscored_flags_are_accepted() {
    let args = [
        "--mass_flow",
        "5 t/h",
        "--p-in",
        "10 barg",
        "--x_in",
        "1",
        "--d-inner",
        "102.3 mm",
        "--length",
        "100 m",
    ];
    let (out, err, ok) = steamflow(&[&["calc", "pressure_drop"][..], &args[..]].concat());
    assert!(ok, "{err}");
    assert!(out.contains("pressure drop"), "{out}");
}

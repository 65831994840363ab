//! The `steamflow calc batch` contract: one JSON line out per line in, in
//! order, ids echoed, bad lines answered with an error, never a stop.

use std::io::Write;
use std::process::{Command, Stdio};

use proptest::prelude::*;
use serde_json::{Value, json};
use steamflow::calc::batch;

fn run_batch(input: &str) -> (Vec<Value>, bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_steamflow"))
        .args(["calc", "batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("steamflow starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8(output.stdout).expect("UTF-8 output");
    let lines = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each output line is JSON"))
        .collect();
    (lines, output.status.success())
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

fn number(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

/// IAPWS R7-97(2012) table 5 (region 1, 3 MPa, 300 K) and table 15 (region 2,
/// 0.0035 MPa, 300 K) through the batch contract, at 1e-8 relative.
#[test]
fn state_matches_r7_97_tables_5_and_15() {
    let input = concat!(
        r#"{"id": "t5", "calc": "state", "p": "3 MPa", "t": "300 K"}"#,
        "\n",
        r#"{"id": "t15", "calc": "state", "p": "0.0035 MPa", "t": "300 K"}"#,
        "\n",
    );
    let (lines, ok) = run_batch(input);
    assert!(ok);
    let expected = [
        (
            "t5",
            1,
            [
                0.100_215_168e-2,
                0.115_331_273e3,
                0.112_324_818e3,
                0.392_294_792,
                0.417_301_218e1,
                0.150_773_921e4,
            ],
        ),
        (
            "t15",
            2,
            [
                0.394_913_866e2,
                0.254_991_145e4,
                0.241_169_160e4,
                0.852_238_967e1,
                0.191_300_162e1,
                0.427_920_172e3,
            ],
        ),
    ];
    for (line, (id, region, values)) in lines.iter().zip(expected) {
        assert_eq!(line["id"], id);
        assert_eq!(line["ok"], true, "{line}");
        assert_eq!(line["region"], region);
        assert!(line["x"].is_null());
        let keys = [
            "v_m3_kg",
            "h_kj_kg",
            "u_kj_kg",
            "s_kj_kgk",
            "cp_kj_kgk",
            "w_m_s",
        ];
        for (key, want) in keys.iter().zip(values) {
            assert!(
                rel(number(line, key), want) < 1e-8,
                "{id} {key}: {} vs {want}",
                number(line, key)
            );
        }
    }
}

#[test]
fn saturation_and_wet_steam() {
    let input = concat!(
        // R7-97(2012) table 35: psat(500 K) = 0.263889776e1 MPa.
        r#"{"id": 1, "calc": "saturation", "t": "500 K"}"#,
        "\n",
        // Table 36: Tsat(10 MPa) = 0.584149488e3 K.
        r#"{"id": 2, "calc": "saturation", "p": "100 bar"}"#,
        "\n",
        r#"{"id": 3, "calc": "state", "p": "1 MPa", "x": 0.5}"#,
        "\n",
    );
    let (lines, _) = run_batch(input);
    assert!(rel(number(&lines[0], "p_mpa"), 0.263_889_776e1) < 1e-8);
    assert!(rel(number(&lines[1], "t_k"), 0.584_149_488e3) < 1e-8);
    let wet = &lines[2];
    assert_eq!(wet["region"], 4);
    assert_eq!(wet["x"], 0.5);
    assert!(wet["cp_kj_kgk"].is_null() && wet["w_m_s"].is_null());
    let hf = number(&lines[1], "hf_kj_kg");
    assert!(hf > 0.0);
}

#[test]
fn bad_lines_get_errors_and_the_batch_goes_on() {
    let lines = [
        r#"{"id": 1, "calc": "state", "p": "3 MPa", "t": "300 K"}"#,
        "not json",
        "",
        "[1, 2]",
        r#"{"id": "no-calc"}"#,
        r#"{"id": 5, "calc": "warp_drive"}"#,
        r#"{"id": 6, "calc": "state", "p": "3 MPa"}"#,
        r#"{"id": 7, "calc": "state", "p": 3, "t": "300 K"}"#,
        r#"{"id": 8, "calc": "state", "p": "3 furlongs", "t": "300 K"}"#,
        r#"{"id": 9, "calc": "state", "p": "NaN MPa", "t": "300 K"}"#,
        r#"{"id": 10, "calc": "state", "p": "3 MPa", "t": "5000 K"}"#,
        r#"{"id": 11, "calc": "state", "p": "3 MPa", "t": "300 K", "colour": "blue"}"#,
        r#"{"id": {"nested": [1]}, "calc": "saturation", "p": "1 MPa"}"#,
    ];
    let (out, ok) = run_batch(&(lines.join("\n") + "\n"));
    assert!(ok, "a batch with bad lines still exits 0");
    assert_eq!(out.len(), lines.len(), "one output line per input line");
    assert_eq!(out[0]["ok"], true);
    for (i, line) in out.iter().enumerate().skip(1).take(11) {
        assert_eq!(line["ok"], false, "line {i}: {line}");
        assert!(
            line["error"].as_str().is_some_and(|e| !e.is_empty()),
            "line {i}: {line}"
        );
    }
    assert_eq!(out[4]["id"], "no-calc");
    assert_eq!(out[5]["id"], 5);
    assert!(out[5]["error"].as_str().unwrap().contains("warp_drive"));
    assert!(
        out[7]["error"].as_str().unwrap().contains("unit"),
        "{}",
        out[7]
    );
    assert!(
        out[8]["error"].as_str().unwrap().contains("MPa"),
        "lists accepted units: {}",
        out[8]
    );
    assert!(out[11]["error"].as_str().unwrap().contains("colour"));
    assert_eq!(out[12]["id"], json!({"nested": [1]}));
    assert_eq!(out[12]["ok"], true);
}

fn calc_name() -> impl Strategy<Value = String> {
    let names: Vec<String> = steamflow::calc::CALCULATORS
        .iter()
        .map(|c| c.spec.name.to_owned())
        .collect();
    prop_oneof![
        proptest::sample::select(names),
        proptest::string::string_regex(".{0,8}").unwrap()
    ]
}

/// Every input key of every calculator, and one no calculator takes.
fn input_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = steamflow::calc::CALCULATORS
        .iter()
        .flat_map(|c| c.spec.inputs.iter().map(|i| i.key))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys.push("junk");
    keys
}

fn wild_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_map(|n| json!(n)),
        (
            any::<f64>(),
            proptest::sample::select(vec![
                "MPa", "barg", "K", "°C", "kJ/kg", "kJ/kgK", "mm", "kg/h", "m/s", "W/mK", "", "zz"
            ])
        )
            .prop_map(|(n, u)| Value::String(format!("{n} {u}"))),
        proptest::sample::select(vec![
            "NaN MPa",
            "inf K",
            "-0 barg",
            "1e308 bar",
            "-5 K",
            "0 mm"
        ])
        .prop_map(|s| json!(s)),
        proptest::collection::vec(any::<f64>(), 0..5).prop_map(|v| json!(v)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// Any line, however wrong, gets exactly one answer with the line's id.
    #[test]
    fn any_line_gets_one_answer(
        name in calc_name(),
        inputs in proptest::collection::btree_map(
            proptest::sample::select(input_keys()),
            wild_value(), 0..6),
        id in any::<i64>(),
    ) {
        let mut line = serde_json::Map::new();
        line.insert("id".into(), json!(id));
        line.insert("calc".into(), json!(name));
        line.extend(inputs.into_iter().map(|(k, v)| (k.to_owned(), v)));
        let answer = batch::answer(&Value::Object(line).to_string());
        prop_assert_eq!(&answer["id"], &json!(id));
        prop_assert!(answer["ok"].is_boolean());
        if answer["ok"] == false {
            prop_assert!(answer["error"].as_str().is_some_and(|e| !e.is_empty()));
        }
    }

    /// Arbitrary text never stops the batch.
    #[test]
    fn any_text_gets_one_answer(text in proptest::string::string_regex(".{0,80}").unwrap()) {
        let answer = batch::answer(&text);
        prop_assert!(answer["ok"].is_boolean());
    }
}

/// A unit the parser accepts for each quantity a calculator names.
fn unit_for(quantity: &str) -> &'static str {
    match quantity {
        "pressure" => "barg",
        "temperature" => "°C",
        "length" => "mm",
        "mass flow" => "kg/h",
        "velocity" => "m/s",
        "thermal conductivity" => "W/mK",
        "specific enthalpy" => "kJ/kg",
        "specific entropy" => "kJ/kgK",
        "duration" => "h",
        other => panic!("no test unit for {other}: add one"),
    }
}

fn wild_number() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(-0.0),
        Just(1e-300),
        Just(1e300),
        Just(f64::MAX),
        Just(-1.0),
        any::<f64>().prop_filter("finite", |v| v.is_finite()),
        -50.0..500.0_f64,
        0.0..1.0_f64,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Every calculator with every input present and wild but well-formed
    /// values: an answer or an error, never a panic, never a non-finite number.
    #[test]
    fn every_calculator_survives_wild_values(
        which in 0..steamflow::calc::CALCULATORS.len(),
        numbers in proptest::collection::vec(wild_number(), 12),
        lists in proptest::collection::vec(wild_number(), 0..8),
        keep in proptest::collection::vec(any::<bool>(), 12),
    ) {
        let spec = steamflow::calc::CALCULATORS[which].spec;
        let mut line = serde_json::Map::new();
        line.insert("id".into(), json!(which));
        line.insert("calc".into(), json!(spec.name));
        for (i, input) in spec.inputs.iter().enumerate() {
            if !input.required && !keep[i % keep.len()] {
                continue;
            }
            let n = numbers[i % numbers.len()];
            let value = match input.kind {
                steamflow::calc::spec::InputKind::Quantity(what) => json!(format!("{n} {}", unit_for(what))),
                steamflow::calc::spec::InputKind::Number => json!(n),
                steamflow::calc::spec::InputKind::Numbers => json!(lists),
            };
            line.insert(input.key.into(), value);
        }
        let answer = batch::answer(&Value::Object(line).to_string());
        prop_assert!(answer["ok"].is_boolean(), "{answer}");
        if answer["ok"] == true {
            for (key, value) in answer.as_object().unwrap() {
                if let Some(n) = value.as_f64() {
                    prop_assert!(n.is_finite(), "{key} = {n} in {answer}");
                }
            }
        }
    }
}

/// Answers the model cannot give are refused with the reason, not printed.
#[test]
fn pressure_drop_refuses_what_darcy_weisbach_cannot_model() {
    let input = concat!(
        r#"{"id": "sonic", "calc": "pressure_drop", "mass_flow": "500 t/h", "p_in": "10 barg", "x_in": 1, "d_inner": "10 mm", "length": "10 m"}"#,
        "\n",
        r#"{"id": "half", "calc": "pressure_drop", "mass_flow": "5 kg/s", "p_in": "10 barg", "x_in": 1, "d_inner": "102.3 mm", "length": "100 m"}"#,
        "\n",
        r#"{"id": "fine", "calc": "pressure_drop", "mass_flow": "5 t/h", "p_in": "10 barg", "x_in": 1, "d_inner": "102.3 mm", "length": "100 m"}"#,
        "\n",
    );
    let (lines, _) = run_batch(input);
    assert!(
        lines[0]["error"]
            .as_str()
            .unwrap()
            .contains("speed of sound"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("inlet pressure"),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2]["ok"], true, "{}", lines[2]);
}

/// A bare number for a dimensioned input is an error that lists the units;
/// an empty cash-flow list is an error; no rate means no discounting.
#[test]
fn input_errors_explain_themselves() {
    let input = concat!(
        r#"{"id": 1, "calc": "state", "p": "1 MPa", "t": 300}"#,
        "\n",
        r#"{"id": 2, "calc": "payback", "cashflows": []}"#,
        "\n",
        r#"{"id": 3, "calc": "payback", "cashflows": [-100, 60, 60]}"#,
        "\n",
    );
    let (lines, _) = run_batch(input);
    let unit_error = lines[0]["error"].as_str().unwrap();
    assert!(
        unit_error.contains("°C") && unit_error.contains("K"),
        "{unit_error}"
    );
    assert!(lines[1]["error"].as_str().unwrap().contains("at least one"));
    assert_eq!(lines[2]["simple_years"], lines[2]["discounted_years"]);
    assert!((number(&lines[2], "simple_years") - 5.0 / 3.0).abs() < 1e-12);
}

use serde::Serialize;
use serde_json::{Value, json};
use steamflow_sink_jsonl::{JsonlDir, JsonlWriter, SinkError, check_stream_name};

#[derive(Serialize)]
struct Balance {
    plant: String,
    window_end: String,
    closure_pct: f64,
    #[serde(serialize_with = "steamflow_sink_jsonl::float::serialize")]
    residual_kg_h: f64,
}

fn balance(closure_pct: f64, residual_kg_h: f64) -> Balance {
    Balance {
        plant: "north".into(),
        window_end: "2025-01-01T00:01:00.000Z".into(),
        closure_pct,
        residual_kg_h,
    }
}

fn lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn rows_carry_their_diff_so_retractions_survive() {
    let dir = tempfile::tempdir().unwrap();
    let streams = JsonlDir::create(dir.path().join("out")).unwrap();
    let mut writer = streams.stream::<Balance>("balances").unwrap();
    writer.append(&balance(98.5, 12.0), 1).unwrap();
    writer.append(&balance(98.5, 12.0), -1).unwrap();
    writer.append_all([(&balance(97.0, 30.0), 1)]).unwrap();
    assert_eq!(writer.rows(), 3);
    let path = writer.path().to_path_buf();
    assert_eq!(writer.close().unwrap(), 3);
    assert_eq!(path, dir.path().join("out").join("balances.jsonl"));
    let rows = lines(&path);
    assert_eq!(
        rows[0],
        json!({"plant":"north","window_end":"2025-01-01T00:01:00.000Z","closure_pct":98.5,"residual_kg_h":12.0,"diff":1})
    );
    assert_eq!(rows[1]["diff"], json!(-1));
    assert_eq!(rows[2]["closure_pct"], json!(97.0));
}

#[test]
fn non_finite_floats_keep_their_kind_when_asked() {
    let mut out = Vec::new();
    let mut writer = JsonlWriter::<Balance, _>::to_writer("memory", &mut out);
    writer.append(&balance(f64::NAN, f64::NAN), 1).unwrap();
    writer.append(&balance(1.0, f64::NEG_INFINITY), 1).unwrap();
    writer.close().unwrap();
    let text = String::from_utf8(out).unwrap();
    let rows: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Plain f64 fields follow serde_json (null); marked ones keep NaN and ∞ apart.
    assert_eq!(rows[0]["closure_pct"], Value::Null);
    assert_eq!(rows[0]["residual_kg_h"], json!("NaN"));
    assert_eq!(rows[1]["residual_kg_h"], json!("-inf"));
}

#[test]
fn a_row_that_is_not_an_object_is_an_error_and_leaves_no_half_line() {
    let mut out = Vec::new();
    let mut writer = JsonlWriter::<f64, _>::to_writer("memory", &mut out);
    let error = writer.append(&1.5, 1).unwrap_err();
    assert!(matches!(error, SinkError::Encode { .. }), "{error}");
    assert_eq!(writer.rows(), 0);
    writer.close().unwrap();
    assert!(out.is_empty());
}

#[test]
fn stream_names_must_be_safe_file_names() {
    for good in ["balances", "window_1m", "trap-status", "a.b"] {
        assert!(check_stream_name(good).is_ok(), "{good}");
    }
    for bad in [
        "",
        ".hidden",
        "../etc",
        "a/b",
        "a\\b",
        "naïve",
        &"x".repeat(201),
    ] {
        assert!(
            matches!(check_stream_name(bad), Err(SinkError::StreamName(_))),
            "{bad}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let streams = JsonlDir::create(dir.path()).unwrap();
    assert!(streams.stream::<Balance>("../escape").is_err());
}

#[test]
fn an_unwritable_place_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, b"x").unwrap();
    // A folder cannot be created under a file.
    let error = JsonlDir::create(file.join("sub")).unwrap_err();
    assert!(matches!(error, SinkError::Create { .. }), "{error}");
    let error = JsonlWriter::<Balance>::create(file.join("x.jsonl"))
        .err()
        .unwrap();
    assert!(error.to_string().contains("cannot create"), "{error}");
}

#[test]
fn flush_makes_rows_visible_before_close() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.jsonl");
    let mut writer = JsonlWriter::<Balance>::create(&path).unwrap();
    writer.append(&balance(99.0, 1.0), 1).unwrap();
    writer.flush().unwrap();
    assert_eq!(lines(&path).len(), 1);
    writer.close().unwrap();
}

#[test]
fn rendered_rows_share_the_layout_of_serialized_ones() {
    let dir = tempfile::tempdir().unwrap();
    let streams = JsonlDir::create(dir.path()).unwrap();
    let mut typed = streams.stream::<Balance>("typed").unwrap();
    typed.append(&balance(98.5, 12.0), -1).unwrap();
    let typed_path = typed.path().to_path_buf();
    typed.close().unwrap();
    let mut rendered = streams.rendered("rendered").unwrap();
    rendered
        .append(
            r#""plant":"north","window_end":"2025-01-01T00:01:00.000Z","closure_pct":98.5,"residual_kg_h":12.0"#,
            -1,
        )
        .unwrap();
    rendered.append("", 1).unwrap();
    let rendered_path = rendered.path().to_path_buf();
    assert_eq!(rendered.close().unwrap(), 2);
    let typed_text = std::fs::read_to_string(&typed_path).unwrap();
    let rendered_text = std::fs::read_to_string(&rendered_path).unwrap();
    let mut rendered_lines = rendered_text.lines();
    assert_eq!(Some(typed_text.trim_end()), rendered_lines.next());
    assert_eq!(rendered_lines.next(), Some(r#"{"diff":1}"#));
    assert_eq!(
        steamflow_sink_jsonl::render_line(r#""a":1"#, 2),
        r#"{"a":1,"diff":2}"#
    );
    assert!(streams.rendered("../escape").is_err());
}

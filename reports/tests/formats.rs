//! Each format carries the report's figures.

use calamine::{Data, Reader, Xlsx};
use steamflow_reports::{Format, ReportKind, render, write};

use crate::support::report;

#[test]
fn json_round_trips_the_figures() {
    let report = report(ReportKind::Monthly);
    let bytes = render(&report, Format::Json).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(json["kind"], "monthly");
    assert_eq!(json["losses"][0]["loss_kg_h"], 250.0);
    assert_eq!(json["compliance"].as_array().unwrap().len(), 6);
    for section in [
        "executive_summary",
        "performance",
        "losses",
        "economics",
        "recommendations",
        "trends",
        "compliance",
        "action_plan",
    ] {
        assert!(!json[section].is_null(), "{section}");
    }
}

#[test]
fn the_workbook_holds_numbers_a_spreadsheet_can_sum() {
    let report = report(ReportKind::Monthly);
    let dir = tempfile::tempdir().unwrap();
    let paths = write(&report, dir.path(), &[Format::Xlsx]).unwrap();
    let mut workbook: Xlsx<_> = calamine::open_workbook(&paths[0]).unwrap();
    let sheets = workbook.sheet_names();
    for name in [
        "Summary",
        "Performance",
        "Losses",
        "Recommendations",
        "Trends",
        "Compliance",
        "Action plan",
    ] {
        assert!(sheets.iter().any(|s| s == name), "{name} in {sheets:?}");
    }
    let losses = workbook.worksheet_range("Losses").unwrap();
    assert_eq!(
        losses.get((1, 0)),
        Some(&Data::String("failed traps (live steam)".into()))
    );
    assert_eq!(losses.get((1, 1)), Some(&Data::Float(250.0)));
    assert_eq!(losses.get((1, 3)), Some(&Data::Float(75_000.0)));
}

#[test]
fn the_pdf_has_every_section() {
    let report = report(ReportKind::Annual);
    let bytes = render(&report, Format::Pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&bytes);
    for section in [
        "(Annual energy review (ISO 50001))",
        "(1. Executive summary)",
        "(3. Loss analysis with breakdown)",
        "(7. Compliance status)",
        "(8. Action plan)",
        "(75,000 /yr)",
    ] {
        assert!(text.contains(section), "{section}");
    }
    assert!(text.contains("/Type /Page"));
}

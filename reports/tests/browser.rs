//! The HTML report rendered by headless Chromium (Debian's `chromium`):
//! it loads, every section is in the rendered DOM, and the charts show the
//! report's numbers.

use std::process::Command;

use steamflow_reports::{Format, ReportKind, write};
use steamflow_source_core::testing::{find_program, require};

use crate::support::report;

fn chromium() -> Option<std::path::PathBuf> {
    require(
        find_program("chromium").or_else(|| find_program("chromium-browser")),
        "chromium (Debian package `chromium`)",
        "chromium_renders_the_report_with_its_charts",
    )
}

fn headless(
    chromium: &std::path::Path,
    args: &[&str],
    page: &std::path::Path,
) -> std::process::Output {
    Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
        ])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium")
}

#[test]
fn chromium_renders_the_report_with_its_charts() {
    let Some(chromium) = chromium() else { return };
    let report = report(ReportKind::Monthly);
    let dir = tempfile::tempdir().unwrap();
    let page = write(&report, dir.path(), &[Format::Html])
        .unwrap()
        .remove(0);
    let dom = headless(&chromium, &["--dump-dom"], &page);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    for id in [
        "executive-summary",
        "performance",
        "loss-analysis",
        "economic-impact",
        "recommendations",
        "trend-analysis",
        "compliance",
        "action-plan",
    ] {
        assert!(
            dom.contains(&format!("<section id=\"{id}\">")),
            "section {id}"
        );
    }
    for chart in [
        "loss-breakdown",
        "trap-population",
        "loss-trend",
        "closure-trend",
    ] {
        assert!(
            dom.contains(&format!("data-chart=\"{chart}\"")),
            "chart {chart}"
        );
    }
    // The loss chart's bars carry the report's figures.
    assert!(
        dom.contains(r#"data-label="failed traps (live steam)" data-value="75000""#),
        "trap bar"
    );
    assert!(
        dom.contains(r#"data-label="pipe heat loss" data-value="10000""#),
        "pipe bar"
    );
    assert!(dom.contains("75,000 /yr"));
    // And it paints: a screenshot of the page is a real image.
    let shot = dir.path().join("report.png");
    let painted = headless(
        &chromium,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,3000",
        ],
        &page,
    );
    assert!(
        painted.status.success(),
        "{}",
        String::from_utf8_lossy(&painted.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );
}

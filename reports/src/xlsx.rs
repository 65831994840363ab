//! The report as an Excel workbook: one sheet per part, numbers as numbers
//! (so an engineer can re-chart and re-sum them), and a chart of the loss
//! breakdown on the Losses sheet.

use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet, XlsxError};

use crate::model::Report;

/// A cell: text or a number.
enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::Text(text.to_string())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::Text(text)
    }
}

impl From<f64> for Cell {
    fn from(value: f64) -> Cell {
        if value.is_finite() {
            Cell::Number(value)
        } else {
            Cell::Empty
        }
    }
}

impl From<usize> for Cell {
    fn from(value: usize) -> Cell {
        Cell::Number(value as f64)
    }
}

impl From<Option<f64>> for Cell {
    fn from(value: Option<f64>) -> Cell {
        value.map_or(Cell::Empty, Cell::from)
    }
}

fn sheet(
    workbook: &mut Workbook,
    name: &str,
    headers: &[&str],
    rows: Vec<Vec<Cell>>,
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let sheet: &mut Worksheet = workbook.add_worksheet().set_name(name)?;
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *header, &bold)?;
        sheet.set_column_width(col as u16, if col == 0 { 40 } else { 16 })?;
    }
    for (r, row) in rows.into_iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.into_iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(text) => {
                    sheet.write_string(r, c, text)?;
                }
                Cell::Number(value) => {
                    sheet.write_number(r, c, value)?;
                }
                Cell::Empty => {}
            }
        }
    }
    Ok(())
}

/// Renders the report as an `.xlsx` file's bytes.
pub fn render(report: &Report) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let s = &report.executive_summary;
    let p = &report.performance;
    let mut summary: Vec<Vec<Cell>> = vec![
        vec!["Report".into(), report.title.clone().into()],
        vec!["From (UTC)".into(), report.from_utc.clone().into()],
        vec!["To (UTC)".into(), report.to_utc.clone().into()],
        vec!["Plants".into(), report.plants.join(", ").into()],
        vec!["Windows".into(), report.windows.into()],
        vec!["Steam lost [kg/h]".into(), s.total_loss_kg_h.into()],
        vec!["Energy lost [kW]".into(), s.total_loss_kw.into()],
        vec!["Cost per year".into(), s.total_loss_cost_per_year.into()],
        vec!["Cost in period".into(), s.cost_in_period.into()],
        vec!["Failed traps".into(), s.failed_traps.into()],
        vec!["Leaks".into(), s.leaks.into()],
    ];
    summary.extend(
        s.headlines
            .iter()
            .map(|h| vec!["".into(), h.clone().into()]),
    );
    sheet(&mut workbook, "Summary", &["Item", "Value"], summary)?;
    sheet(
        &mut workbook,
        "Performance",
        &["Metric", "Value"],
        vec![
            vec!["Steam generated [kg/h]".into(), p.generation_kg_h.into()],
            vec!["Steam consumed [kg/h]".into(), p.consumption_kg_h.into()],
            vec!["Efficiency [%]".into(), p.efficiency_pct.into()],
            vec!["Mass closure [%]".into(), p.mass_closure_pct.into()],
            vec!["Energy closure [%]".into(), p.energy_closure_pct.into()],
            vec![
                "Windows closing (mass)".into(),
                p.mass_closed_windows.into(),
            ],
            vec![
                "Windows closing (energy)".into(),
                p.energy_closed_windows.into(),
            ],
            vec![
                "Condensate recovery [%]".into(),
                p.condensate_recovery_pct.into(),
            ],
        ],
    )?;
    let losses: Vec<Vec<Cell>> = report
        .losses
        .iter()
        .map(|l| {
            vec![
                l.label.clone().into(),
                l.loss_kg_h.into(),
                l.loss_kw.into(),
                l.cost_per_year.into(),
                l.share_pct.into(),
            ]
        })
        .collect();
    let rows = losses.len() as u32;
    sheet(
        &mut workbook,
        "Losses",
        &["Category", "kg/h", "kW", "Cost per year", "Share [%]"],
        losses,
    )?;
    if rows > 0 {
        let mut chart = Chart::new(ChartType::Bar);
        chart
            .add_series()
            .set_categories(("Losses", 1, 0, rows, 0))
            .set_values(("Losses", 1, 3, rows, 3))
            .set_name("Cost per year");
        chart.title().set_name("Losses by category");
        workbook
            .worksheet_from_name("Losses")?
            .insert_chart(rows + 3, 0, &chart)?;
    }
    sheet(
        &mut workbook,
        "Traps",
        &["Plant", "Trap", "State", "kg/h", "Cost per year"],
        report
            .traps
            .failed
            .iter()
            .map(|t| {
                vec![
                    t.plant.clone().into(),
                    t.trap.clone().into(),
                    t.state.clone().into(),
                    t.loss_kg_h.into(),
                    t.cost_per_year.into(),
                ]
            })
            .collect(),
    )?;
    sheet(
        &mut workbook,
        "Leaks",
        &["Plant", "Location", "kg/h", "Cost per year", "Priority"],
        report
            .leaks
            .iter()
            .map(|l| {
                vec![
                    l.plant.clone().into(),
                    l.location.clone().into(),
                    l.size_kg_h.into(),
                    l.cost_per_year.into(),
                    l.priority.into(),
                ]
            })
            .collect(),
    )?;
    sheet(
        &mut workbook,
        "Recommendations",
        &[
            "Rank",
            "Action",
            "Where",
            "Savings per year",
            "kg/h",
            "Cost",
            "Payback [yr]",
            "Why",
        ],
        report
            .recommendations
            .iter()
            .map(|r| {
                vec![
                    r.rank.into(),
                    r.action.clone().into(),
                    r.location.clone().into(),
                    r.savings_per_year.into(),
                    r.savings_kg_h.into(),
                    r.cost.into(),
                    r.payback_years.into(),
                    r.why.clone().into(),
                ]
            })
            .collect(),
    )?;
    sheet(
        &mut workbook,
        "Trends",
        &[
            "Bucket start (UTC)",
            "Loss [kg/h]",
            "Loss [kW]",
            "Mass closure [%]",
            "Energy closure [%]",
            "Condensate recovery [%]",
        ],
        report
            .trends
            .points
            .iter()
            .map(|t| {
                vec![
                    t.start_utc.clone().into(),
                    t.loss_kg_h.into(),
                    t.loss_kw.into(),
                    t.mass_closure_pct.into(),
                    t.energy_closure_pct.into(),
                    t.condensate_recovery_pct.into(),
                ]
            })
            .collect(),
    )?;
    sheet(
        &mut workbook,
        "Compliance",
        &["Item", "Requirement", "Value", "Status"],
        report
            .compliance
            .iter()
            .map(|c| {
                vec![
                    c.item.clone().into(),
                    c.requirement.clone().into(),
                    c.value.clone().into(),
                    c.status.clone().into(),
                ]
            })
            .collect(),
    )?;
    sheet(
        &mut workbook,
        "Action plan",
        &["Priority", "Action", "Owner", "Due"],
        report
            .action_plan
            .iter()
            .map(|a| {
                vec![
                    a.priority.into(),
                    a.action.clone().into(),
                    a.owner.clone().into(),
                    a.due.clone().into(),
                ]
            })
            .collect(),
    )?;
    workbook.save_to_buffer()
}

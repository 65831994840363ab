//! The report as a PDF: A4 pages of text in the PDF base-14 Helvetica
//! fonts (no font files embedded), tables in fixed columns, and the loss
//! breakdown and trap population drawn as bar charts.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

use crate::model::{Report, money};

const PAGE: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 50.0;
const LINE: f32 = 14.0;

/// Lays text out top to bottom, starting new pages as it fills them.
struct Writer {
    pages: Vec<Content>,
    y: f32,
}

impl Writer {
    fn new() -> Writer {
        Writer {
            pages: vec![Content::new()],
            y: PAGE.1 - MARGIN,
        }
    }

    fn room(&mut self, height: f32) {
        if self.y - height < MARGIN {
            self.pages.push(Content::new());
            self.y = PAGE.1 - MARGIN;
        }
    }

    fn page(&mut self) -> &mut Content {
        // There is always at least one page.
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn text_at(&mut self, x: f32, font: &[u8], size: f32, text: &str) {
        let y = self.y;
        let content = self.page();
        content.begin_text();
        content.set_font(Name(font), size);
        content.next_line(x, y);
        content.show(Str(&win_ansi(text)));
        content.end_text();
    }

    fn title(&mut self, text: &str) {
        self.room(30.0);
        self.text_at(MARGIN, b"F2", 18.0, text);
        self.y -= 28.0;
    }

    fn heading(&mut self, text: &str) {
        self.room(40.0);
        self.y -= 10.0;
        self.text_at(MARGIN, b"F2", 13.0, text);
        self.y -= 20.0;
    }

    fn line(&mut self, text: &str) {
        // Wrap at about 95 characters of 10 pt Helvetica.
        for chunk in wrap(text, 95) {
            self.room(LINE);
            self.text_at(MARGIN, b"F1", 10.0, &chunk);
            self.y -= LINE;
        }
    }

    /// One row of cells at column offsets.
    fn row(&mut self, cells: &[String], columns: &[f32], bold: bool) {
        self.room(LINE);
        let font: &[u8] = if bold { b"F2" } else { b"F1" };
        for (cell, x) in cells.iter().zip(columns) {
            let shown: String = cell.chars().take(48).collect();
            self.text_at(MARGIN + x, font, 9.0, &shown);
        }
        self.y -= LINE;
    }

    /// Horizontal bars of labelled values.
    fn bars(&mut self, bars: &[(String, f64)], unit: &str) {
        let max = bars
            .iter()
            .map(|(_, v)| v.abs())
            .fold(0.0_f64, f64::max)
            .max(f64::MIN_POSITIVE);
        let width = 260.0_f64;
        for (label, value) in bars {
            self.room(16.0);
            self.text_at(MARGIN, b"F1", 9.0, label);
            let length = (width * value.abs() / max) as f32;
            let y = self.y;
            let content = self.page();
            if *value < 0.0 {
                content.set_fill_rgb(0.6, 0.65, 0.65);
            } else {
                content.set_fill_rgb(0.75, 0.22, 0.17);
            }
            content.rect(MARGIN + 170.0, y - 2.0, length.max(0.5), 10.0);
            content.fill_nonzero();
            content.set_fill_rgb(0.0, 0.0, 0.0);
            self.text_at(
                MARGIN + 176.0 + length,
                b"F1",
                9.0,
                &format!("{} {unit}", money(*value)),
            );
            self.y -= 16.0;
        }
    }
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let current = lines.last_mut().map_or(0, |l| l.chars().count());
        if current > 0 && current + 1 + word.chars().count() > width {
            lines.push(String::new());
        }
        if let Some(line) = lines.last_mut() {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// Text in the WinAnsi encoding the base-14 fonts use; characters it
/// lacks become `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '€' => 0x80,
            '–' => 0x96,
            '—' => 0x97,
            '•' => 0x95,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            c if (c as u32) < 0x80 || (0xA0..=0xFF).contains(&(c as u32)) => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

/// Renders the report as PDF bytes.
pub fn render(report: &Report) -> Vec<u8> {
    let mut w = Writer::new();
    w.title(&report.title);
    w.line(&format!(
        "Plants: {} | {} to {} | {} windows ({:.1} h of data)",
        report.plants.join(", "),
        report.from_utc,
        report.to_utc,
        report.windows,
        report.hours_covered
    ));
    w.heading("1. Executive summary");
    for headline in &report.executive_summary.headlines {
        w.line(&format!("• {headline}"));
    }
    let p = &report.performance;
    w.heading("2. System performance metrics");
    let cols = [0.0, 260.0];
    for (metric, value) in [
        ("Steam generated", format!("{:.0} kg/h", p.generation_kg_h)),
        ("Steam consumed", format!("{:.0} kg/h", p.consumption_kg_h)),
        (
            "Boiler-house efficiency",
            format!("{:.1} %", p.efficiency_pct),
        ),
        (
            "Mass balance closure (mean)",
            format!("{:.1} %", p.mass_closure_pct),
        ),
        (
            "Energy balance closure (mean)",
            format!("{:.1} %", p.energy_closure_pct),
        ),
        (
            "Condensate recovery",
            format!("{:.1} %", p.condensate_recovery_pct),
        ),
    ] {
        w.row(&[metric.to_string(), value], &cols, false);
    }
    w.line("Trap population:");
    let population: Vec<(String, f64)> = report
        .traps
        .by_state
        .iter()
        .map(|s| (s.state.replace('_', " "), s.count as f64))
        .collect();
    w.bars(&population, "traps");
    w.heading("3. Loss analysis with breakdown");
    let bars: Vec<(String, f64)> = report
        .losses
        .iter()
        .map(|l| (l.label.clone(), l.cost_per_year))
        .collect();
    w.bars(&bars, "/yr");
    let cols = [0.0, 200.0, 260.0, 320.0, 420.0];
    w.row(
        &["Category", "kg/h", "kW", "per year", "share %"].map(String::from),
        &cols,
        true,
    );
    for l in &report.losses {
        w.row(
            &[
                l.label.clone(),
                format!("{:.0}", l.loss_kg_h),
                format!("{:.0}", l.loss_kw),
                money(l.cost_per_year),
                format!("{:.1}", l.share_pct),
            ],
            &cols,
            false,
        );
    }
    let e = &report.economics;
    w.heading("4. Economic impact");
    w.line(&format!(
        "All losses cost {} per year at this rate ({} per day); {} during the period's data; {} of it avoidable.",
        money(e.cost_per_year),
        money(e.cost_per_day),
        money(e.cost_in_period),
        money(e.avoidable_cost_per_year)
    ));
    w.heading("5. Recommendations with ROI");
    let cols = [0.0, 20.0, 300.0, 380.0, 440.0];
    w.row(
        &["#", "Action", "savings/yr", "cost", "payback"].map(String::from),
        &cols,
        true,
    );
    for r in &report.recommendations {
        w.row(
            &[
                r.rank.to_string(),
                r.action.clone(),
                money(r.savings_per_year),
                r.cost.map_or("-".into(), money),
                r.payback_years.map_or("-".into(), |y| format!("{y:.2} yr")),
            ],
            &cols,
            false,
        );
    }
    w.heading("6. Trend analysis");
    w.line(&format!(
        "Total steam loss per {} bucket:",
        report.trends.bucket
    ));
    let cols = [0.0, 160.0, 240.0, 340.0];
    w.row(
        &["Bucket start", "kg/h", "mass closure %", "recovery %"].map(String::from),
        &cols,
        true,
    );
    for t in &report.trends.points {
        w.row(
            &[
                t.start_utc.clone(),
                format!("{:.0}", t.loss_kg_h),
                format!("{:.1}", t.mass_closure_pct),
                format!("{:.1}", t.condensate_recovery_pct),
            ],
            &cols,
            false,
        );
    }
    w.heading("7. Compliance status");
    for c in &report.compliance {
        w.line(&format!(
            "[{}] {}: {} (requirement: {})",
            c.status, c.item, c.value, c.requirement
        ));
    }
    w.heading("8. Action plan");
    for a in &report.action_plan {
        w.line(&format!(
            "{}. {} ({}, {})",
            a.priority, a.action, a.owner, a.due
        ));
    }
    assemble(w.pages)
}

fn assemble(pages: Vec<Content>) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let first_free = 5;
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(first_free + 2 * i as i32))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    for (content, page_id) in pages.into_iter().zip(&page_ids) {
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE.0, PAGE.1));
        page.parent(tree);
        page.contents(content_id);
        page.resources()
            .fonts()
            .pair(Name(b"F1"), regular)
            .pair(Name(b"F2"), bold);
        page.finish();
        pdf.stream(content_id, &content.finish());
    }
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.finish()
}

//! `steamflow run --check`: whether each source can run, before a long run.
//!
//! A network source gets its connector's connection test (reachable,
//! authenticated, each device, subscription or node read once); a file is
//! opened and its header or schema read; a simulator is built. Sources are
//! checked one after another, each bounded by [`CHECK_TIMEOUT`].
//!
//! ```text
//! ok    source `boiler_house` (modbus 10.1.2.3:502)
//!         boiler: connected in 2 ms
//!           ok    boiler1.steam_flow = 9120.5
//! FAIL  source `broker` (mqtt 10.1.2.9:1883)
//!         FAIL cannot connect to 10.1.2.9:1883: connection refused
//! ```

use std::fmt;
use std::time::Duration;

use super::connector::CheckOutcome;
use super::sources::{Driver, NamedSource, SourceSpec};

/// The longest one source's check may take.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(30);

/// One source's check.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceCheck {
    /// The source id.
    pub id: String,
    /// What it is (`modbus 10.1.2.3:502`, `file readings.csv`).
    pub description: String,
    /// Whether it can run.
    pub outcome: CheckOutcome,
}

/// Every source's check.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChecksReport {
    /// In config order.
    pub sources: Vec<SourceCheck>,
}

impl ChecksReport {
    /// True when every source passed.
    pub fn ok(&self) -> bool {
        self.sources.iter().all(|s| s.outcome.ok)
    }
}

impl fmt::Display for ChecksReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for source in &self.sources {
            let mark = if source.outcome.ok { "ok  " } else { "FAIL" };
            writeln!(f, "{mark}  source `{}` ({})", source.id, source.description)?;
            for line in source.outcome.report.lines() {
                writeln!(f, "        {line}")?;
            }
        }
        Ok(())
    }
}

/// Checks every source (see the [module docs](self)).
pub fn check_sources(sources: &[NamedSource]) -> anyhow::Result<ChecksReport> {
    let needs_runtime = sources
        .iter()
        .any(|s| matches!(s.spec, SourceSpec::Live(_)));
    let runtime = needs_runtime
        .then(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
        })
        .transpose()?;
    let mut report = ChecksReport::default();
    for source in sources {
        let outcome = match (&source.spec, &runtime) {
            (SourceSpec::Live(connector), Some(runtime)) => runtime.block_on(async {
                match tokio::time::timeout(CHECK_TIMEOUT, connector.check()).await {
                    Ok(outcome) => outcome,
                    Err(_) => CheckOutcome {
                        ok: false,
                        report: format!(
                            "FAIL no answer within {} s from {}",
                            CHECK_TIMEOUT.as_secs(),
                            connector.endpoint()
                        ),
                    },
                }
            }),
            _ => match Driver::open(source) {
                Ok(_) => CheckOutcome {
                    ok: true,
                    report: match &source.spec {
                        SourceSpec::File { .. } => "opens; its header reads".to_owned(),
                        _ => "opens".to_owned(),
                    },
                },
                Err(error) => CheckOutcome {
                    ok: false,
                    report: format!("FAIL {error:#}"),
                },
            },
        };
        report.sources.push(SourceCheck {
            id: source.id.clone(),
            description: source.description(),
            outcome,
        });
    }
    Ok(report)
}

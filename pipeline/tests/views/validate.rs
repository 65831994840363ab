//! `steamflow validate` and `steamflow run` refuse a view that does not
//! plan, naming it, before anything runs.

use std::path::Path;
use std::process::{Command, Output};

use super::harness::{repository, scratch};

fn steamflow(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_steamflow"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("steamflow runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The demo config with `views` appended.
fn write_config(dir: &Path, views: &str) {
    let text = format!("{}\n{views}", steamflow::config::DEMO_CONFIG);
    std::fs::write(dir.join("steamflow.toml"), text).expect("the config");
}

#[test]
fn validate_names_the_view_with_bad_sql_an_unknown_column_or_a_type_error() {
    let dir = scratch("validate");
    let examples = repository().join("sql/views");
    write_config(
        &dir,
        &format!(
            "[views.top_losses]\nfile = \"{}\"\n\n\
             [views.misspelt]\nsql = \"SELECT mass_closure FROM balances\"\n\n\
             [views.mistyped]\nsql = \"SELECT plant + 1 AS p FROM balances\"\n\n\
             [views.garbled]\nsql = \"SELEKT plant FROM balances\"\n\n\
             [views.nowhere]\nsql = \"SELECT * FROM balance_sheet\"\n",
            examples.join("top_losses_by_cost.sql").display()
        ),
    );
    let output = steamflow(&["validate", "steamflow.toml"], &dir);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    for (view, says) in [
        ("misspelt", "mass_closure"),
        ("mistyped", "Utf8"),
        ("garbled", "SELEKT"),
        ("nowhere", "balance_sheet"),
    ] {
        assert!(
            text.lines()
                .any(|line| line.contains(&format!("view {view}:")) && line.contains(says)),
            "{view}: {text}"
        );
    }
    assert!(!text.contains("view top_losses"), "{text}");
    assert!(text.contains("4 errors"), "{text}");

    // `run` refuses to start with the same errors.
    let output = steamflow(&["run", "steamflow.toml"], &dir);
    let text = stderr(&output);
    assert!(!output.status.success(), "{text}");
    assert!(text.contains("view misspelt"), "{text}");

    // The examples plan against the live tables.
    write_config(
        &dir,
        &format!(
            "[views.top_losses]\nfile = \"{0}/top_losses_by_cost.sql\"\n\n\
             [views.traps_by_state]\nfile = \"{0}/traps_by_state.sql\"\n\n\
             [views.daily_energy_balance]\nfile = \"{0}/daily_energy_balance.sql\"\n",
            examples.display()
        ),
    );
    let output = steamflow(&["validate", "steamflow.toml"], &dir);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("3 views"),
        "{:?}",
        output
    );
    let _ = std::fs::remove_dir_all(&dir);
}

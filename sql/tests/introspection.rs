//! A user can find the steam functions and their units from SQL itself.

use datafusion::arrow::array::{Array, StringArray};
use steamflow_sql::shell::describe_functions;
use steamflow_sql::{new_session, query};

#[tokio::test]
async fn show_functions_gives_syntax_and_units() {
    let ctx = new_session();
    let answer = query(
        &ctx,
        "SELECT routine_name, description, syntax_example FROM information_schema.routines \
         WHERE routine_name = 'steam_h_pt'",
    )
    .await
    .unwrap();
    let batch = &answer.batches[0];
    let text = |column: usize| {
        batch
            .column(column)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap()
            .value(0)
            .to_owned()
    };
    assert!(text(1).contains("kJ/kg"), "{}", text(1));
    assert_eq!(text(2), "steam_h_pt(p_bar_abs, t_c)");

    let shown = query(&ctx, "SHOW FUNCTIONS LIKE 'steam_tsat%'")
        .await
        .unwrap();
    assert!(
        shown.pretty().unwrap().contains("°C"),
        "{}",
        shown.pretty().unwrap()
    );
}

#[test]
fn backslash_df_lists_every_steam_function_with_argument_units() {
    let listing = describe_functions(&new_session(), "");
    for name in [
        "steam_h_pt",
        "steam_s_pt",
        "steam_v_pt",
        "steam_rho_pt",
        "steam_h_px",
        "steam_s_px",
        "steam_v_px",
        "steam_rho_px",
        "steam_tsat_p",
        "steam_psat_t",
        "steam_latent_heat_p",
        "steam_superheat_pt",
        "flash_fraction",
        "steam_leak_kg_h",
        "pipe_heat_loss_w_per_m",
        "npv_annuity",
        "simple_payback_years",
        "discounted_payback_years",
        "udf_errors",
    ] {
        assert!(
            listing.contains(&format!("{name}(")),
            "{name} missing:\n{listing}"
        );
    }
    assert!(
        listing.contains("p_bar_abs: Absolute pressure [bar]"),
        "{listing}"
    );
    assert!(
        !listing.contains("abs("),
        "DataFusion's own functions are not listed"
    );
}

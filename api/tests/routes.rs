//! What the routes return over a populated live state.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::json;
use steamflow_api::{ROUTES, Role, openapi};

use crate::support::{app, send, token};

#[tokio::test]
async fn balances_show_each_plants_latest_window() {
    let app = app();
    let viewer = token(Role::Viewer);
    let (status, _, body) = send(&app, "GET", "/api/v1/balances", Some(&viewer), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!([{"plant": "north", "window_end": 120000, "mass_closure_pct": 100.4}])
    );
    let (_, _, both) = send(
        &app,
        "GET",
        "/api/v1/balances?windows=2",
        Some(&viewer),
        None,
    )
    .await;
    assert_eq!(both.as_array().unwrap().len(), 2);
    let (_, _, none) = send(
        &app,
        "GET",
        "/api/v1/balances?plant=south",
        Some(&viewer),
        None,
    )
    .await;
    assert_eq!(none, json!([]));
}

#[tokio::test]
async fn traps_filter_by_state() {
    let (status, _, body) = send(
        &app(),
        "GET",
        "/api/v1/traps?state=blown_open",
        Some(&token(Role::Viewer)),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let traps: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["trap"].as_str().unwrap())
        .collect();
    assert_eq!(traps, ["t1"]);
}

#[tokio::test]
async fn an_unknown_query_parameter_is_a_bad_request() {
    let (status, _, _) = send(
        &app(),
        "GET",
        "/api/v1/leaks?colour=red",
        Some(&token(Role::Viewer)),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_operator_acknowledges_a_firing_alert() {
    let app = app();
    let operator = token(Role::Operator);
    let ack = |key: &str| json!({"dedup_key": key, "note": "valve crew on the way"});
    let (status, _, body) = send(
        &app,
        "POST",
        "/api/v1/alerts/ack",
        Some(&operator),
        Some(ack("trap_failed/north/t1")),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["acknowledged"]["by"], "alice");
    assert_eq!(body["acknowledged"]["note"], "valve crew on the way");
    let (_, _, firing) = send(
        &app,
        "GET",
        "/api/v1/alerts?kind=firing",
        Some(&operator),
        None,
    )
    .await;
    assert_eq!(firing.as_array().unwrap().len(), 1);
    assert_eq!(firing[0]["acknowledged"]["by"], "alice");
    // A resolved alert has nothing to acknowledge; an unknown one is not found.
    let (resolved, _, _) = send(
        &app,
        "POST",
        "/api/v1/alerts/ack",
        Some(&operator),
        Some(ack("leak/north/s9")),
    )
    .await;
    assert_eq!(resolved, StatusCode::CONFLICT);
    let (unknown, _, _) = send(
        &app,
        "POST",
        "/api/v1/alerts/ack",
        Some(&operator),
        Some(ack("nope")),
    )
    .await;
    assert_eq!(unknown, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn sql_without_an_engine_says_so() {
    let (status, _, body) = send(
        &app(),
        "POST",
        "/api/v1/sql",
        Some(&token(Role::Engineer)),
        Some(json!({"sql": "SELECT 1"})),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body["message"].as_str().unwrap().contains("no SQL engine"));
}

#[tokio::test]
async fn the_openapi_description_lists_every_route_with_bearer_security() {
    let doc = serde_json::to_value(openapi()).unwrap();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let routed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|spec| (spec.method.to_string(), spec.path.to_string()))
        .collect();
    assert_eq!(documented, routed);
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for (_, item) in doc["paths"].as_object().unwrap() {
        for (_, operation) in item.as_object().unwrap() {
            assert_eq!(operation["security"], json!([{"bearer": []}]));
        }
    }
    // The route serves the same description.
    let (status, _, served) = send(
        &app(),
        "GET",
        "/api/v1/openapi.json",
        Some(&token(Role::Viewer)),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(served, doc);
}

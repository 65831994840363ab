//! Authorisation, NDJSON and JSON bodies, per-item answers and dead letters.

use steamflow_operators::reading::Quality;
use steamflow_source_core::SourceEvent;

use crate::common::*;

fn batch(event: SourceEvent) -> steamflow_source_core::SourceBatch {
    match event {
        SourceEvent::Batch(batch) => batch,
        other => panic!("expected a batch, got {other:?}"),
    }
}

#[tokio::test]
async fn requests_without_the_right_token_are_refused() {
    let mut server = start(8, |_| {}).await;
    let body = r#"[{"time": 0, "plant": "n", "tag": "a", "value": 1}]"#;
    let cases = [
        (None, "Bearer"),
        (
            Some(format!("Bearer {TOKEN}x")),
            "Bearer error=\"invalid_token\"",
        ),
        (Some("Bearer ".to_owned()), "Bearer"),
        (Some(format!("Basic {TOKEN}")), "Bearer"),
        (Some(TOKEN.to_owned()), "Bearer"),
    ];
    for (authorization, challenge) in cases {
        let mut request = server
            .client
            .post(server.url("/ingest"))
            .header("content-type", "application/json")
            .body(body);
        if let Some(value) = &authorization {
            request = request.header("authorization", value);
        }
        let response = request.send().await.expect("request");
        assert_eq!(response.status().as_u16(), 401, "{authorization:?}");
        let header = response
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(header.starts_with("Bearer"), "{header}");
        if authorization
            .as_deref()
            .is_some_and(|a| a.starts_with("Bearer test"))
        {
            assert_eq!(header, challenge);
        }
        let (_, json) = answer(response).await;
        assert_eq!(json["error"], "unauthorized");
    }
    assert!(
        server.no_event(),
        "nothing reaches the pipeline without the token"
    );
    // The scheme is case-insensitive.
    let response = server
        .client
        .post(server.url("/ingest"))
        .header("authorization", format!("bearer {TOKEN}"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(batch(server.next_event().await).readings.len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn ndjson_good_lines_are_accepted_and_bad_lines_answered() {
    let mut server = start(8, |config| config.plant = Some("north".into())).await;
    let body = [
        r#"{"time": "2025-01-01T00:00:00Z", "tag": "boiler1.flow", "value": 1200.5, "unit": "kg/h"}"#,
        r#"{"time": "2025-01-01T00:00:01Z", "plant": "south", "tag": "boiler2.flow", "value": 800, "quality": "uncertain"}"#,
        r#"{"time": "2025-01-01T00:00:02Z", "value": 3}"#,
        "",
        r#"{"time": "later", "tag": "x", "value": 4}"#,
        r#"{"time": 1735689603000, "tag": "header.pressure", "value": "10.5"}"#,
        r#"{"time": 1735689604000, "tag": "x", "value": 5"#,
    ]
    .join("\n");
    let (status, json) = server.post("application/x-ndjson", body).await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["accepted"], 3);
    assert_eq!(json["rejected"], 3);
    let errors: Vec<_> = json["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap_or(0),
                e["reason"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (3, "missing_field".into()),
            (5, "bad_time".into()),
            (7, "bad_json".into())
        ]
    );
    assert!(
        json["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("tag")
    );

    let batch = batch(server.next_event().await);
    let readings: Vec<_> = batch
        .readings
        .iter()
        .map(|r| {
            (
                r.plant.as_str(),
                r.tag.as_str(),
                r.value,
                r.quality,
                r.time_ms,
            )
        })
        .collect();
    assert_eq!(
        readings,
        [
            (
                "north",
                "boiler1.flow",
                1200.5,
                Quality::Good,
                1_735_689_600_000
            ),
            (
                "south",
                "boiler2.flow",
                800.0,
                Quality::Uncertain,
                1_735_689_601_000
            ),
            (
                "north",
                "header.pressure",
                10.5,
                Quality::Good,
                1_735_689_603_000
            ),
        ]
    );
    assert_eq!(
        batch.readings[0].unit.as_ref().map(|u| u.as_str()),
        Some("kg/h")
    );
    // The rejected lines are dead letters for the pipeline too.
    let dead: Vec<_> = batch
        .errors
        .iter()
        .map(|e| (e.reason, e.origin.clone()))
        .collect();
    assert_eq!(dead.len(), 3);
    assert_eq!(dead[0].0, "missing_field");
    assert!(
        dead[0].1.starts_with("127.0.0.1:") && dead[0].1.ends_with(" line 3"),
        "{}",
        dead[0].1
    );
    assert_eq!(
        batch.errors[2].payload,
        r#"{"time": 1735689604000, "tag": "x", "value": 5"#
    );
    assert_eq!(batch.errors[0].source, "ingest");
    server.stop().await;
}

#[tokio::test]
async fn json_arrays_and_single_objects_are_accepted_item_by_item() {
    let mut server = start(8, |_| {}).await;
    let body = r#"[
        {"time": 1735689600000, "plant": "n", "tag": "a", "value": 1},
        {"time": 1735689600000, "plant": "n", "tag": "b", "value": [2]},
        {"time": 1735689600000, "plant": "n", "tag": "c", "value": null, "quality": 2147483648}
    ]"#;
    let (status, json) = server.post("application/json; charset=utf-8", body).await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(
        (json["accepted"].as_u64(), json["rejected"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(json["errors"][0]["index"], 1);
    assert_eq!(json["errors"][0]["reason"], "wrong_type");
    let batch_ = batch(server.next_event().await);
    assert!(batch_.readings[1].value.is_nan());
    assert_eq!(batch_.readings[1].quality, Quality::Bad);
    assert_eq!(
        batch_.errors[0].payload,
        r#"{"time": 1735689600000, "plant": "n", "tag": "b", "value": [2]}"#
    );

    let (status, json) = server
        .post(
            "application/json",
            r#"{"time": "2025-01-01T00:00:00Z", "plant": "n", "tag": "one", "value": 7}"#,
        )
        .await;
    assert_eq!((status, json["accepted"].as_u64()), (200, Some(1)));
    assert_eq!(
        batch(server.next_event().await).readings[0].tag.as_str(),
        "one"
    );

    // Every item bad: 422, nothing accepted, still dead-lettered.
    let (status, json) = server
        .post("application/json", r#"[{"tag": "a"}, 3]"#)
        .await;
    assert_eq!(status, 422, "{json}");
    assert_eq!(json["accepted"], 0);
    let reasons: Vec<_> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].clone())
        .collect();
    assert_eq!(reasons, ["missing_field", "not_an_object"]);
    assert_eq!(batch(server.next_event().await).errors.len(), 2);

    // Not JSON at all: 400, nothing accepted.
    for body in ["[{\"time\": 0,", "hello", ""] {
        let (status, json) = server.post("application/json", body).await;
        assert_eq!(status, 400, "{body:?}: {json}");
        assert_eq!(json["error"], "bad_json");
    }
    // An empty array is fine.
    let (status, json) = server.post("application/json", "[]").await;
    assert_eq!((status, json["accepted"].as_u64()), (200, Some(0)));
    assert!(server.no_event());
    server.stop().await;
}

#[tokio::test]
async fn other_content_types_and_methods_are_refused() {
    let mut server = start(8, |_| {}).await;
    let line = r#"{"time": 0, "plant": "n", "tag": "a", "value": 1}"#;
    for content_type in ["text/plain", "application/xml", "multipart/form-data"] {
        let (status, json) = server.post(content_type, line).await;
        assert_eq!(status, 415, "{content_type}");
        assert_eq!(json["error"], "unsupported_media_type");
    }
    let response = server
        .client
        .post(server.url("/ingest"))
        .bearer_auth(TOKEN)
        .body(line)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 415, "no content type");
    let response = server
        .client
        .post(server.url("/ingest"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(line)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 415, "compressed bodies");
    for content_type in steamflow_source_http::NDJSON_TYPES {
        let (status, _) = server.post(content_type, line).await;
        assert_eq!(status, 200, "{content_type}");
        assert_eq!(batch(server.next_event().await).readings.len(), 1);
    }
    let response = server
        .client
        .get(server.url("/ingest"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status().as_u16(), 405);
    let response = server
        .client
        .get(server.url("/health"))
        .send()
        .await
        .expect("GET /health");
    assert_eq!(response.status().as_u16(), 200);
    assert!(server.no_event());
    server.stop().await;
}

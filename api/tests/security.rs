//! Every route refuses a missing, expired, forged or otherwise invalid
//! token and a role that lacks its permission (RFC 6750 answers).

use axum::http::StatusCode;
use base64_free::encode_segment;
use serde_json::{Value, json};
use steamflow_api::{ROUTES, Role, RouteSpec};

use crate::support::{SECRET, app, claims, now, send, sign, token};

/// A request each route accepts once past the guard.
fn request(spec: &RouteSpec) -> (String, Option<Value>) {
    let path = spec.path.replace("{kind}", "monthly");
    let body = match spec.path {
        "/api/v1/alerts/ack" => Some(json!({"dedup_key": "trap_failed/north/t1"})),
        "/api/v1/sql" => Some(json!({"sql": "SELECT 1"})),
        _ => None,
    };
    (path, body)
}

async fn status_with(spec: &RouteSpec, token: Option<&str>) -> (StatusCode, Option<String>) {
    let (path, body) = request(spec);
    let (status, challenge, _) = send(&app(), spec.method, &path, token, body).await;
    (status, challenge)
}

#[tokio::test]
async fn every_route_refuses_a_missing_token() {
    for spec in ROUTES {
        let (status, challenge) = status_with(spec, None).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{} {}",
            spec.method,
            spec.path
        );
        assert_eq!(challenge.as_deref(), Some(r#"Bearer realm="steamflow""#));
    }
}

#[tokio::test]
async fn every_route_refuses_invalid_tokens() {
    let mut expired = claims(&["admin"]);
    expired["exp"] = json!(now() - 120);
    let mut early = claims(&["admin"]);
    early["nbf"] = json!(now() + 3600);
    let mut foreign_issuer = claims(&["admin"]);
    foreign_issuer["iss"] = json!("https://evil.example/");
    let mut foreign_audience = claims(&["admin"]);
    foreign_audience["aud"] = json!("someone-else");
    let mut no_expiry = claims(&["admin"]);
    no_expiry.as_object_mut().unwrap().remove("exp");
    let cases = [
        ("expired", sign(&expired, SECRET), "expired"),
        ("not yet valid", sign(&early, SECRET), "not yet valid"),
        (
            "forged (another key)",
            sign(&claims(&["admin"]), "another-secret-of-at-least-32-bytes!!"),
            "signature",
        ),
        (
            "unsigned (alg none)",
            unsigned(&claims(&["admin"])),
            "malformed",
        ),
        (
            "foreign issuer",
            sign(&foreign_issuer, SECRET),
            "someone else",
        ),
        (
            "foreign audience",
            sign(&foreign_audience, SECRET),
            "someone else",
        ),
        ("no expiry", sign(&no_expiry, SECRET), "malformed"),
        ("not a JWT", "not.a.jwt".to_string(), "malformed"),
    ];
    for spec in ROUTES {
        for (case, token, reason) in &cases {
            let (status, challenge) = status_with(spec, Some(token)).await;
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{case}: {} {}",
                spec.method,
                spec.path
            );
            let challenge = challenge.unwrap_or_default();
            assert!(
                challenge.contains(r#"error="invalid_token""#) && challenge.contains(reason),
                "{case}: {challenge}"
            );
        }
    }
}

#[tokio::test]
async fn every_route_checks_the_role() {
    for spec in ROUTES {
        for role in Role::ALL {
            let (status, _) = status_with(spec, Some(&token(role))).await;
            if role.allows(spec.permission) {
                assert!(
                    status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                    "{role:?} may {} {}: got {status}",
                    spec.method,
                    spec.path
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{role:?} may not {} {}",
                    spec.method,
                    spec.path
                );
            }
        }
        // Roles of other applications grant nothing here.
        let stranger = sign(&claims(&["superuser"]), SECRET);
        let (status, _) = status_with(spec, Some(&stranger)).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{} {}",
            spec.method,
            spec.path
        );
    }
}

#[tokio::test]
async fn a_viewer_cannot_acknowledge_or_query() {
    let app = app();
    let viewer = token(Role::Viewer);
    let (status, _, body) = send(
        &app,
        "POST",
        "/api/v1/alerts/ack",
        Some(&viewer),
        Some(json!({"dedup_key": "trap_failed/north/t1"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"], "insufficient_scope");
    // Nothing was acknowledged.
    let (_, _, alerts) = send(&app, "GET", "/api/v1/alerts", Some(&viewer), None).await;
    assert!(
        alerts
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["acknowledged"].is_null())
    );
}

/// A token with `"alg": "none"` and no signature (RFC 7519 §6).
fn unsigned(claims: &Value) -> String {
    format!(
        "{}.{}.",
        encode_segment(br#"{"alg":"none","typ":"JWT"}"#),
        encode_segment(claims.to_string().as_bytes())
    )
}

/// Base64url without padding (RFC 7515 §2), for hand-made tokens.
mod base64_free {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    pub fn encode_segment(bytes: &[u8]) -> String {
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..=chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }
}

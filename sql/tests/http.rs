//! `POST /sql` on a real server on a free loopback port.

use std::sync::Arc;

use datafusion::arrow::ipc::reader::StreamReader;
use steamflow_sql::http::{ARROW_STREAM, router};
use steamflow_sql::new_session;

async fn serve() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = router(Arc::new(new_session()));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{address}/sql"), server)
}

#[tokio::test]
async fn answers_json_arrow_and_errors() {
    let (url, server) = serve().await;
    // reqwest's rustls has no default crypto provider in this workspace;
    // building any client (even for http://) needs one installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let sql = "SELECT steam_tsat_p(p) AS tsat_c FROM (VALUES (1.01325), (-1.0)) AS v(p)";

    let json = client.post(&url).body(sql).send().await.unwrap();
    assert_eq!(json.status(), 200);
    let rows: serde_json::Value = serde_json::from_str(&json.text().await.unwrap()).unwrap();
    let first = rows[0]["tsat_c"].as_f64().unwrap();
    // IF97 eq. 31: Tsat(101.325 kPa) = 372.124 K = 99.974 °C.
    assert!((first - 99.974).abs() < 1e-3, "{rows}");
    assert!(
        rows[1].get("tsat_c").is_none_or(serde_json::Value::is_null),
        "{rows}"
    );

    let arrow = client
        .post(&url)
        .header("accept", ARROW_STREAM)
        .body(sql)
        .send()
        .await
        .unwrap();
    assert_eq!(arrow.headers()["content-type"], ARROW_STREAM);
    let bytes = arrow.bytes().await.unwrap();
    let reader = StreamReader::try_new(std::io::Cursor::new(bytes.to_vec()), None).unwrap();
    let rows: usize = reader.map(|batch| batch.unwrap().num_rows()).sum();
    assert_eq!(rows, 2);

    let bad = client
        .post(&url)
        .body("SELECT nope FROM nowhere")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let error: serde_json::Value = serde_json::from_str(&bad.text().await.unwrap()).unwrap();
    assert!(
        error["error"].as_str().unwrap().contains("nowhere"),
        "{error}"
    );
    server.abort();
}

//! `steamflow sql` against a running pipeline: the pipeline's own API
//! router (bearer tokens, roles) on a free loopback port, its SQL engine
//! answering from live tables through `api::query_json`, and the remote
//! backend of the shell and `-e` talking to it over real HTTP.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use datafusion::arrow::array::{Float64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::prelude::SessionContext;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Map, Value, json};
use steamflow_api::{ApiState, AuthConfig, JwtAlgorithm, LiveState, SqlEngine, router};
use steamflow_sql::api::{QueryError, query_json};
use steamflow_sql::command::{Backend, OutputFormat, open_remote};
use steamflow_sql::live::LiveTables;
use steamflow_sql::{SqlError, new_session};

const SECRET: &str = "a test secret of at least thirty-two bytes";

/// The engine a pipeline hands its API: live tables through `query_json`.
struct LiveSql {
    ctx: SessionContext,
}

#[async_trait]
impl SqlEngine for LiveSql {
    async fn query(
        &self,
        sql: &str,
        limit: usize,
    ) -> Result<Vec<Map<String, Value>>, steamflow_api::SqlError> {
        query_json(&self.ctx, sql, limit)
            .await
            .map_err(|error| match error {
                QueryError::Invalid(m) => steamflow_api::SqlError::Invalid(m),
                QueryError::Failed(m) => steamflow_api::SqlError::Failed(m),
            })
    }
}

/// The API server; stopped when dropped.
struct Server {
    base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn auth() -> AuthConfig {
    AuthConfig {
        algorithm: JwtAlgorithm::HS256,
        secret: Some(SECRET.into()),
        public_key_file: None,
        issuer: None,
        audience: None,
        leeway_secs: 0,
    }
}

fn token(role: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({"sub": "dana", "iat": now, "exp": now + 3600, "roles": [role]});
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

async fn serve(ctx: SessionContext) -> Server {
    let state = ApiState::builder(&auth(), Arc::new(LiveState::default()))
        .unwrap()
        .sql(Arc::new(LiveSql { ctx }))
        .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = router(state);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Server {
        base: format!("http://{address}"),
        task,
    }
}

fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("mean", DataType::Float64, true),
    ]))
}

fn apply(tables: &LiveTables, time_ms: i64, rows: &[(&str, f64, i64)]) {
    let keys: StringArray = rows.iter().map(|r| Some(r.0)).collect();
    let means: Float64Array = rows.iter().map(|r| Some(r.1)).collect();
    let diffs: Vec<i64> = rows.iter().map(|r| r.2).collect();
    let batch = RecordBatch::try_new(schema(), vec![Arc::new(keys), Arc::new(means)]).unwrap();
    tables
        .apply("window_aggregates", time_ms, &batch, &diffs)
        .unwrap();
}

/// Live window aggregates, p1 corrected from 10.0 to 12.0 by a late reading.
fn live_session() -> (LiveTables, SessionContext) {
    let tables = LiveTables::new(8);
    tables.declare("window_aggregates", schema()).unwrap();
    apply(&tables, 60_000, &[("p1", 10.0, 1), ("p2", 5.0, 1)]);
    apply(&tables, 120_000, &[("p1", 10.0, -1), ("p1", 12.0, 1)]);
    let ctx = new_session();
    tables.register(&ctx).unwrap();
    (tables, ctx)
}

fn remote(server: &Server, role: Option<&str>) -> Backend {
    open_remote(&server.base, role.map(token)).unwrap()
}

#[tokio::test]
async fn the_shell_backend_queries_a_running_pipeline() {
    let (tables, ctx) = live_session();
    let server = serve(ctx).await;
    let backend = remote(&server, Some("engineer"));

    let sql = "SELECT key, mean FROM window_aggregates ORDER BY key";
    let table = backend.execute(sql, OutputFormat::Table).await.unwrap();
    assert!(table.contains("| p1  | 12.0 |"), "{table}");
    assert!(table.contains("| p2  | 5.0  |"), "{table}");
    let json = backend.execute(sql, OutputFormat::Json).await.unwrap();
    let rows: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        rows,
        json!([{"key": "p1", "mean": 12.0}, {"key": "p2", "mean": 5.0}])
    );

    // Timestamps travel as milliseconds, like the streams' `*_ms` fields.
    let Backend::Remote(client) = &backend else {
        panic!("a remote backend");
    };
    let time = client
        .rows("SELECT time FROM window_aggregates WHERE key = 'p1'")
        .await
        .unwrap();
    assert_eq!(time[0]["time"], 120_000);

    // The tables are live: an update that settles now is in the next answer.
    apply(&tables, 180_000, &[("p2", 5.0, -1), ("p2", 6.5, 1)]);
    let answer = backend
        .query("SELECT mean FROM window_aggregates WHERE key = 'p2'")
        .await
        .unwrap();
    assert!(answer.pretty().unwrap().contains("6.5"));

    // What tab completion and `\dt` / `\df` use.
    let tables = backend.table_names().await.unwrap();
    assert_eq!(tables, ["window_aggregates", "window_aggregates_updates"]);
    let functions = backend.function_names().await.unwrap();
    assert!(functions.iter().any(|f| f == "steam_h_pt"), "{functions:?}");
    let described = backend.describe_functions("steam_h_pt").await.unwrap();
    assert!(described.contains("steam_h_pt("), "{described}");
    assert!(described.contains("kJ/kg"), "{described}");
}

#[tokio::test]
async fn remote_errors_say_what_went_wrong() {
    let (_tables, ctx) = live_session();
    let server = serve(ctx).await;
    let engineer = remote(&server, Some("engineer"));

    let status = |error: SqlError| match error {
        SqlError::Remote { status, message } => (status, message),
        other => panic!("not a remote error: {other}"),
    };
    let (code, message) = status(
        engineer
            .query("SELECT nope FROM window_aggregates")
            .await
            .unwrap_err(),
    );
    assert_eq!(code, Some(400));
    assert!(message.contains("nope"), "{message}");

    // The API is read-only: no statement changes the pipeline's session.
    let (code, _) = status(
        engineer
            .query("CREATE VIEW v AS SELECT 1")
            .await
            .unwrap_err(),
    );
    assert_eq!(code, Some(400));
    assert!(
        !engineer
            .table_names()
            .await
            .unwrap()
            .contains(&"v".to_owned())
    );

    let (code, _) = status(remote(&server, None).query("SELECT 1").await.unwrap_err());
    assert_eq!(code, Some(401));
    let (code, _) = status(
        remote(&server, Some("viewer"))
            .query("SELECT 1")
            .await
            .unwrap_err(),
    );
    assert_eq!(code, Some(403));

    // Nobody listening: an error naming the endpoint, no hang.
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let closed = open_remote(&format!("http://127.0.0.1:{port}"), None).unwrap();
    let (code, message) = status(closed.query("SELECT 1").await.unwrap_err());
    assert_eq!(code, None);
    assert!(message.contains("/api/v1/sql"), "{message}");
}

#[tokio::test]
async fn query_json_limits_rows_and_tells_invalid_from_failed() {
    let (_tables, ctx) = live_session();
    let rows = query_json(&ctx, "SELECT * FROM window_aggregates_updates", 2)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0].keys().collect::<Vec<_>>(),
        ["time", "key", "mean", "diff"]
    );
    for sql in [
        "SELEC 1",
        "SELECT nope FROM window_aggregates",
        "SELECT sum(key) FROM window_aggregates",
        "CREATE TABLE t AS SELECT 1",
        "SET datafusion.execution.batch_size = 1",
        "SELECT CAST(mean AS BIGINT) / CAST(mean - mean AS BIGINT) FROM window_aggregates",
    ] {
        let error = query_json(&ctx, sql, 10).await.unwrap_err();
        assert!(matches!(error, QueryError::Invalid(_)), "{sql}: {error:?}");
    }
    let shown = query_json(&ctx, "SHOW TABLES", 100).await.unwrap();
    assert!(
        shown
            .iter()
            .any(|row| row["table_name"] == "window_aggregates")
    );
}

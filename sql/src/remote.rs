//! SQL against a running pipeline, over its HTTP API: `POST
//! /api/v1/sql` with `{"sql": …}` and a bearer token (a JWT whose role
//! may run SQL: admin, engineer or api_client). The pipeline answers JSON
//! objects (at most 10,000 rows, its default limit); they are read back
//! into Arrow so the shell prints them as it prints local results, with
//! column types inferred from the JSON (timestamps arrive as integer
//! milliseconds). `https://` URLs are checked against the system's root
//! certificates.

use std::sync::Arc;
use std::time::Duration;

use datafusion::arrow::array::RecordBatch;
use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::json::ReaderBuilder;
use datafusion::arrow::json::reader::infer_json_schema_from_iterator;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Map, Value};

use crate::error::{Result, SqlError};
use crate::session::Answer;

/// The API route that runs SQL.
pub const SQL_ROUTE: &str = "/api/v1/sql";

/// How long a query may take before the client gives up.
const QUERY_TIMEOUT: Duration = Duration::from_secs(120);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A client of a running pipeline's SQL route.
#[derive(Clone, Debug)]
pub struct Remote {
    client: reqwest::Client,
    endpoint: reqwest::Url,
    token: Option<String>,
}

impl Remote {
    /// A client of the pipeline at `url` (its API's base URL, such as
    /// `http://plant-host:8686`, or the full `…/api/v1/sql`), sending
    /// `token` as the bearer token. Nothing is sent yet.
    pub fn new(url: &str, token: Option<String>) -> Result<Remote> {
        let mut endpoint = reqwest::Url::parse(url).map_err(|e| SqlError::Remote {
            status: None,
            message: format!("{url}: {e}"),
        })?;
        if !matches!(endpoint.scheme(), "http" | "https") {
            return Err(SqlError::Remote {
                status: None,
                message: format!("{url}: the URL must start with http:// or https://"),
            });
        }
        if !endpoint.path().ends_with(SQL_ROUTE) {
            let base = endpoint.path().trim_end_matches('/').to_owned();
            endpoint.set_path(&format!("{base}{SQL_ROUTE}"));
        }
        Ok(Remote {
            client: http_client()?,
            endpoint,
            token: token.filter(|token| !token.is_empty()),
        })
    }

    /// Where queries go.
    pub fn endpoint(&self) -> &str {
        self.endpoint.as_str()
    }

    /// The rows of `sql` as the pipeline sends them.
    pub async fn rows(&self, sql: &str) -> Result<Vec<Map<String, Value>>> {
        let body = serde_json::json!({ "sql": sql }).to_string();
        let mut request = self
            .client
            .post(self.endpoint.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(token) = &self.token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = request.send().await.map_err(|e| SqlError::Remote {
            status: None,
            message: format!("{}: {}", self.endpoint, e.without_url()),
        })?;
        let status = response.status();
        let text = response.text().await.map_err(|e| SqlError::Remote {
            status: Some(status.as_u16()),
            message: e.without_url().to_string(),
        })?;
        if !status.is_success() {
            return Err(SqlError::Remote {
                status: Some(status.as_u16()),
                message: error_message(&text),
            });
        }
        serde_json::from_str(&text).map_err(|e| SqlError::Remote {
            status: Some(status.as_u16()),
            message: format!("the answer is not a JSON array of rows: {e}"),
        })
    }

    /// The rows of `sql` as Arrow (see the [module docs](self) for types).
    pub async fn query(&self, sql: &str) -> Result<Answer> {
        let rows = self.rows(sql).await?;
        rows_to_answer(&rows).map_err(|e| SqlError::Remote {
            status: None,
            message: format!("the rows do not read as a table: {e}"),
        })
    }
}

/// An HTTP client with rustls (ring) and the system's root certificates.
fn http_client() -> Result<reqwest::Client> {
    let mut roots = rustls::RootCertStore::empty();
    // Unreadable system roots leave https unusable, not http.
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| SqlError::Remote {
        status: None,
        message: format!("TLS setup: {e}"),
    })?
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(QUERY_TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("steamflow-sql/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| SqlError::Remote {
            status: None,
            message: format!("HTTP client: {e}"),
        })
}

/// The reason in an error answer: the API's `message`, `error`, or the text.
fn error_message(text: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(text).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|body| body.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    field("message")
        .or_else(|| field("error"))
        .unwrap_or_else(|| text.trim().to_owned())
}

/// JSON rows as one Arrow batch, columns in the order of the first rows.
fn rows_to_answer(
    rows: &[Map<String, Value>],
) -> Result<Answer, datafusion::arrow::error::ArrowError> {
    let values = rows.iter().map(|row| Ok(Value::Object(row.clone())));
    let schema = Arc::new(infer_json_schema_from_iterator(values)?);
    if rows.is_empty() {
        return Ok(Answer {
            schema: Arc::new(Schema::empty()),
            batches: Vec::new(),
        });
    }
    let mut decoder = ReaderBuilder::new(Arc::clone(&schema))
        .with_batch_size(rows.len())
        .build_decoder()?;
    decoder.serialize(rows)?;
    let batches: Vec<RecordBatch> = decoder.flush()?.into_iter().collect();
    Ok(Answer { schema, batches })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_is_the_sql_route_of_the_base_url() {
        let remote = Remote::new("http://127.0.0.1:8686", None).unwrap();
        assert_eq!(remote.endpoint(), "http://127.0.0.1:8686/api/v1/sql");
        let remote = Remote::new("https://plant.example/steam/", None).unwrap();
        assert_eq!(remote.endpoint(), "https://plant.example/steam/api/v1/sql");
        let remote = Remote::new("http://h:1/api/v1/sql", None).unwrap();
        assert_eq!(remote.endpoint(), "http://h:1/api/v1/sql");
        assert!(Remote::new("ftp://h", None).is_err());
        assert!(Remote::new("not a url", None).is_err());
    }

    #[test]
    fn error_answers_give_their_message() {
        assert_eq!(
            error_message(r#"{"error":"bad_request","message":"no column x"}"#),
            "no column x"
        );
        assert_eq!(error_message(r#"{"error":"no table"}"#), "no table");
        assert_eq!(error_message(" gateway down \n"), "gateway down");
    }

    #[test]
    fn json_rows_read_back_as_a_table_in_column_order() {
        let rows: Vec<Map<String, Value>> = serde_json::from_str(
            r#"[{"plant":"north","loss_kw":12.5,"n":3},{"plant":"south","loss_kw":null,"n":4}]"#,
        )
        .unwrap();
        let answer = rows_to_answer(&rows).unwrap();
        let names: Vec<&str> = answer
            .schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        assert_eq!(names, ["plant", "loss_kw", "n"]);
        assert_eq!(answer.rows(), 2);
        assert!(answer.pretty().unwrap().contains("12.5"));
        assert_eq!(rows_to_answer(&[]).unwrap().rows(), 0);
    }
}

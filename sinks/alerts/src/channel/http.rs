//! HTTP delivery for the webhook, Slack and PagerDuty channels: a JSON
//! POST through reqwest with rustls (ring, the system's roots), the
//! status classified: 2xx delivered; 408, 429 and 5xx retried; any other
//! 4xx refused.

use std::sync::Arc;
use std::time::Duration;

use super::DeliveryError;

/// A JSON POST.
pub(crate) struct Request {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

pub(crate) struct Client {
    client: reqwest::Client,
}

impl Client {
    pub(crate) fn new(timeout: Duration) -> Result<Client, String> {
        let mut roots = rustls::RootCertStore::empty();
        // A store that fails to load leaves https unusable, not the channel:
        // an http:// receiver still works, and an https one reports why.
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("steamflow/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Client { client })
    }

    pub(crate) async fn send(&self, request: &Request) -> Result<(), DeliveryError> {
        let mut builder = self
            .client
            .post(&request.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(request.body.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let response = builder.send().await.map_err(|e| {
            // reqwest's error names the URL, which may hold a token.
            DeliveryError::Unavailable(describe(&e.without_url()))
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response.text().await.unwrap_or_default();
        let excerpt: String = body.chars().take(200).collect();
        let why = format!("HTTP {status}: {}", excerpt.trim());
        if status.is_server_error()
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS
            || status == reqwest::StatusCode::REQUEST_TIMEOUT
        {
            Err(DeliveryError::Unavailable(why))
        } else {
            Err(DeliveryError::Refused(why))
        }
    }
}

fn describe(error: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

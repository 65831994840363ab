//! Real listeners on loopback: HTTPS through rustls, and plain HTTP.

use std::sync::Arc;
use std::time::Duration;

use steamflow_api::{ApiConfig, ApiState, Listener, Role, TlsConfig, router};
use tokio_util::sync::CancellationToken;

use crate::support::{auth, live, token};

const WAIT: Duration = Duration::from_secs(20);

struct Running {
    url: String,
    stop: CancellationToken,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn start(tls: Option<TlsConfig>) -> Running {
    let config = ApiConfig {
        listen: ([127, 0, 0, 1], 0).into(),
        tls,
        auth: auth(),
    };
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let listener = Listener::bind(config.listen, config.tls.as_ref())
        .await
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let stop = CancellationToken::new();
    let app = router(ApiState::new(&auth(), live()).unwrap());
    tokio::spawn(listener.serve(app, stop.clone()));
    Running {
        url: format!("{scheme}://localhost:{port}"),
        stop,
    }
}

fn client_trusting(ca_pem: &str) -> reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    let cert = rustls::pki_types::CertificateDer::from(rustls_pem_to_der(ca_pem));
    roots.add(cert).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .timeout(WAIT)
        .build()
        .unwrap()
}

fn rustls_pem_to_der(pem: &str) -> Vec<u8> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::from_pem_slice(pem.as_bytes())
        .unwrap()
        .to_vec()
}

#[tokio::test]
async fn https_serves_the_api_with_the_configured_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert_file = dir.path().join("api.crt");
    let key_file = dir.path().join("api.key");
    std::fs::write(&cert_file, certified.cert.pem()).unwrap();
    std::fs::write(&key_file, certified.signing_key.serialize_pem()).unwrap();
    let server = start(Some(TlsConfig {
        cert_file,
        key_file,
    }))
    .await;
    let client = client_trusting(&certified.cert.pem());
    let response = client
        .get(format!("{}/api/v1/balances", server.url))
        .bearer_auth(token(Role::Viewer))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body[0]["plant"], "north");
    let refused = client
        .get(format!("{}/api/v1/balances", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    // A client that does not trust the certificate gets no answer.
    let stranger = client_trusting(
        &rcgen::generate_simple_self_signed(vec!["localhost".into()])
            .unwrap()
            .cert
            .pem(),
    );
    assert!(
        stranger
            .get(format!("{}/api/v1/balances", server.url))
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_missing_certificate_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = ApiConfig {
        listen: ([127, 0, 0, 1], 0).into(),
        tls: Some(TlsConfig {
            cert_file: dir.path().join("absent.crt"),
            key_file: dir.path().join("absent.key"),
        }),
        auth: auth(),
    };
    let error = Listener::bind(config.listen, config.tls.as_ref())
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.starts_with("api.tls:") && error.contains("absent"),
        "{error}"
    );
}

#[tokio::test]
async fn plain_http_on_loopback() {
    let server = start(None).await;
    // reqwest is built without a default crypto provider; plain HTTP still
    // needs one installed to build a client.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder().timeout(WAIT).build().unwrap();
    let response = client
        .get(format!("{}/api/v1/traps", server.url))
        .bearer_auth(token(Role::ApiClient))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

//! TLS (rustls, ring): the source reaches a mosquitto TLS listener whose
//! certificate a throw-away CA signed, and refuses one it cannot verify.

use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use steamflow_source_mqtt::{Error, TlsConfig, check};

use crate::common::*;

const SEED_TOPIC: &str = "steam/{plant}/traps/{tag}/status";

/// A CA and a server certificate for 127.0.0.1 and localhost, as PEM files
/// in `dir`: (ca.pem, server.pem, server.key).
fn certificates(dir: &std::path::Path) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "steamflow test CA");
    let ca_key = KeyPair::generate().expect("CA key");
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca_params, ca_key);
    let mut server_params =
        CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .expect("params");
    server_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let server_key = KeyPair::generate().expect("server key");
    let server_cert = server_params
        .signed_by(&server_key, &issuer)
        .expect("server certificate");
    write(&dir.join("ca.pem"), &ca_cert.pem());
    write(&dir.join("server.pem"), &server_cert.pem());
    write(&dir.join("server.key"), &server_key.serialize_pem());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_source_reads_over_tls_and_refuses_an_unknown_ca() {
    let Some(tools) = tools("the_source_reads_over_tls_and_refuses_an_unknown_ca") else {
        return;
    };
    let certs = tempfile::tempdir().expect("temp dir");
    certificates(certs.path());
    let path = |name: &str| certs.path().join(name).display().to_string();
    let broker = Broker::start_with(
        &tools,
        &format!(
            "allow_anonymous true\ncafile {}\ncertfile {}\nkeyfile {}\n",
            path("ca.pem"),
            path("server.pem"),
            path("server.key")
        ),
    );
    let mut config = source_config(&broker, &[SEED_TOPIC]);
    config.broker.tls = Some(TlsConfig {
        ca_file: Some(certs.path().join("ca.pem")),
        ..TlsConfig::default()
    });
    let report = check(&config).await.expect("check over TLS");
    assert!(report.tls && report.ok(), "{report}");

    let mut source = spawn_source(config.clone(), "tls");
    source
        .wait_until(Duration::from_secs(10), "Connected", |seen| {
            seen.iter().any(is_connected)
        })
        .await;
    // mosquitto_pub over TLS as well.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while readings(&source.seen).is_empty() {
        broker.publish(
            &tools,
            "steam/north/traps/T-1/status",
            r#"{"value": 5}"#,
            &["--cafile", &path("ca.pem"), "-q", "1"],
        );
        let _ = tokio::time::timeout(Duration::from_millis(300), async {
            if let Some(event) = source.events.recv().await {
                source.seen.push(event);
            }
        })
        .await;
        assert!(
            tokio::time::Instant::now() < deadline,
            "no reading over TLS: {:?}",
            source.seen
        );
    }
    let seen = source.stop().await;
    assert_eq!(readings(&seen)[0].value, 5.0);

    // A CA that did not sign the broker's certificate: refused.
    let other = tempfile::tempdir().expect("temp dir");
    certificates(other.path());
    config.broker.tls = Some(TlsConfig {
        ca_file: Some(other.path().join("ca.pem")),
        ..TlsConfig::default()
    });
    let refused = check(&config).await;
    assert!(matches!(refused, Err(Error::Connect { .. })), "{refused:?}");
    // Plain TCP to the TLS listener: no MQTT answer.
    config.broker.tls = None;
    assert!(check(&config).await.is_err());
    // A CA file that does not exist is a config error at start.
    config.broker.tls = Some(TlsConfig {
        ca_file: Some(other.path().join("missing.pem")),
        ..TlsConfig::default()
    });
    assert!(matches!(check(&config).await, Err(Error::Tls(_))));
}

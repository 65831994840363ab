//! From a [`ConnectionConfig`] to rumqttc's options: transport (TCP or
//! rustls TLS with the ring provider), credentials, session, keep-alive,
//! packet sizes and the last will.

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rumqttc::{LastWill, MqttOptions, Transport};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore};

use crate::config::{ConnectionConfig, TlsConfig};
use crate::error::Error;

/// Requests (subscribe, publish, ack) queued for the event loop. The source
/// only queues its subscriptions and status messages; the sink's
/// publishers wait when it is full.
pub(crate) const REQUEST_CAPACITY: usize = 256;

/// Options for a connection as `client_id`, with an optional last will.
pub(crate) fn options(
    config: &ConnectionConfig,
    client_id: String,
    clean_session: bool,
    last_will: Option<LastWill>,
) -> Result<MqttOptions, Error> {
    if client_id.is_empty() && !clean_session {
        return Err(Error::Config(
            "a persistent session (clean_session = false) needs a client id".into(),
        ));
    }
    let mut options = MqttOptions::new(client_id, config.host.clone(), config.port());
    // rumqttc refuses keep-alives under 5 s except 0; validation says so too.
    options.set_keep_alive(Duration::from_secs(config.keep_alive_secs));
    options.set_clean_session(clean_session);
    options.set_max_packet_size(config.max_packet_size_bytes, config.max_packet_size_bytes);
    options.set_request_channel_capacity(REQUEST_CAPACITY);
    if let Some(username) = &config.username {
        options.set_credentials(
            username.clone(),
            config.password.clone().unwrap_or_default(),
        );
    }
    if let Some(will) = last_will {
        options.set_last_will(will);
    }
    if let Some(tls) = &config.tls {
        let client_config = tls_client_config(tls)?;
        options.set_transport(Transport::tls_with_config(client_config.into()));
    }
    Ok(options)
}

/// The connect timeout, as rumqttc's network options take it.
pub(crate) fn network_options(config: &ConnectionConfig) -> rumqttc::NetworkOptions {
    let mut network = rumqttc::NetworkOptions::new();
    network.set_connection_timeout(config.connect_timeout_secs.max(1));
    network.set_tcp_nodelay(true);
    network
}

/// A rustls client config with the ring provider: the CA file's roots (or
/// the operating system's), and the client certificate if configured.
///
/// The provider is named explicitly rather than taken from the process
/// default, so that a binary that links another provider (aws-lc through
/// some other crate) does not make rustls refuse to choose.
pub(crate) fn tls_client_config(tls: &TlsConfig) -> Result<ClientConfig, Error> {
    let mut roots = RootCertStore::empty();
    match &tls.ca_file {
        Some(path) => {
            let certs = read_certs(path)?;
            let (added, _ignored) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(Error::Tls(format!(
                    "{}: no usable CA certificate in the file",
                    path.display()
                )));
            }
        }
        None => {
            let native = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(native.certs);
            if roots.is_empty() {
                return Err(Error::Tls(
                    "the system has no trusted CA certificates: set tls.ca_file".into(),
                ));
            }
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| Error::Tls(error.to_string()))?
        .with_root_certificates(roots);
    match (&tls.client_cert_file, &tls.client_key_file) {
        (Some(cert), Some(key)) => {
            let chain = read_certs(cert)?;
            let key = PrivateKeyDer::from_pem_file(key)
                .map_err(|error| Error::Tls(format!("{}: {error}", key.display())))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|error| Error::Tls(format!("client certificate: {error}")))
        }
        (None, None) => Ok(builder.with_no_client_auth()),
        _ => Err(Error::Tls(
            "client_cert_file and client_key_file go together".into(),
        )),
    }
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    let pem = fs::read(path).map_err(|error| Error::Tls(format!("{}: {error}", path.display())))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| Error::Tls(format!("{}: {error}", path.display())))?;
    if certs.is_empty() {
        return Err(Error::Tls(format!(
            "{}: no PEM certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// Now, in UTC ms.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

/// A seed for the reconnect jitter that differs between components.
pub(crate) fn jitter_seed(component_id: &str) -> u64 {
    // FNV-1a over the id, mixed with the clock so restarts differ too.
    let hash = component_id
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    hash ^ now_ms().unsigned_abs()
}

/// Why a connection attempt or a connection failed, in words for
/// `Disconnected` events: refused logins are named plainly.
pub(crate) fn describe(error: &rumqttc::ConnectionError) -> String {
    use rumqttc::ConnectReturnCode as Code;
    match error {
        rumqttc::ConnectionError::ConnectionRefused(code) => match code {
            Code::BadUserNamePassword => "the broker refused the user name or password".into(),
            Code::NotAuthorized => "the broker refused the login: not authorized".into(),
            Code::BadClientId => "the broker refused the client id".into(),
            Code::RefusedProtocolVersion => "the broker does not speak MQTT 3.1.1".into(),
            Code::ServiceUnavailable => "the broker is unavailable".into(),
            Code::Success => "the broker sent an unexpected CONNACK".into(),
        },
        rumqttc::ConnectionError::NetworkTimeout => "connecting timed out".into(),
        other => other.to_string(),
    }
}

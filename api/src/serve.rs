//! Listening: plain HTTP, or HTTPS through rustls (ring provider, TLS 1.2
//! and 1.3), until the shutdown token is cancelled.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum_server::tls_rustls::RustlsConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_util::sync::CancellationToken;

use crate::config::{ApiConfig, TlsConfig};

/// How long open connections get to finish after shutdown.
const DRAIN: Duration = Duration::from_secs(5);

/// Why the API could not listen.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address is taken or not ours.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The configured address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The certificate or key cannot be used.
    #[error("api.tls: {0}")]
    Tls(String),
    /// The server stopped with an error.
    #[error("the API server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// A bound listener, before serving (so a caller can learn the port).
pub struct Listener {
    listener: std::net::TcpListener,
    tls: Option<RustlsConfig>,
}

impl Listener {
    /// Binds `listen` and loads the TLS certificate if one is given.
    pub async fn bind(listen: SocketAddr, tls: Option<&TlsConfig>) -> Result<Listener, ServeError> {
        let tls = match tls {
            Some(tls) => Some(rustls_config(tls)?),
            None => None,
        };
        let bind_error = |source| ServeError::Bind {
            addr: listen,
            source,
        };
        let listener = std::net::TcpListener::bind(listen).map_err(bind_error)?;
        listener.set_nonblocking(true).map_err(bind_error)?;
        Ok(Listener { listener, tls })
    }

    /// The bound address.
    pub fn local_addr(&self) -> Result<SocketAddr, ServeError> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves `router` until `shutdown` is cancelled, then lets open
    /// requests finish for a few seconds.
    pub async fn serve(
        self,
        router: Router,
        shutdown: CancellationToken,
    ) -> Result<(), ServeError> {
        match self.tls {
            None => {
                let listener = tokio::net::TcpListener::from_std(self.listener)?;
                axum::serve(listener, router)
                    .with_graceful_shutdown(shutdown.cancelled_owned())
                    .await?;
            }
            Some(tls) => {
                let handle = axum_server::Handle::new();
                let stopper = handle.clone();
                tokio::spawn(async move {
                    shutdown.cancelled().await;
                    stopper.graceful_shutdown(Some(DRAIN));
                });
                axum_server::from_tcp_rustls(self.listener, tls)?
                    .handle(handle)
                    .serve(router.into_make_service())
                    .await?;
            }
        }
        Ok(())
    }
}

/// Binds and serves `router` as `[api]` says, until `shutdown`.
pub async fn serve(
    config: &ApiConfig,
    router: Router,
    shutdown: CancellationToken,
) -> Result<(), ServeError> {
    Listener::bind(config.listen, config.tls.as_ref())
        .await?
        .serve(router, shutdown)
        .await
}

fn rustls_config(tls: &TlsConfig) -> Result<RustlsConfig, ServeError> {
    let certs = read_certs(&tls.cert_file)?;
    let key = PrivateKeyDer::from_pem_file(&tls.key_file)
        .map_err(|error| ServeError::Tls(format!("{}: {error}", tls.key_file.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| ServeError::Tls(error.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|error| ServeError::Tls(format!("{}: {error}", tls.cert_file.display())))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(RustlsConfig::from_config(Arc::new(config)))
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, ServeError> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|error| ServeError::Tls(format!("{}: {error}", path.display())))?;
    if certs.is_empty() {
        return Err(ServeError::Tls(format!(
            "{}: no certificate in the file",
            path.display()
        )));
    }
    Ok(certs)
}

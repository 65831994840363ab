//! `[api]`: where the API listens, its TLS certificate and how it checks
//! tokens.
//!
//! ```toml
//! [api]
//! listen = "0.0.0.0:8443"
//!
//! [api.tls]
//! cert_file = "/etc/steamflow/api.crt"   # PEM chain, leaf first
//! key_file = "/etc/steamflow/api.key"    # PEM private key
//!
//! [api.auth]
//! algorithm = "HS256"
//! secret = "${STEAMFLOW_JWT_SECRET}"     # HS*: the shared secret
//! issuer = "https://login.example.com/"  # optional: required `iss`
//! audience = "steamflow"                 # optional: required `aud`
//! leeway_secs = 30
//! ```
//!
//! For RS*/ES*/EdDSA tokens give `public_key_file` (PEM) instead of
//! `secret`. Secrets come from `${ENV_VAR}` references, resolved by the
//! config loader; they are never printed (`Debug` redacts them).

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The `[api]` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// Address and port to listen on.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Serve HTTPS with this certificate; plain HTTP when absent (only
    /// sensible on loopback or behind a TLS-terminating proxy).
    #[serde(default)]
    pub tls: Option<TlsConfig>,
    /// How bearer tokens are verified.
    pub auth: AuthConfig,
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8686))
}

/// `[api.tls]`: the server certificate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM file with the certificate chain, leaf first.
    pub cert_file: PathBuf,
    /// PEM file with the private key (PKCS#8, PKCS#1 or SEC1).
    pub key_file: PathBuf,
}

/// Signature algorithms a token may use (RFC 7518 names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum JwtAlgorithm {
    /// HMAC with SHA-256 (shared secret).
    HS256,
    /// HMAC with SHA-384 (shared secret).
    HS384,
    /// HMAC with SHA-512 (shared secret).
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RSA public key).
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384 (RSA public key).
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512 (RSA public key).
    RS512,
    /// ECDSA P-256 with SHA-256 (EC public key).
    ES256,
    /// ECDSA P-384 with SHA-384 (EC public key).
    ES384,
    /// Ed25519 (EdDSA public key).
    EdDSA,
}

impl JwtAlgorithm {
    /// Whether the algorithm verifies with a shared secret (else a public key).
    pub fn is_hmac(self) -> bool {
        matches!(
            self,
            JwtAlgorithm::HS256 | JwtAlgorithm::HS384 | JwtAlgorithm::HS512
        )
    }
}

/// `[api.auth]`: token verification.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// The one algorithm tokens must be signed with; a token signed any
    /// other way (including `none`) is refused.
    pub algorithm: JwtAlgorithm,
    /// Shared secret for HS256/384/512 (at least 32 bytes).
    #[serde(default)]
    pub secret: Option<String>,
    /// PEM public key for RS*/ES*/EdDSA.
    #[serde(default)]
    pub public_key_file: Option<PathBuf>,
    /// Required `iss` claim.
    #[serde(default)]
    pub issuer: Option<String>,
    /// Required `aud` claim.
    #[serde(default)]
    pub audience: Option<String>,
    /// Clock skew tolerated on `exp` and `nbf` [s].
    #[serde(default = "default_leeway")]
    pub leeway_secs: u64,
}

fn default_leeway() -> u64 {
    30
}

impl fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthConfig")
            .field("algorithm", &self.algorithm)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("public_key_file", &self.public_key_file)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("leeway_secs", &self.leeway_secs)
            .finish()
    }
}

/// What is wrong with an `[api]` table, by key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigIssue {
    /// Key under `[api]`, dotted (`auth.secret`).
    pub key: &'static str,
    /// What is wrong.
    pub message: String,
}

impl ApiConfig {
    /// Checks what serde cannot: the key material matches the algorithm.
    pub fn issues(&self) -> Vec<ConfigIssue> {
        let mut issues = Vec::new();
        let auth = &self.auth;
        if auth.algorithm.is_hmac() {
            match &auth.secret {
                None => issues.push(ConfigIssue {
                    key: "auth.secret",
                    message: format!("{:?} needs a shared secret", auth.algorithm),
                }),
                Some(secret) if secret.len() < 32 => issues.push(ConfigIssue {
                    key: "auth.secret",
                    message: "must be at least 32 bytes (RFC 7518 §3.2)".into(),
                }),
                Some(_) => {}
            }
            if auth.public_key_file.is_some() {
                issues.push(ConfigIssue {
                    key: "auth.public_key_file",
                    message: format!("{:?} uses a secret, not a public key", auth.algorithm),
                });
            }
        } else {
            if auth.public_key_file.is_none() {
                issues.push(ConfigIssue {
                    key: "auth.public_key_file",
                    message: format!("{:?} needs a PEM public key", auth.algorithm),
                });
            }
            if auth.secret.is_some() {
                issues.push(ConfigIssue {
                    key: "auth.secret",
                    message: format!("{:?} uses a public key, not a secret", auth.algorithm),
                });
            }
        }
        issues
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hs(secret: Option<&str>) -> ApiConfig {
        ApiConfig {
            listen: default_listen(),
            tls: None,
            auth: AuthConfig {
                algorithm: JwtAlgorithm::HS256,
                secret: secret.map(str::to_string),
                public_key_file: None,
                issuer: None,
                audience: None,
                leeway_secs: 0,
            },
        }
    }

    #[test]
    fn a_short_or_missing_secret_is_reported() {
        assert_eq!(hs(None).issues()[0].key, "auth.secret");
        assert!(hs(Some("short")).issues()[0].message.contains("32 bytes"));
        assert!(hs(Some(&"x".repeat(32))).issues().is_empty());
    }

    #[test]
    fn a_public_key_algorithm_needs_a_key_file() {
        let mut config = hs(None);
        config.auth.algorithm = JwtAlgorithm::ES256;
        assert_eq!(config.issues()[0].key, "auth.public_key_file");
    }

    #[test]
    fn debug_output_never_shows_the_secret() {
        let config = hs(Some("a-very-secret-value-of-at-least-32-bytes"));
        assert!(!format!("{config:?}").contains("very-secret"));
    }
}

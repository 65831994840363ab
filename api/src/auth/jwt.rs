//! Verifying bearer tokens: one configured algorithm and key, `exp`
//! required, optional issuer and audience, a little clock leeway.

use std::collections::BTreeSet;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use serde::{Deserialize, Serialize};

use super::role::Role;
use crate::config::{AuthConfig, JwtAlgorithm};

/// The claims steamflow reads from a token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// Who the caller is (user or client id); recorded on acknowledgements.
    pub sub: String,
    /// Expiry, seconds since the Unix epoch (required).
    pub exp: u64,
    /// Not before, seconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// Issued at, seconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    /// Issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// Role names; names that are not steamflow roles are ignored.
    #[serde(default)]
    pub roles: Vec<String>,
    /// A single role name, as some identity providers write it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl Claims {
    /// The steamflow roles the token grants.
    pub fn steamflow_roles(&self) -> BTreeSet<Role> {
        self.roles
            .iter()
            .chain(self.role.iter())
            .filter_map(|name| Role::from_name(name))
            .collect()
    }
}

/// Why a token was refused (the message goes into `WWW-Authenticate`, so
/// it never repeats the token).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization: Bearer …` header.
    #[error("missing bearer token")]
    Missing,
    /// `exp` is in the past.
    #[error("token expired")]
    Expired,
    /// `nbf` is in the future.
    #[error("token not yet valid")]
    NotYetValid,
    /// The signature does not verify, or the algorithm is not the configured one.
    #[error("token signature is not valid")]
    BadSignature,
    /// Wrong `iss` or `aud`.
    #[error("token was issued by or for someone else")]
    WrongIssuerOrAudience,
    /// Not a JWT, or a required claim is missing or mistyped.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// The key material in the config could not be read.
    #[error("cannot load the verification key: {0}")]
    Key(String),
}

/// Verifies tokens against the configured algorithm and key.
#[derive(Clone)]
pub struct Verifier {
    key: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("algorithms", &self.validation.algorithms)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for `[api.auth]` (the key file, if any, is read now).
    pub fn new(config: &AuthConfig) -> Result<Verifier, AuthError> {
        let algorithm = algorithm(config.algorithm);
        let key = if config.algorithm.is_hmac() {
            let secret = config
                .secret
                .as_deref()
                .ok_or_else(|| AuthError::Key("no secret configured".into()))?;
            DecodingKey::from_secret(secret.as_bytes())
        } else {
            let path = config
                .public_key_file
                .as_ref()
                .ok_or_else(|| AuthError::Key("no public_key_file configured".into()))?;
            let pem = std::fs::read(path)
                .map_err(|error| AuthError::Key(format!("{}: {error}", path.display())))?;
            let parsed = match config.algorithm {
                JwtAlgorithm::ES256 | JwtAlgorithm::ES384 => DecodingKey::from_ec_pem(&pem),
                JwtAlgorithm::EdDSA => DecodingKey::from_ed_pem(&pem),
                _ => DecodingKey::from_rsa_pem(&pem),
            };
            parsed.map_err(|error| AuthError::Key(format!("{}: {error}", path.display())))?
        };
        let mut validation = Validation::new(algorithm);
        validation.leeway = config.leeway_secs;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "sub"]);
        if let Some(issuer) = &config.issuer {
            validation.set_issuer(&[issuer]);
        }
        match &config.audience {
            Some(audience) => validation.set_audience(&[audience]),
            None => validation.validate_aud = false,
        }
        Ok(Verifier { key, validation })
    }

    /// The claims of a valid token.
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        decode::<Claims>(token, &self.key, &self.validation)
            .map(|data| data.claims)
            .map_err(|error| match error.kind() {
                ErrorKind::ExpiredSignature => AuthError::Expired,
                ErrorKind::ImmatureSignature => AuthError::NotYetValid,
                ErrorKind::InvalidSignature | ErrorKind::InvalidAlgorithm => {
                    AuthError::BadSignature
                }
                ErrorKind::InvalidIssuer | ErrorKind::InvalidAudience => {
                    AuthError::WrongIssuerOrAudience
                }
                other => AuthError::Malformed(format!("{other:?}")),
            })
    }
}

fn algorithm(algorithm: JwtAlgorithm) -> Algorithm {
    match algorithm {
        JwtAlgorithm::HS256 => Algorithm::HS256,
        JwtAlgorithm::HS384 => Algorithm::HS384,
        JwtAlgorithm::HS512 => Algorithm::HS512,
        JwtAlgorithm::RS256 => Algorithm::RS256,
        JwtAlgorithm::RS384 => Algorithm::RS384,
        JwtAlgorithm::RS512 => Algorithm::RS512,
        JwtAlgorithm::ES256 => Algorithm::ES256,
        JwtAlgorithm::ES384 => Algorithm::ES384,
        JwtAlgorithm::EdDSA => Algorithm::EdDSA,
    }
}

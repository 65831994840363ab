//! The PKI folder: this client's certificate (created once, then kept),
//! the trusted and rejected server certificates, and the thumbprint pin.
//!
//! ```text
//! <pki_dir>/own/cert.der          this client's application instance certificate
//! <pki_dir>/private/private.pem   its RSA key (PKCS#8)
//! <pki_dir>/trusted/              server certificates trusted (.der or .pem)
//! <pki_dir>/rejected/             server certificates refused, for review
//! ```
//!
//! The OPC UA stack looks a trusted certificate up by the file name
//! `<common name> [<thumbprint>].der`; a certificate dropped into
//! `trusted/` under another name (or as PEM) is re-filed under that name,
//! as DER, when the source starts.

use std::fs;
use std::path::{Path, PathBuf};

use opcua::crypto::{CertificateStore, X509, X509Data};
use opcua::types::ByteString;

use crate::Error;

/// Where the client's own certificate lives, relative to the PKI folder.
pub const OWN_CERTIFICATE: &str = "own/cert.der";
/// Where its private key lives, relative to the PKI folder.
pub const OWN_PRIVATE_KEY: &str = "private/private.pem";
/// Validity of a created certificate [days]: five years.
const CERTIFICATE_DAYS: u32 = 1826;
/// RSA key size; Basic256Sha256 asks for 2048 to 4096 bits.
const KEY_BITS: u32 = 2048;

/// This client's certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnCertificate {
    /// SHA-1 thumbprint, lower-case hex.
    pub thumbprint: String,
    /// Whether it was created by this start (false: an existing one was reused).
    pub created: bool,
    /// End of validity, RFC 3339, if readable.
    pub not_after: Option<String>,
}

/// Makes sure the PKI folder is complete: creates the folders, creates this
/// client's certificate and key if (and only if) neither exists, and
/// re-files certificates dropped into `trusted/`.
///
/// A certificate without its key (or a key without its certificate) is an
/// error, never silently replaced: servers may trust the old certificate.
pub fn prepare(
    pki_dir: &Path,
    application_name: &str,
    application_uri: &str,
) -> Result<OwnCertificate, Error> {
    for sub in ["own", "private", "trusted", "rejected"] {
        let dir = pki_dir.join(sub);
        fs::create_dir_all(&dir).map_err(|e| pki_error(&dir, e.to_string()))?;
    }
    let cert_path = pki_dir.join(OWN_CERTIFICATE);
    let key_path = pki_dir.join(OWN_PRIVATE_KEY);
    let created = match (cert_path.is_file(), key_path.is_file()) {
        (true, true) => false,
        (false, false) => {
            create_certificate(&cert_path, &key_path, application_name, application_uri)?;
            true
        }
        (true, false) => {
            return Err(pki_error(
                &key_path,
                "the certificate exists but its private key is missing; restore the key or remove both to create a new pair".into(),
            ));
        }
        (false, true) => {
            return Err(pki_error(
                &cert_path,
                "the private key exists but its certificate is missing; restore the certificate or remove both to create a new pair".into(),
            ));
        }
    };
    let cert = CertificateStore::read_cert(&cert_path).map_err(|e| pki_error(&cert_path, e))?;
    CertificateStore::read_pkey(&key_path).map_err(|e| pki_error(&key_path, e))?;
    refile_trusted(&pki_dir.join("trusted"));
    Ok(OwnCertificate {
        thumbprint: cert.thumbprint().as_hex_string(),
        created,
        not_after: cert.not_after().ok().map(|t| t.to_rfc3339()),
    })
}

fn create_certificate(
    cert_path: &Path,
    key_path: &Path,
    application_name: &str,
    application_uri: &str,
) -> Result<(), Error> {
    let data = X509Data {
        key_size: KEY_BITS,
        common_name: application_name.to_owned(),
        organization: application_name.to_owned(),
        organizational_unit: "steamflow".to_owned(),
        country: String::new(),
        state: String::new(),
        // The URI first (Part 6, 6.2.2), then localhost and this machine's names.
        alt_host_names: X509Data::alt_host_names(application_uri, None, true, true, true),
        certificate_duration_days: CERTIFICATE_DAYS,
    };
    CertificateStore::create_certificate_and_key(&data, false, cert_path, key_path)
        .map(|_| ())
        .map_err(|e| pki_error(cert_path, e))?;
    tracing::info!(path = %cert_path.display(), "created the OPC UA client certificate");
    Ok(())
}

/// Re-files certificates in `trusted/` under the name the stack looks up.
/// A file that is not a certificate is left alone, with a warning.
fn refile_trusted(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let is_cert = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "der" | "pem"));
        if !is_cert || !path.is_file() {
            continue;
        }
        let cert = match CertificateStore::read_cert(&path) {
            Ok(cert) => cert,
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "not a certificate; ignored");
                continue;
            }
        };
        let canonical = dir.join(CertificateStore::cert_file_name(&cert));
        if canonical == path {
            continue;
        }
        let written = cert
            .to_der()
            .map_err(|_| "cannot encode".to_owned())
            .and_then(|der| fs::write(&canonical, der).map_err(|e| e.to_string()));
        match written {
            Ok(()) => {
                let _ = fs::remove_file(&path);
                tracing::info!(from = %path.display(), to = %canonical.display(), "trusted certificate re-filed");
            }
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "cannot re-file trusted certificate")
            }
        }
    }
}

/// The SHA-1 thumbprint (lower-case hex) of a DER certificate sent by a server.
pub fn thumbprint(certificate: &ByteString) -> Option<String> {
    if certificate.is_null() || certificate.is_empty() {
        return None;
    }
    X509::from_byte_string(certificate)
        .ok()
        .map(|cert| cert.thumbprint().as_hex_string())
}

/// Refuses a server certificate that is not the pinned one.
pub fn check_pin(certificate: &ByteString, pinned: &str) -> Result<(), Error> {
    match thumbprint(certificate) {
        Some(found) if found == pinned => Ok(()),
        Some(found) => Err(Error::CertificateRejected(format!(
            "the server certificate's thumbprint {found} is not the pinned {pinned}"
        ))),
        None => Err(Error::CertificateRejected(
            "the server sent no certificate to compare with the pinned thumbprint".into(),
        )),
    }
}

/// Stores a server certificate in `trusted/` (auto-trust of a pinned certificate).
pub fn trust(pki_dir: &Path, certificate: &ByteString) -> Result<PathBuf, Error> {
    let dir = pki_dir.join("trusted");
    let cert = X509::from_byte_string(certificate)
        .map_err(|e| pki_error(&dir, format!("server certificate: {e}")))?;
    let path = dir.join(CertificateStore::cert_file_name(&cert));
    let der = cert
        .to_der()
        .map_err(|_| pki_error(&path, "cannot encode the certificate".into()))?;
    fs::write(&path, der).map_err(|e| pki_error(&path, e.to_string()))?;
    Ok(path)
}

/// Whether `trusted/` holds this certificate.
pub fn is_trusted(pki_dir: &Path, certificate: &ByteString) -> bool {
    X509::from_byte_string(certificate).is_ok_and(|cert| {
        pki_dir
            .join("trusted")
            .join(CertificateStore::cert_file_name(&cert))
            .is_file()
    })
}

fn pki_error(path: &Path, message: String) -> Error {
    Error::Pki {
        path: path.to_path_buf(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_is_created_once_and_then_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = prepare(dir.path(), "steamflow", "urn:steamflow:test").unwrap();
        assert!(first.created);
        let bytes = fs::read(dir.path().join(OWN_CERTIFICATE)).unwrap();
        let second = prepare(dir.path(), "steamflow", "urn:steamflow:test").unwrap();
        assert!(!second.created);
        assert_eq!(first.thumbprint, second.thumbprint);
        assert_eq!(bytes, fs::read(dir.path().join(OWN_CERTIFICATE)).unwrap());
        for sub in ["trusted", "rejected"] {
            assert!(dir.path().join(sub).is_dir());
        }
    }

    #[test]
    fn a_lost_key_is_an_error_not_a_new_pair() {
        let dir = tempfile::tempdir().unwrap();
        prepare(dir.path(), "steamflow", "urn:steamflow:test").unwrap();
        fs::remove_file(dir.path().join(OWN_PRIVATE_KEY)).unwrap();
        let error = prepare(dir.path(), "steamflow", "urn:steamflow:test").unwrap_err();
        assert!(
            error.to_string().contains("private key is missing"),
            "{error}"
        );
    }

    #[test]
    fn trusted_certificates_are_refiled_and_pins_compared() {
        let dir = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        // Another application's certificate, dropped into trusted/ as server.der.
        let own = prepare(other.path(), "server", "urn:server").unwrap();
        fs::create_dir_all(dir.path().join("trusted")).unwrap();
        fs::copy(
            other.path().join(OWN_CERTIFICATE),
            dir.path().join("trusted/server.der"),
        )
        .unwrap();
        prepare(dir.path(), "steamflow", "urn:steamflow:test").unwrap();
        assert!(!dir.path().join("trusted/server.der").exists());
        let der = ByteString::from(fs::read(other.path().join(OWN_CERTIFICATE)).unwrap());
        assert!(is_trusted(dir.path(), &der));
        assert!(check_pin(&der, &own.thumbprint).is_ok());
        let wrong = "0".repeat(40);
        assert!(check_pin(&der, &wrong).is_err());
        assert!(check_pin(&ByteString::null(), &wrong).is_err());
    }
}

//! TLS: the server's certificate and key, either given as PEM files (`--cert`/`--key`), or
//! issued on this machine by a local certificate authority that phones install once, the way
//! mkcert does it, so that they then open the server without a warning.
//!
//! # Layout
//! - [`setup`] (here): what `config` asks for, as a rustls configuration.
//! - [`local`]: `DATA/tls/` at start: keep or make the CA, keep or re-issue the certificate.
//! - [`ca`]: the local CA: made, loaded, name-constrained to local names and addresses.
//! - [`leaf`]: the server's certificate: its names, issuing it, deciding when to re-issue it.
//! - [`files`]: a private directory and atomic, durable writes.
//! - [`page`]: `GET /ca` (how to install the CA) and `GET /ca.crt` (the CA's certificate).

pub mod page;

mod ca;
mod files;
mod leaf;
mod local;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

use crate::config::Config;

/// What TLS setup produced.
pub struct Tls {
    /// For the TLS acceptor.
    pub config: Arc<ServerConfig>,
    /// SHA-256 fingerprint of the certificate, as colon-separated hex (what browsers show).
    pub fingerprint: String,
    /// The certificate file in use.
    pub cert_path: PathBuf,
    /// SHA-256 fingerprint of the local CA that issued the certificate, when it was issued here
    /// (none with `--cert`/`--key`).
    pub ca_fingerprint: Option<String>,
}

/// The directory of the generated CA and certificate: `DATA/tls`.
pub fn local_dir(config: &Config) -> PathBuf {
    config.data.join("tls")
}

/// Whether the server uses the local CA: TLS on, and no certificate given.
pub fn uses_local_ca(config: &Config) -> bool {
    config.tls_enabled() && config.cert.is_none()
}

/// The TLS setup `config` asks for, or `None` for plain HTTP. Without `--cert`/`--key`, the
/// local CA and the server's certificate in `DATA/tls/` are kept, or made for `NAME.local`,
/// `localhost`, loopback and `lan_ips`.
pub fn setup(config: &Config, lan_ips: &[IpAddr]) -> anyhow::Result<Option<Tls>> {
    if !config.tls_enabled() {
        return Ok(None);
    }
    let (cert_path, key_path, ca_fingerprint) = match (&config.cert, &config.key) {
        (Some(cert), Some(key)) => (cert.clone(), key.clone(), None),
        _ => {
            let now = time::OffsetDateTime::now_utc();
            let local = local::ensure(&local_dir(config), &config.mdns_name, lan_ips, now)?;
            (local.cert, local.key, Some(fingerprint(&local.ca)))
        }
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert_path)
        .and_then(|certs| certs.collect())
        .map_err(|e| anyhow::anyhow!("cert: cannot read {}: {e}", cert_path.display()))?;
    let first = certs
        .first()
        .ok_or_else(|| anyhow::anyhow!("cert: {} holds no certificate", cert_path.display()))?;
    let fingerprint = fingerprint(first);
    let key = PrivateKeyDer::from_pem_file(&key_path)
        .map_err(|e| anyhow::anyhow!("key: cannot read {}: {e}", key_path.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| anyhow::anyhow!("cert/key: they do not make a usable pair: {e}"))?;
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some(Tls { config: Arc::new(server), fingerprint, cert_path, ca_fingerprint }))
}

/// SHA-256 of a certificate, as `AB:CD:...`.
pub fn fingerprint(cert: &CertificateDer<'_>) -> String {
    Sha256::digest(cert.as_ref()).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

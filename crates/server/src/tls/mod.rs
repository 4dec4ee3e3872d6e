//! TLS: the server's certificate and key, either given as PEM files or self-signed on first
//! start and kept in the data directory, so phones see the same certificate on every restart.
//!
//! # Layout
//! - [`setup`] (here): what `config` asks for, as a rustls configuration.
//! - [`files`]: a private directory and atomic, durable writes.

mod files;

use std::path::{Path, PathBuf};
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
    /// Whether the certificate was generated here (self-signed).
    pub self_signed: bool,
}

/// The TLS setup `config` asks for, or `None` for plain HTTP.
pub fn setup(config: &Config, lan_ips: &[std::net::IpAddr]) -> anyhow::Result<Option<Tls>> {
    if !config.tls_enabled() {
        return Ok(None);
    }
    let (cert_path, key_path, self_signed) = match (&config.cert, &config.key) {
        (Some(cert), Some(key)) => (cert.clone(), key.clone(), false),
        _ => {
            let dir = config.data.join("tls");
            let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
            files::private_dir(&dir)
                .map_err(|e| anyhow::anyhow!("tls: cannot create {}: {e}", dir.display()))?;
            if !usable(&cert, &key) {
                generate(&cert, &key, &config.mdns_name, lan_ips)?;
            }
            files::set_mode(&key, files::PRIVATE)?;
            (cert, key, true)
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
    Ok(Some(Tls { config: Arc::new(server), fingerprint, cert_path, self_signed }))
}

/// Whether the generated pair can be kept: a certificate and the key that goes with it. An
/// empty, damaged or mismatched file (a power cut while an older version wrote it) is made anew
/// instead of stopping the server.
fn usable(cert: &Path, key: &Path) -> bool {
    let (Ok(cert), Ok(key)) =
        (CertificateDer::from_pem_file(cert), PrivateKeyDer::from_pem_file(key))
    else {
        return false;
    };
    let provider = rustls::crypto::ring::default_provider();
    rustls::sign::CertifiedKey::from_der(vec![cert], key, &provider).is_ok()
}

/// A self-signed certificate for `NAME.local`, `localhost` and the machine's addresses.
fn generate(
    cert_path: &Path,
    key_path: &Path,
    mdns_name: &str,
    lan_ips: &[std::net::IpAddr],
) -> anyhow::Result<()> {
    let mut names = vec![format!("{mdns_name}.local"), "localhost".to_owned()];
    names.extend(["127.0.0.1".to_owned(), "::1".to_owned()]);
    names.extend(lan_ips.iter().map(ToString::to_string));
    let mut params = rcgen::CertificateParams::new(names)?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, format!("Capital ({mdns_name}.local)"));
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2044, 1, 1);
    let key = rcgen::KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    // The key first: a crash before the certificate is written leaves a pair that does not
    // match, which the next start replaces.
    files::write_atomic(key_path, key.serialize_pem().as_bytes(), files::PRIVATE)?;
    files::write_atomic(cert_path, cert.pem().as_bytes(), files::PUBLIC)?;
    tracing::info!(cert = %cert_path.display(), "generated a self-signed certificate");
    Ok(())
}

/// SHA-256 of a certificate, as `AB:CD:...`.
pub fn fingerprint(cert: &CertificateDer<'_>) -> String {
    Sha256::digest(cert.as_ref()).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

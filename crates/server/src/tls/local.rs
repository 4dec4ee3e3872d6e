//! `DATA/tls/` at start: the local CA kept or made, the server's certificate kept or issued
//! anew, and the log lines that tell the operator which happened and what it means for phones.
//!
//! | file | holds | made anew when |
//! |---|---|---|
//! | `ca-key.pem` (0600) | the CA's key | missing, empty or unparseable: phones must install the new CA |
//! | `ca.pem` | the CA's certificate, served at `/ca.crt` | missing, damaged, not the key's, or expiring: rebuilt from the same key |
//! | `key.pem` (0600) | the server's key | with each new server certificate |
//! | `cert.pem` | the server's certificate | unreadable, not the key's, not from this CA, names changed, or expiring |
//!
//! Keys are written before the certificates that go with them, so a crash in between leaves a
//! certificate that is not its key's, which the next start notices and repairs.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rcgen::KeyPair;
use rustls_pki_types::CertificateDer;
use time::OffsetDateTime;

use super::ca::{self, LocalCa};
use super::files::{self, PRIVATE, PUBLIC};
use super::leaf::{self, Names};

/// The CA's certificate.
pub(crate) const CA_CERT: &str = "ca.pem";
/// The CA's private key.
pub(crate) const CA_KEY: &str = "ca-key.pem";
/// The server's certificate.
pub(crate) const CERT: &str = "cert.pem";
/// The server's private key.
pub(crate) const KEY: &str = "key.pem";

/// What is in `DATA/tls/` once [`ensure`] returns.
pub(super) struct Local {
    /// The server's certificate, issued by the CA.
    pub cert: PathBuf,
    /// The server's key.
    pub key: PathBuf,
    /// The CA's certificate.
    pub ca: CertificateDer<'static>,
}

/// Makes `dir` hold a usable CA and a server certificate for `mdns_name` and `lan_ips`, keeping
/// what is there when it can serve.
pub(super) fn ensure(
    dir: &Path,
    mdns_name: &str,
    lan_ips: &[IpAddr],
    now: OffsetDateTime,
) -> anyhow::Result<Local> {
    files::private_dir(dir).with_context(|| format!("tls: cannot create {}", dir.display()))?;
    let ca = ca_in(dir, mdns_name, now)?;
    let (names, left_out) = Names::new(mdns_name, lan_ips);
    for ip in left_out {
        tracing::warn!(
            %ip,
            "this address is not in the server's certificate: the local CA vouches only for \
             private and loopback addresses and .local names; phones should use another address"
        );
    }
    let (cert, key) = (dir.join(CERT), dir.join(KEY));
    let kept = match (read(&cert), read(&key)) {
        (Some(cert), Some(key)) => leaf::check(&cert, &key, &ca, &names, now),
        _ => Err("it is missing, empty or unreadable".to_owned()),
    };
    match kept {
        Ok(()) => files::set_mode(&key, PRIVATE).context("tls: cannot tighten the key's mode")?,
        Err(why) => {
            let (der, pair) = leaf::issue(&ca, &names, now)?;
            write(&key, &pair.serialize_pem(), PRIVATE)?;
            write(&cert, &ca::pem(&der), PUBLIC)?;
            tracing::info!(
                reason = %why,
                cert = %cert.display(),
                "issued a new server certificate from the local CA (phones that trust the CA \
                 will not notice)"
            );
        }
    }
    Ok(Local { cert, key, ca: ca.cert().clone() })
}

/// The CA in `dir`: kept, rebuilt from its key, or made anew.
fn ca_in(dir: &Path, mdns_name: &str, now: OffsetDateTime) -> anyhow::Result<LocalCa> {
    let (cert_path, key_path) = (dir.join(CA_CERT), dir.join(CA_KEY));
    // A key that exists but cannot be read (permissions) is not replaced: that would make every
    // phone install a new CA because of a mistake that is easy to fix.
    let key_pem = files::read(&key_path).with_context(|| {
        format!(
            "tls: cannot read the local CA's key {} (fix its permissions, or delete it to make \
             a new CA that every phone must install again)",
            key_path.display()
        )
    })?;
    let Some(key) = key_pem.and_then(|pem| KeyPair::from_pem(&pem).ok()) else {
        let existed = key_path.exists() || cert_path.exists();
        let ca = LocalCa::create(mdns_name, now)?;
        write(&key_path, &ca.key_pem(), PRIVATE)?;
        write(&cert_path, &ca.cert_pem(), PUBLIC)?;
        if existed {
            tracing::error!(
                key = %key_path.display(),
                "THE LOCAL CA'S KEY WAS MISSING, EMPTY OR DAMAGED: made a NEW local CA. Every \
                 phone that installed the old one will show warnings until it installs the new \
                 one from the /ca page (and may remove the old one)"
            );
        } else {
            tracing::info!(
                cert = %cert_path.display(),
                "made a local certificate authority: install it once on each phone (the /ca page \
                 explains how) and they will trust this server without warnings"
            );
        }
        return Ok(ca);
    };
    files::set_mode(&key_path, PRIVATE).context("tls: cannot tighten the CA key's mode")?;
    let kept = match read(&cert_path) {
        Some(pem) => LocalCa::load(&pem, key, now)?,
        None => Err(("it is missing, empty or unreadable".to_owned(), key)),
    };
    match kept {
        Ok(ca) => Ok(ca),
        Err((why, key)) => {
            let ca = LocalCa::with_key(key, mdns_name, now)?;
            write(&cert_path, &ca.cert_pem(), PUBLIC)?;
            tracing::warn!(
                reason = %why,
                cert = %cert_path.display(),
                "rebuilt the local CA's certificate from its key: phones that installed the CA \
                 should go on trusting the server; one that shows a warning needs the CA again \
                 from the /ca page"
            );
            Ok(ca)
        }
    }
}

/// A certificate or key file's text, or `None` when missing, empty or unreadable (all of which
/// mean: make a new one).
fn read(path: &Path) -> Option<String> {
    files::read(path).unwrap_or_else(|e| {
        tracing::warn!(path = %path.display(), error = %e, "cannot read; making a new one");
        None
    })
}

fn write(path: &Path, text: &str, mode: u32) -> anyhow::Result<()> {
    files::write_atomic(path, text.as_bytes(), mode)
        .with_context(|| format!("tls: cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> OffsetDateTime {
        rcgen::date_time_ymd(2026, 3, 1)
    }

    fn lan() -> Vec<IpAddr> {
        vec!["192.168.1.20".parse().unwrap()]
    }

    fn bytes(dir: &Path, name: &str) -> Vec<u8> {
        std::fs::read(dir.join(name)).unwrap()
    }

    #[test]
    fn a_second_start_keeps_everything() {
        let dir = tempfile::tempdir().unwrap();
        let first = ensure(dir.path(), "capital", &lan(), now()).unwrap();
        let files = [CA_CERT, CA_KEY, CERT, KEY].map(|f| bytes(dir.path(), f));
        let second =
            ensure(dir.path(), "capital", &lan(), now() + time::Duration::days(5)).unwrap();
        assert_eq!(first.ca, second.ca);
        assert_eq!([CA_CERT, CA_KEY, CERT, KEY].map(|f| bytes(dir.path(), f)), files);
    }

    #[test]
    fn an_expiring_leaf_is_replaced_and_the_ca_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = ensure(dir.path(), "capital", &lan(), now()).unwrap();
        let cert = bytes(dir.path(), CERT);
        let later = now() + leaf::LEAF_VALIDITY - time::Duration::days(10);
        let second = ensure(dir.path(), "capital", &lan(), later).unwrap();
        assert_eq!(first.ca, second.ca);
        assert_ne!(bytes(dir.path(), CERT), cert);
    }

    #[test]
    fn a_lost_ca_certificate_is_rebuilt_from_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let first = ensure(dir.path(), "capital", &lan(), now()).unwrap();
        let key = bytes(dir.path(), CA_KEY);
        let leaf = bytes(dir.path(), CERT);
        std::fs::write(dir.path().join(CA_CERT), "").unwrap();
        let second = ensure(dir.path(), "capital", &lan(), now()).unwrap();
        assert_ne!(first.ca, second.ca, "a new certificate");
        assert_eq!(bytes(dir.path(), CA_KEY), key, "for the same key");
        assert_eq!(bytes(dir.path(), CERT), leaf, "so the leaf still chains to it");
    }

    #[test]
    fn a_damaged_ca_key_makes_a_new_ca_and_a_new_leaf() {
        let dir = tempfile::tempdir().unwrap();
        let first = ensure(dir.path(), "capital", &lan(), now()).unwrap();
        let leaf = bytes(dir.path(), CERT);
        std::fs::write(dir.path().join(CA_KEY), "-----BEGIN PRIVATE KEY-----\n").unwrap();
        let second = ensure(dir.path(), "capital", &lan(), now()).unwrap();
        assert_ne!(first.ca, second.ca);
        assert_ne!(bytes(dir.path(), CERT), leaf, "the old leaf is not from the new CA");
    }

    #[cfg(unix)]
    #[test]
    fn an_unreadable_ca_key_stops_the_start_instead_of_replacing_the_ca() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        ensure(dir.path(), "capital", &lan(), now()).unwrap();
        // A directory where the key should be: read fails with something other than NotFound
        // (root, which runs CI, can read files whatever their mode).
        let key = dir.path().join(CA_KEY);
        let pem = std::fs::read(&key).unwrap();
        std::fs::remove_file(&key).unwrap();
        std::fs::create_dir(&key).unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o700)).unwrap();
        let err = ensure(dir.path(), "capital", &lan(), now()).err().unwrap().to_string();
        assert!(err.contains("cannot read the local CA's key"), "{err}");
        std::fs::remove_dir(&key).unwrap();
        std::fs::write(&key, pem).unwrap();
    }
}

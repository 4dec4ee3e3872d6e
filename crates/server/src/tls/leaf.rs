//! The server's own certificate ("the leaf"): issued by the local CA for every name a phone may
//! use to reach the server, checked at each start, and issued anew when those names changed (the
//! Pi moved to another network, the mDNS name changed) or when it is about to expire. Phones
//! trust the CA, so a new leaf goes unnoticed.
//!
//! It follows Apple's rules for servers under a user-installed root (support.apple.com/103769):
//! valid at most 825 days, extendedKeyUsage serverAuth, every name in subjectAltName.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, PublicKeyData, SanType,
};
use rustls::client::danger::ServerCertVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use time::{Duration, OffsetDateTime};

use super::ca::{self, BACKDATE, LocalCa, RENEW_BEFORE};

/// How long a leaf is valid: 800 days, under Apple's limit of 825 with room for the backdating
/// and for rounding. A new leaf costs nothing (phones trust the CA, not the leaf), but it is only
/// made at start, so it should outlast the longest a Pi stays up without a restart.
pub(super) const LEAF_VALIDITY: Duration = Duration::days(800);

/// The names a leaf must carry, and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Names {
    /// `NAME.local` and `localhost`.
    pub dns: BTreeSet<String>,
    /// Loopback, and the LAN addresses the CA may vouch for.
    pub ips: BTreeSet<IpAddr>,
}

impl Names {
    /// `NAME.local`, `localhost`, 127.0.0.1, ::1 and the `lan_ips` that the CA may vouch for;
    /// then the addresses left out (public ones, which the CA's name constraints forbid).
    pub(super) fn new(mdns_name: &str, lan_ips: &[IpAddr]) -> (Names, Vec<IpAddr>) {
        let dns = [format!("{mdns_name}.local"), "localhost".to_owned()].into();
        let (permitted, left_out): (Vec<IpAddr>, Vec<IpAddr>) =
            lan_ips.iter().partition(|ip| ca::permits(**ip));
        let mut ips: BTreeSet<IpAddr> = permitted.into_iter().collect();
        ips.extend([IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V6(Ipv6Addr::LOCALHOST)]);
        (Names { dns, ips }, left_out)
    }

    /// The names in `cert`'s subjectAltName.
    fn of(cert: &x509_parser::certificate::X509Certificate<'_>) -> Option<Names> {
        use x509_parser::extensions::GeneralName;
        let san = cert.subject_alternative_name().ok()??;
        let (mut dns, mut ips) = (BTreeSet::new(), BTreeSet::new());
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(name) => {
                    dns.insert(name.to_ascii_lowercase());
                }
                GeneralName::IPAddress(octets) => {
                    let ip = match octets.len() {
                        4 => IpAddr::from(<[u8; 4]>::try_from(*octets).ok()?),
                        16 => IpAddr::from(<[u8; 16]>::try_from(*octets).ok()?),
                        _ => return None,
                    };
                    ips.insert(ip);
                }
                _ => return None,
            }
        }
        Some(Names { dns, ips })
    }

    fn server_names(&self) -> impl Iterator<Item = ServerName<'static>> + '_ {
        let dns = self.dns.iter().filter_map(|n| ServerName::try_from(n.clone()).ok());
        dns.chain(self.ips.iter().map(|ip| ServerName::IpAddress((*ip).into())))
    }
}

/// A new leaf for `names` from `ca`, with a new key: (certificate, key).
pub(super) fn issue(
    ca: &LocalCa,
    names: &Names,
    now: OffsetDateTime,
) -> Result<(CertificateDer<'static>, KeyPair), rcgen::Error> {
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    let local = names.dns.iter().find(|n| n.ends_with(".local"));
    params.distinguished_name.push(DnType::CommonName, local.map_or("Capital", |n| n.as_str()));
    params.distinguished_name.push(DnType::OrganizationName, "Capital");
    params.subject_alt_names = names.ips.iter().map(|ip| SanType::IpAddress(*ip)).collect();
    for name in &names.dns {
        params.subject_alt_names.push(SanType::DnsName(name.clone().try_into()?));
    }
    params.is_ca = IsCa::ExplicitNoCa;
    // An ECDSA key only signs the handshake; keyEncipherment is for RSA key transport.
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    params.serial_number = Some(ca::serial());
    params.not_before = now - BACKDATE;
    params.not_after = (params.not_before + LEAF_VALIDITY).min(ca.not_after());
    let cert = params.signed_by(&key, ca.issuer())?;
    Ok((cert.der().clone(), key))
}

/// Whether the kept leaf (`cert_pem`, `key_pem`) can serve on: `Err(why not)` unless it is for
/// exactly `names`, goes with its key, and a client that trusts only `ca` accepts it for each
/// of those names now and [`RENEW_BEFORE`] from now.
pub(super) fn check(
    cert_pem: &str,
    key_pem: &str,
    ca: &LocalCa,
    names: &Names,
    now: OffsetDateTime,
) -> Result<(), String> {
    let cert = CertificateDer::from_pem_slice(cert_pem.as_bytes())
        .map_err(|e| format!("the certificate is unreadable ({e})"))?;
    let key = KeyPair::from_pem(key_pem).map_err(|e| format!("the key is unreadable ({e})"))?;
    let (_, parsed) = x509_parser::parse_x509_certificate(&cert)
        .map_err(|e| format!("the certificate cannot be parsed ({e})"))?;
    if parsed.public_key().raw != key.subject_public_key_info().as_slice() {
        return Err("the certificate is not the key's".into());
    }
    match Names::of(&parsed) {
        Some(had) if had == *names => {}
        Some(had) => return Err(format!("the names changed (it had {})", had.describe())),
        None => return Err("its names are unreadable".into()),
    }
    let verifier = verifier(ca).map_err(|e| format!("the CA is unusable ({e})"))?;
    for (when, at) in [("now", now), ("in 30 days", now + RENEW_BEFORE)] {
        let at = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            u64::try_from(at.unix_timestamp()).unwrap_or(0),
        ));
        for name in names.server_names() {
            if let Err(e) = verifier.verify_server_cert(&cert, &[], &name, &[], at) {
                return Err(format!("a client would refuse it {when} ({e})"));
            }
        }
    }
    Ok(())
}

impl Names {
    fn describe(&self) -> String {
        let ips = self.ips.iter().map(ToString::to_string);
        self.dns.iter().cloned().chain(ips).collect::<Vec<_>>().join(", ")
    }
}

/// A rustls verifier that trusts `ca` alone: what a phone that installed it does.
fn verifier(ca: &LocalCa) -> Result<Arc<rustls::client::WebPkiServerVerifier>, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.cert().clone()).map_err(|e| e.to_string())?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> OffsetDateTime {
        rcgen::date_time_ymd(2026, 3, 1)
    }

    fn lan() -> Vec<IpAddr> {
        vec!["192.168.1.20".parse().unwrap(), "fd00::5".parse().unwrap()]
    }

    fn pems(cert: &CertificateDer<'_>, key: &KeyPair) -> (String, String) {
        (ca::pem(cert), key.serialize_pem())
    }

    #[test]
    fn names_are_the_mdns_name_loopback_and_private_lan_addresses() {
        let lan = ["192.168.1.20", "203.0.113.7", "2001:db8::1", "fd00::5"].map(|ip| ip.parse());
        let lan: Vec<IpAddr> = lan.into_iter().map(Result::unwrap).collect();
        let (names, left_out) = Names::new("classroom", &lan);
        assert_eq!(
            names.describe(),
            "classroom.local, localhost, 127.0.0.1, 192.168.1.20, ::1, fd00::5"
        );
        assert_eq!(left_out, [lan[1], lan[2]]);
    }

    #[test]
    fn a_leaf_apple_accepts() {
        let ca = LocalCa::create("capital", now()).unwrap();
        let (names, _) = Names::new("capital", &lan());
        let (cert, _) = issue(&ca, &names, now()).unwrap();
        let (_, leaf) = x509_parser::parse_x509_certificate(&cert).unwrap();
        let validity = leaf.validity();
        let days =
            (validity.not_after.to_datetime() - validity.not_before.to_datetime()).whole_days();
        assert_eq!(days, 800);
        assert!(days <= 825, "Apple refuses longer ones");
        assert!(leaf.extended_key_usage().unwrap().unwrap().value.server_auth);
        let ku = leaf.key_usage().unwrap().unwrap().value;
        assert!(ku.digital_signature() && !ku.key_cert_sign());
        assert!(!leaf.is_ca());
        assert_eq!(Names::of(&leaf).unwrap(), names);
    }

    #[test]
    fn a_leaf_never_outlives_its_ca() {
        let ca = LocalCa::create("capital", now()).unwrap();
        let (names, _) = Names::new("capital", &lan());
        let late = ca.not_after() - Duration::days(100);
        let (cert, _) = issue(&ca, &names, late).unwrap();
        let (_, leaf) = x509_parser::parse_x509_certificate(&cert).unwrap();
        assert_eq!(leaf.validity().not_after.to_datetime(), ca.not_after());
    }

    #[test]
    fn a_kept_leaf_serves_until_something_changed() {
        let ca = LocalCa::create("capital", now()).unwrap();
        let (names, _) = Names::new("capital", &lan());
        let (cert, key) = issue(&ca, &names, now()).unwrap();
        let (cert_pem, key_pem) = pems(&cert, &key);
        assert_eq!(check(&cert_pem, &key_pem, &ca, &names, now()), Ok(()));

        let moved = Names::new("capital", &["10.0.0.5".parse().unwrap()]).0;
        let why = check(&cert_pem, &key_pem, &ca, &moved, now()).unwrap_err();
        assert!(why.contains("names changed"), "{why}");
        let renamed = Names::new("classroom", &lan()).0;
        assert!(check(&cert_pem, &key_pem, &ca, &renamed, now()).is_err());

        let soon = now() + LEAF_VALIDITY - Duration::days(20);
        let why = check(&cert_pem, &key_pem, &ca, &names, soon).unwrap_err();
        assert!(why.contains("in 30 days"), "{why}");

        let other_ca = LocalCa::create("capital", now()).unwrap();
        let why = check(&cert_pem, &key_pem, &other_ca, &names, now()).unwrap_err();
        assert!(why.contains("refuse it now"), "{why}");

        let other_key = KeyPair::generate().unwrap().serialize_pem();
        let why = check(&cert_pem, &other_key, &ca, &names, now()).unwrap_err();
        assert!(why.contains("not the key's"), "{why}");
        assert!(check("", &key_pem, &ca, &names, now()).is_err());
        assert!(check(&cert_pem, "junk", &ca, &names, now()).is_err());
    }
}

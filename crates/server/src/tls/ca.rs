//! The local certificate authority: made on this machine on the first `--tls` start, kept in
//! `DATA/tls/`, installed once on each phone, and from then on the issuer of the server's own
//! certificate (see [`super::leaf`]), which can change without phones noticing.
//!
//! The CA is name-constrained (RFC 5280, 4.2.1.10): it may vouch only for `.local` and
//! `localhost` names and for loopback and private addresses. Someone who steals its key still
//! cannot impersonate a real site to a phone that trusts it. Chrome (always since version 126),
//! Firefox, Apple's and rustls' verifiers enforce constraints on an installed root; a client that
//! ignored them would be no worse off than with an unconstrained root (docs/deploy.md has more).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, DnType, GeneralSubtree,
    IsCa, Issuer, KeyPair, KeyUsagePurpose, NameConstraints, PublicKeyData, SerialNumber,
};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use time::{Duration, OffsetDateTime};

/// How long the CA's certificate is valid. Installing it is the one manual step per phone, so it
/// should outlast the hardware; ten years is what mkcert uses too. (Apple's 825-day limit is for
/// server certificates, not for roots a user installed.)
pub(super) const CA_VALIDITY: Duration = Duration::days(3650);
/// A certificate this close to its end is replaced at start.
pub(super) const RENEW_BEFORE: Duration = Duration::days(30);
/// Certificates start this long before the moment they are made, so that a phone whose clock is
/// a little behind the server's does not see them as not valid yet.
pub(super) const BACKDATE: Duration = Duration::days(1);

/// The DNS names the CA may vouch for, each with every name under it (`capital.local`).
const PERMITTED_DNS: [&str; 2] = ["local", "localhost"];
/// The addresses the CA may vouch for: IPv4 loopback, private (RFC 1918) and shared
/// (RFC 6598: carrier-grade NAT, Tailscale) ranges; IPv6 loopback and unique local addresses.
const PERMITTED_NETS: [(IpAddr, u8); 7] = [
    (IpAddr::V4(Ipv4Addr::new(127, 0, 0, 0)), 8),
    (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 0)), 8),
    (IpAddr::V4(Ipv4Addr::new(172, 16, 0, 0)), 12),
    (IpAddr::V4(Ipv4Addr::new(192, 168, 0, 0)), 16),
    (IpAddr::V4(Ipv4Addr::new(100, 64, 0, 0)), 10),
    (IpAddr::V6(Ipv6Addr::LOCALHOST), 128),
    (IpAddr::V6(Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0)), 7),
];

/// Whether the CA may put `ip` in a certificate (whether it lies in [`PERMITTED_NETS`]).
pub(super) fn permits(ip: IpAddr) -> bool {
    PERMITTED_NETS.iter().any(|&(net, prefix)| match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    })
}

/// A fresh random serial number (positive, 127 bits). rcgen's default is derived from the
/// public key, which would give a rebuilt CA certificate the serial of the one it replaces.
pub(super) fn serial() -> SerialNumber {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    bytes[0] &= 0x7f;
    SerialNumber::from_slice(&bytes)
}

/// The CA: its certificate (what phones install) and what signs with its key.
pub(super) struct LocalCa {
    cert: CertificateDer<'static>,
    not_after: OffsetDateTime,
    issuer: Issuer<'static, KeyPair>,
}

impl LocalCa {
    /// A new CA with a new key, named after the server's mDNS name.
    pub(super) fn create(mdns_name: &str, now: OffsetDateTime) -> Result<Self, rcgen::Error> {
        Self::with_key(KeyPair::generate()?, mdns_name, now)
    }

    /// A new certificate for an existing CA key. It has the name and key of the one it replaces
    /// (if the mDNS name is unchanged), so what it signs still chains to the one phones hold.
    pub(super) fn with_key(
        key: KeyPair,
        mdns_name: &str,
        now: OffsetDateTime,
    ) -> Result<Self, rcgen::Error> {
        let params = params(mdns_name, now);
        let cert = params.self_signed(&key)?.der().clone();
        Ok(LocalCa { cert, not_after: params.not_after, issuer: Issuer::new(params, key) })
    }

    /// The CA kept as `cert_pem` with its `key`, or why that certificate cannot serve (not a CA
    /// certificate, not the key's, or not valid from now until [`RENEW_BEFORE`] from now) with
    /// the key back, for [`LocalCa::with_key`].
    pub(super) fn load(
        cert_pem: &str,
        key: KeyPair,
        now: OffsetDateTime,
    ) -> Result<Result<Self, (String, KeyPair)>, rcgen::Error> {
        let (cert, not_after) = match check(cert_pem, &key, now) {
            Ok(checked) => checked,
            Err(why) => return Ok(Err((why, key))),
        };
        let issuer = Issuer::from_ca_cert_der(&cert, key)?;
        Ok(Ok(LocalCa { cert, not_after, issuer }))
    }

    /// The CA's certificate, DER.
    pub(super) fn cert(&self) -> &CertificateDer<'static> {
        &self.cert
    }

    /// The CA's certificate, PEM (what `ca.pem` holds).
    pub(super) fn cert_pem(&self) -> String {
        pem(&self.cert)
    }

    /// The CA's private key, PEM (what `ca-key.pem` holds).
    pub(super) fn key_pem(&self) -> String {
        self.issuer.key().serialize_pem()
    }

    /// When the CA's certificate ends; nothing it signs should outlive it.
    pub(super) fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }

    /// What signs certificates in the CA's name.
    pub(super) fn issuer(&self) -> &Issuer<'static, KeyPair> {
        &self.issuer
    }
}

/// A certificate as PEM.
pub(super) fn pem(cert: &CertificateDer<'_>) -> String {
    let config = pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF);
    pem::encode_config(&pem::Pem::new("CERTIFICATE", cert.as_ref()), config)
}

/// The parameters of a CA certificate for `NAME.local`, valid from a day before `now`.
fn params(mdns_name: &str, now: OffsetDateTime) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, format!("Capital local CA ({mdns_name}.local)"));
    params.distinguished_name.push(DnType::OrganizationName, "Capital");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let dns = PERMITTED_DNS.iter().map(|name| GeneralSubtree::DnsName((*name).to_owned()));
    let nets = PERMITTED_NETS
        .iter()
        .map(|&(net, prefix)| GeneralSubtree::IpAddress(CidrSubnet::from_addr_prefix(net, prefix)));
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: dns.chain(nets).collect(),
        excluded_subtrees: Vec::new(),
    });
    params.serial_number = Some(serial());
    params.not_before = now - BACKDATE;
    params.not_after = params.not_before + CA_VALIDITY;
    params
}

fn parse<'a>(
    cert: &'a CertificateDer<'_>,
) -> Result<x509_parser::certificate::X509Certificate<'a>, String> {
    x509_parser::parse_x509_certificate(cert.as_ref())
        .map(|(_, cert)| cert)
        .map_err(|e| format!("cannot be parsed ({e})"))
}

/// The certificate in `cert_pem` and its end, if it can be `key`'s CA certificate at `now`.
fn check(
    cert_pem: &str,
    key: &KeyPair,
    now: OffsetDateTime,
) -> Result<(CertificateDer<'static>, OffsetDateTime), String> {
    let cert = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .next()
        .ok_or("holds no certificate")?
        .map_err(|e| format!("holds no readable certificate ({e})"))?;
    let parsed = parse(&cert)?;
    if !parsed.is_ca() {
        return Err("is not a CA certificate".into());
    }
    if parsed.public_key().raw != key.subject_public_key_info().as_slice() {
        return Err("is not the certificate of the CA's key".into());
    }
    let validity = parsed.validity();
    if validity.not_before.to_datetime() > now {
        return Err("is not valid yet (has the clock gone back?)".into());
    }
    let not_after = validity.not_after.to_datetime();
    if not_after < now + RENEW_BEFORE {
        return Err("has expired or is about to".into());
    }
    drop(parsed);
    Ok((cert, not_after))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> OffsetDateTime {
        rcgen::date_time_ymd(2026, 3, 1)
    }

    #[test]
    fn the_ca_is_a_constrained_root_named_after_the_server() {
        let ca = LocalCa::create("classroom", now()).unwrap();
        let (_, cert) = x509_parser::parse_x509_certificate(ca.cert()).unwrap();
        let cn = cert.subject().iter_common_name().next().unwrap().as_str().unwrap();
        assert_eq!(cn, "Capital local CA (classroom.local)");
        assert_eq!(cert.subject(), cert.issuer(), "self-signed");
        let bc = cert.basic_constraints().unwrap().unwrap();
        assert!(bc.critical && bc.value.ca);
        assert_eq!(bc.value.path_len_constraint, Some(0));
        let ku = cert.key_usage().unwrap().unwrap().value;
        assert!(ku.key_cert_sign() && ku.crl_sign() && !ku.digital_signature());
        let nc = cert.name_constraints().unwrap().unwrap();
        assert!(nc.critical, "a client that cannot apply them must refuse the CA");
        assert_eq!(nc.value.permitted_subtrees.as_ref().unwrap().len(), 9);
        let validity = cert.validity();
        assert_eq!(validity.not_before.to_datetime(), now() - BACKDATE);
        assert_eq!(
            validity.not_after.to_datetime() - validity.not_before.to_datetime(),
            CA_VALIDITY
        );
    }

    #[test]
    fn a_kept_ca_loads_and_a_wrong_one_says_why() {
        let ca = LocalCa::create("capital", now()).unwrap();
        let key = || KeyPair::from_pem(&ca.key_pem()).unwrap();
        let loaded = LocalCa::load(&ca.cert_pem(), key(), now()).unwrap().unwrap();
        assert_eq!(loaded.cert(), ca.cert());
        assert_eq!(loaded.not_after(), ca.not_after());

        let other = LocalCa::create("capital", now()).unwrap();
        let (why, _) = LocalCa::load(&other.cert_pem(), key(), now()).unwrap().err().unwrap();
        assert!(why.contains("not the certificate of the CA's key"), "{why}");
        let late = ca.not_after() - Duration::days(29);
        let (why, _) = LocalCa::load(&ca.cert_pem(), key(), late).unwrap().err().unwrap();
        assert!(why.contains("expired"), "{why}");
        let early = now() - Duration::days(2);
        assert!(LocalCa::load(&ca.cert_pem(), key(), early).unwrap().is_err());
        for garbage in ["", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"] {
            assert!(LocalCa::load(garbage, key(), now()).unwrap().is_err(), "{garbage:?}");
        }
    }

    #[test]
    fn a_rebuilt_certificate_keeps_name_and_key_with_a_new_serial() {
        let ca = LocalCa::create("capital", now()).unwrap();
        let key = KeyPair::from_pem(&ca.key_pem()).unwrap();
        let rebuilt = LocalCa::with_key(key, "capital", now()).unwrap();
        let (_, a) = x509_parser::parse_x509_certificate(ca.cert()).unwrap();
        let (_, b) = x509_parser::parse_x509_certificate(rebuilt.cert()).unwrap();
        assert_eq!(a.subject().as_raw(), b.subject().as_raw());
        assert_eq!(a.public_key().raw, b.public_key().raw);
        assert_ne!(a.raw_serial(), b.raw_serial());
    }

    #[test]
    fn only_private_and_loopback_addresses_are_permitted() {
        for ip in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.254", "192.168.1.20"] {
            assert!(permits(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["100.64.0.1", "100.127.255.255", "::1", "fd00::5", "fc12::1"] {
            assert!(permits(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "172.32.0.1", "192.169.0.1", "100.128.0.1", "2001:db8::1", "::2"] {
            assert!(!permits(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn pem_round_trips() {
        let ca = LocalCa::create("capital", now()).unwrap();
        let text = ca.cert_pem();
        assert!(text.starts_with("-----BEGIN CERTIFICATE-----\n"), "{text}");
        assert_eq!(&CertificateDer::from_pem_slice(text.as_bytes()).unwrap(), ca.cert());
    }
}

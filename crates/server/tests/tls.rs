//! TLS: the local CA (a client that trusts only it plays over 127.0.0.1 and localhost; the CA
//! and the server's certificate kept across restarts, the certificate re-issued when the
//! addresses change; damaged files replaced; private modes), the `/ca` page and `/ca.crt`, and
//! a certificate given as PEM files.

mod common;

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use capital_client::Client;
use capital_protocol::Role;
use capital_server::Config;
use common::*;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn trusting(pem: Option<&[u8]>) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = pem {
        for cert in CertificateDer::pem_slice_iter(pem) {
            roots.add(cert.unwrap()).unwrap();
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

async fn play_a_game_over(url: &str, tls: Arc<rustls::ClientConfig>) {
    let mut a = Client::connect_tls(url, tls.clone()).await.expect("a trusting client connects");
    let b = Client::connect_tls(url, tls).await.unwrap();
    a.hello("Ana", None).await.unwrap();
    b.hello("Bo", None).await.unwrap();
    let code = a.create_room("tictactoe", None).await.unwrap().code;
    b.join_room(&code, Role::Player, None).await.unwrap();
    a.start(&code).await.unwrap();
    for (i, cell) in [0, 3, 1, 4, 2].into_iter().enumerate() {
        let mover = if i % 2 == 0 { &a } else { &b };
        mover.play(&code, json!({"cell": cell})).await.unwrap();
    }
    let over = event_of(&mut a, "game_over").await;
    assert_eq!(room_of(&over).outcome.as_ref().unwrap().winner, Some(0));
}

/// A response over HTTPS: status, head (lower-cased), body.
struct Got {
    status: u16,
    head: String,
    body: Vec<u8>,
}

/// `GET path` over TLS to `addr`, naming the server `host`.
async fn https_get(
    addr: SocketAddr,
    host: &str,
    path: &str,
    tls: Arc<rustls::ClientConfig>,
) -> Got {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from(host.to_owned()).unwrap();
    let mut stream = tokio_rustls::TlsConnector::from(tls).connect(name, tcp).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").expect("a full head");
    let head = String::from_utf8_lossy(&response[..split]).to_ascii_lowercase();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    Got { status, head, body: response[split + 4..].to_vec() }
}

fn assert_no_key(got: &Got, path: &str) {
    let text = String::from_utf8_lossy(&got.body);
    assert!(!text.contains("PRIVATE KEY"), "{path} served a key");
}

fn tls_dir(data: &Path) -> std::path::PathBuf {
    data.join("tls")
}

fn read_pem(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn der_of(path: &Path) -> CertificateDer<'static> {
    CertificateDer::from_pem_file(path).unwrap()
}

/// The names in the server certificate kept in `data`: DNS names and addresses, as text.
fn sans(data: &Path) -> Vec<String> {
    use x509_parser::extensions::GeneralName;
    let der = der_of(&tls_dir(data).join("cert.pem"));
    let (_, leaf) = x509_parser::parse_x509_certificate(&der).unwrap();
    let san = leaf.subject_alternative_name().unwrap().expect("a subjectAltName");
    san.value
        .general_names
        .iter()
        .map(|name| match name {
            GeneralName::DNSName(name) => (*name).to_owned(),
            GeneralName::IPAddress(b) if b.len() == 4 => {
                IpAddr::from(<[u8; 4]>::try_from(*b).unwrap()).to_string()
            }
            GeneralName::IPAddress(b) => {
                IpAddr::from(<[u8; 16]>::try_from(*b).unwrap()).to_string()
            }
            other => panic!("unexpected name {other:?}"),
        })
        .collect()
}

/// Settings for the local CA in a fresh data directory (kept while the `TempDir` lives).
fn local_ca_config() -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::new("127.0.0.1:0".parse().unwrap(), dir.path().join("data"));
    config.tls = true;
    (dir, config)
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn a_client_that_trusts_only_the_local_ca_plays_and_the_files_are_kept() {
    let server = TestServer::start_with(|c| c.tls = true).await;
    let dir = tls_dir(&server.data_dir());
    let ca = read_pem(&dir.join("ca.pem"));
    let leaf = read_pem(&dir.join("cert.pem"));
    for host in ["127.0.0.1", "localhost"] {
        let url = format!("wss://{host}:{}/ws", server.addr.port());
        play_a_game_over(&url, trusting(Some(&ca))).await;
    }
    let url = format!("wss://127.0.0.1:{}/ws", server.addr.port());
    let err = Client::connect_tls(&url, trusting(None)).await.err().expect("refused");
    assert!(err.to_string().contains("certificate"), "{err}");
    let err = Client::connect_tls(&url, trusting(Some(&leaf))).await.err();
    assert!(err.is_some(), "the leaf is not a root: only the CA is to be trusted");
    let plain = Client::connect(&format!("ws://127.0.0.1:{}/ws", server.addr.port())).await;
    assert!(plain.is_err(), "no plain WebSocket on a TLS port");

    #[cfg(unix)]
    {
        assert_eq!(mode(&dir), 0o700, "the tls directory");
        assert_eq!(mode(&dir.join("ca-key.pem")), 0o600, "the CA's key");
        assert_eq!(mode(&dir.join("key.pem")), 0o600, "the server's key");
    }

    let server = server.restart().await;
    assert_eq!(read_pem(&dir.join("ca.pem")), ca, "the same CA after a restart");
    assert_eq!(read_pem(&dir.join("cert.pem")), leaf, "and the same certificate");
    let url = format!("wss://localhost:{}/ws", server.addr.port());
    play_a_game_over(&url, trusting(Some(&ca))).await;
}

#[test]
fn the_certificate_is_one_apple_accepts() {
    let (_dir, config) = local_ca_config();
    capital_server::tls::setup(&config, &[]).unwrap().unwrap();
    let der = der_of(&tls_dir(&config.data).join("cert.pem"));
    let (_, leaf) = x509_parser::parse_x509_certificate(&der).unwrap();
    let validity = leaf.validity();
    let days = (validity.not_after.to_datetime() - validity.not_before.to_datetime()).whole_days();
    assert!(days <= 825, "Apple refuses server certificates valid longer: {days} days");
    assert!(days >= 365, "and re-issuing is only done at start: {days} days");
    let eku = leaf.extended_key_usage().unwrap().expect("an extendedKeyUsage").value;
    assert!(eku.server_auth);
    assert!(!leaf.is_ca());
    let names = sans(&config.data);
    for name in ["capital.local", "localhost", "127.0.0.1", "::1"] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
}

#[test]
fn new_addresses_get_a_new_certificate_from_the_same_ca() {
    let (_dir, config) = local_ca_config();
    let home: Vec<IpAddr> = vec!["192.168.1.20".parse().unwrap()];
    let first = capital_server::tls::setup(&config, &home).unwrap().unwrap();
    let again = capital_server::tls::setup(&config, &home).unwrap().unwrap();
    assert_eq!(again.fingerprint, first.fingerprint, "same addresses: the same certificate");
    assert_eq!(again.ca_fingerprint, first.ca_fingerprint);

    let school: Vec<IpAddr> = vec!["10.0.0.5".parse().unwrap()];
    let moved = capital_server::tls::setup(&config, &school).unwrap().unwrap();
    assert_ne!(moved.fingerprint, first.fingerprint, "another network: a new certificate");
    assert_eq!(moved.ca_fingerprint, first.ca_fingerprint, "from the same CA");
    let listed = sans(&config.data);
    assert!(listed.contains(&"10.0.0.5".to_owned()), "{listed:?}");
    assert!(!listed.contains(&"192.168.1.20".to_owned()), "{listed:?}");

    let mut renamed = config.clone();
    renamed.mdns_name = "classroom".into();
    let renamed = capital_server::tls::setup(&renamed, &school).unwrap().unwrap();
    assert_ne!(renamed.fingerprint, moved.fingerprint, "another mDNS name: a new certificate");
    assert_eq!(renamed.ca_fingerprint, first.ca_fingerprint);
}

#[test]
fn empty_files_are_replaced() {
    let (_dir, config) = local_ca_config();
    let dir = tls_dir(&config.data);
    let first = capital_server::tls::setup(&config, &[]).unwrap().unwrap();

    std::fs::write(dir.join("key.pem"), "").unwrap();
    let second =
        capital_server::tls::setup(&config, &[]).expect("an empty key is no reason to stop");
    let second = second.unwrap();
    assert!(!read_pem(&dir.join("key.pem")).is_empty(), "a new key");
    assert_ne!(second.fingerprint, first.fingerprint, "and a new certificate for it");
    assert_eq!(second.ca_fingerprint, first.ca_fingerprint, "the CA is kept");

    std::fs::write(dir.join("cert.pem"), "").unwrap();
    let third = capital_server::tls::setup(&config, &[]).unwrap().unwrap();
    assert_ne!(third.fingerprint, second.fingerprint);
    assert_eq!(third.ca_fingerprint, first.ca_fingerprint);

    std::fs::write(dir.join("ca-key.pem"), "").unwrap();
    let fourth = capital_server::tls::setup(&config, &[]).unwrap().unwrap();
    assert_ne!(fourth.ca_fingerprint, first.ca_fingerprint, "no CA key: a new CA");
    assert_ne!(fourth.fingerprint, third.fingerprint, "and a certificate from it");
    #[cfg(unix)]
    assert_eq!(mode(&dir.join("ca-key.pem")), 0o600);
}

#[tokio::test]
async fn the_ca_page_and_certificate_are_served_and_never_a_key() {
    let server = TestServer::start_with(|c| c.tls = true).await;
    let ca_pem = read_pem(&tls_dir(&server.data_dir()).join("ca.pem"));
    let ca_der = CertificateDer::from_pem_slice(&ca_pem).unwrap();
    let fingerprint = capital_server::tls::fingerprint(&ca_der);
    let tls = trusting(Some(&ca_pem));

    let crt = https_get(server.addr, "localhost", "/ca.crt", tls.clone()).await;
    assert_eq!(crt.status, 200);
    assert!(crt.head.contains("content-type: application/x-x509-ca-cert"), "{}", crt.head);
    assert_eq!(crt.body, ca_der.as_ref(), "the CA's certificate, DER");
    let (_, parsed) = x509_parser::parse_x509_certificate(&crt.body).expect("a certificate");
    assert!(parsed.is_ca());
    assert_eq!(
        capital_server::tls::fingerprint(&CertificateDer::from(crt.body.clone())),
        fingerprint
    );

    let saved = https_get(server.addr, "localhost", "/ca.crt?download", tls.clone()).await;
    assert_eq!(saved.status, 200);
    assert!(saved.head.contains("content-disposition: attachment; filename=\"capital-ca.crt\""));
    assert_eq!(saved.body, ca_der.as_ref());

    let page = https_get(server.addr, "localhost", "/ca", tls.clone()).await;
    assert_eq!(page.status, 200);
    assert!(page.head.contains("content-type: text/html"), "{}", page.head);
    let html = String::from_utf8(page.body.clone()).unwrap();
    let shown = html.replace("<wbr>", "");
    assert!(shown.contains(&fingerprint), "the page shows the fingerprint to compare");
    assert!(html.contains("Capital local CA (capital.local)"));
    assert!(html.contains("href=\"/ca.crt\"") && html.contains("Certificate Trust Settings"));

    for got in [&crt, &saved, &page] {
        assert_no_key(got, "/ca");
    }
    for path in ["/ca.html", "/tls/ca-key.pem", "/ca-key.pem", "/key.pem", "/ca.pem", "/ca/"] {
        let got = https_get(server.addr, "localhost", path, tls.clone()).await;
        assert_no_key(&got, path);
        assert_ne!(got.status, 200, "{path}");
    }
}

#[tokio::test]
async fn no_ca_page_without_tls() {
    let server = TestServer::start().await;
    for path in ["/ca", "/ca.crt"] {
        let (status, body) = http_get(server.addr, path).await;
        assert_eq!(status, 404, "{path}");
        assert!(body.contains("does not use HTTPS"), "{body}");
    }
}

#[tokio::test]
async fn certificate_from_pem_files() {
    let dir = tempfile::tempdir().unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let params =
        rcgen::CertificateParams::new(vec!["capital.test".into(), "127.0.0.1".into()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    let (cert_path, key_path) = (dir.path().join("fullchain.pem"), dir.path().join("privkey.pem"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    let server = TestServer::start_with(|c| {
        c.cert = Some(cert_path.clone());
        c.key = Some(key_path.clone());
    })
    .await;
    assert!(!server.data_dir().join("tls").exists(), "nothing generated when files are given");
    let url = format!("wss://127.0.0.1:{}/ws", server.addr.port());
    let tls = trusting(Some(cert.pem().as_bytes()));
    play_a_game_over(&url, tls.clone()).await;
    for path in ["/ca", "/ca.crt"] {
        let got = https_get(server.addr, "127.0.0.1", path, tls.clone()).await;
        assert_eq!(got.status, 404, "{path}: no local CA here");
        assert!(String::from_utf8_lossy(&got.body).contains("--cert/--key"));
    }
}

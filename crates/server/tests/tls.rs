//! TLS: WSS with the generated self-signed certificate (trusted, refused, kept across restarts)
//! and with a certificate given as PEM files.

mod common;

use std::sync::Arc;

use capital_client::Client;
use capital_protocol::Role;
use common::*;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde_json::json;

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

#[tokio::test]
async fn self_signed_certificate_trusted_refused_and_kept() {
    let server = TestServer::start_with(|c| c.tls = true).await;
    let cert_path = server.data_dir().join("tls/cert.pem");
    let pem = std::fs::read(&cert_path).expect("the certificate is kept in the data directory");
    for host in ["127.0.0.1", "localhost"] {
        let url = format!("wss://{host}:{}/ws", server.addr.port());
        play_a_game_over(&url, trusting(Some(&pem))).await;
    }
    let url = format!("wss://127.0.0.1:{}/ws", server.addr.port());
    let err = Client::connect_tls(&url, trusting(None)).await.err().expect("refused");
    assert!(err.to_string().contains("certificate"), "{err}");
    let plain = Client::connect(&format!("ws://127.0.0.1:{}/ws", server.addr.port())).await;
    assert!(plain.is_err(), "no plain WebSocket on a TLS port");

    let server = server.restart().await;
    assert_eq!(std::fs::read(&cert_path).unwrap(), pem, "the same certificate after a restart");
    let url = format!("wss://127.0.0.1:{}/ws", server.addr.port());
    play_a_game_over(&url, trusting(Some(&pem))).await;
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
    play_a_game_over(&url, trusting(Some(cert.pem().as_bytes()))).await;
}

#[tokio::test]
async fn damaged_files_are_replaced_and_kept_private() {
    let server = TestServer::start_with(|c| c.tls = true).await;
    let dir = server.data_dir().join("tls");
    let (dir_, config) = server.stop().await;
    std::fs::write(dir.join("key.pem"), "").unwrap();
    let mut config = config;
    config.bind = "127.0.0.1:0".parse().unwrap();
    let tls = capital_server::tls::setup(&config, &[]).expect("an empty key is no reason to stop");
    assert!(tls.is_some());
    assert!(!std::fs::read(dir.join("key.pem")).unwrap().is_empty(), "a new key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("key.pem")), 0o600);
    }
    drop(dir_);
}

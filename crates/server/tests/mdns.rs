//! mDNS/DNS-SD: the server answers a query for its `_http._tcp` service. Multicast needs a
//! network that carries it; where this machine's does not, the test says so and skips.

mod common;

use std::net::{Ipv4Addr, UdpSocket};
use std::time::{Duration, Instant};

use common::*;
use mdns_sd::{ServiceDaemon, ServiceEvent};

/// Whether a multicast datagram sent from this machine comes back to it (on any interface).
fn multicast_loops_back() -> Result<(), String> {
    let group = Ipv4Addr::new(239, 255, 77, 77);
    let rx = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).map_err(|e| e.to_string())?;
    let port = rx.local_addr().map_err(|e| e.to_string())?.port();
    rx.join_multicast_v4(&group, &Ipv4Addr::UNSPECIFIED)
        .map_err(|e| format!("cannot join a multicast group: {e}"))?;
    rx.set_read_timeout(Some(Duration::from_millis(500))).map_err(|e| e.to_string())?;
    let tx = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).map_err(|e| e.to_string())?;
    tx.set_multicast_loop_v4(true).map_err(|e| e.to_string())?;
    tx.send_to(b"capital-probe", (group, port))
        .map_err(|e| format!("cannot send to a multicast group (no multicast route?): {e}"))?;
    let mut buf = [0u8; 32];
    match rx.recv_from(&mut buf) {
        Ok((n, _)) if &buf[..n] == b"capital-probe" => Ok(()),
        Ok(_) => Err("an unexpected multicast datagram arrived".into()),
        Err(e) => Err(format!("a multicast datagram sent here did not come back: {e}")),
    }
}

// Multi-threaded: the browse below blocks its thread while the server runs on another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_answers_a_query() {
    if let Err(why) = multicast_loops_back() {
        eprintln!(
            "SKIPPED mdns::the_service_answers_a_query: this machine does not carry multicast ({why})"
        );
        return;
    }
    let name = format!("capital-test-{}", std::process::id());
    let server = TestServer::start_with(|c| {
        c.mdns = true;
        c.mdns_name = name.clone();
    })
    .await;
    let browser = ServiceDaemon::new().expect("an mDNS daemon for the test");
    let events = browser.browse(capital_server::mdns::SERVICE_TYPE).expect("browse");
    let deadline = Instant::now() + Duration::from_secs(10);
    let found = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left.min(Duration::from_millis(500))) {
            Ok(ServiceEvent::ServiceResolved(info))
                if info.get_hostname() == format!("{name}.local.") =>
            {
                break Some(info);
            }
            Ok(_) => {}
            Err(_) if Instant::now() >= deadline => break None,
            Err(_) => {}
        }
    };
    let _ = browser.shutdown();
    let info = found.expect("the server's service was not found over mDNS");
    assert_eq!(info.get_port(), server.addr.port());
    assert_eq!(info.get_property_val_str("path"), Some("/"));
}

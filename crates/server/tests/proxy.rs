//! Behind a load balancer (`trusted_proxies`, PROXY protocol v2): the per-address limits count
//! each client's own address, not the balancer's; a header from anyone else is not believed;
//! and two players play through the balancer meanwhile.

mod common;

use std::net::{IpAddr, SocketAddr};

use common::*;
use ppp::v2::{Builder, Command, Protocol, Version};
use serde_json::json;
use tokio::io::AsyncWriteExt;

const BALANCER: &str = "127.0.0.5";

/// A WebSocket through the "balancer": a connection from 127.0.0.5 that says it is `client`'s.
/// The handshake's HTTP status (101: open).
async fn through_balancer(server: &TestServer, from: &str, client: &str) -> u16 {
    let mut tcp = tcp_from(server.addr, from.parse().unwrap()).await;
    let client: SocketAddr = format!("{client}:40000").parse().unwrap();
    let header = Builder::with_addresses(
        Version::Two | Command::Proxy,
        Protocol::Stream,
        (client, server.addr),
    )
    .build()
    .unwrap();
    tcp.write_all(&header).await.unwrap();
    match tokio_tungstenite::client_async(server.url(), tcp).await {
        Ok((socket, response)) => {
            std::mem::forget(socket); // stays open for the rest of the test
            response.status().as_u16()
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(e) => panic!("handshake: {e}"),
    }
}

#[tokio::test]
async fn a_trusted_balancer_gives_each_client_its_own_address_for_the_limits() {
    let server = TestServer::start_with(|c| {
        c.trusted_proxies = vec![BALANCER.to_owned()];
        c.max_connections_per_ip = 2;
    })
    .await;
    let (a, mut b, code) = two_player_game(&server, "tictactoe", None).await;
    a.play(&code, json!({"cell": 0})).await.unwrap();

    // Two connections of 192.0.2.9 through the balancer; a third is refused, though the
    // balancer itself holds three: the limit is the client's.
    assert_eq!(through_balancer(&server, BALANCER, "192.0.2.9").await, 101);
    assert_eq!(through_balancer(&server, BALANCER, "192.0.2.9").await, 101);
    assert_eq!(through_balancer(&server, BALANCER, "192.0.2.9").await, 503);
    assert_eq!(through_balancer(&server, BALANCER, "192.0.2.10").await, 101, "another client");
    b.play(&code, json!({"cell": 4})).await.unwrap();

    // From an address that is not a trusted balancer, a PROXY header is not read: the
    // connection is not HTTP, and gets nowhere (and counts as its own address).
    let untrusted: IpAddr = "127.0.0.6".parse().unwrap();
    let refused = tokio::time::timeout(WAIT, through_balancer(&server, "127.0.0.6", "192.0.2.11"));
    assert_eq!(refused.await.expect("answered"), 400, "from {untrusted}");
    a.play(&code, json!({"cell": 1})).await.unwrap();
    b.play(&code, json!({"cell": 8})).await.unwrap();
    a.play(&code, json!({"cell": 2})).await.unwrap();
    let over = event_of(&mut b, "game_over").await;
    assert_eq!(room_of(&over).outcome.as_ref().unwrap().winner, Some(0));
}

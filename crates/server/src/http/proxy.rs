//! The PROXY protocol, version 2 (the binary one, HAProxy's `send-proxy-v2`): the header a
//! trusted load balancer sends before anything else on a connection, saying whose connection it
//! is. Only read from the addresses of `trusted_proxies`; parsed by the `ppp` crate.

use std::net::SocketAddr;

use ppp::v2::{Addresses, Command, Header, PROTOCOL_PREFIX};
use tokio::io::{AsyncRead, AsyncReadExt};

/// The most bytes of addresses and extensions a header may carry (HAProxy sends 12 for IPv4,
/// 36 for IPv6, and a few extensions when asked).
const MAX_REST: usize = 1024;

/// Reads the PROXY v2 header at the start of `stream`, from load balancer `proxy`: the client's
/// address (the balancer's own, for its `LOCAL` health checks and for addresses that are not
/// IP). Nothing past the header is read.
pub async fn read_header<S: AsyncRead + Unpin>(
    stream: &mut S,
    proxy: SocketAddr,
) -> std::io::Result<SocketAddr> {
    let bad = |why: String| std::io::Error::new(std::io::ErrorKind::InvalidData, why);
    let mut header = vec![0u8; 16];
    stream.read_exact(&mut header).await?;
    if &header[..PROTOCOL_PREFIX.len()] != PROTOCOL_PREFIX {
        return Err(bad("the connection does not start with a PROXY v2 header".into()));
    }
    let rest = usize::from(u16::from_be_bytes([header[14], header[15]]));
    if rest > MAX_REST {
        return Err(bad(format!("a PROXY header of {rest} bytes")));
    }
    header.resize(16 + rest, 0);
    stream.read_exact(&mut header[16..]).await?;
    let parsed = Header::try_from(header.as_slice()).map_err(|e| bad(e.to_string()))?;
    Ok(match (parsed.command, parsed.addresses) {
        (Command::Proxy, Addresses::IPv4(a)) => SocketAddr::from((a.source_address, a.source_port)),
        (Command::Proxy, Addresses::IPv6(a)) => SocketAddr::from((a.source_address, a.source_port)),
        _ => proxy,
    })
}

#[cfg(test)]
mod tests {
    use ppp::v2::{Builder, Protocol, Version};
    use tokio::io::AsyncWriteExt;

    use super::*;

    const PROXY: &str = "127.0.0.5:40000";

    fn header(command: Command, source: &str) -> Vec<u8> {
        let source: SocketAddr = source.parse().unwrap();
        let destination: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let destination = match source {
            SocketAddr::V4(_) => destination,
            SocketAddr::V6(_) => "[::1]:8080".parse().unwrap(),
        };
        Builder::with_addresses(Version::Two | command, Protocol::Stream, (source, destination))
            .build()
            .unwrap()
    }

    async fn read(bytes: &[u8]) -> (std::io::Result<SocketAddr>, Vec<u8>) {
        let (mut ours, mut theirs) = tokio::io::duplex(4096);
        theirs.write_all(bytes).await.unwrap();
        drop(theirs);
        let got = read_header(&mut ours, PROXY.parse().unwrap()).await;
        let mut after = Vec::new();
        let _ = ours.read_to_end(&mut after).await;
        (got, after)
    }

    #[tokio::test]
    async fn the_clients_address_is_the_headers_and_what_follows_is_left_alone() {
        let mut bytes = header(Command::Proxy, "192.0.2.7:51000");
        bytes.extend_from_slice(b"GET / HTTP/1.1\r\n");
        let (got, after) = read(&bytes).await;
        assert_eq!(got.unwrap(), "192.0.2.7:51000".parse().unwrap());
        assert_eq!(after, b"GET / HTTP/1.1\r\n");
        let (got, _) = read(&header(Command::Proxy, "[2001:db8::9]:443")).await;
        assert_eq!(got.unwrap(), "[2001:db8::9]:443".parse().unwrap());
        // A health check of the balancer's own: its address.
        let (got, _) = read(&header(Command::Local, "192.0.2.7:51000")).await;
        assert_eq!(got.unwrap(), PROXY.parse().unwrap());
    }

    #[tokio::test]
    async fn anything_else_is_refused() {
        let (got, _) = read(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
        assert!(got.is_err(), "plain HTTP from a trusted proxy");
        let (got, _) = read(b"PROXY TCP4 192.0.2.7 127.0.0.1 51000 8080\r\n").await;
        assert!(got.is_err(), "version 1 is not read");
        let mut huge = header(Command::Proxy, "192.0.2.7:51000");
        huge[14..16].copy_from_slice(&60_000u16.to_be_bytes());
        let (got, _) = read(&huge).await;
        assert!(got.is_err(), "a header claiming 60,000 bytes");
        let short = header(Command::Proxy, "192.0.2.7:51000");
        let (got, _) = read(&short[..20]).await;
        assert!(got.is_err(), "cut short");
    }
}

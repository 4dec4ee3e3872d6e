//! What the server prints for people at start: the addresses phones can open, and a QR code of
//! the main one, right in the terminal. This is output for the person at the keyboard, not a
//! log line, so it goes straight to stdout.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};

/// The machine's non-loopback addresses, IPv4 first (what phones on the LAN can reach).
pub fn lan_ips() -> Vec<IpAddr> {
    let mut ips: Vec<IpAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|iface| !iface.is_loopback())
        .map(|iface| iface.ip())
        .filter(|ip| match ip {
            IpAddr::V4(v4) => !v4.is_link_local(),
            IpAddr::V6(v6) => !v6.is_unicast_link_local(),
        })
        .collect();
    ips.sort_by_key(|ip| (ip.is_ipv6(), *ip));
    ips.dedup();
    ips
}

/// The URLs the server answers on: one per LAN address when bound to all interfaces, else the
/// bound address itself.
pub fn urls(bound: SocketAddr, tls: bool, lan: &[IpAddr]) -> Vec<String> {
    let scheme = if tls { "https" } else { "http" };
    let url = |ip: IpAddr| match ip {
        IpAddr::V4(v4) => format!("{scheme}://{v4}:{}/", bound.port()),
        IpAddr::V6(v6) => format!("{scheme}://[{v6}]:{}/", bound.port()),
    };
    if bound.ip().is_unspecified() {
        let lan: Vec<String> =
            lan.iter().filter(|ip| bound.is_ipv6() || ip.is_ipv4()).map(|ip| url(*ip)).collect();
        if lan.is_empty() { vec![url(IpAddr::from([127, 0, 0, 1]))] } else { lan }
    } else {
        vec![url(bound.ip())]
    }
}

/// Prints the URLs, the mDNS name, the certificate's fingerprint, the local CA's with the page
/// that installs it, and a QR code of the main URL.
pub fn print(
    urls: &[String],
    mdns: Option<&str>,
    fingerprint: Option<&str>,
    ca_fingerprint: Option<&str>,
) {
    let out = text(urls, mdns, fingerprint, ca_fingerprint);
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
}

fn text(
    urls: &[String],
    mdns: Option<&str>,
    fingerprint: Option<&str>,
    ca_fingerprint: Option<&str>,
) -> String {
    let mut out = String::new();
    out.push_str("\nCapital is running. Open one of these on a phone on the same network:\n");
    for url in urls {
        out.push_str(&format!("    {url}\n"));
    }
    if let Some(name) = mdns {
        out.push_str(&format!("    {name}  (on phones and computers that resolve .local names)\n"));
    }
    if let Some(fp) = fingerprint {
        out.push_str(&format!("TLS certificate SHA-256 fingerprint:\n    {fp}\n"));
    }
    if let Some(ca) = ca_fingerprint {
        out.push_str(
            "Local CA SHA-256 fingerprint (install the CA once per phone: no warnings after):\n",
        );
        out.push_str(&format!("    {ca}\n"));
        if let Some(main) = urls.first() {
            out.push_str(&format!("    instructions and download: {main}ca\n"));
        }
    }
    if let Some(main) = urls.first()
        && let Ok(code) = qrcode::QrCode::new(main.as_bytes())
    {
        let qr = code
            .render::<qrcode::render::unicode::Dense1x2>()
            .dark_color(qrcode::render::unicode::Dense1x2::Light)
            .light_color(qrcode::render::unicode::Dense1x2::Dark)
            .build();
        out.push_str(&format!("Scan to open {main}\n{qr}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_for_all_interfaces_list_lan_addresses() {
        let lan = vec![IpAddr::from([192, 168, 1, 20]), "fd00::5".parse().unwrap()];
        let bound: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert_eq!(urls(bound, false, &lan), ["http://192.168.1.20:8080/"]);
        let bound6: SocketAddr = "[::]:8443".parse().unwrap();
        assert_eq!(
            urls(bound6, true, &lan),
            ["https://192.168.1.20:8443/", "https://[fd00::5]:8443/"]
        );
        assert_eq!(urls(bound, false, &[]), ["http://127.0.0.1:8080/"]);
        let one: SocketAddr = "10.0.0.7:9000".parse().unwrap();
        assert_eq!(urls(one, false, &lan), ["http://10.0.0.7:9000/"]);
    }

    #[test]
    fn the_local_ca_is_printed_with_its_page() {
        let urls = ["https://192.168.1.20:8443/".to_owned()];
        let out = text(&urls, None, Some("AA:BB"), Some("CC:DD"));
        assert!(out.contains("TLS certificate SHA-256 fingerprint:\n    AA:BB\n"), "{out}");
        assert!(out.contains("Local CA SHA-256 fingerprint"), "{out}");
        assert!(
            out.contains(
                "    CC:DD\n    instructions and download: https://192.168.1.20:8443/ca\n"
            )
        );
        assert!(!text(&urls, None, Some("AA:BB"), None).contains("Local CA"), "not with --cert");
    }
}

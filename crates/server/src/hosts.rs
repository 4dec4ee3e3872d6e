//! Which `Host` names the server answers to: the defence against DNS rebinding.
//!
//! A web page on `evil.example` can make its name resolve to the Pi's address; the student's
//! browser then treats the Pi as `evil.example`, same origin, and the page could talk to the
//! server from inside the classroom network. The browser still sends `Host: evil.example`, so
//! the server answers only requests for names it is: IP literals (a page can only be *at* an
//! address if it came from that address), `localhost`, its mDNS name, the machine's own host
//! name (bare and `.local`), and the configured public names.

/// The names the server answers to.
#[derive(Debug, Clone)]
pub struct Hosts {
    /// Lower case, without a trailing dot.
    names: Vec<String>,
}

impl Hosts {
    /// The server's names: `localhost`, `MDNS.local`, the machine's host name and `public`.
    pub fn new(mdns_name: &str, public: &[String]) -> Self {
        let mut names = vec!["localhost".to_owned(), format!("{mdns_name}.local")];
        let machine = rustix::system::uname().nodename().to_string_lossy().to_ascii_lowercase();
        if !machine.is_empty() {
            let short = machine.split('.').next().unwrap_or_default().to_owned();
            names.push(format!("{short}.local"));
            names.push(short);
            names.push(machine);
        }
        names.extend(public.iter().map(|n| n.trim_end_matches('.').to_owned()));
        for name in &mut names {
            name.make_ascii_lowercase();
        }
        names.sort();
        names.dedup();
        Hosts { names }
    }

    /// Whether a request with this `Host` header (`name`, `name:port`, `1.2.3.4:port`,
    /// `[::1]:port`) is for this server.
    pub fn allows(&self, host: &str) -> bool {
        let name = match host.rsplit_once(':') {
            Some((name, port))
                if !port.is_empty()
                    && port.bytes().all(|b| b.is_ascii_digit())
                    && !name.ends_with(':') =>
            {
                name
            }
            _ => host,
        };
        if let Some(v6) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
            return v6.parse::<std::net::Ipv6Addr>().is_ok();
        }
        if name.parse::<std::net::IpAddr>().is_ok() {
            return true;
        }
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        self.names.contains(&name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_its_own_names_and_addresses() {
        let hosts = Hosts::new("capital", &["games.example.org".to_owned()]);
        for ok in [
            "127.0.0.1:8080",
            "192.168.1.20:8080",
            "10.0.0.5",
            "[::1]:8080",
            "[fd00::5]",
            "localhost:8080",
            "LOCALHOST",
            "capital.local:8080",
            "Capital.Local.",
            "games.example.org",
            "games.example.org:443",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example:8080",
            "evil.example",
            "capital.local.evil.example",
            "localhost.evil.example",
            "example.org",
            "",
            "[not-an-address]:80",
            "127.0.0.1.nip.io:8080",
        ] {
            assert!(!hosts.allows(bad), "{bad}");
        }
    }
}

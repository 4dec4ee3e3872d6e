//! Advertising the server on the local network: `NAME.local` resolves to this machine, and an
//! `_http._tcp` service named "Capital" points at the port (mDNS/DNS-SD, via `mdns-sd`).

use std::net::IpAddr;

use mdns_sd::{ServiceDaemon, ServiceInfo};

/// The DNS-SD service type advertised.
pub const SERVICE_TYPE: &str = "_http._tcp.local.";

/// A running advertisement; stops when dropped.
pub struct Advertisement {
    daemon: ServiceDaemon,
    fullname: String,
}

impl Advertisement {
    /// Advertises `NAME.local` at `ips` and the web service on `port`.
    pub fn start(name: &str, ips: &[IpAddr], port: u16, tls: bool) -> Result<Self, String> {
        let daemon = ServiceDaemon::new().map_err(|e| e.to_string())?;
        let host = format!("{name}.local.");
        let instance = format!("Capital on {name}");
        let properties = [("path", "/"), ("scheme", if tls { "https" } else { "http" })];
        let info = ServiceInfo::new(SERVICE_TYPE, &instance, &host, ips, port, &properties[..])
            .map_err(|e| e.to_string())?;
        let info = if ips.is_empty() { info.enable_addr_auto() } else { info };
        let fullname = info.get_fullname().to_owned();
        daemon.register(info).map_err(|e| e.to_string())?;
        Ok(Advertisement { daemon, fullname })
    }
}

impl Drop for Advertisement {
    fn drop(&mut self) {
        let _ = self.daemon.unregister(&self.fullname);
        let _ = self.daemon.shutdown();
    }
}

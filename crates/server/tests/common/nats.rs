//! A throwaway NATS server for the cluster tests: Debian's `nats-server` on 127.0.0.1, on a
//! free port, killed when dropped; it can be stopped and started again on the same port.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A NATS server of the test's own.
pub struct Nats {
    child: Option<Child>,
    port: u16,
}

impl Nats {
    /// Started on a free port; `None` (after saying why) when nats-server is not installed and
    /// this is not CI.
    pub fn start() -> Option<Nats> {
        let installed = Command::new("nats-server").arg("--version").output().is_ok();
        if !installed {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI needs nats-server for the cluster tests (Debian's nats-server)"
            );
            eprintln!(
                "skipped: no nats-server for the cluster tests; install Debian's nats-server"
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut nats = Nats { child: None, port };
        nats.up();
        Some(nats)
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Kills it (as `kill -9` would).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again, on the same port.
    pub fn up(&mut self) {
        let child = Command::new("nats-server")
            .args(["-a", "127.0.0.1", "-p", &self.port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nats-server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "nats-server did not listen in 10 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Nats {
    fn drop(&mut self) {
        self.kill();
    }
}

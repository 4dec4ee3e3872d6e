//! The real `capital` binary as a child process, killed when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The real `capital` binary, started on 127.0.0.1 port 0 with `data` as its data dir.
pub struct Process {
    child: Child,
    /// Its WebSocket URL.
    pub url: String,
}

impl Process {
    /// Started with `extra` arguments after `serve --bind 127.0.0.1:0 --data DATA`.
    pub fn start(data: &std::path::Path, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_capital"))
            .args(["serve", "--bind", "127.0.0.1:0", "--data"])
            .arg(data)
            .args(extra)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the capital binary");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines.next().expect("the server logs where it listens").unwrap();
            if let Some(rest) = line.split("addr=").nth(1).filter(|_| line.contains("listening")) {
                break rest.split_whitespace().next().unwrap().to_string();
            }
        };
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Process { child, url: format!("ws://{addr}/ws") }
    }

    /// Sends `signal` (`-TERM`, `-KILL`) to it.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// Waits for it to exit, at most `within`.
    pub fn wait(&mut self, within: Duration) -> std::process::ExitStatus {
        let deadline = std::time::Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(std::time::Instant::now() < deadline, "the server did not exit in {within:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Process {
    /// Kills it as `kill -9` does, and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

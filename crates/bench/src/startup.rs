//! Timing a server start: spawn `capital serve` on 127.0.0.1 (a free port) and a data
//! directory, poll `GET /healthz` every 2 ms until it answers 200, read the process's RSS then
//! and a moment later, stop it with SIGTERM. Repeated `--runs` times; the report has every run
//! and the medians.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::Context as _;
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::Instant;

use crate::cli::{StartupArgs, seconds};
use crate::process;
use crate::progress;
use crate::report::{Report, Table};
use crate::stats::median;

/// One start.
#[derive(Debug, Clone, Serialize)]
pub struct StartRun {
    /// Spawn to the first `/healthz` 200, milliseconds.
    pub ready_ms: f64,
    /// RSS at that moment, MiB.
    pub rss_ready_mib: Option<f64>,
    /// RSS after `--settle` seconds more, MiB.
    pub rss_settled_mib: Option<f64>,
}

/// Every start and the medians.
#[derive(Debug, Clone, Serialize)]
pub struct StartupReport {
    /// `"startup"`.
    pub scenario: &'static str,
    /// The binary started.
    pub exe: PathBuf,
    /// The data directory served (`None`: a fresh empty one each run).
    pub data: Option<PathBuf>,
    /// Extra arguments given to `capital serve`.
    pub server_args: Vec<String>,
    /// Median of `ready_ms`.
    pub ready_ms_median: Option<f64>,
    /// Median of `rss_ready_mib`.
    pub rss_ready_mib_median: Option<f64>,
    /// Median of `rss_settled_mib`.
    pub rss_settled_mib_median: Option<f64>,
    /// Each run.
    pub runs: Vec<StartRun>,
}

impl Report for StartupReport {
    fn table(&self) -> Table {
        let data =
            self.data.as_ref().map_or("a new empty directory".into(), |d| d.display().to_string());
        let mut t = Table::new(format!("startup: {} on {data}", self.exe.display()));
        let all = |f: fn(&StartRun) -> Option<f64>| {
            let values: Vec<String> =
                self.runs.iter().map(|r| f(r).map_or("-".into(), |v| format!("{v:.1}"))).collect();
            values.join(" ")
        };
        let med = |v: Option<f64>, unit: &str| v.map_or("-".into(), |v| format!("{v:.1} {unit}"));
        t.row("ready (/healthz 200), median", med(self.ready_ms_median, "ms"))
            .row("  each run, ms", all(|r| Some(r.ready_ms)))
            .row("RSS when ready, median", med(self.rss_ready_mib_median, "MiB"))
            .row("  each run, MiB", all(|r| r.rss_ready_mib))
            .row("RSS settled, median", med(self.rss_settled_mib_median, "MiB"))
            .row("  each run, MiB", all(|r| r.rss_settled_mib));
        t
    }
}

/// Starts the server `args.runs` times.
pub async fn run(args: &StartupArgs, quiet: bool) -> anyhow::Result<StartupReport> {
    let mut runs = Vec::new();
    for i in 0..args.runs {
        let fresh = args.data.is_none().then(|| {
            std::env::temp_dir().join(format!("capital-bench-startup-{}-{i}", std::process::id()))
        });
        let data = args.data.clone().or_else(|| fresh.clone()).expect("one of the two is set");
        let result = start_once(args, &data).await;
        if let Some(dir) = fresh {
            let _ = std::fs::remove_dir_all(dir);
        }
        let run = result?;
        progress::note(quiet, &format!("run {}: ready in {:.1} ms", i + 1, run.ready_ms));
        runs.push(run);
    }
    let pick =
        |f: fn(&StartRun) -> Option<f64>| median(&runs.iter().filter_map(f).collect::<Vec<_>>());
    Ok(StartupReport {
        scenario: "startup",
        exe: args.exe.clone(),
        data: args.data.clone(),
        server_args: args.server_args.clone(),
        ready_ms_median: pick(|r| Some(r.ready_ms)),
        rss_ready_mib_median: pick(|r| r.rss_ready_mib),
        rss_settled_mib_median: pick(|r| r.rss_settled_mib),
        runs,
    })
}

async fn start_once(args: &StartupArgs, data: &std::path::Path) -> anyhow::Result<StartRun> {
    let addr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").context("find a free port")?;
        probe.local_addr()?
    };
    let started = Instant::now();
    let child = Command::new(&args.exe)
        .arg("serve")
        .args(["--bind", &addr.to_string(), "--mdns", "false", "--data"])
        .arg(data)
        .args(&args.server_args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("start {}", args.exe.display()))?;
    let mut server = Server(child);
    let deadline = started + seconds(args.timeout);
    loop {
        if let Some(status) = server.0.try_wait()? {
            anyhow::bail!("the server exited before it was ready: {status}");
        }
        if healthz(addr).await == Some(200) {
            break;
        }
        anyhow::ensure!(Instant::now() < deadline, "no /healthz 200 within {} s", args.timeout);
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let ready = started.elapsed();
    let pid = server.0.id();
    let rss_ready = process::sample(pid).ok().map(|s| s.rss_mib());
    tokio::time::sleep(seconds(args.settle)).await;
    let rss_settled = process::sample(pid).ok().map(|s| s.rss_mib());
    server.stop();
    Ok(StartRun {
        ready_ms: ready.as_secs_f64() * 1000.0,
        rss_ready_mib: rss_ready,
        rss_settled_mib: rss_settled,
    })
}

/// The server process; stopped with SIGTERM (then SIGKILL after 10 s) when dropped.
struct Server(Child);

impl Server {
    fn stop(&mut self) {
        if matches!(self.0.try_wait(), Ok(Some(_))) {
            return;
        }
        let pid = self.0.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        for _ in 0..1000 {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The status of `GET /healthz`, or `None` if nothing answered.
async fn healthz(addr: std::net::SocketAddr) -> Option<u16> {
    let ask = async {
        let mut tcp = tokio::net::TcpStream::connect(addr).await.ok()?;
        let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        tcp.write_all(request.as_bytes()).await.ok()?;
        let mut response = Vec::new();
        tcp.read_to_end(&mut response).await.ok()?;
        status(&response)
    };
    tokio::time::timeout(Duration::from_secs(1), ask).await.ok().flatten()
}

/// The status code of an HTTP/1.x response.
pub fn status(response: &[u8]) -> Option<u16> {
    let line = response.split(|b| *b == b'\r').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut words = line.split(' ');
    words.next().filter(|v| v.starts_with("HTTP/1."))?;
    words.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        assert_eq!(status(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"), Some(200));
        assert_eq!(status(b"HTTP/1.1 503 Service Unavailable\r\n\r\n"), Some(503));
        assert_eq!(status(b""), None);
        assert_eq!(status(b"SSH-2.0-OpenSSH\r\n"), None);
    }
}

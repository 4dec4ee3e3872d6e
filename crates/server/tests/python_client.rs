//! The example Python client (`examples/python/capital_client.py`) against a real server: one
//! copy creates a room, another joins it with the code, and they play tic-tac-toe to the end.
//!
//! Needs `python3` (3.11+) with `websockets>=13`. Without them the test is skipped with a
//! message on stderr, except when the `CI` environment variable is set: then it fails, so CI
//! never passes by silently not running it.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::Duration;

use common::*;
use tokio::sync::mpsc;

/// How long the two clients get to play a whole game (they need well under a second).
const GAME_TIMEOUT: Duration = Duration::from_secs(30);

/// How often a finished client's exit status is checked for.
const EXIT_POLL: Duration = Duration::from_millis(20);

#[tokio::test]
async fn two_python_clients_play_tictactoe_to_the_end() {
    if let Err(why) = python_ready() {
        let help = "install Python 3.11+ and run `pip install -r examples/python/requirements.txt`";
        if std::env::var_os("CI").is_some() {
            panic!("the Python client test cannot run, and CI is set: {why}; {help}");
        }
        eprintln!("SKIPPED two_python_clients_play_tictactoe_to_the_end: {why}; {help}");
        return;
    }
    let server = TestServer::start().await;
    let url = server.url();

    let mut host =
        PyClient::spawn("host", &["--url", &url, "--name", "PyHost", "--create", "tictactoe"]);
    let code = tokio::time::timeout(WAIT, host.line_starting("CODE "))
        .await
        .unwrap_or_else(|_| host.fail("printed no CODE line in time"))
        .unwrap_or_else(|| host.fail("ended without printing a CODE line"));
    let mut guest =
        PyClient::spawn("guest", &["--url", &url, "--name", "PyGuest", "--join", &code]);

    let finished =
        tokio::time::timeout(GAME_TIMEOUT, async { tokio::join!(host.finish(), guest.finish()) })
            .await;
    let (host_status, guest_status) = match finished {
        Ok(statuses) => statuses,
        Err(_) => panic!(
            "the clients did not finish within {GAME_TIMEOUT:?}\n{}\n{}",
            host.report(),
            guest.report()
        ),
    };
    host.assert_success(host_status);
    guest.assert_success(guest_status);

    let (host_result, guest_result) = (host.result(), guest.result());
    let results = (host_result.as_deref(), guest_result.as_deref());
    let expected = [("win", "loss"), ("loss", "win"), ("draw", "draw")];
    if !expected.iter().any(|(h, g)| results == (Some(*h), Some(*g))) {
        panic!(
            "the results do not match up: host {host_result:?}, guest {guest_result:?}\n{}\n{}",
            host.report(),
            guest.report()
        );
    }
    server.stop().await;
}

/// The client script, found from this crate's directory.
fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/python/capital_client.py")
}

/// `Ok` when `python3` can run the client here; otherwise what is missing.
fn python_ready() -> Result<(), String> {
    let check = "import sys; import websockets.asyncio.client; \
                 sys.exit(0 if sys.version_info >= (3, 11) else 'Python is older than 3.11')";
    match Command::new("python3").args(["-c", check]).output() {
        Err(e) => Err(format!("cannot run python3 ({e})")),
        Ok(out) if !out.status.success() => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
            Err(format!("python3 cannot run the client (is `websockets>=13` installed?): {last}"))
        }
        Ok(_) => Ok(()),
    }
}

/// One running copy of the Python client, with its output collected.
struct PyClient {
    name: &'static str,
    /// The process; killed on drop if still running (a failed test leaves nothing behind).
    child: Child,
    /// Lines of stdout, sent by a reader thread; closed when the process closes stdout.
    lines: mpsc::UnboundedReceiver<String>,
    /// Every stdout line read so far.
    stdout: Vec<String>,
    /// The thread collecting stderr; its result is the whole of stderr.
    stderr: Option<JoinHandle<String>>,
}

impl PyClient {
    fn spawn(name: &'static str, args: &[&str]) -> Self {
        let mut child = Command::new("python3")
            .arg(script())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the {name} client: {e}"));
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, lines) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        PyClient { name, child, lines, stdout: Vec::new(), stderr: Some(stderr) }
    }

    /// Reads stdout up to the first line that starts with `prefix`; returns the rest of that
    /// line, or `None` if stdout ended first.
    async fn line_starting(&mut self, prefix: &str) -> Option<String> {
        while let Some(line) = self.lines.recv().await {
            let rest = line.strip_prefix(prefix).map(|rest| rest.trim().to_owned());
            self.stdout.push(line);
            if rest.is_some() {
                return rest;
            }
        }
        None
    }

    /// Reads the rest of stdout, then waits for the process to exit.
    async fn finish(&mut self) -> ExitStatus {
        while let Some(line) = self.lines.recv().await {
            self.stdout.push(line);
        }
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return status,
                Ok(None) => tokio::time::sleep(EXIT_POLL).await,
                Err(e) => panic!("cannot wait for the {} client: {e}", self.name),
            }
        }
    }

    /// What the client printed on its `RESULT` line.
    fn result(&self) -> Option<String> {
        let line = self.stdout.iter().find_map(|line| line.strip_prefix("RESULT "));
        line.map(|result| result.trim().to_owned())
    }

    /// Everything the client printed, for failure messages. Kills it first if still running.
    fn report(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let stderr = self.stderr.take().and_then(|t| t.join().ok()).unwrap_or_default();
        format!(
            "--- {} stdout ---\n{}\n--- {} stderr ---\n{}",
            self.name,
            self.stdout.join("\n"),
            self.name,
            stderr.trim_end()
        )
    }

    fn assert_success(&mut self, status: ExitStatus) {
        if !status.success() {
            self.fail(&format!("exited with {status}"));
        }
    }

    fn fail(&mut self, what: &str) -> ! {
        let report = self.report();
        panic!("the {} client {what}\n{report}", self.name)
    }
}

impl Drop for PyClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

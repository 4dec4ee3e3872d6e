//! The Python examples (`examples/python/`) against this repository: two copies of the client
//! (`capital_client.py`) play tic-tac-toe to the end on a real server; the Python HPKE of
//! encrypted direct messages (`capital_e2e.py`) passes its vector test (`test_capital_e2e.py`:
//! RFC 9180's vector and Capital's own, the same files `capital-e2e` is tested against); and the
//! Python client and the Rust one exchange encrypted direct messages through a real server, each
//! opening what the other sealed.
//!
//! Needs `python3` (3.11+) with `websockets>=13` and `cryptography>=42`. Without them each test
//! is skipped with a message on stderr, except when the `CI` environment variable is set: then
//! it fails, so CI never passes by silently not running it.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::Duration;

use capital_client::e2e::DeviceKey;
use capital_client::e2e::dm::{device_id, unb64u};
use capital_client::{Client, open_message};
use capital_protocol::{DirectMessage, ServerMsg};
use common::*;
use tokio::sync::mpsc;

/// How long the two clients get to play a whole game (they need well under a second).
const GAME_TIMEOUT: Duration = Duration::from_secs(30);

/// How often a finished client's exit status is checked for.
const EXIT_POLL: Duration = Duration::from_millis(20);

#[tokio::test]
async fn two_python_clients_play_tictactoe_to_the_end() {
    if !python_ready_or_skip("two_python_clients_play_tictactoe_to_the_end") {
        return;
    }
    let server = TestServer::start().await;
    let url = server.url();

    let mut host =
        PyClient::spawn("host", &["--url", &url, "--name", "PyHost", "--create", "tictactoe"]);
    let code = host.line("CODE ").await;
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

#[tokio::test]
async fn the_python_client_and_the_rust_client_exchange_encrypted_dms() {
    if !python_ready_or_skip("the_python_client_and_the_rust_client_exchange_encrypted_dms") {
        return;
    }
    let server = TestServer::start().await;
    let url = server.url();
    let texts = ["hi Py, nim at lunch?", "ja! 🎲 Über 4 Runden — d'accord"];
    let count = texts.len().to_string();
    let mut echo = PyClient::spawn(
        "echo",
        &["--url", &url, "--name", "PyEcho", "--dm-echo", "--count", &count],
    );
    let py_device = echo.line("DEVICE ").await;
    let py = echo.line("PLAYER ").await;

    let (mut ana, welcome) = server.player("Ana").await;
    let key = DeviceKey::generate();
    let ana_device = ana.publish_key(&key).await.unwrap();
    // The server lists the key the Python client published, under the id Python computed.
    let keys = ana.keys_of(&py).await.unwrap();
    assert_eq!(keys.iter().map(|k| k.device.as_str()).collect::<Vec<_>>(), [py_device.as_str()]);
    assert_eq!(device_id(&unb64u(&keys[0].key).unwrap()), py_device);

    let pins = capital_client::Pins::new();
    for (i, text) in texts.iter().enumerate() {
        let id = format!("ana-{i}");
        ana.dm_sealed(&welcome.player_id, &key, &pins, &py, text, &id).await.unwrap();
        // Python opened the copy Rust sealed for it.
        let got = echo.line("GOT ").await;
        assert_eq!(got, *text, "what Python read\n{}", echo.report());
        // The server took Python's envelope, which carries no text, as a message.
        let sent = echo.line("SENT ").await;
        let reply = next_dm(&mut ana, &mut echo).await;
        assert_eq!(sent, format!("dm_sent {}", reply.seq), "Python's answer to its dm");
        assert_eq!(
            (reply.from.as_str(), reply.to.as_str()),
            (py.as_str(), welcome.player_id.as_str())
        );
        assert!(reply.text.is_empty(), "the server saw no text: {reply:?}");
        let sealed = reply.sealed.as_ref().expect("Python's answer is sealed");
        let mut devices: Vec<&str> = sealed.copies.iter().map(|c| c.device.as_str()).collect();
        devices.sort_unstable();
        let mut expected = [ana_device.as_str(), py_device.as_str()];
        expected.sort_unstable();
        assert_eq!(devices, expected, "a copy for Ana's device and for Python's own");
        assert_eq!(sealed.from_key, keys[0].key, "sealed by the device Python published");
        // And Rust opens the copy Python sealed for it.
        assert_eq!(open_message(&key, &reply).unwrap(), format!("echo: {text}"));
    }

    let status = tokio::time::timeout(WAIT, echo.finish())
        .await
        .unwrap_or_else(|_| echo.fail("did not exit after its messages"));
    echo.assert_success(status);
    assert_eq!(echo.result().as_deref(), Some(format!("echoed {count}").as_str()));
    server.stop().await;
}

/// The next direct message pushed to `client`, skipping receipts and presence.
async fn next_dm(client: &mut Client, python: &mut PyClient) -> DirectMessage {
    loop {
        match client.next_push(WAIT).await {
            Ok(ServerMsg::Dm { message }) => return message,
            Ok(ServerMsg::DmReceipt { .. } | ServerMsg::Presence { .. }) => {}
            Ok(other) => python.fail(&format!("answered, and Rust got {other:?} instead of a dm")),
            Err(e) => python.fail(&format!("answered, and Rust got no dm: {e}")),
        }
    }
}

#[test]
fn the_python_hpke_opens_and_reproduces_the_vectors() {
    if !python_ready_or_skip("the_python_hpke_opens_and_reproduces_the_vectors") {
        return;
    }
    let out = Command::new("python3")
        .args(["-m", "unittest", "-v", "test_capital_e2e"])
        .current_dir(examples_dir())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .output()
        .expect("python3 runs");
    // unittest reports on stderr; "Ran 0 tests" would be a pass that checked nothing.
    let report = String::from_utf8_lossy(&out.stderr);
    let ran = report.lines().find_map(|l| l.strip_prefix("Ran ")?.split(' ').next()?.parse().ok());
    if !out.status.success() || ran.unwrap_or(0) == 0 {
        panic!(
            "the Python vector test failed ({}, ran {ran:?} tests)\n{}\n{report}",
            out.status,
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// `examples/python/`, found from this crate's directory.
fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/python")
}

/// The client script.
fn script() -> PathBuf {
    examples_dir().join("capital_client.py")
}

/// True when `python3` can run the examples here. Otherwise false after saying why on stderr,
/// or a panic when the `CI` environment variable is set.
fn python_ready_or_skip(test: &str) -> bool {
    let Err(why) = python_ready() else { return true };
    let help = "install Python 3.11+ and run `pip install -r examples/python/requirements.txt`";
    if std::env::var_os("CI").is_some() {
        panic!("{test} cannot run, and CI is set: {why}; {help}");
    }
    eprintln!("SKIPPED {test}: {why}; {help}");
    false
}

/// `Ok` when `python3` can run the examples here; otherwise what is missing.
fn python_ready() -> Result<(), String> {
    let check = [
        "import sys",
        "if sys.version_info < (3, 11): sys.exit('Python is older than 3.11')",
        "import websockets.asyncio.client, cryptography",
        "if int(cryptography.__version__.split('.')[0]) < 42: sys.exit('cryptography is too old')",
    ]
    .join("\n");
    match Command::new("python3").args(["-c", &check]).output() {
        Err(e) => Err(format!("cannot run python3 ({e})")),
        Ok(out) if !out.status.success() => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
            Err(format!(
                "python3 cannot run the examples (are `websockets>=13` and `cryptography>=42` \
                 installed?): {last}"
            ))
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
            .env("PYTHONIOENCODING", "utf-8")
            .env("PYTHONDONTWRITEBYTECODE", "1")
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

    /// The rest of the first line that starts with `prefix`, within [`WAIT`]; a failure (with
    /// everything the client printed) if there is none.
    async fn line(&mut self, prefix: &str) -> String {
        tokio::time::timeout(WAIT, self.line_starting(prefix))
            .await
            .unwrap_or_else(|_| self.fail(&format!("printed no `{prefix}` line in time")))
            .unwrap_or_else(|| self.fail(&format!("ended without printing a `{prefix}` line")))
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

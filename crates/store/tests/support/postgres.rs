//! A throwaway PostgreSQL for tests: a new cluster in a temporary directory, listening on a free
//! port of 127.0.0.1 only, started once per test binary and stopped (its directory removed)
//! when the test process ends, however it ends: the server's keeper waits for its standard
//! input to close.
//!
//! It takes plain and TLS connections: its certificate (for 127.0.0.1 and localhost) is
//! issued by a certificate authority made for the run, [`Postgres::ca_pem`].
//!
//! The binaries are Debian's (`/usr/lib/postgresql/N/bin`, the newest N), or those in
//! `CAPITAL_PG_BIN`. As root (CI), the cluster runs as the `postgres` user, since PostgreSQL
//! refuses to run as root. Without PostgreSQL, [`Postgres::get`] says why and the caller skips,
//! except in CI (`CI` set), where that is a failure.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// A running cluster.
pub struct Postgres {
    bin: PathBuf,
    port: u16,
    ca_pem: String,
    /// The keeper (holding it keeps the server running).
    _keeper: Child,
    _stdin: ChildStdin,
}

static SHARED: OnceLock<Option<Postgres>> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(0);

/// The keeper: makes the cluster, runs the server, and when its input closes stops the server
/// and removes the directory. Prints the port's readiness as one line.
const KEEPER: &str = r#"
set -e
dir=$(mktemp -d /tmp/capital-pg.XXXXXX)
umask 077
printf '%s' "$PG_CERT" >"$dir/server.crt"
printf '%s' "$PG_KEY" >"$dir/server.key"
"$PG_BIN/initdb" -D "$dir/data" -U capital --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1
"$PG_BIN/postgres" -D "$dir/data" -c listen_addresses=127.0.0.1 -p "$PG_PORT" -k "$dir" \
    -c max_connections=300 -c shared_buffers=32MB -c ssl=on \
    -c ssl_cert_file="$dir/server.crt" -c ssl_key_file="$dir/server.key" >"$dir/log" 2>&1 &
pid=$!
echo "started $dir"
cat >/dev/null || true
kill -INT "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
rm -rf "$dir"
"#;

impl Postgres {
    /// The cluster this test binary shares, started on first use; `None` (after saying why)
    /// when PostgreSQL is not installed and this is not CI.
    pub fn get() -> Option<&'static Postgres> {
        SHARED
            .get_or_init(|| match Self::start() {
                Ok(pg) => Some(pg),
                Err(why) if std::env::var_os("CI").is_none() => {
                    eprintln!(
                        "skipped: no PostgreSQL for the tests ({why}); install Debian's postgresql"
                    );
                    None
                }
                Err(why) => panic!("CI needs PostgreSQL for the tests: {why}"),
            })
            .as_ref()
    }

    fn start() -> Result<Postgres, String> {
        let bin = find_bin().ok_or("no initdb in CAPITAL_PG_BIN or /usr/lib/postgresql/*/bin")?;
        let port = free_port();
        let mut command = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", "sh", "-c", KEEPER]);
            c
        } else {
            let mut c = Command::new("sh");
            c.args(["-c", KEEPER]);
            c
        };
        let (ca_pem, cert_pem, key_pem) = certificates();
        command
            .env("PG_CERT", cert_pem)
            .env("PG_KEY", key_pem)
            .env("PG_BIN", &bin)
            .env("PG_PORT", port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut keeper = command.spawn().map_err(|e| format!("cannot start PostgreSQL: {e}"))?;
        let stdin = keeper.stdin.take().expect("piped");
        let mut line = String::new();
        BufReader::new(keeper.stdout.take().expect("piped"))
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        if !line.starts_with("started") {
            return Err(format!("initdb failed (keeper said {line:?})"));
        }
        let pg = Postgres { bin, port, ca_pem, _keeper: keeper, _stdin: stdin };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !pg.ready() {
            if Instant::now() > deadline {
                return Err(format!("PostgreSQL did not start on port {port} ({})", line.trim()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(pg)
    }

    fn ready(&self) -> bool {
        Command::new(self.bin.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "capital"])
            .status()
            .is_ok_and(|s| s.success())
    }

    /// The certificate (PEM) of the authority that issued the server's.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A new, empty database; its URL.
    pub fn database(&self) -> String {
        let name = format!("t{}_{}", std::process::id(), NEXT_DB.fetch_add(1, Ordering::Relaxed));
        let status = Command::new(self.bin.join("createdb"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "capital", &name])
            .status()
            .expect("run createdb");
        assert!(status.success(), "createdb {name} failed");
        format!("postgres://capital@127.0.0.1:{}/{name}", self.port)
    }
}

impl Postgres {
    /// Runs `sql` in the database of `url` (a URL [`Postgres::database`] gave) with psql.
    pub fn psql(&self, url: &str, sql: &str) {
        let status = Command::new(self.bin.join("psql"))
            .args(["-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
            .stdout(Stdio::null())
            .status()
            .expect("run psql");
        assert!(status.success(), "psql failed: {sql}");
    }

    /// The one value `sql` selects in the database of `url`, as psql prints it.
    pub fn psql_value(&self, url: &str, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args(["-tA", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
            .output()
            .expect("run psql");
        assert!(out.status.success(), "psql failed: {sql}");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

/// A certificate authority (PEM), and a certificate it issued for 127.0.0.1 and localhost with
/// its key (PEM).
fn certificates() -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, SanType};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(rcgen::DnType::CommonName, "Capital test database CA");
    let ca_pem = ca.self_signed(&ca_key).unwrap().pem();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut server = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    server.subject_alt_names.push(SanType::IpAddress([127, 0, 0, 1].into()));
    let cert_pem = server.signed_by(&key, &issuer).unwrap().pem();
    (ca_pem, cert_pem, key.serialize_pem())
}

/// A certificate authority of its own (PEM), which issued nothing the cluster uses.
pub fn other_ca_pem() -> String {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.self_signed(&key).unwrap().pem()
}

fn find_bin() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CAPITAL_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

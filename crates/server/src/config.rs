//! Server settings. Each comes, in this order of precedence, from a command-line flag, a
//! `CAPITAL_*` environment variable, the TOML config file (`--config`), or its default.
//! `capital config` prints the settings in effect and where each came from.
//! docs/configuration.md lists them all; `config.example.toml` is a complete example file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::ArgMatches;
use clap::parser::ValueSource;
use serde::Deserialize;

/// Everything the server can be told at start.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// TOML file with settings (flags and environment variables override it).
    #[arg(long, env = "CAPITAL_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Address and port to listen on.
    #[arg(long, env = "CAPITAL_BIND", default_value = "0.0.0.0:8080")]
    pub bind: SocketAddr,

    /// Directory for the database and the generated TLS certificate (created if missing).
    #[arg(long, env = "CAPITAL_DATA", default_value = "./capital-data")]
    pub data: PathBuf,

    /// Seconds a dropped player's seat is held before they leave the room.
    #[arg(long, env = "CAPITAL_GRACE_SECONDS", default_value_t = 120,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub grace_seconds: u64,

    /// Seconds a room stays open with no request from any member (it then closes; it also
    /// closes when its last member leaves).
    #[arg(long, env = "CAPITAL_ROOM_IDLE_SECONDS", default_value_t = 1800,
          value_parser = clap::value_parser!(u64).range(1..=604_800))]
    pub room_idle_seconds: u64,

    /// Longest chat message, in characters.
    #[arg(long, env = "CAPITAL_MAX_CHAT_CHARS", default_value_t = 500,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_chat_chars: u32,

    /// Longest direct message, in characters.
    #[arg(long, env = "CAPITAL_MAX_DM_CHARS", default_value_t = 2000,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_dm_chars: u32,

    /// Largest WebSocket message a client may send, in bytes; a bigger one closes the
    /// connection with code 1009.
    #[arg(long, env = "CAPITAL_MAX_MESSAGE_BYTES", default_value_t = 65_536,
          value_parser = clap::value_parser!(u32).range(1024..=16_777_216))]
    pub max_message_bytes: u32,

    /// Requests per second a connection may send on average (token bucket refill rate).
    #[arg(long, env = "CAPITAL_RATE_PER_SECOND", default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub rate_per_second: u32,

    /// Requests a connection may send in a burst above the average (token bucket size).
    #[arg(long, env = "CAPITAL_RATE_BURST", default_value_t = 60,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub rate_burst: u32,

    /// WebSocket connections allowed from one IP address at once.
    #[arg(long, env = "CAPITAL_MAX_CONNECTIONS_PER_IP", default_value_t = 64,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections_per_ip: u32,

    /// Open rooms one player may have created at once.
    #[arg(long, env = "CAPITAL_MAX_ROOMS_PER_PLAYER", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_rooms_per_player: u32,

    /// Login and register attempts allowed per minute from one IP address, and for one
    /// username.
    #[arg(long, env = "CAPITAL_LOGIN_ATTEMPTS_PER_MINUTE", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub login_attempts_per_minute: u32,

    /// Seconds a login session token stays valid.
    #[arg(long, env = "CAPITAL_SESSION_SECONDS", default_value_t = 2_592_000,
          value_parser = clap::value_parser!(u64).range(1..=31_536_000))]
    pub session_seconds: u64,

    /// Seconds of silence after which a connection counts as dead (its seats enter the grace
    /// period). The server pings a quiet connection halfway through.
    #[arg(long, env = "CAPITAL_KEEPALIVE_SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(2..=3600))]
    pub keepalive_seconds: u64,

    /// Seconds a new connection has to finish its TLS handshake, and then to send its HTTP
    /// request headers (slow or stalled handshakes are cut off).
    #[arg(long, env = "CAPITAL_HANDSHAKE_SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub handshake_seconds: u64,

    /// Seconds a new WebSocket has to send `hello` (or `login`).
    #[arg(long, env = "CAPITAL_HELLO_SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub hello_seconds: u64,

    /// Other origins (e.g. `https://games.example.org`) whose pages may open WebSockets here.
    /// Same-origin pages and non-browser clients (no Origin header) are always allowed.
    #[arg(
        long = "allowed-origin",
        env = "CAPITAL_ALLOWED_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGIN"
    )]
    pub allowed_origins: Vec<String>,

    /// Serve HTTPS and WSS. Without --cert/--key, with a certificate from a local certificate
    /// authority made on first start and kept in the data directory; phones install the CA
    /// once (from /ca) and then see no warning.
    #[arg(long, env = "CAPITAL_TLS", default_value_t = false, action = clap::ArgAction::Set,
          num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
    pub tls: bool,

    /// TLS certificate chain, PEM (e.g. Let's Encrypt's fullchain.pem). Implies --tls.
    #[arg(long, env = "CAPITAL_CERT", value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,

    /// TLS private key, PEM. Implies --tls.
    #[arg(long, env = "CAPITAL_KEY", value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,

    /// Advertise the server on the local network with mDNS/DNS-SD.
    #[arg(long, env = "CAPITAL_MDNS", default_value_t = true, action = clap::ArgAction::Set,
          value_name = "BOOL")]
    pub mdns: bool,

    /// The mDNS host name: phones can open http://NAME.local:PORT/.
    #[arg(long, env = "CAPITAL_MDNS_NAME", default_value = "capital", value_name = "NAME")]
    pub mdns_name: String,

    /// Log filter, e.g. `info`, `debug`, `capital_server=debug,info` (RUST_LOG applies when
    /// this is left at its default).
    #[arg(long, env = "CAPITAL_LOG", default_value = "info", value_name = "FILTER")]
    pub log: String,
}

/// A setting that could not be used, named for the operator.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: {problem}")]
pub struct ConfigError {
    /// The setting (as in the config file).
    pub setting: String,
    /// What is wrong with it.
    pub problem: String,
}

impl ConfigError {
    fn new(setting: &str, problem: impl Into<String>) -> Self {
        ConfigError { setting: setting.to_owned(), problem: problem.into() }
    }
}

/// The config file: the same settings, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<SocketAddr>,
    data: Option<PathBuf>,
    grace_seconds: Option<u64>,
    room_idle_seconds: Option<u64>,
    max_chat_chars: Option<u32>,
    max_dm_chars: Option<u32>,
    max_message_bytes: Option<u32>,
    rate_per_second: Option<u32>,
    rate_burst: Option<u32>,
    max_connections_per_ip: Option<u32>,
    max_rooms_per_player: Option<u32>,
    login_attempts_per_minute: Option<u32>,
    session_seconds: Option<u64>,
    keepalive_seconds: Option<u64>,
    handshake_seconds: Option<u64>,
    hello_seconds: Option<u64>,
    allowed_origins: Option<Vec<String>>,
    tls: Option<bool>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    mdns: Option<bool>,
    mdns_name: Option<String>,
    log: Option<String>,
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag,
    /// A `CAPITAL_*` environment variable.
    Env,
    /// The config file.
    File,
    /// The default.
    Default,
}

/// Each setting's name and where its value came from.
pub type Sources = Vec<(&'static str, Source)>;

impl Config {
    /// Defaults, listening on `bind` with data in `data`, no TLS, no mDNS: what tests start from.
    pub fn new(bind: SocketAddr, data: PathBuf) -> Self {
        Config {
            config: None,
            bind,
            data,
            grace_seconds: 120,
            room_idle_seconds: 1800,
            max_chat_chars: 500,
            max_dm_chars: 2000,
            max_message_bytes: 65_536,
            rate_per_second: 20,
            rate_burst: 60,
            max_connections_per_ip: 64,
            max_rooms_per_player: 5,
            login_attempts_per_minute: 10,
            session_seconds: 2_592_000,
            keepalive_seconds: 30,
            handshake_seconds: 10,
            hello_seconds: 10,
            allowed_origins: Vec::new(),
            tls: false,
            cert: None,
            key: None,
            mdns: false,
            mdns_name: "capital".into(),
            log: "info".into(),
        }
    }

    /// Completes settings parsed from the command line (`matches`) with the config file's, for
    /// every setting that neither a flag nor an environment variable gave. Returns where each
    /// setting came from, and checks them all.
    pub fn resolve(&mut self, matches: &ArgMatches) -> Result<Sources, ConfigError> {
        let file = match &self.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let mut sources = Vec::new();
        macro_rules! layer {
            ($($field:ident),*) => {$(
                let source = match matches.value_source(stringify!($field)) {
                    Some(ValueSource::CommandLine) => Source::Flag,
                    Some(ValueSource::EnvVariable) => Source::Env,
                    _ => match file.$field {
                        Some(value) => {
                            self.$field = layer!(@wrap $field value);
                            Source::File
                        }
                        None => Source::Default,
                    },
                };
                sources.push((stringify!($field), source));
            )*};
            (@wrap cert $v:expr) => { Some($v) };
            (@wrap key $v:expr) => { Some($v) };
            (@wrap $f:ident $v:expr) => { $v };
        }
        layer!(
            bind,
            data,
            grace_seconds,
            room_idle_seconds,
            max_chat_chars,
            max_dm_chars,
            max_message_bytes,
            rate_per_second,
            rate_burst,
            max_connections_per_ip,
            max_rooms_per_player,
            login_attempts_per_minute,
            session_seconds,
            keepalive_seconds,
            handshake_seconds,
            hello_seconds,
            allowed_origins,
            tls,
            cert,
            key,
            mdns,
            mdns_name,
            log
        );
        self.validate()?;
        Ok(sources)
    }

    /// Checks every setting, whatever its source.
    pub fn validate(&self) -> Result<(), ConfigError> {
        range("grace_seconds", self.grace_seconds, 1, 86_400)?;
        range("room_idle_seconds", self.room_idle_seconds, 1, 604_800)?;
        range("max_chat_chars", u64::from(self.max_chat_chars), 1, 10_000)?;
        range("max_dm_chars", u64::from(self.max_dm_chars), 1, 10_000)?;
        range("max_message_bytes", u64::from(self.max_message_bytes), 1024, 16_777_216)?;
        range("rate_per_second", u64::from(self.rate_per_second), 1, 100_000)?;
        range("rate_burst", u64::from(self.rate_burst), 1, 100_000)?;
        range("max_connections_per_ip", u64::from(self.max_connections_per_ip), 1, 1_000_000)?;
        range("max_rooms_per_player", u64::from(self.max_rooms_per_player), 1, 10_000)?;
        range("login_attempts_per_minute", u64::from(self.login_attempts_per_minute), 1, 10_000)?;
        range("session_seconds", self.session_seconds, 1, 31_536_000)?;
        range("keepalive_seconds", self.keepalive_seconds, 2, 3600)?;
        range("hello_seconds", self.hello_seconds, 1, 3600)?;
        range("handshake_seconds", self.handshake_seconds, 1, 300)?;
        for origin in &self.allowed_origins {
            if !(origin.starts_with("http://") || origin.starts_with("https://"))
                || origin
                    .split("://")
                    .nth(1)
                    .is_none_or(|rest| rest.is_empty() || rest.contains('/'))
            {
                return Err(ConfigError::new(
                    "allowed_origins",
                    format!("{origin:?} is not an origin like https://example.org"),
                ));
            }
        }
        if self.cert.is_some() != self.key.is_some() {
            let (given, missing) =
                if self.cert.is_some() { ("cert", "key") } else { ("key", "cert") };
            return Err(ConfigError::new(
                missing,
                format!("{given} is set, so {missing} is needed too"),
            ));
        }
        let name = &self.mdns_name;
        let valid_label = !name.is_empty()
            && name.len() <= 63
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !name.starts_with('-')
            && !name.ends_with('-');
        if !valid_label {
            return Err(ConfigError::new(
                "mdns_name",
                format!(
                    "{name:?} is not a host name (letters, digits and inner hyphens, at most 63)"
                ),
            ));
        }
        tracing_subscriber::EnvFilter::try_new(&self.log).map_err(|e| {
            ConfigError::new("log", format!("{:?} is not a log filter: {e}", self.log))
        })?;
        Ok(())
    }

    /// Whether the server speaks TLS.
    pub fn tls_enabled(&self) -> bool {
        self.tls || self.cert.is_some()
    }

    /// How long a dropped player's seat is held.
    pub fn grace(&self) -> Duration {
        Duration::from_secs(self.grace_seconds)
    }

    /// How long a silent connection lives.
    pub fn keepalive(&self) -> Duration {
        Duration::from_secs(self.keepalive_seconds)
    }

    /// How long a new connection has to say hello.
    pub fn hello_deadline(&self) -> Duration {
        Duration::from_secs(self.hello_seconds)
    }

    /// How long an unattended room stays open.
    pub fn room_idle(&self) -> Duration {
        Duration::from_secs(self.room_idle_seconds)
    }

    /// The settings in effect as TOML, each with where it came from.
    pub fn describe(&self, sources: &[(&'static str, Source)]) -> String {
        let source = |name: &str| {
            sources.iter().find(|(n, _)| *n == name).map_or(Source::Default, |(_, s)| *s)
        };
        let path = |p: &Path| toml_string(&p.display().to_string());
        let mut lines = vec![
            ("bind", toml_string(&self.bind.to_string())),
            ("data", path(&self.data)),
            ("grace_seconds", self.grace_seconds.to_string()),
            ("room_idle_seconds", self.room_idle_seconds.to_string()),
            ("max_chat_chars", self.max_chat_chars.to_string()),
            ("max_dm_chars", self.max_dm_chars.to_string()),
            ("max_message_bytes", self.max_message_bytes.to_string()),
            ("rate_per_second", self.rate_per_second.to_string()),
            ("rate_burst", self.rate_burst.to_string()),
            ("max_connections_per_ip", self.max_connections_per_ip.to_string()),
            ("max_rooms_per_player", self.max_rooms_per_player.to_string()),
            ("login_attempts_per_minute", self.login_attempts_per_minute.to_string()),
            ("session_seconds", self.session_seconds.to_string()),
            ("keepalive_seconds", self.keepalive_seconds.to_string()),
            ("handshake_seconds", self.handshake_seconds.to_string()),
            ("hello_seconds", self.hello_seconds.to_string()),
            (
                "allowed_origins",
                format!(
                    "[{}]",
                    self.allowed_origins
                        .iter()
                        .map(|o| toml_string(o))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            ("tls", self.tls.to_string()),
        ];
        if let (Some(cert), Some(key)) = (&self.cert, &self.key) {
            lines.push(("cert", path(cert)));
            lines.push(("key", path(key)));
        }
        lines.push(("mdns", self.mdns.to_string()));
        lines.push(("mdns_name", toml_string(&self.mdns_name)));
        lines.push(("log", toml_string(&self.log)));
        lines
            .into_iter()
            .map(|(name, value)| {
                let from = match source(name) {
                    Source::Flag => "command line",
                    Source::Env => "environment",
                    Source::File => "config file",
                    Source::Default => "default",
                };
                format!("{name} = {value}  # {from}\n")
            })
            .collect()
    }
}

fn toml_string(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

fn range(setting: &str, value: u64, min: u64, max: u64) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::new(setting, format!("{value} is not between {min} and {max}")))
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new("config", format!("cannot read {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| {
        ConfigError::new("config", format!("{}: {}", path.display(), e.to_string().trim_end()))
    })
}

/// Limits that are not (yet) settings.
pub mod limits {
    /// Longest display name, in characters.
    pub const MAX_NAME_CHARS: usize = 24;
    /// Longest `client_msg_id`, in characters.
    pub const MAX_CLIENT_MSG_ID_CHARS: usize = 64;
    /// Chat messages sent with `joined` when no `since` is given.
    pub const JOIN_CHAT: usize = 50;
    /// Chat messages a room keeps in memory (for joins, resumes and retry detection).
    pub const RECENT_CHAT: usize = 200;
    /// Default page of `chat_history`.
    pub const HISTORY_PAGE: u32 = 50;
    /// Largest page of `chat_history`.
    pub const MAX_HISTORY_PAGE: u32 = 200;
    /// Frames queued for one connection before it counts as too slow and is dropped. A room can
    /// queue a whole batch of replies and events at once, so this is generous; the queue only
    /// takes memory for what is in it.
    pub const OUTBOX: usize = 4096;
    /// Requests queued for one room before new ones get a `busy` error.
    pub const ROOM_QUEUE: usize = 1024;
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, FromArgMatches, Parser};

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        config: Config,
    }

    fn parse(args: &[&str]) -> Result<(Config, Sources), String> {
        let matches = Cli::command()
            .try_get_matches_from(std::iter::once("capital").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        let mut config = Config::from_arg_matches(&matches).map_err(|e| e.to_string())?;
        let sources = config.resolve(&matches).map_err(|e| e.to_string())?;
        Ok((config, sources))
    }

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn flags_beat_the_file_which_beats_defaults() {
        let f = file("grace_seconds = 30\nroom_idle_seconds = 60\nmdns_name = \"classroom\"\n");
        let path = f.path().to_str().unwrap();
        let (config, sources) = parse(&["--config", path, "--grace-seconds", "10"]).unwrap();
        assert_eq!(config.grace_seconds, 10);
        assert_eq!(config.room_idle_seconds, 60);
        assert_eq!(config.mdns_name, "classroom");
        assert_eq!(config.max_chat_chars, 500);
        let source = |n| sources.iter().find(|(s, _)| *s == n).unwrap().1;
        assert_eq!(source("grace_seconds"), Source::Flag);
        assert_eq!(source("room_idle_seconds"), Source::File);
        assert_eq!(source("max_chat_chars"), Source::Default);
        assert!(config.describe(&sources).contains("grace_seconds = 10  # command line"));
    }

    #[test]
    fn bad_values_name_the_setting() {
        let err = parse(&["--grace-seconds", "0"]).unwrap_err();
        assert!(err.contains("--grace-seconds"), "{err}");
        let err = parse(&["--bind", "nowhere"]).unwrap_err();
        assert!(err.contains("--bind"), "{err}");
        let f = file("grace_seconds = 0\n");
        let err = parse(&["--config", f.path().to_str().unwrap()]).unwrap_err();
        assert!(err.starts_with("grace_seconds: 0 is not between 1 and 86400"), "{err}");
        let f = file("grace_seconds = \"soon\"\n");
        let err = parse(&["--config", f.path().to_str().unwrap()]).unwrap_err();
        assert!(err.contains("grace_seconds"), "{err}");
        let f = file("colour = \"blue\"\n");
        let err = parse(&["--config", f.path().to_str().unwrap()]).unwrap_err();
        assert!(err.contains("colour"), "{err}");
        let f = file("mdns_name = \"my server\"\n");
        let err = parse(&["--config", f.path().to_str().unwrap()]).unwrap_err();
        assert!(err.starts_with("mdns_name:"), "{err}");
        let f = file("cert = \"/etc/cert.pem\"\n");
        let err = parse(&["--config", f.path().to_str().unwrap()]).unwrap_err();
        assert!(err.starts_with("key: cert is set"), "{err}");
        let err = parse(&["--config", "/nonexistent/capital.toml"]).unwrap_err();
        assert!(err.starts_with("config: cannot read"), "{err}");
        let err = parse(&["--log", "info,[[["]).unwrap_err();
        assert!(err.starts_with("log:"), "{err}");
    }

    #[test]
    fn the_example_config_file_parses_and_is_complete() {
        let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config.example.toml");
        let (config, sources) = parse(&["--config", example]).unwrap();
        let from_file = sources.iter().filter(|(_, s)| *s == Source::File).count();
        assert!(from_file >= 9, "the example should show (nearly) every setting: {sources:?}");
        assert_eq!(config.bind.port(), 8080);
    }

    #[test]
    fn tls_flag_forms() {
        assert!(parse(&["--tls"]).unwrap().0.tls_enabled());
        assert!(!parse(&["--tls", "false"]).unwrap().0.tls_enabled());
        assert!(!parse(&["--mdns", "false"]).unwrap().0.mdns);
        assert!(parse(&["--cert", "c.pem", "--key", "k.pem"]).unwrap().0.tls_enabled());
        assert!(parse(&["--cert", "c.pem"]).is_err(), "a cert needs a key");
    }
}

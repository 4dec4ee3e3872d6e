//! Server settings. Each comes, in this order of precedence, from a command-line flag, a
//! `CAPITAL_*` environment variable, the TOML config file (`--config`), or its default.
//! `capital config` prints the settings in effect and where each came from.
//! docs/configuration.md lists them all; `config.example.toml` is a complete example file.
//!
//! Each setting is declared once, in the table below: its doc (the flag's help), its type, its
//! default and its range. From that one line come the flag and its variable, the config-file key,
//! the default, the layering, the range check and the line `capital config` prints.
//!
//! # Layout
//! - this file: the table and what is derived from it.
//! - [`setting`]: what each type of setting knows (parsing, TOML, ranges).
//! - [`validate`]: the checks that are not ranges.
//! - [`derived`]: what settings mean in the server's own terms (durations, byte bounds).
//! - [`limits`]: sizes that are not settings.

mod derived;
pub mod limits;
mod setting;
mod validate;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{Arg, ArgMatches};

pub use setting::Setting;

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

/// One declared setting, as the table gives it.
struct Declared {
    name: &'static str,
    doc: &'static str,
    flag: Option<&'static str>,
    range: Option<(u64, u64)>,
}

impl Declared {
    fn flag(&self) -> String {
        self.flag.map_or_else(|| self.name.replace('_', "-"), str::to_owned)
    }

    fn env(&self) -> String {
        format!("CAPITAL_{}", self.name.to_ascii_uppercase())
    }

    /// The doc as one line of help.
    fn help(&self, default: Option<String>) -> String {
        let text = self.doc.lines().map(str::trim).collect::<Vec<_>>().join(" ");
        match default {
            Some(default) => format!("{} [default: {default}]", text.trim()),
            None => text.trim().to_owned(),
        }
    }
}

macro_rules! settings {
    ($(
        $(#[doc = $doc:literal])+
        $name:ident : $ty:ty = $default:expr
            $(, range $min:literal ..= $max:literal)?
            $(, flag $flag:literal)? ;
    )*) => {
        /// Everything the server can be told at start.
        #[derive(Debug, Clone)]
        pub struct Config {
            /// The TOML file the settings were read from, if any.
            pub config: Option<PathBuf>,
            $( $(#[doc = $doc])+ pub $name: $ty, )*
        }

        /// Every setting, in the order of the table.
        const DECLARED: &[Declared] = &[$(Declared {
            name: stringify!($name),
            doc: concat!($($doc, "\n"),+),
            flag: settings!(@flag $($flag)?),
            range: settings!(@range $($min, $max)?),
        }),*];

        impl Config {
            /// Every setting at its default.
            fn defaults() -> Self {
                Config { config: None, $( $name: $default, )* }
            }

            /// The flags (each with its `CAPITAL_*` variable), for a command that takes settings.
            pub fn args() -> Vec<Arg> {
                let defaults = Config::defaults();
                let mut declared = DECLARED.iter();
                let config = Arg::new("config")
                    .long("config")
                    .env("CAPITAL_CONFIG")
                    .value_name("FILE")
                    .value_parser(clap::value_parser!(PathBuf))
                    .help("TOML file with settings (flags and environment variables override it)");
                vec![config, $({
                    let d = declared.next().expect("one declaration per setting");
                    let arg = Arg::new(d.name).long(d.flag()).env(d.env())
                        .help(d.help(Setting::toml(&defaults.$name)));
                    <$ty as Setting>::arg(arg, d.range)
                }),*]
            }

            /// Takes what flags and variables gave; returns where each setting came from (the
            /// rest are left to the file and the defaults).
            fn take_given(&mut self, matches: &ArgMatches) -> Vec<Option<Source>> {
                let source = |name: &str| match matches.value_source(name) {
                    Some(ValueSource::CommandLine) => Some(Source::Flag),
                    Some(ValueSource::EnvVariable) => Some(Source::Env),
                    _ => None,
                };
                vec![$({
                    let name = stringify!($name);
                    match (source(name), <$ty as Setting>::given(matches, name)) {
                        (Some(from), Some(given)) => {
                            self.$name = <$ty as Setting>::from_given(given);
                            Some(from)
                        }
                        _ => None,
                    }
                }),*]
            }

            /// Takes the config file's value of every setting it has (and no flag or variable
            /// gave), refusing keys it does not know.
            fn take_file(
                &mut self,
                mut file: toml::Table,
                given: &[Option<Source>],
            ) -> Result<Vec<Source>, ConfigError> {
                let mut given = given.iter();
                let sources = vec![$({
                    let name = stringify!($name);
                    let value = file.remove(name);
                    match (given.next().copied().flatten(), value) {
                        (Some(from), _) => from,
                        (None, Some(value)) => {
                            let given: <$ty as Setting>::Given = value.try_into().map_err(
                                |e: toml::de::Error| ConfigError::new(name, e.message().to_owned()),
                            )?;
                            self.$name = <$ty as Setting>::from_given(given);
                            Source::File
                        }
                        (None, None) => Source::Default,
                    }
                }),*];
                match file.keys().next() {
                    Some(unknown) => Err(ConfigError::new(
                        unknown,
                        "not a setting (docs/configuration.md lists them)",
                    )),
                    None => Ok(sources),
                }
            }

            /// Checks every setting that has a range.
            fn check_ranges(&self) -> Result<(), ConfigError> {
                let mut declared = DECLARED.iter();
                $({
                    let d = declared.next().expect("one declaration per setting");
                    if let (Some((min, max)), Some(value)) =
                        (d.range, Setting::number(&self.$name))
                        && !(min..=max).contains(&value)
                    {
                        return Err(ConfigError::new(
                            d.name,
                            format!("{value} is not between {min} and {max}"),
                        ));
                    }
                })*
                Ok(())
            }

            /// Each setting's value in TOML (`None`: unset), in the order of the table.
            fn values(&self) -> Vec<(&'static str, Option<String>)> {
                vec![$((stringify!($name), Setting::toml(&self.$name))),*]
            }
        }
    };
    (@flag) => { None };
    (@flag $flag:literal) => { Some($flag) };
    (@range) => { None };
    (@range $min:literal, $max:literal) => { Some(($min, $max)) };
}

settings! {
    /// Address and port to listen on.
    bind: SocketAddr = SocketAddr::from(([0, 0, 0, 0], 8080));
    /// Directory for the database and the generated TLS certificates (created if missing,
    /// readable by the server's user only).
    data: PathBuf = PathBuf::from("./capital-data");
    /// Where everything is stored: empty (the default) for SQLite in the data directory
    /// (`capital.db`); `postgres://USER:PASSWORD@HOST:PORT/DBNAME` for a PostgreSQL database,
    /// which several nodes may share (docs/scale-out.md).
    store: String = String::new();
    /// The certificate (PEM) of the authority that issued the PostgreSQL server's certificate:
    /// given, the store's connections use TLS (required) and check the database's certificate
    /// against it and the URL's host; not given, they are plain.
    store_ca: Option<PathBuf> = None;
    /// The NATS server of a cluster (`nats://HOST:PORT`): nodes that share one PostgreSQL
    /// `store` and reach each other's rooms through it (docs/scale-out.md). Empty (the
    /// default): a single node.
    cluster: String = String::new();
    /// This node's name in the cluster (letters, digits, `-`; at most 32); empty: a random
    /// one at each start.
    node_name: String = String::new();
    /// Seconds a dropped player's seat is held before they leave the room.
    grace_seconds: u64 = 120, range 1..=86_400;
    /// Seconds a room stays open with no request from any member (it then closes; it also
    /// closes when its last member leaves).
    room_idle_seconds: u64 = 1800, range 1..=604_800;
    /// Seconds between the last player saying yes to a rematch and the next game starting
    /// (the phones and the big screen count down); 0 starts it at once.
    rematch_countdown_seconds: u32 = 3, range 0..=30;
    /// Memory one game of a script may use, in MiB (its own JavaScript heap).
    script_memory_mib: u32 = 8, range 1..=256;
    /// Time one call into a game script (a move, a view) may run, in milliseconds; past it the
    /// script is stopped and its game ends.
    script_call_ms: u32 = 50, range 5..=5000;
    /// Longest chat message, in characters.
    max_chat_chars: u32 = 500, range 1..=10_000;
    /// Longest direct message, in characters.
    max_dm_chars: u32 = 2000, range 1..=10_000;
    /// Devices one player may receive encrypted direct messages on; publishing one more
    /// forgets the key of the device seen longest ago.
    max_devices_per_player: u32 = 4, range 1..=32;
    /// Largest encrypted direct message, in bytes: its envelope's JSON as stored (the sender's
    /// key and every device's copy). 2,000 ASCII characters sealed for 8 devices take 23 KB.
    max_sealed_bytes: u32 = 32_768, range 1024..=1_048_576;
    /// Largest WebSocket message a client may send, in bytes; a bigger one closes the
    /// connection with code 1009.
    max_message_bytes: u32 = 65_536, range 1024..=16_777_216;
    /// Bytes the server queues for one connection that does not read them; past it the
    /// connection is closed as too slow (4001).
    outbox_kib: u32 = 1024, range 16..=65_536;
    /// Requests per second a connection may send on average (token bucket refill rate).
    rate_per_second: u32 = 20, range 1..=100_000;
    /// Requests a connection may send in a burst above the average (token bucket size).
    rate_burst: u32 = 60, range 1..=100_000;
    /// Connections (TCP, counted from accept, handshakes included) allowed from one IP address
    /// at once (IPv6: one /64).
    max_connections_per_ip: u32 = 64, range 1..=1_000_000;
    /// Connections allowed in all; lowered at start to what the file-descriptor limit allows.
    max_connections: u32 = 16_384, range 16..=1_000_000;
    /// Open rooms one player may have created at once.
    max_rooms_per_player: u32 = 5, range 1..=10_000;
    /// Open rooms in all.
    max_rooms: u32 = 2000, range 1..=80_000;
    /// New rooms one IP address may create per minute.
    new_rooms_per_minute: u32 = 20, range 1..=100_000;
    /// Spectators one room takes (players take the game's seats).
    max_spectators_per_room: u32 = 100, range 0..=10_000;
    /// New guest players one IP address may create per minute.
    new_guests_per_minute: u32 = 60, range 1..=100_000;
    /// Days after which a guest (no account) who has not come back, and sits in no open room,
    /// is forgotten with their token.
    guest_expiry_days: u32 = 30, range 1..=3650;
    /// Login and register attempts allowed per minute from one IP address, and for one
    /// username (only failed logins count).
    login_attempts_per_minute: u32 = 10, range 1..=10_000;
    /// Requests naming a room that does not exist (or that the asker is not in) allowed per
    /// minute from one IP address; past it, `rate_limited`.
    failed_lookups_per_minute: u32 = 30, range 1..=100_000;
    /// KiB of direct messages one IP address may send per minute (the text's bytes, or a
    /// sealed message's envelope); past it, `rate_limited`.
    dm_kib_per_minute: u32 = 512, range 16..=1_048_576;
    /// Seconds a login session token stays valid.
    session_seconds: u64 = 2_592_000, range 1..=31_536_000;
    /// Seconds of silence after which a connection counts as dead (its seats enter the grace
    /// period). The server pings a quiet connection halfway through.
    keepalive_seconds: u64 = 30, range 2..=3600;
    /// Seconds a new connection has to finish its TLS handshake, and then to send its HTTP
    /// request headers (slow or stalled handshakes are cut off).
    handshake_seconds: u64 = 10, range 1..=300;
    /// Seconds a new WebSocket has to send `hello` (or `login`).
    hello_seconds: u64 = 10, range 1..=3600;
    /// Other origins (e.g. `https://games.example.org`) whose pages may open WebSockets here.
    /// Same-origin pages and non-browser clients (no Origin header) are always allowed.
    allowed_origins: Vec<String> = Vec::new(), flag "allowed-origin";
    /// Host names the server answers to besides its own addresses, localhost and NAME.local
    /// (e.g. `games.example.org` behind a proxy). Requests for any other host are refused, so
    /// a web page cannot reach the server through a DNS name it controls (DNS rebinding).
    public_names: Vec<String> = Vec::new(), flag "public-name";
    /// Addresses of load balancers in front of the server (e.g. `10.0.0.1`, HAProxy with
    /// `send-proxy-v2`) that open every connection with a PROXY protocol v2 header giving the
    /// client's address: from them, that address is the connection's (for every per-address
    /// limit). From anyone else no header is read. Empty (the default): none.
    trusted_proxies: Vec<String> = Vec::new(), flag "trusted-proxy";
    /// Words masked with `*` in chat messages and player names (whole words, any case; the
    /// message is still delivered, masked). Empty (the default): no filter.
    word_filter: Vec<String> = Vec::new(), flag "filter-word";
    /// Serve HTTPS and WSS. Without --cert/--key, with a certificate from a local certificate
    /// authority made on first start and kept in the data directory; phones install the CA
    /// once (from /ca) and then see no warning.
    tls: bool = false;
    /// TLS certificate chain, PEM (e.g. Let's Encrypt's fullchain.pem). Implies --tls.
    cert: Option<PathBuf> = None;
    /// TLS private key, PEM. Implies --tls.
    key: Option<PathBuf> = None;
    /// Advertise the server on the local network with mDNS/DNS-SD.
    mdns: bool = true;
    /// The mDNS host name: phones can open http://NAME.local:PORT/.
    mdns_name: String = "capital".to_owned();
    /// STUN or TURN servers the phones of a peer-to-peer room may use to reach each other
    /// (`turn:turn.example.org:3478`, `stun:...`); none (the default): host candidates only,
    /// which is enough on one network. Capital runs none itself.
    ice_servers: Vec<String> = Vec::new(), flag "ice-server";
    /// The user name for the TURN servers in `ice_servers` (a static one, e.g. coturn's `user`).
    ice_username: String = String::new();
    /// The password for the TURN servers in `ice_servers`. Every phone of the school gets it:
    /// give the TURN server a user of its own for this, with a quota.
    ice_credential: String = String::new();
    /// Log filter, e.g. `info`, `debug`, `capital_server=debug,info` (RUST_LOG applies when
    /// this is left at its default). Never shows tokens or passwords.
    log: String = "info".to_owned();
}

impl Config {
    /// Defaults, listening on `bind` with data in `data`, no TLS, no mDNS: what tests start from.
    pub fn new(bind: SocketAddr, data: PathBuf) -> Self {
        Config { bind, data, mdns: false, ..Config::defaults() }
    }

    /// The settings a command line (`matches` of a command built with [`Config::args`]) asks
    /// for, completed from the config file and the defaults, checked. Returns where each came
    /// from.
    pub fn from_matches(matches: &ArgMatches) -> Result<(Self, Sources), ConfigError> {
        let mut config = Config::defaults();
        let given = config.take_given(matches);
        config.config = matches.get_one::<PathBuf>("config").cloned();
        let file = match &config.config {
            Some(path) => read_file(path)?,
            None => toml::Table::new(),
        };
        let sources = config.take_file(file, &given)?;
        config.validate()?;
        Ok((config, DECLARED.iter().map(|d| d.name).zip(sources).collect()))
    }

    /// The names of every setting, in the order of the table.
    pub fn names() -> impl Iterator<Item = &'static str> {
        DECLARED.iter().map(|d| d.name)
    }

    /// The settings in effect as TOML, each with where it came from.
    pub fn describe(&self, sources: &[(&'static str, Source)]) -> String {
        let source = |name: &str| {
            sources.iter().find(|(n, _)| *n == name).map_or(Source::Default, |(_, s)| *s)
        };
        self.values()
            .into_iter()
            .filter_map(|(name, value)| {
                let from = match source(name) {
                    Source::Flag => "command line",
                    Source::Env => "environment",
                    Source::File => "config file",
                    Source::Default => "default",
                };
                value.map(|value| format!("{name} = {value}  # {from}\n"))
            })
            .collect()
    }
}

fn read_file(path: &Path) -> Result<toml::Table, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new("config", format!("cannot read {}: {e}", path.display())))?;
    parse_file(&text)
        .map_err(|e| ConfigError::new("config", format!("{}: {}", path.display(), e.trim_end())))
}

/// A config file's text as a table (not yet checked against the settings).
pub fn parse_file(text: &str) -> Result<toml::Table, String> {
    text.parse::<toml::Table>().map_err(|e| e.to_string())
}

/// Reads a config file's text as settings over the defaults, checked: what a fuzzer feeds.
pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
    let table = parse_file(text).map_err(|e| ConfigError::new("config", e))?;
    let mut config = Config::defaults();
    config.take_file(table, &vec![None; DECLARED.len()])?;
    config.validate()?;
    Ok(config)
}

#[cfg(test)]
mod tests;

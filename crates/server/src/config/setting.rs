//! [`Setting`]: what a type of setting knows: how a flag parses it, how the config file spells
//! it, how `capital config` prints it, and its range check. The table in [`super`] declares each
//! setting once; this is what turns the declaration into a flag, a file key, a check and a line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches};
use serde::de::DeserializeOwned;

/// A type a setting can have.
pub trait Setting: Sized + Clone {
    /// What a flag, a variable or the file gives (the setting itself, or what is inside its
    /// `Option`).
    type Given: Clone + Send + Sync + DeserializeOwned + 'static;

    /// The flag: how its value is parsed (with the setting's range, if it has one).
    fn arg(arg: Arg, range: Option<(u64, u64)>) -> Arg;

    /// The value a flag or variable gave, if one did.
    fn given(matches: &ArgMatches, name: &str) -> Option<Self::Given> {
        matches.get_one::<Self::Given>(name).cloned()
    }

    /// The setting, from what was given.
    fn from_given(given: Self::Given) -> Self;

    /// The value as a number, for the range check (numbers only).
    fn number(&self) -> Option<u64> {
        None
    }

    /// The value in TOML; `None` leaves the line out (an unset optional setting).
    fn toml(&self) -> Option<String>;
}

fn ranged(arg: Arg, range: Option<(u64, u64)>) -> Arg {
    match range {
        Some((min, max)) => arg.value_parser(clap::value_parser!(u64).range(min..=max)),
        None => arg.value_parser(clap::value_parser!(u64)),
    }
}

/// `s` as a TOML string, written by the library that reads the config file. (JSON's quoting,
/// used before, leaves DEL unescaped, which TOML forbids: the fuzz target `config_file` found a
/// `data` path whose `capital config` line did not read back.)
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

impl Setting for u64 {
    type Given = u64;
    fn arg(arg: Arg, range: Option<(u64, u64)>) -> Arg {
        ranged(arg, range)
    }
    fn from_given(given: u64) -> Self {
        given
    }
    fn number(&self) -> Option<u64> {
        Some(*self)
    }
    fn toml(&self) -> Option<String> {
        Some(self.to_string())
    }
}

impl Setting for u32 {
    type Given = u32;
    fn arg(arg: Arg, range: Option<(u64, u64)>) -> Arg {
        let (min, max) = range.unwrap_or((0, u64::from(u32::MAX)));
        let (min, max) = (min as i64, max.min(u64::from(u32::MAX)) as i64);
        arg.value_parser(clap::value_parser!(u32).range(min..=max))
    }
    fn from_given(given: u32) -> Self {
        given
    }
    fn number(&self) -> Option<u64> {
        Some(u64::from(*self))
    }
    fn toml(&self) -> Option<String> {
        Some(self.to_string())
    }
}

impl Setting for bool {
    type Given = bool;
    fn arg(arg: Arg, _: Option<(u64, u64)>) -> Arg {
        // `--tls`, `--tls true`, `--tls false`.
        arg.value_parser(clap::value_parser!(bool))
            .num_args(0..=1)
            .default_missing_value("true")
            .value_name("BOOL")
    }
    fn from_given(given: bool) -> Self {
        given
    }
    fn toml(&self) -> Option<String> {
        Some(self.to_string())
    }
}

impl Setting for String {
    type Given = String;
    fn arg(arg: Arg, _: Option<(u64, u64)>) -> Arg {
        arg.value_parser(clap::value_parser!(String))
    }
    fn from_given(given: String) -> Self {
        given
    }
    fn toml(&self) -> Option<String> {
        Some(quoted(self))
    }
}

impl Setting for PathBuf {
    type Given = PathBuf;
    fn arg(arg: Arg, _: Option<(u64, u64)>) -> Arg {
        arg.value_parser(clap::value_parser!(PathBuf)).value_name("PATH")
    }
    fn from_given(given: PathBuf) -> Self {
        given
    }
    fn toml(&self) -> Option<String> {
        Some(quoted(&self.display().to_string()))
    }
}

impl Setting for Option<PathBuf> {
    type Given = PathBuf;
    fn arg(arg: Arg, _: Option<(u64, u64)>) -> Arg {
        arg.value_parser(clap::value_parser!(PathBuf)).value_name("FILE")
    }
    fn from_given(given: PathBuf) -> Self {
        Some(given)
    }
    fn toml(&self) -> Option<String> {
        self.as_ref().map(|p| quoted(&p.display().to_string()))
    }
}

impl Setting for SocketAddr {
    type Given = SocketAddr;
    fn arg(arg: Arg, _: Option<(u64, u64)>) -> Arg {
        arg.value_parser(clap::value_parser!(SocketAddr)).value_name("ADDR:PORT")
    }
    fn from_given(given: SocketAddr) -> Self {
        given
    }
    fn toml(&self) -> Option<String> {
        Some(quoted(&self.to_string()))
    }
}

impl Setting for Vec<String> {
    type Given = Vec<String>;
    fn arg(arg: Arg, _: Option<(u64, u64)>) -> Arg {
        // Repeated (`--allowed-origin a --allowed-origin b`) or comma-separated (as the
        // variable is).
        arg.value_parser(clap::value_parser!(String)).action(ArgAction::Append).value_delimiter(',')
    }
    fn given(matches: &ArgMatches, name: &str) -> Option<Vec<String>> {
        matches.get_many::<String>(name).map(|values| values.cloned().collect())
    }
    fn from_given(given: Vec<String>) -> Self {
        given
    }
    fn toml(&self) -> Option<String> {
        Some(format!("[{}]", self.iter().map(|s| quoted(s)).collect::<Vec<_>>().join(", ")))
    }
}

//! What a script declares about its game (`game({name, players, options, ...})`), read once
//! when it loads: names, how many players, the options and their defaults, which rules it has.

use std::borrow::Cow;

use capital_engine::{OptionKind, OptionSpec, Players, RuleError};
use serde_json::{Map, Value};

use crate::ScriptError;

/// Most seats a script game may have.
pub const MAX_PLAYERS: usize = 16;

/// A script game's declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    /// The kind (`kind`, or else the file's name without `.js`).
    pub kind: String,
    /// Its name (`name`, or else the kind).
    pub name: String,
    /// Who wrote it (`author`).
    pub author: Option<String>,
    /// One line on how to play (`about`).
    pub about: String,
    /// Fewest and most players (`players: {min, max}`, or a number).
    pub players: Players,
    /// The options (`options: {key: {label, min, max, step, default} | {label, default: true}}`).
    pub options: Vec<OptionSpec>,
    /// A rematch moves every player one seat on (`rotateSeats`, default true for two players).
    pub rotate_seats: bool,
    /// A turn timer unless the room asks for another (`turnSeconds`).
    pub turn_seconds: Option<u32>,
    /// Which of the optional rules it has.
    pub has_timeout: bool,
    /// See [`Definition::has_timeout`].
    pub has_drop_out: bool,
    /// The file holds its board too (it called `board({...})`).
    pub has_board: bool,
}

/// Kinds are short lower-case words: they are in addresses, file names and the store.
pub fn valid_kind(kind: &str) -> bool {
    (1..=32).contains(&kind.len())
        && kind.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && kind.as_bytes()[0].is_ascii_lowercase()
}

impl Definition {
    /// Reads the declaration (`meta`: the script's object, its functions as `true`); `stem` is
    /// the file's name without `.js`.
    pub fn read(meta: &Value, stem: &str) -> Result<Self, ScriptError> {
        let bad = |why: String| ScriptError::Bad(format!("{stem}.js: {why}"));
        let text = |key: &str| meta.get(key).and_then(Value::as_str).map(str::to_owned);
        for rule in ["setup", "move", "turn", "outcome"] {
            if meta.get(rule) != Some(&Value::Bool(true)) {
                return Err(bad(format!("the game has no {rule}(...) function")));
            }
        }
        let kind = text("kind").unwrap_or_else(|| stem.to_owned());
        if !valid_kind(&kind) {
            return Err(bad(format!(
                "the kind {kind:?} must be 1 to 32 of a-z, 0-9 and _, starting with a letter"
            )));
        }
        let players = match meta.get("players") {
            Some(Value::Number(n)) => n.as_u64().map(|n| Players::exactly(n as usize)),
            Some(p) => {
                match (p.get("min").and_then(Value::as_u64), p.get("max").and_then(Value::as_u64)) {
                    (Some(min), Some(max)) => Some(Players::between(min as usize, max as usize)),
                    _ => None,
                }
            }
            None => None,
        };
        let players = players
            .filter(|p| 1 <= p.min && p.min <= p.max && p.max <= MAX_PLAYERS)
            .ok_or_else(|| bad(format!("players must be {{min, max}} from 1 to {MAX_PLAYERS}")))?;
        let options = match meta.get("options") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(fields)) => fields
                .iter()
                .map(|(key, spec)| {
                    option(key, spec).map_err(|why| bad(format!("option {key}: {why}")))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(bad("options must be an object: {key: {label, ...}}".into())),
        };
        let turn_seconds = meta.get("turnSeconds").and_then(Value::as_u64).map(|s| s as u32);
        Ok(Definition {
            name: text("name").unwrap_or_else(|| kind.clone()),
            kind,
            author: text("author"),
            about: text("about").unwrap_or_default(),
            rotate_seats: meta
                .get("rotateSeats")
                .and_then(Value::as_bool)
                .unwrap_or(players.max == 2),
            players,
            options,
            turn_seconds,
            has_timeout: meta.get("timeout") == Some(&Value::Bool(true)),
            has_drop_out: meta.get("dropOut") == Some(&Value::Bool(true)),
            has_board: meta.get("$board") == Some(&Value::Bool(true)),
        })
    }

    /// The options as asked (`null`: the defaults), checked, defaults filled in.
    pub fn check(&self, asked: &Value) -> Result<Value, RuleError> {
        let empty = Map::new();
        let asked = match asked {
            Value::Null => &empty,
            Value::Object(fields) => fields,
            _ => return Err(RuleError::BadOptions("options must be an object".into())),
        };
        if let Some(key) = asked.keys().find(|k| !self.options.iter().any(|o| o.key == k.as_str()))
        {
            return Err(RuleError::BadOptions(format!("this game has no option {key:?}")));
        }
        let mut out = Map::new();
        for spec in &self.options {
            let value = asked.get(spec.key.as_ref());
            let value = match (&spec.kind, value) {
                (OptionKind::Integer { default, .. }, None) => Value::from(*default),
                (OptionKind::Integer { min, max, step, .. }, Some(v)) => match v.as_i64() {
                    Some(n) if (*min..=*max).contains(&n) && (n - min) % step.max(&1) == 0 => {
                        Value::from(n)
                    }
                    _ => {
                        return Err(RuleError::BadOptions(format!(
                            "{} must be a whole number from {min} to {max}",
                            spec.key
                        )));
                    }
                },
                (OptionKind::Boolean { default }, None) => Value::Bool(*default),
                (OptionKind::Boolean { .. }, Some(Value::Bool(b))) => Value::Bool(*b),
                (OptionKind::Boolean { .. }, Some(_)) => {
                    return Err(RuleError::BadOptions(format!(
                        "{} must be true or false",
                        spec.key
                    )));
                }
                (OptionKind::Choice { default, .. }, None) => Value::from(default.as_ref()),
                (OptionKind::Choice { choices, .. }, Some(v)) => match v.as_str() {
                    Some(s) if choices.iter().any(|c| c.value == s) => Value::from(s),
                    _ => {
                        return Err(RuleError::BadOptions(format!(
                            "{} is not one of its choices",
                            spec.key
                        )));
                    }
                },
            };
            out.insert(spec.key.to_string(), value);
        }
        Ok(Value::Object(out))
    }
}

/// One option's declaration.
fn option(key: &str, spec: &Value) -> Result<OptionSpec, String> {
    if !valid_kind(key) {
        return Err("a key is 1 to 32 of a-z, 0-9 and _".into());
    }
    let label = spec.get("label").and_then(Value::as_str).unwrap_or(key).to_owned();
    let kind = match spec.get("default") {
        Some(Value::Bool(default)) => OptionKind::Boolean { default: *default },
        Some(Value::Number(n)) => {
            let int = |k: &str| spec.get(k).and_then(Value::as_i64);
            let default = n.as_i64().ok_or("the default must be a whole number")?;
            let (min, max) = (int("min").unwrap_or(default), int("max").unwrap_or(default));
            let step = int("step").unwrap_or(1);
            if !(min <= default && default <= max && step >= 1) {
                return Err("needs min <= default <= max, and a step of 1 or more".into());
            }
            OptionKind::Integer { min, max, step, default }
        }
        Some(Value::String(default)) => {
            let choices: Vec<capital_engine::Choice> = spec
                .get("choices")
                .and_then(Value::as_array)
                .ok_or("a text option needs its choices: [\"a\", \"b\"]")?
                .iter()
                .filter_map(Value::as_str)
                .map(|c| capital_engine::Choice {
                    value: Cow::Owned(c.into()),
                    label: Cow::Owned(c.into()),
                })
                .collect();
            if !choices.iter().any(|c| c.value == default.as_str()) {
                return Err("the default must be one of the choices".into());
            }
            OptionKind::Choice { choices, default: Cow::Owned(default.clone()) }
        }
        _ => return Err("needs a default: a number, true or false, or one of its choices".into()),
    };
    Ok(OptionSpec { key: Cow::Owned(key.to_owned()), label: Cow::Owned(label), kind })
}

//! What a game tells clients about itself before a room exists: how many players, and which
//! options a create form should offer.

use std::borrow::Cow;

use serde::Serialize;

/// How many players a game takes: a room has `max` seats, and its host may start once `min`
/// are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Players {
    /// Fewest players to start.
    pub min: usize,
    /// Most players (the room's seats).
    pub max: usize,
}

impl Players {
    /// Exactly `n` players.
    pub const fn exactly(n: usize) -> Self {
        Players { min: n, max: n }
    }

    /// From `min` to `max` players.
    pub const fn between(min: usize, max: usize) -> Self {
        Players { min, max }
    }
}

/// One option of a game, as a create form draws it: the key in the options object, a label,
/// and its type with range and default.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionSpec {
    /// The key in the game's options object.
    pub key: Cow<'static, str>,
    /// What a form shows next to it.
    pub label: Cow<'static, str>,
    /// Its type, range and default.
    #[serde(flatten)]
    pub kind: OptionKind,
}

/// The type of an option.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OptionKind {
    /// A whole number from `min` to `max`, in steps of `step`.
    Integer {
        /// Smallest value.
        min: i64,
        /// Largest value.
        max: i64,
        /// Between allowed values.
        step: i64,
        /// The standard game's value.
        default: i64,
    },
    /// On or off.
    Boolean {
        /// The standard game's value.
        default: bool,
    },
    /// One of a few values.
    Choice {
        /// Each value and its label.
        choices: Vec<Choice>,
        /// The standard game's value.
        default: Cow<'static, str>,
    },
}

/// One value of a [`OptionKind::Choice`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    /// The value sent in the options.
    pub value: Cow<'static, str>,
    /// What a form shows.
    pub label: Cow<'static, str>,
}

impl OptionSpec {
    /// A whole-number option.
    pub const fn integer(
        key: &'static str,
        label: &'static str,
        (min, max, step): (i64, i64, i64),
        default: i64,
    ) -> Self {
        let (key, label) = (Cow::Borrowed(key), Cow::Borrowed(label));
        OptionSpec { key, label, kind: OptionKind::Integer { min, max, step, default } }
    }

    /// An on/off option.
    pub const fn boolean(key: &'static str, label: &'static str, default: bool) -> Self {
        let (key, label) = (Cow::Borrowed(key), Cow::Borrowed(label));
        OptionSpec { key, label, kind: OptionKind::Boolean { default } }
    }
}

//! What a server tells clients about its games (`list_games`): players and the options a create
//! form offers.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A game the server offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GameInfo {
    /// The kind, used in `create_room`.
    pub kind: String,
    /// A human name.
    pub name: String,
    /// Number of seats with the default options (the most players).
    pub seats: usize,
    /// Fewest players to start, with the default options.
    pub min_players: usize,
    /// Most players, with the default options.
    pub max_players: usize,
    /// The default options.
    pub options: Value,
    /// The options a create form offers: each one's key, label, type, range and default.
    pub options_schema: Vec<OptionField>,
    /// One line on how to play and what a move looks like.
    pub about: String,
    /// Who wrote it: set for a game that is a script (a student's, or an example), not built in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Where a script game's own board is (`/games/{kind}/board`), to show in a sandboxed
    /// frame; absent for the built-in games (and a script game without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub board: Option<String>,
}

/// A game script as the teacher's console lists it (`admin_scripts`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptInfo {
    /// Its file (`nim.js`).
    pub file: String,
    /// The game's kind, once the file loaded.
    pub kind: Option<String>,
    /// Who wrote it, as it says.
    pub author: Option<String>,
    /// Shipped with Capital (not in the games folder).
    pub shipped: bool,
    /// Offered to new rooms: it loaded and no admin turned it off.
    pub on: bool,
    /// An admin turned it off.
    pub off: bool,
    /// The error of its last load (with file and line), if that failed: an earlier version
    /// may still be on offer.
    pub error: Option<String>,
    /// Its board's file, when it has one.
    pub board: Option<String>,
}

/// One option of a game, for drawing a create form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionField {
    /// The key in the options object sent in `create_room`.
    pub key: String,
    /// What a form shows next to it.
    pub label: String,
    /// Its type, range and default.
    #[serde(flatten)]
    pub kind: OptionFieldKind,
}

/// The type of an [`OptionField`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OptionFieldKind {
    /// A whole number from `min` to `max` in steps of `step`.
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
        choices: Vec<OptionChoice>,
        /// The standard game's value.
        default: String,
    },
}

/// One value of an [`OptionFieldKind::Choice`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionChoice {
    /// The value sent in the options.
    pub value: String,
    /// What a form shows.
    pub label: String,
}

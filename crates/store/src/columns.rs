//! What the SQL backends store the same way: the column lists they read records from, and the
//! text a phase, a role or a JSON value is kept as.

use capital_protocol::{Phase, Role};

use crate::StoreError;

/// A direct message's columns, in the order the rows are read.
pub(crate) const DM_COLUMNS: &str =
    "a, b, seq, sender, text, client_msg_id, ts_ms, delivered_ms, read_ms, sealed";

/// How a room's phase is stored.
pub(crate) fn phase_str(phase: Phase) -> &'static str {
    match phase {
        Phase::Lobby => "lobby",
        Phase::Playing => "playing",
        Phase::Over => "over",
    }
}

/// A stored phase read back.
pub(crate) fn parse_phase(s: &str) -> Result<Phase, StoreError> {
    match s {
        "lobby" => Ok(Phase::Lobby),
        "playing" => Ok(Phase::Playing),
        "over" => Ok(Phase::Over),
        other => Err(StoreError::Corrupt(format!("unknown room phase {other:?}"))),
    }
}

/// How a member's role is stored.
pub(crate) fn role_str(role: Role) -> &'static str {
    match role {
        Role::Player => "player",
        Role::Spectator => "spectator",
    }
}

/// A stored role read back.
pub(crate) fn parse_role(s: &str) -> Result<Role, StoreError> {
    match s {
        "player" => Ok(Role::Player),
        "spectator" => Ok(Role::Spectator),
        other => Err(StoreError::Corrupt(format!("unknown member role {other:?}"))),
    }
}

/// A stored JSON value read back.
pub(crate) fn parse_json(s: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("stored JSON: {e}")))
}

/// A room's columns, in the order the rows are read.
pub(crate) const ROOM_COLUMNS: &str = "id, code, game, options, host, phase, game_no, seq, outcome, created_ms, closed, players, seed, \
     deadlines, turn_seconds, snapshot, snapshot_tick, locked, banned, chat_off, muted, scoreboard, \
     game_version, mode";

/// A finished game's columns, in the order the rows are read.
pub(crate) const GAME_COLUMNS: &str =
    "room_id, game_no, code, game, options, seed, seats, winner, reason, realtime, ended_ms";

/// A chat message's columns, in the order the rows are read.
pub(crate) const CHAT_COLUMNS: &str =
    "room_id, seq, player_id, name, text, client_msg_id, ts_ms, removed";

//! The teacher's console: what an admin (a player whose account was made one with
//! `capital admin grant`) may ask of the server, and what it answers: the live overview, actions
//! on any room, announcements, and the audit log of every admin action.

use serde::{Deserialize, Serialize};

use crate::{ChatMessage, Phase, PlayerId, RoomCode, RoomMode};

/// What an admin does to a room (`admin_room`). Each is written to the audit log with the
/// room's own change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum AdminAction {
    /// Remove a member for good, telling them why (as the host's `kick`).
    Kick {
        /// Who.
        player: PlayerId,
        /// Why (they see it).
        #[serde(default)]
        reason: Option<String>,
    },
    /// Lock the room (no new members) or open it.
    Lock {
        /// Locked or open.
        locked: bool,
    },
    /// End the game in progress, with no winner.
    EndGame,
    /// Turn the room's chat off, or on again.
    ChatOff {
        /// Off (`true`) or on.
        off: bool,
    },
    /// Mute a player's chat in this room, or let them speak again.
    Mute {
        /// Who.
        player: PlayerId,
        /// Muted or not.
        muted: bool,
    },
    /// Remove a chat message: gone from every phone, marked removed in the store.
    RemoveChat {
        /// The message's seq.
        seq: u64,
    },
    /// Close the room: every member is told why, and its code is free again.
    Close {
        /// Why (every member sees it).
        #[serde(default)]
        reason: Option<String>,
    },
}

impl AdminAction {
    /// The action's name in the audit log.
    pub fn name(&self) -> &'static str {
        match self {
            AdminAction::Kick { .. } => "kick",
            AdminAction::Lock { locked: true } => "lock",
            AdminAction::Lock { locked: false } => "unlock",
            AdminAction::EndGame => "end_game",
            AdminAction::ChatOff { off: true } => "chat_off",
            AdminAction::ChatOff { off: false } => "chat_on",
            AdminAction::Mute { muted: true, .. } => "mute",
            AdminAction::Mute { muted: false, .. } => "unmute",
            AdminAction::RemoveChat { .. } => "remove_chat",
            AdminAction::Close { .. } => "close_room",
        }
    }
}

/// One room in the overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomSummary {
    /// The code.
    pub code: RoomCode,
    /// The game kind.
    pub game: String,
    /// Lobby, playing or over.
    pub phase: Phase,
    /// The seated players, in seat order: id, name, connected.
    pub players: Vec<SummaryMember>,
    /// How many watch.
    pub spectators: usize,
    /// The host's id.
    pub host: PlayerId,
    /// Locked by its host or an admin.
    pub locked: bool,
    /// Games started in it.
    pub game_no: u32,
    /// An admin turned its chat off.
    #[serde(default)]
    pub chat_off: bool,
    /// Players muted in it.
    #[serde(default)]
    pub muted: Vec<PlayerId>,
    /// Its last few chat messages (not those removed), oldest first.
    #[serde(default)]
    pub recent_chat: Vec<ChatMessage>,
    /// `p2p` when the host's phone runs the game.
    #[serde(default, skip_serializing_if = "RoomMode::is_server")]
    pub mode: RoomMode,
    /// In a `p2p` room: signalling messages the server relayed, and their bytes.
    #[serde(default)]
    pub signals: u64,
    /// Their bytes, written out.
    #[serde(default)]
    pub signal_bytes: u64,
}

/// A seated player in the overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryMember {
    /// Player id.
    pub id: PlayerId,
    /// Display name.
    pub name: String,
    /// Whether their connection is up.
    pub connected: bool,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When, ms since the Unix epoch.
    pub ts: u64,
    /// The admin's username (or `"terminal"` for `capital admin` on the server's machine).
    pub admin: String,
    /// What (`"kick"`, `"announce"`, `"grant_admin"`...).
    pub action: String,
    /// To what: a room code, a player, or `"server"`.
    pub target: String,
    /// The rest, in words.
    pub detail: String,
}

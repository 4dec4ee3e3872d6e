//! Capital's wire protocol: the JSON messages that travel over the WebSocket at `/ws`.
//!
//! Every frame is a text frame holding one JSON object. A client sends requests; each request
//! carries a client-chosen integer `id` and a `type`. The server answers every request exactly once
//! with a message that carries `"re": <id>` (the reply, or an error), and pushes room events that
//! carry a `type` but no `re`. `docs/protocol.md` is the human description of the same types, with
//! an example of each and a full game transcript.
//!
//! This crate holds only the types and their serde mapping: no I/O, no async runtime, so that the
//! server, the Rust client library and tests all agree on one definition.
//!
//! # Layout
//! - [`client`]: what a client sends ([`Request`], [`ClientMsg`]).
//! - [`server`]: what the server sends ([`Outgoing`], [`ServerMsg`], [`RoomEvent`], [`RoomView`]).
//! - [`parse`]: reading a frame as a request ([`client::parse_request`]).
//! - [`games`]: what `list_games` says of each game ([`GameInfo`], the options schema).
//! - [`replay`]: finished games: [`Replay`] and the lesson's [`LeaderLine`]s.
//! - [`sealed`]: end-to-end encrypted direct messages ([`Sealed`], [`DeviceKeyView`]).
//! - [`stats`]: what a room measured of its games, for the two models' comparison ([`RoomStats`]).
//! - [`error`]: the stable, machine-readable [`ErrorCode`]s.

pub mod admin;
pub mod client;
pub mod error;
pub mod games;
pub mod parse;
pub mod replay;
pub mod room;
pub mod sealed;
pub mod server;
pub mod stats;

pub use admin::{AdminAction, AuditEntry, RoomSummary, SummaryMember};
pub use client::{ClientMsg, Request, Role};
pub use error::ErrorCode;
pub use games::{GameInfo, OptionChoice, OptionField, OptionFieldKind, ScriptInfo};
pub use replay::{LeaderLine, Replay, ReplaySeat, ReplayStep};
pub use room::{
    ChatMessage, EventMsg, LeaveReason, MemberView, Outcome, Phase, RoomEvent, RoomMode, RoomView,
    ScoreLine, SeatView, You,
};
pub use sealed::{DeviceKeyView, Sealed, SealedCopy};
pub use server::{
    ConversationView, DirectMessage, Outgoing, ReceiptStatus, RoomRef, ServerMsg, StoredDm,
};
pub use stats::{RoomStats, ServerModeStats, SignallingStats};

/// The protocol version the server speaks; sent in `welcome`. Bumped on incompatible changes.
pub const PROTOCOL_VERSION: u32 = 1;

/// A request id, chosen by the client and echoed back as `re`.
pub type RequestId = u64;

/// A player's public id: a short random string, stable for the life of the player.
pub type PlayerId = String;

/// A room's four-letter join code, upper case (e.g. `"KXMR"`).
pub type RoomCode = String;

/// A seat number in a game: 0 for the first player, 1 for the second, and so on.
pub type Seat = usize;

/// A per-room event sequence number. Every room event has one; they increase by one per event.
pub type Seq = u64;

/// `true`: the default of a flag that is on unless a client says otherwise (for serde).
fn yes() -> bool {
    true
}

/// Whether a flag is at its default `true` (for serde: left out when it is).
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_yes(flag: &bool) -> bool {
    *flag
}

#[cfg(test)]
mod tests;

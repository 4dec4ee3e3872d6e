//! Limits that are not settings: sizes chosen once, for reasons given beside each.

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
/// takes memory for what is in it (and `outbox_kib` bounds its bytes).
pub const OUTBOX: usize = 4096;
/// Real-time `input` requests one connection may send a second (and at once): the fastest tick
/// rate, 60 Hz. Inputs past it are dropped; they do not count against the request limit.
pub const INPUTS_PER_SECOND: u32 = 60;
/// Requests queued for one room before new ones get a `busy` error.
pub const ROOM_QUEUE: usize = 1024;
/// File descriptors kept free beside the connections (the database, its log, listeners, logs,
/// mDNS): `max_connections` is lowered to the process's file limit minus this.
pub const SPARE_FDS: u64 = 256;

/// Audit log entries an `admin_audit` gets unless it asks for a number.
pub const AUDIT_PAGE: usize = 100;
/// Most entries one `admin_audit` gets.
pub const MAX_AUDIT_PAGE: usize = 500;
/// Longest announcement.
pub const MAX_ANNOUNCEMENT: usize = 300;
/// Most rooms an overview lists (the rest are counted).
pub const OVERVIEW_ROOMS: usize = 500;
/// Players one room keeps as removed (`kick`): each is in the room's stored row, written with
/// every change of the room. A host who has removed this many locks the room instead.
pub const MAX_BANNED: usize = 200;
/// Players one room keeps muted.
pub const MAX_MUTED: usize = 200;
/// Lines a room's scoreboard keeps: past it, a new winner takes the place of the line with the
/// fewest wins.
pub const MAX_SCORE_LINES: usize = 50;
/// Most bytes one `replay` reply carries (less with a small `outbox_kib`): a few hundred moves
/// of any game here; a longer game's replay stops there and says so.
pub const MAX_REPLAY_BYTES: usize = 256 * 1024;

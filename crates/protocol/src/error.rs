//! Error codes: the stable, machine-readable half of an error reply.
//!
//! An error reply is `{"re": id, "type": "error", "code": "<code>", "message": "<human text>"}`.
//! Clients branch on `code`; `message` is for people and may change wording between versions.

use serde::{Deserialize, Serialize};

/// Every error code the server sends. Serialized in snake_case (`NotYourTurn` is
/// `"not_your_turn"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame was not valid JSON.
    BadJson,
    /// Valid JSON, but not a valid request (missing `id`, missing or mistyped fields).
    BadRequest,
    /// The `type` is not one the server knows.
    UnknownType,
    /// A binary frame: the protocol uses text frames only.
    BinaryNotSupported,
    /// The first request on a connection must be `hello`.
    HelloFirst,
    /// `hello` was already sent on this connection.
    AlreadyHello,
    /// The display name is empty, too long, or has control characters.
    BadName,
    /// The resume token is not known (expired, or from another server).
    BadToken,
    /// No game of that kind on this server.
    UnknownGame,
    /// The game options are not valid for that game.
    BadOptions,
    /// No open room has that code.
    NoSuchRoom,
    /// Every seat is taken (join as a spectator instead).
    RoomFull,
    /// The player is not a member of that room.
    NotMember,
    /// The host locked the room: it takes no new members.
    RoomLocked,
    /// An admin paused new joins (and new rooms) on the whole server.
    JoinsPaused,
    /// The host removed this player from the room; they cannot join it again.
    Kicked,
    /// Only the host can do that.
    NotHost,
    /// Only an admin can do that (the teacher's console).
    NotAdmin,
    /// Only a seated player can do that (spectators watch).
    NotPlayer,
    /// The game cannot start until the game's fewest players are seated.
    SeatsNotFilled,
    /// Not possible in the room's current phase (e.g. `start` during a game, `rematch` before the end).
    WrongPhase,
    /// It is another seat's turn.
    NotYourTurn,
    /// The move is well formed but breaks the rules (e.g. the cell is taken).
    IllegalMove,
    /// The move is not a move of this game (wrong shape or out of range).
    BadMove,
    /// The game is over; no more moves.
    GameOver,
    /// Chat text is empty or longer than the limit.
    BadText,
    /// An admin turned this room's chat off.
    ChatOff,
    /// An admin muted you in this room.
    Muted,
    /// `client_msg_id` is empty or longer than 64 characters.
    BadClientMsgId,
    /// The server cannot take more of this right now (e.g. no free room codes).
    Busy,
    /// Too many requests: slow down (the message says for how long when it matters).
    RateLimited,
    /// This player already hosts as many open rooms as the server allows.
    TooManyRooms,
    /// The session token has expired: log in again.
    TokenExpired,
    /// Wrong username or password (which one is not said).
    LoginFailed,
    /// The username is taken.
    UsernameTaken,
    /// The username is not valid (3 to 20 of a-z, 0-9, `_`, `-`, `.`).
    BadUsername,
    /// The password is too short or too long.
    BadPassword,
    /// This player already has an account.
    AlreadyRegistered,
    /// No player has that id.
    NoSuchPlayer,
    /// One of you blocked the other.
    Blocked,
    /// `signal` in a room whose game the server runs, or `start`/`move` in a `p2p` room (the
    /// host's phone runs it); `create_room` with `mode: p2p` for a game that is not a script.
    WrongMode,
    /// An encrypted message's envelope is malformed (not base64url, keys of the wrong length,
    /// copies that differ in length, too many copies).
    BadEnvelope,
    /// An encrypted message names a device that its player does not have (or the sending
    /// device is not one of the sender's).
    UnknownDevice,
    /// The players' devices changed: the message has no copy for some of them. Fetch
    /// `keys_of` for both and seal it again.
    KeysChanged,
    /// Only for players with an account (e.g. `logout`).
    NotRegistered,
    /// The server is shutting down (a request reached a part already stopped); reconnect
    /// shortly.
    ShuttingDown,
    /// Something failed inside the server; the request changed nothing.
    Internal,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadJson => "bad_json",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::UnknownType => "unknown_type",
            ErrorCode::BinaryNotSupported => "binary_not_supported",
            ErrorCode::HelloFirst => "hello_first",
            ErrorCode::AlreadyHello => "already_hello",
            ErrorCode::BadName => "bad_name",
            ErrorCode::BadToken => "bad_token",
            ErrorCode::UnknownGame => "unknown_game",
            ErrorCode::BadOptions => "bad_options",
            ErrorCode::NoSuchRoom => "no_such_room",
            ErrorCode::RoomFull => "room_full",
            ErrorCode::NotMember => "not_member",
            ErrorCode::RoomLocked => "room_locked",
            ErrorCode::JoinsPaused => "joins_paused",
            ErrorCode::Kicked => "kicked",
            ErrorCode::NotHost => "not_host",
            ErrorCode::NotAdmin => "not_admin",
            ErrorCode::NotPlayer => "not_player",
            ErrorCode::SeatsNotFilled => "seats_not_filled",
            ErrorCode::WrongPhase => "wrong_phase",
            ErrorCode::NotYourTurn => "not_your_turn",
            ErrorCode::IllegalMove => "illegal_move",
            ErrorCode::BadMove => "bad_move",
            ErrorCode::GameOver => "game_over",
            ErrorCode::BadText => "bad_text",
            ErrorCode::ChatOff => "chat_off",
            ErrorCode::Muted => "muted",
            ErrorCode::BadClientMsgId => "bad_client_msg_id",
            ErrorCode::Busy => "busy",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::TooManyRooms => "too_many_rooms",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::LoginFailed => "login_failed",
            ErrorCode::UsernameTaken => "username_taken",
            ErrorCode::BadUsername => "bad_username",
            ErrorCode::BadPassword => "bad_password",
            ErrorCode::AlreadyRegistered => "already_registered",
            ErrorCode::NoSuchPlayer => "no_such_player",
            ErrorCode::Blocked => "blocked",
            ErrorCode::WrongMode => "wrong_mode",
            ErrorCode::BadEnvelope => "bad_envelope",
            ErrorCode::UnknownDevice => "unknown_device",
            ErrorCode::KeysChanged => "keys_changed",
            ErrorCode::NotRegistered => "not_registered",
            ErrorCode::ShuttingDown => "shutting_down",
            ErrorCode::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

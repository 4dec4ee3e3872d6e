//! Messages from a client to the server.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{AdminAction, PlayerId, RequestId, RoomCode, RoomMode, Sealed, Seq};

/// One request frame: `{"id": 7, "type": "...", ...fields of the type}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Chosen by the client; the reply carries it back as `re`.
    pub id: RequestId,
    /// The request itself, tagged by `type`.
    #[serde(flatten)]
    pub body: ClientMsg,
}

/// How a player takes part in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Takes a seat and plays.
    #[default]
    Player,
    /// Watches: sees the public state of the game, never a seat's hidden information.
    Spectator,
}

/// Every request a client can make, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    /// The first request on every connection. Without `token`: a new guest player named `name`.
    /// With `token`: the player who was given that token (and `name`, if present, renames them).
    /// Reply: `welcome`.
    Hello {
        /// Display name: 1 to 24 characters, no control characters.
        #[serde(default)]
        name: Option<String>,
        /// A resume token from an earlier `welcome`.
        #[serde(default)]
        token: Option<String>,
    },
    /// The games this server offers and their options. Reply: `games`.
    ListGames,
    /// Create a room for `game` and take its first seat as host (or, `"as": "spectator"`, host
    /// it without a seat: a big screen). Reply: `joined`.
    CreateRoom {
        /// Game kind, e.g. `"tictactoe"`.
        game: String,
        /// Game options, e.g. `{"best_of": 3}`; defaults apply to what is left out.
        #[serde(default)]
        options: Option<Value>,
        /// Seconds each seat has for its turn (5 to 600); none: no turn timer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        turn_seconds: Option<u32>,
        /// Player (default: the host takes the first seat) or spectator (the host watches).
        #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
        role: Option<Role>,
        /// The creator is a big screen (see `join_room`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        screen: bool,
        /// `p2p`: the host's phone runs the game (only for games whose rules are a script).
        #[serde(default, skip_serializing_if = "RoomMode::is_server")]
        mode: RoomMode,
    },
    /// Join a room by code, or come back to one after a dropped connection. Reply: `joined`.
    JoinRoom {
        /// The four-letter code (any case).
        code: RoomCode,
        /// Player (default) or spectator. Ignored when already a member.
        #[serde(default, rename = "as")]
        role: Option<Role>,
        /// The last event `seq` this client saw in the room: the reply then carries only what
        /// happened after it.
        #[serde(default)]
        since: Option<Seq>,
        /// A big screen watching: counted apart from the spectators, and not listed among them.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        screen: bool,
    },
    /// Leave a room (forfeits a game in progress). Reply: `ok`.
    LeaveRoom {
        /// The room.
        code: RoomCode,
    },
    /// A seated player says whether they are ready for the next game (in the lobby). The host
    /// sees who is; starting does not wait for it. Reply: `ok`.
    Ready {
        /// The room.
        code: RoomCode,
        /// Ready (`true`) or not yet.
        ready: bool,
    },
    /// Host only: remove a member from the room for good (they cannot join it again), with a
    /// reason they are shown. Reply: `ok`.
    Kick {
        /// The room.
        code: RoomCode,
        /// Who.
        player: PlayerId,
        /// Why, in words (up to 200 characters).
        #[serde(default)]
        reason: Option<String>,
    },
    /// Host only: a locked room takes no new members (its members may still come back).
    /// Reply: `ok`.
    Lock {
        /// The room.
        code: RoomCode,
        /// Locked or open.
        locked: bool,
    },
    /// Host only: hand the host's controls to another member. Reply: `ok`.
    SetHost {
        /// The room.
        code: RoomCode,
        /// The new host.
        player: PlayerId,
    },
    /// Host only, between games: the room plays another game from now on, with the same code
    /// and members. Reply: `ok`.
    ChangeGame {
        /// The room.
        code: RoomCode,
        /// Game kind.
        game: String,
        /// Its options; defaults apply to what is left out.
        #[serde(default)]
        options: Option<Value>,
        /// Seconds a turn (5 to 600, 0: none); left out: the game's default.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        turn_seconds: Option<u32>,
        /// `server` or `p2p` (script games only); left out: the room's mode as it is. How a p2p
        /// room whose phones cannot connect directly goes on through the server.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mode: Option<RoomMode>,
    },
    /// Host only: end the game in progress now, with no winner. Reply: `ok`.
    EndGame {
        /// The room.
        code: RoomCode,
    },
    /// A member's emoji reaction, shown floating on the big screen (one of [`REACTIONS`]; a
    /// few a second at most). Reply: `ok`.
    React {
        /// The room.
        code: RoomCode,
        /// The emoji.
        emoji: String,
    },
    /// A finished game of the room, step by step as a spectator saw it (the latest finished
    /// game, or game `game_no`), to replay it. Members only. Reply: `replay`.
    Replay {
        /// The room.
        code: RoomCode,
        /// Which game (see `game_no` in the room); absent: the latest that finished.
        #[serde(default)]
        game_no: Option<u32>,
    },
    /// The lesson's leaderboard: wins and games played in every room since an admin started
    /// the lesson (`new_lesson`). Reply: `leaderboard`.
    Leaderboard,
    /// Admins only: a new lesson starts now (the leaderboard counts from here). Reply: `ok`.
    NewLesson,
    /// Admins only: every open room, who is online, chat so far. Reply: `overview`.
    AdminOverview,
    /// Admins only: act on any room. Reply: `ok`.
    AdminRoom {
        /// The room.
        code: RoomCode,
        /// What to do.
        #[serde(flatten)]
        action: AdminAction,
    },
    /// Admins only: a message on every phone (or only in room `code`). Reply: `ok`.
    Announce {
        /// The text (1 to 300 characters).
        text: String,
        /// Only this room's members; absent: everyone connected.
        #[serde(default)]
        code: Option<RoomCode>,
    },
    /// Admins only: server-wide switches (each left out stays as it is). Reply: `ok`.
    AdminServer {
        /// Chat off in every room.
        #[serde(default)]
        chat_off: Option<bool>,
        /// Nobody new may create or join a room (members still come back).
        #[serde(default)]
        joins_paused: Option<bool>,
    },
    /// Admins only: every game script the server knows of, how each stands. Reply:
    /// `script_games`.
    AdminScripts,
    /// Admins only: turns a script game off (new rooms cannot pick it; games being played go
    /// on) or on again. Stored: it stays so across restarts. Reply: `ok`.
    AdminScript {
        /// The game's kind.
        kind: String,
        /// On offer or not.
        on: bool,
    },
    /// Admins only: saves a game script (rules or board) into the server's games folder, as if
    /// it had been copied there; it loads within moments (see `admin_scripts` for how it
    /// went). Reply: `ok` once the file is on disk.
    AdminUploadScript {
        /// `NAME.js` (rules) or `NAME.board.js` (board).
        file: String,
        /// The script.
        source: String,
    },
    /// Admins only: the newest entries of the audit log. Reply: `audit`.
    AdminAudit {
        /// How many (default 100, at most 500).
        #[serde(default)]
        limit: Option<usize>,
    },
    /// Host only: start the game once the game's fewest players are seated. Reply: `ok`.
    Start {
        /// The room.
        code: RoomCode,
    },
    /// Make a move in the room's game; its shape depends on the game. Reply: `ok`.
    Move {
        /// The room.
        code: RoomCode,
        /// The move, e.g. `{"cell": 4}`.
        #[serde(rename = "move")]
        mv: Value,
    },
    /// Real-time games: this seat's control input (its shape depends on the game). Never
    /// answered: the latest input of a seat is used at the next tick, the frames show it.
    Input {
        /// The room.
        code: RoomCode,
        /// The input, e.g. `{"turn": "left"}`.
        input: Value,
    },
    /// After game over: bring the room back to the lobby with the same seats, first player
    /// rotated. Reply: `ok`.
    Rematch {
        /// The room.
        code: RoomCode,
    },
    /// Send a chat message to the room. Reply: `chat_sent`.
    Chat {
        /// The room.
        code: RoomCode,
        /// The text: 1 to the server's limit (default 500) characters.
        text: String,
        /// Chosen by the client, unique per message; a retry with the same id is stored and
        /// delivered once.
        client_msg_id: String,
        /// `false`: the sender is not sent its own message back as a `chat` event; the
        /// `chat_sent` reply carries what the sender needs instead (seq and ts; the text as
        /// stored when the word filter changed it). Default `true`: every member, the sender
        /// included, gets the event.
        #[serde(default = "crate::yes", skip_serializing_if = "crate::is_yes")]
        echo: bool,
    },
    /// Older chat messages of a room, newest first page first. Reply: `chat_page`.
    ChatHistory {
        /// The room.
        code: RoomCode,
        /// Only messages with `seq` below this (default: the newest).
        #[serde(default)]
        before: Option<Seq>,
        /// At most this many (default 50, at most 200).
        #[serde(default)]
        limit: Option<u32>,
    },
    /// Keep-alive at the application level. Reply: `pong`.
    Ping,
    /// Turn this guest into an account (same id, rooms and history). Reply: `registered`.
    Register {
        /// 3 to 20 of `a-z 0-9 _ - .` (any case; stored lower case).
        username: String,
        /// 8 to 128 characters.
        password: String,
    },
    /// Instead of `hello`, as the first request: become the player with this account. Reply:
    /// `welcome`, with a new session token for this device.
    Login {
        /// The username.
        username: String,
        /// The password.
        password: String,
    },
    /// End this device's session: its token stops working. The connection stays open and
    /// expects `hello` or `login` again. Reply: `ok`.
    Logout,
    /// WebRTC signalling in a `p2p` room: `data` (an offer, an answer or an ICE candidate, as
    /// the page chooses to write it) is pushed to the member `to` as it is. Reply: `ok`.
    Signal {
        /// The room.
        code: RoomCode,
        /// The member it is for.
        to: String,
        /// Any JSON, at most 16 KiB written out.
        data: Value,
    },
    /// How long the sender's last move took it, from the tap to the server's answer, in
    /// milliseconds (0 to 60,000): for the room's figures (`room_stats`). Only for a move of
    /// the sender's not yet timed, in a server-mode room. Reply: `ok`.
    MoveTime {
        /// The room.
        code: RoomCode,
        /// Milliseconds.
        ms: u32,
    },
    /// What the room measured of its games, for the comparison of the two models. Reply:
    /// `room_stats`.
    RoomStats {
        /// The room.
        code: RoomCode,
    },
    /// Send a direct message to another player: its `text`, or `sealed` (end-to-end
    /// encrypted, with no `text`). Reply: `dm_sent`.
    Dm {
        /// The recipient's player id.
        to: String,
        /// 1 to the server's limit (default 2000) characters; absent when `sealed`.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        text: String,
        /// The message sealed for each device of both players.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sealed: Option<Sealed>,
        /// Chosen by the client; a retry with the same id is stored and delivered once.
        client_msg_id: String,
    },
    /// Messages of the conversation with a player: before `before` (newest page), or after
    /// `after` (to catch up from the last `seq` seen). Reply: `dm_page`.
    DmHistory {
        /// The other player.
        with: String,
        /// Only messages with `seq` below this.
        #[serde(default)]
        before: Option<Seq>,
        /// Only messages with `seq` above this (takes precedence over `before`).
        #[serde(default)]
        after: Option<Seq>,
        /// At most this many (default 50, at most 200).
        #[serde(default)]
        limit: Option<u32>,
    },
    /// Mark the messages from a player up to `seq` as read; the sender gets a receipt. Reply:
    /// `ok`.
    DmRead {
        /// The other player.
        with: String,
        /// The last message read.
        seq: Seq,
    },
    /// Publish this device's public key for encrypted direct messages (again at every
    /// connect: it says the device still uses it). Reply: `key_published`.
    PublishKey {
        /// The public key: 65 bytes (uncompressed P-256), base64url.
        key: String,
    },
    /// One of your direct messages exactly as the server stores it (for the page that shows
    /// who can read what). Reply: `dm_row`.
    DmStored {
        /// The other player of the conversation.
        with: String,
        /// The message.
        seq: Seq,
    },
    /// The devices a player can receive encrypted messages on. Reply: `keys`.
    KeysOf {
        /// Whose.
        player: String,
    },
    /// This player's conversations, most recent first. Reply: `conversations`.
    Conversations,
    /// Stop `player` from sending you direct messages and seeing your presence. Reply: `ok`.
    Block {
        /// Whom to block.
        player: String,
    },
    /// Undo a block. Reply: `ok`.
    Unblock {
        /// Whom to unblock.
        player: String,
    },
}

/// The emoji a `react` may send.
pub const REACTIONS: &[&str] = &["👏", "😂", "😮", "🔥", "❤️", "👍", "🎉", "😢"];

mod kinds;
pub use kinds::REQUEST_TYPES;

pub use crate::parse::{BadRequest, parse_request};

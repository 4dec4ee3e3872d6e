//! Where each request goes: a pure function from "has this connection identified?" and the
//! request to a [`Route`]. No state, no I/O: the session then does what the route says.

use capital_protocol::{AdminAction, ClientMsg, Role, Sealed, Seq};
use serde_json::Value;

use crate::config::limits::{AUDIT_PAGE, HISTORY_PAGE, MAX_AUDIT_PAGE, MAX_HISTORY_PAGE};
use crate::env::Switches;
use crate::lobby::RoomSetup;
use crate::room::{HostAction, RoomRequest};

/// What a request asks for, and of whom.
#[derive(Debug)]
pub enum Route {
    /// Refused before anything: the first request must identify; or it already did.
    Refuse(Refusal),
    /// `ping`, answered at once.
    Pong,
    /// `list_games`.
    ListGames,
    /// Identity: `hello`, `login`, `register`, `logout`.
    Identity(IdentityRequest),
    /// `create_room`, for the lobby.
    CreateRoom {
        /// The game kind.
        game: String,
        /// Its options.
        options: Option<Value>,
        /// Turn timers and where the game runs.
        setup: RoomSetup,
        /// The creator's place: a seat (default) or watching (a big screen hosting).
        role: Role,
        /// The creator is a big screen.
        screen: bool,
    },
    /// `leaderboard`: the lesson's wins, from the store.
    Leaderboard,
    /// The teacher's console (admins only; the session checks).
    Admin(AdminRequest),
    /// A request for the room with code `code`.
    Room {
        /// The code as typed.
        code: String,
        /// What for.
        cmd: RoomRequest,
    },
    /// A real-time input for the room with code `code`: never answered.
    Input {
        /// The code as typed.
        code: String,
        /// The input.
        input: Value,
    },
    /// A direct-message request, for the hub (or the store, for history).
    Dm(DmRequest),
}

/// Why a request is refused before it goes anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not identified yet, and the request is not `hello` or `login`.
    HelloFirst,
    /// `hello` or `login` on a connection that already identified.
    AlreadyIdentified,
}

/// Who the connection speaks for.
#[derive(Debug)]
pub enum IdentityRequest {
    /// `hello`: a new guest, or a player back with a token.
    Hello {
        /// The display name.
        name: Option<String>,
        /// A resume token.
        token: Option<String>,
    },
    /// `login`.
    Login {
        /// As typed.
        username: String,
        /// The password.
        password: String,
    },
    /// `register`.
    Register {
        /// As typed.
        username: String,
        /// The password.
        password: String,
    },
    /// `logout`.
    Logout,
}

/// A request of the teacher's console.
#[derive(Debug)]
pub enum AdminRequest {
    /// `admin_overview`.
    Overview,
    /// `admin_room`.
    Room {
        /// The code as typed.
        code: String,
        /// What to do.
        action: AdminAction,
    },
    /// `announce`.
    Announce {
        /// The text.
        text: String,
        /// One room, or everyone.
        code: Option<String>,
    },
    /// `admin_audit`.
    Audit {
        /// How many entries.
        limit: usize,
    },
    /// `new_lesson`: the leaderboard counts from now.
    NewLesson,
    /// `admin_scripts`.
    Scripts,
    /// `admin_upload_script`.
    Upload {
        /// The file's name.
        file: String,
        /// Its text.
        source: String,
    },
    /// `admin_script`: a script game off or on.
    Script {
        /// The game's kind.
        kind: String,
        /// On offer or not.
        on: bool,
    },
    /// `admin_server`: (switch, on) for each switch asked about.
    Server(Vec<(&'static str, bool)>),
}

/// A direct-message request.
#[derive(Debug)]
pub enum DmRequest {
    /// `dm`.
    Send {
        /// The recipient.
        to: String,
        /// The text; empty when `sealed`.
        text: String,
        /// The encrypted message.
        sealed: Option<Sealed>,
        /// The client's id for it.
        client_msg_id: String,
    },
    /// `publish_key`.
    PublishKey {
        /// The public key, base64url.
        key: String,
    },
    /// `keys_of`.
    KeysOf {
        /// Whose.
        player: String,
    },
    /// `dm_stored`.
    Stored {
        /// The other player.
        with: String,
        /// The message.
        seq: Seq,
    },
    /// `dm_history`, with the page size already clamped.
    History {
        /// The other player.
        with: String,
        /// Below this seq.
        before: Option<Seq>,
        /// Above this seq.
        after: Option<Seq>,
        /// Page size.
        limit: usize,
    },
    /// `dm_read`.
    Read {
        /// The other player.
        with: String,
        /// Up to here.
        seq: Seq,
    },
    /// `conversations`.
    Conversations,
    /// `block` (`on`) or `unblock`.
    Block {
        /// Whom.
        player: String,
        /// Block or unblock.
        on: bool,
    },
}

/// A page size as asked, within its bounds.
fn page(limit: Option<u32>) -> usize {
    limit.unwrap_or(HISTORY_PAGE).clamp(1, MAX_HISTORY_PAGE) as usize
}

/// Where `msg` goes, on a connection that has (`identified`) or has not said who it is.
pub fn route(identified: bool, msg: ClientMsg) -> Route {
    use ClientMsg as M;
    match (identified, msg) {
        (false, M::Hello { name, token }) => {
            Route::Identity(IdentityRequest::Hello { name, token })
        }
        (false, M::Login { username, password }) => {
            Route::Identity(IdentityRequest::Login { username, password })
        }
        (true, M::Hello { .. } | M::Login { .. }) => Route::Refuse(Refusal::AlreadyIdentified),
        (false, _) => Route::Refuse(Refusal::HelloFirst),
        (true, M::Ping) => Route::Pong,
        (true, M::ListGames) => Route::ListGames,
        (true, M::Register { username, password }) => {
            Route::Identity(IdentityRequest::Register { username, password })
        }
        (true, M::Logout) => Route::Identity(IdentityRequest::Logout),
        (true, M::CreateRoom { game, options, turn_seconds, role, screen, mode }) => {
            let role = role.unwrap_or_default();
            Route::CreateRoom {
                game,
                options,
                setup: RoomSetup { turn_seconds, mode },
                role,
                screen,
            }
        }
        (true, M::Signal { code, to, data }) => {
            Route::Room { code, cmd: RoomRequest::Signal { to, data } }
        }
        (true, M::MoveTime { code, ms }) => Route::Room { code, cmd: RoomRequest::MoveTime(ms) },
        (true, M::RoomStats { code }) => Route::Room { code, cmd: RoomRequest::Stats },
        (true, M::JoinRoom { code, role, since, screen }) => Route::Room {
            code,
            cmd: RoomRequest::Join { role: role.unwrap_or_default(), since, screen },
        },
        (true, M::LeaveRoom { code }) => Route::Room { code, cmd: RoomRequest::Leave },
        (true, M::Ready { code, ready }) => Route::Room { code, cmd: RoomRequest::Ready(ready) },
        (true, M::React { code, emoji }) => Route::Room { code, cmd: RoomRequest::React(emoji) },
        (true, M::Replay { code, game_no }) => {
            Route::Room { code, cmd: RoomRequest::Replay { game_no } }
        }
        (true, M::Leaderboard) => Route::Leaderboard,
        (true, M::NewLesson) => Route::Admin(AdminRequest::NewLesson),
        (true, M::AdminOverview) => Route::Admin(AdminRequest::Overview),
        (true, M::AdminRoom { code, action }) => Route::Admin(AdminRequest::Room { code, action }),
        (true, M::Announce { text, code }) => Route::Admin(AdminRequest::Announce { text, code }),
        (true, M::AdminServer { chat_off, joins_paused }) => {
            let switches = [(Switches::CHAT_OFF, chat_off), (Switches::JOINS_PAUSED, joins_paused)];
            let asked = switches.into_iter().filter_map(|(key, on)| Some((key, on?))).collect();
            Route::Admin(AdminRequest::Server(asked))
        }
        (true, M::AdminScripts) => Route::Admin(AdminRequest::Scripts),
        (true, M::AdminScript { kind, on }) => Route::Admin(AdminRequest::Script { kind, on }),
        (true, M::AdminUploadScript { file, source }) => {
            Route::Admin(AdminRequest::Upload { file, source })
        }
        (true, M::AdminAudit { limit }) => Route::Admin(AdminRequest::Audit {
            limit: limit.unwrap_or(AUDIT_PAGE).clamp(1, MAX_AUDIT_PAGE),
        }),
        (true, M::Kick { code, player, reason }) => {
            Route::Room { code, cmd: RoomRequest::Host(HostAction::Kick { player, reason }) }
        }
        (true, M::Lock { code, locked }) => {
            Route::Room { code, cmd: RoomRequest::Host(HostAction::Lock(locked)) }
        }
        (true, M::SetHost { code, player }) => {
            Route::Room { code, cmd: RoomRequest::Host(HostAction::SetHost(player)) }
        }
        (true, M::ChangeGame { code, game, options, turn_seconds, mode }) => Route::Room {
            code,
            cmd: RoomRequest::Host(HostAction::ChangeGame { game, options, turn_seconds, mode }),
        },
        (true, M::EndGame { code }) => {
            Route::Room { code, cmd: RoomRequest::Host(HostAction::EndGame) }
        }
        (true, M::Start { code }) => Route::Room { code, cmd: RoomRequest::Start },
        (true, M::Move { code, mv }) => Route::Room { code, cmd: RoomRequest::Move(mv) },
        (true, M::Input { code, input }) => Route::Input { code, input },
        (true, M::Rematch { code }) => Route::Room { code, cmd: RoomRequest::Rematch },
        (true, M::Chat { code, text, client_msg_id, echo }) => {
            Route::Room { code, cmd: RoomRequest::Chat { text, client_msg_id, echo } }
        }
        (true, M::ChatHistory { code, before, limit }) => {
            Route::Room { code, cmd: RoomRequest::History { before, limit: page(limit) } }
        }
        (true, M::Dm { to, text, sealed, client_msg_id }) => {
            Route::Dm(DmRequest::Send { to, text, sealed, client_msg_id })
        }
        (true, M::PublishKey { key }) => Route::Dm(DmRequest::PublishKey { key }),
        (true, M::KeysOf { player }) => Route::Dm(DmRequest::KeysOf { player }),
        (true, M::DmStored { with, seq }) => Route::Dm(DmRequest::Stored { with, seq }),
        (true, M::DmHistory { with, before, after, limit }) => {
            Route::Dm(DmRequest::History { with, before, after, limit: page(limit) })
        }
        (true, M::DmRead { with, seq }) => Route::Dm(DmRequest::Read { with, seq }),
        (true, M::Conversations) => Route::Dm(DmRequest::Conversations),
        (true, M::Block { player }) => Route::Dm(DmRequest::Block { player, on: true }),
        (true, M::Unblock { player }) => Route::Dm(DmRequest::Block { player, on: false }),
    }
}

#[cfg(test)]
mod tests;

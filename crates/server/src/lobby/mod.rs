//! The lobby: room codes and the directory of open rooms (code -> room actor).
//!
//! Creating a room reserves a free code, makes the room's row durable, and only then starts
//! the room and lists it: nobody can find (or join) a room the store does not hold. Rooms report
//! their own closing (through the hook the directory gives them), which frees their code.
//! Bounded: rooms in all, open rooms per creator (counted, not searched), new rooms per address
//! per minute.
//!
//! # Layout
//! - [`codes`]: the code alphabet, random codes, normalizing what people type.
//! - [`Directory`]: creating rooms, finding them by code.
//! - [`restore`]: bringing rooms back from the store, at start (and, in a cluster, when their
//!   node died).
//! - [`Placement`]: where rooms run when several nodes share a store (none on a single node).

pub mod codes;
mod placement;
mod restore;

pub use placement::Placement;

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use capital_games::Registry;
use capital_protocol::{ErrorCode, Phase, PlayerId, RoomMode};
use capital_store::{RoomId, RoomRecord, Write};
use rand::RngExt;
use serde_json::Value;

use crate::limits::PerMinute;
use crate::players::Player;
use crate::room::actor::Room;
use crate::room::{RoomEnv, RoomHandle};

/// Random codes tried before giving up (the code space has 83,521 codes).
const CODE_ATTEMPTS: usize = 64;

/// The lobby's limits.
#[derive(Debug, Clone, Copy)]
pub struct LobbySettings {
    /// Open rooms in all.
    pub max_rooms: usize,
    /// Open rooms one player may have created.
    pub max_rooms_per_player: usize,
    /// New rooms one address may create per minute.
    pub new_rooms_per_minute: u32,
}

/// Why a room was not created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LobbyError {
    /// No such game here.
    #[error("this server has no game {0:?}")]
    UnknownGame(String),
    /// An admin paused new joins and rooms.
    #[error("the teacher has paused joining for now")]
    JoinsPaused,
    /// The options do not fit the game.
    #[error("{0}")]
    BadOptions(String),
    /// The creator has as many open rooms as allowed.
    #[error("you already have {0} open rooms; the limit is {0}")]
    TooManyRooms(usize),
    /// The server has as many rooms as it takes.
    #[error("the server has as many rooms open as it takes; try again later")]
    Full,
    /// No free code was found.
    #[error("no free room code; try again later")]
    NoFreeCode,
    /// The address created too many rooms lately.
    #[error("too many new rooms from your address; try again in {} seconds", .0.as_secs().max(1))]
    RateLimited(Duration),
    /// `mode: p2p` for a game the server does not have as a script (a phone could not run it).
    #[error("only a game whose rules are a script can be played peer-to-peer")]
    WrongMode,
    /// The room could not be stored.
    #[error("the server could not save the room; try again")]
    Internal,
}

/// How a new room is set up, besides its game and options.
#[derive(Debug, Clone, Copy, Default)]
pub struct RoomSetup {
    /// Seconds per turn, for a room with turn timers.
    pub turn_seconds: Option<u32>,
    /// Where its game runs.
    pub mode: RoomMode,
}

impl LobbyError {
    /// The code clients get.
    pub fn code(&self) -> ErrorCode {
        match self {
            LobbyError::UnknownGame(_) => ErrorCode::UnknownGame,
            LobbyError::BadOptions(_) => ErrorCode::BadOptions,
            LobbyError::TooManyRooms(_) => ErrorCode::TooManyRooms,
            LobbyError::Full | LobbyError::NoFreeCode => ErrorCode::Busy,
            LobbyError::RateLimited(_) => ErrorCode::RateLimited,
            LobbyError::Internal => ErrorCode::Internal,
            LobbyError::JoinsPaused => ErrorCode::JoinsPaused,
            LobbyError::WrongMode => ErrorCode::WrongMode,
        }
    }
}

/// Every open room, by code. Cheap to clone.
#[derive(Clone)]
pub struct Directory {
    shared: Arc<Shared>,
}

struct Shared {
    rooms: Mutex<Rooms>,
    /// What each room gets (its games are the directory's) (its `on_close` points back here).
    room_env: RoomEnv,
    settings: LobbySettings,
    new_rooms: PerMinute<IpAddr>,
    /// Where rooms run, in a cluster.
    placement: OnceLock<Arc<dyn Placement>>,
}

#[derive(Default)]
struct Rooms {
    by_code: HashMap<String, RoomHandle>,
    /// Codes of rooms being created (their row on its way to the disk).
    reserved: HashSet<String>,
    /// Open (and reserved) rooms per creator.
    per_creator: HashMap<PlayerId, usize>,
}

impl Rooms {
    fn count(&mut self, creator: &str, delta: isize) {
        let n = self.per_creator.entry(creator.to_owned()).or_insert(0);
        *n = n.saturating_add_signed(delta);
        if *n == 0 {
            self.per_creator.remove(creator);
        }
    }
}

impl Directory {
    /// An empty directory of rooms of `room_env.games`, each started with `room_env` (whose
    /// `on_close` is replaced by the directory's own).
    pub fn new(room_env: RoomEnv, settings: LobbySettings) -> Self {
        let shared = Arc::new_cyclic(|me: &Weak<Shared>| {
            let me = me.clone();
            let mut room_env = room_env;
            room_env.on_close = Arc::new(move |code: &str, id: RoomId| {
                if let Some(shared) = me.upgrade() {
                    shared.forget(code, id);
                }
            });
            Shared {
                rooms: Mutex::new(Rooms::default()),
                room_env,
                settings,
                new_rooms: PerMinute::new(settings.new_rooms_per_minute),
                placement: OnceLock::new(),
            }
        });
        Directory { shared }
    }

    /// Places every room from now on with `placement` (a cluster's; set once, before any
    /// room is created or restored).
    pub fn place_with(&self, placement: Arc<dyn Placement>) {
        let _ = self.shared.placement.set(placement);
    }

    fn placement(&self) -> Option<&Arc<dyn Placement>> {
        self.shared.placement.get()
    }

    /// The games rooms can be created for.
    pub fn games(&self) -> &Registry {
        &self.shared.room_env.games
    }

    /// The open room with this code (as typed: any case).
    pub fn get(&self, typed: &str) -> Option<RoomHandle> {
        let code = codes::normalize(typed)?;
        self.shared.rooms.lock().expect("directory lock").by_code.get(&code).cloned()
    }

    /// How many rooms are open.
    pub fn len(&self) -> usize {
        self.shared.rooms.lock().expect("directory lock").by_code.len()
    }

    /// Up to `limit` open rooms, by code (the teacher's console lists them).
    pub fn list(&self, limit: usize) -> Vec<RoomHandle> {
        let rooms = self.shared.rooms.lock().expect("directory lock");
        let mut handles: Vec<RoomHandle> = rooms.by_code.values().cloned().collect();
        handles.sort_by(|a, b| a.code.cmp(&b.code));
        handles.truncate(limit);
        handles
    }

    /// Whether no room is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Creates a room for `game` with `host` as host, asked from `ip`; durable before it is
    /// listed. The host still has to join it (as anyone else).
    pub async fn create(
        &self,
        host: &Player,
        ip: IpAddr,
        game: &str,
        options: Option<Value>,
        setup: RoomSetup,
    ) -> Result<RoomHandle, LobbyError> {
        let shared = &self.shared;
        if shared.room_env.env.switches.joins_paused() {
            return Err(LobbyError::JoinsPaused);
        }
        let entry = shared
            .room_env
            .games
            .find(game)
            .ok_or_else(|| LobbyError::UnknownGame(game.to_owned()))?;
        let options = options.unwrap_or(Value::Null);
        let (options, players) =
            entry.check(&options).map_err(|e| LobbyError::BadOptions(e.to_string()))?;
        let turn_seconds = crate::room::turn_seconds(&*entry, setup.turn_seconds)
            .map_err(LobbyError::BadOptions)?;
        if setup.mode == RoomMode::P2p && entry.source().is_none() {
            return Err(LobbyError::WrongMode);
        }
        shared.new_rooms.hit(&ip, std::time::Instant::now()).map_err(LobbyError::RateLimited)?;
        let id = rand::rng().random_range(1..i64::MAX);
        let code = self.reserve(host)?;
        let code = match self.placement() {
            Some(placement) => self.claim(placement, code, id, &host.id).await?,
            None => code,
        };
        let record = RoomRecord {
            id,
            mode: setup.mode,
            code: code.clone(),
            game: entry.kind().to_owned(),
            options,
            host: host.id.clone(),
            phase: Phase::Lobby,
            game_no: 0,
            seq: 0,
            outcome: None,
            players: 0,
            seed: 0,
            deadlines: Vec::new(),
            turn_seconds,
            snapshot: None,
            snapshot_tick: 0,
            created_ms: shared.room_env.env.clock.now_ms(),
            closed: false,
            locked: false,
            banned: Vec::new(),
            chat_off: false,
            muted: Vec::new(),
            scoreboard: Vec::new(),
            game_version: crate::room::rules::version(&*entry),
        };
        // A script's rules are kept with the room: it comes back with them after a restart.
        let mut batch = capital_store::WriteBatch::new();
        batch.push(Write::PutRoom(record.clone()));
        if let Some(keep) = crate::room::rules::keep(&*entry) {
            batch.push(keep);
        }
        let stored = shared.room_env.env.store.commit(batch).await;
        let mut rooms = shared.rooms.lock().expect("directory lock");
        rooms.reserved.remove(&code);
        if let Err(e) = stored {
            rooms.count(&host.id, -1);
            tracing::error!(error = %e, "could not store a new room");
            return Err(LobbyError::Internal);
        }
        let kind = entry.kind().to_owned();
        let handle = Room::create(shared.room_env.clone(), record, entry, players).spawn();
        rooms.by_code.insert(code, handle.clone());
        drop(rooms);
        if let Some(placement) = self.placement() {
            placement.adopt(&handle);
        }
        tracing::info!(code = %handle.code, game = %kind, "room created");
        Ok(handle)
    }

    /// Reserves a free code for a room of `host`'s (counted against their open rooms).
    fn reserve(&self, host: &Player) -> Result<String, LobbyError> {
        let shared = &self.shared;
        let mut rooms = shared.rooms.lock().expect("directory lock");
        if rooms.by_code.len() + rooms.reserved.len() >= shared.settings.max_rooms {
            return Err(LobbyError::Full);
        }
        let max = shared.settings.max_rooms_per_player;
        if rooms.per_creator.get(&host.id).copied().unwrap_or(0) >= max {
            return Err(LobbyError::TooManyRooms(max));
        }
        let code = Self::free_code(&rooms)?;
        rooms.reserved.insert(code.clone());
        rooms.count(&host.id, 1);
        Ok(code)
    }

    fn free_code(rooms: &Rooms) -> Result<String, LobbyError> {
        (0..CODE_ATTEMPTS)
            .map(|_| codes::random())
            .find(|code| !rooms.by_code.contains_key(code) && !rooms.reserved.contains(code))
            .ok_or(LobbyError::NoFreeCode)
    }

    /// The reserved `code`, or another, taken for this node in the cluster (a code another
    /// node's open room has is not free here either). On failure nothing stays reserved.
    async fn claim(
        &self,
        placement: &Arc<dyn Placement>,
        mut code: String,
        id: RoomId,
        host: &str,
    ) -> Result<String, LobbyError> {
        let mut attempts = 0;
        loop {
            let claimed = placement.claim(&code, id).await;
            let mut rooms = self.shared.rooms.lock().expect("directory lock");
            rooms.reserved.remove(&code);
            attempts += 1;
            let next = match claimed {
                Ok(true) => {
                    rooms.reserved.insert(code.clone());
                    return Ok(code);
                }
                Ok(false) if attempts < CODE_ATTEMPTS => Self::free_code(&rooms),
                Ok(false) => Err(LobbyError::NoFreeCode),
                Err(()) => Err(LobbyError::Internal),
            };
            match next {
                Ok(next) => {
                    rooms.reserved.insert(next.clone());
                    code = next;
                }
                Err(e) => {
                    rooms.count(host, -1);
                    return Err(e);
                }
            }
        }
    }
}

impl Shared {
    /// A room closed: its code is free, its creator has one room fewer.
    fn forget(&self, code: &str, id: RoomId) {
        let mut rooms = self.rooms.lock().expect("directory lock");
        if rooms.by_code.get(code).is_some_and(|r| r.id == id)
            && let Some(room) = rooms.by_code.remove(code)
        {
            rooms.count(&room.creator, -1);
        }
    }
}

#[cfg(test)]
mod tests;

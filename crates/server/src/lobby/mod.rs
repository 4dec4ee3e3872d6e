//! The lobby: room codes and the directory of open rooms (code -> room actor).
//!
//! # Layout
//! - [`codes`]: the code alphabet, random codes, normalizing what people type.
//! - [`Directory`]: creating rooms, finding them by code, restoring them at start.

pub mod codes;

use std::collections::HashMap;
use std::sync::Mutex;

use capital_protocol::ErrorCode;
use capital_protocol::Phase;
use capital_store::{RoomId, RoomRecord};
use rand::RngExt;
use serde_json::Value;

use crate::app::AppState;
use crate::config::limits::RECENT_CHAT;
use crate::players::Player;
use crate::room::RoomHandle;
use crate::room::actor::Room;

/// Random codes tried before giving up (the code space has 83,521 codes).
const CODE_ATTEMPTS: usize = 64;

/// Every open room, by code.
#[derive(Default)]
pub struct Directory {
    rooms: Mutex<HashMap<String, RoomHandle>>,
}

impl Directory {
    /// The open room with this code (as typed: any case).
    pub fn get(&self, typed: &str) -> Option<RoomHandle> {
        let code = codes::normalize(typed)?;
        self.rooms.lock().expect("directory lock").get(&code).cloned()
    }

    /// How many rooms are open.
    pub fn len(&self) -> usize {
        self.rooms.lock().expect("directory lock").len()
    }

    /// Whether no room is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets a room that closed (only if `code` still belongs to room `id`).
    pub fn remove(&self, code: &str, id: RoomId) {
        let mut rooms = self.rooms.lock().expect("directory lock");
        if rooms.get(code).is_some_and(|r| r.id == id) {
            rooms.remove(code);
        }
    }

    /// Creates a room for `game` with `host` as host, durable before it returns. The host still
    /// has to join it (as anyone else).
    pub async fn create(
        &self,
        state: &AppState,
        host: &Player,
        game: &str,
        options: Option<Value>,
    ) -> Result<RoomHandle, (ErrorCode, String)> {
        let entry = *state
            .games()
            .find(game)
            .ok_or_else(|| (ErrorCode::UnknownGame, format!("this server has no game {game:?}")))?;
        let options = options.unwrap_or(Value::Null);
        let (game, options) =
            entry.create(&options).map_err(|e| (ErrorCode::BadOptions, e.to_string()))?;
        let seats = game.seats();
        let id: RoomId = rand::rng().random_range(1..i64::MAX);
        let handle = {
            let mut rooms = self.rooms.lock().expect("directory lock");
            let max = state.config().max_rooms_per_player;
            let hosted = rooms.values().filter(|r| r.creator == host.id).count();
            if hosted >= max as usize {
                return Err((
                    ErrorCode::TooManyRooms,
                    format!("you already have {hosted} open rooms; the limit is {max}"),
                ));
            }
            let code = (0..CODE_ATTEMPTS)
                .map(|_| codes::random())
                .find(|code| !rooms.contains_key(code))
                .ok_or_else(|| (ErrorCode::Busy, "no free room code; try again later".into()))?;
            let record = RoomRecord {
                id,
                code: code.clone(),
                game: entry.kind.to_owned(),
                options,
                host: host.id.clone(),
                phase: Phase::Lobby,
                game_no: 0,
                seq: 0,
                outcome: None,
                created_ms: crate::now_ms(),
                closed: false,
            };
            let room = Room::create(state, record, entry, seats);
            let record = room.record();
            let handle = room.spawn();
            rooms.insert(code, handle.clone());
            (handle, record)
        };
        let (handle, record) = handle;
        if let Err(e) = state.store().put_room(&record).await {
            tracing::error!(error = %e, "could not store a new room");
            self.remove(&handle.code, handle.id);
            return Err((ErrorCode::Internal, "the server could not save the room".into()));
        }
        tracing::info!(code = %handle.code, game = entry.kind, "room created");
        Ok(handle)
    }

    /// Brings back every open room from the store; returns how many.
    pub async fn load(&self, state: &AppState) -> anyhow::Result<usize> {
        let store = state.store().clone();
        let stored = tokio::task::spawn_blocking(move || store.open_rooms(RECENT_CHAT)).await??;
        let mut loaded = 0;
        for stored in stored {
            let code = stored.room.code.clone();
            let Some(entry) = state.games().find(&stored.room.game).copied() else {
                tracing::error!(%code, game = %stored.room.game, "room of an unknown game left closed");
                continue;
            };
            match Room::restore(state, stored, entry) {
                Ok(room) => {
                    let handle = room.spawn();
                    self.rooms.lock().expect("directory lock").insert(code, handle);
                    loaded += 1;
                }
                Err(e) => tracing::error!(%code, error = %e, "room could not be restored"),
            }
        }
        Ok(loaded)
    }
}

//! Bringing rooms back from the store: every open room when the server starts (in a cluster,
//! those this node can take), and one room whose node died (the cluster's failover).

use capital_store::{RoomId, StoredRoom};

use super::Directory;
use crate::config::limits::RECENT_CHAT;
use crate::room::RoomHandle;
use crate::room::actor::Room;

impl Directory {
    /// Brings back every open room from the store (in a cluster, those whose lease this node
    /// takes); returns how many.
    pub async fn load(&self) -> Result<usize, capital_store::StoreError> {
        let stored = self.shared.room_env.env.read(|store| store.open_rooms(RECENT_CHAT)).await?;
        let mut loaded = 0;
        for stored in stored {
            if let Some(placement) = self.placement() {
                let (code, id) = (&stored.room.code, stored.room.id);
                if placement.claim(code, id).await != Ok(true) {
                    continue;
                }
            }
            if self.start(stored).await.is_some() {
                loaded += 1;
            }
        }
        Ok(loaded)
    }

    /// Brings back the room `id` from the store, if it is open and not running here already
    /// (its lease is this node's: its node died). Returns it.
    pub async fn restore(
        &self,
        id: RoomId,
    ) -> Result<Option<RoomHandle>, capital_store::StoreError> {
        let stored = self.shared.room_env.env.read(move |store| store.load_room(id, RECENT_CHAT));
        let Some(stored) = stored.await?.filter(|s| !s.room.closed) else { return Ok(None) };
        if let Some(running) = self.get(&stored.room.code).filter(|r| r.id == id) {
            return Ok(Some(running));
        }
        Ok(self.start(stored).await)
    }

    /// Starts the actor of a stored room and lists it; told to the placement.
    async fn start(&self, stored: StoredRoom) -> Option<RoomHandle> {
        let shared = &self.shared;
        let code = stored.room.code.clone();
        // A script's room comes back with the version of the rules it started with.
        let entry = match crate::room::rules::of(&shared.room_env, &stored.room, None).await {
            Ok(entry) => entry,
            Err(e) => {
                tracing::error!(%code, game = %stored.room.game, error = %e, "room left closed");
                return None;
            }
        };
        let handle = match Room::restore(shared.room_env.clone(), stored, entry) {
            Ok(room) => room.spawn(),
            Err(e) => {
                tracing::error!(%code, error = %e, "room could not be restored");
                return None;
            }
        };
        {
            let mut rooms = shared.rooms.lock().expect("directory lock");
            rooms.count(&handle.creator, 1);
            rooms.by_code.insert(code, handle.clone());
        }
        if let Some(placement) = self.placement() {
            placement.adopt(&handle);
        }
        Some(handle)
    }
}

//! Players: identities, resume tokens, and each player's one live connection (a newer one
//! replaces the older).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use capital_protocol::PlayerId;
use capital_store::PlayerRecord;
use rand::RngExt;
use sha2::{Digest, Sha256};

use crate::conn::ConnHandle;
use crate::env::Env;

/// How often guests unseen for too long are looked for.
const EXPIRE_EVERY: Duration = Duration::from_secs(3600);
/// Guests forgotten in one write at most (the next round takes the rest).
const EXPIRE_AT_ONCE: u32 = 10_000;

/// Forgets guests not seen for `after` (no account, in no open room), at start and every hour
/// after, until shutdown; after each round that forgot, `forgotten` runs (the DM hub forgets
/// their device keys).
pub async fn expire_guests<F: Future<Output = ()>>(
    env: Env,
    after: Duration,
    forgotten: impl Fn() -> F,
) {
    let after_ms = u64::try_from(after.as_millis()).unwrap_or(u64::MAX);
    loop {
        let seen_before_ms = env.clock.now_ms().saturating_sub(after_ms);
        let expire = capital_store::Write::ExpireGuests { seen_before_ms, limit: EXPIRE_AT_ONCE };
        match env.store.commit(expire.into()).await {
            Err(e) => tracing::warn!(error = %e, "could not forget old guests; trying again later"),
            Ok(()) => forgotten().await,
        }
        tokio::select! {
            () = env.shutdown.cancelled() => return,
            () = tokio::time::sleep(EXPIRE_EVERY) => {}
        }
    }
}

/// Who a connection speaks for, once `hello` is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Player {
    /// Public id.
    pub id: PlayerId,
    /// Display name.
    pub name: String,
}

/// A new resume token (256 random bits, as 64 hex digits) and its hash.
pub fn new_token() -> (String, [u8; 32]) {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let hash = hash_token(&token);
    (token, hash)
}

/// The stored form of a token: its SHA-256. A token is 256 random bits, so a plain hash is
/// enough (no salt or slow hash needed: there is nothing to guess).
pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Compares two token hashes in constant time (the lookup found the row by hash; this makes
/// sure of the match without an early exit that timing could reveal).
pub fn same_hash(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new player id: `p` and 11 characters from a lower-case alphabet without look-alikes.
pub fn new_player_id() -> PlayerId {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    let mut id = String::with_capacity(12);
    id.push('p');
    for _ in 0..11 {
        id.push(char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]));
    }
    id
}

/// A new player record and a fresh token to give the client.
pub fn new_player(name: String, now_ms: u64) -> (PlayerRecord, String) {
    let (token, _) = new_token();
    (PlayerRecord { id: new_player_id(), name, created_ms: now_ms }, token)
}

/// The live connection of each online player.
#[derive(Default)]
pub struct Online {
    conns: Mutex<HashMap<PlayerId, ConnHandle>>,
}

impl Online {
    /// Records `conn` as `player`'s live connection; an older one is closed as replaced.
    pub fn attach(&self, player: &str, conn: ConnHandle) {
        let old = self.conns.lock().expect("online lock").insert(player.to_owned(), conn);
        if let Some(old) = old {
            old.close(crate::conn::CloseReason::Replaced);
        }
    }

    /// `player` connected to another node of the cluster: their connection here, if any, is
    /// closed as replaced.
    pub fn replaced_elsewhere(&self, player: &str) {
        let old = self.conns.lock().expect("online lock").remove(player);
        if let Some(old) = old {
            old.close(crate::conn::CloseReason::Replaced);
        }
    }

    /// Forgets `player`'s connection if it is still `conn_id`.
    pub fn detach(&self, player: &str, conn_id: u64) {
        let mut conns = self.conns.lock().expect("online lock");
        if conns.get(player).is_some_and(|c| c.id() == conn_id) {
            conns.remove(player);
        }
    }

    /// How many players are connected.
    pub fn count(&self) -> usize {
        self.conns.lock().expect("online lock").len()
    }

    /// Sends `frame` to every connected player; returns to how many.
    pub fn send_to_all(&self, frame: &tungstenite::Utf8Bytes) -> usize {
        let conns = self.conns.lock().expect("online lock");
        for conn in conns.values() {
            conn.send(frame.clone());
        }
        conns.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bit_hex_and_hash_stably() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(hash_token(&a), ha);
        assert_ne!(hash_token(&b), ha);
    }

    #[tokio::test(start_paused = true)]
    async fn guests_unseen_for_the_expiry_are_forgotten_hourly() {
        use capital_store::{PlayerStore, Store, TokenRecord, Write};
        let (env, store) = crate::testing::env();
        let now = env.clock.now_ms();
        for id in ["old", "back"] {
            let player = PlayerRecord { id: id.into(), name: id.into(), created_ms: now };
            let token = TokenRecord {
                hash: [id.len() as u8; 32],
                player_id: id.into(),
                created_ms: now,
                expires_ms: None,
            };
            store.commit(Write::CreatePlayer(player, token).into()).await.unwrap();
        }
        let expiry = Duration::from_secs(30 * 86_400);
        env.tracker.spawn(expire_guests(env.clone(), expiry, || async {}));
        crate::testing::settle().await;
        assert!(store.player("old").unwrap().is_some(), "not before the expiry");
        tokio::time::advance(Duration::from_secs(29 * 86_400)).await;
        let seen = Write::SeenPlayer { id: "back".into(), seen_ms: env.clock.now_ms() };
        store.commit(seen.into()).await.unwrap();
        tokio::time::advance(Duration::from_secs(2 * 86_400)).await;
        crate::testing::settle().await;
        assert!(store.player("old").unwrap().is_none(), "forgotten after 30 days unseen");
        assert!(store.player("back").unwrap().is_some(), "seen 2 days ago");
        env.shutdown.cancel();
    }

    #[test]
    fn player_ids_look_right() {
        let id = new_player_id();
        assert_eq!(id.len(), 12);
        assert!(id.starts_with('p'));
        assert_ne!(new_player_id(), id);
    }
}

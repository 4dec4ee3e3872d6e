//! Players: `hello` creates a guest or resumes one by token; names are checked; each player has
//! at most one live connection (a newer one replaces the older).

use std::collections::HashMap;
use std::sync::Mutex;

use capital_protocol::{ErrorCode, PlayerId};
use capital_store::PlayerRecord;
use rand::RngExt;
use sha2::{Digest, Sha256};

use crate::config::limits::MAX_NAME_CHARS;
use crate::session::ConnHandle;

/// Who a connection speaks for, once `hello` is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Player {
    /// Public id.
    pub id: PlayerId,
    /// Display name.
    pub name: String,
}

/// A failed `hello`, as sent to the client.
#[derive(Debug)]
pub struct HelloError(pub ErrorCode, pub String);

/// Checks a display name: trimmed, 1 to 24 characters, no control characters.
pub fn validate_name(name: &str) -> Result<String, HelloError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(HelloError(ErrorCode::BadName, "the name is empty".into()));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(HelloError(
            ErrorCode::BadName,
            format!("the name is longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(HelloError(ErrorCode::BadName, "the name has control characters".into()));
    }
    Ok(name.to_owned())
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
            old.close(crate::session::CloseReason::Replaced);
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(validate_name("  Ana ").unwrap(), "Ana");
        assert_eq!(validate_name("Zoë 😀").unwrap(), "Zoë 😀");
        assert_eq!(validate_name(&"x".repeat(24)).unwrap().len(), 24);
        for bad in ["", "   ", "a\u{0}b", "tab\there", "new\nline", &"x".repeat(25)] {
            assert_eq!(validate_name(bad).unwrap_err().0, ErrorCode::BadName, "{bad:?}");
        }
    }

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

    #[test]
    fn player_ids_look_right() {
        let id = new_player_id();
        assert_eq!(id.len(), 12);
        assert!(id.starts_with('p'));
        assert_ne!(new_player_id(), id);
    }
}

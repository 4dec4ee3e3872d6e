//! Which devices this client has accepted for each player, its own player included: the first
//! list seen for a player is accepted as it is (trust on first use), and from then on a device
//! the server lists that was not accepted, or an empty list where there were devices, is a
//! change that [`crate::Client::dm_sealed`] refuses to seal for until the application accepts
//! it ([`Pins::accept`]), having asked its user or compared safety numbers.
//!
//! Why one's own list too: a server that adds a device of its own to the *sender's* list gets a
//! copy of every message, and the safety numbers cannot catch it (both players see the same
//! list). Devices that are gone are not changes: they cannot read anything new.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use capital_protocol::DeviceKeyView;

use crate::ClientError;

/// Accepted device keys (base64url public keys), per player.
#[derive(Debug, Default)]
pub struct Pins {
    accepted: Mutex<HashMap<String, BTreeSet<String>>>,
}

impl Pins {
    /// Nothing accepted yet: every player's first list will be.
    pub fn new() -> Self {
        Pins::default()
    }

    /// Checks `listed`, the devices the server lists for `player` now. `own` is the key of the
    /// device checking (always accepted). The first non-empty list of a player is accepted as
    /// it is. Fails with [`ClientError::KeysChanged`] naming the devices not accepted (none:
    /// the list is empty where it had devices).
    pub fn check(
        &self,
        player: &str,
        listed: &[DeviceKeyView],
        own: Option<&str>,
    ) -> Result<(), ClientError> {
        let mut accepted = self.accepted.lock().expect("pins lock");
        let Some(known) = accepted.get(player).filter(|k| !k.is_empty()) else {
            if !listed.is_empty() {
                accepted.insert(player.to_owned(), listed.iter().map(|k| k.key.clone()).collect());
            }
            return Ok(());
        };
        let added: Vec<String> = listed
            .iter()
            .filter(|k| !known.contains(&k.key) && Some(k.key.as_str()) != own)
            .map(|k| k.device.clone())
            .collect();
        if added.is_empty() && !listed.is_empty() {
            return Ok(());
        }
        Err(ClientError::KeysChanged { player: player.to_owned(), devices: added })
    }

    /// `listed` is accepted for `player`, on top of what was.
    pub fn accept(&self, player: &str, listed: &[DeviceKeyView]) {
        let mut accepted = self.accepted.lock().expect("pins lock");
        accepted.entry(player.to_owned()).or_default().extend(listed.iter().map(|k| k.key.clone()));
    }

    /// The keys accepted for `player`.
    pub fn accepted(&self, player: &str) -> BTreeSet<String> {
        self.accepted.lock().expect("pins lock").get(player).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> DeviceKeyView {
        DeviceKeyView { device: format!("dev-{name}"), key: format!("key-{name}"), since: 0 }
    }

    fn changed(result: Result<(), ClientError>) -> Vec<String> {
        match result {
            Err(ClientError::KeysChanged { devices, .. }) => devices,
            other => panic!("expected keys_changed, got {other:?}"),
        }
    }

    #[test]
    fn the_first_list_is_taken_and_an_added_device_is_a_change() {
        let pins = Pins::new();
        pins.check("bo", &[key("a")], None).unwrap();
        pins.check("bo", &[key("a")], None).unwrap();
        assert_eq!(changed(pins.check("bo", &[key("a"), key("b")], None)), ["dev-b"]);
        // Still a change until accepted; a device that went is not one.
        assert_eq!(changed(pins.check("bo", &[key("b")], None)), ["dev-b"]);
        pins.accept("bo", &[key("b")]);
        pins.check("bo", &[key("a"), key("b")], None).unwrap();
        pins.check("bo", &[key("b")], None).unwrap();
    }

    #[test]
    fn no_devices_where_there_were_some_is_a_change_and_the_own_key_never_is() {
        let pins = Pins::new();
        pins.check("bo", &[], None).unwrap(); // never had any: nothing to change
        pins.check("bo", &[key("a")], None).unwrap();
        assert!(changed(pins.check("bo", &[], None)).is_empty());
        pins.check("me", &[key("me")], Some("key-me")).unwrap();
        pins.check("me", &[key("me"), key("laptop")], Some("key-laptop")).unwrap();
        assert_eq!(changed(pins.check("me", &[key("me"), key("x")], Some("key-me"))), ["dev-x"]);
    }
}

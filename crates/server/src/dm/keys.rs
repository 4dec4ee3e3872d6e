//! Device keys for end-to-end encrypted messages: a player's devices publish their public keys
//! (at most `max_devices_per_player`; one more forgets the device seen longest ago), anyone may
//! ask for a player's list, and a sealed message must carry a copy for exactly the devices both
//! players have now, so that no device is left unable to read it without its sender knowing.

use std::collections::BTreeSet;

use capital_e2e::dm::{device_id, unb64u};
use capital_protocol::{DeviceKeyView, Sealed, ServerMsg};
use capital_store::{DeviceKeyRecord, Write};

use super::DmError;
use super::hub::{Batch, Hub};

/// A device that publishes its key again moves its "last seen" on at most this often (each
/// move is a write).
const SEEN_EVERY_MS: u64 = 24 * 3600 * 1000;

impl Hub {
    /// `publish_key`: `key` is a checked public key (base64url); a player has at most `max`.
    pub(super) fn publish_key(
        &mut self,
        player: &str,
        key: String,
        max: usize,
        batch: &mut Batch,
    ) -> Result<ServerMsg, DmError> {
        let device = device_id(&unb64u(&key).map_err(|_| DmError::BadKey)?);
        let now = self.env.clock.now_ms();
        let keys = self.known.keys.entry(player.to_owned()).or_default();
        if let Some(known) = keys.iter_mut().find(|k| k.device == device) {
            if now >= known.seen_ms + SEEN_EVERY_MS {
                known.seen_ms = now;
                batch.write(Write::PutDeviceKey { key: known.clone(), evict: None });
            }
            return Ok(ServerMsg::KeyPublished { device });
        }
        let evict = if keys.len() >= max {
            let oldest = (0..keys.len()).min_by_key(|&i| keys[i].seen_ms).unwrap_or(0);
            Some(keys.remove(oldest).device)
        } else {
            None
        };
        let record = DeviceKeyRecord {
            player_id: player.to_owned(),
            device: device.clone(),
            key,
            since_ms: now,
            seen_ms: now,
        };
        keys.push(record.clone());
        batch.write(Write::PutDeviceKey { key: record, evict });
        Ok(ServerMsg::KeyPublished { device })
    }

    /// `keys_of`.
    pub(super) fn keys_of(&self, player: &str) -> ServerMsg {
        let keys = self.known.keys.get(player).into_iter().flatten();
        ServerMsg::Keys {
            player: player.to_owned(),
            keys: keys
                .map(|k| DeviceKeyView {
                    device: k.device.clone(),
                    key: k.key.clone(),
                    since: k.since_ms,
                })
                .collect(),
        }
    }

    /// Whether `sealed` (already checked in shape) comes from a device of `from` and has a copy
    /// for every device of `from` and `to`, and for no other.
    pub(super) fn check_copies(
        &self,
        from: &str,
        to: &str,
        sealed: &Sealed,
    ) -> Result<(), DmError> {
        let devices = |player: &str| -> BTreeSet<&str> {
            self.known.keys.get(player).into_iter().flatten().map(|k| k.device.as_str()).collect()
        };
        let sender = device_id(&unb64u(&sealed.from_key).map_err(|_| DmError::BadKey)?);
        if !devices(from).contains(sender.as_str()) {
            return Err(DmError::UnknownDevice(
                "the sending device has not published its key (publish_key)".into(),
            ));
        }
        let theirs = devices(to);
        if theirs.is_empty() {
            return Err(DmError::UnknownDevice(format!(
                "{to} has no device that can receive encrypted messages"
            )));
        }
        let wanted: BTreeSet<&str> = theirs.union(&devices(from)).copied().collect();
        let given: BTreeSet<&str> = sealed.copies.iter().map(|c| c.device.as_str()).collect();
        if let Some(stranger) = given.difference(&wanted).next() {
            return Err(DmError::UnknownDevice(format!(
                "no device {stranger} among the two players' devices"
            )));
        }
        if given != wanted {
            return Err(DmError::KeysChanged);
        }
        Ok(())
    }
}

//! End-to-end encrypted direct messages: publishing this device's key, sealing a message for
//! every device of both players, and opening this device's copy of one. The sealing is
//! `capital-e2e`'s; this is the part that talks to the server.

use capital_e2e::dm::{b64u, open_dm, seal_dm, unb64u};
use capital_e2e::{DeviceKey, Sealed as SealedBytes};
use capital_protocol::{
    ClientMsg, DeviceKeyView, DirectMessage, Sealed, SealedCopy, Seq, ServerMsg,
};

use crate::{Client, ClientError, Pins};

impl Client {
    /// `publish_key`: returns this device's id.
    pub async fn publish_key(&self, key: &DeviceKey) -> Result<String, ClientError> {
        match self.request(ClientMsg::PublishKey { key: b64u(&key.public()) }).await? {
            ServerMsg::KeyPublished { device } => Ok(device),
            other => Err(ClientError::Unexpected(Box::new(other))),
        }
    }

    /// `keys_of`: the devices `player` can receive encrypted messages on.
    pub async fn keys_of(&self, player: &str) -> Result<Vec<DeviceKeyView>, ClientError> {
        match self.request(ClientMsg::KeysOf { player: player.to_owned() }).await? {
            ServerMsg::Keys { keys, .. } => Ok(keys),
            other => Err(ClientError::Unexpected(Box::new(other))),
        }
    }

    /// `dm`, sealed by `key` (a device of player `me`) for every device of `to` and of `me`, as
    /// the server lists them now, once `pins` accepts both lists (it refuses a device it did not
    /// accept with [`ClientError::KeysChanged`], and sends nothing). Returns the message's seq.
    pub async fn dm_sealed(
        &self,
        me: &str,
        key: &DeviceKey,
        pins: &Pins,
        to: &str,
        text: &str,
        client_msg_id: &str,
    ) -> Result<Seq, ClientError> {
        let own = b64u(&key.public());
        let mut devices: Vec<DeviceKeyView> = Vec::new();
        for player in [to, me] {
            let listed = self.keys_of(player).await?;
            pins.check(player, &listed, Some(&own))?;
            for device in listed {
                // One copy a device, even if a key is listed for both players.
                if !devices.iter().any(|d| d.device == device.device) {
                    devices.push(device);
                }
            }
        }
        let keys = devices
            .iter()
            .map(|d| unb64u(&d.key).map_err(|e| ClientError::E2e(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let sealed = sealed_for(key, me, to, client_msg_id, text, &keys)?;
        let body = ClientMsg::Dm {
            to: to.to_owned(),
            text: String::new(),
            sealed: Some(sealed),
            client_msg_id: client_msg_id.to_owned(),
        };
        match self.request(body).await? {
            ServerMsg::DmSent { seq, .. } => Ok(seq),
            other => Err(ClientError::Unexpected(Box::new(other))),
        }
    }

    /// The text of `message` as this device reads it, like [`open_message`], and only if it
    /// was sealed by a device its sender lists now (`keys_of`): a server could otherwise seal
    /// a message with a key of its own and pass it off as theirs.
    pub async fn read_dm(
        &self,
        key: &DeviceKey,
        message: &DirectMessage,
    ) -> Result<String, ClientError> {
        if let Some(sealed) = &message.sealed {
            let senders = self.keys_of(&message.from).await?;
            if !senders.iter().any(|k| k.key == sealed.from_key) {
                return Err(ClientError::E2e("not sealed by a device of its sender".into()));
            }
        }
        open_message(key, message)
    }
}

/// The `sealed` field of a `dm` from player `from`'s device `key` to player `to`: one copy of
/// `text` for each of `devices` (public keys).
pub fn sealed_for(
    key: &DeviceKey,
    from: &str,
    to: &str,
    client_msg_id: &str,
    text: &str,
    devices: &[Vec<u8>],
) -> Result<Sealed, ClientError> {
    let copies = seal_dm(key, from, to, client_msg_id, text, devices)
        .map_err(|e| ClientError::E2e(e.to_string()))?;
    Ok(Sealed {
        from_key: b64u(&key.public()),
        copies: copies
            .into_iter()
            .map(|c| SealedCopy {
                device: c.device,
                enc: b64u(&c.sealed.enc),
                ct: b64u(&c.sealed.ciphertext),
            })
            .collect(),
    })
}

/// The text of a direct message as this device reads it: its copy opened with `key`, or, for a
/// message that was not encrypted, its text. Fails when the message is sealed but has no copy
/// for this device or does not open (not from the key it names, or altered). It does not check
/// that the key it names is its sender's: [`Client::read_dm`] does.
pub fn open_message(key: &DeviceKey, message: &DirectMessage) -> Result<String, ClientError> {
    let Some(sealed) = &message.sealed else { return Ok(message.text.clone()) };
    let e2e = |e: capital_e2e::E2eError| ClientError::E2e(e.to_string());
    let me = capital_e2e::dm::device_id(&key.public());
    let copy = sealed
        .copies
        .iter()
        .find(|c| c.device == me)
        .ok_or_else(|| ClientError::E2e(format!("no copy for this device ({me})")))?;
    let bytes = SealedBytes {
        enc: unb64u(&copy.enc).map_err(e2e)?,
        ciphertext: unb64u(&copy.ct).map_err(e2e)?,
    };
    let sender = unb64u(&sealed.from_key).map_err(e2e)?;
    open_dm(key, &sender, &message.from, &message.to, &message.client_msg_id, &bytes).map_err(e2e)
}

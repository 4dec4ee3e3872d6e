//! End-to-end encrypted direct messages as they travel: a device's published key, and the
//! envelope of a sealed message (one copy per device). The server checks the envelope's shape
//! and forwards it; it cannot open it. How the copies are sealed is in `capital-e2e` and
//! docs/protocol.md ("Encrypted direct messages"); binary values are base64url without padding.

use serde::{Deserialize, Serialize};

/// A sealed direct message: who sealed it, and a copy for each device that may read it (every
/// device of the recipient and of the sender).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    /// The public key of the device that sealed it (65 bytes, uncompressed P-256).
    pub from_key: String,
    /// One per device.
    pub copies: Vec<SealedCopy>,
}

/// One device's copy of a sealed message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedCopy {
    /// The device it is for (its id, as in `keys`).
    pub device: String,
    /// HPKE's encapsulated key (65 bytes).
    pub enc: String,
    /// The ciphertext: the text's UTF-8 bytes plus a 16-byte tag.
    pub ct: String,
}

/// One of a player's devices in `keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceKeyView {
    /// The device's id: the first 8 bytes of SHA-256 of its key, in hex.
    pub device: String,
    /// Its public key (65 bytes, uncompressed P-256).
    pub key: String,
    /// When it was first published, milliseconds since the Unix epoch.
    pub since: u64,
}

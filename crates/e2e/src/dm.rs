//! A direct message as Capital seals it: which bytes are bound to it, how a device is named, and
//! one sealed copy per device. The wire format (docs/protocol.md, "Encrypted direct messages")
//! is exactly this; the browser (`web/js/e2e/`) and the Python client implement the same, and
//! `tests/vectors/capital-dm.json` checks all three against the same bytes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::{DeviceKey, E2eError, Sealed, open, seal};

/// HPKE's `info` for every direct message: binds the keys' use to this one purpose.
pub const INFO: &[u8] = b"capital dm v1";

/// The associated data of a message: who sent it, to whom, under which client id. A server that
/// hands a copy to another conversation, or passes one message off as another, makes it fail to
/// open.
pub fn aad(from: &str, to: &str, client_msg_id: &str) -> Vec<u8> {
    format!("{from}\n{to}\n{client_msg_id}").into_bytes()
}

/// A device's id: the first 8 bytes of SHA-256 of its public key, in lower-case hex.
pub fn device_id(public: &[u8]) -> String {
    Sha256::digest(public)[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes as base64url without padding, as they travel in the protocol.
pub fn b64u(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The bytes of base64url text (no padding).
pub fn unb64u(text: &str) -> Result<Vec<u8>, E2eError> {
    URL_SAFE_NO_PAD.decode(text).map_err(|_| E2eError::NotBase64)
}

/// One device's copy of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    /// The device it is for ([`device_id`] of its key).
    pub device: String,
    /// The sealed text.
    pub sealed: Sealed,
}

/// The message `text` from `from` to `to`, sealed by `sender` (a device of `from`) once for
/// each public key in `devices`: the recipient's devices and the sender's own.
pub fn seal_dm(
    sender: &DeviceKey,
    from: &str,
    to: &str,
    client_msg_id: &str,
    text: &str,
    devices: &[Vec<u8>],
) -> Result<Vec<Copy>, E2eError> {
    let aad = aad(from, to, client_msg_id);
    devices
        .iter()
        .map(|public| {
            let sealed = seal(sender, public, INFO, &aad, text.as_bytes())?;
            Ok(Copy { device: device_id(public), sealed })
        })
        .collect()
}

/// Opens this device's copy of a message from `from` to `to`, sealed by the device whose public
/// key is `sender`.
pub fn open_dm(
    me: &DeviceKey,
    sender: &[u8],
    from: &str,
    to: &str,
    client_msg_id: &str,
    sealed: &Sealed,
) -> Result<String, E2eError> {
    let text = open(me, sender, INFO, &aad(from, to, client_msg_id), sealed)?;
    String::from_utf8(text).map_err(|_| E2eError::DoesNotOpen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_id_is_sixteen_hex_digits_of_its_key() {
        let key = DeviceKey::generate();
        let id = device_id(&key.public());
        assert_eq!(id.len(), 16);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_ne!(id, device_id(&DeviceKey::generate().public()));
    }

    #[test]
    fn each_device_opens_its_own_copy_and_only_in_its_conversation() {
        let (ana, bo_phone, bo_laptop) =
            (DeviceKey::generate(), DeviceKey::generate(), DeviceKey::generate());
        let devices = [bo_phone.public(), bo_laptop.public(), ana.public()];
        let copies = seal_dm(&ana, "pa", "pb", "m1", "hi Bo 👋", &devices).unwrap();
        assert_eq!(copies.len(), 3);
        for (copy, key) in copies.iter().zip([&bo_phone, &bo_laptop, &ana]) {
            assert_eq!(copy.device, device_id(&key.public()));
            let text = open_dm(key, &ana.public(), "pa", "pb", "m1", &copy.sealed).unwrap();
            assert_eq!(text, "hi Bo 👋");
        }
        let phone = &copies[0].sealed;
        // Another conversation, another message id, another device or another sender: no.
        assert!(open_dm(&bo_phone, &ana.public(), "pa", "pc", "m1", phone).is_err());
        assert!(open_dm(&bo_phone, &ana.public(), "pa", "pb", "m2", phone).is_err());
        assert!(open_dm(&bo_laptop, &ana.public(), "pa", "pb", "m1", phone).is_err());
        assert!(open_dm(&bo_phone, &bo_laptop.public(), "pa", "pb", "m1", phone).is_err());
    }

    #[test]
    fn base64url_has_no_padding_and_refuses_other_alphabets() {
        assert_eq!(b64u(&[0xfb, 0xff]), "-_8");
        assert_eq!(unb64u("-_8").unwrap(), vec![0xfb, 0xff]);
        assert!(unb64u("+/8=").is_err());
        // One spelling per value: stray bits in the last character are refused (the page too).
        assert_eq!(unb64u("YQ").unwrap(), b"a");
        assert!(unb64u("YR").is_err());
    }
}

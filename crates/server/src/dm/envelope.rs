//! The shape of a sealed message, checked before it goes anywhere: base64url values, keys and
//! ephemeral keys of the right length, one copy per device, copies of one length (they seal the
//! same text), within the bounds of the configuration, the whole envelope's size included.
//! Which devices must have a copy is the hub's business ([`super::keys`]); what the copies say,
//! nobody's but theirs.

use std::collections::HashSet;

use capital_e2e::dm::unb64u;
use capital_protocol::Sealed;

/// A P-256 public key, uncompressed; also HPKE's `enc` for this suite.
const POINT: usize = 65;
/// AES-GCM's tag.
const TAG: usize = 16;

/// What is wrong with an envelope, in words for the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadEnvelope(pub String);

impl From<BadEnvelope> for super::DmError {
    fn from(bad: BadEnvelope) -> Self {
        super::DmError::BadEnvelope(bad.0)
    }
}

fn bad(why: impl Into<String>) -> BadEnvelope {
    BadEnvelope(why.into())
}

fn bytes(what: &str, text: &str) -> Result<Vec<u8>, BadEnvelope> {
    unb64u(text).map_err(|_| bad(format!("{what} is not base64url without padding")))
}

/// What an envelope may be, from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// The longest message, in characters (`max_dm_chars`).
    pub max_chars: usize,
    /// Devices a player may have (`max_devices_per_player`).
    pub max_devices: usize,
    /// The largest envelope, in bytes of [`size`] (`max_sealed_bytes`).
    pub max_bytes: usize,
}

/// The size of an envelope: the bytes of its JSON, as the server stores it (the `sealed`
/// column, which `dm_stored` shows) and as a message carries it.
pub fn size(sealed: &Sealed) -> usize {
    json(sealed).len()
}

/// The envelope's JSON, as stored.
pub fn json(sealed: &Sealed) -> String {
    serde_json::to_string(sealed).expect("an envelope serializes")
}

/// Checks `sealed` against `bounds`: a message of at most `max_chars` characters to players
/// with at most `max_devices` devices each, at most `max_bytes` in all.
pub fn check(sealed: &Sealed, bounds: Bounds) -> Result<(), BadEnvelope> {
    let Bounds { max_chars, max_devices, max_bytes } = bounds;
    let from = bytes("from_key", &sealed.from_key)?;
    if capital_e2e::check_public(&from).is_err() {
        return Err(bad("from_key is not a P-256 public key"));
    }
    if sealed.copies.is_empty() {
        return Err(bad("a sealed message needs a copy for each device"));
    }
    if sealed.copies.len() > 2 * max_devices {
        return Err(bad(format!("at most {} copies (two players' devices)", 2 * max_devices)));
    }
    let size = size(sealed);
    if size > max_bytes {
        return Err(bad(format!(
            "the envelope is {size} bytes, more than the {max_bytes} a sealed message may take \
             (a shorter message, or fewer devices)"
        )));
    }
    // UTF-8 takes at most four bytes a character.
    let max_ct = 4 * max_chars + TAG;
    let mut devices = HashSet::new();
    let mut length = None;
    for copy in &sealed.copies {
        if copy.device.len() != 16
            || !copy.device.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(bad("a device id is 16 lower-case hex digits"));
        }
        if !devices.insert(copy.device.as_str()) {
            return Err(bad(format!("two copies for device {}", copy.device)));
        }
        if bytes("enc", &copy.enc)?.len() != POINT {
            return Err(bad("enc is 65 bytes"));
        }
        let ct = bytes("ct", &copy.ct)?.len();
        if ct <= TAG {
            return Err(bad("ct is the text and a 16-byte tag"));
        }
        if ct > max_ct {
            return Err(bad(format!("the message is longer than {max_chars} characters")));
        }
        if *length.get_or_insert(ct) != ct {
            return Err(bad("every copy seals the same text: their lengths differ"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use capital_e2e::DeviceKey;
    use capital_e2e::dm::b64u;

    use super::*;

    fn envelope(text: &str, devices: usize) -> Sealed {
        let sender = DeviceKey::generate();
        let keys: Vec<Vec<u8>> = (0..devices).map(|_| DeviceKey::generate().public()).collect();
        capital_client::sealed_for(&sender, "pa", "pb", "m1", text, &keys).unwrap()
    }

    /// Ten characters, two devices a player, 4 KiB.
    const SMALL: Bounds = Bounds { max_chars: 10, max_devices: 2, max_bytes: 4096 };

    fn why(sealed: &Sealed) -> String {
        check(sealed, SMALL).unwrap_err().0
    }

    #[test]
    fn a_real_envelope_passes() {
        check(&envelope("hi Bo", 4), SMALL).unwrap();
        check(&envelope("ü😀", 1), Bounds { max_chars: 2, ..SMALL }).unwrap();
    }

    #[test]
    fn the_whole_envelope_is_bounded_in_bytes() {
        // The defaults: 2,000 characters, four devices a player, 32 KiB.
        let defaults = Bounds { max_chars: 2000, max_devices: 4, max_bytes: 32_768 };
        // The largest honest message in ASCII, to all eight devices: about 23 KB, it fits.
        let honest = envelope(&"a".repeat(2000), 8);
        assert!((22_000..24_000).contains(&size(&honest)), "{}", size(&honest));
        check(&honest, defaults).unwrap();
        // 2,000 emoji are 8,000 bytes for each of eight copies: each copy is within
        // 4 × max_dm_chars + 16 bytes, but the whole is about 86 KB, refused with the limit.
        let huge = envelope(&"😀".repeat(2000), 8);
        assert!(size(&huge) > 80_000, "{}", size(&huge));
        let refused = check(&huge, defaults).unwrap_err().0;
        assert!(refused.contains(&format!("{} bytes", size(&huge))), "{refused}");
        assert!(refused.contains("more than the 32768"), "{refused}");
        // The size is the JSON as stored, to the byte.
        let one = envelope("hi Bo", 2);
        let exact = json(&one).len();
        assert_eq!(size(&one), exact);
        check(&one, Bounds { max_bytes: exact, ..SMALL }).unwrap();
        assert!(check(&one, Bounds { max_bytes: exact - 1, ..SMALL }).is_err());
    }

    #[test]
    fn each_malformed_part_is_named() {
        let good = envelope("hi", 2);
        let mut e = good.clone();
        e.from_key = "BAAA".into();
        assert!(why(&e).contains("from_key"));
        e = good.clone();
        e.from_key = "+/==".into();
        assert!(why(&e).contains("base64url"));
        e = good.clone();
        e.copies.clear();
        assert!(why(&e).contains("copy for each device"));
        assert!(why(&envelope("hi", 5)).contains("at most 4 copies"));
        e = good.clone();
        e.copies[1].device = e.copies[0].device.clone();
        assert!(why(&e).contains("two copies"));
        e = good.clone();
        e.copies[0].device = "ABCDEF0123456789".into();
        assert!(why(&e).contains("hex"));
        e = good.clone();
        e.copies[0].enc = b64u(&[4; 33]);
        assert!(why(&e).contains("65 bytes"));
        e = good.clone();
        e.copies[0].ct = b64u(&[0; 16]);
        assert!(why(&e).contains("tag"));
        e = good.clone();
        e.copies[0].ct = b64u(&[0; 40]);
        assert!(why(&e).contains("lengths differ"));
        // Ten characters may take 40 bytes; 41 cannot be ten characters.
        check(&envelope(&"😀".repeat(10), 1), SMALL).unwrap();
        assert!(why(&envelope(&"x".repeat(41), 1)).contains("longer than 10"));
    }
}

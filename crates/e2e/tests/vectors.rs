//! Against RFC 9180's own test vector for this suite in the authenticated mode
//! (`tests/vectors/hpke-auth-p256.json`): its first message opens with its keys to its
//! plaintext, and any change to it does not open. The same file is what the browser's and the
//! Python client's implementations are to be checked against.

use capital_e2e::{DeviceKey, E2eError, Sealed, open, seal};
use serde_json::Value;

const VECTORS: &str = include_str!("vectors/hpke-auth-p256.json");

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn field(v: &Value, key: &str) -> Vec<u8> {
    hex(v[key].as_str().unwrap_or_else(|| panic!("{key}")))
}

#[test]
fn the_rfc_vector_opens_and_nothing_else_does() {
    let file: Value = serde_json::from_str(VECTORS).unwrap();
    let v = &file["vector"];
    assert_eq!(
        (v["mode"].as_u64(), v["kem_id"].as_u64(), v["aead_id"].as_u64()),
        (Some(2), Some(16), Some(1))
    );
    let recipient = DeviceKey::from_private(&field(v, "skRm")).unwrap();
    assert_eq!(recipient.public(), field(v, "pkRm"), "the key pair from its private half");
    let sender = DeviceKey::from_private(&field(v, "skSm")).unwrap();
    assert_eq!(sender.public(), field(v, "pkSm"));
    let first = &v["encryptions"][0];
    let sealed = Sealed { enc: field(v, "enc"), ciphertext: field(first, "ct") };
    let (info, aad) = (field(v, "info"), field(first, "aad"));
    let opened = open(&recipient, &sender.public(), &info, &aad, &sealed).unwrap();
    assert_eq!(opened, field(first, "pt"));

    // Another sender, other associated data, a changed byte: none of them opens.
    let other = DeviceKey::generate();
    assert_eq!(open(&recipient, &other.public(), &info, &aad, &sealed), Err(E2eError::DoesNotOpen));
    assert_eq!(
        open(&recipient, &sender.public(), &info, b"other", &sealed),
        Err(E2eError::DoesNotOpen)
    );
    let mut changed = sealed.clone();
    changed.ciphertext[0] ^= 1;
    assert_eq!(
        open(&recipient, &sender.public(), &info, &aad, &changed),
        Err(E2eError::DoesNotOpen)
    );
    assert_eq!(open(&other, &sender.public(), &info, &aad, &sealed), Err(E2eError::DoesNotOpen));
}

#[test]
fn a_message_sealed_here_opens_only_for_its_recipient_from_its_sender() {
    let (ana, bo, cy) = (DeviceKey::generate(), DeviceKey::generate(), DeviceKey::generate());
    let sealed = seal(&ana, &bo.public(), b"capital dm", b"seq 1", b"Hi Bo").unwrap();
    assert_eq!(sealed.enc.len(), 65);
    assert_eq!(sealed.ciphertext.len(), "Hi Bo".len() + 16);
    assert_eq!(open(&bo, &ana.public(), b"capital dm", b"seq 1", &sealed).unwrap(), b"Hi Bo");
    assert!(open(&cy, &ana.public(), b"capital dm", b"seq 1", &sealed).is_err(), "not Cy's");
    assert!(open(&bo, &cy.public(), b"capital dm", b"seq 1", &sealed).is_err(), "not from Cy");
    let again = seal(&ana, &bo.public(), b"capital dm", b"seq 1", b"Hi Bo").unwrap();
    assert_ne!(again.enc, sealed.enc, "a fresh ephemeral key each time");
    assert_eq!(DeviceKey::from_private(&[0; 32]).err(), Some(E2eError::BadKey("private")));
    assert!(seal(&ana, &[4; 65], b"", b"", b"x").is_err(), "not a point on the curve");
}

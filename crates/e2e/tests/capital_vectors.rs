//! Capital's own vectors (`tests/vectors/capital-dm.json`): direct messages sealed as the
//! protocol seals them (its `info`, its associated data, its device ids), which this crate, the
//! browser and the Python client must each open to the same text. The file was written once by
//! the ignored `write_the_capital_vectors` below and is committed; a change to how messages are
//! sealed that breaks it breaks every client.

use capital_e2e::dm::{INFO, aad, b64u, device_id, open_dm, seal_dm, unb64u};
use capital_e2e::{DeviceKey, Sealed};
use serde_json::{Value, json};

const FILE: &str = "tests/vectors/capital-dm.json";

fn bytes(v: &Value, key: &str) -> Vec<u8> {
    unb64u(v[key].as_str().unwrap_or_else(|| panic!("{key}"))).unwrap()
}

#[test]
fn every_capital_vector_opens_to_its_text() {
    let file: Value =
        serde_json::from_str(include_str!("vectors/capital-dm.json")).expect("the vector file");
    assert_eq!(file["info"].as_str().unwrap().as_bytes(), INFO);
    let messages = file["messages"].as_array().unwrap();
    assert!(messages.len() >= 3);
    for m in messages {
        let me = DeviceKey::from_private(&bytes(m, "recipient_private")).unwrap();
        assert_eq!(me.public(), bytes(m, "recipient_public"));
        assert_eq!(device_id(&me.public()), m["device"].as_str().unwrap());
        let (from, to, id) = (
            m["from"].as_str().unwrap(),
            m["to"].as_str().unwrap(),
            m["client_msg_id"].as_str().unwrap(),
        );
        let sealed = Sealed { enc: bytes(m, "enc"), ciphertext: bytes(m, "ct") };
        let sender = bytes(m, "sender_public");
        assert_eq!(open_dm(&me, &sender, from, to, id, &sealed).unwrap(), m["text"]);
        assert!(open_dm(&me, &sender, to, from, id, &sealed).is_err(), "the other direction");
    }
}

/// Writes the file anew (run with `--ignored` only when the format changes on purpose).
#[test]
#[ignore = "writes tests/vectors/capital-dm.json"]
fn write_the_capital_vectors() {
    let texts = [
        ("p7kq2mxa", "pb4n8czt", "m-1", "hi Bo, want to play nim?"),
        ("pb4n8czt", "p7kq2mxa", "m-2", "ja! 🎲 Über 4 Runden — d'accord"),
        ("p7kq2mxa", "pb4n8czt", "c1f0e2a9-7d6b", &"long ".repeat(100)),
    ];
    let messages: Vec<Value> = texts
        .iter()
        .map(|(from, to, id, text)| {
            let (sender, recipient) = (DeviceKey::generate(), DeviceKey::generate());
            let copy =
                seal_dm(&sender, from, to, id, text, &[recipient.public()]).unwrap().remove(0);
            json!({
                "from": from, "to": to, "client_msg_id": id, "text": text,
                "aad": String::from_utf8(aad(from, to, id)).unwrap(),
                "sender_public": b64u(&sender.public()),
                "recipient_private": b64u(&recipient.private_bytes()),
                "recipient_public": b64u(&recipient.public()),
                "device": copy.device,
                "enc": b64u(&copy.sealed.enc),
                "ct": b64u(&copy.sealed.ciphertext),
            })
        })
        .collect();
    let file = json!({
        "about": "Capital direct messages sealed with HPKE (RFC 9180) mode_auth, DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM; binary values base64url without padding; aad = from + \"\\n\" + to + \"\\n\" + client_msg_id; written by crates/e2e/tests/capital_vectors.rs",
        "info": std::str::from_utf8(INFO).unwrap(),
        "messages": messages,
    });
    std::fs::write(FILE, serde_json::to_string_pretty(&file).unwrap() + "\n").unwrap();
}

//! End-to-end encrypted direct messages through a real server: keys published and listed,
//! sealed messages delivered live and offline, paged, receipted and retried like any other, the
//! database holding no plaintext of them, bad envelopes refused with their own codes (changing
//! nothing), and the bound on devices per player held against a key-spamming client while two
//! others go on writing.

mod common;

use std::time::Duration;

use capital_client::e2e::DeviceKey;
use capital_client::e2e::dm::{b64u, device_id};
use capital_client::{Client, ClientError, Pins, open_message, sealed_for};
use capital_protocol::{ClientMsg, ErrorCode, ReceiptStatus, Sealed, ServerMsg};
use common::*;

/// A player on one device with its key published.
struct Device {
    client: Client,
    player: String,
    token: String,
    key: DeviceKey,
}

async fn device(server: &TestServer, name: &str) -> Device {
    let (client, welcome) = server.player(name).await;
    let key = DeviceKey::generate();
    let id = client.publish_key(&key).await.unwrap();
    assert_eq!(id, device_id(&key.public()));
    Device { client, player: welcome.player_id, token: welcome.token, key }
}

/// Another device of the same player, with its own key: the player takes an account, and the
/// device logs in to it (a guest's token is one device). The login takes over from the first
/// device's connection (a player has one live connection); returns the first device's new
/// token (registering gives it one) and the second device.
async fn second_device(server: &TestServer, of: &Device) -> (String, Device) {
    let username = format!("user{}", of.player.to_lowercase());
    let token = of.client.register(&username, "correct horse battery").await.unwrap();
    let client = Client::connect(&server.url()).await.unwrap();
    let welcome = client.login(&username, "correct horse battery").await.unwrap();
    assert_eq!(welcome.player_id, of.player);
    let key = DeviceKey::generate();
    client.publish_key(&key).await.unwrap();
    (token, Device { client, player: welcome.player_id, token: welcome.token, key })
}

impl Device {
    /// Sealed for the devices listed now, whatever they are (new pins each time: accepting
    /// changes is `own_device_list_watched`'s business).
    async fn send(&self, to: &Device, text: &str, id: &str) -> u64 {
        let pins = Pins::new();
        self.client.dm_sealed(&self.player, &self.key, &pins, &to.player, text, id).await.unwrap()
    }
}

/// A sealed `dm` request built by hand (to break it on purpose).
fn sealed_dm(from: &Device, to: &str, id: &str, devices: &[Vec<u8>], text: &str) -> ClientMsg {
    ClientMsg::Dm {
        to: to.to_owned(),
        text: String::new(),
        sealed: Some(sealed_for(&from.key, &from.player, to, id, text, devices).unwrap()),
        client_msg_id: id.to_owned(),
    }
}

fn code_of(result: Result<ServerMsg, ClientError>) -> ErrorCode {
    match result {
        Err(e) => e.code().unwrap_or_else(|| panic!("not a server error: {e}")),
        Ok(reply) => panic!("accepted: {reply:?}"),
    }
}

#[tokio::test]
async fn sealed_messages_go_live_offline_into_history_and_to_the_senders_other_device() {
    let server = TestServer::start().await;
    let ana = device(&server, "Ana").await;
    let mut bo = device(&server, "Bo").await;
    let keys = ana.client.keys_of(&bo.player).await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].key, b64u(&bo.key.public()));

    assert_eq!(ana.send(&bo, "hi Bo, nim at lunch?", "m1").await, 1);
    let got = next_dm(&mut bo.client).await;
    assert!(got.text.is_empty(), "the server never sees the text");
    assert_eq!(open_message(&bo.key, &got).unwrap(), "hi Bo, nim at lunch?");
    assert_eq!(got.sealed.as_ref().unwrap().copies.len(), 2, "Bo's device and Ana's own");

    // Bo reads it: Ana gets the receipt, as for any message.
    bo.client.request(ClientMsg::DmRead { with: ana.player.clone(), seq: 1 }).await.unwrap();
    let mut ana = ana;
    loop {
        match ana.client.next_push(WAIT).await.unwrap() {
            ServerMsg::DmReceipt { seq: 1, status: ReceiptStatus::Read, .. } => break,
            ServerMsg::DmReceipt { .. } | ServerMsg::Presence { .. } => {}
            other => panic!("{other:?}"),
        }
    }

    // A retry with the same id is the same message, stored once.
    assert_eq!(ana.send(&bo, "hi Bo, nim at lunch?", "m1").await, 1);

    // Bo goes away; two messages wait for him, and come at his next hello, in order.
    let bo_token = bo.token.clone();
    bo.client.close();
    drop(bo.client);
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Bo's device keeps its key (here: its bytes) while the page is closed.
    let (away, _) = server.player("Placeholder").await;
    let bo_ref = Device { client: away, ..bo };
    assert_eq!(ana.send(&bo_ref, "second", "m2").await, 2);
    assert_eq!(ana.send(&bo_ref, "third ✓", "m3").await, 3);
    let (mut bo_back, _) = server.resume(&bo_token).await;
    for text in ["second", "third ✓"] {
        let m = next_dm(&mut bo_back).await;
        assert_eq!(open_message(&bo_ref.key, &m).unwrap(), text);
    }

    // Ana's laptop joins later (a player has one live connection: it takes over from the
    // phone). It has no copy of what was sealed before it published its key (a new device
    // cannot read older messages), and reads everything sealed after.
    let (phone_token, laptop) = second_device(&server, &ana).await;
    assert_eq!(laptop.client.keys_of(&ana.player).await.unwrap().len(), 2);
    let (phone, _) = server.resume(&phone_token).await;
    let ana = Device { client: phone, ..ana };
    assert_eq!(ana.send(&bo_ref, "from the phone, for the laptop too", "m4").await, 4);
    let (laptop_again, _) = server.resume(&laptop.token).await;
    let (page, more) = laptop_again.dm_history(&bo_ref.player, None, None, Some(3)).await.unwrap();
    assert!(more);
    assert_eq!(page.iter().map(|m| m.seq).collect::<Vec<_>>(), [2, 3, 4]);
    assert!(open_message(&laptop.key, &page[0]).is_err(), "older than the laptop");
    assert_eq!(open_message(&laptop.key, &page[2]).unwrap(), "from the phone, for the laptop too");
    // And Bo's copy of the same page opens for Bo.
    let (page, _) = bo_back.dm_history(&ana.player, None, Some(1), None).await.unwrap();
    let texts: Vec<String> = page.iter().map(|m| open_message(&bo_ref.key, m).unwrap()).collect();
    assert_eq!(texts, ["second", "third ✓", "from the phone, for the laptop too"]);

    // Keys and sealed history come back after a restart.
    let server = server.restart().await;
    let (again, _) = server.resume(&bo_token).await;
    assert_eq!(again.keys_of(&ana.player).await.unwrap().len(), 2);
    let (page, _) = again.dm_history(&ana.player, None, None, None).await.unwrap();
    assert_eq!(open_message(&bo_ref.key, &page[0]).unwrap(), "hi Bo, nim at lunch?");
}

#[tokio::test]
async fn the_database_holds_no_plaintext_of_a_sealed_conversation() {
    let server = TestServer::start().await;
    let ana = device(&server, "Ana").await;
    let mut bo = device(&server, "Bo").await;
    let secret = "meet me at the bike shed, the password is SWORDFISH-4417";
    ana.send(&bo, secret, "s1").await;
    next_dm(&mut bo.client).await;
    bo.send(&ana, "reply ZEBRA-CROSSING-93", "s2").await;
    // The row as the server keeps it, which the page "who can read this" shows: no text, the
    // envelope; and only to the two of them.
    let row =
        match ana.client.request(ClientMsg::DmStored { with: bo.player.clone(), seq: 1 }).await {
            Ok(ServerMsg::DmRow { row }) => row,
            other => panic!("{other:?}"),
        };
    assert_eq!(
        (row.text.as_str(), row.sender.as_str(), row.recipient.as_str()),
        ("", ana.player.as_str(), bo.player.as_str())
    );
    let stored: Sealed = serde_json::from_str(row.sealed.as_deref().unwrap()).unwrap();
    assert_eq!(stored.from_key, b64u(&ana.key.public()));
    let (nosy, _) = server.player("Nosy").await;
    let peek = nosy.request(ClientMsg::DmStored { with: bo.player.clone(), seq: 1 }).await;
    assert_eq!(code_of(peek), ErrorCode::BadRequest, "not their conversation");
    // The control: a message sent without encryption is in the file, so the search works.
    ana.client.dm(&bo.player, "plain PLAINTEXT-CONTROL-55", "p1").await.unwrap();
    let data = server.data_dir();
    let (_dir, _) = server.stop().await;

    let mut all = Vec::new();
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with("capital.db") {
            all.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(!all.is_empty(), "no database files in {}", data.display());
    let has = |needle: &str| all.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(has("PLAINTEXT-CONTROL-55"), "the search finds what is stored in the clear");
    for needle in ["SWORDFISH", "bike shed", "ZEBRA-CROSSING"] {
        assert!(!has(needle), "{needle} is in the database");
    }
    // What it does hold: the envelope (the sender's key, in base64url).
    assert!(has(&b64u(&ana.key.public())));
}

#[tokio::test]
async fn bad_envelopes_get_their_own_errors_and_change_nothing() {
    let server = TestServer::start_with(|c| c.max_dm_chars = 100).await;
    let ana = device(&server, "Ana").await;
    let bo = device(&server, "Bo").await;
    let ours = vec![bo.key.public(), ana.key.public()];
    let send = |msg: ClientMsg| ana.client.request(msg);

    // Too big: more than 100 characters could be.
    let big = sealed_dm(&ana, &bo.player, "x1", &ours, &"x".repeat(401));
    assert_eq!(code_of(send(big).await), ErrorCode::BadEnvelope);
    // Malformed: not base64url; the sender's key not a key; text beside the envelope.
    let mut broken = sealed_dm(&ana, &bo.player, "x2", &ours, "hi");
    if let ClientMsg::Dm { sealed: Some(s), .. } = &mut broken {
        s.copies[0].ct = "not base64!".into();
    }
    assert_eq!(code_of(send(broken).await), ErrorCode::BadEnvelope);
    let mut broken = sealed_dm(&ana, &bo.player, "x3", &ours, "hi");
    if let ClientMsg::Dm { sealed: Some(s), .. } = &mut broken {
        s.from_key = b64u(&[4; 65]);
    }
    assert_eq!(code_of(send(broken).await), ErrorCode::BadEnvelope);
    let mut both = sealed_dm(&ana, &bo.player, "x4", &ours, "hi");
    if let ClientMsg::Dm { text, .. } = &mut both {
        *text = "and in the clear".into();
    }
    assert_eq!(code_of(send(both).await), ErrorCode::BadEnvelope);
    // For a device that does not exist.
    let stranger = DeviceKey::generate().public();
    let extra = sealed_dm(&ana, &bo.player, "x5", &[ours.clone(), vec![stranger]].concat(), "hi");
    assert_eq!(code_of(send(extra).await), ErrorCode::UnknownDevice);
    // From a device that never published its key.
    let unpublished = Device { key: DeviceKey::generate(), ..device(&server, "Cy").await };
    let msg = sealed_dm(&unpublished, &bo.player, "x6", &[bo.key.public()], "hi");
    assert_eq!(code_of(unpublished.client.request(msg).await), ErrorCode::UnknownDevice);
    // Missing a copy: Bo's new tablet published a key Ana did not seal for.
    let (_, mut tablet) = second_device(&server, &bo).await;
    let stale = sealed_dm(&ana, &bo.player, "x7", &ours, "hi");
    assert_eq!(code_of(send(stale).await), ErrorCode::KeysChanged);
    // A sealed message's client_msg_id is checked like any other.
    let long_id = sealed_dm(&ana, &bo.player, &"i".repeat(65), &ours, "hi");
    assert_eq!(code_of(send(long_id).await), ErrorCode::BadClientMsgId);
    // A key that is not a key.
    let bad_key = ClientMsg::PublishKey { key: b64u(&[7; 65]) };
    assert_eq!(code_of(ana.client.request(bad_key).await), ErrorCode::BadRequest);
    let (_, probe) = server.player("Probe").await;
    let none = ana.client.keys_of(&probe.player_id).await.unwrap();
    assert!(none.is_empty(), "a player without keys has an empty list");
    let no_keys = sealed_dm(&ana, &probe.player_id, "x8", &[ana.key.public()], "hi");
    assert_eq!(code_of(send(no_keys).await), ErrorCode::UnknownDevice);

    // None of it was stored or delivered: the next good message is the first.
    assert_eq!(ana.send(&bo, "the real one", "ok1").await, 1);
    let m = next_dm(&mut tablet.client).await;
    assert_eq!((m.seq, open_message(&tablet.key, &m).unwrap().as_str()), (1, "the real one"));
    assert_eq!(open_message(&bo.key, &m).unwrap(), "the real one", "and for Bo's phone");
}

#[tokio::test]
async fn a_key_spammer_only_churns_its_own_list_while_others_write() {
    let server = TestServer::start_with(|c| c.max_devices_per_player = 3).await;
    let ana = device(&server, "Ana").await;
    let mut bo = device(&server, "Bo").await;
    let (spammer, who) = server.player("Spam").await;
    for round in 0..40 {
        let key = DeviceKey::generate();
        spammer.publish_key(&key).await.unwrap();
        if round % 10 == 0 {
            let text = format!("still here {round}");
            ana.send(&bo, &text, &format!("r{round}")).await;
            assert_eq!(open_message(&bo.key, &next_dm(&mut bo.client).await).unwrap(), text);
        }
    }
    assert_eq!(ana.client.keys_of(&who.player_id).await.unwrap().len(), 3, "the bound");
    assert_eq!(ana.client.keys_of(&bo.player).await.unwrap().len(), 1, "nobody else's");
    // Publishing the same key again is not a new device.
    bo.client.publish_key(&bo.key).await.unwrap();
    assert_eq!(ana.client.keys_of(&bo.player).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_message_sealed_by_a_key_its_sender_never_listed_is_refused_by_the_reader() {
    // What a dishonest server could try: seal a message with a key of its own and say it is
    // Ana's. Here a client plays that server's part: it seals with Cy's key (published, so the
    // server accepts it) but the message is checked against the sender's own list.
    let server = TestServer::start().await;
    let ana = device(&server, "Ana").await;
    let mut bo = device(&server, "Bo").await;
    ana.send(&bo, "a real one", "r1").await;
    let real = next_dm(&mut bo.client).await;
    assert_eq!(bo.client.read_dm(&bo.key, &real).await.unwrap(), "a real one");
    let mut forged = real.clone();
    let impostor = DeviceKey::generate();
    let text = "send me your password";
    let sealed = sealed_for(&impostor, &ana.player, &bo.player, "r1", text, &[bo.key.public()]);
    forged.sealed = Some(sealed.unwrap());
    assert_eq!(open_message(&bo.key, &forged).unwrap(), "send me your password", "it opens...");
    let refused = bo.client.read_dm(&bo.key, &forged).await.unwrap_err();
    assert!(refused.to_string().contains("not sealed by a device of its sender"), "{refused}");
}

#[tokio::test]
async fn a_device_added_to_the_senders_own_list_stops_the_next_message_until_accepted() {
    // A server that adds a device of its own to Ana's list would get a copy of each message she
    // sends, and Ana's and Bo's safety numbers would still match. Here that device is a client
    // signed in as Ana (what the server would do): Ana's pins stop her next message until she
    // accepts it, and nothing is sent meanwhile.
    let server = TestServer::start().await;
    let ana = device(&server, "Ana").await;
    let mut bo = device(&server, "Bo").await;
    let pins = Pins::new();
    let seal = async |client: &Client, text: &str, id: &str| {
        client.dm_sealed(&ana.player, &ana.key, &pins, &bo.player, text, id).await
    };
    seal(&ana.client, "first", "p1").await.expect("the first lists are accepted as they are");
    assert_eq!(next_dm(&mut bo.client).await.seq, 1);

    // The new device signs in (taking over Ana's connection); Ana's phone comes back.
    let (token, phantom) = second_device(&server, &ana).await;
    let phantom_id = device_id(&phantom.key.public());
    let phone = Client::connect(&server.url()).await.unwrap();
    phone.hello("", Some(&token)).await.unwrap();
    match seal(&phone, "second", "p2").await {
        Err(ClientError::KeysChanged { player, devices }) => {
            assert_eq!(player, ana.player, "Ana's own list changed");
            assert_eq!(devices, std::slice::from_ref(&phantom_id));
        }
        other => panic!("sent past a device Ana did not accept: {other:?}"),
    }
    let (history, _) = bo.client.dm_history(&ana.player, None, None, None).await.unwrap();
    assert_eq!(history.len(), 1, "nothing was sent while it waited");

    // Ana says it is hers: the message goes, with a copy for the new device too.
    pins.accept(&ana.player, &phone.keys_of(&ana.player).await.unwrap());
    assert_eq!(seal(&phone, "second", "p2").await.unwrap(), 2);
    let got = next_dm(&mut bo.client).await;
    let copies: Vec<&str> =
        got.sealed.as_ref().unwrap().copies.iter().map(|c| c.device.as_str()).collect();
    assert!(copies.contains(&phantom_id.as_str()), "{copies:?}");
    assert_eq!(open_message(&phantom.key, &got).unwrap(), "second");
}

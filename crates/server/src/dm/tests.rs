//! The hub against its narrow environment: a memory store (that can fail), paused time,
//! connections whose outboxes the tests read.

use capital_protocol::{ErrorCode, ServerMsg};
use capital_store::{DmStore, PlayerRecord, Store, TokenRecord, Write};

use super::*;
use crate::testing::*;

/// The defaults: 512 KiB a minute, replies of 256 KiB.
const SETTINGS: DmSettings = DmSettings { bytes_per_minute: 512 * 1024, reply_bytes: 256 * 1024 };

async fn hub() -> (DmHandle, std::sync::Arc<capital_store::MemoryStore>) {
    hub_with(SETTINGS).await
}

async fn hub_with(settings: DmSettings) -> (DmHandle, std::sync::Arc<capital_store::MemoryStore>) {
    let (env, store) = env();
    for id in ["pa", "pb"] {
        let player = PlayerRecord { id: id.into(), name: id.to_uppercase(), created_ms: 1 };
        let token = TokenRecord {
            hash: [id.as_bytes()[1]; 32],
            player_id: id.into(),
            created_ms: 1,
            expires_ms: None,
        };
        store.commit(Write::CreatePlayer(player, token).into()).await.unwrap();
    }
    (hub::Hub::start(env, settings).await.unwrap(), store)
}

fn send(hub: &DmHandle, conn: &crate::conn::ConnHandle, id: u64, to: &str, cmid: &str) {
    send_text(hub, conn, id, (to, "hello"), cmid);
}

/// Ana sends `text` to `to`.
fn send_text(
    hub: &DmHandle,
    conn: &crate::conn::ConnHandle,
    id: u64,
    (to, text): (&str, &str),
    cmid: &str,
) {
    let cmd = DmCmd::Send {
        conn: conn.clone(),
        id,
        from: player("pa", "Ana"),
        to: to.into(),
        text: text.into(),
        sealed: None,
        client_msg_id: cmid.into(),
    };
    hub.request(cmd).unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_message_reaches_an_online_recipient_after_it_is_stored() {
    let (hub, store) = hub().await;
    let (a, mut a_out) = conn(1);
    let (b, mut b_out) = conn(2);
    hub.request(DmCmd::Online { player: player("pb", "Bo"), conn: b }).unwrap();
    send(&hub, &a, 1, "pb", "d1");
    let a_frames = frames(&mut a_out).await;
    assert!(matches!(reply_to(&a_frames, 1), ServerMsg::DmSent { seq: 1, .. }));
    let b_frames = frames(&mut b_out).await;
    assert!(matches!(&b_frames[..], [f] if matches!(f.msg, ServerMsg::Dm { .. })), "{b_frames:?}");
    assert_eq!(store.dms_after("pa", "pb", 0, 10).unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_failed_write_answers_internal_and_forgets_what_it_did_in_memory() {
    let (hub, store) = hub().await;
    let (a, mut a_out) = conn(1);
    let (b, mut b_out) = conn(2);
    hub.request(DmCmd::Online { player: player("pb", "Bo"), conn: b.clone() }).unwrap();
    frames(&mut b_out).await;
    store.fail_writes(true);
    send(&hub, &a, 1, "pb", "d1");
    send(&hub, &a, 2, "pb", "d1"); // its retry
    let block = DmCmd::Block {
        conn: a.clone(),
        id: 3,
        blocker: "pa".into(),
        blocked: "pb".into(),
        on: true,
    };
    hub.request(block).unwrap();
    let a_frames = frames(&mut a_out).await;
    for id in [1, 2, 3] {
        assert_eq!(error_code(reply_to(&a_frames, id)), Some(ErrorCode::Internal), "{id}");
    }
    assert!(frames(&mut b_out).await.is_empty(), "Bo heard nothing");
    store.fail_writes(false);
    // The block was not stored, so it is not enforced; the retry id was not used.
    let cmd = DmCmd::Send {
        conn: b.clone(),
        id: 4,
        from: player("pb", "Bo"),
        to: "pa".into(),
        text: "still there?".into(),
        sealed: None,
        client_msg_id: "b1".into(),
    };
    hub.request(cmd).unwrap();
    send(&hub, &a, 5, "pb", "d1");
    let b_frames = frames(&mut b_out).await;
    assert!(matches!(reply_to(&b_frames, 4), ServerMsg::DmSent { seq: 1, .. }), "{b_frames:?}");
    let a_frames = frames(&mut a_out).await;
    assert!(matches!(reply_to(&a_frames, 5), ServerMsg::DmSent { seq: 2, .. }), "{a_frames:?}");
    assert!(store.blocks().unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn messages_stored_while_away_are_pushed_at_the_next_connect_in_order() {
    let (hub, _) = hub().await;
    let (a, mut a_out) = conn(1);
    hub.request(DmCmd::Online { player: player("pa", "Ana"), conn: a.clone() }).unwrap();
    for i in 1..=3 {
        send(&hub, &a, i, "pb", &format!("d{i}"));
    }
    frames(&mut a_out).await;
    let (b, mut b_out) = conn(2);
    hub.request(DmCmd::Online { player: player("pb", "Bo"), conn: b }).unwrap();
    let seqs: Vec<u64> = frames(&mut b_out)
        .await
        .into_iter()
        .filter_map(|f| match f.msg {
            ServerMsg::Dm { message } => Some(message.seq),
            _ => None,
        })
        .collect();
    assert_eq!(seqs, [1, 2, 3]);
    let receipts = frames(&mut a_out).await;
    assert!(
        receipts.iter().any(|f| matches!(f.msg, ServerMsg::DmReceipt { seq: 3, .. })),
        "Ana hears they were delivered: {receipts:?}"
    );
}

fn publish(hub: &DmHandle, conn: &crate::conn::ConnHandle, id: u64, who: &str, key: &[u8]) {
    let key = capital_e2e::dm::b64u(key);
    let cmd = DmCmd::PublishKey { conn: conn.clone(), id, player: who.into(), key, max: 2 };
    hub.request(cmd).unwrap();
}

fn keys_of(hub: &DmHandle, conn: &crate::conn::ConnHandle, id: u64, who: &str) {
    hub.request(DmCmd::KeysOf { conn: conn.clone(), id, player: who.into() }).unwrap();
}

fn devices(reply: &ServerMsg) -> Vec<String> {
    match reply {
        ServerMsg::Keys { keys, .. } => keys.iter().map(|k| k.device.clone()).collect(),
        other => panic!("not keys: {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_key_whose_write_failed_is_not_listed_and_one_more_forgets_the_oldest() {
    use capital_e2e::DeviceKey;
    use capital_e2e::dm::device_id;
    let (hub, store) = hub().await;
    let (a, mut a_out) = conn(1);
    let keys: Vec<Vec<u8>> = (0..3).map(|_| DeviceKey::generate().public()).collect();
    store.fail_writes(true);
    publish(&hub, &a, 1, "pa", &keys[0]);
    keys_of(&hub, &a, 2, "pa");
    let out = frames(&mut a_out).await;
    assert_eq!(error_code(reply_to(&out, 1)), Some(ErrorCode::Internal));
    store.fail_writes(false);
    keys_of(&hub, &a, 3, "pa");
    let out = frames(&mut a_out).await;
    assert!(devices(reply_to(&out, 3)).is_empty(), "not stored, so not handed out");

    for (i, key) in keys.iter().enumerate() {
        publish(&hub, &a, 10 + i as u64, "pa", key);
        frames(&mut a_out).await;
        tokio::time::advance(std::time::Duration::from_millis(5)).await;
    }
    keys_of(&hub, &a, 20, "pa");
    let out = frames(&mut a_out).await;
    assert_eq!(devices(reply_to(&out, 20)), [device_id(&keys[1]), device_id(&keys[2])]);
    assert_eq!(store.device_keys().unwrap().len(), 2, "the store forgot it too");
}

#[tokio::test(start_paused = true)]
async fn an_expired_guests_keys_are_forgotten_by_the_hub_too() {
    use capital_e2e::DeviceKey;
    let (hub, store) = hub().await;
    let (a, mut a_out) = conn(1);
    publish(&hub, &a, 1, "pa", &DeviceKey::generate().public());
    publish(&hub, &a, 2, "pb", &DeviceKey::generate().public());
    frames(&mut a_out).await;
    // Bo comes back later; Ana does not, and is forgotten as the expiry runs.
    store.commit(Write::SeenPlayer { id: "pb".into(), seen_ms: 1000 }.into()).await.unwrap();
    let expire = Write::ExpireGuests { seen_before_ms: 500, limit: 10 };
    store.commit(expire.into()).await.unwrap();
    keys_of(&hub, &a, 3, "pa");
    let out = frames(&mut a_out).await;
    assert_eq!(devices(reply_to(&out, 3)).len(), 1, "the hub still holds it until told");
    hub.reload_keys().await;
    keys_of(&hub, &a, 4, "pa");
    keys_of(&hub, &a, 5, "pb");
    let out = frames(&mut a_out).await;
    assert!(devices(reply_to(&out, 4)).is_empty(), "forgotten with its guest");
    assert_eq!(devices(reply_to(&out, 5)).len(), 1, "a guest who came back keeps theirs");
    assert_eq!(store.device_keys().unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_address_sends_its_bytes_a_minute_and_a_refused_message_counts_nothing() {
    let (hub, store) = hub_with(DmSettings { bytes_per_minute: 2048, ..SETTINGS }).await;
    let (a, mut a_out) = conn(1);
    let outcome = |frames: &[capital_protocol::Outgoing], id| match reply_to(frames, id) {
        ServerMsg::DmSent { seq, .. } => Ok(*seq),
        ServerMsg::Error { code, message } => Err((*code, message.clone())),
        other => panic!("{other:?}"),
    };
    send_text(&hub, &a, 1, ("pb", &"x".repeat(1500)), "m1");
    send_text(&hub, &a, 2, ("pb", &"y".repeat(1000)), "m2");
    let out = frames(&mut a_out).await;
    assert_eq!(outcome(&out, 1), Ok(1));
    let (code, words) = outcome(&out, 2).unwrap_err();
    assert_eq!(code, ErrorCode::RateLimited);
    assert!(words.contains("at most 2 KiB a minute") && words.contains("60 seconds"), "{words}");
    // The refused 1,000 bytes were not counted: 548 more fit, then not one; the retry of a
    // message already stored is no new bytes.
    send_text(&hub, &a, 3, ("pb", &"z".repeat(548)), "m3");
    send_text(&hub, &a, 4, ("pb", "!"), "m4");
    send_text(&hub, &a, 5, ("pb", &"x".repeat(1500)), "m1");
    let out = frames(&mut a_out).await;
    assert_eq!(outcome(&out, 3), Ok(2), "the refused message took no seq");
    assert_eq!(outcome(&out, 4).unwrap_err().0, ErrorCode::RateLimited);
    assert_eq!(outcome(&out, 5), Ok(1));
    // Another address has its own minute; this one starts anew after its minute.
    let (elsewhere, mut elsewhere_out) = conn_from(2, "10.0.0.9".parse().unwrap());
    send_text(&hub, &elsewhere, 6, ("pb", &"w".repeat(2048)), "e1");
    assert_eq!(outcome(&frames(&mut elsewhere_out).await, 6), Ok(3));
    tokio::time::advance(std::time::Duration::from_secs(60)).await;
    send_text(&hub, &a, 7, ("pb", &"y".repeat(1000)), "m2");
    assert_eq!(outcome(&frames(&mut a_out).await, 7), Ok(4));
    let texts: Vec<usize> =
        store.dms_after("pa", "pb", 0, 10).unwrap().iter().map(|d| d.text.len()).collect();
    assert_eq!(texts, [1500, 548, 2048, 1000], "only what was accepted is stored");
}

#[tokio::test(start_paused = true)]
async fn the_push_at_connect_stops_at_a_replys_bytes_and_the_rest_wait_for_the_next() {
    let (hub, _) = hub_with(DmSettings { reply_bytes: 10_000, ..SETTINGS }).await;
    let (a, mut a_out) = conn(1);
    hub.request(DmCmd::Online { player: player("pa", "Ana"), conn: a.clone() }).unwrap();
    for i in 1..=10 {
        send_text(&hub, &a, i, ("pb", &"x".repeat(3000)), &format!("d{i}"));
    }
    frames(&mut a_out).await;
    // Each connect pushes the next messages, as many as 10,000 bytes of frames hold (three of
    // about 3,200), in order, until none is left.
    let (mut pushed, mut counts) = (Vec::new(), Vec::new());
    for connect in 0..10 {
        let (b, mut b_out) = conn(10 + connect);
        hub.request(DmCmd::Online { player: player("pb", "Bo"), conn: b }).unwrap();
        let got = frames(&mut b_out).await;
        if got.is_empty() {
            break;
        }
        let bytes: usize = got.iter().map(|f| f.to_json().len()).sum();
        assert!(bytes <= 10_000, "{bytes} bytes pushed at one connect");
        counts.push(got.len());
        for f in got {
            let ServerMsg::Dm { message } = f.msg else { panic!("{f:?}") };
            pushed.push(message.seq);
        }
        hub.request(DmCmd::Offline { player_id: "pb".into(), conn_id: 10 + connect }).unwrap();
    }
    assert_eq!(counts, [3, 3, 3, 1]);
    assert_eq!(pushed, (1..=10).collect::<Vec<_>>(), "each once, in order");
    let receipts: Vec<u64> = frames(&mut a_out)
        .await
        .into_iter()
        .filter_map(|f| match f.msg {
            ServerMsg::DmReceipt { seq, .. } => Some(seq),
            _ => None,
        })
        .collect();
    assert_eq!(receipts, [3, 6, 9, 10], "Ana hears of each push");
}

#[tokio::test(start_paused = true)]
async fn a_message_bigger_than_a_replys_bytes_is_still_pushed_alone() {
    let (hub, _) = hub_with(DmSettings { reply_bytes: 1000, ..SETTINGS }).await;
    let (a, mut a_out) = conn(1);
    send_text(&hub, &a, 1, ("pb", &"x".repeat(3000)), "d1");
    send_text(&hub, &a, 2, ("pb", "small"), "d2");
    frames(&mut a_out).await;
    let (b, mut b_out) = conn(2);
    hub.request(DmCmd::Online { player: player("pb", "Bo"), conn: b }).unwrap();
    let got = frames(&mut b_out).await;
    assert!(
        matches!(&got[..], [f] if matches!(&f.msg, ServerMsg::Dm { message } if message.seq == 1))
    );
}

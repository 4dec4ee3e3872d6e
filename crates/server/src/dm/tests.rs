//! The hub against its narrow environment: a memory store (that can fail), paused time,
//! connections whose outboxes the tests read.

use capital_protocol::{ErrorCode, ServerMsg};
use capital_store::{DmStore, PlayerRecord, Store, TokenRecord, Write};

use super::*;
use crate::testing::*;

async fn hub() -> (DmHandle, std::sync::Arc<capital_store::MemoryStore>) {
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
    (hub::Hub::start(env).await.unwrap(), store)
}

fn send(hub: &DmHandle, conn: &crate::conn::ConnHandle, id: u64, to: &str, cmid: &str) {
    let cmd = DmCmd::Send {
        conn: conn.clone(),
        id,
        from: player("pa", "Ana"),
        to: to.into(),
        text: "hello".into(),
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

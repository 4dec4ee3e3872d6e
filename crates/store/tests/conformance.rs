//! One conformance suite, run against every backend: what the server relies on from a store.

use capital_protocol::{Outcome, Phase, Role, RoomMode};
use capital_store::*;
use serde_json::json;

mod support {
    pub mod postgres;
}
use support::postgres::Postgres;

/// One write, committed alone: the old per-write calls, spelled with [`Store::commit`].
trait Writes {
    fn create_player(&self, p: &PlayerRecord, t: &TokenRecord) -> Ticket;
    fn rename_player(&self, id: &str, name: &str) -> Ticket;
    fn add_token(&self, t: &TokenRecord) -> Ticket;
    fn revoke_token(&self, hash: &[u8; 32]) -> Ticket;
    fn create_account(&self, a: &AccountRecord) -> Ticket;
    fn append_dm(&self, d: &DmRecord) -> Ticket;
    fn mark_delivered(&self, a: &str, b: &str, to: &str, seq: u64, ts: u64) -> Ticket;
    fn mark_read(&self, a: &str, b: &str, to: &str, seq: u64, ts: u64) -> Ticket;
    fn set_block(&self, blocker: &str, blocked: &str, on: bool, ts: u64) -> Ticket;
    fn put_room(&self, r: &RoomRecord) -> Ticket;
    fn put_member(&self, m: &MemberRecord) -> Ticket;
    fn remove_member(&self, room: RoomId, player: &str) -> Ticket;
    fn append_move(&self, m: &MoveRecord) -> Ticket;
    fn append_chat(&self, c: &ChatRecord) -> Ticket;
}

impl<S: Store + ?Sized> Writes for S {
    fn create_player(&self, p: &PlayerRecord, t: &TokenRecord) -> Ticket {
        self.commit(Write::CreatePlayer(p.clone(), t.clone()).into())
    }
    fn rename_player(&self, id: &str, name: &str) -> Ticket {
        self.commit(Write::RenamePlayer { id: id.into(), name: name.into() }.into())
    }
    fn add_token(&self, t: &TokenRecord) -> Ticket {
        self.commit(Write::AddToken(t.clone()).into())
    }
    fn revoke_token(&self, hash: &[u8; 32]) -> Ticket {
        self.commit(Write::RevokeToken(*hash).into())
    }
    fn create_account(&self, a: &AccountRecord) -> Ticket {
        self.commit(Write::CreateAccount(a.clone()).into())
    }
    fn append_dm(&self, d: &DmRecord) -> Ticket {
        self.commit(Write::AppendDm(d.clone()).into())
    }
    fn mark_delivered(&self, a: &str, b: &str, to: &str, seq: u64, ts: u64) -> Ticket {
        let (a, b, recipient) = (a.into(), b.into(), to.into());
        self.commit(Write::MarkDm { a, b, recipient, seq, ts_ms: ts, read: false }.into())
    }
    fn mark_read(&self, a: &str, b: &str, to: &str, seq: u64, ts: u64) -> Ticket {
        let (a, b, recipient) = (a.into(), b.into(), to.into());
        self.commit(Write::MarkDm { a, b, recipient, seq, ts_ms: ts, read: true }.into())
    }
    fn set_block(&self, blocker: &str, blocked: &str, on: bool, ts: u64) -> Ticket {
        let (blocker, blocked) = (blocker.into(), blocked.into());
        self.commit(Write::SetBlock { blocker, blocked, on, ts_ms: ts }.into())
    }
    fn put_room(&self, r: &RoomRecord) -> Ticket {
        self.commit(Write::PutRoom(r.clone()).into())
    }
    fn put_member(&self, m: &MemberRecord) -> Ticket {
        self.commit(Write::PutMember(m.clone()).into())
    }
    fn remove_member(&self, room: RoomId, player: &str) -> Ticket {
        self.commit(Write::RemoveMember { room_id: room, player_id: player.into() }.into())
    }
    fn append_move(&self, m: &MoveRecord) -> Ticket {
        self.commit(Write::AppendMove(m.clone()).into())
    }
    fn append_chat(&self, c: &ChatRecord) -> Ticket {
        self.commit(Write::AppendChat(c.clone()).into())
    }
}

fn player(id: &str) -> PlayerRecord {
    PlayerRecord { id: id.into(), name: format!("name-{id}"), created_ms: 1 }
}

fn token(id: &str, byte: u8, expires_ms: Option<u64>) -> TokenRecord {
    TokenRecord { hash: [byte; 32], player_id: id.into(), created_ms: 1, expires_ms }
}

/// Creates player `id` with a guest token of `byte`s.
fn create(store: &dyn Store, id: &str, byte: u8) {
    store.create_player(&player(id), &token(id, byte, None)).wait().unwrap();
}

fn room(id: RoomId, code: &str) -> RoomRecord {
    RoomRecord {
        id,
        mode: RoomMode::P2p,
        code: code.into(),
        game: "tictactoe".into(),
        options: json!({}),
        host: "p1".into(),
        phase: Phase::Lobby,
        game_no: 0,
        seq: 1,
        outcome: None,
        players: 0,
        seed: 0,
        deadlines: vec![],
        turn_seconds: 0,
        snapshot: None,
        snapshot_tick: 0,
        created_ms: 10,
        closed: false,
        locked: false,
        banned: Vec::new(),
        chat_off: false,
        muted: Vec::new(),
        scoreboard: Vec::new(),
        game_version: String::new(),
    }
}

fn member(room_id: RoomId, player_id: &str, seat: Option<usize>, joined_ms: u64) -> MemberRecord {
    let role = if seat.is_some() { Role::Player } else { Role::Spectator };
    MemberRecord { room_id, player_id: player_id.into(), role, seat, joined_ms, ready: false }
}

fn chat(room_id: RoomId, seq: u64, from: &str, cmid: &str) -> ChatRecord {
    ChatRecord {
        room_id,
        seq,
        player_id: from.into(),
        name: "n".into(),
        text: format!("message {seq}"),
        client_msg_id: cmid.into(),
        ts_ms: 100 + seq,
        removed: false,
    }
}

fn players_and_tokens(store: &dyn Store) {
    create(store, "p1", 1);
    assert_eq!(
        store.player_by_token(&[1; 32]).unwrap(),
        Some((player("p1"), token("p1", 1, None)))
    );
    assert_eq!(store.player_by_token(&[2; 32]).unwrap(), None);
    assert!(store.create_player(&player("p1"), &token("p1", 3, None)).wait().is_err(), "same id");
    assert!(
        store.create_player(&player("p9"), &token("p9", 1, None)).wait().is_err(),
        "same token"
    );
    store.rename_player("p1", "Ana").wait().unwrap();
    assert_eq!(store.player_by_token(&[1; 32]).unwrap().unwrap().0.name, "Ana");
    assert_eq!(store.player("p1").unwrap().unwrap().name, "Ana");
    assert_eq!(store.player("nobody").unwrap(), None);
    // A second device's session token, with an expiry; then revoked.
    store.add_token(&token("p1", 7, Some(5000))).wait().unwrap();
    let (who, t) = store.player_by_token(&[7; 32]).unwrap().unwrap();
    assert_eq!((who.id.as_str(), t.expires_ms), ("p1", Some(5000)));
    store.revoke_token(&[7; 32]).wait().unwrap();
    assert_eq!(store.player_by_token(&[7; 32]).unwrap(), None);
    assert!(store.player_by_token(&[1; 32]).unwrap().is_some(), "other tokens still work");
}

fn accounts(store: &dyn Store) {
    create(store, "p1", 1);
    create(store, "p2", 2);
    let account = |p: &str, u: &str| AccountRecord {
        player_id: p.into(),
        username: u.into(),
        password_hash: format!("$argon2id$fake${p}"),
        created_ms: 9,
    };
    store.create_account(&account("p1", "ana")).wait().unwrap();
    assert!(store.create_account(&account("p2", "ana")).wait().is_err(), "username taken");
    assert!(store.create_account(&account("p1", "ana2")).wait().is_err(), "one account each");
    assert_eq!(store.account_by_username("ana").unwrap(), Some(account("p1", "ana")));
    assert_eq!(store.account_by_username("bo").unwrap(), None);
    assert_eq!(store.account_of("p1").unwrap(), Some(account("p1", "ana")));
    assert_eq!(store.account_of("p2").unwrap(), None);
}

fn dm(a: &str, b: &str, seq: u64, sender: &str, cmid: &str, ts: u64) -> DmRecord {
    DmRecord {
        a: a.into(),
        b: b.into(),
        seq,
        sender: sender.into(),
        text: format!("dm {seq}"),
        sealed: None,
        client_msg_id: cmid.into(),
        ts_ms: ts,
        delivered_ms: None,
        read_ms: None,
    }
}

fn direct_messages(store: &dyn Store) {
    create(store, "pa", 1);
    create(store, "pb", 2);
    create(store, "pc", 3);
    assert_eq!(conversation("pb", "pa"), ("pa".to_string(), "pb".to_string()));
    for seq in 1..=5 {
        let sender = if seq % 2 == 1 { "pa" } else { "pb" };
        store
            .append_dm(&dm("pa", "pb", seq, sender, &format!("m{seq}"), 100 + seq))
            .wait()
            .unwrap();
    }
    store.append_dm(&dm("pb", "pc", 1, "pc", "m1", 200)).wait().unwrap();
    assert!(
        store.append_dm(&dm("pa", "pb", 6, "pa", "m1", 300)).wait().is_err(),
        "retry stored once"
    );
    assert!(store.append_dm(&dm("pa", "pb", 5, "pa", "new", 300)).wait().is_err(), "seq once");

    let seqs = |v: Vec<DmRecord>| v.iter().map(|d| d.seq).collect::<Vec<_>>();
    assert_eq!(seqs(store.dms_before("pa", "pb", None, 2).unwrap()), [4, 5]);
    assert_eq!(seqs(store.dms_before("pa", "pb", Some(4), 10).unwrap()), [1, 2, 3]);
    assert_eq!(seqs(store.dms_after("pa", "pb", 3, 10).unwrap()), [4, 5]);
    // To pb: 1, 3, 5 from pa, and 1 from pc; in the order sent.
    let undelivered = store.undelivered("pb", 10).unwrap();
    let order: Vec<_> = undelivered.iter().map(|d| (d.sender.as_str(), d.seq)).collect();
    assert_eq!(order, [("pa", 1), ("pa", 3), ("pa", 5), ("pc", 1)]);
    let first: Vec<_> = store.undelivered("pb", 2).unwrap().iter().map(|d| d.seq).collect();
    assert_eq!(first, [1, 3], "the first ones sent, up to the limit");
    assert_eq!(store.waiting_recipients().unwrap(), ["pa", "pb"]);
    store.mark_delivered("pa", "pb", "pb", 3, 400).wait().unwrap();
    let left: Vec<_> = store.undelivered("pb", 10).unwrap().iter().map(|d| d.seq).collect();
    assert_eq!(left, [5, 1]);
    store.mark_read("pa", "pb", "pb", 5, 500).wait().unwrap();
    let all = store.dms_after("pa", "pb", 0, 10).unwrap();
    assert_eq!(all[0].read_ms, Some(500));
    assert_eq!(all[0].delivered_ms, Some(400), "delivery time kept");
    assert_eq!(all[4].delivered_ms, Some(500), "read implies delivered");
    assert_eq!(all[1].read_ms, None, "pa's unread is pa's own business");

    let convs = store.conversations("pb").unwrap();
    let view: Vec<_> = convs.iter().map(|c| (c.other.as_str(), c.last.seq, c.unread)).collect();
    assert_eq!(view, [("pc", 1, 1), ("pa", 5, 0)], "most recent first");
    assert_eq!(convs[1].other_name, "name-pa");
    let convs = store.conversations("pa").unwrap();
    assert_eq!(convs.iter().map(|c| c.unread).collect::<Vec<_>>(), [2]);
    let recent: Vec<_> =
        store.recent_dms(3).unwrap().iter().map(|d| (d.b.clone(), d.seq)).collect();
    assert_eq!(recent, [("pc".to_string(), 1), ("pb".to_string(), 5), ("pb".to_string(), 4)]);
    let mut seqs = store.conversation_seqs().unwrap();
    seqs.sort();
    assert_eq!(
        seqs,
        [(("pa".to_string(), "pb".to_string()), 5), (("pb".to_string(), "pc".to_string()), 1)]
    );
}

fn sealed_messages_and_device_keys(store: &dyn Store) {
    create(store, "pa", 1);
    create(store, "pb", 2);
    let envelope = r#"{"from_key":"BA","copies":[]}"#;
    let sealed = DmRecord {
        text: String::new(),
        sealed: Some(envelope.into()),
        ..dm("pa", "pb", 1, "pa", "m1", 10)
    };
    store.append_dm(&sealed).wait().unwrap();
    assert_eq!(store.dms_after("pa", "pb", 0, 10).unwrap(), std::slice::from_ref(&sealed));
    assert_eq!(store.undelivered("pb", 10).unwrap(), std::slice::from_ref(&sealed));
    assert_eq!(store.conversations("pb").unwrap()[0].last, sealed);

    let key = |player: &str, device: &str, since: u64, seen: u64| DeviceKeyRecord {
        player_id: player.into(),
        device: device.into(),
        key: format!("key-{device}"),
        since_ms: since,
        seen_ms: seen,
    };
    let put = |k: DeviceKeyRecord, evict: Option<&str>| {
        store.commit(Write::PutDeviceKey { key: k, evict: evict.map(str::to_owned) }.into())
    };
    put(key("pb", "d2", 5, 5), None).wait().unwrap();
    put(key("pa", "d1", 3, 3), None).wait().unwrap();
    put(key("pb", "d3", 7, 7), None).wait().unwrap();
    // The same device again: only when it was last seen moves on.
    put(key("pb", "d2", 9, 9), None).wait().unwrap();
    assert_eq!(
        store.device_keys().unwrap(),
        [key("pa", "d1", 3, 3), key("pb", "d2", 5, 9), key("pb", "d3", 7, 7)]
    );
    put(key("pb", "d4", 11, 11), Some("d3")).wait().unwrap();
    let devices: Vec<_> =
        store.device_keys().unwrap().into_iter().map(|k| (k.player_id, k.device)).collect();
    let pairs = [("pa", "d1"), ("pb", "d2"), ("pb", "d4")];
    assert_eq!(devices, pairs.map(|(p, d)| (p.to_string(), d.to_string())));
}

fn blocks(store: &dyn Store) {
    store.set_block("pa", "pb", true, 1).wait().unwrap();
    store.set_block("pa", "pb", true, 2).wait().unwrap();
    store.set_block("pc", "pa", true, 3).wait().unwrap();
    let mut all = store.blocks().unwrap();
    all.sort();
    assert_eq!(all, [("pa".to_string(), "pb".to_string()), ("pc".to_string(), "pa".to_string())]);
    store.set_block("pa", "pb", false, 4).wait().unwrap();
    assert_eq!(store.blocks().unwrap(), [("pc".to_string(), "pa".to_string())]);
}

fn rooms_members_and_moves(store: &dyn Store) {
    create(store, "p1", 1);
    create(store, "p2", 2);
    store.put_room(&room(7, "KXMR")).wait().unwrap();
    store.put_member(&member(7, "p1", Some(0), 1)).wait().unwrap();
    store.put_member(&member(7, "p2", None, 2)).wait().unwrap();
    store.put_member(&member(7, "p2", Some(1), 2)).wait().unwrap();
    let ready = MemberRecord { ready: true, ..member(7, "p1", Some(0), 1) };
    store.put_member(&ready).wait().unwrap();
    assert_eq!(store.load_room(7, 10).unwrap().unwrap().members[0].0, ready, "ready is kept");
    store.put_member(&member(7, "p1", Some(0), 1)).wait().unwrap();
    let mut r = room(7, "KXMR");
    r.phase = Phase::Playing;
    r.game_no = 1;
    r.seq = 5;
    r.players = 5;
    r.seed = u64::MAX - 6; // every bit of a seed is kept
    r.deadlines = vec![Some(1_700_000_000_123), None];
    r.turn_seconds = 30;
    r.snapshot = Some(json!({"cycles": [[1, 2]], "tick": 40}));
    r.snapshot_tick = 40;
    r.scoreboard = vec![("p1".into(), "Ana".into(), 3), ("p2".into(), "Bo".into(), 1)];
    r.chat_off = true;
    r.muted = vec!["p2".into()];
    store.put_room(&r).wait().unwrap();
    for ply in 0..3 {
        let mv = MoveRecord {
            room_id: 7,
            game_no: 1,
            ply,
            seat: (ply % 2) as usize,
            mv: json!({"cell": ply}),
            seq: 6 + u64::from(ply),
            ts_ms: 50,
        };
        store.append_move(&mv).wait().unwrap();
    }
    let dup =
        MoveRecord { room_id: 7, game_no: 1, ply: 1, seat: 0, mv: json!({}), seq: 99, ts_ms: 0 };
    assert!(store.append_move(&dup).wait().is_err(), "a ply is written once");

    let open = store.open_rooms(10).unwrap();
    assert_eq!(open.len(), 1);
    let stored = &open[0];
    assert_eq!(stored.room, r);
    assert_eq!(
        stored.members,
        vec![
            (member(7, "p1", Some(0), 1), "name-p1".to_string()),
            (member(7, "p2", Some(1), 2), "name-p2".to_string())
        ]
    );
    assert_eq!(stored.moves.iter().map(|m| m.ply).collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(stored.moves[2].mv, json!({"cell": 2}));
    assert_eq!(store.moves(7, 1).unwrap(), stored.moves);
    assert_eq!(store.load_room(7, 10).unwrap().as_ref(), Some(stored));
    assert_eq!(store.load_room(8, 10).unwrap(), None);
    assert_eq!(store.moves(7, 2).unwrap(), vec![]);
    assert_eq!(store.rooms_of_player("p2").unwrap(), vec![r.clone()]);

    store.remove_member(7, "p2").wait().unwrap();
    assert_eq!(store.open_rooms(10).unwrap()[0].members.len(), 1);
    assert_eq!(store.rooms_of_player("p2").unwrap(), vec![]);

    r.phase = Phase::Over;
    r.outcome = Some(Outcome { winner: Some(0), reason: "forfeit".into() });
    store.put_room(&r).wait().unwrap();
    assert_eq!(store.open_rooms(10).unwrap()[0].room.outcome, r.outcome);
}

fn closed_rooms_free_their_code(store: &dyn Store) {
    store.put_room(&room(1, "ABCD")).wait().unwrap();
    assert!(store.put_room(&room(2, "ABCD")).wait().is_err(), "two open rooms, one code");
    let mut closed = room(1, "ABCD");
    closed.closed = true;
    store.put_room(&closed).wait().unwrap();
    store.put_room(&room(2, "ABCD")).wait().unwrap();
    let open = store.open_rooms(10).unwrap();
    assert_eq!(open.iter().map(|r| r.room.id).collect::<Vec<_>>(), [2]);
}

fn chat_pages_and_dedupes(store: &dyn Store) {
    store.put_room(&room(3, "CHAT")).wait().unwrap();
    for seq in 1..=25 {
        store.append_chat(&chat(3, seq, "p1", &format!("c{seq}"))).wait().unwrap();
    }
    assert!(store.append_chat(&chat(3, 25, "p2", "c99")).wait().is_err(), "a seq is written once");
    // Retries are the room's business (it remembers recent ids); the store keeps what it is given.
    store.append_chat(&chat(3, 26, "p2", "c5")).wait().unwrap();

    let seqs = |page: Vec<ChatRecord>| page.iter().map(|c| c.seq).collect::<Vec<_>>();
    assert_eq!(seqs(store.chat_before(3, None, 3).unwrap()), [24, 25, 26]);
    assert_eq!(seqs(store.chat_before(3, Some(24), 3).unwrap()), [21, 22, 23]);
    assert_eq!(seqs(store.chat_before(3, Some(3), 10).unwrap()), [1, 2]);
    assert_eq!(seqs(store.chat_before(3, Some(1), 10).unwrap()), Vec::<u64>::new());
    assert_eq!(seqs(store.chat_after(3, 22, 2).unwrap()), [23, 24]);
    assert_eq!(seqs(store.chat_after(3, 26, 5).unwrap()), Vec::<u64>::new());
    assert_eq!(seqs(store.open_rooms(4).unwrap()[0].chat.clone()), [23, 24, 25, 26]);
    assert_eq!(store.chat_before(3, None, 1).unwrap()[0], chat(3, 26, "p2", "c5"));
    assert_eq!(store.chat_before(99, None, 10).unwrap(), vec![]);
}

fn batches_are_all_or_nothing(store: &dyn Store) {
    let mut batch = WriteBatch::new();
    batch.push(Write::PutRoom(room(9, "BTCH")));
    batch.push(Write::AppendChat(chat(9, 1, "p1", "a")));
    batch.push(Write::AppendChat(chat(9, 1, "p1", "b")));
    let other = store.commit(Write::PutRoom(room(10, "OTHR")).into());
    let err = store.commit(batch).wait().unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "a refused write is a conflict: {err}");
    other.wait().expect("another batch is not held back");
    assert_eq!(store.load_room(9, 10).unwrap(), None, "nothing of the refused batch stays");
    assert_eq!(store.chat_after(9, 0, 10).unwrap(), vec![]);
    assert!(store.load_room(10, 10).unwrap().is_some());
    // A conflict is told apart from a failing disk.
    create(store, "p1", 1);
    let err = store.create_player(&player("p1"), &token("p1", 5, None)).wait().unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err}");
}

fn a_failed_chain_is_skipped_until_restarted(store: &dyn Store) {
    let chain = Chain::new();
    let mut first = WriteBatch::on(chain);
    first.push(Write::PutRoom(room(11, "CHNA")));
    let mut bad = WriteBatch::on(chain);
    bad.push(Write::PutRoom(room(12, "CHNA"))); // the code is taken: refused
    let mut later = WriteBatch::on(chain);
    later.push(Write::AppendChat(chat(11, 1, "p1", "x")));
    // Sent together, so that they may share one transaction: the batch before the refused one
    // is kept, the one after it is not tried.
    let (first, bad, later) = (store.commit(first), store.commit(bad), store.commit(later));
    first.wait().expect("the batch before the refused one stays");
    assert!(matches!(bad.wait(), Err(StoreError::Conflict(_))));
    assert_eq!(later.wait(), Err(StoreError::Skipped), "built on the failed batch: not tried");
    assert_eq!(store.chat_after(11, 0, 10).unwrap(), vec![]);
    store.commit(Write::AppendChat(chat(11, 2, "p1", "y")).into()).wait().expect("no chain");
    let mut again = WriteBatch::on(chain.restarted());
    again.push(Write::AppendChat(chat(11, 1, "p1", "x")));
    store.commit(again).wait().expect("the owner restarted the chain");
    let seqs: Vec<u64> = store.chat_after(11, 0, 10).unwrap().iter().map(|c| c.seq).collect();
    assert_eq!(seqs, [1, 2]);
}

fn guests_expire(store: &dyn Store) {
    for (id, byte) in [("old", 1), ("seen", 2), ("named", 3), ("seated", 4)] {
        create(store, id, byte); // created at 1
    }
    store.commit(Write::SeenPlayer { id: "seen".into(), seen_ms: 1000 }.into()).wait().unwrap();
    let account = AccountRecord {
        player_id: "named".into(),
        username: "named".into(),
        password_hash: "$argon2id$fake".into(),
        created_ms: 1,
    };
    store.create_account(&account).wait().unwrap();
    store.put_room(&room(13, "SEAT")).wait().unwrap();
    store.put_member(&member(13, "seated", Some(0), 1)).wait().unwrap();
    let mut closed = room(14, "GONE");
    closed.closed = true;
    store.put_room(&closed).wait().unwrap();
    store.put_member(&member(14, "old", Some(0), 1)).wait().unwrap();
    for (player, device) in [("old", "d-old"), ("seen", "d-seen")] {
        let key = DeviceKeyRecord {
            player_id: player.into(),
            device: device.into(),
            key: format!("key-{device}"),
            since_ms: 1,
            seen_ms: 1,
        };
        store.commit(Write::PutDeviceKey { key, evict: None }.into()).wait().unwrap();
    }
    let expire = Write::ExpireGuests { seen_before_ms: 500, limit: 100 };
    store.commit(expire.into()).wait().unwrap();
    assert_eq!(store.player("old").unwrap(), None, "an unseen guest is forgotten");
    assert_eq!(store.player_by_token(&[1; 32]).unwrap(), None, "with its token");
    assert!(store.player("seen").unwrap().is_some(), "seen since");
    assert!(store.player("named").unwrap().is_some(), "has an account");
    assert!(store.player("seated").unwrap().is_some(), "sits in an open room");
    assert_eq!(store.load_room(14, 10).unwrap().unwrap().members, vec![]);
    let devices: Vec<String> = store.device_keys().unwrap().into_iter().map(|k| k.device).collect();
    assert_eq!(devices, ["d-seen"], "and with its device keys");
    let limited = Write::ExpireGuests { seen_before_ms: 5000, limit: 1 };
    store.commit(limited.into()).wait().unwrap();
    assert!(store.player("seen").unwrap().is_none(), "the oldest first, at most `limit`");
}

fn admins_and_the_audit_log(store: &dyn Store) {
    create(store, "p1", 1);
    assert!(!store.is_admin("p1").unwrap());
    let grant = |admin| Write::SetAdmin { player_id: "p1".into(), admin, ts_ms: 5 };
    store.commit(grant(true).into()).wait().unwrap();
    store.commit(grant(true).into()).wait().unwrap(); // twice: still one admin, no conflict
    assert!(store.is_admin("p1").unwrap() && !store.is_admin("p2").unwrap());
    for (i, action) in ["kick", "lock", "announce"].into_iter().enumerate() {
        let entry = AuditRecord {
            ts_ms: 10 + i as u64,
            admin_id: "p1".into(),
            admin: "teacher".into(),
            action: action.into(),
            target: "KXMR".into(),
            detail: format!("entry {i}"),
        };
        store.commit(Write::AppendAudit(entry).into()).wait().unwrap();
    }
    let log = store.audit(2).unwrap();
    let actions: Vec<&str> = log.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["announce", "lock"], "newest first, as many as asked");
    assert_eq!((log[0].ts_ms, log[0].detail.as_str()), (12, "entry 2"));
    assert_eq!(store.latest_audit("lock").unwrap().map(|a| a.ts_ms), Some(11));
    assert_eq!(store.latest_audit("new_lesson").unwrap(), None);
    store.commit(grant(false).into()).wait().unwrap();
    assert!(!store.is_admin("p1").unwrap(), "revoked");
    let flag = |key: &str, on| Write::SetFlag { key: key.into(), on };
    store.commit(flag("joins_paused", true).into()).wait().unwrap();
    store.commit(flag("chat_off", true).into()).wait().unwrap();
    store.commit(flag("chat_off", true).into()).wait().unwrap();
    assert_eq!(store.flags().unwrap(), ["chat_off", "joins_paused"]);
    store.commit(flag("chat_off", false).into()).wait().unwrap();
    assert_eq!(store.flags().unwrap(), ["joins_paused"]);
}

fn game(room_id: RoomId, game_no: u32, winner: Option<u32>, ended_ms: u64) -> GameRecord {
    GameRecord {
        room_id,
        game_no,
        code: "GAME".into(),
        game: "tictactoe".into(),
        options: json!({"best_of": 1}),
        seed: u64::MAX - 7, // beyond i64: stored bit for bit
        seats: vec![("p1".into(), "Ana".into()), ("p2".into(), "Bo".into())],
        winner,
        reason: "three in a row".into(),
        realtime: false,
        ended_ms,
    }
}

fn finished_games(store: &dyn Store) {
    assert_eq!(store.finished_game(1, None).unwrap(), None);
    for g in [game(1, 1, Some(0), 100), game(1, 2, None, 300), game(2, 1, Some(1), 200)] {
        store.commit(Write::RecordGame(g).into()).wait().unwrap();
    }
    assert_eq!(store.finished_game(1, None).unwrap(), Some(game(1, 2, None, 300)), "the latest");
    assert_eq!(store.finished_game(1, Some(1)).unwrap(), Some(game(1, 1, Some(0), 100)));
    assert_eq!(store.finished_game(1, Some(3)).unwrap(), None);
    // Recorded again (a game that ended twice): replaced, not a conflict.
    store.commit(Write::RecordGame(game(1, 1, Some(1), 100)).into()).wait().unwrap();
    assert_eq!(store.finished_game(1, Some(1)).unwrap().unwrap().winner, Some(1));
    let since: Vec<(RoomId, u32)> =
        store.games_since(150, 10).unwrap().iter().map(|g| (g.room_id, g.game_no)).collect();
    assert_eq!(since, [(2, 1), (1, 2)], "ended at or after 150, oldest first");
    assert_eq!(store.games_since(0, 1).unwrap().len(), 1, "at most the limit");
}

fn kept_rules(store: &dyn Store) {
    let rules = |source: &str| RulesRecord {
        version: "v1".into(),
        kind: "nim".into(),
        file: "nim.js".into(),
        source: source.into(),
    };
    assert_eq!(store.rules("v1").unwrap(), None);
    let mut room = room(5, "RULE");
    room.game = "nim".into();
    room.game_version = "v1".into();
    let mut batch = WriteBatch::new();
    batch.push(Write::PutRoom(room.clone()));
    batch.push(Write::KeepRules(rules("game({...})")));
    store.commit(batch).wait().unwrap();
    // The same version again (another room of it) keeps the first text.
    store.commit(Write::KeepRules(rules("other")).into()).wait().unwrap();
    assert_eq!(store.rules("v1").unwrap(), Some(rules("game({...})")));
    let loaded = store.load_room(5, 10).unwrap().unwrap();
    assert_eq!(loaded.room.game_version, "v1");
}

fn flush_resolves(store: &dyn Store) {
    store.put_room(&room(4, "FLSH")).wait().unwrap();
    store.flush().wait().unwrap();
    store.check().unwrap();
}

macro_rules! conformance {
    ($backend:ident, $make:expr) => {
        mod $backend {
            use super::*;

            #[test]
            fn players_and_tokens() {
                let (_guard, store) = $make;
                super::players_and_tokens(&store);
            }

            #[test]
            fn rooms_members_and_moves() {
                let (_guard, store) = $make;
                super::rooms_members_and_moves(&store);
            }

            #[test]
            fn closed_rooms_free_their_code() {
                let (_guard, store) = $make;
                super::closed_rooms_free_their_code(&store);
            }

            #[test]
            fn chat_pages_and_dedupes() {
                let (_guard, store) = $make;
                super::chat_pages_and_dedupes(&store);
            }

            #[test]
            fn accounts() {
                let (_guard, store) = $make;
                super::accounts(&store);
            }

            #[test]
            fn direct_messages() {
                let (_guard, store) = $make;
                super::direct_messages(&store);
            }

            #[test]
            fn sealed_messages_and_device_keys() {
                let (_guard, store) = $make;
                super::sealed_messages_and_device_keys(&store);
            }

            #[test]
            fn blocks() {
                let (_guard, store) = $make;
                super::blocks(&store);
            }

            #[test]
            fn batches_are_all_or_nothing() {
                let (_guard, store) = $make;
                super::batches_are_all_or_nothing(&store);
            }

            #[test]
            fn a_failed_chain_is_skipped_until_restarted() {
                let (_guard, store) = $make;
                super::a_failed_chain_is_skipped_until_restarted(&store);
            }

            #[test]
            fn guests_expire() {
                let (_guard, store) = $make;
                super::guests_expire(&store);
            }

            #[test]
            fn admins_and_the_audit_log() {
                let (_guard, store) = $make;
                super::admins_and_the_audit_log(&store);
            }

            #[test]
            fn kept_rules() {
                let (_guard, store) = $make;
                super::kept_rules(&store);
            }

            #[test]
            fn finished_games() {
                let (_guard, store) = $make;
                super::finished_games(&store);
            }

            #[test]
            fn flush_resolves() {
                let (_guard, store) = $make;
                super::flush_resolves(&store);
            }
        }
    };
}

conformance!(memory, ((), MemoryStore::new()));
conformance!(sqlite, {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("capital.db")).unwrap();
    (dir, store)
});

conformance!(postgres, {
    let Some(pg) = Postgres::get() else { return };
    ((), PostgresStore::connect(&pg.database()).unwrap())
});

#[test]
fn postgres_keeps_everything_across_reconnect_and_one_node_at_a_time() {
    let Some(pg) = Postgres::get() else { return };
    let url = pg.database();
    // Three nodes starting at once on a new database: the schema is made once, and one of
    // them gets the database; the others are told another node has it.
    let tries: Vec<_> = (0..3)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || PostgresStore::connect(&url))
        })
        .collect();
    let mut tries: Vec<_> = tries.into_iter().map(|t| t.join().unwrap()).collect();
    let refused: Vec<String> =
        tries.iter().filter_map(|t| t.as_ref().err()).map(|e| e.to_string()).collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused.iter().all(|e| e.contains("another Capital node")), "{refused:?}");
    let store = tries.iter_mut().find_map(|t| t.as_mut().ok()).unwrap();
    rooms_members_and_moves(&*store);
    store.append_chat(&chat(7, 10, "p1", "x")).wait().unwrap();
    drop(tries);
    let store = PostgresStore::connect(&url).unwrap();
    still_there(&store);
}

/// What [`rooms_members_and_moves`] and one chat message left, read back by a new store.
fn still_there(store: &dyn Store) {
    let open = store.open_rooms(10).unwrap();
    assert_eq!(open[0].room.phase, Phase::Over);
    assert_eq!(open[0].moves.len(), 3);
    assert_eq!(open[0].chat.len(), 1);
    assert_eq!(store.player_by_token(&[2; 32]).unwrap().unwrap().0.id, "p2");
}

#[test]
fn postgres_writes_again_after_the_database_drops_every_connection() {
    let Some(pg) = Postgres::get() else { return };
    let url = pg.database();
    let store = PostgresStore::connect(&url).unwrap();
    store.put_room(&room(5, "DROP")).wait().unwrap();
    store.append_chat(&chat(5, 1, "p1", "before")).wait().unwrap();
    // What a restarted or failed-over PostgreSQL does to its clients.
    pg.psql(
        &url,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    // The first write after it may fail (its connection was cut); it is then answered so.
    let during = store.append_chat(&chat(5, 2, "p1", "during")).wait();
    eprintln!("the write right after the cut: {during:?}");
    if let Err(e) = &during {
        assert!(matches!(e, StoreError::Database(_)), "{e:?}");
    }
    // The store comes back by itself: a later write goes through.
    let mut seq = 3;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while store.append_chat(&chat(5, seq, "p1", &format!("after{seq}"))).wait().is_err() {
        assert!(std::time::Instant::now() < deadline, "the store did not write again");
        std::thread::sleep(std::time::Duration::from_millis(100));
        seq += 1;
    }
    assert!(store.writable());
    let stored: Vec<u64> = store.chat_after(5, 0, 100).unwrap().iter().map(|c| c.seq).collect();
    assert!(stored.contains(&1) && stored.contains(&seq), "{stored:?}");
    assert_eq!(stored.contains(&2), during.is_ok(), "stored iff acknowledged: {stored:?}");
}

#[test]
fn postgres_over_tls_checks_the_database_certificate() {
    let Some(pg) = Postgres::get() else { return };
    let url = pg.database();
    let store = PostgresStore::connect_tls(&url, pg.ca_pem().as_bytes()).unwrap();
    store.put_room(&room(5, "TLSS")).wait().unwrap();
    assert_eq!(store.open_rooms(0).unwrap().len(), 1);
    let count = |ssl: bool| {
        pg.psql_value(
            &url,
            &format!(
                "SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
                 WHERE a.application_name = 'capital' AND a.datname = current_database()
                   AND s.ssl = {ssl}"
            ),
        )
    };
    assert_ne!(count(true), "0", "the store's connections are encrypted");
    assert_eq!(count(false), "0", "and none is plain");
    drop(store);

    let refused = |result: Result<PostgresStore, StoreError>| match result {
        Ok(_) => panic!("connected"),
        Err(e) => e.to_string(),
    };
    let why =
        refused(PostgresStore::connect_tls(&url, support::postgres::other_ca_pem().as_bytes()));
    assert!(why.contains("certificate"), "a certificate from another CA is refused: {why}");
    let why = refused(PostgresStore::connect_tls(&url, b"not a certificate"));
    assert!(why.contains("no certificate"), "{why}");
    let why = refused(PostgresStore::connect(&format!("{url}?sslmode=require")));
    assert!(why.contains("store_ca"), "TLS asked for without a CA: {why}");
    // Plain connections still work (the database takes both).
    PostgresStore::connect(&url).unwrap().check().unwrap();
}

/// A database with a row in every table: players with tokens and an account, an open room
/// mid-game with members, moves and chat (one message removed), direct messages (one sealed, one
/// delivered), a device key, a block, an admin, the audit log, a flag, a finished game, rules.
fn one_of_everything(store: &dyn Store) {
    for (i, id) in ["p1", "p2", "p3"].into_iter().enumerate() {
        create(store, id, i as u8 + 1);
    }
    store.add_token(&token("p1", 9, Some(5_000))).wait().unwrap();
    let account = AccountRecord {
        player_id: "p1".into(),
        username: "ana".into(),
        password_hash: "$argon2id$x".into(),
        created_ms: 3,
    };
    store.create_account(&account).wait().unwrap();
    let mut r = room(7, "KXMR");
    (r.phase, r.game_no, r.players, r.seed) = (Phase::Playing, 1, 2, u64::MAX - 5);
    r.deadlines = vec![Some(70), None];
    r.scoreboard = vec![("p1".into(), "Ana".into(), 2)];
    store.put_room(&r).wait().unwrap();
    store.put_member(&member(7, "p1", Some(0), 1)).wait().unwrap();
    store.put_member(&member(7, "p2", Some(1), 2)).wait().unwrap();
    store.put_member(&member(7, "p3", None, 3)).wait().unwrap();
    for ply in 0..3u32 {
        let mv = MoveRecord {
            room_id: 7,
            game_no: 1,
            ply,
            seat: (ply % 2) as usize,
            mv: json!({"cell": ply}),
            seq: 2 + u64::from(ply),
            ts_ms: 50,
        };
        store.append_move(&mv).wait().unwrap();
    }
    store.append_chat(&chat(7, 5, "p1", "c1")).wait().unwrap();
    store.append_chat(&chat(7, 6, "p2", "c2")).wait().unwrap();
    store.commit(Write::RemoveChat { room_id: 7, seq: 6 }.into()).wait().unwrap();
    store.append_dm(&dm("p1", "p2", 1, "p1", "m1", 10)).wait().unwrap();
    let sealed = DmRecord {
        text: String::new(),
        sealed: Some("{}".into()),
        ..dm("p1", "p2", 2, "p2", "m2", 11)
    };
    store.append_dm(&sealed).wait().unwrap();
    store.mark_delivered("p1", "p2", "p2", 1, 12).wait().unwrap();
    let key = DeviceKeyRecord {
        player_id: "p2".into(),
        device: "phone".into(),
        key: "BA".into(),
        since_ms: 4,
        seen_ms: 9,
    };
    store.commit(Write::PutDeviceKey { key, evict: None }.into()).wait().unwrap();
    store.set_block("p2", "p3", true, 13).wait().unwrap();
    store
        .commit(Write::SetAdmin { player_id: "p1".into(), admin: true, ts_ms: 5 }.into())
        .wait()
        .unwrap();
    for (i, action) in ["kick", "lock", "announce"].into_iter().enumerate() {
        let entry = AuditRecord {
            ts_ms: 20 + i as u64,
            admin_id: "p1".into(),
            admin: "Ana".into(),
            action: action.into(),
            target: "KXMR".into(),
            detail: format!("entry {i}"),
        };
        store.commit(Write::AppendAudit(entry).into()).wait().unwrap();
    }
    store.commit(Write::SetFlag { key: "chat_off".into(), on: true }.into()).wait().unwrap();
    store.commit(Write::RecordGame(game(7, 1, Some(0), 60)).into()).wait().unwrap();
    let rules = RulesRecord {
        version: "v1".into(),
        kind: "nim".into(),
        file: "nim.js".into(),
        source: "// rules".into(),
    };
    store.commit(Write::KeepRules(rules).into()).wait().unwrap();
}

#[test]
fn postgres_imports_a_sqlite_database_whole() {
    let Some(pg) = Postgres::get() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("capital.db");
    one_of_everything(&SqliteStore::open(&path).unwrap());
    let sqlite = SqliteStore::open(&path).unwrap();
    let url = pg.database();
    let store = PostgresStore::connect(&url).unwrap();
    let counts = store.import_sqlite(&path).unwrap();
    let count = |t: &str| counts.iter().find(|(n, _)| *n == t).unwrap().1;
    assert_eq!((count("players"), count("chat"), count("audit")), (3, 2, 3), "{counts:?}");
    // Both answer every read alike.
    assert_eq!(store.open_rooms(10).unwrap(), sqlite.open_rooms(10).unwrap());
    assert_eq!(store.load_room(7, 10).unwrap(), sqlite.load_room(7, 10).unwrap());
    assert_eq!(store.player_by_token(&[2; 32]).unwrap(), sqlite.player_by_token(&[2; 32]).unwrap());
    assert_eq!(store.dms_after("p1", "p2", 0, 100).unwrap().len(), 2);
    assert_eq!(
        store.dms_after("p1", "p2", 0, 100).unwrap(),
        sqlite.dms_after("p1", "p2", 0, 100).unwrap()
    );
    assert_eq!(store.conversations("p2").unwrap(), sqlite.conversations("p2").unwrap());
    assert_eq!(store.chat_after(7, 0, 10).unwrap(), sqlite.chat_after(7, 0, 10).unwrap());
    assert!(store.is_admin("p1").unwrap());
    assert_eq!(store.conversation_seqs().unwrap(), sqlite.conversation_seqs().unwrap());
    assert_eq!(store.undelivered("p2", 100).unwrap(), sqlite.undelivered("p2", 100).unwrap());
    assert_eq!(store.device_keys().unwrap(), sqlite.device_keys().unwrap());
    assert_eq!(store.blocks().unwrap(), sqlite.blocks().unwrap());
    assert_eq!(store.audit(10).unwrap(), sqlite.audit(10).unwrap());
    assert_eq!(store.flags().unwrap(), sqlite.flags().unwrap());
    assert_eq!(store.games_since(0, 100).unwrap(), sqlite.games_since(0, 100).unwrap());
    assert_eq!(store.rules("v1").unwrap(), sqlite.rules("v1").unwrap());
    assert_eq!(
        store.account_by_username("ana").unwrap(),
        sqlite.account_by_username("ana").unwrap()
    );
    // New audit entries go on after the imported ones.
    let entry = AuditRecord {
        ts_ms: 99,
        admin_id: "p1".into(),
        admin: "teacher".into(),
        action: "after".into(),
        target: String::new(),
        detail: String::new(),
    };
    store.commit(Write::AppendAudit(entry).into()).wait().unwrap();
    assert_eq!(store.audit(1).unwrap()[0].action, "after");
    // A second import is refused, and changes nothing.
    let again = store.import_sqlite(&path).unwrap_err();
    assert!(again.to_string().contains("already holds"), "{again}");
    assert_eq!(store.audit(10).unwrap().len(), 4);
}

#[test]
fn postgres_group_commit_answers_every_concurrent_writer() {
    let Some(pg) = Postgres::get() else { return };
    let store = std::sync::Arc::new(PostgresStore::connect(&pg.database()).unwrap());
    concurrent_writers(store);
}

#[test]
fn sqlite_keeps_everything_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("capital.db");
    {
        let store = SqliteStore::open(&path).unwrap();
        rooms_members_and_moves(&store);
        store.append_chat(&chat(7, 10, "p1", "x")).wait().unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    still_there(&store);
}

#[test]
fn sqlite_group_commit_answers_every_concurrent_writer() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(SqliteStore::open(&dir.path().join("capital.db")).unwrap());
    concurrent_writers(store);
}

/// Eight threads each hand 200 messages over without waiting, then wait for every answer.
fn concurrent_writers<S: Store + 'static>(store: std::sync::Arc<S>) {
    store.put_room(&room(5, "MANY")).wait().unwrap();
    let threads: Vec<_> = (0..8u64)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                let tickets: Vec<Ticket> = (0..200u64)
                    .map(|i| {
                        let seq = t * 1000 + i + 1;
                        store.append_chat(&chat(5, seq, &format!("p{t}"), &format!("c{i}")))
                    })
                    .collect();
                for ticket in tickets {
                    ticket.wait().unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(store.chat_after(5, 0, 10_000).unwrap().len(), 1600);
}

#[test]
fn sqlite_migrates_a_version_1_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("capital.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE players (id TEXT PRIMARY KEY, name TEXT NOT NULL,
                                   token_hash BLOB NOT NULL UNIQUE, created_ms INTEGER NOT NULL);",
        )
        .unwrap();
        conn.execute("INSERT INTO players VALUES ('old', 'Old Timer', ?1, 5)", [&[9u8; 32][..]])
            .unwrap();
        // The rest of version 1's schema, as version 1 created it.
        let v1 = include_str!("../src/sqlite/schema.rs");
        let start = v1.find("CREATE TABLE rooms").unwrap();
        let end = start + v1[start..].find("\"#").unwrap();
        conn.execute_batch(&v1[start..end]).unwrap();
        conn.execute_batch(
            "INSERT INTO rooms VALUES (4, 'OLDC', 'tictactoe', '{}', 'old', 'lobby', 0, 3, NULL,
                                       5, 0);
             INSERT INTO chat VALUES (4, 2, 'old', 'Old Timer', 'second', 'c2', 7);
             INSERT INTO chat VALUES (4, 1, 'old', 'Old Timer', 'first', 'c1', 6);",
        )
        .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let (who, token) = store.player_by_token(&[9; 32]).unwrap().expect("the old token still works");
    assert_eq!((who.name.as_str(), token.expires_ms), ("Old Timer", None));
    // Version 3 rebuilt the chat table: the old messages are all there, in order.
    let texts = |page: Vec<ChatRecord>| page.into_iter().map(|c| c.text).collect::<Vec<_>>();
    assert_eq!(texts(store.chat_after(4, 0, 10).unwrap()), ["first", "second"]);
    assert_eq!(texts(store.open_rooms(1).unwrap()[0].chat.clone()), ["second"]);
    assert!(store.append_chat(&chat(4, 2, "old", "c9")).wait().is_err(), "seq 2 is taken");
    store.append_chat(&chat(4, 3, "old", "c3")).wait().unwrap();
}

#[test]
fn sqlite_refuses_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("capital.db");
    drop(SqliteStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = SqliteStore::open(&path).err().unwrap();
    assert!(matches!(err, StoreError::Corrupt(_)), "{err}");
}

#[test]
fn memory_failing_writes_fail_their_chain_and_recover() {
    let store = MemoryStore::new();
    let chain = Chain::new();
    store.fail_writes(true);
    assert!(!store.writable());
    let mut batch = WriteBatch::on(chain);
    batch.push(Write::PutRoom(room(1, "FAIL")));
    assert!(matches!(store.commit(batch).wait(), Err(StoreError::Database(_))));
    assert!(store.flush().wait().is_err());
    store.fail_writes(false);
    assert!(store.writable());
    let mut batch = WriteBatch::on(chain);
    batch.push(Write::PutRoom(room(1, "FAIL")));
    assert_eq!(store.commit(batch).wait(), Err(StoreError::Skipped));
    let mut batch = WriteBatch::on(chain.restarted());
    batch.push(Write::PutRoom(room(1, "FAIL")));
    store.commit(batch).wait().unwrap();
}

/// A batch of `n` chat messages of 4 KiB for room 1 from `seq` on.
fn big_chat(seq: u64, n: u64) -> WriteBatch {
    let mut batch = WriteBatch::new();
    for s in seq..seq + n {
        let mut c = chat(1, s, "p1", &format!("c{s}"));
        c.text = "x".repeat(4096);
        batch.push(Write::AppendChat(c));
    }
    batch
}

#[test]
fn sqlite_writes_resume_by_themselves_after_the_disk_fills() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("capital.db");
    let store = SqliteStore::open(&path).unwrap();
    store.put_room(&room(1, "FULL")).wait().unwrap();
    // The database may grow by about 64 KiB more: then it is full, as a disk would be.
    let size = std::fs::metadata(&path).unwrap().len() + 64 * 1024;
    store.set_max_bytes(Some(size)).wait().unwrap();
    let chain = Chain::new();
    let mut seq = 1;
    let failure = loop {
        assert!(seq < 1000, "the cap never stopped a write");
        let mut batch = big_chat(seq, 4);
        batch.set_chain(Some(chain));
        match store.commit(batch).wait() {
            Ok(()) => seq += 4,
            Err(e) => break e,
        }
    };
    assert!(matches!(failure, StoreError::Database(_)), "{failure}");
    assert!(!store.writable(), "the store knows it cannot write");
    assert!(store.flush().wait().is_err(), "a flush tries a write, and it fails");
    let mut later = big_chat(seq + 4, 1);
    later.set_chain(Some(chain));
    assert_eq!(store.commit(later).wait(), Err(StoreError::Skipped));
    let stored = store.chat_after(1, 0, 10_000).unwrap().len() as u64;
    assert_eq!(stored, seq - 1, "every acknowledged message, none of the failed batch");

    // Room again: the writer finds out by itself (it probes every second), no write needed.
    store.set_max_bytes(None).wait().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !store.writable() {
        assert!(std::time::Instant::now() < deadline, "writes never resumed");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    store.flush().wait().unwrap();
    let mut again = big_chat(seq, 4);
    again.set_chain(Some(chain.restarted()));
    store.commit(again).wait().expect("the restarted chain writes again");
    assert_eq!(store.chat_after(1, 0, 10_000).unwrap().len() as u64, seq + 3);
}

#[test]
fn sqlite_keeps_its_log_bounded_and_empties_it_when_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("capital.db")).unwrap();
    store.put_room(&room(1, "WALL")).wait().unwrap();
    let wal = store.wal_path();
    let mut biggest = 0;
    // 48 MiB of chat as a busy server would write it: 4 KiB messages, 64 a batch,
    // with readers reading all along (they keep a plain checkpoint from rewinding the log).
    let reading = std::sync::atomic::AtomicBool::new(true);
    std::thread::scope(|s| {
        s.spawn(|| {
            while reading.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = store.chat_before(1, None, 10);
            }
        });
        for i in 0..192u64 {
            store.commit(big_chat(1 + i * 64, 64)).wait().unwrap();
            biggest = biggest.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
        }
        reading.store(false, std::sync::atomic::Ordering::Relaxed);
    });
    assert!(biggest < 40 * 1024 * 1024, "the log grew to {biggest} bytes for 48 MiB written");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let size = std::fs::metadata(&wal).map_or(0, |m| m.len());
        if size == 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the log stayed at {size} bytes when quiet");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[cfg(unix)]
#[test]
fn sqlite_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("capital.db");
    std::fs::write(&path, b"").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let store = SqliteStore::open(&path).unwrap();
    store.put_room(&room(1, "MODE")).wait().unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let file = dir.path().join(format!("capital.db{suffix}"));
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
}

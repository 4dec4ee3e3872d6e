//! One conformance suite, run against every backend: what the server relies on from a store.

use capital_protocol::{Outcome, Phase, Role};
use capital_store::*;
use serde_json::json;

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
        code: code.into(),
        game: "tictactoe".into(),
        options: json!({}),
        host: "p1".into(),
        phase: Phase::Lobby,
        game_no: 0,
        seq: 1,
        outcome: None,
        created_ms: 10,
        closed: false,
    }
}

fn member(room_id: RoomId, player_id: &str, seat: Option<usize>, joined_ms: u64) -> MemberRecord {
    let role = if seat.is_some() { Role::Player } else { Role::Spectator };
    MemberRecord { room_id, player_id: player_id.into(), role, seat, joined_ms }
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
    let undelivered = store.undelivered("pb").unwrap();
    let order: Vec<_> = undelivered.iter().map(|d| (d.sender.as_str(), d.seq)).collect();
    assert_eq!(order, [("pa", 1), ("pa", 3), ("pa", 5), ("pc", 1)]);
    assert_eq!(store.waiting_recipients().unwrap(), ["pa", "pb"]);
    store.mark_delivered("pa", "pb", "pb", 3, 400).wait().unwrap();
    let left: Vec<_> = store.undelivered("pb").unwrap().iter().map(|d| d.seq).collect();
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
    let mut r = room(7, "KXMR");
    r.phase = Phase::Playing;
    r.game_no = 1;
    r.seq = 5;
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
            fn blocks() {
                let (_guard, store) = $make;
                super::blocks(&store);
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
    let open = store.open_rooms(10).unwrap();
    assert_eq!(open[0].room.phase, Phase::Over);
    assert_eq!(open[0].moves.len(), 3);
    assert_eq!(open[0].chat.len(), 1);
    assert_eq!(store.player_by_token(&[2; 32]).unwrap().unwrap().0.id, "p2");
}

#[test]
fn sqlite_group_commit_answers_every_concurrent_writer() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(SqliteStore::open(&dir.path().join("capital.db")).unwrap());
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
        let v1 = include_str!("../src/sqlite.rs");
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

//! One conformance suite, run against every backend: what the server relies on from a store.

use capital_protocol::{Outcome, Phase, Role};
use capital_store::*;
use serde_json::json;

fn player(id: &str, byte: u8) -> PlayerRecord {
    PlayerRecord {
        id: id.into(),
        name: format!("name-{id}"),
        token_hash: [byte; 32],
        created_ms: 1,
    }
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
    store.create_player(&player("p1", 1)).wait().unwrap();
    assert_eq!(store.player_by_token(&[1; 32]).unwrap(), Some(player("p1", 1)));
    assert_eq!(store.player_by_token(&[2; 32]).unwrap(), None);
    assert!(store.create_player(&player("p1", 3)).wait().is_err(), "duplicate id refused");
    assert!(store.create_player(&player("p9", 1)).wait().is_err(), "duplicate token refused");
    store.rename_player("p1", "Ana").wait().unwrap();
    assert_eq!(store.player_by_token(&[1; 32]).unwrap().unwrap().name, "Ana");
}

fn rooms_members_and_moves(store: &dyn Store) {
    store.create_player(&player("p1", 1)).wait().unwrap();
    store.create_player(&player("p2", 2)).wait().unwrap();
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
    assert!(store.append_chat(&chat(3, 26, "p1", "c5")).wait().is_err(), "retry stored once");
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
    assert_eq!(store.player_by_token(&[2; 32]).unwrap().unwrap().id, "p2");
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

//! The lists a room keeps in its stored row are bounded: players removed, players muted, lines
//! of the scoreboard. A host (or an admin) who fills one is told so, and the game goes on.

use capital_protocol::AdminAction;
use capital_store::AuditRecord;

use super::*;
use crate::config::limits::{MAX_BANNED, MAX_MUTED, MAX_SCORE_LINES};

fn audit() -> AuditRecord {
    AuditRecord {
        ts_ms: 1,
        admin_id: "admin".into(),
        admin: "Ms Lee".into(),
        action: "mute".into(),
        target: "KXMR".into(),
        detail: String::new(),
    }
}

#[tokio::test(start_paused = true)]
async fn removing_and_muting_stop_at_their_bound_while_the_game_goes_on() {
    let f = room("tictactoe", MAX_BANNED + 10).await;
    let (a, mut a_out) = conn(1);
    let (b, mut b_out) = conn(2);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &b, 1, "pb", join(Role::Player));
    ask(&f.room, &a, 2, "pa", RoomRequest::Start);
    // Watchers join one after another (a host's guests from many browsers): each is muted by
    // the teacher and removed by the host, up to the bound.
    let (w, mut w_out) = conn(3);
    let watcher = |i: usize| format!("w{i}");
    for i in 0..=MAX_BANNED {
        ask(&f.room, &w, 10, &watcher(i), join(Role::Spectator));
        let mute = AdminAction::Mute { player: watcher(i), muted: true };
        ask(
            &f.room,
            &a,
            100 + 2 * i as u64,
            "admin",
            RoomRequest::Admin { action: mute, audit: audit() },
        );
        let kick = HostAction::Kick { player: watcher(i), reason: None };
        ask(&f.room, &a, 101 + 2 * i as u64, "pa", RoomRequest::Host(kick));
        if i == MAX_BANNED / 2 {
            // The players play meanwhile.
            ask(&f.room, &a, 3, "pa", mv(4));
            ask(&f.room, &b, 3, "pb", mv(0));
        }
    }
    let got = frames(&mut a_out).await;
    for i in 0..MAX_MUTED.min(MAX_BANNED) {
        assert_eq!(reply_to(&got, 100 + 2 * i as u64), &ServerMsg::Ok, "mute {i}");
        assert_eq!(reply_to(&got, 101 + 2 * i as u64), &ServerMsg::Ok, "kick {i}");
    }
    let last = MAX_BANNED as u64;
    assert_eq!(error_code(reply_to(&got, 100 + 2 * last)), Some(ErrorCode::Busy), "muted: full");
    assert_eq!(error_code(reply_to(&got, 101 + 2 * last)), Some(ErrorCode::Busy), "removed: full");
    assert_eq!(reply_to(&got, 3), &ServerMsg::Ok, "Ana's move");
    assert_eq!(reply_to(&frames(&mut b_out).await, 3), &ServerMsg::Ok, "Bo's move");
    frames(&mut w_out).await;
    let stored = f.store.load_room(7, 10).unwrap().unwrap();
    assert_eq!((stored.room.banned.len(), stored.room.muted.len()), (MAX_BANNED, MAX_MUTED));
    assert_eq!(stored.moves.len(), 2, "the game went on");
    // The last watcher is still in the room: bans stay, so the host locks the room instead.
    ask(&f.room, &a, 9, "pa", RoomRequest::Host(HostAction::Lock(true)));
    assert_eq!(reply_to(&frames(&mut a_out).await, 9), &ServerMsg::Ok);
}

#[tokio::test(start_paused = true)]
async fn a_full_scoreboard_makes_room_for_a_new_winner_in_place_of_the_fewest_wins() {
    // A room that already has a full scoreboard: old winners with 3 wins, and one with 1.
    let f = room_from("tictactoe", 10, |r| {
        r.scoreboard =
            (0..MAX_SCORE_LINES).map(|i| (format!("old{i}"), format!("Old {i}"), 3)).collect();
        r.scoreboard[7].2 = 1;
    })
    .await;
    let (a, mut a_out) = conn(1);
    let (b, _b_out) = conn(2);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &b, 1, "pb", join(Role::Player));
    ask(&f.room, &a, 2, "pa", RoomRequest::Start);
    top_row(&f.room, ("pa", &a), ("pb", &b), 10);
    assert_eq!(game_over(&frames(&mut a_out).await).map(|o| o.winner), Some(Some(0)));
    let board = f.store.load_room(7, 10).unwrap().unwrap().room.scoreboard;
    assert_eq!(board.len(), MAX_SCORE_LINES, "still bounded");
    assert_eq!(board[7], ("pa".into(), "PA".into(), 1), "Ana took the place of the fewest");
    assert!(board.iter().filter(|l| l.2 == 3).count() == MAX_SCORE_LINES - 1, "the rest kept");
}

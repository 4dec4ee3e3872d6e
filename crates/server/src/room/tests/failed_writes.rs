//! The host's and the rematch's requests when the store fails: answered `internal`, nobody hears
//! of them, and the room is what the store holds (memory changes only after the commit).

use super::*;

#[tokio::test(start_paused = true)]
async fn a_failed_kick_lock_or_rematch_changes_nothing() {
    let f = room("tictactoe", 10).await;
    let (a, mut a_out) = conn(1);
    let (b, mut b_out) = conn(2);
    let (s, mut s_out) = conn(3);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &b, 1, "pb", join(Role::Player));
    ask(&f.room, &s, 1, "ps", join(Role::Spectator));
    ask(&f.room, &a, 2, "pa", RoomRequest::Start);
    top_row(&f.room, ("pa", &a), ("pb", &b), 10);
    frames(&mut a_out).await;
    frames(&mut b_out).await;
    frames(&mut s_out).await;

    f.store.fail_writes(true);
    let kick = HostAction::Kick { player: "ps".into(), reason: Some("test".into()) };
    ask(&f.room, &a, 20, "pa", RoomRequest::Host(kick));
    ask(&f.room, &a, 21, "pa", RoomRequest::Host(HostAction::Lock(true)));
    ask(&f.room, &b, 22, "pb", RoomRequest::Rematch);
    ask(&f.room, &b, 23, "pb", RoomRequest::Replay { game_no: None });
    let got = frames(&mut a_out).await;
    for id in [20, 21] {
        assert_eq!(error_code(reply_to(&got, id)), Some(ErrorCode::Internal), "{id}");
    }
    assert!(event_kinds(&got).is_empty(), "nobody hears of what was not stored");
    let got = frames(&mut b_out).await;
    assert_eq!(error_code(reply_to(&got, 22)), Some(ErrorCode::Internal));
    assert_eq!(
        error_code(reply_to(&got, 23)),
        Some(ErrorCode::Internal),
        "a read after a failed batch"
    );
    assert!(frames(&mut s_out).await.is_empty(), "the spectator was not told it was removed");

    f.store.fail_writes(false);
    // As stored: the spectator is still in, the room open, nobody asked for a rematch, and the
    // game replays.
    ask(
        &f.room,
        &s,
        30,
        "ps",
        RoomRequest::Chat { text: "still here".into(), client_msg_id: "s1".into(), echo: true },
    );
    assert!(matches!(reply_to(&frames(&mut s_out).await, 30), ServerMsg::ChatSent { .. }));
    let stored = f.store.load_room(7, 10).unwrap().unwrap();
    assert!(!stored.room.locked && stored.room.banned.is_empty());
    assert!(stored.members.iter().all(|(m, _)| !m.ready));
    ask(&f.room, &b, 31, "pb", RoomRequest::Replay { game_no: None });
    let got = frames(&mut b_out).await;
    let ServerMsg::Replay(replay) = reply_to(&got, 31) else { panic!("{got:?}") };
    assert_eq!(replay.steps.len(), 6);
}

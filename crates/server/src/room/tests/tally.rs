//! A room counts what it sent for each move it took (the reply and every member's event, to
//! the byte), takes one `move_time` for each of a player's moves and no more, refuses a time
//! too long or from a p2p room, and gives both models' figures in `room_stats`.

use super::*;
use crate::room::tally::MAX_MOVE_MS;

/// Every frame waiting in `outbox`, as it was written.
async fn raw(outbox: &mut crate::conn::Outbox) -> Vec<String> {
    settle().await;
    let mut out = Vec::new();
    while let Some(frame) = outbox.try_recv() {
        out.push(frame.to_string());
    }
    out
}

/// The room's figures, asked by `who` on `c` with request `id`.
async fn stats(
    f: &Fixture,
    c: &crate::conn::ConnHandle,
    out: &mut crate::conn::Outbox,
    id: u64,
    who: &str,
) -> capital_protocol::RoomStats {
    ask(&f.room, c, id, who, RoomRequest::Stats);
    match reply_to(&frames(out).await, id) {
        ServerMsg::RoomStats(stats) => stats.clone(),
        other => panic!("room_stats answered {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn the_bytes_of_a_move_are_its_reply_and_every_members_event() {
    let f = room("tictactoe", 10).await;
    let (a, mut a_out) = conn(1);
    let (b, mut b_out) = conn(2);
    let (s, mut s_out) = conn(3);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &b, 1, "pb", join(Role::Player));
    ask(&f.room, &s, 1, "ps", join(Role::Spectator));
    ask(&f.room, &a, 2, "pa", RoomRequest::Start);
    for out in [&mut a_out, &mut b_out, &mut s_out] {
        raw(out).await;
    }
    ask(&f.room, &a, 3, "pa", mv(4));
    let mut sent = 0;
    for out in [&mut a_out, &mut b_out, &mut s_out] {
        sent += raw(out).await.iter().map(String::len).sum::<usize>();
    }
    // A refused move sends only its error, and counts nothing.
    ask(&f.room, &a, 4, "pa", mv(0));
    assert_eq!(error_code(reply_to(&frames(&mut a_out).await, 4)), Some(ErrorCode::NotYourTurn));

    let got = stats(&f, &s, &mut s_out, 5, "ps").await;
    assert_eq!((got.server.games, got.server.moves), (1, 1));
    assert_eq!(got.server.bytes_sent, sent as u64, "the ok and three `moved` events");
    assert_eq!((got.server.timed, got.server.p50_ms), (0, None));
    assert_eq!((got.p2p.signals, got.p2p.signal_bytes), (0, 0));
}

#[tokio::test(start_paused = true)]
async fn a_move_is_timed_once_by_its_player_and_no_one_else() {
    let f = room("tictactoe", 10).await;
    let (a, mut a_out) = conn(1);
    let (b, mut b_out) = conn(2);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &b, 1, "pb", join(Role::Player));
    ask(&f.room, &a, 2, "pa", RoomRequest::Start);
    // Before any move: nothing to time.
    ask(&f.room, &a, 3, "pa", RoomRequest::MoveTime(10));
    assert_eq!(error_code(reply_to(&frames(&mut a_out).await, 3)), Some(ErrorCode::BadRequest));

    ask(&f.room, &a, 4, "pa", mv(4));
    // Bo did not make that move; too long a time is refused and leaves the move to be timed.
    ask(&f.room, &b, 5, "pb", RoomRequest::MoveTime(10));
    ask(&f.room, &a, 6, "pa", RoomRequest::MoveTime(MAX_MOVE_MS + 1));
    ask(&f.room, &a, 7, "pa", RoomRequest::MoveTime(12));
    ask(&f.room, &a, 8, "pa", RoomRequest::MoveTime(12));
    let a_frames = frames(&mut a_out).await;
    assert_eq!(error_code(reply_to(&frames(&mut b_out).await, 5)), Some(ErrorCode::BadRequest));
    assert_eq!(error_code(reply_to(&a_frames, 6)), Some(ErrorCode::BadRequest));
    assert_eq!(reply_to(&a_frames, 7), &ServerMsg::Ok);
    assert_eq!(error_code(reply_to(&a_frames, 8)), Some(ErrorCode::BadRequest), "once a move");

    ask(&f.room, &b, 9, "pb", mv(0));
    ask(&f.room, &b, 10, "pb", RoomRequest::MoveTime(30));
    assert_eq!(reply_to(&frames(&mut b_out).await, 10), &ServerMsg::Ok);
    let got = stats(&f, &a, &mut a_out, 11, "pa").await;
    assert_eq!((got.server.moves, got.server.timed), (2, 2));
    assert_eq!((got.server.p50_ms, got.server.p99_ms), (Some(12), Some(30)));
}

#[tokio::test(start_paused = true)]
async fn a_p2p_room_counts_its_signalling_and_times_no_move() {
    let f = room_from("tictactoe", 10, |r| r.mode = capital_protocol::RoomMode::P2p).await;
    let (a, mut a_out) = conn(1);
    let (b, mut b_out) = conn(2);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &b, 1, "pb", join(Role::Player));
    frames(&mut b_out).await;
    let data = json!({"sdp": {"type": "offer", "sdp": "v=0"}});
    let bytes = data.to_string().len() as u64;
    ask(&f.room, &a, 2, "pa", RoomRequest::Signal { to: "pb".into(), data });
    ask(&f.room, &a, 3, "pa", RoomRequest::MoveTime(10));
    let a_frames = frames(&mut a_out).await;
    assert_eq!(reply_to(&a_frames, 2), &ServerMsg::Ok);
    assert_eq!(error_code(reply_to(&a_frames, 3)), Some(ErrorCode::WrongMode));
    let got = stats(&f, &b, &mut b_out, 4, "pb").await;
    assert_eq!((got.p2p.signals, got.p2p.signal_bytes), (1, bytes));
    assert_eq!((got.server.games, got.server.moves, got.server.timed), (0, 0, 0));
}

#[tokio::test(start_paused = true)]
async fn a_non_member_gets_no_figures() {
    let f = room("tictactoe", 10).await;
    let (a, _a_out) = conn(1);
    let (x, mut x_out) = conn(2);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &x, 2, "px", RoomRequest::Stats);
    assert_eq!(error_code(reply_to(&frames(&mut x_out).await, 2)), Some(ErrorCode::NoSuchRoom));
}

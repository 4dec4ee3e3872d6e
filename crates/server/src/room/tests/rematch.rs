//! A rematch in one step: every seated player asks, the room counts down, the next game starts
//! by itself; the host may also start it at once from the result.

use super::*;

/// Ana and Bo play tic-tac-toe to Ana's win; returns their connections and outboxes, read.
async fn finished(f: &Fixture) -> [(crate::conn::ConnHandle, crate::conn::Outbox); 2] {
    let (a, mut a_out) = conn(1);
    let (b, mut b_out) = conn(2);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &b, 1, "pb", join(Role::Player));
    ask(&f.room, &a, 2, "pa", RoomRequest::Start);
    top_row(&f.room, ("pa", &a), ("pb", &b), 10);
    let got = frames(&mut a_out).await;
    assert_eq!(game_over(&got).map(|o| o.winner), Some(Some(0)));
    frames(&mut b_out).await;
    [(a, a_out), (b, b_out)]
}

#[tokio::test(start_paused = true)]
async fn the_next_game_starts_after_everyone_asked_and_the_countdown() {
    let f = room("tictactoe", 10).await;
    let [(a, mut a_out), (b, mut b_out)] = finished(&f).await;
    ask(&f.room, &b, 20, "pb", RoomRequest::Rematch);
    let got = frames(&mut a_out).await;
    assert_eq!(event_kinds(&got), ["ready"], "Ana sees that Bo asked");
    assert_eq!(event_kinds(&frames(&mut b_out).await), ["ready"], "and so does Bo");
    let stored = f.store.load_room(7, 10).unwrap().unwrap();
    assert_eq!(stored.room.phase, Phase::Over, "still the result");
    assert!(stored.members.iter().any(|(m, _)| m.player_id == "pb" && m.ready), "stored");
    ask(&f.room, &a, 21, "pa", RoomRequest::Rematch);
    let got = frames(&mut b_out).await;
    assert_eq!(event_kinds(&got), ["ready", "rematch"]);
    let rematch = got.iter().find_map(|o| match &o.msg {
        ServerMsg::Event(e) => match &e.event {
            capital_protocol::RoomEvent::Rematch { starts_in_ms, room, .. } => {
                Some((*starts_in_ms, room.phase, room.you.unwrap().seat))
            }
            _ => None,
        },
        _ => None,
    });
    assert_eq!(rematch, Some((Some(3000), Phase::Lobby, Some(0))), "Bo moves first now");
    tokio::time::advance(Duration::from_millis(2900)).await;
    assert!(frames(&mut b_out).await.is_empty(), "counting down");
    tokio::time::advance(Duration::from_millis(200)).await;
    let got = frames(&mut b_out).await;
    assert_eq!(event_kinds(&got), ["started"]);
    let stored = f.store.load_room(7, 10).unwrap().unwrap();
    assert_eq!((stored.room.phase, stored.room.game_no), (Phase::Playing, 2));
    assert!(stored.members.iter().all(|(m, _)| !m.ready), "the asks are spent");
    frames(&mut a_out).await;
    // A rematch is for after the end.
    ask(&f.room, &a, 22, "pa", RoomRequest::Rematch);
    assert_eq!(error_code(reply_to(&frames(&mut a_out).await, 22)), Some(ErrorCode::WrongPhase));
}

#[tokio::test(start_paused = true)]
async fn the_host_starts_from_the_result_and_a_game_change_stops_the_countdown() {
    let f = room("tictactoe", 10).await;
    let [(a, mut a_out), (b, mut b_out)] = finished(&f).await;
    // Bo is not the host: his start is refused; Ana's starts the rematch at once.
    ask(&f.room, &b, 20, "pb", RoomRequest::Start);
    assert_eq!(error_code(reply_to(&frames(&mut b_out).await, 20)), Some(ErrorCode::NotHost));
    ask(&f.room, &a, 21, "pa", RoomRequest::Start);
    let got = frames(&mut a_out).await;
    assert_eq!(reply_to(&got, 21), &ServerMsg::Ok);
    assert_eq!(event_kinds(&got), ["rematch", "started"]);
    // Game two ends too; both ask; the host changes the game during the countdown.
    top_row(&f.room, ("pb", &b), ("pa", &a), 30);
    ask(&f.room, &a, 40, "pa", RoomRequest::Rematch);
    ask(&f.room, &b, 41, "pb", RoomRequest::Rematch);
    let change = HostAction::ChangeGame {
        game: "connect_four".into(),
        options: None,
        turn_seconds: None,
        mode: None,
    };
    ask(&f.room, &a, 42, "pa", RoomRequest::Host(change));
    let got = frames(&mut a_out).await;
    assert_eq!(event_kinds(&got).last().map(|k| &**k), Some("game_changed"));
    tokio::time::advance(Duration::from_secs(10)).await;
    assert!(frames(&mut a_out).await.is_empty(), "no start after a change: the host starts");
    let stored = f.store.load_room(7, 10).unwrap().unwrap().room;
    assert_eq!((stored.phase, stored.game.as_str()), (Phase::Lobby, "connect_four"));
}

//! Stop the server mid-game, start it again on the same data directory: rooms, games in
//! progress, chat and identities are all there, and the game finishes normally.

mod common;

use std::time::Duration;

use capital_client::{Client, Incoming};
use capital_protocol::{Phase, Role, RoomEvent};
use common::process::Process;
use common::*;
use serde_json::json;

#[tokio::test]
async fn restart_mid_game_then_finish() {
    let server = TestServer::start().await;
    let (mut a, ana) = server.player("Ana").await;
    let (mut b, bo) = server.player("Bo").await;
    let code = a.create_room("connect_four", None).await.unwrap().code;
    b.join_room(&code, Role::Player, None).await.unwrap();
    a.start(&code).await.unwrap();
    for (mover, column) in [(&a, 3), (&b, 4), (&a, 3), (&b, 4), (&a, 3)] {
        mover.play(&code, json!({"column": column})).await.unwrap();
    }
    b.chat(&code, "don't you dare", "b1").await.unwrap();

    let server = server.restart().await;
    // The old connections were told the server was going away.
    for client in [&mut a, &mut b] {
        let closed = event_where_closed(client).await;
        assert_eq!(closed, Some((1001, "server shutting down".to_string())));
    }

    let (a, again) = server.resume(&ana.token).await;
    assert_eq!(again.player_id, ana.player_id);
    assert_eq!(again.rooms.len(), 1);
    let joined = a.join_room(&code, Role::Player, None).await.unwrap();
    let room = joined.room.unwrap();
    assert_eq!(room.phase, Phase::Playing);
    assert_eq!(room.turn, vec![1], "Bo to move, as before the restart");
    assert_eq!(room.state.as_ref().unwrap()["board"][3][3], json!(0));
    assert!(!room.seats[1].player.as_ref().unwrap().connected, "Bo not back yet");
    assert_eq!(joined.chat.last().unwrap().text, "don't you dare");

    let (mut b, _) = server.resume(&bo.token).await;
    let joined = b.join_room(&code, Role::Player, None).await.unwrap();
    assert_eq!(joined.room.unwrap().you.unwrap().seat, Some(1));
    b.play(&code, json!({"column": 0})).await.unwrap();
    a.play(&code, json!({"column": 3})).await.unwrap();
    let over = event_of(&mut b, "game_over").await;
    let RoomEvent::GameOver { outcome, .. } = &over.event else { unreachable!() };
    assert_eq!(outcome.winner, Some(0));
}

async fn event_where_closed(client: &mut Client) -> Option<(u16, String)> {
    loop {
        match client.next_event(WAIT).await {
            Ok(Incoming::Closed(frame)) => return frame,
            Ok(_) => continue,
            Err(e) => panic!("expected a close frame, got {e}"),
        }
    }
}

/// Plays a few acknowledged moves and a chat message in a fresh room; returns what the check
/// after a restart needs.
async fn play_some(url: &str) -> (String, String, String) {
    let a = Client::connect(url).await.unwrap();
    let b = Client::connect(url).await.unwrap();
    let ana = a.hello("Ana", None).await.unwrap();
    let bo = b.hello("Bo", None).await.unwrap();
    let code = a.create_room("tictactoe", None).await.unwrap().code;
    b.join_room(&code, Role::Player, None).await.unwrap();
    a.start(&code).await.unwrap();
    a.play(&code, json!({"cell": 0})).await.unwrap();
    b.play(&code, json!({"cell": 4})).await.unwrap();
    a.play(&code, json!({"cell": 1})).await.unwrap();
    a.chat(&code, "acknowledged means stored", "a1").await.unwrap();
    (code, ana.token, bo.token)
}

async fn check_and_finish(url: &str, code: &str, ana: &str, bo: &str) {
    let a = Client::connect(url).await.unwrap();
    let mut b = Client::connect(url).await.unwrap();
    a.hello("", Some(ana)).await.unwrap();
    b.hello("", Some(bo)).await.unwrap();
    let joined = a.join_room(code, Role::Player, None).await.unwrap();
    let board = joined.room.unwrap().state.unwrap()["board"].clone();
    assert_eq!(board, json!(["X", "X", null, null, "O", null, null, null, null]));
    let texts: Vec<_> = joined.chat.iter().map(|m| m.text.as_str()).collect();
    assert!(
        texts.contains(&"acknowledged means stored") || texts.iter().any(|t| t.starts_with("line")),
        "the chat survived: {texts:?}"
    );
    b.join_room(code, Role::Player, None).await.unwrap();
    b.play(code, json!({"cell": 8})).await.unwrap();
    a.play(code, json!({"cell": 2})).await.unwrap();
    let over = event_of(&mut b, "game_over").await;
    assert_eq!(room_of(&over).outcome.as_ref().unwrap().winner, Some(0));
}

// Multi-threaded: the test blocks a thread waiting for the process while clients keep playing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_play_exits_promptly_and_keeps_everything_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Process::start(dir.path(), &[]);
    let (code, ana, bo) = play_some(&server.url).await;
    // A third player keeps chatting as fast as the server answers while SIGTERM arrives.
    let chatter = Client::connect(&server.url).await.unwrap();
    chatter.hello("Cy", None).await.unwrap();
    chatter.join_room(&code, Role::Spectator, None).await.unwrap();
    let talking = chat_until_refused(chatter, code.clone());
    let mut watcher = Client::connect(&server.url).await.unwrap();
    watcher.hello("Watcher", None).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.signal("-TERM");
    let started = std::time::Instant::now();
    let status = server.wait(Duration::from_secs(5));
    assert!(status.success(), "clean exit on SIGTERM: {status}");
    eprintln!("exited {:?} after SIGTERM", started.elapsed());
    assert_eq!(event_where_closed(&mut watcher).await.map(|f| f.0), Some(1001));
    let acknowledged = talking.await.unwrap();
    assert!(acknowledged.len() > 5, "the chatter was busy: {}", acknowledged.len());

    let server = Process::start(dir.path(), &[]);
    let reader = Client::connect(&server.url).await.unwrap();
    reader.hello("", Some(&ana)).await.unwrap();
    let stored = all_chat(&reader, &code).await;
    for line in acknowledged.iter().chain(["acknowledged means stored".to_string()].iter()) {
        assert!(stored.contains(line), "acknowledged {line:?} was lost");
    }
    check_and_finish(&server.url, &code, &ana, &bo).await;
}

#[tokio::test]
async fn sigkill_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let server = Process::start(dir.path(), &[]);
    let (code, ana, bo) = play_some(&server.url).await;
    server.signal("-KILL");
    drop(server);
    let server = Process::start(dir.path(), &[]);
    check_and_finish(&server.url, &code, &ana, &bo).await;
}

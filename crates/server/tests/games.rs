//! Whole games of each kind between two real clients, over real WebSockets.

mod common;

use capital_protocol::{Phase, RoomEvent};
use common::*;
use serde_json::json;

#[tokio::test]
async fn tictactoe_to_a_win_then_rematch() {
    let server = TestServer::start().await;
    let (mut a, mut b, code) = two_player_game(&server, "tictactoe", None).await;
    // X: 0, 1, 2 wins the top row; O: 3, 4.
    let moves = [(0, 0), (1, 3), (0, 1), (1, 4), (0, 2)];
    for (seat, cell) in moves {
        let mover = if seat == 0 { &a } else { &b };
        mover.play(&code, json!({"cell": cell})).await.expect("legal move");
        for client in [&mut a, &mut b] {
            let e = event_of(client, "moved").await;
            assert!(matches!(e.event, RoomEvent::Moved { seat: s, .. } if s == seat));
            assert_eq!(room_of(&e).state.as_ref().unwrap()["board"][cell], json!(["X", "O"][seat]));
        }
    }
    for client in [&mut a, &mut b] {
        let e = event_of(client, "game_over").await;
        let RoomEvent::GameOver { outcome, room } = &e.event else { unreachable!() };
        assert_eq!(outcome.winner, Some(0));
        assert_eq!(outcome.reason, "line");
        assert_eq!(room.phase, Phase::Over);
        assert_eq!(room.state.as_ref().unwrap()["line"], json!([0, 1, 2]));
    }
    // A rematch in one step: Bo asks, Ana says yes, and the next game starts by itself after
    // the countdown.
    let rematch = || capital_protocol::ClientMsg::Rematch { code: code.clone() };
    b.expect_ok(rematch()).await.unwrap();
    let e = event_of(&mut a, "ready").await;
    assert!(matches!(&e.event, RoomEvent::Ready { ready: true, .. }), "Bo asked: {e:?}");
    assert_eq!(room_of(&e).phase, Phase::Over, "still the result until Ana says yes");
    a.expect_ok(rematch()).await.unwrap();
    let e = event_of(&mut a, "rematch").await;
    let RoomEvent::Rematch { starts_in_ms, room, .. } = &e.event else { unreachable!() };
    assert_eq!(*starts_in_ms, Some(3000), "the default countdown");
    assert_eq!(room.phase, Phase::Lobby);
    assert_eq!(room.you.unwrap().seat, Some(1), "seats rotate: Ana plays O now");
    let asked = std::time::Instant::now();
    let e = event_of(&mut b, "started").await;
    assert!(asked.elapsed() >= std::time::Duration::from_millis(2900), "after the countdown");
    assert_eq!(room_of(&e).game_no, 2);
    assert_eq!(room_of(&e).turn, vec![0]);
    assert_eq!(room_of(&e).you.unwrap().seat, Some(0), "Bo moves first in the rematch");
    b.play(&code, json!({"cell": 4})).await.expect("Bo opens the rematch");
}

#[tokio::test]
async fn connect_four_to_a_win() {
    let server = TestServer::start().await;
    let (mut a, mut b, code) = two_player_game(&server, "connect_four", None).await;
    // Seat 0 stacks column 3 four times; seat 1 plays column 4.
    for turn in 0..7 {
        let (mover, column) = if turn % 2 == 0 { (&a, 3) } else { (&b, 4) };
        mover.play(&code, json!({"column": column})).await.expect("legal move");
    }
    let e = event_of(&mut b, "game_over").await;
    let RoomEvent::GameOver { outcome, room } = &e.event else { unreachable!() };
    assert_eq!(outcome.winner, Some(0));
    assert_eq!(outcome.reason, "four_in_a_row");
    assert_eq!(room.state.as_ref().unwrap()["board"][5][3], json!(0));
    assert_eq!(room.state.as_ref().unwrap()["board"][2][3], json!(0));
    let e = event_of(&mut a, "game_over").await;
    assert_eq!(room_of(&e).outcome.as_ref().unwrap().winner, Some(0));
}

#[tokio::test]
async fn rock_paper_scissors_best_of_three() {
    let server = TestServer::start().await;
    let (mut a, mut b, code) = two_player_game(&server, "rps", Some(json!({"best_of": 3}))).await;
    // Round 1: rock beats scissors. Round 2: a tie. Round 3: paper beats rock.
    let rounds = [("rock", "scissors"), ("paper", "paper"), ("paper", "rock")];
    for (ca, cb) in rounds {
        a.play(&code, json!({"choice": ca})).await.unwrap();
        let e = event_of(&mut b, "moved").await;
        let mut state = room_of(&e).state.clone().unwrap();
        assert_eq!(state["chosen"], json!([true, false]));
        assert_eq!(state["your_choice"], json!(null));
        state.as_object_mut().unwrap().remove("rounds");
        assert!(!state.to_string().contains(ca), "Bo must not see Ana's pending choice: {state}");
        b.play(&code, json!({"choice": cb})).await.unwrap();
        event_of(&mut b, "moved").await;
        event_of(&mut a, "moved").await;
        let e = event_of(&mut a, "moved").await;
        let last =
            room_of(&e).state.as_ref().unwrap()["rounds"].as_array().unwrap().last().cloned();
        assert_eq!(last.unwrap()["choices"], json!([ca, cb]), "both revealed once both chose");
    }
    let e = event_of(&mut a, "game_over").await;
    let RoomEvent::GameOver { outcome, room } = &e.event else { unreachable!() };
    assert_eq!(outcome.winner, Some(0));
    assert_eq!(outcome.reason, "best_of");
    assert_eq!(room.state.as_ref().unwrap()["score"], json!([2, 0]));
    assert_eq!(room.state.as_ref().unwrap()["rounds"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn list_games_names_every_game_with_its_players_and_options() {
    let server = TestServer::start().await;
    let (a, _) = server.player("Ana").await;
    let reply = a.request(capital_protocol::ClientMsg::ListGames).await.unwrap();
    let capital_protocol::ServerMsg::Games { games } = reply else { panic!("{reply:?}") };
    let kinds: Vec<_> = games.iter().map(|g| g.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "tictactoe",
            "connect_four",
            "rps",
            "crazy_eights",
            "dots_and_boxes",
            "light_cycles",
            "nim",
            "liars_dice"
        ],
        "the built-in games, then the shipped script games"
    );
    assert_eq!(games[2].options, json!({"best_of": 3}));
    let players: Vec<_> = games.iter().map(|g| (g.min_players, g.max_players, g.seats)).collect();
    assert_eq!(
        players,
        [(2, 2, 2), (2, 2, 2), (2, 2, 2), (2, 6, 6), (2, 4, 4), (2, 8, 8), (2, 2, 2), (2, 6, 6)]
    );
    // A client draws the create form from the schema, knowing nothing of the game.
    let schema = serde_json::to_value(&games[2].options_schema).unwrap();
    assert_eq!(
        schema,
        json!([{"key": "best_of", "label": "Best of", "type": "integer",
                "min": 1, "max": 9, "step": 2, "default": 3}])
    );
    assert_eq!(games[0].options_schema, vec![], "tic-tac-toe has no options");
}

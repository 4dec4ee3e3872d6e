//! The example game scripts Capital ships, played through the engine's own face: liar's dice
//! for 2 to 6 with hidden dice, to the end and rebuilt from its log.

use std::time::Duration;

use capital_engine::{DynGame, GameKind, Viewer, replay};
use capital_script::{Limits, ScriptKind};
use serde_json::{Value, json};

const LIARS_DICE: &str = include_str!("../../../games/liars_dice.js");

fn limits() -> Limits {
    Limits { memory_bytes: 8 << 20, cpu_per_call: Duration::from_millis(200) }
}

/// A simple player: call a bid above a third of the table, else raise it by one.
fn choose(view: &Value) -> Value {
    let total: u64 = view["counts"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap()).sum();
    match view["bid"].as_object() {
        Some(bid) if bid["count"].as_u64().unwrap() * 3 > total => json!({"call": true}),
        Some(bid) => {
            json!({"bid": {"count": bid["count"].as_u64().unwrap() + 1, "face": bid["face"]}})
        }
        None => json!({"bid": {"count": 1, "face": view["mine"][0]}}),
    }
}

#[test]
fn liars_dice_hides_each_players_dice_and_plays_to_the_end_for_four() {
    let kind = ScriptKind::load(LIARS_DICE, "liars_dice.js", limits()).unwrap();
    assert_eq!((kind.kind(), kind.name()), ("liars_dice", "Liar's dice"));
    let (options, players) = kind.check(&Value::Null).unwrap();
    assert_eq!((players.min, players.max), (2, 6));
    let mut game: Box<dyn DynGame> = kind.create(&options, 4, 99).unwrap();
    // Each seat sees its own five dice and only the others' counts; a spectator sees no dice.
    let views: Vec<Value> = (0..4).map(|s| game.view(Viewer::Seat(s))).collect();
    for view in &views {
        assert_eq!(view["mine"].as_array().map(Vec::len), Some(5), "{view}");
        assert_eq!(view["counts"], json!([5, 5, 5, 5]));
    }
    assert!(game.view(Viewer::Spectator)["mine"].is_null());
    assert!(!views[1].to_string().contains(&format!("\"mine\":{}", views[0]["mine"])), "no leak");
    let refused = game.play(0, &json!({"call": true})).unwrap_err().to_string();
    assert!(refused.contains("no bid to call"), "{refused}");

    let mut log = Vec::new();
    for _ in 0..400 {
        if game.outcome().is_some() {
            break;
        }
        let seat = game.turn()[0];
        let mv = choose(&game.view(Viewer::Seat(seat)));
        let played = game.play(seat, &mv).unwrap_or_else(|e| panic!("seat {seat} {mv}: {e}"));
        log.push((seat, played));
    }
    let outcome = game.outcome().expect("a game of 20 dice ends within 400 moves");
    assert_eq!(outcome.reason, "last_with_dice");
    let winner = outcome.winner.unwrap();
    let counts = game.view(Viewer::Spectator)["counts"].clone();
    assert!(
        counts[winner].as_u64().unwrap() > 0
            && counts.as_array().unwrap().iter().filter(|c| c.as_u64() > Some(0)).count() == 1,
        "{counts}"
    );
    // The same seed and moves, the same dice: the game rebuilds from its log.
    let again = replay(&kind, &options, 4, 99, log.iter().map(|(s, m)| (*s, m))).unwrap();
    assert_eq!(again.view(Viewer::Spectator), game.view(Viewer::Spectator));
}

#[test]
fn a_player_who_leaves_liars_dice_drops_out_and_the_others_play_on() {
    let kind = ScriptKind::load(LIARS_DICE, "liars_dice.js", limits()).unwrap();
    let mut game = kind.create(&Value::Null, 3, 5).unwrap();
    assert!(game.drop_out(0), "a game of three goes on");
    assert_eq!(game.view(Viewer::Spectator)["counts"], json!([0, 5, 5]));
    assert_eq!(game.turn(), [1], "the turn moved past the seat that left");
    assert!(game.outcome().is_none());
}

/// The first game of docs/make-a-game.md, as a reader copies it, loads and plays to its end.
#[test]
fn the_guides_first_game_plays_as_written() {
    let guide = include_str!("../../../docs/make-a-game.md");
    let start = guide.find("## 1. Your first game").expect("the section");
    let block = &guide[start..];
    let code = block.split("```js\n").nth(1).and_then(|b| b.split("```").next()).expect("code");
    let kind = capital_script::ScriptKind::load(code, "race.js", capital_script::Limits::default())
        .expect("the guide's game loads");
    let mut game = capital_engine::GameKind::create(&kind, &serde_json::json!({}), 2, 1).unwrap();
    for (i, add) in [2, 2, 2, 2, 2].iter().enumerate() {
        game.play(i % 2, &serde_json::json!({"add": add})).unwrap();
    }
    let outcome = game.outcome().expect("10 is reached");
    assert_eq!((outcome.winner, outcome.reason.as_str()), (Some(0), "reached_10"));
}

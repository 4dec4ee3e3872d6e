//! `game_options`: the options of a `create_room` request, given to every game of the standard
//! registry (`GameKind::check`, what the lobby calls, and `GameKind::create`, what a room calls
//! at start).
//!
//! The input is the options' JSON text (text that is not JSON is given as a JSON string).
//!
//! Checks: no panic; `check` and `create` accept and refuse the same options; a refusal is
//! `bad_options`; the canonical options `check` returns are accepted again, are their own
//! canonical form, and give the same first position; a new game for each number of players the
//! options allow has that many seats, is not over and waits for someone.

#![no_main]

use capital_engine::{DynGame, RuleError, Viewer};
use capital_games::Registry;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let options = serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.into_owned()));
    for entry in Registry::standard().all() {
        let kind = entry.kind();
        match entry.check(&options) {
            Ok((canonical, players)) => {
                assert!(players.min >= 1 && players.min <= players.max, "{kind}: {players:?}");
                let (twice, again) = entry
                    .check(&canonical)
                    .unwrap_or_else(|e| panic!("{kind}: canonical {canonical} refused: {e}"));
                assert_eq!((&twice, again), (&canonical, players), "{kind}: {options}");
                for n in players.min..=players.max.min(players.min + 8) {
                    let game = entry.create(&options, n, 1).expect("checked options create");
                    assert_eq!(game.players(), n, "{kind}: {options}");
                    assert!(game.outcome().is_none(), "{kind}: {options}: over at once");
                    assert!(!game.turn().is_empty(), "{kind}: {options}: nobody to play");
                    let same = entry.create(&canonical, n, 1).expect("canonical options create");
                    assert_eq!(views(&*same), views(&*game), "{kind}: {options}");
                }
            }
            Err(err) => {
                assert!(matches!(err, RuleError::BadOptions(_)), "{kind}: {options}: {err:?}");
                let created = entry.create(&options, 2, 1).err();
                assert!(created.is_some(), "{kind}: {options}: check refused ({err}), create not");
            }
        }
    }
});

fn views(game: &dyn DynGame) -> Vec<Value> {
    let viewers = std::iter::once(Viewer::Spectator).chain((0..game.players()).map(Viewer::Seat));
    viewers.map(|viewer| game.view(viewer)).collect()
}

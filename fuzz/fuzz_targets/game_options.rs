//! `game_options`: the options of a `create_room` request, given to every game of the standard
//! registry (`GameEntry::seats` and `GameEntry::create`, what the lobby calls).
//!
//! The input is the options' JSON text (text that is not JSON is given as a JSON string).
//!
//! Checks: no panic; `seats` and `create` accept and refuse the same options, and agree on the
//! number of seats; a refusal is `bad_options`; the canonical options `create` returns are
//! accepted again and are their own canonical form, and give the same first position; a new
//! game is not over and waits for someone.

#![no_main]

use capital_engine::{DynGame, RuleError, Viewer};
use capital_games::Registry;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let options = serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.into_owned()));
    for entry in Registry::standard().iter() {
        let kind = entry.kind;
        let seats = entry.seats(&options);
        match entry.create(&options) {
            Ok((game, canonical)) => {
                assert_eq!(seats, Ok(game.seats()), "{kind}: {options}");
                assert!(game.outcome().is_none(), "{kind}: {options}: over at once");
                assert!(!game.turn().is_empty(), "{kind}: {options}: nobody to play");
                let (again, twice) = entry
                    .create(&canonical)
                    .unwrap_or_else(|e| panic!("{kind}: canonical {canonical} refused: {e}"));
                assert_eq!(twice, canonical, "{kind}: {options}");
                assert_eq!(views(&*again), views(&*game), "{kind}: {options}");
            }
            Err(err) => {
                assert!(matches!(err, RuleError::BadOptions(_)), "{kind}: {options}: {err:?}");
                assert!(seats.is_err(), "{kind}: {options}: seats {seats:?} but create {err}");
            }
        }
    }
});

fn views(game: &dyn DynGame) -> Vec<Value> {
    let viewers = std::iter::once(Viewer::Spectator).chain((0..game.seats()).map(Viewer::Seat));
    viewers.map(|viewer| game.view(viewer)).collect()
}

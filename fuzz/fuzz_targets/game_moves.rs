//! `game_moves`: a sequence of moves played against every game of the standard registry,
//! through the object-safe face the room actor uses (`DynGame::play`).
//!
//! The input is text: a first line naming a game kind (`tictactoe`) and optionally a number of
//! players (`crazy_eights 5`; the game's fewest by default), then one move per line as `SEAT JSON`
//! (`0 {"cell": 4}`). A first line that names no game plays the moves against every game. A line whose seat is not a number is skipped; a line whose JSON does not parse is played
//! as a JSON string.
//!
//! Checks, after every move: no panic; a refused move changes nothing (every viewer's view, the
//! turn and the outcome are as before); an accepted move came from a seat in turn while the game
//! was on; the turn names only real seats and is empty once there is an outcome (and, for a
//! game still going, someone is on turn). At the end: replaying the canonical moves
//! that `play` returned (the move log) from the canonical options rebuilds the same game.

#![no_main]

use capital_engine::{DynGame, GameKind, Outcome, Seat, Viewer, replay};
use capital_games::Registry;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// The seed of every game's random numbers (a replay must give the same game from it).
const SEED: u64 = 7;

/// More moves than any game here lasts (connect four: 42), with room for refusals.
const MAX_MOVES: usize = 256;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.lines();
    // The first line: the game's kind, and optionally how many players.
    let mut first = lines.next().unwrap_or_default().split_whitespace();
    let kind = first.next().unwrap_or_default();
    let players = first.next().and_then(|n| n.parse().ok());
    let moves: Vec<(Seat, Value)> = lines.filter_map(parse_move).take(MAX_MOVES).collect();
    let registry = Registry::standard();
    match registry.find(kind) {
        Some(entry) => play(&*entry, players, &moves),
        None => registry.all().iter().for_each(|entry| play(&**entry, players, &moves)),
    }
});

fn parse_move(line: &str) -> Option<(Seat, Value)> {
    let (seat, json) = line.split_once(' ')?;
    let seat = seat.parse().ok()?;
    let mv = serde_json::from_str(json).unwrap_or_else(|_| Value::String(json.to_owned()));
    Some((seat, mv))
}

/// All that can be seen of a game from outside.
#[derive(Debug, PartialEq)]
struct Seen {
    /// The spectator's view, then each seat's.
    views: Vec<Value>,
    turn: Vec<Seat>,
    outcome: Option<Outcome>,
}

fn seen(game: &dyn DynGame) -> Seen {
    let viewers = std::iter::once(Viewer::Spectator).chain((0..game.players()).map(Viewer::Seat));
    Seen {
        views: viewers.map(|viewer| game.view(viewer)).collect(),
        turn: game.turn(),
        outcome: game.outcome(),
    }
}

fn check_consistent(kind: &str, game: &dyn DynGame, seen: &Seen) {
    let seats = game.players();
    assert!(seen.turn.iter().all(|&seat| seat < seats), "{kind}: turn {:?}", seen.turn);
    if let Some(outcome) = &seen.outcome {
        assert!(seen.turn.is_empty(), "{kind}: over ({outcome:?}) but turn {:?}", seen.turn);
        assert!(outcome.winner.is_none_or(|seat| seat < seats), "{kind}: {outcome:?}");
    } else {
        assert!(!seen.turn.is_empty(), "{kind}: nobody's turn and no outcome: stuck");
    }
}

fn play(entry: &dyn GameKind, players: Option<usize>, moves: &[(Seat, Value)]) {
    let kind = entry.kind();
    let (options, range) =
        entry.check(&entry.default_options()).expect("the default options are accepted");
    let players = players.unwrap_or(range.min).clamp(range.min, range.max);
    let mut game = entry.create(&options, players, SEED).expect("the default options create");
    assert_eq!(game.players(), players, "{kind}");
    let mut now = seen(&*game);
    check_consistent(kind, &*game, &now);
    let mut log = Vec::new();
    for (seat, mv) in moves {
        match game.play(*seat, mv) {
            Ok(canonical) => {
                assert!(now.outcome.is_none(), "{kind}: {mv} accepted after the game ended");
                assert!(now.turn.contains(seat), "{kind}: {mv} accepted from seat {seat}");
                log.push((*seat, canonical));
                now = seen(&*game);
                check_consistent(kind, &*game, &now);
            }
            Err(err) => {
                let after = seen(&*game);
                assert_eq!(after, now, "{kind}: refused {mv} from seat {seat} ({err}) changed it");
            }
        }
    }
    let replayed = replay(entry, &options, players, SEED, log.iter().map(|(seat, mv)| (*seat, mv)))
        .unwrap_or_else(|err| panic!("{kind}: the move log {log:?} does not replay: {err}"));
    assert_eq!(seen(&*replayed), now, "{kind}: replaying {log:?} gives another game");
}

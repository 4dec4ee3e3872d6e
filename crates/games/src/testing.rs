//! Helpers shared by the games' unit tests.

use capital_engine::{DynGame, GameKind, RuleError, Seat, Viewer};
use serde_json::Value;

/// A game of `kind` with `options` for its fewest players (seed 0), and the options in
/// canonical form.
pub fn create(
    kind: &dyn GameKind,
    options: &Value,
) -> Result<(Box<dyn DynGame>, Value), RuleError> {
    let (canonical, players) = kind.check(options)?;
    Ok((kind.create(options, players.min, 0)?, canonical))
}

/// The state as every seat and a spectator see it.
pub fn all_views(game: &dyn DynGame) -> Vec<Value> {
    (0..game.players()).map(Viewer::Seat).chain([Viewer::Spectator]).map(|v| game.view(v)).collect()
}

/// Plays `moves` in order, each for the first seat whose turn it is; panics on a refusal.
pub fn play_in_turn(game: &mut dyn DynGame, moves: impl IntoIterator<Item = Value>) {
    for (i, mv) in moves.into_iter().enumerate() {
        let seat = *game.turn().first().expect("the game is still going");
        if let Err(e) = game.play(seat, &mv) {
            panic!("move {i} ({mv}) by seat {seat} refused: {e}");
        }
    }
}

/// Asserts that `mv` by `seat` is refused with `expected` (any `BadMove` matches a `BadMove`)
/// and that nothing any viewer sees, the turn or the outcome changed.
pub fn assert_refused(game: &mut dyn DynGame, seat: Seat, mv: Value, expected: &RuleError) {
    let before = all_views(game);
    let turn = game.turn();
    let outcome = game.outcome();
    let got = game.play(seat, &mv);
    match (&got, expected) {
        (Err(RuleError::BadMove(_)), RuleError::BadMove(_)) => {}
        _ => assert_eq!(got.as_ref(), Err(expected), "move {mv} by seat {seat}"),
    }
    assert_eq!(all_views(game), before, "refused {mv} changed a view");
    assert_eq!(game.turn(), turn, "refused {mv} changed the turn");
    assert_eq!(game.outcome(), outcome, "refused {mv} changed the outcome");
}

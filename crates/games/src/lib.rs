//! The games Capital ships, one file each, and the [`Registry`] that lists them.
//!
//! Adding a game: write `src/<kind>.rs` with a type implementing [`capital_engine::Game`] (and
//! its tests), declare the module here, and add one line to [`Registry::standard`]. A server is
//! handed a registry, so a program embedding Capital can also offer games of its own
//! ([`Registry::with`]).
//! `docs/games.md` walks through it.
//!
//! # Layout
//! - [`tictactoe`]: tic-tac-toe on a 3x3 board.
//! - [`connect_four`]: connect four on a 7x6 board.
//! - [`rps`]: rock-paper-scissors, best of N, choices secret until both have chosen.
//! - [`crazy_eights`]: crazy eights for 2 to 6 players, hands hidden, a shuffled deck.
//! - [`dots_and_boxes`]: dots and boxes for 2 to 4 players, with a turn timer by default.
//! - [`light_cycles`]: light cycles, a real-time arena for 2 to 8 players at 20 ticks a second.

use std::sync::{Arc, RwLock};

use capital_engine::{GameKind, kind};

pub mod cards;
pub mod connect_four;
pub mod crazy_eights;
pub mod dots_and_boxes;
pub mod light_cycles;
pub mod rps;
pub mod tictactoe;

#[cfg(test)]
mod testing;

/// The games a server offers, by kind, in the order clients list them. Cheap to clone, and
/// shared by its clones: games may be added, replaced and removed while a server runs (its
/// script games, when their files change). A room keeps the game it started with.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    kinds: Arc<RwLock<Vec<Arc<dyn GameKind>>>>,
}

impl Registry {
    /// Every game shipped with Capital.
    pub fn standard() -> Self {
        Registry::default()
            .with(kind::<tictactoe::TicTacToe>())
            .with(kind::<connect_four::ConnectFour>())
            .with(kind::<rps::RockPaperScissors>())
            .with(kind::<crazy_eights::CrazyEights>())
            .with(kind::<dots_and_boxes::DotsAndBoxes>())
            .with(kind::<light_cycles::LightCycles>())
    }

    /// This registry and `game` (which replaces a game of the same kind).
    pub fn with(self, game: Arc<dyn GameKind>) -> Self {
        self.put(game);
        self
    }

    /// Adds `game`, or puts it in the place of the game of the same kind.
    pub fn put(&self, game: Arc<dyn GameKind>) {
        let mut kinds = self.kinds.write().expect("registry lock");
        match kinds.iter_mut().find(|k| k.kind() == game.kind()) {
            Some(old) => *old = game,
            None => kinds.push(game),
        }
    }

    /// Takes the game of this kind off the list; returns whether there was one.
    pub fn remove(&self, kind: &str) -> bool {
        let mut kinds = self.kinds.write().expect("registry lock");
        let before = kinds.len();
        kinds.retain(|k| k.kind() != kind);
        kinds.len() != before
    }

    /// The game of this kind, if offered.
    pub fn find(&self, kind: &str) -> Option<Arc<dyn GameKind>> {
        self.kinds.read().expect("registry lock").iter().find(|k| k.kind() == kind).cloned()
    }

    /// All games, in the order listed.
    pub fn all(&self) -> Vec<Arc<dyn GameKind>> {
        self.kinds.read().expect("registry lock").clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_unique_and_findable() {
        let registry = Registry::standard();
        let all = registry.all();
        let mut kinds: Vec<_> = all.iter().map(|e| e.kind()).collect();
        assert_eq!(
            kinds,
            ["tictactoe", "connect_four", "rps", "crazy_eights", "dots_and_boxes", "light_cycles"]
        );
        kinds.dedup();
        assert_eq!(kinds.len(), 6);
        assert!(registry.find("rps").is_some());
        assert!(registry.find("chess").is_none());
    }

    #[test]
    fn every_game_starts_from_its_default_options() {
        for entry in Registry::standard().all() {
            let (options, players) = entry.check(&entry.default_options()).unwrap();
            assert_eq!(options, entry.default_options(), "{}", entry.kind());
            let game = entry.create(&options, players.min, 0).unwrap();
            assert_eq!(game.players(), players.min, "{}", entry.kind());
            assert_eq!(game.outcome(), None);
        }
    }
}

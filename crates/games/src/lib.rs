//! The games Capital ships, one file each, and the [`Registry`] that lists them.
//!
//! Adding a game: write `src/<kind>.rs` with a type implementing [`capital_engine::Game`] (and
//! its tests), declare the module here, and add one line to [`Registry::standard`].
//! `docs/games.md` walks through it.
//!
//! # Layout
//! - [`tictactoe`]: tic-tac-toe on a 3x3 board.
//! - [`connect_four`]: connect four on a 7x6 board.
//! - [`rps`]: rock-paper-scissors, best of N, choices secret until both have chosen.

use capital_engine::GameEntry;

pub mod connect_four;
pub mod rps;
pub mod tictactoe;

#[cfg(test)]
mod testing;

/// The games a server offers, by kind.
#[derive(Debug, Clone)]
pub struct Registry {
    entries: Vec<GameEntry>,
}

impl Registry {
    /// Every game shipped with Capital.
    pub fn standard() -> Self {
        Registry {
            entries: vec![
                GameEntry::of::<tictactoe::TicTacToe>(),
                GameEntry::of::<connect_four::ConnectFour>(),
                GameEntry::of::<rps::RockPaperScissors>(),
            ],
        }
    }

    /// The game of this kind, if offered.
    pub fn find(&self, kind: &str) -> Option<&GameEntry> {
        self.entries.iter().find(|entry| entry.kind == kind)
    }

    /// All games, in the order listed.
    pub fn iter(&self) -> impl Iterator<Item = &GameEntry> {
        self.entries.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_unique_and_findable() {
        let registry = Registry::standard();
        let mut kinds: Vec<_> = registry.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, ["tictactoe", "connect_four", "rps"]);
        kinds.dedup();
        assert_eq!(kinds.len(), 3);
        assert!(registry.find("rps").is_some());
        assert!(registry.find("chess").is_none());
    }

    #[test]
    fn every_game_starts_from_its_default_options() {
        for entry in Registry::standard().iter() {
            let (game, options) = entry.create(&entry.default_options()).unwrap();
            assert_eq!(options, entry.default_options(), "{}", entry.kind);
            assert_eq!(game.seats(), 2, "{}", entry.kind);
            assert_eq!(game.outcome(), None);
        }
    }
}

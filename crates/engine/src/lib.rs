//! The rules side of Capital: what a game is, with no I/O, no clock and no randomness of its own.
//!
//! A game implements [`Game`]: how many seats, which options, whose turn, whether a move is legal,
//! what a move does, what each seat may see, and how it ends. Everything is deterministic, so a
//! game is rebuilt exactly by replaying its move log ([`replay`]). The only way state leaves a game
//! is [`Game::view`], per viewer, so hidden information cannot leak by accident.
//!
//! The server holds games of any kind through the object-safe [`DynGame`], made by a
//! [`GameEntry`] (a game's constructor and metadata, listed in the `capital-games` registry). Moves
//! and options cross that boundary as JSON values and are checked into the game's own types there.
//!
//! # Layout
//! - [`game`]: the [`Game`] trait, [`Viewer`], [`Outcome`], [`RuleError`].
//! - [`dynamic`]: [`DynGame`], [`GameEntry`] and [`replay`], the JSON-typed face the server uses.

pub mod dynamic;
pub mod game;

pub use dynamic::{DynGame, GameEntry, replay};
pub use game::{Game, Outcome, RuleError, Seat, Viewer};

//! The rules side of Capital: what a game is, with no I/O, no clock and no randomness of its own.
//!
//! A game implements [`Game`]: how many players, which options, whose turn, whether a move is
//! legal, what a move does, what each seat may see, how it ends, and what a turn timer running out
//! does. Everything is deterministic (dice and shuffles come from an [`Rng`] the server seeds), so
//! a game is rebuilt exactly by replaying its move log from its seed ([`replay`]). The only way
//! state leaves a game is [`Game::view`], per viewer, so hidden information cannot leak by accident.
//!
//! The server holds game kinds as `Arc<dyn GameKind>` values (made by [`kind`], listed in a
//! registry handed to the server) and running games as `Box<dyn DynGame>`. Moves and options
//! cross that boundary as JSON values and are checked into the game's own types there.
//!
//! # Layout
//! - [`game`]: the [`Game`] trait, [`Viewer`], [`Outcome`], [`RuleError`], [`Timeout`].
//! - [`options`]: [`Players`] and the options schema ([`OptionSpec`]) clients draw forms from.
//! - [`rng`]: [`Rng`], the seeded generator.
//! - [`kind`]: [`GameKind`], [`DynGame`] and [`replay`], the JSON-typed face the server uses.

pub mod game;
pub mod kind;
pub mod options;
pub mod rng;

pub use game::{Game, Outcome, RuleError, Seat, Timeout, Viewer};
pub use kind::{
    DynGame, GameKind, TimedOut, boxed, dropped_out, is_dropped_out, kind, replay, replay_each,
};
pub use options::{Choice, OptionKind, OptionSpec, Players};
pub use rng::Rng;

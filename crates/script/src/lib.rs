//! Game scripts: a game whose rules are a JavaScript file, loaded while the server runs (no
//! recompiling), with the guarantees of a built-in game. The script declares its rules with
//! `game({...})`: pure functions of the state in the style boardgame.io made popular (`setup`,
//! `move`, `turn`, `view`, `outcome`, and optionally `timeout` and `dropOut`). See
//! `docs/make-a-game.md`.
//!
//! Every game runs in a QuickJS runtime of its own ([`sandbox`]): no I/O, no clock, no
//! randomness but the game's seeded generator, a memory limit and a CPU budget per call. The
//! server keeps the state and sends only what `view` returns; a game rebuilds from its move log
//! like any other. A script that fails ends its own game, with the file and line of the error.
//!
//! # Layout
//! - [`sandbox`]: one runtime: loading, calling with JSON, the limits, errors with lines.
//! - [`definition`]: what a script declares (names, players, options), and checking options.
//! - [`kind`]: [`ScriptKind`], a script as a [`capital_engine::GameKind`].
//! - [`game`]: [`ScriptGame`], a running script game as a [`capital_engine::DynGame`].
//! - [`error`]: what can go wrong, as [`ScriptError`].

pub mod definition;
pub mod error;
pub mod game;
pub mod kind;
pub mod sandbox;

pub use definition::Definition;
pub use error::ScriptError;
pub use game::{SCRIPT_ERROR, ScriptGame};
pub use kind::ScriptKind;
pub use sandbox::Limits;

//! A game kind whose rules are a script ([`ScriptKind`]): loaded from its source once (to read
//! what it declares, and to find its errors before anyone plays), then each game in a sandbox of
//! its own.

use std::sync::{Arc, Mutex};

use capital_engine::{DynGame, GameKind, OptionSpec, Players, Rng, RuleError};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::ScriptError;
use crate::definition::Definition;
use crate::game::ScriptGame;
use crate::sandbox::{Limits, Sandbox};

/// A script game's kind: its source, what it declares, and the limits of its games.
pub struct ScriptKind {
    source: Arc<str>,
    file: String,
    /// The SHA-256 of `source`, in hex.
    version: String,
    definition: Arc<Definition>,
    limits: Limits,
}

impl std::fmt::Debug for ScriptKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptKind")
            .field("file", &self.file)
            .field("kind", &self.definition.kind)
            .finish()
    }
}

impl ScriptKind {
    /// Loads the script `source` of file `file` (e.g. `nim.js`): runs it once, reads its
    /// declaration, and sets up a game of the fewest players with the default options, so that
    /// an error shows now rather than in a classroom.
    pub fn load(source: &str, file: &str, limits: Limits) -> Result<Self, ScriptError> {
        let stem = file.strip_suffix(".js").unwrap_or(file);
        let rng = Arc::new(Mutex::new(Rng::from_seed(0)));
        let sandbox = Sandbox::load(source, file, limits, rng.clone())?;
        let meta = sandbox.call("$meta", &json!([]))?;
        let definition = Arc::new(Definition::read(&meta, stem)?);
        let version =
            Sha256::digest(source.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        let kind = ScriptKind {
            source: Arc::from(source),
            file: file.to_owned(),
            version,
            definition,
            limits,
        };
        let options = kind
            .definition
            .check(&Value::Null)
            .map_err(|e| ScriptError::Bad(format!("{file}: {e}")))?;
        ScriptGame::start(
            sandbox,
            rng,
            kind.definition.clone(),
            kind.definition.players.min,
            &options,
        )?;
        Ok(kind)
    }

    /// What the script declares.
    pub fn definition(&self) -> &Definition {
        &self.definition
    }

    /// The file it came from.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// A new game, as [`GameKind::create`] makes it but with the script's own error.
    pub fn start(
        &self,
        options: &Value,
        players: usize,
        seed: u64,
    ) -> Result<ScriptGame, ScriptError> {
        let rng = Arc::new(Mutex::new(Rng::from_seed(seed)));
        let sandbox = Sandbox::load(&self.source, &self.file, self.limits, rng.clone())?;
        ScriptGame::start(sandbox, rng, self.definition.clone(), players, options)
    }
}

impl GameKind for ScriptKind {
    fn kind(&self) -> &str {
        &self.definition.kind
    }

    fn name(&self) -> &str {
        &self.definition.name
    }

    fn about(&self) -> &str {
        &self.definition.about
    }

    fn author(&self) -> Option<&str> {
        self.definition.author.as_deref()
    }

    fn version(&self) -> Option<&str> {
        Some(&self.version)
    }

    fn source(&self) -> Option<(&str, &str)> {
        Some((&self.file, &self.source))
    }

    fn options_schema(&self) -> Vec<OptionSpec> {
        self.definition.options.clone()
    }

    fn default_options(&self) -> Value {
        self.definition.check(&Value::Null).unwrap_or(Value::Null)
    }

    fn check(&self, options: &Value) -> Result<(Value, Players), RuleError> {
        Ok((self.definition.check(options)?, self.definition.players))
    }

    fn create(
        &self,
        options: &Value,
        players: usize,
        seed: u64,
    ) -> Result<Box<dyn DynGame>, RuleError> {
        let range = self.definition.players;
        if !(range.min..=range.max).contains(&players) {
            return Err(RuleError::BadOptions(format!(
                "this game takes {} to {} players, not {players}",
                range.min, range.max
            )));
        }
        let options = self.definition.check(options)?;
        match self.start(&options, players, seed) {
            Ok(game) => Ok(Box::new(game)),
            Err(e) => {
                Err(RuleError::BadOptions(format!("the game's script failed to set up: {e}")))
            }
        }
    }

    fn resume(&self, _: &Value, _: usize, _: u64, _: u64, _: &Value) -> Option<Box<dyn DynGame>> {
        None
    }

    fn rotate_seats_on_rematch(&self) -> bool {
        self.definition.rotate_seats
    }

    fn default_turn_seconds(&self) -> Option<u32> {
        self.definition.turn_seconds
    }
}

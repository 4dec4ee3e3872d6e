//! A running script game, as the server holds any game ([`DynGame`]). The state lives here, as
//! JSON; the script's functions get it as their argument and return the next one. After every
//! change the game asks the script, in a fixed order, whose turn it is, whether it is over, and
//! what each seat and a spectator may see, and keeps the answers: so the same moves make the same
//! calls, live and when a game is rebuilt from its log, and only those views ever leave.
//!
//! A script that fails (throws, loops, eats memory, returns nonsense) ends its own game: the
//! game is over with the reason `script_error`, and every view says what went wrong.

use std::sync::{Arc, Mutex};

use capital_engine::{DynGame, Outcome, Rng, RuleError, Seat, TimedOut, Viewer};
use serde_json::{Value, json};

use crate::ScriptError;
use crate::definition::Definition;
use crate::sandbox::Sandbox;

/// The reason of a game its script ended by failing.
pub const SCRIPT_ERROR: &str = "script_error";

/// A game whose rules are a script.
pub struct ScriptGame {
    sandbox: Sandbox,
    rng: Arc<Mutex<Rng>>,
    definition: Arc<Definition>,
    players: usize,
    state: Value,
    turn: Vec<Seat>,
    outcome: Option<Outcome>,
    /// One view per seat, then the spectators'.
    views: Vec<Value>,
    /// What went wrong, once the script failed.
    failed: Option<ScriptError>,
}

impl ScriptGame {
    /// Sets up a game of `players` with `options` (checked) in `sandbox`.
    pub(crate) fn start(
        sandbox: Sandbox,
        rng: Arc<Mutex<Rng>>,
        definition: Arc<Definition>,
        players: usize,
        options: &Value,
    ) -> Result<Self, ScriptError> {
        let state = sandbox.call("setup", &json!([{"players": players, "options": options}]))?;
        let mut game = ScriptGame {
            sandbox,
            rng,
            definition,
            players,
            state,
            turn: Vec::new(),
            outcome: None,
            views: Vec::new(),
            failed: None,
        };
        game.derive()?;
        Ok(game)
    }

    /// What the script failed with, if it did.
    pub fn failure(&self) -> Option<&ScriptError> {
        self.failed.as_ref()
    }

    /// Bytes the game's JavaScript heap holds.
    pub fn memory_used(&self) -> usize {
        self.sandbox.memory_used()
    }

    /// Asks the script what follows from the state: whose turn, the outcome, every view.
    fn derive(&mut self) -> Result<(), ScriptError> {
        let derived = self.sandbox.call("$derive", &json!([self.state, self.players]))?;
        self.take(&derived)
    }

    /// Keeps what follows from the state (`$derive`'s answer: outcome, turn, views), once it
    /// makes sense.
    fn take(&mut self, derived: &Value) -> Result<(), ScriptError> {
        let outcome = match &derived["outcome"] {
            Value::Null => None,
            v => Some(self.read_outcome(v)?),
        };
        let turn = if outcome.is_some() { Vec::new() } else { self.read_seats(&derived["turn"])? };
        let views = match derived["views"].as_array() {
            Some(views) if views.len() == self.players + 1 => views.clone(),
            _ => return Err(self.bad("the views did not come back (one per seat, and one more)")),
        };
        (self.outcome, self.turn, self.views) = (outcome, turn, views);
        Ok(())
    }

    fn read_outcome(&self, v: &Value) -> Result<Outcome, ScriptError> {
        let winner = match v.get("winner") {
            None | Some(Value::Null) => None,
            Some(w) => Some(self.read_seat(w)?),
        };
        let reason = v.get("reason").and_then(Value::as_str).unwrap_or("over");
        Ok(Outcome { winner, reason: reason.chars().take(40).collect() })
    }

    fn read_seats(&self, v: &Value) -> Result<Vec<Seat>, ScriptError> {
        let seats =
            v.as_array().ok_or_else(|| self.bad("turn(state) must return a list of seats"))?;
        seats.iter().map(|s| self.read_seat(s)).collect()
    }

    fn read_seat(&self, v: &Value) -> Result<Seat, ScriptError> {
        v.as_u64().map(|s| s as usize).filter(|&s| s < self.players).ok_or_else(|| {
            self.bad(&format!("{v} is not a seat of this game (0 to {})", self.players - 1))
        })
    }

    fn bad(&self, why: &str) -> ScriptError {
        ScriptError::Bad(format!("{}.js: {why}", self.definition.kind))
    }

    /// The script failed: its game is over, and every view says why.
    fn fail(&mut self, error: ScriptError) -> RuleError {
        let said = error.to_string();
        self.views = vec![json!({"$error": said}); self.players + 1];
        self.turn.clear();
        self.outcome = Some(Outcome::draw(SCRIPT_ERROR));
        self.failed = Some(error);
        RuleError::Illegal(format!("the game's script failed: {said}"))
    }
}

impl DynGame for ScriptGame {
    fn players(&self) -> usize {
        self.players
    }

    fn turn(&self) -> Vec<Seat> {
        self.turn.clone()
    }

    fn play(&mut self, seat: Seat, mv: &Value) -> Result<Value, RuleError> {
        if self.outcome.is_some() {
            return Err(RuleError::GameOver);
        }
        if seat >= self.players {
            return Err(RuleError::NoSuchSeat(seat));
        }
        if !self.turn.contains(&seat) {
            return Err(RuleError::NotYourTurn);
        }
        // The move and all that follows from it, in one call into the script.
        let played = json!([self.state, seat, mv, self.players]);
        let mut played = match self.sandbox.call("$play", &played) {
            Ok(played) => played,
            Err(e) => return Err(self.fail(e)),
        };
        let next = played["next"].take();
        if let Some(why) = next.get("$invalid") {
            return Err(RuleError::Illegal(why.as_str().unwrap_or("not a legal move").to_owned()));
        }
        if next.is_null() {
            return Err(self.fail(
                self.bad("move(...) returned nothing: return the next state, or invalid(\"why\")"),
            ));
        }
        if let Err(e) = self.take(&played["then"]) {
            return Err(self.fail(e));
        }
        self.state = next;
        Ok(mv.clone())
    }

    fn time_out(&mut self, seat: Seat, choice: &mut Rng) -> TimedOut {
        if !self.definition.has_timeout || self.outcome.is_some() {
            return TimedOut::Forfeit;
        }
        // The pick is not the game's own randomness: the move is logged and replays as it is.
        std::mem::swap(&mut *self.rng.lock().expect("rng lock"), choice);
        let picked = self.sandbox.call("timeout", &json!([self.state, seat]));
        std::mem::swap(&mut *self.rng.lock().expect("rng lock"), choice);
        match picked {
            Ok(Value::Null) => TimedOut::Forfeit,
            Ok(mv) => match self.play(seat, &mv) {
                Ok(mv) => TimedOut::Played(mv),
                Err(_) => TimedOut::Forfeit,
            },
            Err(e) => {
                self.fail(e);
                TimedOut::Forfeit
            }
        }
    }

    fn view(&self, viewer: Viewer) -> Value {
        let i = match viewer {
            Viewer::Seat(seat) if seat < self.players => seat,
            _ => self.players,
        };
        self.views[i].clone()
    }

    fn outcome(&self) -> Option<Outcome> {
        self.outcome.clone()
    }

    fn tick_rate(&self) -> Option<u32> {
        None
    }

    fn check_input(&self, _: Seat, _: &Value) -> Result<Value, RuleError> {
        Err(RuleError::BadMove("a script game takes moves, not real-time inputs".into()))
    }

    fn tick(&mut self, _: u32, _: &[Option<Value>]) {}

    fn snapshot(&self) -> Option<Value> {
        None
    }

    fn same_view_for_all(&self) -> bool {
        false
    }

    fn drop_out(&mut self, seat: Seat) -> bool {
        if !self.definition.has_drop_out || self.outcome.is_some() || seat >= self.players {
            return false;
        }
        match self.sandbox.call("dropOut", &json!([self.state, seat])) {
            Ok(Value::Null) => false,
            Ok(next) => {
                let before = std::mem::replace(&mut self.state, next);
                if let Err(e) = self.derive() {
                    self.state = before;
                    self.fail(e);
                }
                true
            }
            Err(e) => {
                self.fail(e);
                true
            }
        }
    }
}

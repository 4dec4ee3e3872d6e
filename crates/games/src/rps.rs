//! Rock paper scissors, best of N rounds. In each round both players choose in secret; when
//! both have chosen, the choices are revealed: rock beats scissors, scissors beat paper, paper
//! beats rock, and equal choices are a tie that scores nobody. The first seat to win a majority
//! of `best_of` rounds (2 of 3 by default) wins the game.
//!
//! Options: `{"best_of": 3}`, an odd number from 1 to 9.
//!
//! A move is one choice for the current round:
//!
//! ```json
//! {"choice": "rock"}
//! ```
//!
//! Both seats are in turn at the start of a round; a seat that has chosen leaves the turn until
//! the round resolves.
//!
//! # Hidden information
//!
//! A choice stays secret until the round resolves: the view shows only *whether* each seat has
//! chosen (`chosen`), and a seat's own pending choice (`your_choice`, always `null` for
//! spectators). Resolved rounds show both choices. Seat 0's view after it chose paper in round 2:
//!
//! ```json
//! {"best_of": 3,
//!  "score": [1, 0],
//!  "round": 2,
//!  "rounds": [{"choices": ["rock", "scissors"], "winner": 0}],
//!  "chosen": [true, false],
//!  "your_choice": "paper"}
//! ```
//!
//! `round` is the 1-based number of the round being played; once the game is over it stays at
//! the number of the last round.

use capital_engine::{Game, OptionSpec, Outcome, Players, Rng, RuleError, Seat, Viewer};
use serde::{Deserialize, Serialize};

/// A game of rock paper scissors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RockPaperScissors {
    /// How many rounds the match is "best of"; odd, 1 to 9.
    best_of: u32,
    /// Rounds won by each seat.
    score: [u32; 2],
    /// Every resolved round, in order.
    rounds: Vec<RoundResult>,
    /// Each seat's secret choice in the current round, until the round resolves.
    pending: [Option<Choice>; 2],
}

/// Options: how many rounds the match is "best of".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RpsOptions {
    /// An odd number from 1 to 9; the winner is the first to win more than half. Default 3.
    pub best_of: u32,
}

impl Default for RpsOptions {
    fn default() -> Self {
        RpsOptions { best_of: 3 }
    }
}

/// One of the three hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// Beats scissors.
    Rock,
    /// Beats rock.
    Paper,
    /// Beats paper.
    Scissors,
}

impl Choice {
    /// Whether `self` beats `other`.
    pub fn beats(self, other: Choice) -> bool {
        matches!(
            (self, other),
            (Choice::Rock, Choice::Scissors)
                | (Choice::Scissors, Choice::Paper)
                | (Choice::Paper, Choice::Rock)
        )
    }
}

/// A move: this seat's choice for the current round, `{"choice": "rock"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pick {
    /// The hand.
    pub choice: Choice,
}

/// A resolved round, as shown to everyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RoundResult {
    /// What each seat chose, by seat.
    pub choices: [Choice; 2],
    /// The seat that won the round, or `null` for a tie.
    pub winner: Option<Seat>,
}

/// What one viewer sees. Nothing here reveals a choice of the current round, except the
/// viewer's own in `your_choice`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RpsView {
    /// The match length from the options.
    pub best_of: u32,
    /// Rounds won by each seat.
    pub score: [u32; 2],
    /// The 1-based number of the current round (the last round once the game is over).
    pub round: usize,
    /// Every resolved round, with both choices.
    pub rounds: Vec<RoundResult>,
    /// Whether each seat has chosen in the current round (public; the choices are not).
    pub chosen: [bool; 2],
    /// The viewer's own choice in the current round; `null` before choosing and for spectators.
    pub your_choice: Option<Choice>,
}

impl RockPaperScissors {
    /// Round wins needed to win the match.
    fn needed(&self) -> u32 {
        self.best_of / 2 + 1
    }

    /// Records the current round once both seats have chosen and starts the next.
    fn resolve_if_complete(&mut self) {
        let [Some(a), Some(b)] = self.pending else {
            return;
        };
        let winner = if a.beats(b) {
            Some(0)
        } else if b.beats(a) {
            Some(1)
        } else {
            None
        };
        if let Some(seat) = winner {
            self.score[seat] += 1;
        }
        self.rounds.push(RoundResult { choices: [a, b], winner });
        self.pending = [None, None];
    }
}

impl Game for RockPaperScissors {
    const KIND: &'static str = "rps";
    const NAME: &'static str = "Rock paper scissors";
    const ABOUT: &'static str = "Both choose in secret each round; best of N. A move is \
        {\"choice\": \"rock\" | \"paper\" | \"scissors\"}.";

    type Options = RpsOptions;
    type Move = Pick;
    type View = RpsView;

    fn check_options(options: &RpsOptions) -> Result<(), RuleError> {
        let n = options.best_of;
        if n % 2 == 1 && (1..=9).contains(&n) {
            Ok(())
        } else {
            Err(RuleError::BadOptions(format!(
                "best_of must be an odd number from 1 to 9 (1, 3, 5, 7 or 9), got {n}"
            )))
        }
    }

    fn options_schema() -> Vec<OptionSpec> {
        vec![OptionSpec::integer("best_of", "Best of", (1, 9, 2), 3)]
    }

    fn players(_: &RpsOptions) -> Players {
        Players::exactly(2)
    }

    fn new(options: &RpsOptions, _: usize, _: &mut Rng) -> Self {
        RockPaperScissors {
            best_of: options.best_of,
            score: [0, 0],
            rounds: Vec::new(),
            pending: [None, None],
        }
    }

    fn turn(&self) -> Vec<Seat> {
        if self.outcome().is_some() {
            return vec![];
        }
        (0..2).filter(|&seat| self.pending[seat].is_none()).collect()
    }

    fn validate(&self, seat: Seat, _: &Pick) -> Result<(), RuleError> {
        if self.outcome().is_some() {
            return Err(RuleError::GameOver);
        }
        match self.pending.get(seat) {
            None => Err(RuleError::NoSuchSeat(seat)),
            Some(Some(_)) => Err(RuleError::NotYourTurn),
            Some(None) => Ok(()),
        }
    }

    fn apply(&mut self, seat: Seat, mv: Pick, _: &mut Rng) {
        self.pending[seat] = Some(mv.choice);
        self.resolve_if_complete();
    }

    fn view(&self, viewer: Viewer) -> RpsView {
        let your_choice = match viewer {
            Viewer::Seat(seat) => self.pending.get(seat).copied().flatten(),
            Viewer::Spectator => None,
        };
        let over = self.outcome().is_some();
        RpsView {
            best_of: self.best_of,
            score: self.score,
            round: if over { self.rounds.len() } else { self.rounds.len() + 1 },
            rounds: self.rounds.clone(),
            chosen: self.pending.map(|choice| choice.is_some()),
            your_choice,
        }
    }

    fn outcome(&self) -> Option<Outcome> {
        let seat = (0..2).find(|&seat| self.score[seat] >= self.needed())?;
        Some(Outcome::win(seat, "best_of"))
    }

    /// Seats move on after each game, so that the other player starts the next.
    fn rotate_seats_on_rematch() -> bool {
        true
    }
}

#[cfg(test)]
#[path = "rps_tests.rs"]
mod tests;

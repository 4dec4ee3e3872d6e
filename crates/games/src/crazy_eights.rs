//! Crazy eights, for 2 to 6 players, with hidden hands and a shuffled deck.
//!
//! One 52-card deck, shuffled by the server's seeded generator. Each player is dealt 7 cards (5
//! with three or more players); the next card is turned up to start the discard pile (an 8 turned
//! up goes to the bottom of the stock and the next card is turned instead). Seats play in order,
//! 0 first. On your turn:
//!
//! - `{"play": "7H"}`: a card of the suit to follow or of the same rank as the top card; or
//! - `{"play": "8S", "suit": "hearts"}`: an 8, any time, naming the suit the next player follows;
//! - `{"draw": true}`: take the top card of the stock (at most `draws` times in a turn; when the
//!   stock is empty the discard pile, but for its top card, is shuffled into a new stock);
//! - `{"pass": true}`: only once you have drawn `draws` times this turn, or nothing is left to
//!   draw.
//!
//! Whoever plays their last card wins (`"out"`). If every player passes in turn with nothing left
//! to draw, the game is blocked: the fewest cards wins (`"blocked"`), a tie is a draw. A turn timer
//! running out plays for the seat: a random playable card (an 8 names the suit it holds most), or
//! else a draw, or else a pass.
//!
//! With three or more players, a player who leaves the room (or whose seat forfeits) drops out:
//! their cards go under the stock, their turn is skipped, and the others play on; the last one
//! left wins (`"last_player"`). The view's `out` marks the seats that dropped out.
//!
//! Cards are written rank then suit: `A`, `2`..`10`, `J`, `Q`, `K`, then `C`, `D`, `H` or `S`
//! (`"10D"`, `"QS"`). A seat's view has its own `hand`; everyone sees how many cards each seat
//! holds, the top card, the suit to follow, the stock's size, and the last thing that happened
//! (a card played is public, a card drawn is not).

use capital_engine::{Game, OptionSpec, Outcome, Players, Rng, RuleError, Seat, Timeout, Viewer};
use serde::{Deserialize, Serialize};

use crate::cards::SUITS;
pub use crate::cards::{Card, Suit};

impl Card {
    fn is_eight(self) -> bool {
        self.rank == 8
    }
}

/// The options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrazyEightsOptions {
    /// How many cards a player may draw in one turn before passing.
    pub draws: u8,
}

impl Default for CrazyEightsOptions {
    fn default() -> Self {
        CrazyEightsOptions { draws: 3 }
    }
}

/// A move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum Action {
    /// Play a card; an 8 names a suit.
    Play {
        /// The card.
        play: Card,
        /// For an 8: the suit the next player follows.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        suit: Option<Suit>,
    },
    /// Draw a card (`{"draw": true}`).
    Draw {
        /// Always `true`.
        draw: Yes,
    },
    /// Pass (`{"pass": true}`).
    Pass {
        /// Always `true`.
        pass: Yes,
    },
}

/// The `true` of `{"draw": true}` and `{"pass": true}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Yes;

impl Serialize for Yes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(true)
    }
}

impl<'de> Deserialize<'de> for Yes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match bool::deserialize(deserializer)? {
            true => Ok(Yes),
            false => Err(serde::de::Error::custom("expected true")),
        }
    }
}

/// What happened last, as everyone sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Last {
    /// The game began: the top card was turned up.
    Dealt,
    /// `seat` played `card` (and named `suit`, for an 8).
    Played {
        /// Who.
        seat: Seat,
        /// The card.
        card: Card,
        /// The suit named with an 8.
        #[serde(skip_serializing_if = "Option::is_none")]
        suit: Option<Suit>,
    },
    /// `seat` drew a card (which one is theirs to know).
    Drew {
        /// Who.
        seat: Seat,
    },
    /// `seat` passed.
    Passed {
        /// Who.
        seat: Seat,
    },
    /// `seat` left the game; its cards went under the stock.
    DroppedOut {
        /// Who.
        seat: Seat,
    },
}

/// What a viewer sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrazyEightsView {
    /// The viewer's own cards, sorted (absent for spectators).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hand: Option<Vec<Card>>,
    /// How many cards each seat holds.
    pub hands: Vec<usize>,
    /// Seats that left the game (never on turn again).
    pub out: Vec<bool>,
    /// The top card of the discard pile.
    pub top: Card,
    /// The suit to follow (the top card's, or the one an 8 named).
    pub suit: Suit,
    /// Cards left in the stock.
    pub stock: usize,
    /// Cards the seat on turn has drawn this turn.
    pub drawn: u8,
    /// Draws allowed per turn.
    pub draws: u8,
    /// The last thing that happened.
    pub last: Last,
}

/// A game of crazy eights.
#[derive(Debug, Clone)]
pub struct CrazyEights {
    hands: Vec<Vec<Card>>,
    stock: Vec<Card>,
    /// The discard pile, top last.
    discard: Vec<Card>,
    suit: u8,
    next: Seat,
    drawn: u8,
    draws: u8,
    /// Passes in a row with nothing left to draw.
    passes: usize,
    last: Last,
    /// Seats that dropped out.
    out: Vec<bool>,
}

impl CrazyEights {
    fn top(&self) -> Card {
        *self.discard.last().expect("the discard pile is never empty")
    }

    fn playable(&self, card: Card) -> bool {
        card.is_eight() || card.suit == self.suit || card.rank == self.top().rank
    }

    /// Whether a card can be drawn (from the stock, or by turning the discards over).
    fn can_draw(&self) -> bool {
        !self.stock.is_empty() || self.discard.len() > 1
    }

    fn may_pass(&self) -> bool {
        self.drawn >= self.draws || !self.can_draw()
    }

    /// The turn goes to the next seat still in the game.
    fn advance(&mut self) {
        let n = self.hands.len();
        for step in 1..=n {
            let seat = (self.next + step) % n;
            if !self.out[seat] {
                self.next = seat;
                break;
            }
        }
        self.drawn = 0;
    }

    /// Seats still in the game.
    fn playing(&self) -> Vec<Seat> {
        (0..self.hands.len()).filter(|&seat| !self.out[seat]).collect()
    }
}

impl Game for CrazyEights {
    const KIND: &'static str = "crazy_eights";
    const NAME: &'static str = "Crazy eights";
    const ABOUT: &'static str = "Follow the suit or the rank; 8s are wild. First to empty their \
        hand wins. A move is {\"play\": \"7H\"}, {\"play\": \"8S\", \"suit\": \"hearts\"}, \
        {\"draw\": true} or {\"pass\": true}.";

    type Options = CrazyEightsOptions;
    type Move = Action;
    type View = CrazyEightsView;

    fn check_options(options: &CrazyEightsOptions) -> Result<(), RuleError> {
        if (1..=5).contains(&options.draws) {
            Ok(())
        } else {
            Err(RuleError::BadOptions(format!("draws must be 1 to 5, got {}", options.draws)))
        }
    }

    fn options_schema() -> Vec<OptionSpec> {
        vec![OptionSpec::integer("draws", "Cards you may draw in a turn", (1, 5, 1), 3)]
    }

    fn players(_: &CrazyEightsOptions) -> Players {
        Players::between(2, 6)
    }

    fn new(options: &CrazyEightsOptions, players: usize, rng: &mut Rng) -> Self {
        let mut deck: Vec<Card> =
            (0..4).flat_map(|suit| (1..=13).map(move |rank| Card { rank, suit })).collect();
        rng.shuffle(&mut deck);
        let dealt = if players == 2 { 7 } else { 5 };
        let hands: Vec<Vec<Card>> = (0..players)
            .map(|_| {
                let mut hand = deck.split_off(deck.len() - dealt);
                hand.sort_unstable();
                hand
            })
            .collect();
        // The stock is drawn from its end. An 8 turned up goes to the bottom.
        let mut top = deck.pop().expect("a deck has enough cards");
        while top.is_eight() {
            deck.insert(0, top);
            top = deck.pop().expect("a deck has four 8s only");
        }
        CrazyEights {
            hands,
            stock: deck,
            discard: vec![top],
            suit: top.suit,
            next: 0,
            drawn: 0,
            draws: options.draws,
            passes: 0,
            last: Last::Dealt,
            out: vec![false; players],
        }
    }

    fn turn(&self) -> Vec<Seat> {
        if self.outcome().is_some() { vec![] } else { vec![self.next] }
    }

    fn validate(&self, seat: Seat, mv: &Action) -> Result<(), RuleError> {
        if seat >= self.hands.len() {
            return Err(RuleError::NoSuchSeat(seat));
        }
        if self.outcome().is_some() {
            return Err(RuleError::GameOver);
        }
        if seat != self.next {
            return Err(RuleError::NotYourTurn);
        }
        match *mv {
            Action::Play { play, suit } => {
                if !self.hands[seat].contains(&play) {
                    return Err(RuleError::Illegal(format!("you do not hold {play}")));
                }
                if play.is_eight() != suit.is_some() {
                    return Err(RuleError::BadMove(if play.is_eight() {
                        "an 8 names a suit: {\"play\": \"8S\", \"suit\": \"hearts\"}".into()
                    } else {
                        "only an 8 names a suit".into()
                    }));
                }
                if !self.playable(play) {
                    return Err(RuleError::Illegal(format!(
                        "{play} follows neither the suit ({}) nor the rank of {}",
                        SUITS[usize::from(self.suit)].1,
                        self.top()
                    )));
                }
                Ok(())
            }
            Action::Draw { .. } if !self.can_draw() => {
                Err(RuleError::Illegal("there is nothing left to draw: pass".into()))
            }
            Action::Draw { .. } if self.drawn >= self.draws => Err(RuleError::Illegal(format!(
                "you have drawn {} cards this turn: play or pass",
                self.draws
            ))),
            Action::Draw { .. } => Ok(()),
            Action::Pass { .. } if self.may_pass() => Ok(()),
            Action::Pass { .. } => {
                Err(RuleError::Illegal("play a card, or draw before you pass".into()))
            }
        }
    }

    fn apply(&mut self, seat: Seat, mv: Action, rng: &mut Rng) {
        match mv {
            Action::Play { play, suit } => {
                self.hands[seat].retain(|c| *c != play);
                self.discard.push(play);
                self.suit = suit.map_or(play.suit, Suit::index);
                self.passes = 0;
                self.last = Last::Played { seat, card: play, suit };
                self.advance();
            }
            Action::Draw { .. } => {
                if self.stock.is_empty() {
                    let top = self.discard.pop().expect("the discard pile is never empty");
                    self.stock = std::mem::replace(&mut self.discard, vec![top]);
                    rng.shuffle(&mut self.stock);
                }
                let card = self.stock.pop().expect("validate checked there is a card");
                let hand = &mut self.hands[seat];
                let at = hand.partition_point(|c| *c < card);
                hand.insert(at, card);
                self.drawn += 1;
                self.passes = 0;
                self.last = Last::Drew { seat };
            }
            Action::Pass { .. } => {
                self.passes = if self.can_draw() { 0 } else { self.passes + 1 };
                self.last = Last::Passed { seat };
                self.advance();
            }
        }
    }

    fn view(&self, viewer: Viewer) -> CrazyEightsView {
        let hand = match viewer {
            Viewer::Seat(seat) => self.hands.get(seat).cloned(),
            Viewer::Spectator => None,
        };
        CrazyEightsView {
            hand,
            hands: self.hands.iter().map(Vec::len).collect(),
            out: self.out.clone(),
            top: self.top(),
            suit: Suit::of(self.suit),
            stock: self.stock.len(),
            drawn: self.drawn,
            draws: self.draws,
            last: self.last.clone(),
        }
    }

    fn outcome(&self) -> Option<Outcome> {
        let playing = self.playing();
        if let Some(&seat) = playing.iter().find(|&&seat| self.hands[seat].is_empty()) {
            return Some(Outcome::win(seat, "out"));
        }
        if let [seat] = playing[..] {
            return Some(Outcome::win(seat, "last_player"));
        }
        if self.passes >= playing.len() {
            let fewest = playing.iter().map(|&seat| self.hands[seat].len()).min().unwrap_or(0);
            let least: Vec<Seat> =
                playing.into_iter().filter(|&seat| self.hands[seat].len() == fewest).collect();
            return Some(match least[..] {
                [seat] => Outcome::win(seat, "blocked"),
                _ => Outcome::draw("blocked"),
            });
        }
        None
    }

    /// The seat's cards go under the stock (in order: the game stays deterministic); if it
    /// was on turn, the turn moves on.
    fn drop_out(&mut self, seat: Seat) -> bool {
        if self.out[seat] {
            return false;
        }
        self.out[seat] = true;
        let hand = std::mem::take(&mut self.hands[seat]);
        self.stock.splice(0..0, hand);
        self.passes = 0;
        self.last = Last::DroppedOut { seat };
        if self.next == seat {
            self.advance();
        }
        true
    }

    fn timeout(&self, seat: Seat, choice: &mut Rng) -> Timeout<Action> {
        let playable: Vec<Card> =
            self.hands[seat].iter().copied().filter(|c| self.playable(*c)).collect();
        if !playable.is_empty() {
            let play = playable[choice.index(playable.len())];
            let suit = play.is_eight().then(|| {
                let mut count = [0usize; 4];
                for card in self.hands[seat].iter().filter(|c| !c.is_eight()) {
                    count[usize::from(card.suit)] += 1;
                }
                let most = (0..4u8).max_by_key(|s| (count[usize::from(*s)], *s)).unwrap_or(0);
                Suit::of(most)
            });
            return Timeout::Play(Action::Play { play, suit });
        }
        if self.drawn < self.draws && self.can_draw() {
            Timeout::Play(Action::Draw { draw: Yes })
        } else {
            Timeout::Play(Action::Pass { pass: Yes })
        }
    }
}

#[cfg(test)]
#[path = "crazy_eights_tests.rs"]
mod tests;

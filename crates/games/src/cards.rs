//! A standard 52-card deck for card games: cards written rank then suit (`"7H"`, `"10D"`,
//! `"QS"`), as they travel in moves and views, and suits by name.

use serde::{Deserialize, Serialize};

/// A card: `rank` 1 (ace) to 13 (king), `suit` 0 to 3 (clubs, diamonds, hearts, spades).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Card {
    pub(crate) rank: u8,
    pub(crate) suit: u8,
}

pub(crate) const SUITS: [(char, &str); 4] =
    [('C', "clubs"), ('D', "diamonds"), ('H', "hearts"), ('S', "spades")];
pub(crate) const RANKS: [&str; 13] =
    ["A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K"];

impl std::fmt::Display for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", RANKS[usize::from(self.rank - 1)], SUITS[usize::from(self.suit)].0)
    }
}

impl std::str::FromStr for Card {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not a card (rank A, 2-10, J, Q, K, then suit C, D, H, S)");
        let suit_char = s.chars().last().ok_or_else(bad)?;
        let rank_text = &s[..s.len() - suit_char.len_utf8()];
        let suit = SUITS.iter().position(|(c, _)| *c == suit_char).ok_or_else(bad)?;
        let rank = RANKS.iter().position(|r| *r == rank_text).ok_or_else(bad)?;
        Ok(Card { rank: rank as u8 + 1, suit: suit as u8 })
    }
}

impl Serialize for Card {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Card {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A suit by name (as an 8 names it in crazy eights).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Suit {
    /// ♣
    Clubs,
    /// ♦
    Diamonds,
    /// ♥
    Hearts,
    /// ♠
    Spades,
}

impl Suit {
    pub(crate) fn index(self) -> u8 {
        self as u8
    }

    pub(crate) fn of(index: u8) -> Suit {
        [Suit::Clubs, Suit::Diamonds, Suit::Hearts, Suit::Spades][usize::from(index % 4)]
    }
}

//! The seeded random numbers a game gets from the server (shuffles, dice).
//!
//! The server draws a seed when a game starts and keeps it with the game's move log; the game
//! gets an [`Rng`] made from it in [`crate::Game::new`] and [`crate::Game::apply`], so replaying
//! the log from the same seed gives the same cards and the same dice. The generator is ChaCha8,
//! whose output for a seed is fixed by its specification, and the two ways of using it here
//! ([`Rng::below`], [`Rng::shuffle`]) are written out so that no library update can change what
//! a stored game replays to.

use rand::rngs::ChaCha8Rng;
use rand::{Rng as _, SeedableRng};

/// A deterministic random number generator.
#[derive(Debug)]
pub struct Rng(ChaCha8Rng);

impl Rng {
    /// The generator for `seed`: the same seed always gives the same numbers.
    pub fn from_seed(seed: u64) -> Self {
        Rng(ChaCha8Rng::seed_from_u64(seed))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A number in `0..n`, each as likely (Lemire's method, rejecting the biased few). `n` of 0
    /// gives 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let threshold = n.wrapping_neg() % n;
        loop {
            let product = u128::from(self.next_u64()) * u128::from(n);
            if (product as u64) >= threshold {
                return (product >> 64) as u64;
            }
        }
    }

    /// An index into a slice of `len` items (`len` above 0).
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// Shuffles `items` in place (Fisher-Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_numbers() {
        let (mut a, mut b) = (Rng::from_seed(7), Rng::from_seed(7));
        let xs: Vec<u64> = (0..8).map(|_| a.below(100)).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.below(100)).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, (0..8).map(|_| Rng::from_seed(8).below(100)).collect::<Vec<_>>());
    }

    #[test]
    fn the_numbers_for_a_seed_never_change() {
        // Stored games replay from their seed: these values must stay what they are.
        let mut rng = Rng::from_seed(42);
        let mut deck: Vec<u8> = (0..10).collect();
        rng.shuffle(&mut deck);
        let dice: Vec<u64> = (0..6).map(|_| rng.below(6) + 1).collect();
        assert_eq!((deck, dice), (FROZEN_DECK.to_vec(), FROZEN_DICE.to_vec()));
    }

    /// Recorded from this code on 2026-12-01: a change here breaks every stored game.
    const FROZEN_DECK: [u8; 10] = [9, 7, 2, 5, 0, 1, 4, 3, 8, 6];
    const FROZEN_DICE: [u64; 6] = [2, 4, 6, 6, 4, 5];

    #[test]
    fn below_stays_in_range_and_reaches_every_value() {
        let mut rng = Rng::from_seed(1);
        let mut seen = [0u32; 5];
        for _ in 0..1000 {
            seen[rng.below(5) as usize] += 1;
        }
        assert!(seen.iter().all(|&n| n > 150), "{seen:?}");
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.below(1), 0);
    }

    #[test]
    fn a_shuffle_keeps_every_item() {
        let mut items: Vec<u32> = (0..52).collect();
        Rng::from_seed(3).shuffle(&mut items);
        assert_ne!(items, (0..52).collect::<Vec<_>>());
        items.sort_unstable();
        assert_eq!(items, (0..52).collect::<Vec<_>>());
    }
}

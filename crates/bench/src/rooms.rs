//! How simulated players are grouped into rooms. Pure functions, so the accounting the
//! scenarios rely on (who is in which room, how many receive each message) is tested here.

use std::ops::Range;

/// What a player does to get into its room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Creates the room (and so takes seat 0 and is its host).
    Host,
    /// Joins and takes a free seat.
    Player,
    /// Joins as a spectator: the seats are taken.
    Spectator,
}

/// Splits players `0..n` into consecutive rooms of `k` (at least 2). A last, smaller room is
/// kept if it has at least two players; a single player left over joins the room before it
/// (nobody chats alone). Fewer than two players make no room.
pub fn groups(n: usize, k: usize) -> Vec<Range<usize>> {
    let k = k.max(2);
    if n < 2 {
        return Vec::new();
    }
    let mut rooms: Vec<Range<usize>> = (0..n).step_by(k).map(|s| s..(s + k).min(n)).collect();
    if rooms.last().is_some_and(|r| r.len() == 1) && rooms.len() > 1 {
        let single = rooms.pop().expect("checked");
        rooms.last_mut().expect("more than one room").end = single.end;
    }
    rooms
}

/// Pairs for two-player games: `n / 2` rooms of exactly two; an odd player out sits out.
pub fn pairs(n: usize) -> Vec<Range<usize>> {
    (0..n / 2).map(|i| 2 * i..2 * i + 2).collect()
}

/// What the player at `position` in its room (0 first) does, in a game with `seats` seats.
pub fn part(position: usize, seats: usize) -> Part {
    match position {
        0 => Part::Host,
        p if p < seats => Part::Player,
        _ => Part::Spectator,
    }
}

/// How many members receive a message sent in a room of `size` (everyone but the sender).
pub fn recipients(size: usize) -> u64 {
    size.saturating_sub(1) as u64
}

/// The players who sit in rooms in the idle scenario: the first half, rounded down to a whole
/// number of pairs.
pub fn seated_half(n: usize) -> usize {
    (n / 2) & !1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn even_split() {
        assert_eq!(groups(6, 2), vec![0..2, 2..4, 4..6]);
        assert_eq!(groups(6, 3), vec![0..3, 3..6]);
    }

    #[test]
    fn a_short_last_room_is_kept_and_a_single_player_joins_the_previous_room() {
        assert_eq!(groups(7, 3), vec![0..3, 3..7], "7 = 3 + 4, never a room of one");
        assert_eq!(groups(8, 3), vec![0..3, 3..6, 6..8]);
        assert_eq!(groups(5, 2), vec![0..2, 2..5]);
        assert_eq!(groups(1, 2), Vec::<Range<usize>>::new());
        assert_eq!(groups(0, 4), Vec::<Range<usize>>::new());
        assert_eq!(groups(3, 10), vec![0..3]);
        assert_eq!(groups(4, 1), vec![0..2, 2..4], "rooms of one are rooms of two");
    }

    #[test]
    fn every_player_is_in_exactly_one_room() {
        for n in 0..50 {
            for k in 2..7 {
                let rooms = groups(n, k);
                let covered: Vec<usize> = rooms.iter().flat_map(|r| r.clone()).collect();
                let want: Vec<usize> = if n < 2 { vec![] } else { (0..n).collect() };
                assert_eq!(covered, want, "n={n} k={k}");
                assert!(rooms.iter().all(|r| r.len() >= 2 && r.len() <= k + 1), "n={n} k={k}");
            }
        }
    }

    #[test]
    fn pairs_leave_the_odd_one_out() {
        assert_eq!(pairs(5), vec![0..2, 2..4]);
        assert_eq!(pairs(1), Vec::<Range<usize>>::new());
        assert_eq!(seated_half(10), 4, "half of 10 is 5, rounded down to two pairs");
        assert_eq!(seated_half(10_000), 5000);
        assert_eq!(seated_half(3), 0);
    }

    #[test]
    fn parts_in_a_two_seat_room() {
        let parts: Vec<Part> = (0..4).map(|p| part(p, 2)).collect();
        assert_eq!(parts, [Part::Host, Part::Player, Part::Spectator, Part::Spectator]);
        assert_eq!(recipients(2), 1);
        assert_eq!(recipients(5), 4);
        assert_eq!(recipients(0), 0);
    }
}

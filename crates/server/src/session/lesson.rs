//! The lesson's leaderboard: every game that finished since an admin started the lesson (the
//! newest `new_lesson` entry of the audit log; without one, every game), counted per player.
//! Anyone connected may ask: it is meant for the big screen, and holds only names and counts.

use std::collections::HashMap;

use capital_protocol::{LeaderLine, ServerMsg};
use capital_store::GameRecord;

use super::{Reply, Session};

/// The audit action that starts a lesson.
pub const NEW_LESSON: &str = "new_lesson";
/// Lines a leaderboard shows.
pub const LEADERBOARD_LINES: usize = 50;
/// Games a leaderboard counts (a lesson of 30 players has a few hundred).
const COUNTED_GAMES: usize = 20_000;

impl Session {
    /// `leaderboard`.
    pub(super) async fn leaderboard(&self) -> Reply {
        self.me()?;
        let (since_ms, games) = self
            .state
            .env()
            .read(|store| {
                let since = store.latest_audit(NEW_LESSON)?.map(|entry| entry.ts_ms);
                Ok((since, store.games_since(since.unwrap_or(0), COUNTED_GAMES)?))
            })
            .await?;
        Ok(Some(ServerMsg::Leaderboard { since_ms, lines: tally(&games, LEADERBOARD_LINES) }))
    }
}

/// Wins and games played per player, most wins first (then fewer games, then by name); a seat
/// whose player left (no id) is not counted.
pub fn tally(games: &[GameRecord], lines: usize) -> Vec<LeaderLine> {
    let mut by_player: HashMap<&str, LeaderLine> = HashMap::new();
    for game in games {
        for (seat, (id, name)) in game.seats.iter().enumerate() {
            if id.is_empty() {
                continue;
            }
            let line = by_player.entry(id).or_insert_with(|| LeaderLine {
                player: id.clone(),
                name: String::new(),
                wins: 0,
                played: 0,
            });
            // Games come oldest first: the last name seen is the latest.
            line.name.clone_from(name);
            line.played += 1;
            if game.winner == Some(seat as u32) {
                line.wins += 1;
            }
        }
    }
    let mut board: Vec<LeaderLine> = by_player.into_values().collect();
    board.sort_by(|a, b| {
        (b.wins.cmp(&a.wins)).then(a.played.cmp(&b.played)).then_with(|| a.name.cmp(&b.name))
    });
    board.truncate(lines);
    board
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn game(seats: &[(&str, &str)], winner: Option<u32>) -> GameRecord {
        GameRecord {
            room_id: 1,
            game_no: 1,
            code: "ABCD".into(),
            game: "tictactoe".into(),
            options: Value::Null,
            seed: 0,
            seats: seats.iter().map(|(i, n)| (i.to_string(), n.to_string())).collect(),
            winner,
            reason: String::new(),
            realtime: false,
            ended_ms: 0,
        }
    }

    #[test]
    fn wins_are_counted_per_player_across_rooms_and_names() {
        let games = [
            game(&[("a", "Ana"), ("b", "Bo")], Some(0)),
            game(&[("b", "Bo"), ("c", "Cy")], Some(1)),
            game(&[("c", "Cy"), ("a", "Ana B")], Some(1)),
            game(&[("b", "Bo"), ("", "a player who left")], None),
        ];
        let board = tally(&games, 10);
        let rows: Vec<(&str, u32, u32)> =
            board.iter().map(|l| (l.name.as_str(), l.wins, l.played)).collect();
        assert_eq!(rows, [("Ana B", 2, 2), ("Cy", 1, 2), ("Bo", 0, 3)]);
        assert_eq!(tally(&games, 1).len(), 1, "at most the lines asked for");
    }
}

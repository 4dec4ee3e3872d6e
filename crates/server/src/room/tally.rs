//! What a room measured of its games in server mode, for the comparison of the two models on
//! the big screen (`room_stats`): the moves it took, the bytes it sent for them, and how long
//! each took the phone that made it (`move_time`, which the phone sends once the move's answer
//! came back). With what [`super::signal`] counted of a `p2p` room's signalling, that is all
//! the server can see of either model; the peer-to-peer games' own moves and times are the host
//! phone's to count.
//!
//! The figures live in the room's memory only: a restart, or a reload after a failed write,
//! starts them over, so none of them counts a move the store did not keep.

use std::collections::VecDeque;

use capital_protocol::{
    Outgoing, RequestId, RoomStats, ServerModeStats, ServerMsg, SignallingStats,
};
use serde_json::Value;
use tungstenite::Utf8Bytes;

use super::RoomError;
use super::actor::{Batch, Room};

/// The latest move times kept (the percentiles are of these).
pub const MAX_TIMES: usize = 512;
/// The longest time a phone may say a move took, in milliseconds.
pub const MAX_MOVE_MS: u32 = 60_000;
/// Moves of one member that may wait for their time (a phone times each move once).
pub const MAX_UNTIMED: u8 = 4;

/// A room's server-mode games, as counted.
#[derive(Debug, Default)]
pub struct Tally {
    games: u32,
    moves: u64,
    bytes_sent: u64,
    timed: u64,
    /// The latest times, in milliseconds, oldest first.
    times: VecDeque<u32>,
}

impl Tally {
    /// A game started in server mode.
    pub fn game_started(&mut self) {
        self.games += 1;
    }

    /// The server took a move, and sent `bytes` for it (its reply and the events it made).
    pub fn moved(&mut self, bytes: usize) {
        self.moves += 1;
        self.bytes_sent += bytes as u64;
    }

    /// A phone said its move took `ms`.
    pub fn timed(&mut self, ms: u32) {
        self.timed += 1;
        if self.times.len() == MAX_TIMES {
            self.times.pop_front();
        }
        self.times.push_back(ms);
    }

    /// The figures, as `room_stats` gives them.
    pub fn view(&self) -> ServerModeStats {
        let mut sorted: Vec<u32> = self.times.iter().copied().collect();
        sorted.sort_unstable();
        ServerModeStats {
            games: self.games,
            moves: self.moves,
            bytes_sent: self.bytes_sent,
            timed: self.timed,
            p50_ms: percentile(&sorted, 50),
            p99_ms: percentile(&sorted, 99),
        }
    }
}

/// The nearest-rank `p`th percentile of `sorted` (none of nothing).
fn percentile(sorted: &[u32], p: usize) -> Option<u32> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    Some(sorted[rank - 1])
}

impl Room {
    /// `move` (request `id`), counted: played as [`Room::play`] does; once taken, the bytes
    /// the room sent for it (the events, and the reply returned here) are counted, and the
    /// player's phone may time it.
    pub(super) fn play_counted(
        &mut self,
        player_id: &str,
        mv: &Value,
        id: RequestId,
        batch: &mut Batch,
    ) -> Result<Utf8Bytes, RoomError> {
        let before = batch.out_bytes();
        self.play(player_id, mv, batch)?;
        let reply = Utf8Bytes::from(Outgoing::reply(id, ServerMsg::Ok).to_json());
        self.tally.moved(batch.out_bytes() - before + reply.len());
        if let Some(i) = self.member_index(player_id) {
            let member = &mut self.members[i];
            member.untimed = (member.untimed + 1).min(MAX_UNTIMED);
        }
        Ok(reply)
    }

    /// `move_time`: how long `player_id`'s last move took their phone. Taken once for each
    /// move the server took from them, so a phone cannot weigh the figures with times of moves
    /// it did not make.
    pub(super) fn move_time(&mut self, player_id: &str, ms: u32) -> Result<(), RoomError> {
        if self.mode == capital_protocol::RoomMode::P2p {
            return Err(RoomError::WrongMode("in a p2p room the host's phone times the moves"));
        }
        if ms > MAX_MOVE_MS {
            return Err(RoomError::BadTime(format!("a move time is at most {MAX_MOVE_MS} ms")));
        }
        let i = self.member_index(player_id).ok_or(RoomError::NoSuchRoom)?;
        let member = &mut self.members[i];
        if member.untimed == 0 {
            return Err(RoomError::BadTime("no move of yours is waiting for its time".into()));
        }
        member.untimed -= 1;
        self.tally.timed(ms);
        Ok(())
    }

    /// `room_stats`: the figures of both models in this room.
    pub(super) fn stats(&self) -> ServerMsg {
        ServerMsg::RoomStats(RoomStats {
            code: self.code.clone(),
            server: self.tally.view(),
            p2p: SignallingStats {
                signals: self.signals.relayed,
                signal_bytes: self.signals.bytes,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[7], 99), Some(7));
        let hundred: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&hundred, 50), Some(50));
        assert_eq!(percentile(&hundred, 99), Some(99));
        assert_eq!(percentile(&[1, 2, 3], 50), Some(2));
    }

    #[test]
    fn only_the_latest_times_are_kept() {
        let mut tally = Tally::default();
        for _ in 0..MAX_TIMES {
            tally.timed(1000);
        }
        for _ in 0..MAX_TIMES {
            tally.timed(5);
        }
        let view = tally.view();
        assert_eq!(view.timed, 2 * MAX_TIMES as u64);
        assert_eq!((view.p50_ms, view.p99_ms), (Some(5), Some(5)));
    }
}

//! A room's stored form: bringing a room back from the store (after a restart, or a failed
//! write), and the row it stores.

use std::sync::Arc;

use capital_engine::GameKind;
use capital_protocol::{ChatMessage, Phase};
use capital_store::{RoomRecord, StoredRoom};
use tokio::time::Instant;

use super::RoomEnv;
use super::actor::{Member, Room};
use super::recent::{ChatLog, chat_message};
use crate::config::limits::RECENT_CHAT;

impl Room {
    /// Brings a stored room back: members (all away until they rejoin), the game rebuilt from its
    /// move log, the recent chat.
    pub fn restore(
        ctx: RoomEnv,
        stored: StoredRoom,
        entry: Arc<dyn GameKind>,
    ) -> Result<Self, String> {
        let StoredRoom { room, members, moves, chat } = stored;
        let (_, seats) = entry.check(&room.options).map_err(|e| e.to_string())?;
        // Rooms stored before games had a player count were all of two-player games.
        let players = match room.players {
            0 => seats.min,
            n => n as usize,
        };
        let resumed = match (&room.snapshot, room.phase) {
            (Some(snapshot), Phase::Playing) => {
                entry.resume(&room.options, players, room.seed, room.snapshot_tick, snapshot)
            }
            _ => None,
        };
        let game = match room.phase {
            _ if resumed.is_some() => resumed,
            Phase::Lobby => None,
            Phase::Playing | Phase::Over => {
                let game = capital_engine::replay(
                    &*entry,
                    &room.options,
                    players,
                    room.seed,
                    moves.iter().map(|m| (m.seat, &m.mv)),
                )
                .map_err(|e| format!("move log does not replay: {e}"))?;
                Some(game)
            }
        };
        let now = Instant::now();
        let seq = [room.seq, moves.last().map_or(0, |m| m.seq), chat.last().map_or(0, |c| c.seq)]
            .into_iter()
            .max()
            .unwrap_or(0);
        let has_older = chat.len() >= RECENT_CHAT;
        let chat: Vec<ChatMessage> = chat.into_iter().map(chat_message).collect();
        let deadlines = room.deadlines.clone();
        let (room_snapshot, snapshot_tick) = (room.snapshot.is_some(), room.snapshot_tick);
        let mut restored = Room {
            id: room.id,
            code: room.code,
            entry,
            options: room.options,
            seats: seats.max,
            min_players: seats.min,
            players,
            seed: room.seed,
            turn_seconds: room.turn_seconds,
            deadlines: Vec::new(),
            countdown: None,
            lane: None,
            host: room.host.clone(),
            phase: room.phase,
            game_no: room.game_no,
            seq,
            state_seq: seq,
            game,
            ply: u32::try_from(moves.len()).unwrap_or(u32::MAX),
            forfeit: room.outcome,
            created_ms: room.created_ms,
            creator: room.host,
            members: members
                .into_iter()
                .map(|(m, name)| Member {
                    player_id: m.player_id,
                    name,
                    role: m.role,
                    seat: m.seat,
                    joined_ms: m.joined_ms,
                    conn: None,
                    away_since: Some(now),
                    ready: m.ready,
                    screen: false,
                    reactions: super::chat::reaction_budget(),
                    untimed: 0,
                })
                .collect(),
            chat: ChatLog::new(RECENT_CHAT, chat, has_older),
            last_activity: now,
            closed: false,
            locked: room.locked,
            banned: room.banned,
            chat_off: room.chat_off,
            muted: room.muted,
            scoreboard: room.scoreboard,
            mode: room.mode,
            signals: Default::default(),
            tally: Default::default(),
            ctx,
        };
        restored.restore_deadlines(&deadlines);
        // A real-time game goes on from its last snapshot (or from its start, without one).
        restored.open_lane(if room_snapshot { snapshot_tick } else { 0 });
        restored.drop_out_empty_seats();
        Ok(restored)
    }

    /// A real-time game of three or more resumed from a snapshot taken before a seat left: the
    /// seat drops out again (turn-based games replay their drop-outs from the log).
    fn drop_out_empty_seats(&mut self) {
        let (Some(game), Some(_)) = (self.game.as_mut(), &self.lane) else { return };
        if self.players < 3 {
            return;
        }
        for seat in 0..self.players {
            if !self.members.iter().any(|m| m.seat == Some(seat)) {
                game.drop_out(seat);
            }
        }
    }

    /// The room's stored row as it stands.
    pub fn record(&self) -> RoomRecord {
        RoomRecord {
            id: self.id,
            mode: self.mode,
            code: self.code.clone(),
            game: self.entry.kind().to_owned(),
            options: self.options.clone(),
            host: self.host.clone(),
            phase: self.phase,
            game_no: self.game_no,
            seq: self.seq,
            outcome: self.forfeit.clone(),
            players: self.players as u32,
            seed: self.seed,
            deadlines: self.deadlines_ms(),
            turn_seconds: self.turn_seconds,
            snapshot: self.lane.as_ref().and(self.game.as_ref()).and_then(|g| g.snapshot()),
            snapshot_tick: self.lane.as_ref().map_or(0, |lane| lane.tick),
            created_ms: self.created_ms,
            closed: self.closed,
            locked: self.locked,
            banned: self.banned.clone(),
            chat_off: self.chat_off,
            muted: self.muted.clone(),
            scoreboard: self.scoreboard.clone(),
            game_version: super::rules::version(&*self.entry),
        }
    }
}

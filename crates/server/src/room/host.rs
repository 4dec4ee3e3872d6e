//! The host's controls: remove a member for good, lock the room, hand the controls to another
//! member, change the room's game between games, and end a game. Each is the host's alone, is
//! stored before anyone hears of it, and is announced to every member.
//!
//! A big screen that created its room as a spectator is a host like any other: none of these
//! needs a seat.

use capital_protocol::{
    AdminAction, Outcome, Outgoing, Phase, PlayerId, Role, RoomEvent, RoomMode, RoomSummary,
    ServerMsg, SummaryMember,
};
use capital_store::{AuditRecord, Write};
use serde_json::Value;
use tungstenite::Utf8Bytes;

use super::actor::{Batch, Room};
use super::{HostAction, RoomError};
use crate::config::limits::MAX_BANNED;

/// Chat messages a room's summary shows the console.
const SUMMARY_CHAT: usize = 5;

/// Longest reason a host may give for removing someone.
pub const MAX_KICK_REASON: usize = 200;

impl Room {
    /// A host action from `player_id`.
    pub(super) fn host_action(
        &mut self,
        player_id: &str,
        action: HostAction,
        batch: &mut Batch,
    ) -> Result<(), RoomError> {
        self.member_index(player_id).ok_or(RoomError::NoSuchRoom)?;
        if self.host != player_id {
            return Err(RoomError::NotHost);
        }
        match action {
            HostAction::Kick { player, reason } => {
                if player == self.host {
                    return Err(RoomError::NoSuchMember("the host cannot remove themselves"));
                }
                self.kick(&player, reason.as_deref(), batch)
            }
            HostAction::Lock(locked) => {
                self.lock(locked, batch);
                Ok(())
            }
            HostAction::SetHost(player) => self.set_host(&player, batch),
            HostAction::ChangeGame { game, options, turn_seconds, mode } => {
                self.change_game(&game, options, (turn_seconds, mode), batch)
            }
            HostAction::EndGame => self.end_by_host(batch),
        }
    }

    /// An admin's action from the console, stored with its audit entry (both, or neither).
    pub(super) fn admin_action(
        &mut self,
        action: AdminAction,
        audit: AuditRecord,
        batch: &mut Batch,
    ) -> Result<(), RoomError> {
        match action {
            AdminAction::Kick { player, reason } => self.kick(&player, reason.as_deref(), batch)?,
            AdminAction::Lock { locked } => self.lock(locked, batch),
            AdminAction::EndGame => self.end_by_host(batch)?,
            AdminAction::ChatOff { off } => self.chat_off(off, batch),
            AdminAction::Mute { player, muted } => self.mute(&player, muted, batch)?,
            AdminAction::RemoveChat { seq } => self.remove_chat(seq, batch)?,
            AdminAction::Close { reason } => {
                let reason = crate::text::note(reason.as_deref().unwrap_or(""), MAX_KICK_REASON)?;
                let reason =
                    if reason.is_empty() { "closed by the teacher".to_owned() } else { reason };
                if self.phase == Phase::Playing {
                    self.end_by_host(batch)?;
                }
                self.close(batch, &reason);
            }
        }
        batch.write(Write::AppendAudit(audit));
        Ok(())
    }

    /// An admin's announcement to every connected member, once its audit entry is stored.
    pub(super) fn announce(&mut self, text: String, audit: AuditRecord, batch: &mut Batch) {
        batch.write(Write::AppendAudit(audit));
        let msg = ServerMsg::Announcement { text, code: Some(self.code.clone()) };
        let frame = Utf8Bytes::from(Outgoing::push(msg).to_json());
        for conn in self.members.iter().filter_map(|m| m.conn.as_ref()) {
            batch.event(conn.clone(), frame.clone());
        }
    }

    /// How the room stands, for the console.
    pub(super) fn summary(&self) -> RoomSummary {
        let players = self
            .members
            .iter()
            .filter(|m| m.seat.is_some())
            .map(|m| SummaryMember {
                id: m.player_id.clone(),
                name: m.name.clone(),
                connected: m.conn.is_some(),
            })
            .collect();
        RoomSummary {
            code: self.code.clone(),
            game: self.entry.kind().to_owned(),
            phase: self.phase,
            players,
            spectators: self.members.iter().filter(|m| m.seat.is_none()).count(),
            host: self.host.clone(),
            locked: self.locked,
            game_no: self.game_no,
            chat_off: self.chat_off,
            muted: self.muted.clone(),
            recent_chat: self
                .chat
                .last(SUMMARY_CHAT)
                .0
                .into_iter()
                .filter(|m| !m.removed)
                .collect(),
            mode: self.mode,
            signals: self.signals.relayed,
            signal_bytes: self.signals.bytes,
        }
    }

    /// Removes `player` for good: out of a game in progress (as if they had left), told why,
    /// and refused if they try to join again.
    fn kick(
        &mut self,
        player: &str,
        reason: Option<&str>,
        batch: &mut Batch,
    ) -> Result<(), RoomError> {
        let reason = crate::text::note(reason.unwrap_or(""), MAX_KICK_REASON)?;
        let i = self.member_index(player).ok_or(RoomError::NoSuchMember("no such member here"))?;
        if self.banned.len() >= MAX_BANNED {
            return Err(RoomError::ListFull(
                "this room has removed as many players as it keeps: lock it to keep others out",
            ));
        }
        if let Some(seat) = self.members[i].seat {
            self.seat_leaves(seat, "kicked", batch);
        }
        let member = self.members.remove(i);
        batch.write(Write::RemoveMember { room_id: self.id, player_id: member.player_id.clone() });
        self.banned.push(member.player_id.clone());
        self.next_seq(true);
        self.persist_room(batch);
        let who: PlayerId = member.player_id.clone();
        self.broadcast(batch, None, |room| RoomEvent::Kicked {
            player: who.clone(),
            reason: reason.clone(),
            room,
        });
        // They hear it too: the last event of this room they get.
        if let Some(conn) = &member.conn {
            let event = RoomEvent::Kicked { player: who, reason, room: self.view_for(None) };
            batch.event(conn.clone(), self.event_frame(self.seq, event));
        }
        // An admin may remove the host: someone else takes over.
        if self.host == member.player_id {
            if self.members.is_empty() {
                self.close(batch, "everyone left");
            } else {
                self.pass_host_on(batch);
            }
        }
        Ok(())
    }

    /// Locks the room (no new members; members may still come back) or opens it.
    fn lock(&mut self, locked: bool, batch: &mut Batch) {
        if self.locked == locked {
            return;
        }
        self.locked = locked;
        self.next_seq(true);
        self.persist_room(batch);
        self.broadcast(batch, None, |room| RoomEvent::Locked { locked, room });
    }

    /// Hands the controls to another member.
    fn set_host(&mut self, player: &str, batch: &mut Batch) -> Result<(), RoomError> {
        self.member_index(player).ok_or(RoomError::NoSuchMember("no such member here"))?;
        if self.host == player {
            return Ok(());
        }
        player.clone_into(&mut self.host);
        self.next_seq(true);
        self.persist_room(batch);
        let who = player.to_owned();
        self.broadcast(batch, None, |room| RoomEvent::HostChanged { player: who.clone(), room });
        Ok(())
    }

    /// Between games: the room plays `game` from now on. Its seats are the new game's: seated
    /// players keep their order, and those past its last seat watch.
    fn change_game(
        &mut self,
        game: &str,
        options: Option<Value>,
        (turn_seconds, mode): (Option<u32>, Option<RoomMode>),
        batch: &mut Batch,
    ) -> Result<(), RoomError> {
        if self.phase == Phase::Playing {
            return Err(RoomError::WrongPhase("a game is in progress: end it first"));
        }
        let entry =
            self.ctx.games.find(game).ok_or_else(|| RoomError::UnknownGame(game.to_owned()))?;
        let mode = mode.unwrap_or(self.mode);
        if mode == RoomMode::P2p && entry.source().is_none() {
            return Err(RoomError::WrongMode("only a script game can be played peer to peer"));
        }
        let (options, players) = entry.check(&options.unwrap_or(Value::Null))?;
        let turn_seconds = super::turn_seconds(&*entry, turn_seconds)
            .map_err(|e| RoomError::Rule(capital_engine::RuleError::BadOptions(e)))?;
        self.ctx.env.metrics.room(self.entry.kind(), -1);
        self.ctx.env.metrics.room(entry.kind(), 1);
        if let Some(keep) = super::rules::keep(&*entry) {
            batch.write(keep);
        }
        self.entry = entry;
        self.options = options;
        self.seats = players.max;
        self.min_players = players.min;
        self.turn_seconds = turn_seconds;
        self.mode = mode;
        self.phase = Phase::Lobby;
        self.game = None;
        self.forfeit = None;
        self.countdown = None;
        self.deadlines.clear();
        self.lane = None;
        let mut seated: Vec<(usize, usize)> = (0..self.members.len())
            .filter_map(|i| self.members[i].seat.map(|seat| (seat, i)))
            .collect();
        seated.sort_unstable();
        for (new_seat, (_, i)) in seated.into_iter().enumerate() {
            let member = &mut self.members[i];
            let (seat, role) = if new_seat < self.seats {
                (Some(new_seat), Role::Player)
            } else {
                (None, Role::Spectator)
            };
            member.seat = seat;
            member.role = role;
            member.ready = false;
            batch.write(Write::PutMember(member.record(self.id)));
        }
        self.members.sort_by_key(|m| (m.seat.is_none(), m.seat));
        self.next_seq(true);
        self.persist_room(batch);
        self.broadcast(batch, None, |room| RoomEvent::GameChanged { room });
        Ok(())
    }

    /// Ends the game in progress with no winner.
    fn end_by_host(&mut self, batch: &mut Batch) -> Result<(), RoomError> {
        if self.phase != Phase::Playing {
            return Err(RoomError::WrongPhase("no game is in progress"));
        }
        let outcome = Outcome { winner: None, reason: "ended_by_host".into() };
        self.forfeit = Some(outcome.clone());
        self.end_game(outcome, batch);
        self.lane = None;
        Ok(())
    }
}

//! Who is in a room: joining (as a player or a spectator), coming back, leaving, held seats
//! running out, and the room closing when it empties or goes idle.

use capital_protocol::{LeaveReason, Phase, PlayerId, Role, RoomEvent, Seq, ServerMsg};
use capital_store::Write;
use tokio::time::Instant;

use super::RoomError;
use super::actor::{Batch, Member, Room};
use crate::config::limits::JOIN_CHAT;
use crate::conn::ConnHandle;
use crate::players::Player;

/// Most missed chat messages sent back on a resume (older ones page with `chat_history`).
const RESUME_CHAT: usize = 100;

impl Room {
    /// `join_room`: a new member takes a seat (or watches), a member comes back on a new
    /// connection. Answers `joined`.
    pub(super) fn join(
        &mut self,
        conn: &ConnHandle,
        player: &Player,
        (role, screen): (Role, bool),
        since: Option<Seq>,
        batch: &mut Batch,
    ) -> Result<Option<ServerMsg>, RoomError> {
        match self.member_index(&player.id) {
            Some(i) => {
                let member = &mut self.members[i];
                let was_away = member.conn.is_none();
                member.conn = Some(conn.clone());
                member.away_since = None;
                member.name.clone_from(&player.name);
                member.screen = screen && member.seat.is_none();
                if was_away {
                    self.next_seq(true);
                    self.persist_room(batch);
                    let who = player.id.clone();
                    self.broadcast(batch, Some(&player.id), |room| RoomEvent::Reconnected {
                        player: who.clone(),
                        room,
                    });
                }
            }
            None => {
                if self.banned.contains(&player.id) {
                    return Err(RoomError::Kicked);
                }
                if self.locked {
                    return Err(RoomError::Locked);
                }
                if self.ctx.env.switches.joins_paused() {
                    return Err(RoomError::JoinsPaused);
                }
                let seat = match role {
                    Role::Spectator => {
                        // Screens count here too: saying one is a screen is no way past it.
                        let watching = self.members.iter().filter(|m| m.seat.is_none()).count();
                        let max = self.ctx.settings.max_spectators;
                        if watching >= max {
                            return Err(RoomError::TooManySpectators(max));
                        }
                        None
                    }
                    Role::Player => {
                        if self.phase == Phase::Playing {
                            return Err(RoomError::WrongPhase(
                                "a game is in progress; join as a spectator to watch",
                            ));
                        }
                        let free = (0..self.seats)
                            .find(|s| !self.members.iter().any(|m| m.seat == Some(*s)));
                        Some(free.ok_or(RoomError::RoomFull)?)
                    }
                };
                let member = Member {
                    player_id: player.id.clone(),
                    name: player.name.clone(),
                    role,
                    seat,
                    joined_ms: self.now_ms(),
                    conn: Some(conn.clone()),
                    away_since: None,
                    ready: false,
                    screen: screen && seat.is_none(),
                    reactions: super::chat::reaction_budget(),
                    untimed: 0,
                };
                batch.write(Write::PutMember(member.record(self.id)));
                self.members.push(member);
                self.next_seq(true);
                self.persist_room(batch);
                let who = player.id.clone();
                self.broadcast(batch, Some(&player.id), |room| RoomEvent::Joined {
                    player: who.clone(),
                    room,
                });
            }
        }
        Ok(Some(self.joined_reply(&player.id, since)))
    }

    /// The `joined` reply: everything, or with `since`, only what changed after it.
    fn joined_reply(&self, player_id: &str, since: Option<Seq>) -> ServerMsg {
        let view = || self.view_for(self.member_index(player_id).map(|i| &self.members[i]));
        let (room, (chat, more_chat)) = match since {
            Some(since) if since <= self.seq => {
                let room = (self.state_seq > since).then(view);
                (room, self.chat.after(since, RESUME_CHAT))
            }
            // A `since` from the future (another server's numbering): start over.
            _ => (Some(view()), self.chat.last(JOIN_CHAT)),
        };
        ServerMsg::Joined { code: self.code.clone(), seq: self.seq, room, chat, more_chat }
    }

    /// Removes a member (`leave_room`, or the grace period ran out). A seat left during a game
    /// drops out of it, or forfeits it ([`Room::seat_leaves`]).
    pub(super) fn leave(
        &mut self,
        player_id: &str,
        reason: LeaveReason,
        batch: &mut Batch,
    ) -> Result<(), RoomError> {
        let Some(i) = self.member_index(player_id) else {
            return Err(RoomError::NoSuchRoom);
        };
        if let Some(seat) = self.members[i].seat {
            self.seat_leaves(seat, "forfeit", batch);
        }
        let member = self.members.remove(i);
        self.signals.forget(player_id);
        batch.write(Write::RemoveMember { room_id: self.id, player_id: player_id.to_owned() });
        if self.members.is_empty() {
            self.close(batch, "everyone left");
            return Ok(());
        }
        self.next_seq(true);
        self.persist_room(batch);
        let who = member.player_id.clone();
        self.broadcast(batch, None, |room| RoomEvent::Left { player: who.clone(), reason, room });
        if self.host == member.player_id {
            self.pass_host_on(batch);
        }
        Ok(())
    }

    /// The host is gone: the first seated member (or else the first member) is host now.
    pub(super) fn pass_host_on(&mut self, batch: &mut Batch) {
        let next = self
            .members
            .iter()
            .find(|m| m.seat.is_some())
            .or(self.members.first())
            .map(|m| m.player_id.clone());
        if let Some(next) = next {
            self.host = next.clone();
            self.next_seq(true);
            self.persist_room(batch);
            self.broadcast(batch, None, |room| RoomEvent::HostChanged {
                player: next.clone(),
                room,
            });
        }
    }

    /// A connection closed: if it was this member's, their seat is held for the grace period.
    pub(super) fn on_detach(&mut self, player_id: &str, conn_id: u64, batch: &mut Batch) {
        let Some(i) = self.member_index(player_id) else { return };
        let member = &mut self.members[i];
        if member.conn.as_ref().is_none_or(|c| c.id() != conn_id) {
            return; // already back on a newer connection, or already away
        }
        member.conn = None;
        member.away_since = Some(Instant::now());
        self.next_seq(true);
        self.persist_room(batch);
        let who = player_id.to_owned();
        self.broadcast(batch, None, |room| RoomEvent::Disconnected { player: who.clone(), room });
    }

    /// When the next timer is due: a held seat expiring, or the room going idle.
    pub(super) fn next_deadline(&self) -> Option<Instant> {
        let grace = self.ctx.settings.grace;
        let seats = self.members.iter().filter_map(|m| m.away_since).map(|t| t + grace);
        let idle = self.last_activity + self.ctx.settings.idle;
        seats.chain([idle]).chain(self.next_turn_deadline()).chain(self.countdown).min()
    }

    /// Held seats whose grace ran out are given up; an idle room closes.
    pub(super) fn on_timers(&mut self, batch: &mut Batch) {
        self.on_turn_timers(batch);
        self.on_countdown(batch);
        let now = Instant::now();
        let grace = self.ctx.settings.grace;
        let expired: Vec<PlayerId> = self
            .members
            .iter()
            .filter(|m| m.away_since.is_some_and(|t| t + grace <= now))
            .map(|m| m.player_id.clone())
            .collect();
        for player_id in expired {
            if self.closed {
                return;
            }
            let _ = self.leave(&player_id, LeaveReason::Timeout, batch);
        }
        if !self.closed && self.last_activity + self.ctx.settings.idle <= now {
            self.close(batch, "nothing happened here for a while");
        }
    }

    /// Closes the room: stored as closed, everyone told. The actor ends once that is durable,
    /// and reports it then (the code is free from that moment).
    pub(super) fn close(&mut self, batch: &mut Batch, reason: &str) {
        self.closed = true;
        let seq = self.next_seq(true);
        self.persist_room(batch);
        self.send_to_all(batch, seq, RoomEvent::Closed { reason: reason.to_owned() });
        tracing::info!(code = %self.code, reason, "room closed");
    }
}

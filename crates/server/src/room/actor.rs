//! The room actor: the state of one room and the loop that changes it.
//!
//! The loop takes every command waiting in the queue (up to [`MAX_BATCH`]), applies each to the
//! in-memory state, and fills one batch of the room's [`Pipeline`]: the store writes the changes
//! need (one transaction), and the frames to send (replies and events), which wait until the
//! writes are durable. Meanwhile the room goes on with the next commands, so a room's throughput
//! is not one fsync per batch. If a write fails, the pipeline answers `internal` for that batch
//! and the ones after it, and the room reloads itself from the store. Which request does what is
//! [`super::dispatch`]'s.

use std::sync::Arc;

use capital_engine::{DynGame, GameKind, Players, Viewer};
use capital_protocol::{ErrorCode, Outcome, Phase, PlayerId, RequestId, Role, RoomMode, Seat, Seq};
use capital_store::{MemberRecord, RoomId, RoomRecord, Write};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tungstenite::Utf8Bytes;

use super::recent::ChatLog;
use super::{Request, RoomCmd, RoomEnv, RoomError, RoomHandle};
use crate::config::limits::{RECENT_CHAT, ROOM_QUEUE};
use crate::conn::ConnHandle;
use crate::pipeline::{Delivered, Pipeline, error_frame};

/// Most commands applied in one batch.
const MAX_BATCH: usize = 256;

/// A member of the room.
#[derive(Debug)]
pub(super) struct Member {
    pub(super) player_id: PlayerId,
    pub(super) name: String,
    pub(super) role: Role,
    pub(super) seat: Option<Seat>,
    pub(super) joined_ms: u64,
    /// Their connection, while they are here.
    pub(super) conn: Option<ConnHandle>,
    /// Since when they have been away (their seat is held until `away_since + grace`).
    pub(super) away_since: Option<Instant>,
    /// Ready for the next game (a seated player, in the lobby).
    pub(super) ready: bool,
    /// A big screen (said so when it joined; not stored: it says so again when it comes back).
    pub(super) screen: bool,
    /// Reactions this member may still send (a few a second).
    pub(super) reactions: crate::limits::TokenBucket,
    /// Moves the server took from them that their phone has not timed yet (`move_time`).
    pub(super) untimed: u8,
}

impl Member {
    pub(super) fn record(&self, room_id: RoomId) -> MemberRecord {
        MemberRecord {
            room_id,
            player_id: self.player_id.clone(),
            role: self.role,
            seat: self.seat,
            joined_ms: self.joined_ms,
            ready: self.ready,
        }
    }
}

/// The batches a room fills: writes, frames, and reads done once they are durable.
pub(super) type Batch = crate::pipeline::Batch<Read>;

/// A read of the store, answered after the batch it came with is durable (so that it includes
/// it), off the actor's task.
pub(crate) struct Read {
    pub(super) conn: ConnHandle,
    pub(super) id: RequestId,
    pub(super) what: ReadOf,
}

/// What a [`Read`] reads.
pub(crate) enum ReadOf {
    /// `chat_history`: a page of chat below `before`.
    Chat { before: Option<Seq>, limit: usize },
    /// `replay`: a finished game (the latest, without a number).
    Replay { game_no: Option<u32> },
}

/// One room.
pub struct Room {
    pub(super) id: RoomId,
    pub(super) code: String,
    pub(super) entry: Arc<dyn GameKind>,
    pub(super) options: Value,
    /// The room's seats: the most players its game takes.
    pub(super) seats: usize,
    /// Fewest seated players the host may start with.
    pub(super) min_players: usize,
    /// The current (or last) game's players and the seed of its random numbers.
    pub(super) players: usize,
    pub(super) seed: u64,
    /// Seconds per turn (0: no turn timers), and each seat's deadline while it is on turn.
    pub(super) turn_seconds: u32,
    pub(super) deadlines: Vec<Option<super::clocks::Deadline>>,
    /// When the next game starts by itself (a rematch everyone asked for).
    pub(super) countdown: Option<Instant>,
    /// The real-time lane, while a real-time game is playing.
    pub(super) lane: Option<super::clocks::Lane>,
    pub(super) host: PlayerId,
    pub(super) phase: Phase,
    pub(super) game_no: u32,
    pub(super) seq: Seq,
    /// The seq of the last event that changed the room's state (not chat).
    pub(super) state_seq: Seq,
    pub(super) game: Option<Box<dyn DynGame>>,
    /// Moves played in the current game.
    pub(super) ply: u32,
    /// How the game ended when it did not end by a move (a forfeit).
    pub(super) forfeit: Option<Outcome>,
    pub(super) created_ms: u64,
    /// Who created the room (the first host).
    pub(super) creator: PlayerId,
    pub(super) members: Vec<Member>,
    pub(super) chat: ChatLog,
    /// When a member last asked the room anything; the room closes after `idle` without.
    pub(super) last_activity: Instant,
    pub(super) closed: bool,
    /// The host locked the room (no new members), and the players they removed.
    pub(super) locked: bool,
    pub(super) banned: Vec<PlayerId>,
    /// An admin turned the chat off, or muted these players.
    pub(super) chat_off: bool,
    pub(super) muted: Vec<PlayerId>,
    /// Games won in this room: (player, name, wins).
    pub(super) scoreboard: Vec<(PlayerId, String, u32)>,
    /// Where the game runs; in a `p2p` room, what the server relayed.
    pub(super) mode: RoomMode,
    pub(super) signals: super::signal::Signals,
    /// What it measured of its server-mode games.
    pub(super) tally: super::tally::Tally,
    pub(super) ctx: RoomEnv,
}

impl Room {
    /// A new, empty room from its first stored row (the creator then joins like anyone else).
    pub fn create(
        ctx: RoomEnv,
        record: RoomRecord,
        entry: Arc<dyn GameKind>,
        players: Players,
    ) -> Self {
        Room {
            id: record.id,
            code: record.code,
            entry,
            options: record.options,
            seats: players.max,
            min_players: players.min,
            players: 0,
            seed: 0,
            turn_seconds: record.turn_seconds,
            deadlines: Vec::new(),
            countdown: None,
            lane: None,
            host: record.host.clone(),
            phase: Phase::Lobby,
            game_no: 0,
            seq: 0,
            state_seq: 0,
            game: None,
            ply: 0,
            forfeit: None,
            created_ms: record.created_ms,
            creator: record.host,
            members: Vec::new(),
            chat: ChatLog::new(RECENT_CHAT, Vec::new(), false),
            last_activity: Instant::now(),
            closed: false,
            locked: record.locked,
            banned: record.banned,
            chat_off: record.chat_off,
            muted: record.muted,
            scoreboard: record.scoreboard,
            mode: record.mode,
            signals: Default::default(),
            tally: Default::default(),
            ctx,
        }
    }

    /// Starts the actor; returns its handle.
    pub fn spawn(self) -> RoomHandle {
        let (tx, rx) = mpsc::channel(ROOM_QUEUE);
        let handle =
            RoomHandle { id: self.id, code: self.code.clone(), creator: self.creator.clone(), tx };
        self.ctx.env.metrics.room(self.entry.kind(), 1);
        self.ctx.env.tracker.clone().spawn(self.run(rx));
        handle
    }

    async fn run(mut self, mut rx: mpsc::Receiver<RoomCmd>) {
        let shutdown = self.ctx.env.shutdown.clone();
        let mut pipeline: Pipeline<Read> =
            Pipeline::new(self.ctx.env.store.clone(), self.ctx.env.metrics.clone());
        let mut cmds = Vec::with_capacity(16);
        let mut ticker: Option<tokio::time::Interval> = None;
        loop {
            let deadline = self.next_deadline();
            match (&self.lane, &ticker) {
                (Some(lane), None) => ticker = Some(lane.interval()),
                (None, Some(_)) => ticker = None,
                _ => {}
            }
            let can_take = pipeline.has_room() && !self.closed;
            let mut batch = Batch::new();
            tokio::select! {
                biased;
                delivered = pipeline.durable() => {
                    self.delivered(delivered, &mut pipeline).await;
                    if self.closed && pipeline.is_idle() {
                        break;
                    }
                    continue;
                }
                () = shutdown.cancelled() => break,
                // Ticks before commands: a stream of inputs must not hold a frame back.
                _ = next_tick(&mut ticker), if ticker.is_some() => self.on_tick(&mut batch),
                n = rx.recv_many(&mut cmds, MAX_BATCH), if can_take => {
                    if n == 0 {
                        break;
                    }
                    for cmd in cmds.drain(..) {
                        self.handle(cmd, &mut batch);
                    }
                }
                () = sleep_until(deadline), if can_take => self.on_timers(&mut batch),
            }
            if let Some(reads) = pipeline.submit(batch) {
                self.serve_reads(reads);
            }
            if self.closed && pipeline.is_idle() {
                break;
            }
        }
        // What is already on its way to the disk still gets its answers (bounded: the server
        // waits only so long at shutdown).
        for delivered in pipeline.drain().await {
            self.delivered(delivered, &mut pipeline).await;
        }
        // Requests that were already queued when the room closed still get an answer.
        rx.close();
        while let Ok(cmd) = rx.try_recv() {
            if let RoomCmd::Request(request) = cmd {
                let Request { conn, id, .. } = *request;
                conn.send(self.error_frame(id, &RoomError::Closed));
            }
        }
        self.ctx.env.metrics.room(self.entry.kind(), -1);
        if self.closed {
            (self.ctx.on_close)(&self.code, self.id);
        }
        tracing::debug!(code = %self.code, "room actor ends");
    }

    /// A batch is durable (its frames went out: serve its reads), or failed (the pipeline
    /// answered for it: answer its reads, and reload from the store).
    async fn delivered(&mut self, delivered: Delivered<Read>, pipeline: &mut Pipeline<Read>) {
        match delivered {
            Delivered::Sent(reads) => self.serve_reads(reads),
            Delivered::Failed { error, after } => {
                tracing::error!(code = %self.code, %error, "room write failed; reloading");
                for read in after {
                    read.conn.send(self.error_frame(read.id, &RoomError::Internal));
                }
                // Batches still on their way were answered with this one; the ones that
                // arrive next see the reloaded room.
                self.reload().await;
                pipeline.restart();
            }
        }
    }

    /// Replaces the in-memory state with what the store holds, keeping live connections.
    async fn reload(&mut self) {
        let id = self.id;
        let stored = self.ctx.env.read(move |store| store.load_room(id, RECENT_CHAT)).await;
        let restored = match stored {
            Ok(Some(stored)) => {
                match super::rules::of(&self.ctx, &stored.room, Some(self.entry.clone())).await {
                    Ok(entry) => Room::restore(self.ctx.clone(), stored, entry),
                    Err(e) => Err(e),
                }
            }
            Ok(None) => Err("the room is gone from the store".into()),
            Err(e) => Err(e.to_string()),
        };
        match restored {
            Ok(mut fresh) => {
                for member in &mut fresh.members {
                    let live = self.members.iter_mut().find(|m| m.player_id == member.player_id);
                    if let Some(conn) = live.and_then(|m| m.conn.take()) {
                        member.conn = Some(conn);
                        member.away_since = None;
                    }
                }
                fresh.last_activity = self.last_activity;
                *self = fresh;
            }
            Err(e) => {
                tracing::error!(code = %self.code, error = %e, "room reload failed; closing it");
                self.closed = true;
            }
        }
    }

    fn handle(&mut self, cmd: RoomCmd, batch: &mut Batch) {
        match cmd {
            RoomCmd::Request(request) => self.on_request(*request, batch),
            RoomCmd::Detach { player_id, conn_id } => self.on_detach(&player_id, conn_id, batch),
            RoomCmd::Input { player_id, input } => self.on_input(&player_id, input),
            RoomCmd::Summary(reply) => {
                let _ = reply.send(self.summary());
            }
        }
    }

    pub(super) fn member_index(&self, player_id: &str) -> Option<usize> {
        self.members.iter().position(|m| m.player_id == player_id)
    }

    /// The seat of a member (every caller has checked membership).
    pub(super) fn seated(&self, player_id: &str) -> Result<Seat, RoomError> {
        match self.member_index(player_id).map(|i| &self.members[i]) {
            None => Err(RoomError::NoSuchRoom),
            Some(Member { seat: Some(seat), .. }) => Ok(*seat),
            Some(_) => Err(RoomError::NotPlayer),
        }
    }

    pub(super) fn persist_room(&self, batch: &mut Batch) {
        batch.write(Write::PutRoom(self.record()));
    }

    /// Next event number; marks a state change unless it is chat.
    pub(super) fn next_seq(&mut self, state_change: bool) -> Seq {
        self.seq += 1;
        if state_change {
            self.state_seq = self.seq;
        }
        self.seq
    }

    /// Now, as timestamps are kept.
    pub(super) fn now_ms(&self) -> u64 {
        self.ctx.env.clock.now_ms()
    }

    /// An error reply, counted in the metrics.
    pub(super) fn error_frame(&self, id: RequestId, error: &RoomError) -> Utf8Bytes {
        let code = error.code();
        self.ctx.env.metrics.error(code);
        if code == ErrorCode::Internal {
            return error_frame(id, code, "the server could not save that; try again");
        }
        error_frame(id, code, &error.to_string())
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Turns `Viewer` for a member's seat.
pub(super) fn viewer(seat: Option<Seat>) -> Viewer {
    seat.map_or(Viewer::Spectator, Viewer::Seat)
}

/// The next tick of a real-time room's timer (never, without one).
async fn next_tick(ticker: &mut Option<tokio::time::Interval>) {
    match ticker {
        Some(ticker) => {
            ticker.tick().await;
        }
        None => std::future::pending().await,
    }
}

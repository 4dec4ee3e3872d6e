//! The room actor: the state of one room and the loop that changes it.
//!
//! The loop takes every command waiting in the queue (up to [`MAX_BATCH`]), applies each to the
//! in-memory state, and collects two things: the store writes the changes need, and the frames
//! to send (replies and events). The frames wait until every write of their batch is durable;
//! meanwhile the room goes on with the next commands (up to [`MAX_IN_FLIGHT`] batches on their
//! way to the disk), so a room's throughput is not one fsync per batch. Batches are delivered in
//! order. If a write fails, nothing of that batch or the ones after it is sent: the requesters
//! that changed something get `internal` errors and the room reloads itself from the store.
//! (The store stops writing after a failed transaction, so the disk always holds a prefix of
//! what the room asked for.)

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;

use axum::extract::ws::Utf8Bytes;
use capital_engine::{DynGame, GameEntry, RuleError, Viewer};
use capital_protocol::{
    ChatMessage, ErrorCode, LeaveReason, Outcome, Outgoing, Phase, PlayerId, RequestId, Role,
    RoomEvent, Seat, Seq, ServerMsg,
};
use capital_store::{
    ChatRecord, MemberRecord, MoveRecord, RoomId, RoomRecord, StoreError, StoredRoom, Ticket,
};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::chat::{self, ChatLog};
use super::{Request, RoomCmd, RoomHandle, RoomRequest};
use crate::app::AppState;
use crate::config::limits::{JOIN_CHAT, RECENT_CHAT, ROOM_QUEUE};
use crate::players::Player;
use crate::session::ConnHandle;

/// Most commands applied in one batch.
const MAX_BATCH: usize = 256;

/// Most batches on their way to the disk at once; beyond, the room waits for the oldest.
const MAX_IN_FLIGHT: usize = 4;

/// Most missed chat messages sent back on a resume (older ones page with `chat_history`).
const RESUME_CHAT: usize = 100;

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
}

impl Member {
    fn record(&self, room_id: RoomId) -> MemberRecord {
        MemberRecord {
            room_id,
            player_id: self.player_id.clone(),
            role: self.role,
            seat: self.seat,
            joined_ms: self.joined_ms,
        }
    }
}

/// The frames, writes and reads one batch of commands produced.
#[derive(Default)]
pub(super) struct Batch {
    tickets: Vec<Ticket>,
    /// Frames to send once the writes are durable, in order.
    pub(super) out: Vec<Out>,
    /// Chat history pages to read once the writes are durable (so they include them).
    reads: Vec<HistoryRead>,
}

/// A batch whose writes were handed to the store: its frames wait until they are durable.
struct InFlight {
    /// Resolves when every write is durable, with the first error if one failed.
    durable: Pin<Box<dyn Future<Output = Option<StoreError>> + Send>>,
    /// Whether there were writes at all.
    writes: bool,
    out: Vec<Out>,
    reads: Vec<HistoryRead>,
    started: std::time::Instant,
}

impl InFlight {
    fn new(batch: Batch) -> Self {
        let Batch { tickets, out, reads } = batch;
        let writes = !tickets.is_empty();
        let durable = Box::pin(async move {
            let mut failed = None;
            for ticket in tickets {
                if let Err(e) = ticket.await {
                    failed.get_or_insert(e);
                }
            }
            failed
        });
        InFlight { durable, writes, out, reads, started: std::time::Instant::now() }
    }
}

/// Waits for the oldest in-flight batch to be durable (the queue must not be empty).
async fn front_durable(in_flight: &mut VecDeque<InFlight>) -> Option<StoreError> {
    match in_flight.front_mut() {
        Some(front) => (&mut front.durable).await,
        None => std::future::pending().await,
    }
}

/// A frame for one connection.
pub(super) struct Out {
    pub(super) conn: ConnHandle,
    pub(super) frame: Utf8Bytes,
    pub(super) kind: OutKind,
}

/// What a frame is, which decides its fate if the batch's writes fail.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum OutKind {
    /// A room event: dropped (the change it announces did not happen).
    Event,
    /// The reply to request `id`; `wrote` if the request changed something, in which case the
    /// requester is told `internal` instead.
    Reply { id: RequestId, wrote: bool },
}

/// A `chat_history` request, answered after the batch.
struct HistoryRead {
    conn: ConnHandle,
    id: RequestId,
    before: Option<Seq>,
    limit: usize,
}

/// Why a request was refused.
type Refusal = (ErrorCode, String);

fn refuse<T>(code: ErrorCode, message: impl Into<String>) -> Result<T, Refusal> {
    Err((code, message.into()))
}

/// One room.
pub struct Room {
    pub(super) id: RoomId,
    pub(super) code: String,
    pub(super) entry: GameEntry,
    pub(super) options: Value,
    pub(super) seats: usize,
    pub(super) host: PlayerId,
    pub(super) phase: Phase,
    pub(super) game_no: u32,
    pub(super) seq: Seq,
    /// The seq of the last event that changed the room's state (not chat).
    pub(super) state_seq: Seq,
    pub(super) game: Option<Box<dyn DynGame>>,
    /// Moves played in the current game.
    ply: u32,
    /// How the game ended when it did not end by a move (a forfeit).
    forfeit: Option<Outcome>,
    created_ms: u64,
    /// Who created the room (the first host).
    creator: PlayerId,
    pub(super) members: Vec<Member>,
    pub(super) chat: ChatLog,
    /// When a member last asked the room anything; the room closes after `room_idle` without.
    last_activity: Instant,
    closed: bool,
    state: AppState,
}

impl Room {
    /// A new, empty room from its first stored row (the creator then joins like anyone else).
    pub fn create(state: &AppState, record: RoomRecord, entry: GameEntry, seats: usize) -> Self {
        Room {
            id: record.id,
            code: record.code,
            entry,
            options: record.options,
            seats,
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
            state: state.clone(),
        }
    }

    /// Brings a stored room back: members (all away until they rejoin), the game rebuilt from its
    /// move log, the recent chat.
    pub fn restore(state: &AppState, stored: StoredRoom, entry: GameEntry) -> Result<Self, String> {
        let StoredRoom { room, members, moves, chat } = stored;
        let seats = entry.seats(&room.options).map_err(|e| e.to_string())?;
        let game = match room.phase {
            Phase::Lobby => None,
            Phase::Playing | Phase::Over => {
                let game = capital_engine::replay(
                    &entry,
                    &room.options,
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
        let chat = chat.into_iter().map(chat_message).collect();
        Ok(Room {
            id: room.id,
            code: room.code,
            entry,
            options: room.options,
            seats,
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
                })
                .collect(),
            chat: ChatLog::new(RECENT_CHAT, chat, has_older),
            last_activity: now,
            closed: false,
            state: state.clone(),
        })
    }

    /// The room's stored row as it stands.
    pub fn record(&self) -> RoomRecord {
        RoomRecord {
            id: self.id,
            code: self.code.clone(),
            game: self.entry.kind.to_owned(),
            options: self.options.clone(),
            host: self.host.clone(),
            phase: self.phase,
            game_no: self.game_no,
            seq: self.seq,
            outcome: self.forfeit.clone(),
            created_ms: self.created_ms,
            closed: self.closed,
        }
    }

    /// Starts the actor; returns its handle.
    pub fn spawn(self) -> RoomHandle {
        let (tx, rx) = mpsc::channel(ROOM_QUEUE);
        let handle =
            RoomHandle { id: self.id, code: self.code.clone(), creator: self.creator.clone(), tx };
        let tracker = self.state.tracker().clone();
        self.state.metrics().room(self.entry.kind, 1);
        tracker.spawn(self.run(rx));
        handle
    }

    /// How the current game ended, if it has.
    pub(super) fn outcome(&self) -> Option<Outcome> {
        if let Some(forfeit) = &self.forfeit {
            return Some(forfeit.clone());
        }
        let outcome = self.game.as_ref()?.outcome()?;
        Some(Outcome { winner: outcome.winner, reason: outcome.reason })
    }

    async fn run(mut self, mut rx: mpsc::Receiver<RoomCmd>) {
        let shutdown = self.state.shutdown_token().clone();
        let mut cmds = Vec::with_capacity(16);
        // Batches whose writes are on their way to the disk, oldest first. The room goes on
        // applying new commands meanwhile; each batch's frames go out, in order, once its writes
        // are durable.
        let mut in_flight: VecDeque<InFlight> = VecDeque::new();
        loop {
            let deadline = self.next_deadline();
            let can_take = in_flight.len() < MAX_IN_FLIGHT && !self.closed;
            let mut batch = Batch::default();
            tokio::select! {
                biased;
                failed = front_durable(&mut in_flight), if !in_flight.is_empty() => {
                    let done = in_flight.pop_front().expect("polled the front batch");
                    self.deliver(done, failed, &mut in_flight).await;
                    if self.closed && in_flight.is_empty() {
                        break;
                    }
                    continue;
                }
                () = shutdown.cancelled() => break,
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
            let waiting = InFlight::new(batch);
            if waiting.writes || !in_flight.is_empty() {
                in_flight.push_back(waiting);
            } else {
                self.deliver(waiting, None, &mut in_flight).await;
            }
            if self.closed && in_flight.is_empty() {
                break;
            }
        }
        // What is already on its way to the disk still gets its answers (bounded: the server
        // waits only so long at shutdown).
        while let Some(mut waiting) = in_flight.pop_front() {
            let failed = (&mut waiting.durable).await;
            self.deliver(waiting, failed, &mut in_flight).await;
        }
        // Requests that were already queued when the room closed still get an answer.
        rx.close();
        while let Ok(cmd) = rx.try_recv() {
            if let RoomCmd::Request(request) = cmd {
                let Request { conn, id, .. } = *request;
                conn.send(self.error_frame(id, ErrorCode::NoSuchRoom, "the room has closed"));
            }
        }
        tracing::debug!(code = %self.code, "room actor ends");
    }

    /// Sends a durable batch's frames and serves its reads. If its writes failed, its events are
    /// dropped, requests that changed something are told `internal`, and so is every batch
    /// still in flight (they were built on top of it); then the room reloads from the store.
    async fn deliver(
        &mut self,
        batch: InFlight,
        failed: Option<StoreError>,
        in_flight: &mut VecDeque<InFlight>,
    ) {
        if batch.writes {
            self.state.metrics().db_write(batch.started.elapsed());
        }
        let Some(e) = failed else {
            for Out { conn, frame, .. } in batch.out {
                conn.send(frame);
            }
            for read in batch.reads {
                self.serve_history(read);
            }
            return;
        };
        tracing::error!(code = %self.code, error = %e, "room write failed; reloading");
        for Out { conn, frame, kind } in
            std::iter::once(batch).chain(in_flight.drain(..)).flat_map(|b| b.out)
        {
            match kind {
                OutKind::Reply { wrote: false, .. } => {
                    conn.send(frame);
                }
                OutKind::Reply { id, wrote: true } => {
                    conn.send(self.error_frame(
                        id,
                        ErrorCode::Internal,
                        "the server could not save that; try again",
                    ));
                }
                OutKind::Event => {}
            }
        }
        self.reload().await;
    }

    /// Replaces the in-memory state with what the store holds, keeping live connections.
    async fn reload(&mut self) {
        let store = self.state.store().clone();
        let id = self.id;
        let stored = tokio::task::spawn_blocking(move || store.load_room(id, RECENT_CHAT)).await;
        let restored = match stored {
            Ok(Ok(Some(stored))) => Room::restore(&self.state, stored, self.entry),
            Ok(Ok(None)) => Err("the room is gone from the store".into()),
            Ok(Err(e)) => Err(e.to_string()),
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
                self.state.rooms().remove(&self.code, self.id);
            }
        }
    }

    fn handle(&mut self, cmd: RoomCmd, batch: &mut Batch) {
        match cmd {
            RoomCmd::Request(request) => self.on_request(*request, batch),
            RoomCmd::Detach { player_id, conn_id } => self.on_detach(&player_id, conn_id, batch),
        }
    }

    fn on_request(&mut self, request: Request, batch: &mut Batch) {
        let Request { conn, id, player, cmd } = request;
        if self.closed {
            let frame = self.error_frame(id, ErrorCode::NoSuchRoom, "the room has closed");
            batch.out.push(Out { conn, frame, kind: OutKind::Reply { id, wrote: false } });
            return;
        }
        self.last_activity = Instant::now();
        let writes_before = batch.tickets.len();
        let result = match cmd {
            RoomRequest::Join { role, since } => self.join(&conn, &player, role, since, batch),
            RoomRequest::Leave => self.leave(&player.id, LeaveReason::Left, batch).map(ok),
            RoomRequest::Start => self.start(&player.id, batch).map(ok),
            RoomRequest::Move(mv) => self.play(&player.id, &mv, batch).map(ok),
            RoomRequest::Rematch => self.rematch(&player.id, batch).map(ok),
            RoomRequest::Chat { text, client_msg_id } => {
                self.say(&player, text, client_msg_id, batch)
            }
            RoomRequest::History { before, limit } => {
                if self.member_index(&player.id).is_some() {
                    let read = HistoryRead { conn: conn.clone(), id, before, limit };
                    batch.reads.push(read);
                    Ok(None)
                } else {
                    refuse(ErrorCode::NotMember, "you are not in this room")
                }
            }
        };
        let wrote = batch.tickets.len() > writes_before;
        let kind = OutKind::Reply { id, wrote };
        match result {
            Ok(Some(reply)) => {
                let frame = Utf8Bytes::from(Outgoing::reply(id, reply).to_json());
                batch.out.push(Out { conn, frame, kind });
            }
            Ok(None) => {}
            Err((code, message)) => {
                let frame = self.error_frame(id, code, &message);
                batch.out.push(Out { conn, frame, kind });
            }
        }
    }

    fn member_index(&self, player_id: &str) -> Option<usize> {
        self.members.iter().position(|m| m.player_id == player_id)
    }

    fn seated(&self, player_id: &str) -> Result<Seat, Refusal> {
        match self.member_index(player_id).map(|i| &self.members[i]) {
            None => refuse(ErrorCode::NotMember, "you are not in this room"),
            Some(Member { seat: Some(seat), .. }) => Ok(*seat),
            Some(_) => refuse(ErrorCode::NotPlayer, "spectators cannot do that"),
        }
    }

    fn persist_room(&self, batch: &mut Batch) {
        batch.tickets.push(self.state.store().put_room(&self.record()));
    }

    /// Next event number; marks a state change unless it is chat.
    fn next_seq(&mut self, state_change: bool) -> Seq {
        self.seq += 1;
        if state_change {
            self.state_seq = self.seq;
        }
        self.seq
    }

    fn join(
        &mut self,
        conn: &ConnHandle,
        player: &Player,
        role: Role,
        since: Option<Seq>,
        batch: &mut Batch,
    ) -> Result<Option<ServerMsg>, Refusal> {
        match self.member_index(&player.id) {
            Some(i) => {
                let member = &mut self.members[i];
                let was_away = member.conn.is_none();
                member.conn = Some(conn.clone());
                member.away_since = None;
                member.name.clone_from(&player.name);
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
                let seat = match role {
                    Role::Spectator => None,
                    Role::Player => {
                        if self.phase == Phase::Playing {
                            return refuse(
                                ErrorCode::WrongPhase,
                                "a game is in progress; join as a spectator to watch",
                            );
                        }
                        let free = (0..self.seats)
                            .find(|s| !self.members.iter().any(|m| m.seat == Some(*s)));
                        match free {
                            Some(seat) => Some(seat),
                            None => {
                                return refuse(
                                    ErrorCode::RoomFull,
                                    "every seat is taken; join as a spectator to watch",
                                );
                            }
                        }
                    }
                };
                let member = Member {
                    player_id: player.id.clone(),
                    name: player.name.clone(),
                    role,
                    seat,
                    joined_ms: crate::now_ms(),
                    conn: Some(conn.clone()),
                    away_since: None,
                };
                batch.tickets.push(self.state.store().put_member(&member.record(self.id)));
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

    /// Removes a member (`leave_room`, or the grace period ran out).
    fn leave(
        &mut self,
        player_id: &str,
        reason: LeaveReason,
        batch: &mut Batch,
    ) -> Result<(), Refusal> {
        let Some(i) = self.member_index(player_id) else {
            return refuse(ErrorCode::NotMember, "you are not in this room");
        };
        let seat = self.members[i].seat;
        if let (Some(seat), Phase::Playing) = (seat, self.phase) {
            let others: Vec<Seat> =
                self.members.iter().filter_map(|m| m.seat).filter(|s| *s != seat).collect();
            let winner = if others.len() == 1 { Some(others[0]) } else { None };
            let outcome = Outcome { winner, reason: "forfeit".into() };
            self.forfeit = Some(outcome.clone());
            self.end_game(outcome, batch);
        }
        let member = self.members.remove(i);
        batch.tickets.push(self.state.store().remove_member(self.id, player_id));
        if self.members.is_empty() {
            self.close(batch, "everyone left");
            return Ok(());
        }
        self.next_seq(true);
        self.persist_room(batch);
        let who = member.player_id.clone();
        self.broadcast(batch, None, |room| RoomEvent::Left { player: who.clone(), reason, room });
        if self.host == member.player_id {
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
        Ok(())
    }

    fn start(&mut self, player_id: &str, batch: &mut Batch) -> Result<(), Refusal> {
        if self.member_index(player_id).is_none() {
            return refuse(ErrorCode::NotMember, "you are not in this room");
        }
        if self.host != player_id {
            return refuse(ErrorCode::NotHost, "only the host can start the game");
        }
        match self.phase {
            Phase::Lobby => {}
            Phase::Playing => return refuse(ErrorCode::WrongPhase, "the game has started"),
            Phase::Over => {
                return refuse(ErrorCode::WrongPhase, "the game is over; ask for a rematch first");
            }
        }
        let taken = self.members.iter().filter(|m| m.seat.is_some()).count();
        if taken < self.seats {
            return refuse(
                ErrorCode::SeatsNotFilled,
                format!("{taken} of {} seats are taken", self.seats),
            );
        }
        let (game, _) =
            self.entry.create(&self.options).map_err(|e| (ErrorCode::Internal, e.to_string()))?;
        self.game = Some(game);
        self.game_no += 1;
        self.ply = 0;
        self.forfeit = None;
        self.phase = Phase::Playing;
        self.state.metrics().game_started(self.entry.kind);
        self.next_seq(true);
        self.persist_room(batch);
        self.broadcast(batch, None, |room| RoomEvent::Started { room });
        Ok(())
    }

    fn play(&mut self, player_id: &str, mv: &Value, batch: &mut Batch) -> Result<(), Refusal> {
        let seat = self.seated(player_id)?;
        match self.phase {
            Phase::Lobby => return refuse(ErrorCode::WrongPhase, "the game has not started"),
            Phase::Over => return refuse(ErrorCode::GameOver, "the game is over"),
            Phase::Playing => {}
        }
        let game = self.game.as_mut().expect("a playing room has a game");
        let canonical = game.play(seat, mv).map_err(rule_refusal)?;
        let seq = self.next_seq(true);
        batch.tickets.push(self.state.store().append_move(&MoveRecord {
            room_id: self.id,
            game_no: self.game_no,
            ply: self.ply,
            seat,
            mv: canonical,
            seq,
            ts_ms: crate::now_ms(),
        }));
        self.ply += 1;
        self.broadcast(batch, None, |room| RoomEvent::Moved { seat, room });
        if let Some(outcome) = self.outcome() {
            self.end_game(outcome, batch);
        }
        Ok(())
    }

    /// The game ended (by a move or a forfeit): the room goes to `over` and everyone hears how.
    fn end_game(&mut self, outcome: Outcome, batch: &mut Batch) {
        self.phase = Phase::Over;
        self.state.metrics().game_finished(self.entry.kind);
        self.next_seq(true);
        self.persist_room(batch);
        self.broadcast(batch, None, |room| RoomEvent::GameOver { outcome: outcome.clone(), room });
    }

    fn rematch(&mut self, player_id: &str, batch: &mut Batch) -> Result<(), Refusal> {
        self.seated(player_id)?;
        if self.phase != Phase::Over {
            return refuse(ErrorCode::WrongPhase, "a rematch comes after game over");
        }
        let seats = self.seats;
        for member in &mut self.members {
            if let Some(seat) = member.seat {
                member.seat = Some((seat + 1) % seats);
                batch.tickets.push(self.state.store().put_member(&member.record(self.id)));
            }
        }
        self.members.sort_by_key(|m| (m.seat.is_none(), m.seat));
        self.phase = Phase::Lobby;
        self.game = None;
        self.forfeit = None;
        self.next_seq(true);
        self.persist_room(batch);
        let who = player_id.to_owned();
        self.broadcast(batch, None, |room| RoomEvent::Rematch { player: who.clone(), room });
        Ok(())
    }

    fn say(
        &mut self,
        player: &Player,
        text: String,
        client_msg_id: String,
        batch: &mut Batch,
    ) -> Result<Option<ServerMsg>, Refusal> {
        let Some(i) = self.member_index(&player.id) else {
            return refuse(ErrorCode::NotMember, "you are not in this room");
        };
        let max = self.state.config().max_chat_chars as usize;
        chat::validate(&text, &client_msg_id, max)?;
        if let Some(sent) = self.chat.find_retry(&player.id, &client_msg_id) {
            // A retry: the message is stored and was delivered; answer as the first time.
            return Ok(Some(ServerMsg::ChatSent {
                code: self.code.clone(),
                seq: sent.seq,
                ts: sent.ts,
            }));
        }
        let seq = self.next_seq(false);
        let message = ChatMessage {
            seq,
            ts: crate::now_ms(),
            from: player.id.clone(),
            name: self.members[i].name.clone(),
            text,
            client_msg_id,
        };
        batch.tickets.push(self.state.store().append_chat(&ChatRecord {
            room_id: self.id,
            seq,
            player_id: message.from.clone(),
            name: message.name.clone(),
            text: message.text.clone(),
            client_msg_id: message.client_msg_id.clone(),
            ts_ms: message.ts,
        }));
        let reply = ServerMsg::ChatSent { code: self.code.clone(), seq, ts: message.ts };
        self.state.metrics().chat_message();
        self.send_to_all(batch, seq, RoomEvent::Chat { message: message.clone() });
        self.chat.push(message);
        Ok(Some(reply))
    }

    /// Answers a `chat_history` request from the store, off the actor's thread.
    fn serve_history(&self, read: HistoryRead) {
        let HistoryRead { conn, id, before, limit } = read;
        let store = self.state.store().clone();
        let (room_id, code, state) = (self.id, self.code.clone(), self.state.clone());
        self.state.tracker().spawn(async move {
            let page =
                tokio::task::spawn_blocking(move || store.chat_before(room_id, before, limit + 1))
                    .await;
            let frame = match page {
                Ok(Ok(mut messages)) => {
                    let more = messages.len() > limit;
                    if more {
                        messages.remove(0);
                    }
                    let messages = messages.into_iter().map(chat_message).collect();
                    let reply = ServerMsg::ChatPage { code, messages, more };
                    Utf8Bytes::from(Outgoing::reply(id, reply).to_json())
                }
                _ => {
                    state.metrics().error(ErrorCode::Internal);
                    error_frame(id, ErrorCode::Internal, "could not read the chat history")
                }
            };
            conn.send(frame);
        });
    }

    fn on_detach(&mut self, player_id: &str, conn_id: u64, batch: &mut Batch) {
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
    fn next_deadline(&self) -> Option<Instant> {
        let grace = self.state.config().grace();
        let seats = self.members.iter().filter_map(|m| m.away_since).map(|t| t + grace);
        let idle = self.last_activity + self.state.config().room_idle();
        seats.chain(std::iter::once(idle)).min()
    }

    fn on_timers(&mut self, batch: &mut Batch) {
        let now = Instant::now();
        let grace = self.state.config().grace();
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
        if !self.closed && self.last_activity + self.state.config().room_idle() <= now {
            self.close(batch, "nothing happened here for a while");
        }
    }

    fn close(&mut self, batch: &mut Batch, reason: &str) {
        self.closed = true;
        let seq = self.next_seq(true);
        self.persist_room(batch);
        self.send_to_all(batch, seq, RoomEvent::Closed { reason: reason.to_owned() });
        self.state.rooms().remove(&self.code, self.id);
        self.state.metrics().room(self.entry.kind, -1);
        tracing::info!(code = %self.code, reason, "room closed");
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

fn ok(_: ()) -> Option<ServerMsg> {
    Some(ServerMsg::Ok)
}

impl Room {
    /// An error reply, counted in the metrics.
    fn error_frame(&self, id: RequestId, code: ErrorCode, message: &str) -> Utf8Bytes {
        self.state.metrics().error(code);
        error_frame(id, code, message)
    }
}

fn error_frame(id: RequestId, code: ErrorCode, message: &str) -> Utf8Bytes {
    Utf8Bytes::from(Outgoing::error(Some(id), code, message).to_json())
}

fn rule_refusal(err: RuleError) -> Refusal {
    let code = match err {
        RuleError::NotYourTurn => ErrorCode::NotYourTurn,
        RuleError::GameOver => ErrorCode::GameOver,
        RuleError::NoSuchSeat(_) | RuleError::BadMove(_) => ErrorCode::BadMove,
        RuleError::Illegal(_) => ErrorCode::IllegalMove,
        RuleError::BadOptions(_) => ErrorCode::BadOptions,
    };
    (code, err.to_string())
}

fn chat_message(c: ChatRecord) -> ChatMessage {
    ChatMessage {
        seq: c.seq,
        ts: c.ts_ms,
        from: c.player_id,
        name: c.name,
        text: c.text,
        client_msg_id: c.client_msg_id,
    }
}

/// Turns `Viewer` for a member's seat.
pub(super) fn viewer(seat: Option<Seat>) -> Viewer {
    seat.map_or(Viewer::Spectator, Viewer::Seat)
}

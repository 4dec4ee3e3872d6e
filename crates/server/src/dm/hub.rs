//! The hub actor: direct messages, receipts, presence and blocks.

use std::collections::{HashMap, HashSet, VecDeque};

use axum::extract::ws::Utf8Bytes;
use capital_protocol::{
    ConversationView, DirectMessage, ErrorCode, Outgoing, PlayerId, ReceiptStatus, RequestId, Seq,
    ServerMsg,
};
use capital_store::{DmRecord, Ticket, conversation};
use tokio::sync::mpsc;

use super::{DmCmd, DmHandle};
use crate::app::AppState;
use crate::players::Player;
use crate::session::ConnHandle;

/// Most commands applied before one wait for the disk.
const MAX_BATCH: usize = 512;
/// `client_msg_id`s remembered for retry detection (across all conversations).
const RECENT_IDS: usize = 10_000;
/// Requests queued before new ones get `busy`.
const QUEUE: usize = 4096;
/// Stored messages pushed at connect; more stay waiting (listed as unread in `conversations`,
/// fetched with `dm_history`, and pushed at the next connect). Keeps a reconnect from
/// overflowing the connection's outbox.
const PUSH_AT_CONNECT: usize = 1000;

/// Who holds a conversation key: the two player ids, sorted.
type Pair = (String, String);

/// The hub's state.
pub struct Hub {
    state: AppState,
    /// Online players: their connection and name.
    online: HashMap<PlayerId, (ConnHandle, String)>,
    /// The latest seq of every conversation.
    seqs: HashMap<Pair, Seq>,
    /// Who each player has a conversation with (for presence).
    contacts: HashMap<PlayerId, HashSet<PlayerId>>,
    /// (blocker, blocked).
    blocks: HashSet<(PlayerId, PlayerId)>,
    /// Players with stored messages not yet delivered: only they cost a read when they connect.
    waiting: HashSet<PlayerId>,
    /// Recent (sender, client_msg_id) -> (recipient, seq, ts), and their order for forgetting.
    recent: HashMap<(PlayerId, String), (PlayerId, Seq, u64)>,
    recent_order: VecDeque<(PlayerId, String)>,
}

/// What one batch produced: writes to wait for, then frames to send.
#[derive(Default)]
struct Batch {
    tickets: Vec<Ticket>,
    out: Vec<Out>,
}

/// A frame, and for a reply its request id and whether the request wrote something (told
/// `internal` if the writes fail); `None` for pushed messages (dropped if the writes fail).
type Out = (ConnHandle, Utf8Bytes, Option<(RequestId, bool)>);

impl Hub {
    /// Loads conversations and blocks from the store and starts the hub.
    pub async fn start(state: &AppState) -> anyhow::Result<DmHandle> {
        let store = state.store().clone();
        let (seqs, blocks, recent, waiting) = tokio::task::spawn_blocking(move || {
            Ok::<_, capital_store::StoreError>((
                store.conversation_seqs()?,
                store.blocks()?,
                store.recent_dms(RECENT_IDS)?,
                store.waiting_recipients()?,
            ))
        })
        .await??;
        let mut contacts: HashMap<PlayerId, HashSet<PlayerId>> = HashMap::new();
        for ((a, b), _) in &seqs {
            contacts.entry(a.clone()).or_default().insert(b.clone());
            contacts.entry(b.clone()).or_default().insert(a.clone());
        }
        let mut hub = Hub {
            state: state.clone(),
            online: HashMap::new(),
            seqs: seqs.into_iter().collect(),
            contacts,
            blocks: blocks.into_iter().collect(),
            waiting: waiting.into_iter().collect(),
            recent: HashMap::new(),
            recent_order: VecDeque::new(),
        };
        // Retries must be recognized across restarts too: remember the latest ids, oldest first.
        for dm in recent.into_iter().rev() {
            let key = (dm.sender.clone(), dm.client_msg_id.clone());
            hub.remember(key, (dm.recipient().to_owned(), dm.seq, dm.ts_ms));
        }
        let (tx, rx) = mpsc::channel(QUEUE);
        state.tracker().spawn(hub.run(rx));
        Ok(DmHandle { tx })
    }

    async fn run(mut self, mut rx: mpsc::Receiver<DmCmd>) {
        let shutdown = self.state.shutdown_token().clone();
        let mut cmds = Vec::with_capacity(64);
        loop {
            tokio::select! {
                n = rx.recv_many(&mut cmds, MAX_BATCH) => if n == 0 { break },
                () = shutdown.cancelled() => break,
            }
            let mut batch = Batch::default();
            for cmd in cmds.drain(..) {
                if let DmCmd::Online { player, conn } = cmd {
                    // What was sent before this player came online must be on disk before we
                    // read what is waiting for them.
                    self.finish(std::mem::take(&mut batch)).await;
                    self.online(player, conn, &mut batch).await;
                } else {
                    self.handle(cmd, &mut batch);
                }
            }
            self.finish(batch).await;
        }
    }

    async fn finish(&mut self, batch: Batch) {
        let Batch { tickets, out } = batch;
        let mut failed = false;
        for ticket in tickets {
            if let Err(e) = ticket.await {
                tracing::error!(error = %e, "direct message write failed");
                failed = true;
            }
        }
        if failed {
            // Memory may be ahead of the disk: start the sequences again from the store.
            let store = self.state.store().clone();
            if let Ok(Ok(seqs)) =
                tokio::task::spawn_blocking(move || store.conversation_seqs()).await
            {
                self.seqs = seqs.into_iter().collect();
            }
        }
        for (conn, frame, reply) in out {
            match (failed, reply) {
                (false, _) | (true, Some((_, false))) => {
                    conn.send(frame);
                }
                (true, Some((id, true))) => {
                    conn.send(frame_of(Outgoing::error(
                        Some(id),
                        ErrorCode::Internal,
                        "the server could not save that; try again",
                    )));
                }
                (true, None) => {}
            }
        }
    }

    fn handle(&mut self, cmd: DmCmd, batch: &mut Batch) {
        match cmd {
            DmCmd::Online { player, .. } => {
                // `run` handles these itself (they must wait for the batch before them).
                tracing::error!(player = %player.id, "an Online command reached handle");
            }
            DmCmd::Offline { player_id, conn_id } => self.offline(&player_id, conn_id),
            DmCmd::Send { conn, id, from, to, text, client_msg_id } => {
                let writes = batch.tickets.len();
                let reply = self.send(&from, &to, text, client_msg_id, batch);
                let wrote = batch.tickets.len() > writes;
                let delivered = match &reply {
                    Ok(ServerMsg::DmSent { seq, .. }) if wrote && self.online.contains_key(&to) => {
                        Some(*seq)
                    }
                    _ => None,
                };
                batch.out.push((conn, reply_frame(id, reply), Some((id, wrote))));
                // The sender hears "sent" before "delivered".
                if let Some(seq) = delivered {
                    self.receipt(&from.id, &to, seq, ReceiptStatus::Delivered, batch);
                }
            }
            DmCmd::Read { conn, id, reader, with, seq } => {
                let reply = self.read(&reader, &with, seq, batch);
                batch.out.push((conn, reply_frame(id, reply), Some((id, true))));
            }
            DmCmd::Block { conn, id, blocker, blocked, on } => {
                let reply = self.block(&blocker, &blocked, on, batch);
                batch.out.push((conn, reply_frame(id, reply), Some((id, true))));
            }
            DmCmd::Conversations { conn, id, player } => self.conversations(conn, id, player),
        }
    }

    fn blocked_between(&self, x: &str, y: &str) -> bool {
        self.blocks.contains(&(x.to_owned(), y.to_owned()))
            || self.blocks.contains(&(y.to_owned(), x.to_owned()))
    }

    /// Tells `player`'s contacts (who may see it) that they came online or went offline.
    fn announce(&self, player: &str, name: &str, online: bool) {
        let Some(contacts) = self.contacts.get(player) else { return };
        let frame = frame_of(Outgoing::push(ServerMsg::Presence {
            player: player.to_owned(),
            name: name.to_owned(),
            online,
        }));
        for contact in contacts {
            if let Some((conn, _)) = self.online.get(contact)
                && !self.blocked_between(player, contact)
            {
                conn.send(frame.clone());
            }
        }
    }

    async fn online(&mut self, player: Player, conn: ConnHandle, batch: &mut Batch) {
        let was_online = self.online.contains_key(&player.id);
        self.online.insert(player.id.clone(), (conn.clone(), player.name.clone()));
        if !was_online {
            self.announce(&player.id, &player.name, true);
        }
        // Everything stored while they were away, in the order sent.
        if !self.waiting.remove(&player.id) {
            return;
        }
        let store = self.state.store().clone();
        let me = player.id.clone();
        let waiting = match tokio::task::spawn_blocking(move || store.undelivered(&me)).await {
            Ok(Ok(mut waiting)) => {
                if waiting.len() > PUSH_AT_CONNECT {
                    waiting.truncate(PUSH_AT_CONNECT);
                    self.waiting.insert(player.id.clone()); // the rest, next time
                }
                waiting
            }
            _ => {
                tracing::error!(player = %player.id, "could not read waiting direct messages");
                self.waiting.insert(player.id.clone());
                return;
            }
        };
        let now = crate::now_ms();
        let mut last_per_sender: HashMap<Pair, (String, Seq)> = HashMap::new();
        for dm in waiting {
            if !conn.send(frame_of(Outgoing::push(ServerMsg::Dm { message: message(&dm) }))) {
                // The connection is gone or too slow: they stay waiting for next time.
                self.waiting.insert(player.id.clone());
                return;
            }
            last_per_sender.insert((dm.a.clone(), dm.b.clone()), (dm.sender.clone(), dm.seq));
        }
        for ((a, b), (sender, seq)) in last_per_sender {
            drop(self.state.store().mark_delivered(&a, &b, &player.id, seq, now));
            self.receipt(&sender, &player.id, seq, ReceiptStatus::Delivered, batch);
        }
    }

    fn offline(&mut self, player_id: &str, conn_id: u64) {
        let here = self.online.get(player_id).is_some_and(|(conn, _)| conn.id() == conn_id);
        if here && let Some((_, name)) = self.online.remove(player_id) {
            self.announce(player_id, &name, false);
        }
    }

    /// Sends `sender` a receipt for their messages to `recipient` up to `seq`, if they are online.
    fn receipt(
        &self,
        sender: &str,
        recipient: &str,
        seq: Seq,
        status: ReceiptStatus,
        batch: &mut Batch,
    ) {
        if let Some((conn, _)) = self.online.get(sender) {
            let msg = ServerMsg::DmReceipt { with: recipient.to_owned(), seq, status };
            batch.out.push((conn.clone(), frame_of(Outgoing::push(msg)), None));
        }
    }

    fn send(
        &mut self,
        from: &Player,
        to: &str,
        text: String,
        client_msg_id: String,
        batch: &mut Batch,
    ) -> Result<ServerMsg, (ErrorCode, String)> {
        if from.id == to {
            return Err((ErrorCode::BadRequest, "you cannot message yourself".into()));
        }
        if self.blocked_between(&from.id, to) {
            return Err((ErrorCode::Blocked, "you cannot message this player".into()));
        }
        let key = (from.id.clone(), client_msg_id.clone());
        if let Some((with, seq, ts)) = self.recent.get(&key) {
            // A retry: stored and delivered once already; answer as the first time.
            return Ok(ServerMsg::DmSent { with: with.clone(), seq: *seq, ts: *ts });
        }
        let (a, b) = conversation(&from.id, to);
        let seq = {
            let seq = self.seqs.entry((a.clone(), b.clone())).or_insert(0);
            *seq += 1;
            *seq
        };
        if seq == 1 {
            self.contacts.entry(from.id.clone()).or_default().insert(to.to_owned());
            self.contacts.entry(to.to_owned()).or_default().insert(from.id.clone());
        }
        let ts = crate::now_ms();
        let recipient = self.online.get(to).map(|(conn, _)| conn.clone());
        let record = DmRecord {
            a,
            b,
            seq,
            sender: from.id.clone(),
            text,
            client_msg_id: client_msg_id.clone(),
            ts_ms: ts,
            delivered_ms: recipient.as_ref().map(|_| ts),
            read_ms: None,
        };
        batch.tickets.push(self.state.store().append_dm(&record));
        match recipient {
            Some(conn) => {
                let push = ServerMsg::Dm { message: message(&record) };
                batch.out.push((conn, frame_of(Outgoing::push(push)), None));
            }
            None => {
                self.waiting.insert(to.to_owned());
            }
        }
        self.remember(key, (to.to_owned(), seq, ts));
        Ok(ServerMsg::DmSent { with: to.to_owned(), seq, ts })
    }

    fn remember(&mut self, key: (PlayerId, String), value: (PlayerId, Seq, u64)) {
        if self.recent_order.len() == RECENT_IDS
            && let Some(old) = self.recent_order.pop_front()
        {
            self.recent.remove(&old);
        }
        self.recent_order.push_back(key.clone());
        self.recent.insert(key, value);
    }

    fn read(
        &mut self,
        reader: &str,
        with: &str,
        seq: Seq,
        batch: &mut Batch,
    ) -> Result<ServerMsg, (ErrorCode, String)> {
        let (a, b) = conversation(reader, with);
        let latest = self.seqs.get(&(a.clone(), b.clone())).copied().unwrap_or(0);
        let seq = seq.min(latest);
        if seq == 0 {
            return Ok(ServerMsg::Ok);
        }
        batch.tickets.push(self.state.store().mark_read(&a, &b, reader, seq, crate::now_ms()));
        if !self.blocked_between(reader, with) {
            self.receipt(with, reader, seq, ReceiptStatus::Read, batch);
        }
        Ok(ServerMsg::Ok)
    }

    fn block(
        &mut self,
        blocker: &str,
        blocked: &str,
        on: bool,
        batch: &mut Batch,
    ) -> Result<ServerMsg, (ErrorCode, String)> {
        if blocker == blocked {
            return Err((ErrorCode::BadRequest, "you cannot block yourself".into()));
        }
        batch.tickets.push(self.state.store().set_block(blocker, blocked, on, crate::now_ms()));
        let key = (blocker.to_owned(), blocked.to_owned());
        if on {
            self.blocks.insert(key);
        } else {
            self.blocks.remove(&key);
        }
        Ok(ServerMsg::Ok)
    }

    /// Reads the list from the store off the actor, adding who is online now.
    fn conversations(&self, conn: ConnHandle, id: RequestId, player: String) {
        let store = self.state.store().clone();
        let online: HashSet<PlayerId> = self
            .contacts
            .get(&player)
            .into_iter()
            .flatten()
            .filter(|c| self.online.contains_key(*c) && !self.blocked_between(&player, c))
            .cloned()
            .collect();
        self.state.tracker().spawn(async move {
            let me = player.clone();
            let list = tokio::task::spawn_blocking(move || store.conversations(&me)).await;
            let frame = match list {
                Ok(Ok(list)) => {
                    let conversations = list
                        .into_iter()
                        .map(|c| ConversationView {
                            online: online.contains(&c.other),
                            with: c.other,
                            name: c.other_name,
                            last: message(&c.last),
                            unread: c.unread,
                        })
                        .collect();
                    frame_of(Outgoing::reply(id, ServerMsg::Conversations { conversations }))
                }
                _ => frame_of(Outgoing::error(
                    Some(id),
                    ErrorCode::Internal,
                    "could not read the conversations",
                )),
            };
            conn.send(frame);
        });
    }
}

/// A stored message as clients see it.
pub fn message(dm: &DmRecord) -> DirectMessage {
    DirectMessage {
        from: dm.sender.clone(),
        to: dm.recipient().to_owned(),
        seq: dm.seq,
        ts: dm.ts_ms,
        text: dm.text.clone(),
        client_msg_id: dm.client_msg_id.clone(),
        delivered: dm.delivered_ms.is_some(),
        read: dm.read_ms.is_some(),
    }
}

fn frame_of(out: Outgoing) -> Utf8Bytes {
    Utf8Bytes::from(out.to_json())
}

fn reply_frame(id: RequestId, reply: Result<ServerMsg, (ErrorCode, String)>) -> Utf8Bytes {
    match reply {
        Ok(msg) => frame_of(Outgoing::reply(id, msg)),
        Err((code, message)) => frame_of(Outgoing::error(Some(id), code, message)),
    }
}

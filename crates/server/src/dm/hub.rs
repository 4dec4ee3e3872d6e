//! The hub actor: direct messages, receipts and blocks (presence is in [`super::presence`]),
//! and the bytes of messages each address may send a minute.
//!
//! It works like a room: take every queued command, apply it to memory, fill a batch of its
//! [`Pipeline`] (writes, and the frames that wait for them), go on with the next commands. If a
//! batch fails, the pipeline answers for it and the hub reloads everything it knows from the
//! store ([`Known`]): sequences, contacts, blocks, who has messages waiting, recent ids. So a
//! block whose write failed is not enforced, and a retry of a message that was not stored is not
//! answered `dm_sent`.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use capital_protocol::{
    ErrorCode, Outgoing, PlayerId, ReceiptStatus, RequestId, Sealed, Seq, ServerMsg,
};
use capital_store::{DeviceKeyRecord, DmRecord, Store, StoreError, Write, conversation};
use tokio::sync::mpsc;
use tungstenite::Utf8Bytes;

use super::retries::{RECENT_IDS, Retries};
use super::{DmCmd, DmError, DmHandle, DmSettings};
use crate::conn::ConnHandle;
use crate::env::Env;
use crate::limits::{PerMinute, ip_key};
use crate::pipeline::{Delivered, Pipeline};
use crate::players::Player;

/// Most commands applied in one batch.
const MAX_BATCH: usize = 512;
/// Requests queued before new ones get `busy`.
const QUEUE: usize = 4096;

/// Who holds a conversation key: the two player ids, sorted.
pub(super) type Pair = (String, String);

/// A batch of the hub (no work after it is durable).
pub(super) type Batch = crate::pipeline::Batch<()>;

/// What the hub knows that the store also holds, and reloads from it after a failed write.
#[derive(Default)]
pub(super) struct Known {
    /// The latest seq of every conversation.
    pub(super) seqs: HashMap<Pair, Seq>,
    /// Who each player has a conversation with (for presence).
    pub(super) contacts: HashMap<PlayerId, HashSet<PlayerId>>,
    /// (blocker, blocked).
    pub(super) blocks: HashSet<(PlayerId, PlayerId)>,
    /// Players with stored messages not yet delivered: only they cost a read when they connect.
    pub(super) waiting: HashSet<PlayerId>,
    /// Recent (sender, client_msg_id), for retries.
    pub(super) retries: Retries,
    /// Each player's device keys, oldest first.
    pub(super) keys: HashMap<PlayerId, Vec<DeviceKeyRecord>>,
}

impl Known {
    /// Reads it all from the store (blocking).
    fn load(store: &dyn Store) -> Result<Self, StoreError> {
        let seqs = store.conversation_seqs()?;
        let mut contacts: HashMap<PlayerId, HashSet<PlayerId>> = HashMap::new();
        for ((a, b), _) in &seqs {
            contacts.entry(a.clone()).or_default().insert(b.clone());
            contacts.entry(b.clone()).or_default().insert(a.clone());
        }
        Ok(Known {
            keys: keys_by_player(store)?,
            seqs: seqs.into_iter().collect(),
            contacts,
            blocks: store.blocks()?.into_iter().collect(),
            waiting: store.waiting_recipients()?.into_iter().collect(),
            retries: Retries::from_recent(store.recent_dms(RECENT_IDS)?),
        })
    }

    pub(super) fn blocked_between(&self, x: &str, y: &str) -> bool {
        self.blocks.contains(&(x.to_owned(), y.to_owned()))
            || self.blocks.contains(&(y.to_owned(), x.to_owned()))
    }
}

/// Every device key in the store, by player (blocking).
fn keys_by_player(
    store: &dyn Store,
) -> Result<HashMap<PlayerId, Vec<DeviceKeyRecord>>, StoreError> {
    let mut keys: HashMap<PlayerId, Vec<DeviceKeyRecord>> = HashMap::new();
    for key in store.device_keys()? {
        keys.entry(key.player_id.clone()).or_default().push(key);
    }
    Ok(keys)
}

/// The hub's state.
pub struct Hub {
    pub(super) env: Env,
    pub(super) settings: DmSettings,
    /// Bytes of direct messages sent per address this minute.
    bytes: PerMinute<IpAddr>,
    /// Online players: their connection and name.
    pub(super) online: HashMap<PlayerId, (ConnHandle, String)>,
    pub(super) known: Known,
}

impl Hub {
    /// Loads conversations and blocks from the store and starts the hub.
    pub async fn start(env: Env, settings: DmSettings) -> Result<DmHandle, StoreError> {
        let known = env.read(Known::load).await?;
        let bytes = PerMinute::new(settings.bytes_per_minute);
        let hub = Hub { env, settings, bytes, online: HashMap::new(), known };
        let (tx, rx) = mpsc::channel(QUEUE);
        hub.env.tracker.clone().spawn(hub.run(rx));
        Ok(DmHandle::new(tx))
    }

    async fn run(mut self, mut rx: mpsc::Receiver<DmCmd>) {
        let shutdown = self.env.shutdown.clone();
        let mut pipeline: Pipeline<()> =
            Pipeline::new(self.env.store.clone(), self.env.metrics.clone());
        let mut cmds = Vec::with_capacity(64);
        loop {
            tokio::select! {
                biased;
                delivered = pipeline.durable() => {
                    self.delivered(delivered, &mut pipeline).await;
                    continue;
                }
                () = shutdown.cancelled() => break,
                n = rx.recv_many(&mut cmds, MAX_BATCH), if pipeline.has_room() => {
                    if n == 0 {
                        break;
                    }
                }
            }
            let mut batch = Batch::new();
            for cmd in cmds.drain(..) {
                if let DmCmd::Online { player, conn } = cmd {
                    // What was sent before this player came online must be on disk before we
                    // read what is waiting for them.
                    pipeline.submit(std::mem::take(&mut batch));
                    for delivered in pipeline.drain().await {
                        self.delivered(delivered, &mut pipeline).await;
                    }
                    self.online(player, conn, &mut batch).await;
                } else if let DmCmd::ReloadKeys = cmd {
                    // The keys its own writes put there are on disk first.
                    pipeline.submit(std::mem::take(&mut batch));
                    for delivered in pipeline.drain().await {
                        self.delivered(delivered, &mut pipeline).await;
                    }
                    match self.env.read(keys_by_player).await {
                        Ok(keys) => self.known.keys = keys,
                        Err(e) => tracing::warn!(error = %e, "could not read device keys again"),
                    }
                } else {
                    self.handle(cmd, &mut batch);
                }
            }
            pipeline.submit(batch);
        }
        for delivered in pipeline.drain().await {
            self.delivered(delivered, &mut pipeline).await;
        }
    }

    /// After a failed write: what the hub knows goes back to what the store holds.
    async fn delivered(&mut self, delivered: Delivered<()>, pipeline: &mut Pipeline<()>) {
        let Delivered::Failed { error, .. } = delivered else { return };
        tracing::error!(%error, "direct message write failed; reloading");
        match self.env.read(Known::load).await {
            Ok(known) => {
                self.known = known;
                pipeline.restart();
            }
            // The chain stays failed (every write refused) until a reload works: better than
            // acting on memory the store does not hold.
            _ => tracing::error!("could not reload direct messages; writes stay refused"),
        }
    }

    fn handle(&mut self, cmd: DmCmd, batch: &mut Batch) {
        match cmd {
            DmCmd::Online { player, .. } => {
                // `run` handles these itself (they must wait for the batches before them).
                tracing::error!(player = %player.id, "an Online command reached handle");
            }
            DmCmd::ReloadKeys => tracing::error!("a ReloadKeys command reached handle"),
            DmCmd::Offline { player_id, conn_id } => self.offline(&player_id, conn_id),
            DmCmd::Send { conn, id, from, to, text, sealed, client_msg_id } => {
                let writes = batch.writes();
                let ip = ip_key(conn.peer());
                let reply = self.send(ip, &from, &to, (text, sealed), client_msg_id, batch);
                let delivered = match &reply {
                    Ok(ServerMsg::DmSent { seq, .. })
                        if batch.writes() > writes && self.online.contains_key(&to) =>
                    {
                        Some(*seq)
                    }
                    _ => None,
                };
                batch.reply(conn, id, reply_frame(id, reply));
                // The sender hears "sent" before "delivered".
                if let Some(seq) = delivered {
                    self.receipt(&from.id, &to, seq, ReceiptStatus::Delivered, batch);
                }
            }
            DmCmd::Read { conn, id, reader, with, seq } => {
                let reply = self.read(&reader, &with, seq, batch);
                batch.reply(conn, id, reply_frame(id, reply));
            }
            DmCmd::Block { conn, id, blocker, blocked, on } => {
                let reply = self.block(&blocker, &blocked, on, batch);
                batch.reply(conn, id, reply_frame(id, reply));
            }
            DmCmd::PublishKey { conn, id, player, key, max } => {
                let reply = self.publish_key(&player, key, max, batch);
                batch.reply(conn, id, reply_frame(id, reply));
            }
            DmCmd::KeysOf { conn, id, player } => {
                let reply = Ok(self.keys_of(&player));
                batch.reply(conn, id, reply_frame(id, reply));
            }
            DmCmd::Conversations { conn, id, player } => self.conversations(conn, id, player),
        }
    }

    /// Sends `sender` a receipt for their messages to `recipient` up to `seq`, if they are online.
    pub(super) fn receipt(
        &self,
        sender: &str,
        recipient: &str,
        seq: Seq,
        status: ReceiptStatus,
        batch: &mut Batch,
    ) {
        if let Some((conn, _)) = self.online.get(sender) {
            let msg = ServerMsg::DmReceipt { with: recipient.to_owned(), seq, status };
            batch.event(conn.clone(), frame_of(Outgoing::push(msg)));
        }
    }

    /// Stores a message from `from` (connected from address `ip`) to `to`, and pushes it to
    /// them if they are online.
    fn send(
        &mut self,
        ip: IpAddr,
        from: &Player,
        to: &str,
        (text, sealed): (String, Option<Sealed>),
        client_msg_id: String,
        batch: &mut Batch,
    ) -> Result<ServerMsg, DmError> {
        if from.id == to {
            return Err(DmError::ToSelf);
        }
        if self.known.blocked_between(&from.id, to) {
            return Err(DmError::Blocked);
        }
        if let Some((with, seq, ts)) = self.known.retries.find(&from.id, &client_msg_id) {
            // A retry: stored once already (or in a batch on its way, whose failure would
            // answer this too); answer as the first time.
            return Ok(ServerMsg::DmSent { with: with.clone(), seq: *seq, ts: *ts });
        }
        if let Some(sealed) = &sealed {
            self.check_copies(&from.id, to, sealed)?;
        }
        // Counted last, so that a refused message counts nothing.
        let sealed = sealed.as_ref().map(super::envelope::json);
        let weight = sealed.as_ref().map_or(text.len(), String::len);
        let now = tokio::time::Instant::now().into_std();
        self.bytes.hit_weighted(&ip, u32::try_from(weight).unwrap_or(u32::MAX), now).map_err(
            |wait| DmError::TooManyBytes { kib: self.settings.bytes_per_minute / 1024, wait },
        )?;
        let (a, b) = conversation(&from.id, to);
        let seq = {
            let seq = self.known.seqs.entry((a.clone(), b.clone())).or_insert(0);
            *seq += 1;
            *seq
        };
        if seq == 1 {
            self.known.contacts.entry(from.id.clone()).or_default().insert(to.to_owned());
            self.known.contacts.entry(to.to_owned()).or_default().insert(from.id.clone());
        }
        let ts = self.env.clock.now_ms();
        let recipient = self.online.get(to).map(|(conn, _)| conn.clone());
        let record = DmRecord {
            a,
            b,
            seq,
            sender: from.id.clone(),
            text,
            sealed,
            client_msg_id: client_msg_id.clone(),
            ts_ms: ts,
            delivered_ms: recipient.as_ref().map(|_| ts),
            read_ms: None,
        };
        let push =
            recipient.map(|conn| (conn, ServerMsg::Dm { message: super::pages::message(&record) }));
        batch.write(Write::AppendDm(record));
        match push {
            Some((conn, push)) => batch.event(conn, frame_of(Outgoing::push(push))),
            None => {
                self.known.waiting.insert(to.to_owned());
            }
        }
        self.known.retries.remember((from.id.clone(), client_msg_id), (to.to_owned(), seq, ts));
        Ok(ServerMsg::DmSent { with: to.to_owned(), seq, ts })
    }

    fn read(
        &mut self,
        reader: &str,
        with: &str,
        seq: Seq,
        batch: &mut Batch,
    ) -> Result<ServerMsg, DmError> {
        let (a, b) = conversation(reader, with);
        let latest = self.known.seqs.get(&(a.clone(), b.clone())).copied().unwrap_or(0);
        let seq = seq.min(latest);
        if seq == 0 {
            return Ok(ServerMsg::Ok);
        }
        let ts_ms = self.env.clock.now_ms();
        batch.write(Write::MarkDm { a, b, recipient: reader.to_owned(), seq, ts_ms, read: true });
        if !self.known.blocked_between(reader, with) {
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
    ) -> Result<ServerMsg, DmError> {
        if blocker == blocked {
            return Err(DmError::BlockSelf);
        }
        let (blocker, blocked) = (blocker.to_owned(), blocked.to_owned());
        let ts_ms = self.env.clock.now_ms();
        batch.write(Write::SetBlock {
            blocker: blocker.clone(),
            blocked: blocked.clone(),
            on,
            ts_ms,
        });
        if on {
            self.known.blocks.insert((blocker, blocked));
        } else {
            self.known.blocks.remove(&(blocker, blocked));
        }
        Ok(ServerMsg::Ok)
    }

    /// Reads the list from the store off the actor, adding who is online now.
    fn conversations(&self, conn: ConnHandle, id: RequestId, player: String) {
        let env = self.env.clone();
        let online: HashSet<PlayerId> = self
            .known
            .contacts
            .get(&player)
            .into_iter()
            .flatten()
            .filter(|c| self.online.contains_key(*c) && !self.known.blocked_between(&player, c))
            .cloned()
            .collect();
        let budget = self.settings.reply_bytes;
        self.env.tracker.spawn(async move {
            let me = player.clone();
            let list = env.read(move |store| store.conversations(&me)).await;
            let frame = match list {
                Ok(list) => {
                    let (conversations, truncated) =
                        super::pages::conversations(list, |c| online.contains(c), budget);
                    let reply = ServerMsg::Conversations { conversations, truncated };
                    frame_of(Outgoing::reply(id, reply))
                }
                Err(_) => {
                    env.metrics.error(ErrorCode::Internal);
                    let msg = "could not read the conversations";
                    frame_of(Outgoing::error(Some(id), ErrorCode::Internal, msg))
                }
            };
            conn.send(frame);
        });
    }
}

pub(super) fn frame_of(out: Outgoing) -> Utf8Bytes {
    Utf8Bytes::from(out.to_json())
}

fn reply_frame(id: RequestId, reply: Result<ServerMsg, DmError>) -> Utf8Bytes {
    match reply {
        Ok(msg) => frame_of(Outgoing::reply(id, msg)),
        Err(e) => frame_of(Outgoing::error(Some(id), e.code(), e.to_string())),
    }
}

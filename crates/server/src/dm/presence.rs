//! Presence: who is online, telling contacts, and handing a player what was stored for them
//! while they were away.

use std::collections::HashMap;

use capital_protocol::{Outgoing, ReceiptStatus, Seq, ServerMsg};
use capital_store::Write;

use super::hub::{Batch, Hub, Pair, frame_of};
use super::pages::Budget;
use super::pages::message;
use crate::conn::ConnHandle;
use crate::players::Player;

/// The most stored messages pushed at one connect, whatever their bytes (which
/// [`DmSettings::reply_bytes`](super::DmSettings) bounds); more stay waiting (listed as unread
/// in `conversations`, fetched with `dm_history`, and pushed at the next connect). Keeps a
/// reconnect from overflowing the connection's outbox, and bounds what is read for it.
const PUSH_AT_CONNECT: usize = 1000;

impl Hub {
    /// Tells `player`'s contacts (who may see it) that they came online or went offline.
    fn announce(&self, player: &str, name: &str, online: bool) {
        let Some(contacts) = self.known.contacts.get(player) else { return };
        let frame = frame_of(Outgoing::push(ServerMsg::Presence {
            player: player.to_owned(),
            name: name.to_owned(),
            online,
        }));
        for contact in contacts {
            if let Some((conn, _)) = self.online.get(contact)
                && !self.known.blocked_between(player, contact)
            {
                conn.send(frame.clone());
            }
        }
    }

    /// `player` is online on `conn`: contacts hear of it, and the messages stored for them are
    /// pushed in the order sent (as many as one reply's bytes hold; the rest stay waiting). Runs
    /// with nothing of the hub's on its way to the disk (so the read sees every message sent
    /// before). The delivered marks and the senders' receipts go in `batch`.
    pub(super) async fn online(&mut self, player: Player, conn: ConnHandle, batch: &mut Batch) {
        let was_online = self.online.contains_key(&player.id);
        self.online.insert(player.id.clone(), (conn.clone(), player.name.clone()));
        if !was_online {
            self.announce(&player.id, &player.name, true);
        }
        if !self.known.waiting.remove(&player.id) {
            return;
        }
        let me = player.id.clone();
        let read = self.env.read(move |store| store.undelivered(&me, PUSH_AT_CONNECT + 1));
        let waiting = match read.await {
            Ok(mut waiting) => {
                if waiting.len() > PUSH_AT_CONNECT {
                    waiting.truncate(PUSH_AT_CONNECT);
                    self.known.waiting.insert(player.id.clone()); // the rest, next time
                }
                waiting
            }
            Err(_) => {
                tracing::error!(player = %player.id, "could not read waiting direct messages");
                self.known.waiting.insert(player.id.clone());
                return;
            }
        };
        let now = self.env.clock.now_ms();
        let mut last_per_sender: HashMap<Pair, (String, Seq)> = HashMap::new();
        let mut budget = Budget::new(self.settings.reply_bytes);
        for dm in waiting {
            let frame = frame_of(Outgoing::push(ServerMsg::Dm { message: message(&dm) }));
            if !budget.take(frame.len()) {
                self.known.waiting.insert(player.id.clone()); // the rest, next time
                break;
            }
            // Stored already: these need not wait for anything.
            if !conn.send(frame) {
                // The connection is gone or too slow: they stay waiting for next time.
                self.known.waiting.insert(player.id.clone());
                break;
            }
            last_per_sender.insert((dm.a.clone(), dm.b.clone()), (dm.sender.clone(), dm.seq));
        }
        for ((a, b), (sender, seq)) in last_per_sender {
            let recipient = player.id.clone();
            batch.write(Write::MarkDm { a, b, recipient, seq, ts_ms: now, read: false });
            self.receipt(&sender, &player.id, seq, ReceiptStatus::Delivered, batch);
        }
    }

    /// A connection closed: if it was `player_id`'s, they are offline now.
    pub(super) fn offline(&mut self, player_id: &str, conn_id: u64) {
        let here = self.online.get(player_id).is_some_and(|(conn, _)| conn.id() == conn_id);
        if here && let Some((_, name)) = self.online.remove(player_id) {
            self.announce(player_id, &name, false);
        }
    }
}

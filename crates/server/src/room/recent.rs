//! A room's recent chat, kept in memory ([`ChatLog`]): the history sent on join, what a
//! resuming client missed, and the `client_msg_id`s that make a retried message a no-op. Also
//! the stored form turned into the form clients see.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, RandomState};

use capital_protocol::{ChatMessage, Seq};
use capital_store::ChatRecord;

/// A stored chat message as clients see it (one an admin removed, without its text).
pub(super) fn chat_message(c: ChatRecord) -> ChatMessage {
    ChatMessage {
        seq: c.seq,
        ts: c.ts_ms,
        from: c.player_id,
        name: c.name,
        text: if c.removed { String::new() } else { c.text },
        client_msg_id: c.client_msg_id,
        removed: c.removed,
    }
}

/// The last `capacity` messages of a room, oldest first.
#[derive(Debug)]
pub struct ChatLog {
    recent: VecDeque<ChatMessage>,
    capacity: usize,
    /// Whether messages older than the first in `recent` exist (in the store).
    has_older: bool,
    /// hash of (sender, client_msg_id) -> seq, for every message in `recent`. Keyed by the hash
    /// so that neither a lookup nor an insert copies the strings; a hit is checked against the
    /// message itself.
    ids: HashMap<u64, Seq>,
    hasher: RandomState,
}

impl ChatLog {
    /// A log holding at most `capacity` messages, starting from `stored` (oldest first; the
    /// most recent messages of the room) and whether older ones exist.
    pub fn new(capacity: usize, stored: Vec<ChatMessage>, has_older: bool) -> Self {
        let mut log = ChatLog {
            recent: VecDeque::new(),
            capacity,
            has_older,
            ids: HashMap::new(),
            hasher: RandomState::new(),
        };
        for msg in stored {
            log.push(msg);
        }
        log
    }

    /// Appends a message, forgetting the oldest beyond capacity.
    pub fn push(&mut self, msg: ChatMessage) {
        if self.recent.len() == self.capacity
            && let Some(old) = self.recent.pop_front()
        {
            let key = self.key(&old.from, &old.client_msg_id);
            if self.ids.get(&key) == Some(&old.seq) {
                self.ids.remove(&key);
            }
            self.has_older = true;
        }
        self.ids.insert(self.key(&msg.from, &msg.client_msg_id), msg.seq);
        self.recent.push_back(msg);
    }

    fn key(&self, from: &str, client_msg_id: &str) -> u64 {
        self.hasher.hash_one((from, client_msg_id))
    }

    /// Marks message `seq` removed (its text gone), if it is recent; returns whether it was
    /// there.
    pub fn remove(&mut self, seq: Seq) -> bool {
        let Ok(i) = self.recent.binary_search_by_key(&seq, |m| m.seq) else { return false };
        let msg = &mut self.recent[i];
        msg.removed = true;
        msg.text.clear();
        true
    }

    /// The message `from` already sent with `client_msg_id`, if it is recent.
    pub fn find_retry(&self, from: &str, client_msg_id: &str) -> Option<&ChatMessage> {
        let seq = *self.ids.get(&self.key(from, client_msg_id))?;
        // `recent` is in seq order.
        let i = self.recent.binary_search_by_key(&seq, |m| m.seq).ok()?;
        let msg = &self.recent[i];
        (msg.from == from && msg.client_msg_id == client_msg_id).then_some(msg)
    }

    /// The last `n` messages, and whether older ones exist.
    pub fn last(&self, n: usize) -> (Vec<ChatMessage>, bool) {
        let skip = self.recent.len().saturating_sub(n);
        let more = skip > 0 || self.has_older;
        (self.recent.iter().skip(skip).cloned().collect(), more)
    }

    /// Messages after `since` (at most `n`, the newest), and whether some after `since` are
    /// missing from the list (too old for memory, or beyond `n`).
    pub fn after(&self, since: Seq, n: usize) -> (Vec<ChatMessage>, bool) {
        let newer: Vec<&ChatMessage> = self.recent.iter().filter(|m| m.seq > since).collect();
        let covered = match self.recent.front() {
            // Everything after `since` is in memory if the oldest kept message is at or before
            // the first one after `since`, or nothing older was ever dropped.
            Some(first) => first.seq <= since + 1 || !self.has_older,
            None => !self.has_older,
        };
        let skip = newer.len().saturating_sub(n);
        let more = skip > 0 || !covered;
        (newer.into_iter().skip(skip).cloned().collect(), more)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(seq: Seq, from: &str, id: &str) -> ChatMessage {
        ChatMessage {
            seq,
            ts: seq,
            from: from.into(),
            name: from.into(),
            text: format!("m{seq}"),
            client_msg_id: id.into(),
            removed: false,
        }
    }

    fn seqs(v: &[ChatMessage]) -> Vec<Seq> {
        v.iter().map(|m| m.seq).collect()
    }

    #[test]
    fn keeps_the_last_messages_and_their_ids() {
        let mut log = ChatLog::new(3, vec![], false);
        for seq in 1..=5 {
            log.push(msg(seq, "a", &format!("c{seq}")));
        }
        let (last, more) = log.last(10);
        assert_eq!((seqs(&last), more), (vec![3, 4, 5], true));
        assert_eq!(log.find_retry("a", "c4").map(|m| m.seq), Some(4));
        assert!(log.find_retry("a", "c1").is_none(), "evicted ids are forgotten");
        assert!(log.find_retry("b", "c4").is_none(), "ids are per sender");
    }

    #[test]
    fn after_says_when_memory_does_not_cover_the_gap() {
        let log = ChatLog::new(3, vec![msg(10, "a", "x"), msg(12, "a", "y")], true);
        assert_eq!(seqs(&log.after(11, 10).0), vec![12]);
        assert!(!log.after(11, 10).1, "11 is just before... the first kept (10) covers it");
        assert!(log.after(5, 10).1, "messages between 5 and 10 are only in the store");
        assert!(log.after(12, 10).0.is_empty());
        let fresh = ChatLog::new(3, vec![msg(4, "a", "x")], false);
        assert!(!fresh.after(0, 10).1, "nothing was ever dropped");
        let (page, more) = fresh.after(0, 0);
        assert!(page.is_empty() && more, "cut by the page size");
    }
}

//! Retry detection for direct messages: the latest `client_msg_id`s, so that a retried `dm`
//! (the same sender and id) is answered as the first time and stored once, across restarts too.

use std::collections::{HashMap, VecDeque};

use capital_protocol::{PlayerId, Seq};
use capital_store::DmRecord;

/// `client_msg_id`s remembered (across all conversations).
pub(super) const RECENT_IDS: usize = 10_000;

/// What the first `dm_sent` said: the recipient, the seq and the time.
pub(super) type Sent = (PlayerId, Seq, u64);

/// The latest ids, oldest forgotten first.
#[derive(Debug, Default)]
pub(super) struct Retries {
    sent: HashMap<(PlayerId, String), Sent>,
    order: VecDeque<(PlayerId, String)>,
}

impl Retries {
    /// From the store's most recent messages, newest first.
    pub(super) fn from_recent(recent: Vec<DmRecord>) -> Self {
        let mut retries = Retries::default();
        for dm in recent.into_iter().rev() {
            let key = (dm.sender.clone(), dm.client_msg_id.clone());
            retries.remember(key, (dm.recipient().to_owned(), dm.seq, dm.ts_ms));
        }
        retries
    }

    /// What the message `sender` sent with `client_msg_id` was answered, if it is recent.
    pub(super) fn find(&self, sender: &str, client_msg_id: &str) -> Option<&Sent> {
        // Keyed by owned strings: a lookup builds the key once (DMs are not the hot path).
        self.sent.get(&(sender.to_owned(), client_msg_id.to_owned()))
    }

    /// Remembers a message, forgetting the oldest beyond [`RECENT_IDS`].
    pub(super) fn remember(&mut self, key: (PlayerId, String), sent: Sent) {
        if self.order.len() == RECENT_IDS
            && let Some(old) = self.order.pop_front()
        {
            self.sent.remove(&old);
        }
        self.order.push_back(key.clone());
        self.sent.insert(key, sent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_latest_ids_only() {
        let mut r = Retries::default();
        for i in 0..RECENT_IDS + 1 {
            r.remember(("pa".into(), format!("m{i}")), ("pb".into(), i as u64 + 1, 0));
        }
        assert!(r.find("pa", "m0").is_none(), "the oldest is forgotten");
        assert_eq!(r.find("pa", "m1").map(|s| s.1), Some(2));
        assert!(r.find("pb", "m1").is_none(), "ids are per sender");
    }
}

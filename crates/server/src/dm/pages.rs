//! Replies that carry stored messages, bounded in bytes as well as in count: a `dm_history`
//! page, what waited for a player at connect, and the `last` messages of `conversations`.
//!
//! A connection's outbox holds `outbox_kib`, and a client whose outbox fills is dropped. Were
//! these replies bounded in count only, anyone could send a player a few hundred of the largest
//! messages and have them dropped at every connect as they catch up. So each stops at a budget
//! ([`crate::config::Config::dm_reply_bytes`], a quarter of the outbox) and says so: a page
//! with `more`, the rest of the push left waiting, a conversation without its `last`. A page
//! and a push always carry at least one message, even one bigger than the budget (the
//! configuration makes sure the outbox holds two of the largest).
//!
//! The sizes are those of the messages' JSON, as they go out; the reply around them adds a few
//! dozen bytes.

use std::io;

use capital_protocol::{ConversationView, DirectMessage, PlayerId};
use capital_store::{ConversationRecord, DmRecord, Store, StoreError};

/// Messages read from the store at a time while filling a page: at most this many beyond the
/// page are in memory at once (1 MiB of sealed messages of the default `max_sealed_bytes`),
/// and the default page of 50 small ones takes two reads.
const CHUNK: usize = 32;

/// The bytes `value` takes as JSON, counted without building the text.
pub fn json_size(value: &impl serde::Serialize) -> usize {
    struct Count(usize);
    impl io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer(&mut count, value).expect("protocol types serialize");
    count.0
}

/// Where a `dm_history` page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// The oldest messages after this seq (catching up); `more`: newer ones remain.
    After(u64),
    /// The newest messages below this seq (all if `None`); `more`: older ones remain.
    Before(Option<u64>),
}

/// The bytes one reply may still take: the first message always goes (a reply carries at
/// least one), the others while they fit.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    used: usize,
    max: usize,
    taken: usize,
}

impl Budget {
    /// A budget of `max` bytes.
    pub fn new(max: usize) -> Self {
        Budget { used: 0, max, taken: 0 }
    }

    /// Whether `size` more bytes fit (without taking them).
    pub fn fits(&self, size: usize) -> bool {
        self.used + size <= self.max
    }

    /// Takes `size` bytes if they fit, or if nothing was taken yet.
    pub fn take(&mut self, size: usize) -> bool {
        if self.taken > 0 && !self.fits(size) {
            return false;
        }
        self.used += size;
        self.taken += 1;
        true
    }
}

/// Messages added to a page while they fit.
struct Filling {
    page: Vec<DirectMessage>,
    limit: usize,
    budget: Budget,
}

impl Filling {
    /// Adds `dm` if the page has room for it, in count and in bytes.
    fn add(&mut self, dm: &DmRecord) -> bool {
        if self.page.len() >= self.limit {
            return false;
        }
        let m = message(dm);
        if !self.budget.take(json_size(&m)) {
            return false;
        }
        self.page.push(m);
        true
    }

    /// How many to read next: one more than the page takes (to know whether more remain), a
    /// chunk at most.
    fn want(&self) -> usize {
        (self.limit + 1 - self.page.len()).min(CHUNK)
    }
}

/// A `dm_history` page of conversation (a, b): at most `limit` messages and `budget` bytes of
/// them (at least one message, if there is one), oldest first, and whether more remain in the
/// direction asked. Reads the store a chunk at a time (blocking: run it in a store read).
pub fn history(
    store: &dyn Store,
    (a, b): (&str, &str),
    start: Start,
    limit: usize,
    budget: usize,
) -> Result<(Vec<DirectMessage>, bool), StoreError> {
    let mut filling =
        Filling { page: Vec::new(), limit: limit.max(1), budget: Budget::new(budget) };
    let more = match start {
        Start::After(mut after) => 'read: loop {
            let want = filling.want();
            let chunk = store.dms_after(a, b, after, want)?;
            for dm in &chunk {
                if !filling.add(dm) {
                    break 'read true;
                }
                after = dm.seq;
            }
            if chunk.len() < want {
                break false;
            }
        },
        Start::Before(mut before) => {
            let more = 'read: loop {
                let want = filling.want();
                let chunk = store.dms_before(a, b, before, want)?;
                // Newest first, so that what does not fit is the oldest.
                for dm in chunk.iter().rev() {
                    if !filling.add(dm) {
                        break 'read true;
                    }
                    before = Some(dm.seq);
                }
                if chunk.len() < want {
                    break false;
                }
            };
            filling.page.reverse();
            more
        }
    };
    Ok((filling.page, more))
}

/// `conversations`, most recent first, within `budget` bytes: each entry carries its `last`
/// message if that still fits (a big one is left out, and a smaller one further down may still
/// fit); an entry that does not fit even without its `last` ends the list (the first is always
/// listed), and `true` says the oldest conversations were left out.
pub fn conversations(
    list: Vec<ConversationRecord>,
    online: impl Fn(&PlayerId) -> bool,
    budget: usize,
) -> (Vec<ConversationView>, bool) {
    let mut budget = Budget::new(budget);
    let mut views = Vec::new();
    for c in list {
        let mut view = ConversationView {
            online: online(&c.other),
            with: c.other,
            name: c.other_name,
            last: Some(message(&c.last)),
            unread: c.unread,
        };
        // Each entry with the comma before the next.
        if !budget.fits(json_size(&view) + 1) {
            view.last = None;
        }
        if !budget.take(json_size(&view) + 1) {
            return (views, true);
        }
        views.push(view);
    }
    (views, false)
}

/// A stored message as clients see it.
pub fn message(dm: &DmRecord) -> DirectMessage {
    DirectMessage {
        from: dm.sender.clone(),
        to: dm.recipient().to_owned(),
        seq: dm.seq,
        ts: dm.ts_ms,
        text: dm.text.clone(),
        sealed: dm.sealed.as_deref().and_then(|json| match serde_json::from_str(json) {
            Ok(sealed) => Some(sealed),
            Err(e) => {
                tracing::error!(from = %dm.sender, seq = dm.seq, "a stored envelope does not read: {e}");
                None
            }
        }),
        client_msg_id: dm.client_msg_id.clone(),
        delivered: dm.delivered_ms.is_some(),
        read: dm.read_ms.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use capital_store::{MemoryStore, Write};

    use super::*;

    fn dm(seq: u64, text: &str) -> DmRecord {
        DmRecord {
            a: "pa".into(),
            b: "pb".into(),
            seq,
            sender: if seq.is_multiple_of(2) { "pa" } else { "pb" }.into(),
            text: text.into(),
            sealed: None,
            client_msg_id: format!("m{seq}"),
            ts_ms: 1000 + seq,
            delivered_ms: None,
            read_ms: None,
        }
    }

    /// A conversation of `n` messages of `text`.
    async fn store_of(n: u64, text: &str) -> MemoryStore {
        let store = MemoryStore::new();
        for seq in 1..=n {
            store.commit(Write::AppendDm(dm(seq, text)).into()).await.unwrap();
        }
        store
    }

    fn seqs(
        store: &MemoryStore,
        start: Start,
        limit: usize,
        budget: usize,
    ) -> (Vec<u64>, bool, usize) {
        let (page, more) = history(store, ("pa", "pb"), start, limit, budget).unwrap();
        let bytes = page.iter().map(json_size).sum();
        (page.iter().map(|m| m.seq).collect(), more, bytes)
    }

    #[tokio::test]
    async fn pages_stop_at_their_bytes_and_keep_their_direction() {
        let store = store_of(10, &"x".repeat(1000)).await;
        let one = json_size(&message(&dm(1, &"x".repeat(1000))));
        let budget = 3 * one + one / 2;
        // Catching up: the oldest after `after`, three a page, `more` until the newest.
        let mut after = 0;
        let mut pages = Vec::new();
        loop {
            let (page, more, bytes) = seqs(&store, Start::After(after), 50, budget);
            assert!(bytes <= budget, "{bytes}");
            after = *page.last().unwrap();
            pages.push(page);
            if !more {
                break;
            }
        }
        assert_eq!(pages, [vec![1, 2, 3], vec![4, 5, 6], vec![7, 8, 9], vec![10]]);
        // Paging back: the newest below `before`, oldest first, `more` while older remain.
        assert_eq!(seqs(&store, Start::Before(None), 50, budget).0, [8, 9, 10]);
        assert!(seqs(&store, Start::Before(None), 50, budget).1);
        assert_eq!(seqs(&store, Start::Before(Some(8)), 50, budget).0, [5, 6, 7]);
        let (page, more, _) = seqs(&store, Start::Before(Some(2)), 50, budget);
        assert_eq!((page, more), (vec![1], false));
        // The count still bounds them, and `more` is exact at the edges.
        let big = 1 << 20;
        assert_eq!(seqs(&store, Start::After(0), 2, big).0, [1, 2]);
        assert!(seqs(&store, Start::After(0), 2, big).1);
        assert!(!seqs(&store, Start::After(8), 2, big).1, "9 and 10 are the last");
        assert!(!seqs(&store, Start::Before(None), 10, big).1, "all ten");
        assert_eq!(seqs(&store, Start::Before(None), 9, big).0, (2..=10).collect::<Vec<_>>());
        assert!(seqs(&store, Start::Before(None), 9, big).1);
        // A page always carries one message, however small its budget.
        assert_eq!(seqs(&store, Start::After(0), 50, 10).0, [1]);
        assert_eq!(seqs(&store, Start::Before(None), 50, 10).0, [10]);
        // Nothing there: an empty page.
        assert_eq!(seqs(&store, Start::After(10), 50, big), (vec![], false, 0));
    }

    #[tokio::test]
    async fn pages_read_in_chunks_across_their_edges() {
        let n = CHUNK as u64 + 8;
        let store = store_of(n, "hi").await;
        let big = 1 << 20;
        let (page, more, _) = seqs(&store, Start::After(0), 200, big);
        assert_eq!((page, more), ((1..=n).collect(), false));
        let (page, more, _) = seqs(&store, Start::After(0), CHUNK + 3, big);
        assert_eq!((page.len(), more), (CHUNK + 3, true));
        let (page, more, _) = seqs(&store, Start::Before(None), CHUNK + 3, big);
        assert_eq!((page, more), ((6..=n).collect(), true));
        let (page, more, _) = seqs(&store, Start::Before(None), 200, big);
        assert_eq!((page.len(), more), (n as usize, false));
    }

    fn conversation(other: &str, text: &str) -> ConversationRecord {
        ConversationRecord {
            other: other.into(),
            other_name: other.to_uppercase(),
            last: DmRecord { a: "pa".into(), b: other.into(), ..dm(1, text) },
            unread: 1,
        }
    }

    #[test]
    fn conversations_leave_out_the_lasts_that_do_not_fit_then_the_oldest() {
        let list = vec![
            conversation("pb", "hi"),
            conversation("pc", &"x".repeat(5000)),
            conversation("pd", "yo"),
        ];
        let (views, truncated) = conversations(list.clone(), |p| p == "pb", 2000);
        assert!(!truncated);
        let lasts: Vec<bool> = views.iter().map(|v| v.last.is_some()).collect();
        assert_eq!(lasts, [true, false, true], "the big one alone goes without its last");
        assert!(views[0].online && !views[1].online);
        assert_eq!(views[1].unread, 1, "still counted");
        // Past the budget, even without their lasts: the oldest are left out.
        let many: Vec<_> = (0..100).map(|i| conversation(&format!("p{i:03}"), "hi")).collect();
        let (views, truncated) = conversations(many, |_| false, 2000);
        assert!(truncated && views.len() < 100 && !views.is_empty(), "{}", views.len());
        let bytes: usize = views.iter().map(|v| json_size(v) + 1).sum();
        assert!(bytes <= 2000, "{bytes}");
        assert_eq!(views[0].with, "p000", "the most recent kept");
    }
}

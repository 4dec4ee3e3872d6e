//! Durable, then send: the one write path of every actor that changes stored state (the rooms
//! and the direct-message hub).
//!
//! An actor works in batches. For each batch it applies requests to its memory and fills a
//! [`Batch`]: the store writes the changes need, the frames to send (replies and events), and
//! work of its own to do afterwards (reads that must see the writes). [`Pipeline::submit`] hands
//! the writes to the store as one [`WriteBatch`] (one transaction) of the actor's [`Chain`], and
//! keeps the frames until the store says the writes are durable. Meanwhile the actor goes on with
//! its next batch: up to [`MAX_IN_FLIGHT`] batches are on their way to the disk at once, and they
//! are delivered in order ([`Pipeline::durable`]).
//!
//! The actor's memory runs ahead of the disk, but nobody can see it: the only way out of an
//! actor is a frame, and frames wait. When a batch fails, the pipeline answers for it and for
//! every batch after it (they were built on the state that failed): each reply becomes an
//! `internal` error, events are dropped, and the actor gets [`Delivered::Failed`] with its own
//! after-work, so it can put its memory back in line with the store (the hook: reload) and
//! [`Pipeline::restart`] the chain. So nothing is acknowledged, delivered, enforced or
//! remembered that the store did not commit.
//!
//! Everything about how writes reach the disk is here: a later change can batch harder (merge
//! batches, wait a little longer) without changing the actors.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use capital_protocol::{ErrorCode, Outgoing, RequestId};
use capital_store::{Chain, Store, StoreError, Write, WriteBatch};
use tungstenite::Utf8Bytes;

use crate::conn::ConnHandle;
use crate::metrics::Metrics;

/// Most batches on their way to the disk at once; beyond, the actor waits for the oldest.
pub const MAX_IN_FLIGHT: usize = 4;

/// What a failed write turns a waiting reply into.
const NOT_SAVED: &str = "the server could not save that; try again";

/// A frame for one connection.
pub struct Out {
    /// Where it goes.
    pub conn: ConnHandle,
    /// The frame.
    pub frame: Utf8Bytes,
    /// `Some(id)` for the reply to request `id` (an error if the batch fails), `None` for an
    /// event (dropped if the batch fails).
    pub reply_to: Option<RequestId>,
}

/// One batch's writes, frames and after-work (`A`: the actor's own type).
pub struct Batch<A> {
    writes: WriteBatch,
    out: Vec<Out>,
    /// The bytes of the frames in `out`.
    out_bytes: usize,
    after: Vec<A>,
}

impl<A> Default for Batch<A> {
    fn default() -> Self {
        Batch { writes: WriteBatch::new(), out: Vec::new(), out_bytes: 0, after: Vec::new() }
    }
}

impl<A> Batch<A> {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// A write the batch needs.
    pub fn write(&mut self, write: Write) {
        self.writes.push(write);
    }

    /// How many writes so far (an actor compares before and after a request to know whether it
    /// wrote).
    pub fn writes(&self) -> usize {
        self.writes.len()
    }

    /// An event for `conn`, sent once the batch is durable.
    pub fn event(&mut self, conn: ConnHandle, frame: Utf8Bytes) {
        self.out_bytes += frame.len();
        self.out.push(Out { conn, frame, reply_to: None });
    }

    /// The reply to request `id`, sent once the batch is durable (an error if it fails).
    pub fn reply(&mut self, conn: ConnHandle, id: RequestId, frame: Utf8Bytes) {
        self.out_bytes += frame.len();
        self.out.push(Out { conn, frame, reply_to: Some(id) });
    }

    /// The bytes of the frames queued so far (an actor compares before and after a request to
    /// know what it sent for it).
    pub fn out_bytes(&self) -> usize {
        self.out_bytes
    }

    /// Room for `n` more frames.
    pub fn reserve(&mut self, n: usize) {
        self.out.reserve(n);
    }

    /// Work the actor does once the batch is durable (it gets it back from
    /// [`Pipeline::durable`]).
    pub fn after(&mut self, work: A) {
        self.after.push(work);
    }
}

/// How a batch ended.
#[derive(Debug)]
pub enum Delivered<A> {
    /// Durable; its frames were sent. The after-work is the actor's to do now.
    Sent(Vec<A>),
    /// Its writes failed: its replies and those of every batch after it were answered
    /// `internal`, their events dropped. The after-work of all of them is returned, to be
    /// answered as failed. The actor must reload what it keeps from the store, then
    /// [`Pipeline::restart`].
    Failed {
        /// Why.
        error: StoreError,
        /// The after-work of the failed batches, oldest first.
        after: Vec<A>,
    },
}

/// A batch whose writes were handed to the store.
struct InFlight<A> {
    /// Resolves when the writes are durable (or failed).
    durable: Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send>>,
    out: Vec<Out>,
    after: Vec<A>,
    started: Instant,
}

/// An actor's write path.
pub struct Pipeline<A> {
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    chain: Chain,
    /// Oldest first.
    in_flight: VecDeque<InFlight<A>>,
}

impl<A: Send + 'static> Pipeline<A> {
    /// A pipeline to `store`, on a chain of its own.
    pub fn new(store: Arc<dyn Store>, metrics: Arc<Metrics>) -> Self {
        Pipeline { store, metrics, chain: Chain::new(), in_flight: VecDeque::new() }
    }

    /// Whether another batch may be submitted now.
    pub fn has_room(&self) -> bool {
        self.in_flight.len() < MAX_IN_FLIGHT
    }

    /// Whether no batch is on its way.
    pub fn is_idle(&self) -> bool {
        self.in_flight.is_empty()
    }

    /// Hands a batch on. With no writes and nothing before it on the way, its frames go out at
    /// once and its after-work comes back; otherwise it waits its turn in [`Pipeline::durable`].
    pub fn submit(&mut self, batch: Batch<A>) -> Option<Vec<A>> {
        let Batch { mut writes, out, after, .. } = batch;
        if writes.is_empty() && self.in_flight.is_empty() {
            send(out);
            return Some(after);
        }
        let durable: Pin<Box<dyn Future<Output = _> + Send>> = if writes.is_empty() {
            Box::pin(std::future::ready(Ok(())))
        } else {
            writes.set_chain(Some(self.chain));
            Box::pin(self.store.commit(writes))
        };
        self.in_flight.push_back(InFlight { durable, out, after, started: Instant::now() });
        None
    }

    /// Waits until the oldest batch on its way is durable (or failed) and delivers it. Never
    /// completes while nothing is on its way (for `select!`).
    pub async fn durable(&mut self) -> Delivered<A> {
        let Some(front) = self.in_flight.front_mut() else {
            return std::future::pending().await;
        };
        let result = (&mut front.durable).await;
        let done = self.in_flight.pop_front().expect("the front batch was just polled");
        self.metrics.db_write(done.started.elapsed());
        match result {
            Ok(()) => {
                send(done.out);
                Delivered::Sent(done.after)
            }
            Err(error) => {
                let mut after = Vec::new();
                for batch in std::iter::once(done).chain(self.in_flight.drain(..)) {
                    for out in batch.out {
                        if let Some(id) = out.reply_to {
                            self.metrics.error(ErrorCode::Internal);
                            out.conn.send(error_frame(id, ErrorCode::Internal, NOT_SAVED));
                        }
                    }
                    after.extend(batch.after);
                }
                Delivered::Failed { error, after }
            }
        }
    }

    /// Delivers every batch on its way, in order.
    pub async fn drain(&mut self) -> Vec<Delivered<A>> {
        let mut delivered = Vec::new();
        while !self.in_flight.is_empty() {
            delivered.push(self.durable().await);
        }
        delivered
    }

    /// After a failure, once the actor's memory matches the store again: its batches are
    /// accepted again.
    pub fn restart(&mut self) {
        self.chain = self.chain.restarted();
    }
}

fn send(out: Vec<Out>) {
    for Out { conn, frame, .. } in out {
        conn.send(frame);
    }
}

/// An error reply as a frame.
pub fn error_frame(id: RequestId, code: ErrorCode, message: &str) -> Utf8Bytes {
    Utf8Bytes::from(Outgoing::error(Some(id), code, message).to_json())
}

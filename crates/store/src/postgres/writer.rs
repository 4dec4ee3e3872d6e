//! The writer task: the only one that writes. It takes every batch queued while the previous
//! commit was under way and commits them together in one transaction (group commit), then
//! answers each batch's ticket.
//!
//! The rules are those of the SQLite writer (`sqlite::writer`): a batch is never split and is
//! all or nothing; a batch refused by a constraint is answered
//! [`StoreError::Conflict`] and the group is committed again without it (PostgreSQL aborts the
//! whole transaction at the first error, so the group is rolled back and re-sent); any other
//! error fails every batch of the group; failed batches mark their chains failed. After a
//! failure the writer tries a small write of its own every [`PROBE_EVERY`] when nothing else
//! arrives, so [`Health::writable`] turns true again once the database takes writes.
//!
//! The statements of a group are sent pipelined: all of them, then all the answers, in order.
//! The first error in that order is the one that aborted the transaction (the statements after
//! it fail only because it did).

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;
use futures_util::future::join_all;
use tokio::sync::mpsc;

use super::apply::{Planned, plan};
use super::{is_constraint, pg_error, pool_error};
use crate::StoreError;
use crate::group::{self, Group, Outcome};
use crate::health::Health;
use crate::write::{Chain, FailedChains, WriteBatch};

/// Most batches committed in one transaction. Bounds the latency one group adds to the next.
const MAX_GROUP: usize = 4096;

/// How often a writer that cannot write tries again when nothing else arrives.
const PROBE_EVERY: Duration = Duration::from_secs(1);

pub(super) use crate::group::Done;

/// What the writer is asked to do.
pub(super) enum Msg {
    /// Commit a batch.
    Commit(WriteBatch, Done),
    /// Answer once everything before is durable; while writes fail, try one.
    Flush(Done),
}

impl Msg {
    /// Where the answer goes.
    pub(super) fn into_done(self) -> Done {
        match self {
            Msg::Commit(_, done) | Msg::Flush(done) => done,
        }
    }
}

/// The writer's state.
pub(super) struct Writer {
    pool: Pool,
    failed: FailedChains,
    health: Arc<Health>,
}

/// The statement a probe writes (to learn whether writing works again).
const PROBE: &str = "UPDATE health SET probed_ms = probed_ms + 1 WHERE id = 1";

impl Writer {
    pub(super) fn new(pool: Pool, health: Arc<Health>) -> Self {
        Writer { pool, failed: FailedChains::default(), health }
    }

    /// Serves `rx` until every sender is gone.
    pub(super) async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Msg>) {
        let mut group: Group = Vec::with_capacity(64);
        loop {
            let first = if self.health.writable() {
                match rx.recv().await {
                    Some(msg) => msg,
                    None => break,
                }
            } else {
                match tokio::time::timeout(PROBE_EVERY, rx.recv()).await {
                    Ok(Some(msg)) => msg,
                    Ok(None) => break,
                    Err(_) => {
                        self.commit_group(&mut group).await;
                        continue;
                    }
                }
            };
            let mut next = Some(first);
            while let Some(msg) = next.take() {
                match msg {
                    Msg::Commit(batch, done) => group.push((Some(batch), done)),
                    Msg::Flush(done) => group.push((None, done)),
                }
                if group.len() < MAX_GROUP {
                    next = rx.try_recv().ok();
                }
            }
            self.commit_group(&mut group).await;
        }
    }

    /// Commits a group in one transaction and answers each of its batches. An empty group
    /// commits nothing, unless writes are failing: then it tries a write of its own.
    async fn commit_group(&mut self, group: &mut Group) {
        let probe = !self.health.writable();
        if group.is_empty() && !probe {
            return;
        }
        let mut outcomes: Vec<Outcome> = group.iter().map(|_| Outcome::Pending).collect();
        let result = self.transaction(group, &mut outcomes, probe).await;
        match &result {
            Ok(()) => {
                if self.health.set_failing(false) {
                    tracing::warn!("the store writes again");
                }
                self.health.committed();
            }
            Err(e) => {
                if !self.health.set_failing(true) {
                    tracing::error!(error = %e, "a write transaction failed; retrying as writes come");
                }
            }
        }
        group::answer(group, outcomes, &result, &mut self.failed);
    }

    /// Applies a group in one transaction; `outcomes` (one per batch, all `Pending` at first)
    /// says how each ended. Returns the error that rolled the whole transaction back, if one
    /// did.
    async fn transaction(
        &mut self,
        group: &Group,
        outcomes: &mut [Outcome],
        probe: bool,
    ) -> Result<(), StoreError> {
        let mut client = self.pool.get().await.map_err(pool_error)?;
        // Batches refused in an earlier attempt, and their chains: a later batch of the same
        // chain is skipped, an earlier one is kept.
        let mut refused: Vec<(usize, Option<Chain>)> = Vec::new();
        let result = 'attempt: loop {
            // Which batch each statement belongs to (`None`: the probe's).
            let mut planned: Vec<Planned> = Vec::new();
            let mut owner: Vec<Option<usize>> = Vec::new();
            for (i, (batch, _)) in group.iter().enumerate() {
                let Some(batch) = batch else { continue };
                if !group::admit(batch, i, outcomes, &refused, &mut self.failed) {
                    continue;
                }
                for write in batch.writes() {
                    plan(write, &mut planned);
                }
                owner.resize(planned.len(), Some(i));
            }
            if probe {
                planned.push(Planned { sql: PROBE, params: Vec::new() });
                owner.push(None);
            }
            let tx = match client.transaction().await {
                Ok(tx) => tx,
                Err(e) => break 'attempt Err(pg_error(e)),
            };
            let mut statements = Vec::with_capacity(planned.len());
            for p in &planned {
                match tx.prepare_cached(p.sql).await {
                    Ok(statement) => statements.push(statement),
                    Err(e) => break 'attempt Err(pg_error(e)),
                }
            }
            let params: Vec<_> = planned.iter().map(Planned::refs).collect();
            let answers =
                join_all(statements.iter().zip(&params).map(|(st, p)| tx.execute(st, p))).await;
            let first_error =
                answers.into_iter().enumerate().find_map(|(k, a)| a.err().map(|e| (k, e)));
            match first_error {
                None => break tx.commit().await.map_err(pg_error),
                Some((k, e)) => {
                    let _ = tx.rollback().await;
                    match owner[k] {
                        Some(i) if is_constraint(&e) => {
                            tracing::warn!(error = %e, "a write was refused");
                            let chain = group[i].0.as_ref().and_then(WriteBatch::chain);
                            refused.push((i, chain));
                            outcomes[i] = Outcome::Done(Err(pg_error(e)));
                            continue 'attempt;
                        }
                        _ => break 'attempt Err(pg_error(e)),
                    }
                }
            }
        };
        for (_, chain) in refused {
            self.failed.fail(chain);
        }
        result
    }
}

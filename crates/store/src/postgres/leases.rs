//! Room leases, for a cluster of nodes on one database: which node runs each room, and until
//! when. A room runs on the node that holds its lease; the node renews all its leases (and its
//! own heartbeat) in one statement every second or so, and a lease that was not renewed in
//! time can be taken by another node, which then rebuilds the room from the store.
//!
//! Time is the database's (`clock_timestamp()`), so the nodes' clocks need not agree. Taking a
//! lease is one conditional upsert: of two nodes that try at once, exactly one gets it.

use std::time::Duration;

use deadpool_postgres::Pool;

use super::{pg_error, pool_error};
use crate::StoreError;

/// A room's lease as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The room's code.
    pub code: String,
    /// The room's id.
    pub room_id: i64,
    /// The node that holds it.
    pub node: String,
}

/// The leases of one database. Cheap to clone; every call runs on the store's own runtime, so
/// it may be awaited from any async code.
#[derive(Clone)]
pub struct Leases {
    pool: Pool,
    runtime: tokio::runtime::Handle,
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Leases {
    pub(super) fn new(pool: Pool, runtime: tokio::runtime::Handle) -> Self {
        Leases { pool, runtime }
    }

    /// Runs `task` on the store's runtime, with the store's timeout.
    async fn run<T: Send + 'static>(
        &self,
        task: impl Future<Output = Result<T, StoreError>> + Send + 'static,
    ) -> Result<T, StoreError> {
        let task = self.runtime.spawn(async move {
            tokio::time::timeout(super::TIMEOUT, task)
                .await
                .map_err(|_| StoreError::Database("the database did not answer in time".into()))?
        });
        task.await.map_err(|_| StoreError::Closed)?
    }

    /// Takes (or renews) the lease of room `code` (id `room_id`) for `node`, for `ttl`: true
    /// if `node` holds it now, false if another node holds a lease that has not run out.
    pub async fn claim(
        &self,
        code: &str,
        room_id: i64,
        node: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let (code, node, ttl) = (code.to_owned(), node.to_owned(), millis(ttl));
        let pool = self.pool.clone();
        self.run(async move {
            let client = pool.get().await.map_err(pool_error)?;
            let rows = client
                .query(
                    "INSERT INTO room_leases (code, room_id, node, until) \
                     VALUES ($1, $2, $3, clock_timestamp() + $4::bigint * interval '1 millisecond') \
                     ON CONFLICT (code) DO UPDATE \
                     SET room_id = excluded.room_id, node = excluded.node, until = excluded.until \
                     WHERE room_leases.node = excluded.node \
                        OR room_leases.until < clock_timestamp() \
                     RETURNING node",
                    &[&code, &room_id, &node, &ttl],
                )
                .await
                .map_err(pg_error)?;
            Ok(!rows.is_empty())
        })
        .await
    }

    /// Renews every lease `node` holds, and its heartbeat, for `ttl`; returns the codes it
    /// still holds (a lease another node took is not among them).
    pub async fn renew(&self, node: &str, ttl: Duration) -> Result<Vec<String>, StoreError> {
        let (node, ttl) = (node.to_owned(), millis(ttl));
        let pool = self.pool.clone();
        self.run(async move {
            let client = pool.get().await.map_err(pool_error)?;
            client
                .execute(
                    "INSERT INTO cluster_nodes (node, until) \
                     VALUES ($1, clock_timestamp() + $2::bigint * interval '1 millisecond') \
                     ON CONFLICT (node) DO UPDATE SET until = excluded.until",
                    &[&node, &ttl],
                )
                .await
                .map_err(pg_error)?;
            let rows = client
                .query(
                    "UPDATE room_leases \
                     SET until = clock_timestamp() + $2::bigint * interval '1 millisecond' \
                     WHERE node = $1 RETURNING code",
                    &[&node, &ttl],
                )
                .await
                .map_err(pg_error)?;
            Ok(rows.iter().map(|row| row.get(0)).collect())
        })
        .await
    }

    /// Lets go of room `code`'s lease, if `node` holds it (the room closed).
    pub async fn release(&self, code: &str, node: &str) -> Result<(), StoreError> {
        let (code, node) = (code.to_owned(), node.to_owned());
        let pool = self.pool.clone();
        self.run(async move {
            let client = pool.get().await.map_err(pool_error)?;
            client
                .execute("DELETE FROM room_leases WHERE code = $1 AND node = $2", &[&code, &node])
                .await
                .map_err(pg_error)?;
            Ok(())
        })
        .await
    }

    /// Leases that ran out: rooms whose node stopped renewing them.
    pub async fn expired(&self) -> Result<Vec<Lease>, StoreError> {
        let pool = self.pool.clone();
        self.run(async move {
            let client = pool.get().await.map_err(pool_error)?;
            let rows = client
                .query(
                    "SELECT code, room_id, node FROM room_leases \
                     WHERE until < clock_timestamp() ORDER BY code",
                    &[],
                )
                .await
                .map_err(pg_error)?;
            Ok(rows
                .iter()
                .map(|row| Lease { code: row.get(0), room_id: row.get(1), node: row.get(2) })
                .collect())
        })
        .await
    }

    /// Whether room `code` has a lease, live or not (none: no node ever ran an open room by
    /// that code, or it closed).
    pub async fn exists(&self, code: &str) -> Result<bool, StoreError> {
        let code = code.to_owned();
        let pool = self.pool.clone();
        self.run(async move {
            let client = pool.get().await.map_err(pool_error)?;
            let row = client
                .query_opt("SELECT 1 FROM room_leases WHERE code = $1", &[&code])
                .await
                .map_err(pg_error)?;
            Ok(row.is_some())
        })
        .await
    }

    /// The nodes whose heartbeat has not run out.
    pub async fn live_nodes(&self) -> Result<Vec<String>, StoreError> {
        let pool = self.pool.clone();
        self.run(async move {
            let client = pool.get().await.map_err(pool_error)?;
            let rows = client
                .query(
                    "SELECT node FROM cluster_nodes WHERE until >= clock_timestamp() \
                     ORDER BY node",
                    &[],
                )
                .await
                .map_err(pg_error)?;
            Ok(rows.iter().map(|row| row.get(0)).collect())
        })
        .await
    }
}

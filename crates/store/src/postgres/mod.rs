//! The PostgreSQL backend, for several nodes sharing one database (docs/scale-out.md).
//!
//! The driver is `tokio-postgres` with a `deadpool-postgres` pool, on a small runtime of the
//! store's own (two worker threads), so that the store keeps the synchronous interface every
//! backend has: a read blocks the calling thread (async callers run it on a blocking thread, as
//! they do for SQLite) while the runtime drives the connections.
//!
//! Durability is the same promise as SQLite's: one writer task takes every batch queued while
//! the previous commit was under way and commits them in one transaction (group commit), with
//! `synchronous_commit = on`, so a ticket resolves `Ok` only once PostgreSQL has flushed the
//! commit to its write-ahead log. The statements of a group are pipelined: sent together, their
//! answers awaited together, one round trip per group rather than per statement.
//!
//! A commit whose answer is lost (the connection drops while `COMMIT` is on its way) is reported
//! as failed although PostgreSQL may have applied it: the owner's chain is then marked failed,
//! and the owner reloads what the store holds before it goes on, so its memory never holds more
//! than the store.
//!
//! One node uses a database at a time: the store holds a session advisory lock for as long as
//! it is open, and a second node on the same database is refused at start. (Rooms shared by
//! several nodes need each room owned by one node: that is the cluster's part.)
//!
//! The connections are plain, or TLS when the server is given the database's CA certificate
//! ([`PostgresStore::connect_tls`]): then TLS is required and the database's certificate is
//! checked against that CA and the URL's host.
//!
//! # Layout
//! - [`schema`]: the migrations.
//! - [`writer`]: the writer task (group commit, refused batches, failed chains, health).
//! - [`apply`]: the statements each write is made of.
//! - [`rows`], [`reads`] and [`dm_reads`]: reading records back.
//! - [`import`]: copying a SQLite database in (moving a server from one to the other).

mod apply;
mod dm_reads;
mod import;
mod leases;
mod reads;
mod rows;
mod schema;
mod writer;

pub use leases::{Lease, Leases};

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio::sync::mpsc;

use crate::health::Health;
use crate::{Store, StoreError, Ticket, WriteBatch};
use writer::{Msg, Writer};

/// Connections the pool keeps at most (the writer's among them).
const POOL_SIZE: usize = 16;

/// How long a read or a connection waits for the database before it fails.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The PostgreSQL-backed [`Store`].
pub struct PostgresStore {
    /// Drives the connections and the writer task. `None` once dropped.
    runtime: Option<tokio::runtime::Runtime>,
    pool: Pool,
    /// To the writer task. `None` once dropping.
    writer: Option<mpsc::UnboundedSender<Msg>>,
    /// Told when the writer task has finished its last group.
    writer_done: std::sync::Mutex<std::sync::mpsc::Receiver<()>>,
    health: Arc<Health>,
    /// The connection holding the database's node lock, a session advisory lock, which
    /// PostgreSQL lets go when the connection ends, also when the process was killed (none
    /// for a tool's store).
    _node_lock: Option<deadpool_postgres::Object>,
}

/// The advisory lock one node holds on its database ("capnode" in ASCII).
const NODE_LOCK: i64 = 0x0063_6170_6e6f_6465;

/// How long a starting node waits for the node lock.
const NODE_LOCK_WAIT: Duration = Duration::from_secs(3);

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/dbname`) without
    /// TLS, brings its schema up to date and starts the writer. A URL asking for TLS
    /// (`sslmode=require`) is refused: use [`PostgresStore::connect_tls`].
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        Self::open(url, None, true)
    }

    /// Like [`PostgresStore::connect`], over TLS (required, whatever the URL's `sslmode`):
    /// the database's certificate must chain to one of the certificates in `ca_pem` and name
    /// the URL's host.
    pub fn connect_tls(url: &str, ca_pem: &[u8]) -> Result<Self, StoreError> {
        Self::open(url, Some(ca_pem), true)
    }

    /// A connection for a command-line tool (`capital admin`) beside a running node: like
    /// [`PostgresStore::connect`] (over TLS with `ca_pem`), without the node lock. It must only
    /// write what a running node does not hold in memory (an admin flag, the audit log).
    pub fn connect_as_tool(url: &str, ca_pem: Option<&[u8]>) -> Result<Self, StoreError> {
        Self::open(url, ca_pem, false)
    }

    /// A node of a cluster (docs/scale-out.md): like [`PostgresStore::connect`] (over TLS
    /// with `ca_pem`), without the node lock: the nodes share the database, and each room runs
    /// on the node that holds its lease ([`PostgresStore::leases`]).
    pub fn connect_shared(url: &str, ca_pem: Option<&[u8]>) -> Result<Self, StoreError> {
        Self::open(url, ca_pem, false)
    }

    /// The database's room leases, for a cluster's nodes.
    pub fn leases(&self) -> Result<Leases, StoreError> {
        let runtime = self.runtime.as_ref().ok_or(StoreError::Closed)?;
        Ok(Leases::new(self.pool.clone(), runtime.handle().clone()))
    }

    fn open(url: &str, ca_pem: Option<&[u8]>, node: bool) -> Result<Self, StoreError> {
        let mut config: tokio_postgres::Config =
            url.parse().map_err(|e| StoreError::Database(format!("the store's URL: {e}")))?;
        // What "acknowledged means committed" rests on, whatever the server's default is.
        config.options("-c synchronous_commit=on");
        config.application_name("capital");
        config.connect_timeout(TIMEOUT);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("capital-pg")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Database(format!("cannot start the store's runtime: {e}")))?;
        let manager_config = ManagerConfig { recycling_method: RecyclingMethod::Fast };
        let manager = match ca_pem {
            Some(pem) => {
                config.ssl_mode(tokio_postgres::config::SslMode::Require);
                let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls_config(pem)?);
                Manager::from_config(config, tls, manager_config)
            }
            None if config.get_ssl_mode() == tokio_postgres::config::SslMode::Require => {
                return Err(StoreError::Database(
                    "the store's URL asks for TLS (sslmode=require): give the database's CA \
                     certificate too (store_ca)"
                        .into(),
                ));
            }
            None => Manager::from_config(config, tokio_postgres::NoTls, manager_config),
        };
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(TIMEOUT))
            .create_timeout(Some(TIMEOUT))
            .build()
            .map_err(|e| StoreError::Database(format!("the store's pool: {e}")))?;
        let node_lock = runtime.block_on(async {
            let mut client = pool.get().await.map_err(pool_error)?;
            schema::migrate(&mut client).await?;
            if !node {
                return Ok(None);
            }
            // A node that was just killed holds it until PostgreSQL sees its connection end
            // (at once, as a rule): a node restarted at once waits for that.
            let deadline = tokio::time::Instant::now() + NODE_LOCK_WAIT;
            let locked = loop {
                let locked: bool = client
                    .query_one("SELECT pg_try_advisory_lock($1)", &[&NODE_LOCK])
                    .await
                    .map_err(pg_error)?
                    .get(0);
                if locked || tokio::time::Instant::now() >= deadline {
                    break locked;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            };
            if !locked {
                return Err(StoreError::Database(
                    "another Capital node is using this database (one node per database, \
                     until the cluster of docs/scale-out.md)"
                        .into(),
                ));
            }
            Ok(Some(client))
        })?;
        let health = Arc::new(Health::default());
        let (tx, rx) = mpsc::unbounded_channel();
        let (done_tx, writer_done) = std::sync::mpsc::channel();
        let writer = Writer::new(pool.clone(), health.clone());
        runtime.spawn(async move {
            writer.run(rx).await;
            let _ = done_tx.send(());
        });
        Ok(PostgresStore {
            runtime: Some(runtime),
            pool,
            writer: Some(tx),
            writer_done: std::sync::Mutex::new(writer_done),
            health,
            _node_lock: node_lock,
        })
    }

    fn submit(&self, msg: impl FnOnce(writer::Done) -> Msg) -> Ticket {
        let (done, ticket) = Ticket::pending();
        let msg = msg(done);
        match &self.writer {
            Some(writer) => {
                if let Err(mpsc::error::SendError(msg)) = writer.send(msg) {
                    let _ = msg.into_done().send(Err(StoreError::Closed));
                }
            }
            None => {
                let _ = msg.into_done().send(Err(StoreError::Closed));
            }
        }
        ticket
    }

    /// Runs `f` on a pooled connection, blocking this thread until it is done. Not for async
    /// code (like every store's reads: see [`Store::reads_block`]).
    fn read<T>(
        &self,
        f: impl AsyncFnOnce(&deadpool_postgres::Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let runtime = self.runtime.as_ref().ok_or(StoreError::Closed)?;
        runtime.block_on(async {
            let client = self.pool.get().await.map_err(pool_error)?;
            tokio::time::timeout(TIMEOUT, f(&client))
                .await
                .map_err(|_| StoreError::Database("the database did not answer in time".into()))?
        })
    }
}

impl Store for PostgresStore {
    fn commit(&self, batch: WriteBatch) -> Ticket {
        self.submit(|done| Msg::Commit(batch, done))
    }

    fn flush(&self) -> Ticket {
        self.submit(Msg::Flush)
    }

    fn check(&self) -> Result<(), StoreError> {
        self.read(async |client| {
            client.query_one("SELECT count(*) FROM rooms", &[]).await.map_err(pg_error)?;
            Ok(())
        })
    }

    fn writable(&self) -> bool {
        self.health.writable()
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        // The writer finishes the groups it was handed, then stops; the runtime goes without
        // blocking (a store may be dropped inside async code).
        self.writer = None;
        if let Ok(done) = self.writer_done.lock() {
            let _ = done.recv_timeout(TIMEOUT);
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// TLS for the database's connections: TLS 1.2 and 1.3 (rustls with ring, its safe defaults),
/// trusting only the certificates in `ca_pem`.
fn tls_config(ca_pem: &[u8]) -> Result<rustls::ClientConfig, StoreError> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let bad = |why: String| StoreError::Database(format!("the store's CA certificate: {why}"));
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem) {
        roots.add(cert.map_err(|e| bad(e.to_string()))?).map_err(|e| bad(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(bad("no certificate in the file".into()));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// A driver error as the store reports it: a constraint refused the write, or the database
/// failed.
pub(crate) fn pg_error(e: tokio_postgres::Error) -> StoreError {
    if is_constraint(&e) {
        StoreError::Conflict(e.to_string())
    } else {
        StoreError::Database(match e.as_db_error() {
            Some(db) => format!("{}: {}", db.code().code(), db.message()),
            // With what caused it (the driver's own text is short: "error performing TLS
            // handshake" says nothing of the certificate).
            None => {
                let mut text = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(cause) = source {
                    text = format!("{text}: {cause}");
                    source = cause.source();
                }
                text
            }
        })
    }
}

/// Whether PostgreSQL refused a statement by a constraint (SQLSTATE class 23: unique, check,
/// not null), as opposed to failing to write.
pub(crate) fn is_constraint(e: &tokio_postgres::Error) -> bool {
    e.code().is_some_and(|code| code.code().starts_with("23"))
}

fn pool_error(e: deadpool_postgres::PoolError) -> StoreError {
    match e {
        deadpool_postgres::PoolError::Backend(e) => pg_error(e),
        other => StoreError::Database(format!("no connection to the database: {other}")),
    }
}

/// A `u64` as PostgreSQL's `BIGINT` keeps it: its bits (values past `i64::MAX`, such as a
/// seed, come back as they went in).
pub(crate) fn int(v: u64) -> i64 {
    v as i64
}

/// A bound in a comparison (`seq < $1`): past `i64::MAX` it is `i64::MAX`.
pub(crate) fn bound(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

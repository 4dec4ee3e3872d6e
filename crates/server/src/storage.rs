//! Opening the store the configuration names: SQLite in the data directory (the default), or
//! the PostgreSQL database of `store` (over TLS with `store_ca`). The one place that chooses;
//! also `capital import-sqlite`, which moves a server's data from the one to the other.

use std::path::Path;
use std::sync::Arc;

use capital_store::{PostgresStore, SqliteStore, Store};

use crate::config::Config;

/// Who opens the store: the server (which holds a PostgreSQL database's node lock), or a
/// command-line tool beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opener {
    /// `capital serve`.
    Node,
    /// `capital admin` and the like.
    Tool,
}

/// `capital import-sqlite FILE`: copies the SQLite database `file` (a data directory's
/// `capital.db`) into the empty PostgreSQL database of `config.store`, all or nothing; says what
/// it copied. Holds the database's node lock meanwhile, so no server runs on it. Blocks.
pub fn import_sqlite(config: &Config, file: &Path) -> anyhow::Result<String> {
    if config.store.is_empty() {
        anyhow::bail!("give the PostgreSQL database to copy into: --store postgres://...");
    }
    let (url, ca) = (&config.store, read_ca(config)?);
    let store = match &ca {
        Some(ca) => PostgresStore::connect_tls(url, ca),
        None => PostgresStore::connect(url),
    }
    .map_err(|e| anyhow::anyhow!("store: cannot open the PostgreSQL database: {e}"))?;
    let counts = store.import_sqlite(file).map_err(|e| anyhow::anyhow!("not copied: {e}"))?;
    let rows: Vec<String> = counts.iter().map(|(table, n)| format!("{n} {table}")).collect();
    Ok(format!("copied {} into the PostgreSQL database: {}", file.display(), rows.join(", ")))
}

fn read_ca(config: &Config) -> anyhow::Result<Option<Vec<u8>>> {
    match &config.store_ca {
        Some(path) => Ok(Some(
            std::fs::read(path)
                .map_err(|e| anyhow::anyhow!("store_ca: cannot read {}: {e}", path.display()))?,
        )),
        None => Ok(None),
    }
}

/// Opens the store of a node (`capital serve`): [`open`]'s, and in a cluster (`config.cluster`
/// set) the database's room leases, without the node lock the nodes would fight over. Blocks.
pub fn open_node(
    config: &Config,
) -> anyhow::Result<(Arc<dyn Store>, Option<capital_store::postgres::Leases>)> {
    if config.cluster.is_empty() {
        return Ok((open(config, Opener::Node)?, None));
    }
    let ca = read_ca(config)?;
    let store = PostgresStore::connect_shared(&config.store, ca.as_deref())
        .map_err(|e| anyhow::anyhow!("store: cannot open the PostgreSQL database: {e}"))?;
    let leases = store.leases()?;
    Ok((Arc::new(store), Some(leases)))
}

/// Opens the store of `config` (creating its schema if needed). Blocks: call it off an async
/// runtime's threads. A tool's SQLite store must exist already (the server made it).
pub fn open(config: &Config, opener: Opener) -> anyhow::Result<Arc<dyn Store>> {
    if config.store.is_empty() {
        let db = config.data.join("capital.db");
        if opener == Opener::Tool && !db.exists() {
            anyhow::bail!("no database at {}: run `capital serve` once first", db.display());
        }
        let store = SqliteStore::open(&db)
            .map_err(|e| anyhow::anyhow!("data: cannot open the database: {e}"))?;
        return Ok(Arc::new(store));
    }
    let (url, ca) = (&config.store, read_ca(config)?);
    let store = match (opener, &ca) {
        (Opener::Node, Some(ca)) => PostgresStore::connect_tls(url, ca),
        (Opener::Node, None) => PostgresStore::connect(url),
        (Opener::Tool, ca) => PostgresStore::connect_as_tool(url, ca.as_deref()),
    }
    .map_err(|e| anyhow::anyhow!("store: cannot open the PostgreSQL database: {e}"))?;
    Ok(Arc::new(store))
}

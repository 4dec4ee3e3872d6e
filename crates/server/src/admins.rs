//! Admins, from the terminal: `capital admin grant USERNAME` makes an account's player an admin
//! of this server (the teacher's console at `/teach`), `revoke` undoes it. There is no default
//! admin and no default password: the first admin is made here, by whoever can run commands on
//! the server's machine. Each change goes into the audit log as done by `terminal`.
//!
//! It opens the configured store directly (the data directory's SQLite database, or the
//! PostgreSQL database of `store`, without taking its node lock), so it works whether or not
//! the server is running; a running server reads admin status when a player logs in.

use capital_store::{AuditRecord, Write, WriteBatch};

use crate::config::Config;
use crate::storage;

/// Makes `username`'s player an admin (`grant`), or no longer one; returns what was done, in
/// words. Blocks (it waits for the write): call it off an async runtime's threads.
pub fn set_admin(config: &Config, username: &str, grant: bool) -> anyhow::Result<String> {
    let store = storage::open(config, storage::Opener::Tool)?;
    let username = username.trim().to_lowercase();
    let Some(account) = store.account_by_username(&username)? else {
        anyhow::bail!(
            "no account {username:?}: register it first (on a phone: Account, then Register)"
        );
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    let mut batch = WriteBatch::new();
    batch.push(Write::SetAdmin { player_id: account.player_id.clone(), admin: grant, ts_ms: now });
    batch.push(Write::AppendAudit(AuditRecord {
        ts_ms: now,
        admin_id: "terminal".into(),
        admin: "terminal".into(),
        action: if grant { "grant_admin" } else { "revoke_admin" }.into(),
        target: username.clone(),
        detail: String::new(),
    }));
    store.commit(batch).wait().map_err(|e| anyhow::anyhow!("cannot store it: {e}"))?;
    Ok(if grant {
        format!("{username} is an admin: log in as {username} at /teach (a new login takes effect)")
    } else {
        format!("{username} is no longer an admin (from their next login)")
    })
}

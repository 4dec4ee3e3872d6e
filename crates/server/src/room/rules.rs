//! Which rules a room plays. A built-in game's are in the binary; a game script's are its text
//! at a version (a hash of the text). A room records the version it plays and the store keeps
//! that version's text (written with the room, once per version), so that a room comes back
//! with the rules it started with after a restart or a failed write, even if the script was
//! edited, removed or turned off since.

use std::sync::Arc;

use capital_engine::GameKind;
use capital_store::{RoomRecord, RulesRecord, Write};

use super::RoomEnv;

/// Builds a game kind from kept rules (for scripts: loads the text in a sandbox).
pub type Rebuild = Arc<dyn Fn(&RulesRecord) -> Result<Arc<dyn GameKind>, String> + Send + Sync>;

/// The write that keeps `entry`'s rules, for a game loaded while the server runs.
pub fn keep(entry: &dyn GameKind) -> Option<Write> {
    let (version, (file, source)) = (entry.version()?, entry.source()?);
    Some(Write::KeepRules(RulesRecord {
        version: version.to_owned(),
        kind: entry.kind().to_owned(),
        file: file.to_owned(),
        source: source.to_owned(),
    }))
}

/// The version a room of `entry` records (empty for a built-in game).
pub fn version(entry: &dyn GameKind) -> String {
    entry.version().unwrap_or_default().to_owned()
}

/// The rules the stored room `record` plays: `known` (the room's own, when it still is) or the
/// game on offer, when either is that kind at that version; else the version the store kept,
/// rebuilt.
pub async fn of(
    ctx: &RoomEnv,
    record: &RoomRecord,
    known: Option<Arc<dyn GameKind>>,
) -> Result<Arc<dyn GameKind>, String> {
    // A room stored before versions were recorded takes the rules on offer.
    let fits = |e: &Arc<dyn GameKind>| {
        e.kind() == record.game
            && (record.game_version.is_empty() || version(&**e) == record.game_version)
    };
    if let Some(entry) = known.filter(fits).or_else(|| ctx.games.find(&record.game).filter(fits)) {
        return Ok(entry);
    }
    if record.game_version.is_empty() {
        return Err(format!("the game {:?} is not on offer", record.game));
    }
    // Kept with the room when it was created (or changed to this game).
    let wanted = record.game_version.clone();
    let kept = ctx.env.read(move |store| store.rules(&wanted)).await.map_err(|e| e.to_string())?;
    let kept = kept.ok_or_else(|| format!("the rules of {:?} were not kept", record.game))?;
    (ctx.rebuild)(&kept)
}

//! Game scripts on the server: the examples Capital ships, and every `*.js` file in the data
//! directory's `games` folder, each a game kind in the registry beside the built-in games. They
//! are loaded at start and looked at again every few seconds: a new or changed file is loaded
//! (a room keeps the version its game started with; new rooms get the new one), a removed file's
//! game is taken off the list. A file that does not load is reported, with its line, in the log
//! and on the shelf ([`Shelf`], what the teacher's console lists), and the version that worked
//! before stays on offer.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use capital_games::Registry;
use capital_script::{Limits, ScriptKind};

/// The example games shipped with Capital (file name, source).
pub const SHIPPED: &[(&str, &str)] = &[
    ("nim.js", include_str!("../../../games/nim.js")),
    ("liars_dice.js", include_str!("../../../games/liars_dice.js")),
];

/// How often the games folder is looked at.
pub const POLL: Duration = Duration::from_secs(2);

/// Largest script file loaded.
pub const MAX_SCRIPT_BYTES: u64 = 256 * 1024;

/// One script and how it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptStatus {
    /// Its file (`nim.js`).
    pub file: String,
    /// The kind it offers (none if it never loaded).
    pub kind: Option<String>,
    /// Who wrote it, as it says.
    pub author: Option<String>,
    /// Shipped with Capital (not in the games folder).
    pub shipped: bool,
    /// The error of its last load, if that failed (an earlier version may still be on offer).
    pub error: Option<String>,
}

/// Every script the server knows of, for the console. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Shelf {
    inner: Arc<Mutex<Vec<ScriptStatus>>>,
}

impl Shelf {
    /// The scripts, by file name.
    pub fn list(&self) -> Vec<ScriptStatus> {
        let mut all = self.inner.lock().expect("shelf lock").clone();
        all.sort_by(|a, b| a.file.cmp(&b.file));
        all
    }

    fn set(&self, status: ScriptStatus) {
        let mut all = self.inner.lock().expect("shelf lock");
        all.retain(|s| s.file != status.file);
        all.push(status);
    }

    fn forget(&self, file: &str) {
        self.inner.lock().expect("shelf lock").retain(|s| s.file != file);
    }
}

/// The games folder, its scripts, and the registry they go into.
pub struct Scripts {
    dir: PathBuf,
    limits: Limits,
    registry: Registry,
    shelf: Shelf,
    /// Built-in kinds: a script may not take their place.
    builtin: Vec<String>,
    /// What each file was when last looked at (length, modified), and the kind it offers.
    seen: HashMap<PathBuf, (Stamp, Option<String>)>,
}

/// A file as last seen: its length and when it was modified.
type Stamp = (u64, Option<SystemTime>);

impl Scripts {
    /// Loads the shipped examples and every script in `dir` (created if missing) into
    /// `registry`.
    pub fn load(dir: &Path, limits: Limits, registry: Registry) -> Self {
        let builtin = registry.all().iter().map(|k| k.kind().to_owned()).collect();
        let mut scripts = Scripts {
            dir: dir.to_owned(),
            limits,
            registry,
            shelf: Shelf::default(),
            builtin,
            seen: HashMap::new(),
        };
        for (file, source) in SHIPPED {
            let status = scripts.offer(file, source, true);
            scripts.shelf.set(status);
        }
        if let Err(e) = std::fs::create_dir_all(dir) {
            tracing::warn!(dir = %dir.display(), error = %e, "cannot create the games folder");
        }
        scripts.rescan();
        scripts
    }

    /// The shelf, for the console.
    pub fn shelf(&self) -> Shelf {
        self.shelf.clone()
    }

    /// Looks at the folder again: loads what is new or changed, drops what is gone.
    pub fn rescan(&mut self) {
        let mut present = Vec::new();
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(_) => return,
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("js") {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            present.push(path.clone());
            let stamp = (meta.len(), meta.modified().ok());
            if self.seen.get(&path).is_some_and(|(seen, _)| *seen == stamp) {
                continue;
            }
            let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_owned();
            let status = if meta.len() > MAX_SCRIPT_BYTES {
                let error = format!("{file}: larger than {} KiB", MAX_SCRIPT_BYTES / 1024);
                tracing::warn!(%error, "game script not loaded");
                ScriptStatus {
                    file: file.clone(),
                    kind: None,
                    author: None,
                    shipped: false,
                    error: Some(error),
                }
            } else {
                match std::fs::read_to_string(&path) {
                    Ok(source) => self.offer(&file, &source, false),
                    Err(e) => ScriptStatus {
                        file: file.clone(),
                        kind: None,
                        author: None,
                        shipped: false,
                        error: Some(format!("{file}: cannot read it: {e}")),
                    },
                }
            };
            let kind =
                status.kind.clone().or_else(|| self.seen.get(&path).and_then(|(_, k)| k.clone()));
            self.shelf.set(status);
            self.seen.insert(path, (stamp, kind));
        }
        let gone: Vec<PathBuf> =
            self.seen.keys().filter(|p| !present.contains(p)).cloned().collect();
        for path in gone {
            if let Some((_, Some(kind))) = self.seen.remove(&path) {
                self.registry.remove(&kind);
                tracing::info!(%kind, "game script removed: new rooms cannot pick it");
            }
            if let Some(file) = path.file_name().and_then(|n| n.to_str()) {
                self.shelf.forget(file);
            }
        }
    }

    /// Loads one script and offers its game; says how that went.
    fn offer(&self, file: &str, source: &str, shipped: bool) -> ScriptStatus {
        let mut status =
            ScriptStatus { file: file.to_owned(), kind: None, author: None, shipped, error: None };
        match ScriptKind::load(source, file, self.limits) {
            Ok(kind) if self.builtin.iter().any(|b| b == kind.definition().kind.as_str()) => {
                let error = format!(
                    "{file}: the kind {:?} is a built-in game's: give it another",
                    kind.definition().kind
                );
                tracing::warn!(%error, "game script not loaded");
                status.error = Some(error);
            }
            Ok(kind) => {
                status.kind = Some(kind.definition().kind.clone());
                status.author = kind.definition().author.clone();
                tracing::info!(file, kind = %kind.definition().kind, "game script loaded");
                self.registry.put(Arc::new(kind));
            }
            Err(e) => {
                tracing::warn!(error = %e, "game script not loaded");
                status.error = Some(e.to_string());
            }
        }
        status
    }
}

/// Looks at the folder every [`POLL`] until the server shuts down.
pub async fn watch(mut scripts: Scripts, shutdown: tokio_util::sync::CancellationToken) {
    let mut every = tokio::time::interval(POLL);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = every.tick() => {
                scripts = tokio::task::spawn_blocking(move || {
                    scripts.rescan();
                    scripts
                })
                .await
                .expect("the games folder scan does not panic");
            }
            () = shutdown.cancelled() => return,
        }
    }
}

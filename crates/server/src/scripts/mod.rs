//! Game scripts on the server: the examples Capital ships, and every `*.js` file in the data
//! directory's `games` folder, each a game kind in the registry beside the built-in games. They
//! are loaded at start and looked at again every few seconds: a new or changed file is loaded
//! (a room keeps the version its game started with; new rooms get the new one), a removed file's
//! game is taken off the list. A file that does not load is reported, with its line, in the log
//! and on the shelf ([`Shelf`], what the teacher's console lists), and the version that worked
//! before stays on offer.
//!
//! A game's board (what the browser draws, in a sandboxed frame: see [`crate::board_frame`]) is
//! `NAME.board.js` beside `NAME.js`, or the rules file itself when it calls `board({...})` too.
//!
//! # Layout
//! - [`shelf`]: [`Shelf`], what is loaded, how each file stands, what an admin turned off.
//! - [`starter`]: `capital new-game NAME`, a starter game to begin from.
//! - [`upload`]: a script uploaded from the teacher's console, written into the folder.

mod shelf;
pub mod starter;
pub mod upload;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use capital_script::{Limits, ScriptKind};

pub use shelf::{Board, NoSuchScript, OFF_FLAG, ScriptStatus, Shelf};

/// The example games shipped with Capital (file name, source): rules, and boards beside them.
pub const SHIPPED: &[(&str, &str)] = &[
    ("nim.js", include_str!("../../../../games/nim.js")),
    ("nim.board.js", include_str!("../../../../games/nim.board.js")),
    ("liars_dice.js", include_str!("../../../../games/liars_dice.js")),
    ("liars_dice.board.js", include_str!("../../../../games/liars_dice.board.js")),
];

/// How often the games folder is looked at.
pub const POLL: Duration = Duration::from_secs(2);

/// Largest script file loaded.
pub const MAX_SCRIPT_BYTES: u64 = 256 * 1024;

/// The end of a board's file name: `nim.board.js` is the board of `nim.js`.
pub const BOARD_SUFFIX: &str = ".board.js";

/// The games folder, its scripts, and the shelf they go on.
pub struct Scripts {
    dir: PathBuf,
    limits: Limits,
    shelf: Shelf,
    /// Built-in kinds: a script may not take their place.
    builtin: Vec<String>,
    /// What each rules file (and its board file) was when last looked at, and the kind it
    /// offers.
    seen: HashMap<PathBuf, (Stamps, Option<String>)>,
}

/// A file as last seen: its length and when it was modified.
type Stamp = (u64, Option<SystemTime>);

/// A rules file's stamp and its board file's, if there is one.
type Stamps = (Stamp, Option<Stamp>);

/// A file that was read, or why not.
type Read = Result<String, String>;

impl Scripts {
    /// Puts the shipped examples and every script in `dir` (created if missing) on `shelf`.
    /// Every game in the shelf's registry now is built in.
    pub fn load(dir: &Path, limits: Limits, shelf: Shelf) -> Self {
        let builtin = shelf.registry().all().iter().map(|k| k.kind().to_owned()).collect();
        let mut scripts =
            Scripts { dir: dir.to_owned(), limits, shelf, builtin, seen: HashMap::new() };
        for (file, source) in SHIPPED {
            let Some(stem) = rules_stem(file) else { continue };
            let board_file = format!("{stem}{BOARD_SUFFIX}");
            let board = SHIPPED
                .iter()
                .find(|(f, _)| *f == board_file)
                .map(|(f, s)| ((*f).to_owned(), Ok((*s).to_owned())));
            let status = scripts.offer(file, Ok((*source).to_owned()), board, true);
            scripts.shelf.set(status);
        }
        if let Err(e) = std::fs::create_dir_all(dir) {
            tracing::warn!(dir = %dir.display(), error = %e, "cannot create the games folder");
        }
        scripts.rescan();
        scripts
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
            let Some(file) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
                continue;
            };
            let Some(stem) = rules_stem(&file) else { continue };
            let Some(stamp) = stamp_of(&path) else { continue };
            let board_path = self.dir.join(format!("{stem}{BOARD_SUFFIX}"));
            let stamps = (stamp, stamp_of(&board_path));
            present.push(path.clone());
            if self.seen.get(&path).is_some_and(|(seen, _)| *seen == stamps) {
                continue;
            }
            let board = stamps.1.map(|_| {
                let name = format!("{stem}{BOARD_SUFFIX}");
                let read = read(&board_path, &name);
                (name, read)
            });
            let mut status = self.offer(&file, read(&path, &file), board, false);
            // A file that no longer loads keeps its earlier version on offer: it still names it.
            let kind =
                status.kind.clone().or_else(|| self.seen.get(&path).and_then(|(_, k)| k.clone()));
            status.kind.clone_from(&kind);
            self.shelf.set(status);
            self.seen.insert(path, (stamps, kind));
        }
        let gone: Vec<PathBuf> =
            self.seen.keys().filter(|p| !present.contains(p)).cloned().collect();
        for path in gone {
            let kind = self.seen.remove(&path).and_then(|(_, kind)| kind);
            if let Some(kind) = &kind {
                tracing::info!(%kind, "game script removed: new rooms cannot pick it");
            }
            if let Some(file) = path.file_name().and_then(|n| n.to_str()) {
                self.shelf.forget(file, kind.as_deref());
            }
        }
    }

    /// Loads one script (and its board file, if it has one) and offers its game; says how that
    /// went.
    fn offer(
        &self,
        file: &str,
        source: Read,
        board: Option<(String, Read)>,
        shipped: bool,
    ) -> ScriptStatus {
        let mut status = ScriptStatus {
            file: file.to_owned(),
            kind: None,
            author: None,
            shipped,
            error: None,
            board: None,
        };
        let loaded = source.map_err(capital_script::ScriptError::Bad).and_then(|source| {
            ScriptKind::load(&source, file, self.limits).map(|kind| (kind, source))
        });
        match loaded {
            Ok((kind, _)) if self.builtin.iter().any(|b| b == kind.definition().kind.as_str()) => {
                let error = format!(
                    "{file}: the kind {:?} is a built-in game's: give it another",
                    kind.definition().kind
                );
                tracing::warn!(%error, "game script not loaded");
                status.error = Some(error);
            }
            Ok((kind, source)) => {
                let board = match board {
                    Some((name, Ok(source))) => Some(Board { file: name, source: source.into() }),
                    Some((_, Err(error))) => {
                        tracing::warn!(%error, "game board not loaded");
                        status.error = Some(error);
                        None
                    }
                    None if kind.definition().has_board => {
                        Some(Board { file: file.to_owned(), source: source.into() })
                    }
                    None => None,
                };
                status.kind = Some(kind.definition().kind.clone());
                status.author = kind.definition().author.clone();
                status.board = board.as_ref().map(|b| b.file.clone());
                tracing::info!(file, kind = %kind.definition().kind, "game script loaded");
                self.shelf.offer(Arc::new(kind), board);
            }
            Err(e) => {
                tracing::warn!(error = %e, "game script not loaded");
                status.error = Some(e.to_string());
            }
        }
        status
    }
}

/// The game's name of a rules file (`nim` of `nim.js`); none for a board's file or another.
pub fn rules_stem(file: &str) -> Option<&str> {
    file.strip_suffix(".js").filter(|_| !file.ends_with(BOARD_SUFFIX))
}

/// A file's length and modification time, if it is there.
fn stamp_of(path: &Path) -> Option<Stamp> {
    std::fs::metadata(path).ok().filter(|m| m.is_file()).map(|m| (m.len(), m.modified().ok()))
}

/// A script file's text, or why it cannot be had (too large, unreadable).
fn read(path: &Path, file: &str) -> Read {
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_SCRIPT_BYTES => {
            return Err(format!("{file}: larger than {} KiB", MAX_SCRIPT_BYTES / 1024));
        }
        Ok(_) => {}
        Err(e) => return Err(format!("{file}: cannot read it: {e}")),
    }
    std::fs::read_to_string(path).map_err(|e| format!("{file}: cannot read it: {e}"))
}

/// Looks at the folder every [`POLL`] (and when [`Shelf::look_now`] asks) until the server
/// shuts down.
pub async fn watch(mut scripts: Scripts, shutdown: tokio_util::sync::CancellationToken) {
    let mut every = tokio::time::interval(POLL);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let wake = scripts.shelf.wake.clone();
    loop {
        // Every POLL, or at once when a file was uploaded.
        tokio::select! {
            _ = every.tick() => {}
            () = wake.notified() => {}
            () = shutdown.cancelled() => return,
        }
        scripts = tokio::task::spawn_blocking(move || {
            scripts.rescan();
            scripts
        })
        .await
        .expect("the games folder scan does not panic");
    }
}

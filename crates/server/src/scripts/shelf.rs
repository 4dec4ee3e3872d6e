//! The shelf: every game script the server knows of, shared by the loader (which fills it), the
//! console (which lists it and turns games off and on) and the web routes (which serve boards).
//! A game is on offer (in the registry) when its script loaded and no admin turned it off.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use capital_games::Registry;
use capital_script::ScriptKind;

/// The store's flag that keeps a script game off across restarts: this prefix and its kind.
pub const OFF_FLAG: &str = "script_off:";

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
    /// Its board's file, when it has one (`nim.board.js`, or the rules file itself).
    pub board: Option<String>,
}

/// A script file served to the browser (a game's board, or its rules for the rules frame): the
/// file it came from and its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Board {
    /// The file (`nim.board.js`), for the browser's error messages.
    pub file: String,
    /// The script.
    pub source: Arc<str>,
}

/// What [`Shelf::switch`] can refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no game script offers the game {0:?}")]
pub struct NoSuchScript(pub String);

#[derive(Default)]
struct Inner {
    statuses: Vec<ScriptStatus>,
    /// The last version of each kind that loaded, and its board.
    loaded: HashMap<String, (Arc<ScriptKind>, Option<Board>)>,
    /// Kinds an admin turned off.
    off: HashSet<String>,
}

/// Every script the server knows of. Cheap to clone.
#[derive(Clone)]
pub struct Shelf {
    inner: Arc<Mutex<Inner>>,
    registry: Registry,
    /// Wakes the loader to look at the folder now (a file was uploaded).
    pub(super) wake: Arc<tokio::sync::Notify>,
}

impl Shelf {
    /// An empty shelf that offers games in `registry`; the kinds in `off` stay off.
    pub fn new(registry: Registry, off: impl IntoIterator<Item = String>) -> Self {
        let inner = Inner { off: off.into_iter().collect(), ..Inner::default() };
        Shelf { inner: Arc::new(Mutex::new(inner)), registry, wake: Arc::default() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().expect("shelf lock")
    }

    /// Asks the loader to look at the games folder now rather than at its next round.
    pub fn look_now(&self) {
        self.wake.notify_one();
    }

    /// The registry the shelf offers games in.
    pub(super) fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The scripts, by file name.
    pub fn list(&self) -> Vec<ScriptStatus> {
        let mut all = self.lock().statuses.clone();
        all.sort_by(|a, b| a.file.cmp(&b.file));
        all
    }

    /// Whether a script offers (or offered, before an admin turned it off) the game `kind`.
    pub fn knows(&self, kind: &str) -> bool {
        self.lock().loaded.contains_key(kind)
    }

    /// Whether an admin turned the game `kind` off.
    pub fn is_off(&self, kind: &str) -> bool {
        self.lock().off.contains(kind)
    }

    /// The board of the script game `kind`, if it has one and is on offer.
    pub fn board(&self, kind: &str) -> Option<Board> {
        let inner = self.lock();
        if inner.off.contains(kind) {
            return None;
        }
        inner.loaded.get(kind).and_then(|(_, board)| board.clone())
    }

    /// The rules of the script game `kind` (its file and source), if it is on offer: for the
    /// rules frame, where the host's phone runs a peer-to-peer room's game.
    pub fn rules(&self, kind: &str) -> Option<Board> {
        let inner = self.lock();
        if inner.off.contains(kind) {
            return None;
        }
        let (loaded, _) = inner.loaded.get(kind)?;
        let (file, source) = capital_engine::GameKind::source(loaded.as_ref())?;
        Some(Board { file: file.to_owned(), source: Arc::from(source) })
    }

    /// Turns the script game `kind` off (new rooms cannot pick it; running games go on) or on
    /// again. Call it once the switch is stored.
    pub fn switch(&self, kind: &str, on: bool) -> Result<(), NoSuchScript> {
        let mut inner = self.lock();
        let Some((loaded, _)) = inner.loaded.get(kind) else {
            return Err(NoSuchScript(kind.to_owned()));
        };
        if on {
            self.registry.put(loaded.clone());
            inner.off.remove(kind);
        } else {
            self.registry.remove(kind);
            inner.off.insert(kind.to_owned());
        }
        Ok(())
    }

    /// Records how a file stands.
    pub(super) fn set(&self, status: ScriptStatus) {
        let mut inner = self.lock();
        inner.statuses.retain(|s| s.file != status.file);
        inner.statuses.push(status);
    }

    /// Offers a kind that loaded (unless it is off), with its board.
    pub(super) fn offer(&self, kind: Arc<ScriptKind>, board: Option<Board>) {
        let mut inner = self.lock();
        let name = kind.definition().kind.clone();
        if !inner.off.contains(&name) {
            self.registry.put(kind.clone());
        }
        inner.loaded.insert(name, (kind, board));
    }

    /// Takes a file off the shelf, and its kind off offer.
    pub(super) fn forget(&self, file: &str, kind: Option<&str>) {
        let mut inner = self.lock();
        inner.statuses.retain(|s| s.file != file);
        if let Some(kind) = kind {
            inner.loaded.remove(kind);
            self.registry.remove(kind);
        }
    }
}

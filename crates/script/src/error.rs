//! What can go wrong with a script, in words a student can act on: the file, the line, and what
//! happened.

use std::time::Duration;

/// A script that did not load, or a call that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    /// The script threw (or did not compile): a syntax error, a runtime error, a `throw`.
    #[error("{file}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Thrown {
        /// The script's file.
        file: String,
        /// Where, when QuickJS says.
        line: Option<u32>,
        /// The error's name and message, e.g. "TypeError: cannot read property 'x' of undefined".
        message: String,
    },
    /// A call ran past its CPU budget (an endless loop, or far too much work).
    #[error("{file}: a call ran longer than {} ms and was stopped (an endless loop?)", budget.as_millis())]
    TooSlow {
        /// The script's file.
        file: String,
        /// The budget per call.
        budget: Duration,
    },
    /// The script's heap grew past its limit.
    #[error("{file}: the game used more than {} MiB of memory and was stopped", limit >> 20)]
    TooBig {
        /// The script's file.
        file: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// The script's rules are not what a game needs (a missing function, a wrong shape).
    #[error("{0}")]
    Bad(String),
}

impl ScriptError {
    /// A runtime that could not even be made.
    pub(crate) fn setup(file: &str, why: &str) -> Self {
        ScriptError::Thrown { file: file.to_owned(), line: None, message: why.to_owned() }
    }
}

//! One QuickJS runtime for one game: the script loaded once, then called with JSON in and JSON
//! out. What a script can reach is only what the prelude leaves it: the language itself, its
//! arguments, and the game's seeded random numbers. No I/O, no clock, no network (QuickJS has
//! none unless a host adds them). Every runtime has its own memory limit, and every call a CPU
//! budget: past it the interrupt handler stops the script with an exception no script can catch.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use capital_engine::Rng;
use rquickjs::context::intrinsic;
use rquickjs::{CatchResultExt, CaughtError, Context, Function, Runtime};
use serde_json::Value;

use crate::ScriptError;

const PRELUDE: &str = include_str!("prelude.js");

/// How much a game's script may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes the game's JavaScript heap may hold.
    pub memory_bytes: usize,
    /// Time one call (set-up, a move, a view) may run.
    pub cpu_per_call: Duration,
}

impl Default for Limits {
    /// 8 MiB and 50 ms: a board game's state is a few kilobytes, and a move takes microseconds.
    fn default() -> Self {
        Limits { memory_bytes: 8 << 20, cpu_per_call: Duration::from_millis(50) }
    }
}

/// A script loaded in a runtime of its own.
pub struct Sandbox {
    runtime: Runtime,
    context: Context,
    /// When the running call must stop: nanoseconds after `epoch` (0: no call is running).
    deadline: Arc<AtomicU64>,
    epoch: Instant,
    limits: Limits,
    /// The script's file name, for errors.
    file: Arc<str>,
}

impl Sandbox {
    /// Loads `source` (named `file` in errors) with `rng` behind its `random`.
    pub fn load(
        source: &str,
        file: &str,
        limits: Limits,
        rng: Arc<Mutex<Rng>>,
    ) -> Result<Self, ScriptError> {
        let runtime = Runtime::new().map_err(|e| ScriptError::setup(file, &e.to_string()))?;
        runtime.set_memory_limit(limits.memory_bytes);
        runtime.set_max_stack_size(256 << 10);
        let deadline = Arc::new(AtomicU64::new(0));
        let epoch = Instant::now();
        let watch = deadline.clone();
        runtime.set_interrupt_handler(Some(Box::new(move || {
            let until = watch.load(Ordering::Relaxed);
            until != 0 && epoch.elapsed().as_nanos() as u64 > until
        })));
        // The language and what a game needs (JSON, RegExp, Map and Set), nothing more: no Date
        // (no clock), no Promise (nothing to wait for), no typed arrays, proxies or BigInt: a
        // quarter less memory a game than a context with everything (benches/scripts.rs).
        type Needed = (intrinsic::Eval, intrinsic::RegExpCompiler, intrinsic::RegExp);
        type AndData = (intrinsic::Json, intrinsic::MapSet);
        let context = Context::custom::<(Needed, AndData)>(&runtime)
            .map_err(|e| ScriptError::setup(file, &e.to_string()))?;
        let sandbox = Sandbox { runtime, context, deadline, epoch, limits, file: Arc::from(file) };
        sandbox.run(|ctx| {
            let draw = Function::new(ctx.clone(), move |n: f64| -> f64 {
                let n = n.clamp(1.0, 4_294_967_296.0) as u64;
                rng.lock().expect("rng lock").below(n) as f64
            })?;
            ctx.globals().set("__draw", draw)?;
            ctx.eval::<(), _>(PRELUDE)?;
            let mut options = rquickjs::context::EvalOptions::default();
            (options.global, options.strict) = (true, false);
            options.filename = Some(file.to_owned());
            ctx.eval_with_options::<(), _>(source, options)
        })?;
        Ok(sandbox)
    }

    /// Calls the script's `name` with `args` (a JSON array), within the CPU budget; returns
    /// what it returned, as JSON (`null` when the script has no such function).
    pub fn call(&self, name: &str, args: &Value) -> Result<Value, ScriptError> {
        let args = args.to_string();
        let out = self.run(|ctx| {
            let call: Function = ctx.globals().get("__call")?;
            call.call::<_, String>((name, args))
        })?;
        serde_json::from_str(&out).map_err(|e| ScriptError::Bad(format!("{name} returned {e}")))
    }

    /// Bytes the runtime holds now.
    pub fn memory_used(&self) -> usize {
        self.runtime.memory_usage().memory_used_size.max(0) as usize
    }

    /// Runs `f` in the context with the deadline set, and turns what went wrong into a
    /// [`ScriptError`] that names the file and line.
    fn run<T>(
        &self,
        f: impl for<'js> FnOnce(&rquickjs::Ctx<'js>) -> rquickjs::Result<T>,
    ) -> Result<T, ScriptError> {
        let until = self.epoch.elapsed() + self.limits.cpu_per_call;
        self.deadline.store(until.as_nanos().max(1) as u64, Ordering::Relaxed);
        let result = self.context.with(|ctx| match f(&ctx).catch(&ctx) {
            Ok(value) => Ok(value),
            Err(caught) => Err(self.explain(caught)),
        });
        let late = self.epoch.elapsed() > until;
        self.deadline.store(0, Ordering::Relaxed);
        // A failed call may leave garbage behind (cycles that reference counting does not
        // free): freed now rather than at some later call. A call that worked needs no full
        // collection: QuickJS frees most of what it made as it goes, and collects cycles itself
        // as memory grows (a full collection after every call was most of a call's cost).
        if result.is_err() {
            self.runtime.run_gc();
        }
        match result {
            Err(_) if late => Err(ScriptError::TooSlow {
                file: self.file.to_string(),
                budget: self.limits.cpu_per_call,
            }),
            other => other,
        }
    }

    fn explain(&self, caught: CaughtError<'_>) -> ScriptError {
        let file = self.file.to_string();
        match caught {
            CaughtError::Exception(e) => {
                let message = e.message().unwrap_or_default();
                if message.contains("out of memory") {
                    return ScriptError::TooBig { file, limit: self.limits.memory_bytes };
                }
                let line = e
                    .stack()
                    .as_deref()
                    .and_then(|s| line_in(s, &file))
                    .or_else(|| e.get::<_, Option<u32>>("lineNumber").ok().flatten());
                let name =
                    e.get::<_, Option<String>>("name").ok().flatten().unwrap_or("Error".into());
                ScriptError::Thrown { file, line, message: format!("{name}: {message}") }
            }
            CaughtError::Value(v) => {
                let shown = v
                    .as_string()
                    .and_then(|s| s.to_string().ok())
                    .unwrap_or_else(|| format!("{v:?}"));
                ScriptError::Thrown { file, line: None, message: format!("threw {shown}") }
            }
            CaughtError::Error(rquickjs::Error::Allocation) => {
                ScriptError::TooBig { file, limit: self.limits.memory_bytes }
            }
            CaughtError::Error(e) => {
                ScriptError::Thrown { file, line: None, message: e.to_string() }
            }
        }
    }
}

/// The first line number of `file` in a QuickJS stack ("    at move (nim.js:12:7)").
fn line_in(stack: &str, file: &str) -> Option<u32> {
    let at = stack.find(&format!("{file}:"))? + file.len() + 1;
    stack[at..].split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::line_in;

    #[test]
    fn a_line_is_read_from_a_stack() {
        assert_eq!(line_in("    at move (nim.js:12:7)\n    at <eval>", "nim.js"), Some(12));
        assert_eq!(line_in("    at <anonymous>", "nim.js"), None);
    }
}

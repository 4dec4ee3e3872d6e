//! axe-core (Deque's accessibility rules engine) in the page: where its file is, and running it.
//!
//! The file is an npm package, installed outside the repository's sources: `.ci/run` runs
//! `npm install --no-save --prefix target/npm axe-core@4` and passes the path of `axe.min.js` in
//! `CAPITAL_AXE_JS`; locally, the same command makes it where the test looks by default. Without
//! it the test skips with a message, except in CI (`CI` set), where it is a failure.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::harness::Page;

/// The axe-core script, or `None` after saying why the test skips.
pub fn load_or_skip(test: &str) -> Option<String> {
    let path = std::env::var_os("CAPITAL_AXE_JS").map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../target/npm/node_modules/axe-core/axe.min.js")
    });
    match std::fs::read_to_string(&path) {
        Ok(script) => Some(script),
        Err(e) => {
            let why = format!(
                "browser test ({test}) needs axe-core at {} ({e}): run `npm install --no-save \
                 --prefix target/npm axe-core@4` in the repository, or set CAPITAL_AXE_JS",
                path.display()
            );
            if std::env::var_os("CI").is_some() {
                panic!("CI is set and axe-core is missing: {why}");
            }
            eprintln!("SKIPPED: {why}");
            None
        }
    }
}

/// What axe finds on the page as it is now: `(serious or critical, the others)`, one line a
/// rule, with the first few elements it found and why.
pub async fn check(page: &Page, axe: &str) -> (Vec<String>, Vec<String>) {
    if page.js("return typeof window.axe;").await != "object" {
        page.js(&format!("{axe}\n;return typeof window.axe;")).await;
    }
    let script = "const done = arguments[arguments.length - 1];
        const line = (v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}): ` + v.nodes.slice(0, 4)
            .map((n) => `${n.target.join(' ')} -- ${(n.failureSummary || '').replace(/\\s+/g, ' ')}`)
            .join(' | ');
        axe.run(document, { resultTypes: ['violations'] })
            .then((r) => done(r.violations.map((v) => [['serious', 'critical'].includes(v.impact), line(v)])))
            .catch((e) => done([[true, `axe failed: ${e}`]]));";
    let found = page
        .client
        .execute_async(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("axe did not run: {e}"));
    let (mut bad, mut other) = (Vec::new(), Vec::new());
    for item in found.as_array().into_iter().flatten() {
        let text = item[1].as_str().unwrap_or_default().to_owned();
        if item[0] == Value::Bool(true) { bad.push(text) } else { other.push(text) }
    }
    (bad, other)
}

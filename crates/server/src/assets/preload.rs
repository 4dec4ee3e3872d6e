//! `<link rel="modulepreload">` for every module a page's scripts import, written into the page
//! once, when it is first served.
//!
//! Why: a browser finds a page's JavaScript modules one level of imports at a time, and the app
//! is eight levels deep (app.js -> room.js -> room-view.js -> ... -> games/kit.js): eight round
//! trips on a first visit, and eight rounds of `304`s on every later one. With the links it asks
//! for every module at once. The list is read from the embedded files themselves, so a new module
//! is preloaded without anyone listing it.
//!
//! Imports are found the way the web client writes them: `import ... from "./x.js"` (also over
//! several lines, ending `} from "./x.js"`), `export ... from "./x.js"` and `import "./x.js"`,
//! each at the start of a line. A missed import costs only a round trip, never correctness.

use std::collections::HashSet;

/// `page` with a modulepreload link, before `</head>`, for each module its module scripts
/// (`<script type="module" src="...">`) import, directly or not. `source` gives a module's text
/// by its path (`/js/app.js`); a module it does not know is neither listed nor followed.
pub fn add_preloads(page: &str, source: impl Fn(&str) -> Option<String>) -> String {
    let entries: Vec<String> = page
        .split("<script type=\"module\" src=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect();
    let mut seen: HashSet<String> = entries.iter().cloned().collect();
    let mut queue = entries;
    let mut found = Vec::new();
    while !queue.is_empty() {
        let path = queue.remove(0);
        let Some(text) = source(&path) else { continue };
        for module in imports(&path, &text) {
            if seen.insert(module.clone()) && source(&module).is_some() {
                found.push(module.clone());
                queue.push(module);
            }
        }
    }
    if found.is_empty() {
        return page.to_owned();
    }
    let links: String = found
        .iter()
        .map(|module| format!("  <link rel=\"modulepreload\" href=\"{module}\">\n"))
        .collect();
    match page.split_once("</head>") {
        Some((head, rest)) => format!("{head}{links}</head>{rest}"),
        None => page.to_owned(),
    }
}

/// The modules the module at `path` imports, as absolute paths.
fn imports(path: &str, text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim_start)
        .filter(|line| {
            line.starts_with("import ") || line.starts_with("export ") || line.starts_with('}')
        })
        .filter_map(|line| {
            let rest = match line.split_once(" from \"") {
                Some((_, rest)) => rest,
                None => line.strip_prefix("import \"")?,
            };
            resolve(path, rest.split('"').next()?)
        })
        .collect()
}

/// `spec` (`./x.js`, `../x.js`) as seen from the module at `from` (`/js/games/index.js`).
fn resolve(from: &str, spec: &str) -> Option<String> {
    if !spec.starts_with("./") && !spec.starts_with("../") {
        return None; // a bare name or a full URL: nothing embedded
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop(); // the importing file's own name
    for part in spec.split('/') {
        match part {
            "." => {}
            ".." if parts.len() > 1 => {
                parts.pop();
            }
            ".." => return None,
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_imports_resolve() {
        assert_eq!(resolve("/js/app.js", "./room.js").as_deref(), Some("/js/room.js"));
        assert_eq!(resolve("/js/games/rps.js", "../dom.js").as_deref(), Some("/js/dom.js"));
        assert_eq!(resolve("/js/games/index.js", "./kit.js").as_deref(), Some("/js/games/kit.js"));
        assert_eq!(resolve("/app.js", "../../x.js"), None);
        assert_eq!(resolve("/js/app.js", "https://example.invalid/x.js"), None);
    }

    #[test]
    fn every_module_of_the_graph_is_preloaded_once_and_shallow_first() {
        let files = |path: &str| {
            let text = match path {
                "/js/app.js" => {
                    "import { a } from \"./a.js\";\nimport {\n  b,\n} from \"./b.js\";\n"
                }
                "/js/a.js" => {
                    "// import nothing from \"./nope.js\"\nexport { c } from \"./games/c.js\";\n"
                }
                "/js/b.js" => {
                    "import \"./a.js\";\n/** @param {import(\"./z.js\").Z} z */\nimport \"./gone.js\";\n"
                }
                "/js/games/c.js" => "import { d } from \"../d.js\";\nexport const c = 1;\n",
                "/js/d.js" => "import { a } from \"./a.js\";\n",
                _ => return None,
            };
            Some(text.to_owned())
        };
        let page = "<head>\n  <script type=\"module\" src=\"/js/app.js\"></script>\n</head>\n<body></body>";
        let out = add_preloads(page, files);
        let links: Vec<&str> = out
            .lines()
            .filter_map(|l| l.trim().strip_prefix("<link rel=\"modulepreload\" href=\""))
            .map(|l| l.trim_end_matches("\">"))
            .collect();
        assert_eq!(links, ["/js/a.js", "/js/b.js", "/js/games/c.js", "/js/d.js"], "{out}");
        assert!(out.ends_with("</head>\n<body></body>"), "{out}");
        let plain = "<head><title>x</title></head>";
        assert_eq!(add_preloads(plain, files), plain, "no module script: unchanged");
    }
}

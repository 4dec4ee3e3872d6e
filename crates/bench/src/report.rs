//! The human-readable report: a title and two columns. Each scenario's result type builds its
//! [`Table`] and also serializes itself for `--json`.

use serde::Serialize;

use crate::process::Sample;
use crate::stats::fmt_ms;

/// A result that can be printed either way.
pub trait Report: Serialize {
    /// The table for people.
    fn table(&self) -> Table;
}

/// Prints `report` on stdout: JSON (one object) or the table.
pub fn print(report: &impl Report, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(report).expect("reports serialize"));
    } else {
        print!("{}", report.table().render());
    }
}

/// A titled list of (what, value) rows, with optional section headings.
#[derive(Debug, Clone, Default)]
pub struct Table {
    title: String,
    rows: Vec<Row>,
}

#[derive(Debug, Clone)]
enum Row {
    Section(String),
    Value(String, String),
}

impl Table {
    /// An empty table.
    pub fn new(title: impl Into<String>) -> Self {
        Table { title: title.into(), rows: Vec::new() }
    }

    /// Adds a row.
    pub fn row(&mut self, what: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.rows.push(Row::Value(what.into(), value.into()));
        self
    }

    /// Adds a heading.
    pub fn section(&mut self, heading: impl Into<String>) -> &mut Self {
        self.rows.push(Row::Section(heading.into()));
        self
    }

    /// The table as text, values aligned.
    pub fn render(&self) -> String {
        let width = self
            .rows
            .iter()
            .map(|r| match r {
                Row::Value(what, _) => what.chars().count(),
                Row::Section(_) => 0,
            })
            .max()
            .unwrap_or(0);
        let mut out = format!("{}\n{}\n", self.title, "=".repeat(self.title.chars().count()));
        for row in &self.rows {
            match row {
                Row::Section(heading) => out.push_str(&format!("{heading}\n")),
                Row::Value(what, value) => out.push_str(&format!("  {what:<width$}  {value}\n")),
            }
        }
        out
    }
}

/// "12.3 MiB" for a process reading, or "not measured (no --pid)".
pub fn rss(sample: Option<&Sample>) -> String {
    sample
        .map_or_else(|| "not measured (no --pid)".to_owned(), |s| format!("{:.1} MiB", s.rss_mib()))
}

/// A rate with thousands separated: 51,234.5/s.
pub fn rate(per_second: f64) -> String {
    format!("{}/s", thousands(per_second.round() as u64))
}

/// An integer with thousands separated by commas.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|g| std::str::from_utf8(g).expect("ASCII digits"))
        .collect();
    groups.join(",")
}

/// Milliseconds, as [`fmt_ms`] writes them, with the unit.
pub fn ms(ms: f64) -> String {
    format!("{} ms", fmt_ms(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_their_values() {
        let mut t = Table::new("chat");
        t.row("delivered", "10/s").section("latency").row("p99 latency", "3 ms");
        let text = t.render();
        assert_eq!(
            text, "chat\n====\n  delivered    10/s\nlatency\n  p99 latency  3 ms\n",
            "{text}"
        );
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(rate(51234.4), "51,234/s");
        assert_eq!(ms(2.5), "2.50 ms");
        assert_eq!(rss(None), "not measured (no --pid)");
        let s = Sample { rss_kib: 2048, cpu: std::time::Duration::ZERO };
        assert_eq!(rss(Some(&s)), "2.0 MiB");
    }
}

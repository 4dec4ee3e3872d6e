//! Latency histograms: each player task records into its own [`Latency`] (no lock on the hot
//! path); the scenario merges them at the end and reports a [`Summary`] of percentiles.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Largest latency recorded exactly; anything longer is recorded as this (two minutes).
const MAX_MICROS: u64 = 120_000_000;

/// A latency histogram in microseconds, 3 significant digits (HDR: the error is under 0.1% at
/// every magnitude, so p99 and max are as trustworthy as the median).
#[derive(Debug, Clone)]
pub struct Latency {
    hist: Histogram<u64>,
}

impl Default for Latency {
    fn default() -> Self {
        Self::new()
    }
}

impl Latency {
    /// An empty histogram.
    pub fn new() -> Self {
        let hist = Histogram::new_with_bounds(1, MAX_MICROS, 3).expect("valid histogram bounds");
        Latency { hist }
    }

    /// Records one latency (at least 1 µs, at most two minutes).
    pub fn record(&mut self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.hist.saturating_record(micros.clamp(1, MAX_MICROS));
    }

    /// Adds every sample of `other`.
    pub fn merge(&mut self, other: &Latency) {
        self.hist.add(&other.hist).expect("histograms with the same bounds merge");
    }

    /// Samples recorded.
    pub fn count(&self) -> u64 {
        self.hist.len()
    }

    /// The percentiles, or `None` when nothing was recorded.
    pub fn summary(&self) -> Option<Summary> {
        if self.hist.is_empty() {
            return None;
        }
        let ms = |micros: u64| micros as f64 / 1000.0;
        let at = |q: f64| ms(self.hist.value_at_quantile(q));
        Some(Summary {
            count: self.hist.len(),
            mean_ms: self.hist.mean() / 1000.0,
            p50_ms: at(0.50),
            p90_ms: at(0.90),
            p99_ms: at(0.99),
            p999_ms: at(0.999),
            max_ms: ms(self.hist.max()),
        })
    }
}

/// Percentiles of a latency distribution, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Samples.
    pub count: u64,
    /// Arithmetic mean.
    pub mean_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Largest sample.
    pub max_ms: f64,
}

impl Summary {
    /// One line for a table: `p50 1.23  p90 2.34  p99 5.67  max 12.3 ms  (n=1000)`.
    pub fn line(&self) -> String {
        format!(
            "p50 {}  p90 {}  p99 {}  p99.9 {}  max {} ms  (n={})",
            fmt_ms(self.p50_ms),
            fmt_ms(self.p90_ms),
            fmt_ms(self.p99_ms),
            fmt_ms(self.p999_ms),
            fmt_ms(self.max_ms),
            self.count
        )
    }
}

/// The line for an optional summary: "no samples" when there were none.
pub fn line(summary: Option<&Summary>) -> String {
    summary.map_or_else(|| "no samples".to_owned(), Summary::line)
}

/// Milliseconds with as many decimals as are meaningful: 0.123, 1.23, 12.3, 123.
pub fn fmt_ms(ms: f64) -> String {
    if ms < 1.0 {
        format!("{ms:.3}")
    } else if ms < 10.0 {
        format!("{ms:.2}")
    } else if ms < 100.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.0}")
    }
}

/// Errors by kind: an error code (`rate_limited`), or `closed`, `no_reply`, ...
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Errors(BTreeMap<String, u64>);

impl Errors {
    /// Counts one error of `kind`.
    pub fn add(&mut self, kind: &str) {
        *self.0.entry(kind.to_owned()).or_default() += 1;
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &Errors) {
        for (kind, n) in &other.0 {
            *self.0.entry(kind.clone()).or_default() += n;
        }
    }

    /// All errors.
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// "none", or "3 (rate_limited 2, closed 1)".
    pub fn line(&self) -> String {
        if self.0.is_empty() {
            return "none".to_owned();
        }
        let kinds: Vec<String> = self.0.iter().map(|(k, n)| format!("{k} {n}")).collect();
        format!("{} ({})", self.total(), kinds.join(", "))
    }
}

/// `count` events over `elapsed`, per second (0 for an empty interval).
pub fn per_second(count: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 { count as f64 / secs } else { 0.0 }
}

/// The median of some measurements (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len() % 2 == 1 { sorted[mid] } else { (sorted[mid - 1] + sorted[mid]) / 2.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn percentiles_of_one_to_a_hundred_milliseconds() {
        let mut latency = Latency::new();
        for n in 1..=100 {
            latency.record(ms(n));
        }
        let s = latency.summary().unwrap();
        assert_eq!(s.count, 100);
        // Three significant digits: within 0.1% of the exact value.
        let close = |got: f64, want: f64| (got - want).abs() <= want * 0.001 + 1e-9;
        assert!(close(s.p50_ms, 50.0), "{s:?}");
        assert!(close(s.p90_ms, 90.0), "{s:?}");
        assert!(close(s.p99_ms, 99.0), "{s:?}");
        assert!(close(s.max_ms, 100.0), "{s:?}");
        assert!(close(s.mean_ms, 50.5), "{s:?}");
    }

    #[test]
    fn merging_adds_samples_and_keeps_the_tail() {
        let mut a = Latency::new();
        let mut b = Latency::new();
        for _ in 0..99 {
            a.record(ms(1));
        }
        b.record(ms(2000));
        a.merge(&b);
        let s = a.summary().unwrap();
        assert_eq!(s.count, 100);
        assert!(s.p50_ms < 1.01);
        assert!(s.max_ms > 1990.0, "the one slow sample is the max: {s:?}");
        assert!(s.p999_ms > 1990.0);
    }

    #[test]
    fn extremes_are_clamped_and_empty_has_no_summary() {
        let mut latency = Latency::new();
        assert!(latency.summary().is_none());
        assert_eq!(line(None), "no samples");
        latency.record(Duration::ZERO);
        latency.record(Duration::from_secs(3600));
        let s = latency.summary().unwrap();
        assert_eq!(s.count, 2);
        assert!(s.max_ms <= 120_100.0 && s.max_ms >= 119_000.0, "{s:?}");
        assert!(s.line().contains("(n=2)"));
    }

    #[test]
    fn formatting_and_rates() {
        assert_eq!(fmt_ms(0.1234), "0.123");
        assert_eq!(fmt_ms(1.234), "1.23");
        assert_eq!(fmt_ms(12.34), "12.3");
        assert_eq!(fmt_ms(1234.5), "1234");
        assert_eq!(per_second(500, Duration::from_secs(2)), 250.0);
        assert_eq!(per_second(5, Duration::ZERO), 0.0);
    }

    #[test]
    fn errors_are_tallied_by_kind() {
        let mut a = Errors::default();
        assert_eq!(a.line(), "none");
        a.add("closed");
        a.add("rate_limited");
        let mut b = Errors::default();
        b.add("rate_limited");
        a.merge(&b);
        assert_eq!(a.total(), 3);
        assert_eq!(a.line(), "3 (closed 1, rate_limited 2)");
        assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"closed":1,"rate_limited":2}"#);
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[f64::NAN, 5.0]), Some(5.0));
    }
}

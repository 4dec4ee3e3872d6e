//! A process's resident memory and CPU time, read from `/proc` (Linux): `VmRSS` in
//! `/proc/PID/status`, `utime + stime` in `/proc/PID/stat` (all threads together).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

/// CPU time by thread name (threads of the same name added up), e.g. the tokio workers
/// (`tokio-runtime-w`, as the kernel truncates names to 15 bytes) apart from the store's writer.
pub type Threads = BTreeMap<String, Duration>;

/// One reading of a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sample {
    /// Resident set size, KiB.
    pub rss_kib: u64,
    /// CPU time used so far, user and system, all threads.
    #[serde(serialize_with = "as_secs")]
    pub cpu: Duration,
}

fn as_secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

impl Sample {
    /// RSS in MiB.
    pub fn rss_mib(&self) -> f64 {
        self.rss_kib as f64 / 1024.0
    }
}

/// Reads process `pid` now.
pub fn sample(pid: u32) -> std::io::Result<Sample> {
    read(&format!("/proc/{pid}"))
}

/// Reads this process (the load generator itself).
pub fn own() -> std::io::Result<Sample> {
    read("/proc/self")
}

fn read(dir: &str) -> std::io::Result<Sample> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let status = std::fs::read_to_string(format!("{dir}/status"))?;
    let stat = std::fs::read_to_string(format!("{dir}/stat"))?;
    let rss_kib = rss_kib(&status).ok_or_else(|| bad("no VmRSS in /proc/PID/status"))?;
    let ticks = cpu_ticks(&stat).ok_or_else(|| bad("unreadable /proc/PID/stat"))?;
    Ok(Sample { rss_kib, cpu: ticks_to_duration(ticks, ticks_per_second()) })
}

/// CPU time of each thread of process `pid`, by thread name.
pub fn threads(pid: u32) -> std::io::Result<Threads> {
    let per_second = ticks_per_second();
    let mut out = Threads::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let Ok(stat) = std::fs::read_to_string(task?.path().join("stat")) else {
            continue; // The thread ended meanwhile.
        };
        if let (Some(name), Some(ticks)) = (thread_name(&stat), cpu_ticks(&stat)) {
            *out.entry(name.to_owned()).or_default() += ticks_to_duration(ticks, per_second);
        }
    }
    Ok(out)
}

/// The command name (field 2, in parentheses) from the text of a `stat` file.
pub fn thread_name(stat: &str) -> Option<&str> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    stat.get(open + 1..close)
}

/// CPU time the whole machine has spent busy since boot (all cores, from the first line of
/// `/proc/stat`: everything but idle and iowait), for telling how busy other processes kept
/// the machine during a measurement.
pub fn machine_busy() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    busy_ticks(&stat).map(|ticks| ticks_to_duration(ticks, ticks_per_second()))
}

/// The busy ticks from the text of `/proc/stat`.
pub fn busy_ticks(stat: &str) -> Option<u64> {
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let fields: Vec<u64> =
        line.split_whitespace().map(|f| f.parse().ok()).collect::<Option<_>>()?;
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    let idle = fields.get(3)? + fields.get(4).copied().unwrap_or(0);
    let total: u64 = fields.iter().take(8).sum();
    Some(total - idle)
}

/// Cores kept busy by everything but `ours` (processes measured) over `window`, from two
/// readings of [`machine_busy`].
pub fn others_cores(
    before: Option<Duration>,
    after: Option<Duration>,
    ours: &[&Usage],
    window: Duration,
) -> Option<f64> {
    let machine = after?.saturating_sub(before?).as_secs_f64();
    let ours: f64 = ours.iter().filter_map(|u| u.cpu_seconds).sum();
    let secs = window.as_secs_f64();
    (secs > 0.0).then(|| ((machine - ours) / secs).max(0.0))
}

/// `VmRSS` from the text of `/proc/PID/status`, in KiB.
pub fn rss_kib(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let mut words = line["VmRSS:".len()..].split_whitespace();
    let value: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") | None => Some(value),
        Some(_) => None,
    }
}

/// `utime + stime` (fields 14 and 15, in clock ticks) from the text of `/proc/PID/stat`. The
/// command name (field 2) is in parentheses and may hold spaces and parentheses itself, so the
/// fields are counted from the last `)`.
pub fn cpu_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    // After the name: field 3 (state) is index 0, so utime (14) is index 11, stime index 12.
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// The kernel's clock ticks per second for `/proc` times (`USER_HZ`, 100 on Linux).
pub fn ticks_per_second() -> u64 {
    rustix::param::clock_ticks_per_second()
}

fn ticks_to_duration(ticks: u64, per_second: u64) -> Duration {
    let per_second = per_second.max(1);
    Duration::from_secs(ticks / per_second)
        + Duration::from_nanos((ticks % per_second) * 1_000_000_000 / per_second)
}

/// Readings of the server process, when its pid is known: before and after a measured window.
#[derive(Debug, Clone)]
pub struct Probe {
    pids: Vec<u32>,
}

impl Probe {
    /// A probe of processes `pids`, summed (a cluster's nodes); none: every reading is `None`.
    pub fn new(pids: &[u32]) -> Self {
        Probe { pids: pids.to_vec() }
    }

    /// CPU time by thread name now, if there is exactly one process to read.
    pub fn threads(&self) -> Option<Threads> {
        match self.pids[..] {
            [pid] => threads(pid).ok(),
            _ => None,
        }
    }

    /// Reads the processes now, if there are any to read, summed. A process that cannot be
    /// read (gone, another user's) gives `None` and a warning on stderr.
    pub fn sample(&self) -> Option<Sample> {
        let mut sum: Option<Sample> = None;
        for &pid in &self.pids {
            match sample(pid) {
                Ok(one) => {
                    let total = sum.get_or_insert(Sample { rss_kib: 0, cpu: Duration::ZERO });
                    total.rss_kib += one.rss_kib;
                    total.cpu += one.cpu;
                }
                Err(e) => {
                    eprintln!("capital-bench: cannot read /proc/{pid}: {e}");
                    return None;
                }
            }
        }
        sum
    }
}

/// CPU time used between two readings.
pub fn cpu_between(before: Option<Sample>, after: Option<Sample>) -> Option<Duration> {
    Some(after?.cpu.saturating_sub(before?.cpu))
}

/// What a process used over a measured window: memory at both ends and CPU time in between.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Usage {
    /// RSS when the window opened, MiB.
    pub rss_before_mib: Option<f64>,
    /// RSS when it closed, MiB.
    pub rss_after_mib: Option<f64>,
    /// CPU time used in the window (user + system, all threads), seconds.
    pub cpu_seconds: Option<f64>,
    /// That CPU time over the window's length: 1.0 is one core kept busy.
    pub cpu_cores: Option<f64>,
    /// CPU seconds in the window by thread name (threads that used none left out).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub cpu_by_thread: BTreeMap<String, f64>,
}

impl Usage {
    /// The use between two readings taken `window` apart.
    pub fn between(before: Option<Sample>, after: Option<Sample>, window: Duration) -> Self {
        let cpu = cpu_between(before, after).map(|d| d.as_secs_f64());
        let secs = window.as_secs_f64();
        Usage {
            rss_before_mib: before.map(|s| s.rss_mib()),
            rss_after_mib: after.map(|s| s.rss_mib()),
            cpu_seconds: cpu,
            cpu_cores: cpu.filter(|_| secs > 0.0).map(|c| c / secs),
            cpu_by_thread: BTreeMap::new(),
        }
    }

    /// Adds the CPU time by thread between two readings of [`threads`].
    pub fn with_threads(mut self, before: Option<&Threads>, after: Option<&Threads>) -> Self {
        if let (Some(before), Some(after)) = (before, after) {
            for (name, cpu) in after {
                let used = cpu.saturating_sub(before.get(name).copied().unwrap_or_default());
                if !used.is_zero() {
                    self.cpu_by_thread.insert(name.clone(), used.as_secs_f64());
                }
            }
        }
        self
    }

    /// "tokio-runtime-w 1.20 s, capital-store-w 0.40 s", busiest first, or `None`.
    pub fn threads_line(&self) -> Option<String> {
        if self.cpu_by_thread.is_empty() {
            return None;
        }
        let mut threads: Vec<(&String, &f64)> = self.cpu_by_thread.iter().collect();
        threads.sort_by(|a, b| b.1.total_cmp(a.1));
        let parts: Vec<String> = threads.iter().map(|(n, s)| format!("{n} {s:.2} s")).collect();
        Some(parts.join(", "))
    }

    /// CPU microseconds per event, for `events` events in the window.
    pub fn cpu_micros_per(&self, events: u64) -> Option<f64> {
        self.cpu_seconds.filter(|_| events > 0).map(|c| c * 1e6 / events as f64)
    }

    /// "1.23 s CPU (0.62 cores), RSS 12.0 -> 14.5 MiB", or "not measured (no --pid)".
    pub fn line(&self) -> String {
        match (self.cpu_seconds, self.cpu_cores, self.rss_before_mib, self.rss_after_mib) {
            (Some(cpu), Some(cores), Some(before), Some(after)) => {
                format!("{cpu:.2} s CPU ({cores:.2} cores), RSS {before:.1} -> {after:.1} MiB")
            }
            _ => "not measured (no --pid)".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Name:\tcapital\nUmask:\t0022\nState:\tS (sleeping)\n\
        VmPeak:\t  712344 kB\nVmSize:\t  712344 kB\nVmHWM:\t   14336 kB\nVmRSS:\t   12288 kB\n\
        RssAnon:\t    4096 kB\nThreads:\t3\n";

    #[test]
    fn rss_from_status() {
        assert_eq!(rss_kib(STATUS), Some(12288));
        assert_eq!(rss_kib("Name:\tx\n"), None);
        assert_eq!(rss_kib("VmRSS:\t 12 MB\n"), None, "only kB is understood");
    }

    #[test]
    fn cpu_from_stat_even_with_an_awkward_name() {
        // Fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt
        // cmajflt utime stime ...
        let stat = "4242 (capital (x) y) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 75 0 0 20 0 3";
        assert_eq!(cpu_ticks(stat), Some(325));
        assert_eq!(cpu_ticks("4242 (capital) S 1"), None);
        assert_eq!(cpu_ticks("no parenthesis"), None);
    }

    #[test]
    fn ticks_convert_to_time() {
        assert_eq!(ticks_to_duration(325, 100), Duration::from_millis(3250));
        assert_eq!(ticks_to_duration(7, 0), Duration::from_secs(7));
    }

    #[test]
    fn this_process_can_be_read() {
        let me = own().unwrap();
        assert!(me.rss_kib > 0);
        let again = sample(std::process::id()).unwrap();
        assert!(again.cpu >= me.cpu);
        assert_eq!(cpu_between(Some(me), Some(again)), Some(again.cpu - me.cpu));
        assert_eq!(cpu_between(None, Some(again)), None);
        assert!(Probe::new(&[]).sample().is_none());
    }

    #[test]
    fn machine_busy_time() {
        let stat = "cpu  100 5 50 1000 20 3 2 0 0 0\ncpu0 50 2 25 500 10 1 1 0 0 0\n";
        assert_eq!(busy_ticks(stat), Some(160));
        assert_eq!(busy_ticks("intr 5\n"), None);
        assert!(machine_busy().is_some());
        let ours = Usage { cpu_seconds: Some(1.0), ..Usage::default() };
        let others = others_cores(
            Some(Duration::from_secs(10)),
            Some(Duration::from_secs(14)),
            &[&ours],
            Duration::from_secs(2),
        );
        assert_eq!(others, Some(1.5));
    }

    #[test]
    fn threads_by_name() {
        assert_eq!(thread_name("12 (tokio-runtime-w) S 1"), Some("tokio-runtime-w"));
        assert_eq!(thread_name("12 (a (b)) S 1"), Some("a (b)"));
        assert_eq!(thread_name("nothing"), None);
        let mine = threads(std::process::id()).unwrap();
        assert!(!mine.is_empty());
        let before: Threads = [("w".to_owned(), Duration::from_secs(1))].into();
        let after: Threads = [
            ("w".to_owned(), Duration::from_secs(3)),
            ("idle".to_owned(), Duration::ZERO),
            ("new".to_owned(), Duration::from_secs(1)),
        ]
        .into();
        let usage = Usage::default().with_threads(Some(&before), Some(&after));
        assert_eq!(usage.cpu_by_thread.len(), 2, "threads that used nothing are left out");
        assert_eq!(usage.threads_line().unwrap(), "w 2.00 s, new 1.00 s");
        assert_eq!(Usage::default().threads_line(), None);
    }

    #[test]
    fn usage_over_a_window() {
        let before = Sample { rss_kib: 10 * 1024, cpu: Duration::from_secs(1) };
        let after = Sample { rss_kib: 12 * 1024, cpu: Duration::from_secs(3) };
        let usage = Usage::between(Some(before), Some(after), Duration::from_secs(4));
        assert_eq!(usage.cpu_seconds, Some(2.0));
        assert_eq!(usage.cpu_cores, Some(0.5));
        assert_eq!(usage.cpu_micros_per(1000), Some(2000.0));
        assert_eq!(usage.cpu_micros_per(0), None);
        assert_eq!(usage.line(), "2.00 s CPU (0.50 cores), RSS 10.0 -> 12.0 MiB");
        let none = Usage::between(None, Some(after), Duration::from_secs(4));
        assert_eq!(none.cpu_micros_per(10), None);
        assert_eq!(none.line(), "not measured (no --pid)");
    }
}

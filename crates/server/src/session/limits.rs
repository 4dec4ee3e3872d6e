//! Limits on what one client may do: a token bucket for its request rate, a count of
//! connections per IP address, and fixed-window counters for login attempts.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A token bucket: `burst` requests at once, refilled at `rate` per second.
#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(rate: u32, burst: u32, now: Instant) -> Self {
        TokenBucket {
            rate: f64::from(rate),
            burst: f64::from(burst),
            tokens: f64::from(burst),
            last: now,
        }
    }

    /// Takes a token if there is one.
    pub fn take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Open WebSocket connections per IP address.
#[derive(Debug, Default)]
pub struct PerIp {
    counts: Arc<Mutex<HashMap<IpAddr, u32>>>,
}

/// One counted connection; uncounts itself when dropped.
#[derive(Debug)]
pub struct IpSlot {
    counts: Arc<Mutex<HashMap<IpAddr, u32>>>,
    ip: IpAddr,
}

impl PerIp {
    /// Counts a connection from `ip`, unless it already has `max`.
    pub fn acquire(&self, ip: IpAddr, max: u32) -> Option<IpSlot> {
        let mut counts = self.counts.lock().expect("per-ip lock");
        let count = counts.entry(ip).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(IpSlot { counts: self.counts.clone(), ip })
    }
}

impl Drop for IpSlot {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().expect("per-ip lock");
        if let Some(count) = counts.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

/// At most `limit` events per key per minute (fixed one-minute windows).
#[derive(Debug)]
pub struct PerMinute<K> {
    limit: u32,
    windows: Mutex<HashMap<K, (Instant, u32)>>,
}

impl<K: Hash + Eq + Clone> PerMinute<K> {
    /// A limiter of `limit` per minute per key.
    pub fn new(limit: u32) -> Self {
        PerMinute { limit, windows: Mutex::new(HashMap::new()) }
    }

    /// `Err(wait)` if `key` is at the limit now, with how long until it resets; counts nothing.
    pub fn check(&self, key: &K, now: Instant) -> Result<(), Duration> {
        const WINDOW: Duration = Duration::from_secs(60);
        let windows = self.windows.lock().expect("limiter lock");
        match windows.get(key) {
            Some((start, count))
                if now.saturating_duration_since(*start) < WINDOW && *count >= self.limit =>
            {
                Err(WINDOW.saturating_sub(now.saturating_duration_since(*start)))
            }
            _ => Ok(()),
        }
    }

    /// Counts an event for `key`; `Err(wait)` if over the limit, with how long until it resets.
    pub fn hit(&self, key: &K, now: Instant) -> Result<(), Duration> {
        const WINDOW: Duration = Duration::from_secs(60);
        let mut windows = self.windows.lock().expect("limiter lock");
        if windows.len() > 10_000 {
            windows.retain(|_, (start, _)| now.saturating_duration_since(*start) < WINDOW);
        }
        let (start, count) = windows.entry(key.clone()).or_insert((now, 0));
        if now.saturating_duration_since(*start) >= WINDOW {
            *start = now;
            *count = 0;
        }
        if *count >= self.limit {
            return Err(WINDOW.saturating_sub(now.saturating_duration_since(*start)));
        }
        *count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_bursts_then_the_rate() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(10, 3, t0);
        assert!(bucket.take(t0) && bucket.take(t0) && bucket.take(t0));
        assert!(!bucket.take(t0), "burst spent");
        assert!(!bucket.take(t0 + Duration::from_millis(50)), "half a token");
        assert!(bucket.take(t0 + Duration::from_millis(100)), "one token per 100 ms");
        assert!(!bucket.take(t0 + Duration::from_millis(100)));
        let later = t0 + Duration::from_secs(10);
        assert!((0..3).all(|_| bucket.take(later)), "refills up to the burst only");
        assert!(!bucket.take(later));
    }

    #[test]
    fn per_ip_counts_and_releases() {
        let limits = PerIp::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let a = limits.acquire(ip, 2).unwrap();
        let _b = limits.acquire(ip, 2).unwrap();
        assert!(limits.acquire(ip, 2).is_none());
        assert!(limits.acquire("10.0.0.2".parse().unwrap(), 2).is_some(), "per address");
        drop(a);
        assert!(limits.acquire(ip, 2).is_some());
    }

    #[test]
    fn per_minute_windows() {
        let t0 = Instant::now();
        let limiter = PerMinute::new(2);
        assert!(limiter.hit(&"ana", t0).is_ok());
        assert!(limiter.hit(&"ana", t0).is_ok());
        let wait = limiter.hit(&"ana", t0 + Duration::from_secs(20)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(40));
        assert!(limiter.hit(&"bo", t0).is_ok());
        assert!(limiter.check(&"ana", t0 + Duration::from_secs(30)).is_err(), "check sees it");
        assert!(limiter.check(&"bo", t0).is_ok(), "and counts nothing");
        assert!(limiter.hit(&"bo", t0).is_ok());
        assert!(limiter.hit(&"ana", t0 + Duration::from_secs(60)).is_ok());
    }
}

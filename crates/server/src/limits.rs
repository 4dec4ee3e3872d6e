//! The mechanisms behind every per-address and total bound: a token bucket for a connection's
//! request rate, counted slots (connections per address and in all), and fixed-window counters
//! per key (login attempts, new guests, new rooms, failed room lookups, and, weighted in bytes,
//! direct messages). A leaf module.
//!
//! Every map here is bounded too: an attacker with many addresses must not grow them without end.
//! IPv6 addresses count by their /64 prefix (one home or classroom network gets one /64, and
//! a single machine can pick any address inside it).

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The key an address is counted under: the address itself for IPv4, its /64 for IPv6.
pub fn ip_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                IpAddr::from(octets)
            }
        },
    }
}

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

/// Counted slots: at most `per_ip` per address and `total` in all.
#[derive(Debug)]
pub struct Slots {
    counts: Arc<Mutex<Counts>>,
    per_ip: u32,
    total: u32,
}

#[derive(Debug, Default)]
struct Counts {
    by_ip: HashMap<IpAddr, u32>,
    total: u32,
}

/// Why a slot was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The address has its share.
    PerIp,
    /// Everyone together has all there are.
    Total,
}

/// One counted slot; uncounts itself when dropped.
#[derive(Debug)]
pub struct Slot {
    counts: Arc<Mutex<Counts>>,
    ip: IpAddr,
}

impl Slots {
    /// At most `per_ip` slots per address and `total` in all.
    pub fn new(per_ip: u32, total: u32) -> Self {
        Slots { counts: Arc::default(), per_ip, total }
    }

    /// Counts a slot for `ip`, unless it or everyone has all there are.
    pub fn acquire(&self, ip: IpAddr) -> Result<Slot, Refused> {
        let ip = ip_key(ip);
        let mut counts = self.counts.lock().expect("slots lock");
        if counts.total >= self.total {
            return Err(Refused::Total);
        }
        let count = counts.by_ip.entry(ip).or_insert(0);
        if *count >= self.per_ip {
            return Err(Refused::PerIp);
        }
        *count += 1;
        counts.total += 1;
        Ok(Slot { counts: self.counts.clone(), ip })
    }

    /// Slots taken now, in all.
    pub fn taken(&self) -> u32 {
        self.counts.lock().expect("slots lock").total
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().expect("slots lock");
        counts.total = counts.total.saturating_sub(1);
        if let Some(count) = counts.by_ip.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                counts.by_ip.remove(&self.ip);
            }
        }
    }
}

/// Keys a [`PerMinute`] tracks at most. Past it (after forgetting windows that ended), a key it
/// does not know yet counts as over its limit: an attacker with countless keys (addresses,
/// made-up usernames) gets refused, rather than growing the map.
const MAX_KEYS: usize = 100_000;

const WINDOW: Duration = Duration::from_secs(60);

/// At most `limit` events (or their weight: [`PerMinute::hit_weighted`]) per key per minute
/// (fixed one-minute windows).
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

    /// Counts an event for `key`; `Err(wait)` (and counts nothing) if it is at the limit, with
    /// how long until it resets.
    pub fn hit(&self, key: &K, now: Instant) -> Result<(), Duration> {
        self.hit_weighted(key, 1, now)
    }

    /// Counts an event that weighs `weight` (bytes, say) for `key`: `Err(wait)`, counting
    /// nothing, if it would take the key's window past the limit, with how long until the
    /// window resets. (An event heavier than the whole limit is always refused.)
    pub fn hit_weighted(&self, key: &K, weight: u32, now: Instant) -> Result<(), Duration> {
        let mut windows = self.windows.lock().expect("limiter lock");
        if windows.len() >= MAX_KEYS && !windows.contains_key(key) {
            windows.retain(|_, (start, _)| now.saturating_duration_since(*start) < WINDOW);
            if windows.len() >= MAX_KEYS {
                return Err(WINDOW);
            }
        }
        let (start, count) = windows.entry(key.clone()).or_insert((now, 0));
        if now.saturating_duration_since(*start) >= WINDOW {
            *start = now;
            *count = 0;
        }
        if count.saturating_add(weight) > self.limit {
            return Err(WINDOW.saturating_sub(now.saturating_duration_since(*start)));
        }
        *count += weight;
        Ok(())
    }

    /// Takes back one event counted for `key` in its current window (an attempt that turned
    /// out not to count, such as a login that succeeded).
    pub fn refund(&self, key: &K, now: Instant) {
        let mut windows = self.windows.lock().expect("limiter lock");
        if let Some((start, count)) = windows.get_mut(key)
            && now.saturating_duration_since(*start) < WINDOW
        {
            *count = count.saturating_sub(1);
        }
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
    fn slots_are_counted_per_address_and_in_all() {
        let slots = Slots::new(2, 3);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let a = slots.acquire(ip).unwrap();
        let _b = slots.acquire(ip).unwrap();
        assert_eq!(slots.acquire(ip).unwrap_err(), Refused::PerIp);
        let _c = slots.acquire("10.0.0.2".parse().unwrap()).unwrap();
        assert_eq!(slots.acquire("10.0.0.3".parse().unwrap()).unwrap_err(), Refused::Total);
        drop(a);
        assert_eq!(slots.taken(), 2);
        assert!(slots.acquire(ip).is_ok(), "a dropped slot is free again");
    }

    #[test]
    fn ipv6_counts_by_its_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(ip_key(a), ip_key(b));
        assert_ne!(ip_key(a), ip_key(c));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(ip_key(mapped), "10.0.0.1".parse::<IpAddr>().unwrap());
        let slots = Slots::new(1, 10);
        let _held = slots.acquire(a).unwrap();
        assert_eq!(slots.acquire(b).unwrap_err(), Refused::PerIp);
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
        limiter.refund(&"ana", t0 + Duration::from_secs(30));
        assert!(limiter.hit(&"ana", t0 + Duration::from_secs(30)).is_ok(), "refunded");
        assert!(limiter.hit(&"ana", t0 + Duration::from_secs(30)).is_err());
        assert!(limiter.hit(&"ana", t0 + Duration::from_secs(60)).is_ok(), "a new window");
    }

    #[test]
    fn weighted_hits_count_their_weight_and_a_refused_one_counts_nothing() {
        let t0 = Instant::now();
        let bytes = PerMinute::new(1000);
        assert!(bytes.hit_weighted(&"ana", 600, t0).is_ok());
        let wait = bytes.hit_weighted(&"ana", 500, t0 + Duration::from_secs(15)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(45), "600 + 500 is past 1000");
        // The refused 500 was not counted: 400 more still fit, and then nothing.
        assert!(bytes.hit_weighted(&"ana", 400, t0 + Duration::from_secs(15)).is_ok());
        assert!(bytes.hit_weighted(&"ana", 1, t0 + Duration::from_secs(15)).is_err());
        assert!(bytes.check(&"ana", t0 + Duration::from_secs(15)).is_err(), "at the limit");
        assert!(bytes.hit_weighted(&"bo", 1000, t0).is_ok(), "each key its own");
        assert!(bytes.hit_weighted(&"cy", 1001, t0).is_err(), "heavier than the limit");
        assert!(bytes.hit_weighted(&"ana", 1000, t0 + Duration::from_secs(60)).is_ok(), "anew");
        assert!(bytes.hit_weighted(&"ana", u32::MAX, t0 + Duration::from_secs(60)).is_err());
    }
}

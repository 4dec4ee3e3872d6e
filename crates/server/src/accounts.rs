//! Accounts: a guest claims a username and password and keeps their id, rooms and history;
//! `login` on any device gives that device its own session token.
//!
//! Passwords are hashed with argon2id (RustCrypto's `argon2`, default parameters: 19 MiB,
//! 2 passes). A login for a username that does not exist verifies the password against a dummy
//! hash with the same parameters, so both failures cost the same time and answer the same
//! error: nobody learns which usernames exist.
//!
//! Hashing is bounded: the [`Gate`] counts every login attempt against its address and its
//! username *before* any hashing (a success takes its count back, so only failures count), and
//! lets at most a few hashes run at once (19 MiB each); beyond, a request waits a little, then
//! gets `busy`. So any number of parallel logins costs a fixed amount of memory.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use capital_protocol::ErrorCode;
use tokio::sync::Semaphore;

use crate::limits::{PerMinute, ip_key};

/// How long a login or registration waits for its turn to hash before it gets `busy`.
const HASH_WAIT: Duration = Duration::from_secs(3);

/// Why the gate turned a request away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turned {
    /// Too many attempts lately (for the address or the username): wait this long.
    TooMany(Duration),
    /// Every hashing slot stayed busy.
    Busy,
}

/// Login and registration limits, and the bound on concurrent password hashing.
pub struct Gate {
    per_ip: PerMinute<IpAddr>,
    per_user: PerMinute<String>,
    hashing: Semaphore,
}

/// A counted login attempt; [`Attempt::succeeded`] takes the count back.
#[must_use = "a successful login should give its count back"]
pub struct Attempt<'a> {
    gate: &'a Gate,
    ip: IpAddr,
    key: String,
}

impl Attempt<'_> {
    /// The login worked: it does not count against the limits.
    pub fn succeeded(self) {
        let now = Instant::now();
        self.gate.per_ip.refund(&self.ip, now);
        self.gate.per_user.refund(&self.key, now);
    }
}

impl Gate {
    /// `per_minute` attempts per address and per username; `hashes` at once.
    pub fn new(per_minute: u32, hashes: usize) -> Self {
        Gate {
            per_ip: PerMinute::new(per_minute),
            per_user: PerMinute::new(per_minute),
            hashing: Semaphore::new(hashes.max(1)),
        }
    }

    /// As many hashes at once as the machine has cores, up to 4 (76 MiB).
    pub fn hashes_for_this_machine() -> usize {
        std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4)
    }

    /// Counts an attempt from `ip` for `username` now, before any work: refused if either is
    /// at its limit (and then nothing is counted).
    pub fn attempt(&self, ip: IpAddr, username: &str) -> Result<Attempt<'_>, Turned> {
        let now = Instant::now();
        let ip = ip_key(ip);
        let key = login_key(username);
        self.per_ip.hit(&ip, now).map_err(Turned::TooMany)?;
        if let Err(wait) = self.per_user.hit(&key, now) {
            self.per_ip.refund(&ip, now);
            return Err(Turned::TooMany(wait));
        }
        Ok(Attempt { gate: self, ip, key })
    }

    /// Runs `work` (a hash or a verify) on a blocking thread once a hashing slot is free.
    async fn hashing<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Turned> {
        let permit = tokio::time::timeout(HASH_WAIT, self.hashing.acquire())
            .await
            .map_err(|_| Turned::Busy)?
            .map_err(|_| Turned::Busy)?;
        let result = tokio::task::spawn_blocking(work).await.map_err(|_| Turned::Busy);
        drop(permit);
        result
    }

    /// [`verify_password`], bounded.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, Turned> {
        self.hashing(move || verify_password(&password, stored.as_deref())).await
    }

    /// [`hash_password`], bounded.
    pub async fn hash(&self, password: String) -> Result<Result<String, String>, Turned> {
        self.hashing(move || hash_password(&password)).await
    }
}

/// Shortest password, in characters.
pub const MIN_PASSWORD: usize = 8;
/// Longest password, in characters (argon2 takes any length; this bounds the work per attempt).
pub const MAX_PASSWORD: usize = 128;

/// Why a username or password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// Not a username.
    #[error("a username is 3 to 20 letters, digits, '_', '-' or '.'")]
    BadUsername,
    /// A password too short or too long.
    #[error("a password is {MIN_PASSWORD} to {MAX_PASSWORD} characters")]
    BadPassword,
}

impl AccountError {
    /// The code clients get.
    pub fn code(&self) -> ErrorCode {
        match self {
            AccountError::BadUsername => ErrorCode::BadUsername,
            AccountError::BadPassword => ErrorCode::BadPassword,
        }
    }
}

/// What a username is counted under for the login limits: exactly how [`normalize_username`]
/// reads it (trimmed, lower case), valid or not, so " Ana" and "ana" are one key.
pub fn login_key(username: &str) -> String {
    username.trim().to_ascii_lowercase()
}

/// Checks a username and returns it lower case: 3 to 20 of `a-z 0-9 _ - .`.
pub fn normalize_username(username: &str) -> Result<String, AccountError> {
    let name = login_key(username);
    let valid = (3..=20).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.".contains(&b));
    if valid { Ok(name) } else { Err(AccountError::BadUsername) }
}

/// Checks a new password's length.
pub fn check_password(password: &str) -> Result<(), AccountError> {
    let chars = password.chars().count();
    if (MIN_PASSWORD..=MAX_PASSWORD).contains(&chars) {
        Ok(())
    } else {
        Err(AccountError::BadPassword)
    }
}

/// The argon2id hash of `password`, as a PHC string (salt and parameters included).
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches `stored` (a PHC string). With `stored = None` (no such user) it
/// does the same work against a dummy hash and answers `false`.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    let password = truncate(password);
    let (hash, real) = match stored {
        Some(hash) => (hash, true),
        None => (dummy_hash(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else { return false };
    let ok = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
    ok && real
}

/// Over-long passwords are cut before hashing so an attacker cannot make one attempt costly.
fn truncate(password: &str) -> &str {
    match password.char_indices().nth(MAX_PASSWORD) {
        Some((i, _)) => &password[..i],
        None => password,
    }
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut secret = [0u8; 24];
        rand::fill(&mut secret);
        let secret: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        hash_password(&secret).expect("hashing a fixed-size secret works")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(normalize_username(" Ana_B ").unwrap(), "ana_b");
        assert_eq!(login_key("  Ana_B"), login_key("ana_b "), "one key, however typed");
        assert_eq!(normalize_username("x.y-z").unwrap(), "x.y-z");
        for bad in ["ab", "a b c", "ünïcode", "way_too_long_for_a_name", "semi;colon"] {
            assert_eq!(
                normalize_username(bad).unwrap_err().code(),
                ErrorCode::BadUsername,
                "{bad}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_gate_counts_before_hashing_and_bounds_it() {
        let gate = Gate::new(2, 1);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let first = gate.attempt(ip, " Ana").unwrap();
        let _second = gate.attempt(ip, "ana ").unwrap();
        assert!(
            matches!(gate.attempt(ip, "ANA"), Err(Turned::TooMany(_))),
            "one key however typed"
        );
        assert!(
            matches!(gate.attempt(ip, "bo"), Err(Turned::TooMany(_))),
            "and the address is spent"
        );
        first.succeeded();
        let _third = gate.attempt(ip, "bo").expect("a success gave its count back");
        // With the one hashing slot taken, a verify waits, then is turned away.
        let held = gate.hashing.acquire().await.unwrap();
        let started = tokio::time::Instant::now();
        assert_eq!(gate.verify("x".into(), None).await, Err(Turned::Busy));
        assert_eq!(started.elapsed(), HASH_WAIT);
        drop(held);
    }

    #[test]
    fn passwords_hash_and_verify() {
        assert!(check_password("short").is_err());
        assert!(check_password(&"p".repeat(129)).is_err());
        check_password("correct horse").unwrap();
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse", Some(&hash)));
        assert!(!verify_password("wrong horse", Some(&hash)));
        assert!(!verify_password("correct horse", None), "no user, no login");
        assert!(!verify_password("x", Some("not a hash")));
        assert_ne!(hash_password("correct horse").unwrap(), hash, "salted");
    }
}

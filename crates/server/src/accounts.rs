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

use std::cell::RefCell;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use capital_protocol::ErrorCode;
use tokio::sync::Semaphore;

use crate::limits::{PerMinute, ip_key};

/// How long a login or registration waits for its turn to hash before it gets `busy`.
const HASH_WAIT: Duration = Duration::from_secs(10);

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
    /// A slot per hashing thread.
    hashing: Semaphore,
    /// To the hashing threads. Hashes run on threads of their own, always the same few: on
    /// the shared blocking pool each hash could land on another thread, each keeping its own
    /// malloc arena with 19 MiB in it (180 parallel logins grew the process by 500 MiB so).
    /// Started at the first hash: a server nobody logs in to does not keep them.
    jobs: std::sync::OnceLock<std::sync::mpsc::Sender<HashJob>>,
    threads: usize,
}

type HashJob = Box<dyn FnOnce() + Send>;

/// Starts `n` threads that run hashing jobs until `jobs` is dropped.
fn hashing_threads(n: usize) -> std::sync::mpsc::Sender<HashJob> {
    let (tx, rx) = std::sync::mpsc::channel::<HashJob>();
    let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
    for i in 0..n {
        let rx = rx.clone();
        let spawned =
            std::thread::Builder::new().name(format!("capital-hash-{i}")).spawn(move || {
                loop {
                    let job = rx.lock().expect("hashing queue lock").recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start a password hashing thread");
        }
    }
    tx
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
            jobs: std::sync::OnceLock::new(),
            threads: hashes.max(1),
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

    /// Runs `work` (a hash or a verify) on a hashing thread once one is free.
    async fn hashing<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Turned> {
        let permit = tokio::time::timeout(HASH_WAIT, self.hashing.acquire())
            .await
            .map_err(|_| Turned::Busy)?
            .map_err(|_| Turned::Busy)?;
        let (done, result) = tokio::sync::oneshot::channel();
        let job: HashJob = Box::new(move || {
            let _ = done.send(work());
        });
        let jobs = self.jobs.get_or_init(|| hashing_threads(self.threads));
        jobs.send(job).map_err(|_| Turned::Busy)?;
        let result = result.await.map_err(|_| Turned::Busy);
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

thread_local! {
    /// This thread's argon2 working memory (19 MiB once used), reused by every hash it runs.
    /// Allocated afresh for each hash, the freed memory was not reused by malloc: one thread
    /// hashing 20 passwords in a row grew by 190 MiB.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs `argon` over `password` and `salt` into `out`, in this thread's reused memory.
fn argon2_into(
    argon: &Argon2<'_>,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), argon2::Error> {
    BLOCKS.with_borrow_mut(|blocks| {
        let need = argon.params().block_count();
        if blocks.len() != need {
            blocks.clear();
            blocks.resize(need, Block::default());
            blocks.shrink_to_fit();
        }
        argon.hash_password_into_with_memory(password, salt, out, &mut blocks[..])
    })
}

/// The argon2id hash of `password` (default parameters, a random 16-byte salt), as a PHC
/// string (salt and parameters included), as `argon2`'s own `hash_password` writes it.
pub fn hash_password(password: &str) -> Result<String, String> {
    let argon = Argon2::default();
    let mut salt = [0u8; 16];
    rand::fill(&mut salt);
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2_into(&argon, password.as_bytes(), &salt, &mut out).map_err(|e| e.to_string())?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params()).map_err(|e| e.to_string())?,
        salt: Some(Salt::new(&salt).map_err(|e| e.to_string())?),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(hash.to_string())
}

/// Whether `password` gives the hash in `phc` (a PHC string of any argon2 variant), compared
/// in constant time.
fn matches(password: &[u8], phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else { return false };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else { return false };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm.as_str()) else { return false };
    let version = hash.version.map_or(Ok(Version::default()), Version::try_from);
    let (Ok(version), Ok(params)) = (version, Params::try_from(&hash)) else { return false };
    let argon = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    if argon2_into(&argon, password, salt.as_ref(), &mut out).is_err() {
        return false;
    }
    Output::new(&out).is_ok_and(|computed| computed == *expected)
}

/// Whether `password` matches `stored` (a PHC string). With `stored = None` (no such user) it
/// does the same work against a dummy hash and answers `false`.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    let password = truncate(password);
    let (hash, real) = match stored {
        Some(hash) => (hash, true),
        None => (dummy_hash(), false),
    };
    matches(password.as_bytes(), hash) && real
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
        // The same hashes as argon2's own functions, both ways (accounts made before the
        // memory was reused still log in).
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let theirs = Argon2::default().hash_password(b"correct horse").unwrap().to_string();
        assert!(verify_password("correct horse", Some(&theirs)));
        assert!(!verify_password("correct horsf", Some(&theirs)));
        let parsed = PasswordHash::new(&hash).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse", &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"wrong", &parsed).is_err());
    }
}

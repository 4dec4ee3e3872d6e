//! Accounts: a guest claims a username and password and keeps their id, rooms and history;
//! `login` on any device gives that device its own session token.
//!
//! Passwords are hashed with argon2id (RustCrypto's `argon2`, default parameters: 19 MiB,
//! 2 passes). A login for a username that does not exist verifies the password against a dummy
//! hash with the same parameters, so both failures cost the same time and answer the same
//! error: nobody learns which usernames exist. Everything here is CPU-heavy and blocking: call
//! it from a blocking thread.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use capital_protocol::ErrorCode;

/// Shortest password, in characters.
pub const MIN_PASSWORD: usize = 8;
/// Longest password, in characters (argon2 takes any length; this bounds the work per attempt).
pub const MAX_PASSWORD: usize = 128;

/// Checks a username and returns it lower case: 3 to 20 of `a-z 0-9 _ - .`.
pub fn normalize_username(username: &str) -> Result<String, (ErrorCode, String)> {
    let name = username.trim().to_ascii_lowercase();
    let valid = (3..=20).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.".contains(&b));
    if valid {
        Ok(name)
    } else {
        Err((
            ErrorCode::BadUsername,
            "a username is 3 to 20 letters, digits, '_', '-' or '.'".into(),
        ))
    }
}

/// Checks a new password's length.
pub fn check_password(password: &str) -> Result<(), (ErrorCode, String)> {
    let chars = password.chars().count();
    if (MIN_PASSWORD..=MAX_PASSWORD).contains(&chars) {
        Ok(())
    } else {
        Err((
            ErrorCode::BadPassword,
            format!("a password is {MIN_PASSWORD} to {MAX_PASSWORD} characters"),
        ))
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
        assert_eq!(normalize_username("x.y-z").unwrap(), "x.y-z");
        for bad in ["ab", "a b c", "ünïcode", "way_too_long_for_a_name", "semi;colon"] {
            assert_eq!(normalize_username(bad).unwrap_err().0, ErrorCode::BadUsername, "{bad}");
        }
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

//! Four-letter room codes, from an alphabet without look-alikes: easy to read off a projector
//! and to type on a phone.

use rand::RngExt;

/// Letters a code may use: no I or L (1), O or Q (0), U or V (each other), B (8), S (5), Z (2).
pub const ALPHABET: &[u8] = b"ACDEFGHJKMNPRTWXY";

/// Letters in a code.
pub const LENGTH: usize = 4;

/// A random code.
pub fn random() -> String {
    let mut rng = rand::rng();
    (0..LENGTH).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect()
}

/// A code as typed by a person, in canonical form (upper case, spaces trimmed), if it can be one.
pub fn normalize(typed: &str) -> Option<String> {
    let code = typed.trim().to_ascii_uppercase();
    let valid = code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b));
    valid.then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_codes_use_the_alphabet() {
        for _ in 0..1000 {
            let code = random();
            assert_eq!(normalize(&code).as_deref(), Some(code.as_str()));
        }
    }

    #[test]
    fn typed_codes_are_normalized() {
        assert_eq!(normalize(" kxmr ").as_deref(), Some("KXMR"));
        assert_eq!(normalize("KXM"), None);
        assert_eq!(normalize("KXMRA"), None);
        assert_eq!(normalize("KOMR"), None, "O is not in the alphabet");
        assert_eq!(normalize("ÄXMR"), None);
    }

    #[test]
    fn no_look_alikes() {
        for c in b"01IOLQUVBSZ258" {
            assert!(!ALPHABET.contains(c), "{}", char::from(*c));
        }
    }
}

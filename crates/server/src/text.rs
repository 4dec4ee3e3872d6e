//! What people type, checked: display names, chat and direct-message text, client message ids.
//! A leaf module: pure functions, no I/O.
//!
//! Names are what others trust to tell people apart, so they are normalized (Unicode NFC: "é"
//! typed two ways is one name) and refuse what can make one name look like another or like
//! nothing: control characters, bidirectional overrides and isolates (U+202A..U+202E,
//! U+2066..U+2069, which reorder what follows), zero-width and other invisible characters,
//! tag characters, and names with nothing visible in them. A zero-width joiner stays allowed
//! between two emoji (it builds family and profession emoji).

use capital_protocol::ErrorCode;
use unicode_normalization::UnicodeNormalization;

/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 24;
/// Longest `client_msg_id`, in characters.
pub const MAX_CLIENT_MSG_ID_CHARS: usize = 64;

/// Why a piece of text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// A display name broke a rule (the message says which).
    #[error("{0}")]
    Name(&'static str),
    /// A name over [`MAX_NAME_CHARS`].
    #[error("the name is longer than {MAX_NAME_CHARS} characters")]
    NameTooLong,
    /// Empty (or blank) message text.
    #[error("the message is empty")]
    Empty,
    /// Message text over the limit.
    #[error("the message is {chars} characters; the limit is {max}")]
    TooLong {
        /// Its length.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// Control characters in message text (other than newline and tab).
    #[error("the message has control characters")]
    Control,
    /// A `client_msg_id` that is empty or too long.
    #[error("client_msg_id must be 1 to {MAX_CLIENT_MSG_ID_CHARS} characters")]
    ClientMsgId,
}

impl TextError {
    /// The code clients get.
    pub fn code(&self) -> ErrorCode {
        match self {
            TextError::Name(_) | TextError::NameTooLong => ErrorCode::BadName,
            TextError::Empty | TextError::TooLong { .. } | TextError::Control => ErrorCode::BadText,
            TextError::ClientMsgId => ErrorCode::BadClientMsgId,
        }
    }
}

/// Characters that change the direction of the text around them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing (and are not ordinary spaces): zero-width characters, fillers,
/// the word joiner and invisible operators, the byte-order mark, variation selectors alone, tags.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}'
        | '\u{206A}'..='\u{206F}' | '\u{2800}' | '\u{3164}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{FE00}'..='\u{FE0F}' | '\u{E0000}'..='\u{E0FFF}' | '\u{1D173}'..='\u{1D17A}')
}

/// Tag characters (U+E0000..U+E007F): invisible, and able to smuggle text.
fn is_tag(c: char) -> bool {
    ('\u{E0000}'..='\u{E007F}').contains(&c)
}

/// Emoji-like symbols, between which a zero-width joiner builds one emoji.
fn is_pictograph(c: char) -> bool {
    matches!(c, '\u{2600}'..='\u{27BF}' | '\u{1F000}'..='\u{1FAFF}')
}

/// Checks a display name and returns it trimmed and in NFC: 1 to [`MAX_NAME_CHARS`]
/// characters, something visible, nothing that hides or reorders text.
pub fn name(raw: &str) -> Result<String, TextError> {
    let name: String = raw.trim().nfc().collect();
    if name.is_empty() {
        return Err(TextError::Name("the name is empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(TextError::NameTooLong);
    }
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_control() {
            return Err(TextError::Name("the name has control characters"));
        }
        if is_bidi_control(c) {
            return Err(TextError::Name(
                "the name has characters that change the text's direction",
            ));
        }
        if is_tag(c) {
            return Err(TextError::Name("the name has invisible tag characters"));
        }
        let joins_emoji = c == '\u{200D}'
            && i > 0
            && chars.get(i + 1).is_some_and(|n| is_pictograph(*n))
            && chars[..i]
                .iter()
                .rev()
                .find(|p| !('\u{FE00}'..='\u{FE0F}').contains(*p))
                .is_some_and(|p| is_pictograph(*p));
        let emoji_style =
            ('\u{FE00}'..='\u{FE0F}').contains(&c) && i > 0 && is_pictograph(chars[i - 1]);
        if is_invisible(c) && !joins_emoji && !emoji_style {
            return Err(TextError::Name("the name has invisible characters"));
        }
    }
    if chars.iter().all(|c| c.is_whitespace() || is_invisible(*c)) {
        return Err(TextError::Name("the name has nothing visible in it"));
    }
    Ok(name)
}

/// Words to mask in chat and names (the `word_filter` setting): each whole word, in any case,
/// becomes as many `*`. Masking, not dropping: the message still arrives, and says something was
/// filtered.
#[derive(Debug, Clone, Default)]
pub struct WordFilter {
    words: std::collections::HashSet<String>,
}

impl WordFilter {
    /// A filter of `words` (none: a filter that changes nothing).
    pub fn new(words: &[String]) -> Self {
        let words = words.iter().map(|w| w.trim().to_lowercase()).filter(|w| !w.is_empty());
        WordFilter { words: words.collect() }
    }

    /// `text` with every filtered word masked.
    pub fn mask(&self, text: &str) -> String {
        if self.words.is_empty() {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            if self.words.contains(&word.to_lowercase()) {
                out.extend(std::iter::repeat_n('*', word.chars().count()));
            } else {
                out.push_str(word);
            }
            word.clear();
        };
        for c in text.chars() {
            if c.is_alphanumeric() {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    }
}

/// `text` safe inside HTML text and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A short note a person writes for another (why a host removed someone): trimmed, at most
/// `max_chars`, one line.
pub fn note(text: &str, max_chars: usize) -> Result<String, TextError> {
    let text = text.trim();
    let chars = text.chars().count();
    if chars > max_chars {
        return Err(TextError::TooLong { chars, max: max_chars });
    }
    if text.chars().any(char::is_control) {
        return Err(TextError::Control);
    }
    Ok(text.to_owned())
}

/// Checks a chat or direct message's text and its `client_msg_id` against the limits.
pub fn message(text: &str, client_msg_id: &str, max_chars: usize) -> Result<(), TextError> {
    if text.trim().is_empty() {
        return Err(TextError::Empty);
    }
    let chars = text.chars().count();
    if chars > max_chars {
        return Err(TextError::TooLong { chars, max: max_chars });
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(TextError::Control);
    }
    client_msg_id_of(client_msg_id)
}

/// Checks a message's `client_msg_id` (1 to 64 characters), for a message whose text the server
/// cannot read (a sealed direct message) as for any other.
pub fn client_msg_id_of(client_msg_id: &str) -> Result<(), TextError> {
    if client_msg_id.is_empty() || client_msg_id.chars().count() > MAX_CLIENT_MSG_ID_CHARS {
        return Err(TextError::ClientMsgId);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_filter_masks_whole_words_in_any_case_and_nothing_else() {
        let filter = WordFilter::new(&["darn".into(), " Heck ".into()]);
        assert_eq!(filter.mask("Darn it, HECK! darnation"), "**** it, ****! darnation");
        assert_eq!(filter.mask("héck darn"), "héck ****", "whole words only");
        assert_eq!(WordFilter::new(&[]).mask("darn"), "darn", "no words: no change");
    }

    #[test]
    fn names_are_trimmed_normalized_and_checked() {
        assert_eq!(name("  Ana ").unwrap(), "Ana");
        assert_eq!(name("Zoë 😀").unwrap(), "Zoë 😀");
        assert_eq!(name("Zoe\u{0308}").unwrap(), "Zoë", "NFC: one way to write ë");
        assert_eq!(name(&"x".repeat(24)).unwrap().len(), 24);
        assert_eq!(name("👨\u{200D}👩\u{200D}👧").unwrap().chars().count(), 5, "a family emoji");
        assert!(name("❤\u{FE0F} Bo").is_ok(), "emoji presentation selector");
        for bad in ["", "   ", "a\u{0}b", "tab\there", "new\nline", &"x".repeat(25)] {
            assert_eq!(name(bad).unwrap_err().code(), ErrorCode::BadName, "{bad:?}");
        }
    }

    #[test]
    fn names_that_hide_or_reorder_text_are_refused() {
        for bad in [
            "Ana\u{202E}oB",       // right-to-left override
            "\u{2067}Ana\u{2069}", // an isolate
            "A\u{200B}na",         // zero-width space
            "Ana\u{200D}",         // a joiner with nothing to join
            "An\u{2060}a",         // word joiner
            "Ana\u{E0041}",        // a tag character
            "\u{3164}",            // Hangul filler: looks empty
            "\u{115F}\u{1160}",
            "\u{2800}",    // braille blank
            "\u{FEFF}Ana", // byte-order mark
            "Ana\u{200F}", // right-to-left mark
        ] {
            let err = name(bad).unwrap_err();
            assert_eq!(err.code(), ErrorCode::BadName, "{bad:?} gave {err}");
        }
    }

    #[test]
    fn messages() {
        assert!(message("hi", "c1", 10).is_ok());
        assert!(message("line\nbreak\ttab", "c1", 20).is_ok());
        assert_eq!(message(" ", "c1", 10).unwrap_err().code(), ErrorCode::BadText);
        assert_eq!(message(&"x".repeat(11), "c1", 10).unwrap_err().code(), ErrorCode::BadText);
        assert_eq!(message("bell\u{7}", "c1", 10).unwrap_err().code(), ErrorCode::BadText);
        assert_eq!(message("hi", "", 10).unwrap_err().code(), ErrorCode::BadClientMsgId);
        let long = "c".repeat(65);
        assert_eq!(message("hi", &long, 10).unwrap_err().code(), ErrorCode::BadClientMsgId);
    }
}

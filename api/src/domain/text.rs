//! What text Dateline stores. PostgreSQL cannot store NUL in text at all,
//! and other control characters in a headline or a slug are invisible traps
//! for every consumer downstream; so every backend refuses them alike. Tab
//! and newlines belong only in multi-line text (bodies, descriptions).

use crate::error::Validator;

/// Optional text as stored: trimmed, and absent when nothing is left.
pub fn trimmed(s: Option<String>) -> Option<String> {
    s.map(|x| x.trim().to_owned()).filter(|x| !x.is_empty())
}

/// Where a string may hold line breaks and tabs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    Single,
    Multi,
}

pub const CONTROL_MESSAGE: &str = "must not contain NUL or other control characters";

/// The first character not allowed in text of this kind, if any.
pub fn forbidden_char(s: &str, lines: Lines) -> Option<char> {
    s.chars().find(|&c| {
        let multiline_ok = lines == Lines::Multi && matches!(c, '\t' | '\n' | '\r');
        let line_separator = matches!(c, '\u{2028}' | '\u{2029}');
        (c.is_control() && !multiline_ok) || (line_separator && lines == Lines::Single)
    })
}

pub fn is_clean(s: &str, lines: Lines) -> bool {
    forbidden_char(s, lines).is_none()
}

/// Records `path` as failing when `s` holds a forbidden character.
pub fn check(v: &mut Validator, path: &str, s: &str, lines: Lines) {
    if let Some(c) = forbidden_char(s, lines) {
        let what = if c == '\0' { "NUL".to_owned() } else { format!("U+{:04X}", c as u32) };
        v.push(path, format!("{CONTROL_MESSAGE} (found {what})"));
    }
}

/// The same for an optional field.
pub fn check_opt(v: &mut Validator, path: &str, s: Option<&str>, lines: Lines) {
    if let Some(s) = s {
        check(v, path, s, lines);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_text_refuses_every_control_character() {
        for c in ['\0', '\u{1}', '\t', '\n', '\r', '\u{1b}', '\u{7f}', '\u{85}', '\u{2028}'] {
            assert!(!is_clean(&format!("a{c}b"), Lines::Single), "{c:?}");
        }
        assert!(is_clean("Élection à Zürich — 2026", Lines::Single));
    }

    #[test]
    fn multi_line_text_keeps_tabs_and_newlines_only() {
        assert!(is_clean("one\n\ttwo\r\n", Lines::Multi));
        for c in ['\0', '\u{1}', '\u{1b}', '\u{7f}'] {
            assert!(!is_clean(&format!("a{c}b"), Lines::Multi), "{c:?}");
        }
    }
}

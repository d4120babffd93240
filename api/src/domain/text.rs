//! What text Dateline stores. PostgreSQL cannot store NUL in text at all,
//! and other control characters in a headline or a slug are invisible traps
//! for every consumer downstream; so every backend refuses them alike. Tab
//! and newlines belong only in multi-line text (bodies, descriptions).

use crate::error::Validator;

/// Optional text as stored: trimmed, and absent when nothing is left.
pub fn trimmed(s: Option<String>) -> Option<String> {
    s.map(|x| x.trim().to_owned()).filter(|x| !x.is_empty())
}

/// Whether `c` shows nothing: Unicode's White_Space (what `str::trim`
/// removes) or an invisible format character that would otherwise pass for
/// content (soft hyphen, zero-width spaces and joiners, direction marks and
/// embeddings, word joiner and invisible operators, byte-order mark).
/// [`pattern`]'s `white_space!` and `invisible!` state the same.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{AD}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
        )
}

/// Whether `s` shows nothing at all.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(is_invisible)
}

/// Where a string may hold line breaks and tabs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    Single,
    Multi,
}

pub const CONTROL_MESSAGE: &str = "must not contain NUL, other control characters or noncharacters";

/// Unicode's noncharacters (U+FDD0..U+FDEF and the last two code points of
/// every plane) are never text: U+FFFE and U+FFFF are not even allowed in
/// XML, so one headline holding them broke every feed it appeared in.
pub fn is_noncharacter(c: char) -> bool {
    let n = c as u32;
    (0xFDD0..=0xFDEF).contains(&n) || n & 0xFFFE == 0xFFFE
}

/// The first character not allowed in text of this kind, if any.
pub fn forbidden_char(s: &str, lines: Lines) -> Option<char> {
    s.chars().find(|&c| {
        let multiline_ok = lines == Lines::Multi && matches!(c, '\t' | '\n' | '\r');
        let line_separator = matches!(c, '\u{2028}' | '\u{2029}');
        (c.is_control() && !multiline_ok) || (line_separator && lines == Lines::Single) || is_noncharacter(c)
    })
}

/// Whether XML 1.0 allows `c` anywhere in a document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// An XML document with every character XML 1.0 forbids taken out. Such a
/// character is never markup, so removing it leaves the structure whole;
/// text refuses them on input, and this keeps anything stored before (an
/// old archive, a row written by hand) from making a feed unreadable.
pub fn xml_document(doc: String) -> String {
    if doc.chars().all(is_xml_char) {
        return doc;
    }
    doc.chars().filter(|&c| is_xml_char(c)).collect()
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

/// The rules above as the patterns the OpenAPI document states (JSON
/// Schema regular expressions), named once so that every field of a kind
/// says the same and a client validating against the schema accepts what
/// Dateline accepts. The REST document names them `@line`, `@name`, … and
/// `rest::patterns` puts these in.
///
/// Each is built by `concat!` from the same pieces, macros because
/// `concat!` takes only literals. Every class is spelled out, never `\s`,
/// `\w` or `\d`: ECMA-262 engines read `\w` as ASCII only and `\s` with
/// U+FEFF, Rust and Python do neither, and the document must mean one thing
/// to every client.
pub mod pattern {
    /// Never in text: control characters and noncharacters.
    macro_rules! controls {
        () => {
            r"\u0000-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF"
        };
    }
    /// Never in one line ([`Lines::Single`](super::Lines)).
    macro_rules! not_in_line {
        () => {
            concat!($crate::domain::text::pattern::controls!(), r"\u2028\u2029")
        };
    }
    /// Never in multi-line text ([`Lines::Multi`](super::Lines)): tab and
    /// line breaks are allowed.
    macro_rules! not_in_text {
        () => {
            r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF"
        };
    }
    /// Unicode's White_Space ([`char::is_whitespace`]).
    macro_rules! white_space {
        () => {
            r"\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
        };
    }
    /// The rest of [`is_invisible`](super::is_invisible).
    macro_rules! invisible {
        () => {
            r"\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF"
        };
    }
    pub(crate) use {controls, invisible, not_in_line, white_space};

    /// One line, possibly empty.
    pub const LINE: &str = concat!("^[^", not_in_line!(), "]*$");
    /// One line with something other than white space in it: names,
    /// headlines (checked after `str::trim`).
    pub const NAME: &str =
        concat!("^[^", not_in_line!(), "]*[^", not_in_line!(), white_space!(), "][^", not_in_line!(), "]*$");
    /// A [`NAME`] that is one segment of a URL path, so without `/`.
    pub const SEGMENT: &str = concat!(
        "^[^",
        not_in_line!(),
        "/]*[^",
        not_in_line!(),
        white_space!(),
        "/][^",
        not_in_line!(),
        "/]*$"
    );
    /// Multi-line text.
    pub const TEXT: &str = concat!("^[^", not_in_text!(), "]*$");
    /// Multi-line text with something visible in it, as
    /// [`is_blank`](super::is_blank) means it: bodies.
    pub const PROSE: &str = concat!(
        "^[^",
        not_in_text!(),
        "]*[^",
        not_in_text!(),
        white_space!(),
        invisible!(),
        "][^",
        not_in_text!(),
        "]*$"
    );
    /// A story's address on the web: see [`super::WEB_URL_PATTERN`].
    pub const WEB_URL: &str = super::WEB_URL_PATTERN;
    /// A webhook's address: any http(s) URL without control characters;
    /// where it may point is checked when it is resolved.
    pub const ENDPOINT_URL: &str = concat!("^https?://[^", controls!(), "]+$");
}

/// The longest web address accepted.
pub const MAX_URL: usize = 2000;

/// The form of a web address that the OpenAPI document states (a named
/// host, an optional port, path, query and fragment in URL characters), so
/// both APIs accept exactly what the schema says.
pub const WEB_URL_PATTERN: &str = r"^https?://[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z][A-Za-z0-9-]*)*(:[0-9]{1,4})?([/?#][A-Za-z0-9._~!$&'()*+,;=:@/?#%-]*)?$";

static WEB_URL: std::sync::LazyLock<Option<regex::Regex>> =
    std::sync::LazyLock::new(|| regex::Regex::new(WEB_URL_PATTERN).ok());

pub fn is_web_url(s: &str) -> bool {
    s.len() <= MAX_URL
        && WEB_URL.as_ref().is_some_and(|r| r.is_match(s))
        && url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The patterns the schema states agree with the rules, character by
    /// character, over the whole Basic Multilingual Plane.
    #[test]
    fn the_stated_patterns_are_the_rules() {
        let re = |p: &str| regex::Regex::new(p).unwrap_or_else(|e| panic!("{p}: {e}"));
        let (line, text, name, prose) =
            (re(pattern::LINE), re(pattern::TEXT), re(pattern::NAME), re(pattern::PROSE));
        for c in (0u32..0x1_0000).filter_map(char::from_u32) {
            let s = format!("a{c}b");
            assert_eq!(line.is_match(&s), is_clean(&s, Lines::Single), "line {c:?}");
            assert_eq!(text.is_match(&s), is_clean(&s, Lines::Multi), "text {c:?}");
        }
        let segment = re(pattern::SEGMENT);
        for c in (0u32..0x1_0000).filter_map(char::from_u32) {
            let s = format!(" {c}");
            let named = !s.trim().is_empty() && is_clean(&s, Lines::Single);
            assert_eq!(name.is_match(&s), named, "name {c:?}");
            assert_eq!(segment.is_match(&s), named && c != '/', "segment {c:?}");
            assert_eq!(prose.is_match(&s), !is_blank(&s) && is_clean(&s, Lines::Multi), "prose {c:?}");
        }
        assert!(name.is_match("Élection") && !name.is_match("  ") && !name.is_match("a\nb"));
        assert!(prose.is_match("a\nb") && !prose.is_match(" \n\t"));
        re(pattern::ENDPOINT_URL);
    }

    #[test]
    fn single_line_text_refuses_every_control_character() {
        for c in ['\0', '\u{1}', '\t', '\n', '\r', '\u{1b}', '\u{7f}', '\u{85}', '\u{2028}'] {
            assert!(!is_clean(&format!("a{c}b"), Lines::Single), "{c:?}");
        }
        assert!(is_clean("Élection à Zürich — 2026", Lines::Single));
    }

    #[test]
    fn noncharacters_are_refused_everywhere() {
        for c in ['\u{FFFE}', '\u{FFFF}', '\u{FDD0}', '\u{FDEF}', '\u{1FFFE}', '\u{10FFFF}'] {
            assert!(!is_clean(&format!("a{c}b"), Lines::Multi), "{c:?}");
        }
        for c in ['\u{FDCF}', '\u{FDF0}', '\u{FFFD}', '\u{1F600}'] {
            assert!(is_clean(&format!("a{c}b"), Lines::Single), "{c:?}");
        }
    }

    #[test]
    fn xml_documents_lose_only_what_xml_forbids() {
        let doc = "<t>a\u{FFFF}b\u{1}c\u{FFFE}\td\u{1F600}</t>".to_owned();
        assert_eq!(xml_document(doc), "<t>abc\td\u{1F600}</t>");
        let clean = "<t>Élection</t>".to_owned();
        assert_eq!(xml_document(clean.clone()), clean);
    }

    #[test]
    fn multi_line_text_keeps_tabs_and_newlines_only() {
        assert!(is_clean("one\n\ttwo\r\n", Lines::Multi));
        for c in ['\0', '\u{1}', '\u{1b}', '\u{7f}'] {
            assert!(!is_clean(&format!("a{c}b"), Lines::Multi), "{c:?}");
        }
    }
}

//! What text Dateline stores. PostgreSQL cannot store NUL in text at all,
//! and other control characters in a headline or a slug are invisible traps
//! for every consumer downstream; so every backend refuses them alike. Tab
//! and newlines belong only in multi-line text (bodies, descriptions).

use crate::error::Validator;

/// Optional text as stored: trimmed, and absent when nothing is left.
pub fn trimmed(s: Option<String>) -> Option<String> {
    s.map(|x| x.trim().to_owned()).filter(|x| !x.is_empty())
}

/// Whether `s` shows nothing: only white space and the invisible format
/// characters (zero-width spaces and joiners, word joiner, byte-order mark,
/// soft hyphen) that would otherwise pass for content.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| {
        c.is_whitespace()
            || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}')
    })
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
pub mod pattern {
    /// One line ([`Lines::Single`](super::Lines)), possibly empty.
    pub const LINE: &str = r"^[^\u0000-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF\u2028\u2029]*$";
    /// One line with something visible in it: names, headlines. White
    /// space is spelled out rather than `\s`, which means U+FEFF as well
    /// in ECMA-262 engines and not in others; these are Unicode's
    /// White_Space, which `str::trim` removes.
    pub const NAME: &str = r"^[^\u0000-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF\u2028\u2029]*[^\u0020\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u0000-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF\u2028\u2029][^\u0000-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF\u2028\u2029]*$";
    /// Multi-line text ([`Lines::Multi`](super::Lines)): tab and line breaks allowed.
    pub const TEXT: &str =
        r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF]*$";
    /// Multi-line text with something visible in it: bodies. Visible as
    /// [`is_blank`](super::is_blank) means it, so the invisible format
    /// characters do not count either.
    pub const PROSE: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF]*[^\u0020\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\u00AD\u180E\u200B-\u200D\u2060\uFEFF\u0000-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF]*$";
    /// A story's address on the web: see [`super::WEB_URL_PATTERN`].
    pub const WEB_URL: &str = super::WEB_URL_PATTERN;
    /// A webhook's address: any http(s) URL without control characters;
    /// where it may point is checked when it is resolved.
    pub const ENDPOINT_URL: &str = r"^https?://[^\u0000-\u001F\u007F-\u009F\uFDD0-\uFDEF\uFFFE\uFFFF]+$";
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
        for c in (0u32..0x1_0000).filter_map(char::from_u32) {
            let s = format!(" {c}");
            let visible = !s.trim().is_empty();
            assert_eq!(name.is_match(&s), visible && is_clean(&s, Lines::Single), "name {c:?}");
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

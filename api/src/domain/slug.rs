//! Slugs: lowercase ASCII words joined by single hyphens, safe in any URL.

use crate::error::Validator;

pub const MAX_LEN: usize = 120;

/// [`is_valid`] as the OpenAPI document states it (the length apart).
pub const PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";

/// A slug that is known to be well formed: made only by [`Slug::parse`], so
/// a look-up by slug never sends the database a string no slug can equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub fn parse(s: &str) -> Option<Self> {
        is_valid(s).then(|| Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What every refused slug is told, wherever it was sent.
pub const RULE: &str = "must be lowercase letters, digits and single hyphens, at most 120 characters";

/// Checks a slug a client sent, naming it by `path`.
pub fn check(v: &mut Validator, path: &str, s: &str) {
    v.check(is_valid(s), path, RULE);
}

pub fn is_valid(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_LEN
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Turns a title into a slug candidate ("Gun Control in FL?" → "gun-control-in-fl").
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= MAX_LEN {
            break;
        }
    }
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lowercase_words_joined_by_single_hyphens_are_slugs() {
        for ok in ["a", "climate-2026", "x-y-z"] {
            assert!(is_valid(ok), "{ok}");
        }
        let long = "a".repeat(MAX_LEN + 1);
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "á", "a_b", long.as_str()] {
            assert!(!is_valid(bad), "{bad}");
        }
        let stated = regex::Regex::new(PATTERN).unwrap_or_else(|e| panic!("{e}"));
        for s in ["a", "climate-2026", "x-y-z", "", "-a", "a-", "a--b", "A", "a b", "á", "a_b"] {
            assert_eq!(stated.is_match(s), is_valid(s), "{s}");
        }
    }

    #[test]
    fn only_valid_slugs_parse() {
        assert_eq!(
            Slug::parse("climate-2026").map(|s| s.as_str().to_owned()).as_deref(),
            Some("climate-2026")
        );
        assert_eq!(Slug::parse("Climate"), None);
        assert_eq!(Slug::parse("a\0b"), None);
    }

    #[test]
    fn titles_become_valid_slugs() {
        assert_eq!(slugify("Gun Control in FL?"), "gun-control-in-fl");
        assert_eq!(slugify("  --Über  Straße!! "), "ber-stra-e");
        assert!(is_valid(&slugify(&"Word ".repeat(100))));
        assert_eq!(slugify("?!"), "");
    }
}

//! The one codec every cursor goes through. A cursor is a kind's three-byte
//! mark and its fields in a fixed layout, written as URL-safe base64
//! without padding. Every layout is a whole number of base64 groups, so
//! each kind's cursors are exactly its mark's four characters and a fixed
//! number of others: the OpenAPI document states that form
//! ([`Kind::pattern`]), and every string of that form opens (a position
//! anywhere in the list, or, bound to another thread, refused by what it
//! names), so a client or a fuzzer can tell a malformed cursor from a
//! well-formed one without asking. A cursor of another kind does not open.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A kind of list: its mark, and the length of its fields in bytes (a
/// multiple of three).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    mark: [u8; 3],
    len: usize,
}

/// Stories by date: an instant and an id.
pub const STORIES: Kind = Kind { mark: *b"k2.", len: 24 };
/// Comments: the thread and order it is bound to, a count, an instant and
/// an id (and one spare byte).
pub const COMMENTS: Kind = Kind { mark: *b"c2.", len: 51 };
/// The change feed: a change number (and one spare byte).
pub const FEED: Kind = Kind { mark: *b"s2.", len: 9 };
/// Webhook deliveries: an id (and two spare bytes).
pub const DELIVERIES: Kind = Kind { mark: *b"d2.", len: 18 };
/// Sitemap pages: an instant and an id.
pub const SITEMAP: Kind = Kind { mark: *b"m2.", len: 24 };

impl Kind {
    /// The form of this kind's cursors, for the OpenAPI document.
    pub fn pattern(self) -> String {
        format!("^{}[A-Za-z0-9_-]{{{}}}$", URL_SAFE_NO_PAD.encode(self.mark), self.len / 3 * 4)
    }
}

/// A cursor being written, field by field.
pub struct Writer {
    kind: Kind,
    bytes: Vec<u8>,
}

impl Writer {
    pub fn new(kind: Kind) -> Self {
        let mut bytes = Vec::with_capacity(3 + kind.len);
        bytes.extend_from_slice(&kind.mark);
        Self { kind, bytes }
    }

    pub fn i64(mut self, v: i64) -> Self {
        self.bytes.extend_from_slice(&v.to_be_bytes());
        self
    }

    pub fn instant(self, at: DateTime<Utc>) -> Self {
        self.i64(at.timestamp_micros())
    }

    pub fn id(mut self, id: Uuid) -> Self {
        self.bytes.extend_from_slice(id.as_bytes());
        self
    }

    pub fn bytes(mut self, b: &[u8]) -> Self {
        self.bytes.extend_from_slice(b);
        self
    }

    /// The cursor, spare bytes zeroed.
    pub fn seal(mut self) -> String {
        self.bytes.resize(3 + self.kind.len, 0);
        URL_SAFE_NO_PAD.encode(&self.bytes)
    }
}

/// A cursor being read, field by field; reading past its end reads zeros.
pub struct Reader {
    bytes: Vec<u8>,
    at: usize,
}

impl Reader {
    /// None unless `s` is a cursor of `kind`.
    pub fn open(s: &str, kind: Kind) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok()?;
        (bytes.len() == 3 + kind.len && bytes[..3] == kind.mark).then_some(Self { bytes, at: 3 })
    }

    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0; N];
        if let Some(b) = self.bytes.get(self.at..self.at + N) {
            out.copy_from_slice(b);
        }
        self.at += N;
        out
    }

    pub fn i64(&mut self) -> i64 {
        i64::from_be_bytes(self.take())
    }

    /// Any stored value is an instant: beyond the calendar's range, its end.
    pub fn instant(&mut self) -> DateTime<Utc> {
        let micros = self.i64();
        DateTime::from_timestamp_micros(micros).unwrap_or(if micros < 0 {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
    }

    pub fn id(&mut self) -> Uuid {
        Uuid::from_bytes(self.take())
    }

    pub fn bytes<const N: usize>(&mut self) -> [u8; N] {
        self.take()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;

    #[test]
    fn a_cursor_opens_only_as_its_own_kind() {
        let at = DateTime::from_timestamp_micros(1_780_000_000_000_001).unwrap_or_default();
        let c = Writer::new(STORIES).instant(at).id(Uuid::from_u128(7)).seal();
        let mut r = Reader::open(&c, STORIES).expect("its own kind");
        assert_eq!((r.instant(), r.id()), (at, Uuid::from_u128(7)));
        assert!(Reader::open(&c, SITEMAP).is_none(), "another list's cursor");
        assert!(Reader::open(&c, COMMENTS).is_none());
        assert!(Reader::open("%%%", FEED).is_none());
        assert!(Reader::open(&format!("{c}="), STORIES).is_some(), "padding a client added");
    }

    #[test]
    fn every_string_of_the_stated_form_opens() {
        for kind in [STORIES, COMMENTS, FEED, DELIVERIES, SITEMAP] {
            let re = regex::Regex::new(&kind.pattern()).expect("a pattern");
            let sealed = Writer::new(kind).seal();
            assert!(re.is_match(&sealed), "{sealed} ~ {}", kind.pattern());
            // The mark's four characters, then any others of the stated number.
            let body = sealed.len() - 4;
            for fill in ['A', '_', '-', 'z', '9'] {
                let s = format!("{}{}", &sealed[..4], fill.to_string().repeat(body));
                assert!(re.is_match(&s));
                let mut r = Reader::open(&s, kind).expect("opens");
                let _ = (r.instant(), r.id());
            }
        }
    }
}

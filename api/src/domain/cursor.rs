//! The one codec every cursor goes through: a tag naming the kind of list
//! and version, then its fields, joined by `:` and made opaque
//! ([`token::encode`]). A cursor of another kind, or with the wrong number
//! of fields, does not open. What the fields mean is each list's own.

use crate::domain::token;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Kinds of list, each a tag of its own so no cursor opens another list.
pub const STORIES: &str = "k1";
pub const COMMENTS: &str = "c1";
pub const FEED: &str = "s1";
pub const DELIVERIES: &str = "d1";
pub const SITEMAP: &str = "m1";

/// What any cursor looks like from outside (URL-safe base64), as the
/// OpenAPI document states it.
pub const PATTERN: &str = "^[A-Za-z0-9_-]+={0,2}$";

pub fn seal(tag: &str, fields: &[&str]) -> String {
    let mut text = tag.to_owned();
    for f in fields {
        text.push(':');
        text.push_str(f);
    }
    token::encode(&text)
}

/// The `N` fields of a cursor sealed with `tag`; None for anything else.
pub fn open<const N: usize>(s: &str, tag: &str) -> Option<[String; N]> {
    let raw = token::decode(s)?;
    let mut parts = raw.split(':');
    if parts.next() != Some(tag) {
        return None;
    }
    let fields: Vec<String> = parts.map(str::to_owned).collect();
    fields.try_into().ok()
}

/// A timestamp field, as microseconds.
pub fn instant(at: DateTime<Utc>) -> String {
    at.timestamp_micros().to_string()
}

pub fn read_instant(field: &str) -> Option<DateTime<Utc>> {
    field.parse().ok().and_then(DateTime::from_timestamp_micros)
}

pub fn read_id(field: &str) -> Option<Uuid> {
    Uuid::parse_str(field).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_opens_only_as_its_own_kind_and_shape() {
        let c = seal(STORIES, &["1", "x"]);
        assert_eq!(open::<2>(&c, STORIES), Some(["1".to_owned(), "x".to_owned()]));
        assert_eq!(open::<2>(&c, COMMENTS), None, "another list's cursor");
        assert_eq!(open::<3>(&c, STORIES), None, "another shape");
        assert_eq!(open::<1>("%%%", FEED), None);
        let at = DateTime::from_timestamp_micros(1_780_000_000_000_001).unwrap_or_default();
        assert_eq!(read_instant(&instant(at)), Some(at));
        assert_eq!(read_id(&Uuid::from_u128(7).simple().to_string()), Some(Uuid::from_u128(7)));
    }
}

//! Feed cursors: opaque to clients, a change number inside. Any reader's
//! cursor works for any other (the number means the same to all), so there
//! is nothing to bind it to.

use crate::domain::{cursor, token};
use crate::error::{AppError, AppResult};

pub fn encode(seq: i64) -> String {
    cursor::Writer::new(cursor::FEED).i64(seq).seal()
}

/// `arg` names the argument for the error. A number below zero is the
/// start of the feed. Cursors written before the fixed layout (`s1:N`)
/// still open: integrators keep them between syncs.
pub fn decode(s: &str, arg: &str) -> AppResult<i64> {
    if let Some(mut r) = cursor::Reader::open(s, cursor::FEED) {
        return Ok(r.i64().max(0));
    }
    token::decode(s)
        .and_then(|t| t.strip_prefix("s1:").and_then(|n| n.parse::<i64>().ok()))
        .filter(|n| *n >= 0)
        .ok_or_else(|| AppError::field(arg, "is not a valid cursor"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trips_and_refuses_junk() {
        assert_eq!(decode(&encode(42), "c").unwrap(), 42);
        assert!(decode("", "c").is_err());
        assert!(decode(&token::encode("s1:-3"), "c").is_err());
        assert_eq!(decode(&token::encode("s1:7"), "c").unwrap(), 7, "a cursor from before");
        assert_eq!(decode(&encode(-3), "c").unwrap(), 0);
        assert!(decode(&token::encode("c1:3"), "c").is_err());
        assert!(decode("%%%", "c").is_err());
    }
}

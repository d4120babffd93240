//! Feed cursors: opaque to clients, a change number inside. Any reader's
//! cursor works for any other (the number means the same to all), so there
//! is nothing to bind it to.

use crate::domain::cursor;
use crate::error::{AppError, AppResult};

pub fn encode(seq: i64) -> String {
    cursor::seal(cursor::FEED, &[&seq.to_string()])
}

/// `arg` names the argument for the error.
pub fn decode(s: &str, arg: &str) -> AppResult<i64> {
    cursor::open::<1>(s, cursor::FEED)
        .and_then(|[n]| n.parse::<i64>().ok())
        .filter(|n| *n >= 0)
        .ok_or_else(|| AppError::field(arg, "is not a valid cursor"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::domain::token;

    #[test]
    fn round_trips_and_refuses_junk() {
        assert_eq!(decode(&encode(42), "c").unwrap(), 42);
        assert!(decode("", "c").is_err());
        assert!(decode(&token::encode("s1:-3"), "c").is_err());
        assert!(decode(&token::encode("c1:3"), "c").is_err());
        assert!(decode("%%%", "c").is_err());
    }
}

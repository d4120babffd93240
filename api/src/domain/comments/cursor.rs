//! Cursors of comment pages: the position (count for count sorts, time, id
//! as the tie-breaker) bound to the thread and the order they came from.
//! A cursor from another thread or order is refused rather than silently
//! giving a wrong page.

use super::{Comment, Sort};
use crate::domain::cursor;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What a page lists: the top level of an article, the replies of one
/// comment, or a moderation queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Article(Uuid),
    Replies(Uuid),
    Queue(&'static str),
    Log,
}

impl Scope {
    /// The list a cursor is bound to, as 17 bytes: its kind and what it
    /// is of (a story, a comment, the queue of a status).
    fn key(&self) -> [u8; 17] {
        let mut key = [0; 17];
        let (kind, of): (u8, &[u8]) = match self {
            Self::Article(id) => (b'a', id.as_bytes()),
            Self::Replies(id) => (b'r', id.as_bytes()),
            Self::Queue(s) => (b'q', s.as_bytes()),
            Self::Log => (b'l', &[]),
        };
        key[0] = kind;
        for (k, b) in key[1..].iter_mut().zip(of) {
            *k = *b;
        }
        key
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// The count the list is ordered by (0 for time orders).
    pub n: i32,
    pub at: DateTime<Utc>,
    pub id: Uuid,
}

impl Position {
    pub fn of(c: &Comment, sort: Sort) -> Self {
        let n = match sort {
            Sort::MostReplies => c.reply_count,
            Sort::MostReactions => c.reaction_count,
            Sort::Newest | Sort::Oldest => 0,
        };
        Self { n, at: c.created_at, id: c.id }
    }

    pub fn encode(&self, scope: Scope, sort: Sort) -> String {
        cursor::Writer::new(cursor::COMMENTS)
            .bytes(&scope.key())
            .bytes(&[sort as u8])
            .i64(i64::from(self.n))
            .instant(self.at)
            .id(self.id)
            .seal()
    }

    /// `arg` names the argument for the error.
    pub fn decode(s: &str, scope: Scope, sort: Sort, arg: &str) -> AppResult<Self> {
        let mut r = cursor::Reader::open(s, cursor::COMMENTS)
            .ok_or_else(|| AppError::field(arg, "is not a valid cursor"))?;
        // Well formed, but for another list: refused by what it names (422
        // over REST), as a malformed one is not.
        if r.bytes::<17>() != scope.key() || r.bytes::<1>() != [sort as u8] {
            return Err(AppError::unprocessable(
                arg,
                "belongs to another thread or order; start again without it",
            ));
        }
        let n = i32::try_from(r.i64()).unwrap_or(i32::MAX);
        Ok(Self { n, at: r.instant(), id: r.id() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_bound_to_their_thread_and_order() {
        let p = Position {
            n: 3,
            at: DateTime::from_timestamp_micros(1_780_000_000_000_001).unwrap_or_default(),
            id: Uuid::from_u128(9),
        };
        let a = Scope::Article(Uuid::from_u128(1));
        let c = p.encode(a, Sort::MostReplies);
        assert_eq!(Position::decode(&c, a, Sort::MostReplies, "after").ok(), Some(p));
        for (scope, sort) in [
            (Scope::Article(Uuid::from_u128(2)), Sort::MostReplies),
            (a, Sort::Newest),
            (Scope::Replies(Uuid::from_u128(1)), Sort::MostReplies),
        ] {
            let e = Position::decode(&c, scope, sort, "after").err();
            assert!(e.is_some_and(|e| e.fields()[0].message.contains("another thread")));
        }
        assert!(Position::decode("garbage", a, Sort::Newest, "after").is_err());
    }
}

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
    fn key(&self) -> String {
        match self {
            Self::Article(id) => format!("a{}", id.simple()),
            Self::Replies(id) => format!("r{}", id.simple()),
            Self::Queue(s) => format!("q{s}"),
            Self::Log => "log".into(),
        }
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
        cursor::seal(
            cursor::COMMENTS,
            &[
                &scope.key(),
                sort.as_str(),
                &self.n.to_string(),
                &cursor::instant(self.at),
                &self.id.simple().to_string(),
            ],
        )
    }

    /// `arg` names the argument for the error.
    pub fn decode(s: &str, scope: Scope, sort: Sort, arg: &str) -> AppResult<Self> {
        let bad = || AppError::field(arg, "is not a valid cursor");
        let [sc, so, n, micros, id] = cursor::open::<5>(s, cursor::COMMENTS).ok_or_else(bad)?;
        // Well formed, but for another list: refused by what it names (422
        // over REST), as a malformed one is not.
        if sc != scope.key() || so != sort.as_str() {
            return Err(AppError::unprocessable(
                arg,
                "belongs to another thread or order; start again without it",
            ));
        }
        let n = n.parse().map_err(|_| bad())?;
        let at = cursor::read_instant(&micros).ok_or_else(bad)?;
        let id = cursor::read_id(&id).ok_or_else(bad)?;
        Ok(Self { n, at, id })
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

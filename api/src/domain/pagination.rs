//! Keyset pagination over (timestamp, id) with id as the tie-breaker, and
//! the opaque cursors that carry a position. Never OFFSET: lists grow while
//! readers page through them.

use crate::error::{AppError, AppResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub const MAX_PAGE_SIZE: i32 = 100;
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// A position in a list ordered by (at, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("k1:{}:{}", self.at.timestamp_micros(), self.id))
    }

    pub fn decode(s: &str, arg: &str) -> AppResult<Self> {
        let bad = || AppError::field(arg, "is not a valid cursor");
        let raw = URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).map_err(|_| bad())?;
        let raw = String::from_utf8(raw).map_err(|_| bad())?;
        let mut parts = raw.splitn(3, ':');
        if parts.next() != Some("k1") {
            return Err(bad());
        }
        let micros: i64 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let id = parts.next().and_then(|p| Uuid::parse_str(p).ok()).ok_or_else(bad)?;
        let at = DateTime::from_timestamp_micros(micros).ok_or_else(bad)?;
        Ok(Self { at, id })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// first/after: from the head of the list onwards.
    Forward,
    /// last/before: the items just before a point, counted from the end.
    Backward,
}

#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: u64,
    pub cursor: Option<Cursor>,
    pub direction: Direction,
}

/// Relay arguments as they arrive from a client.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

fn size(n: i32, arg: &str, max: i32) -> AppResult<u64> {
    if !(0..=max).contains(&n) {
        return Err(AppError::field(arg, format!("must be between 0 and {max}")));
    }
    Ok(u64::try_from(n).unwrap_or(0))
}

impl PageArgs {
    pub fn parse(&self, max: i32) -> AppResult<PageRequest> {
        if self.first.is_some() && self.last.is_some() {
            return Err(AppError::field("last", "cannot be combined with first"));
        }
        if self.after.is_some() && self.before.is_some() {
            return Err(AppError::field("before", "cannot be combined with after"));
        }
        if self.last.is_some() || self.before.is_some() {
            let limit = size(self.last.unwrap_or(DEFAULT_PAGE_SIZE.min(max)), "last", max)?;
            let cursor = self.before.as_deref().map(|c| Cursor::decode(c, "before")).transpose()?;
            return Ok(PageRequest { limit, cursor, direction: Direction::Backward });
        }
        let limit = size(self.first.unwrap_or(DEFAULT_PAGE_SIZE.min(max)), "first", max)?;
        let cursor = self.after.as_deref().map(|c| Cursor::decode(c, "after")).transpose()?;
        Ok(PageRequest { limit, cursor, direction: Direction::Forward })
    }
}

/// One page, in list order, with each item's cursor.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<(Cursor, T)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

impl<T> Page<T> {
    /// Builds a page from rows fetched with `limit + 1` in query order.
    pub fn from_rows(mut rows: Vec<T>, req: &PageRequest, key: impl Fn(&T) -> Cursor) -> Self {
        let limit = usize::try_from(req.limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        if req.direction == Direction::Backward {
            rows.reverse();
        }
        let items = rows.into_iter().map(|r| (key(&r), r)).collect();
        match req.direction {
            Direction::Forward => {
                Page { items, has_next_page: more, has_previous_page: req.cursor.is_some() }
            }
            Direction::Backward => {
                Page { items, has_next_page: req.cursor.is_some(), has_previous_page: more }
            }
        }
    }

    pub fn end_cursor(&self) -> Option<Cursor> {
        self.items.last().map(|(c, _)| *c)
    }

    pub fn start_cursor(&self) -> Option<Cursor> {
        self.items.first().map(|(c, _)| *c)
    }
}

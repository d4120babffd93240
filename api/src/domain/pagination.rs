//! Keyset pagination over (timestamp, id) with id as the tie-breaker, and
//! the opaque cursors that carry a position. Never OFFSET: lists grow while
//! readers page through them.

use crate::domain::cursor;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// How many items one page of a kind of list may hold. Every adapter reads
/// its limits from here; the names of the arguments are the adapter's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize {
    /// 0 where an empty page is a legal question (a count-only query), 1
    /// where a client asking for nothing is a mistake.
    pub min: i32,
    pub default: i32,
    pub max: i32,
}

impl PageSize {
    pub const fn new(default: i32, max: i32) -> Self {
        Self { min: 0, default, max }
    }
}

/// Stories in a listing (section, tag, author, search).
pub const ARTICLES: PageSize = PageSize::new(20, 100);
/// Tags or authors in slug order.
pub const TERMS: PageSize = PageSize::new(100, 500);
/// A related-stories list.
pub const RELATED: PageSize = PageSize::new(5, 20);
/// Entries of the change feed: large pages, since integrators sync in bulk.
pub const FEED: PageSize = PageSize { min: 1, default: 100, max: 1000 };
/// Deliveries of a webhook endpoint.
pub const DELIVERIES: PageSize = PageSize { min: 1, default: 20, max: 100 };
/// Entries of the moderation log.
pub const MODERATION_LOG: PageSize = PageSize::new(20, 100);

impl PageSize {
    /// The requested size, or the default; 0 is a legal (empty) page.
    /// `arg` is the adapter's name for the argument, for the error.
    pub fn check(self, requested: Option<i32>, arg: &str) -> AppResult<u64> {
        self.check_wide(requested.map(i64::from), arg)
    }

    /// The same for a size read as a wider number (a query string).
    pub fn check_wide(self, requested: Option<i64>, arg: &str) -> AppResult<u64> {
        let n = requested.unwrap_or(i64::from(self.default));
        if !(i64::from(self.min)..=i64::from(self.max)).contains(&n) {
            return Err(AppError::field(arg, format!("must be between {} and {}", self.min, self.max)));
        }
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The size a request will get, for cost estimates before it runs.
    pub fn expected(self, requested: Option<i32>) -> usize {
        usize::try_from(requested.unwrap_or(self.default).clamp(0, self.max)).unwrap_or(0)
    }
}

/// A position in a list ordered by (at, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        self.seal(cursor::STORIES)
    }

    pub fn decode(s: &str, arg: &str) -> AppResult<Self> {
        Self::open(s, cursor::STORIES).ok_or_else(|| AppError::field(arg, "is not a valid cursor"))
    }

    /// A position sealed as `kind` (a list with the same order, such as a
    /// sitemap's pages).
    pub fn open(s: &str, kind: cursor::Kind) -> Option<Self> {
        let mut r = cursor::Reader::open(s, kind)?;
        Some(Self { at: r.instant(), id: r.id() })
    }

    pub fn seal(&self, kind: cursor::Kind) -> String {
        cursor::Writer::new(kind).instant(self.at).id(self.id).seal()
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

/// What an adapter calls the two arguments of a page, for its errors
/// (GraphQL `first`/`after`, REST `limit`/`cursor`).
pub struct ArgNames<'a> {
    pub size: &'a str,
    pub cursor: &'a str,
}

impl PageRequest {
    pub fn new(
        size: PageSize,
        requested: Option<i32>,
        cursor: Option<&str>,
        direction: Direction,
        names: ArgNames<'_>,
    ) -> AppResult<Self> {
        let limit = size.check(requested, names.size)?;
        let cursor = cursor.map(|c| Cursor::decode(c, names.cursor)).transpose()?;
        Ok(Self { limit, cursor, direction })
    }
}

/// Rows a keyset query fetched with `limit + 1`: the page's rows, and
/// whether more follow. Every list asks for one row more than it shows, so
/// it knows there is a next page without counting.
pub fn one_more<T>(mut rows: Vec<T>, limit: u64) -> (Vec<T>, bool) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let more = rows.len() > limit;
    rows.truncate(limit);
    (rows, more)
}

/// One page, in list order, with each item's cursor: a [`Cursor`] for the
/// lists ordered by (time, id), an opaque string for the others.
#[derive(Debug, Clone)]
pub struct Page<T, K = Cursor> {
    pub items: Vec<(K, T)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

impl<T, K> Default for Page<T, K> {
    fn default() -> Self {
        Self { items: Vec::new(), has_next_page: false, has_previous_page: false }
    }
}

impl<T, K> Page<T, K> {
    /// A page read forwards from rows fetched with `limit + 1`; `after`
    /// says whether it started after a cursor.
    pub fn forward(rows: Vec<T>, limit: u64, after: bool, key: impl Fn(&T) -> K) -> Self {
        let (rows, more) = one_more(rows, limit);
        let items = rows.into_iter().map(|r| (key(&r), r)).collect();
        Self { items, has_next_page: more, has_previous_page: after }
    }

    pub fn end_cursor(&self) -> Option<&K> {
        self.items.last().map(|(c, _)| c)
    }

    pub fn start_cursor(&self) -> Option<&K> {
        self.items.first().map(|(c, _)| c)
    }
}

impl<T> Page<T> {
    /// Builds a page from rows fetched with `limit + 1` in query order.
    pub fn from_rows(rows: Vec<T>, req: &PageRequest, key: impl Fn(&T) -> Cursor) -> Self {
        let (mut rows, more) = one_more(rows, req.limit);
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(micros: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(micros).unwrap_or_default()
    }

    #[test]
    fn cursors_round_trip_and_bad_ones_name_their_argument() {
        let c = Cursor { at: at(1_780_000_000_123_456), id: Uuid::from_u128(7) };
        assert_eq!(Cursor::decode(&c.encode(), "after").ok(), Some(c));
        for bad in [
            "",
            "nope",
            "azE6eDp5",
            &crate::domain::token::encode("k2:1:00000000-0000-0000-0000-000000000007"),
        ] {
            let err = Cursor::decode(bad, "cursor").err().map(|e| e.fields()[0].path.clone());
            assert_eq!(err.as_deref(), Some("cursor"), "{bad}");
        }
    }

    #[test]
    fn one_row_more_than_the_page_says_more_follow() {
        assert_eq!(one_more(vec![1, 2, 3], 2), (vec![1, 2], true));
        assert_eq!(one_more(vec![1, 2], 2), (vec![1, 2], false));
        assert_eq!(one_more(Vec::<i32>::new(), 0), (vec![], false));
        let page = Page::forward(vec![10, 20, 30], 2, true, |n| format!("c{n}"));
        assert_eq!(page.items, [("c10".to_owned(), 10), ("c20".to_owned(), 20)]);
        assert!(page.has_next_page && page.has_previous_page);
        assert_eq!(page.end_cursor().map(String::as_str), Some("c20"));
    }

    #[test]
    fn page_sizes_default_and_stay_within_their_bounds() {
        assert_eq!(ARTICLES.check(None, "first").ok(), Some(20));
        assert_eq!(ARTICLES.check(Some(0), "first").ok(), Some(0));
        assert_eq!(ARTICLES.check(Some(100), "first").ok(), Some(100));
        for n in [-1, 101] {
            let e = ARTICLES.check(Some(n), "limit").err().map(|e| e.fields()[0].clone());
            assert_eq!(
                e.map(|f| (f.path, f.message)),
                Some(("limit".into(), "must be between 0 and 100".into()))
            );
        }
        assert_eq!(TERMS.expected(Some(10_000)), 500);
        // Where asking for nothing is a mistake, 0 is refused like 1001.
        for n in [0, 1001] {
            let e = FEED.check_wide(Some(n), "limit").err().map(|e| e.fields()[0].message.clone());
            assert_eq!(e.as_deref(), Some("must be between 1 and 1000"));
        }
        assert_eq!(FEED.check_wide(None, "limit").ok(), Some(100));
        assert_eq!(DELIVERIES.check(Some(i32::MAX), "first").ok(), None);
        assert_eq!(RELATED.expected(None), 5);
    }

    #[test]
    fn a_page_knows_whether_more_lies_either_way() {
        let key = |n: &i64| Cursor { at: at(*n), id: Uuid::nil() };
        let names = || ArgNames { size: "first", cursor: "after" };
        let first = PageRequest::new(ARTICLES, Some(2), None, Direction::Forward, names()).ok();
        let Some(first) = first else { panic!("a valid request") };
        let page = Page::from_rows(vec![3, 2, 1], &first, key);
        assert_eq!(page.items.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [3, 2]);
        assert!(page.has_next_page && !page.has_previous_page);
        assert_eq!(page.end_cursor().copied(), Some(key(&2)));

        let after = Some(key(&9).encode());
        let back = PageRequest::new(ARTICLES, Some(2), after.as_deref(), Direction::Backward, names()).ok();
        let Some(back) = back else { panic!("a valid request") };
        // Backward pages are fetched nearest-first and shown in list order.
        let page = Page::from_rows(vec![1, 2], &back, key);
        assert_eq!(page.items.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [2, 1]);
        assert!(page.has_next_page && !page.has_previous_page);
    }
}

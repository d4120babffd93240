//! A page of a thread as a reader sees it, in one statement: the top-level
//! comments, the first replies of each, every author's byline and, for a
//! signed-in reader, which of them they reacted to. Both APIs read a
//! thread page through here; the separate reads in `read` serve the pages
//! a client walks to afterwards (more replies, a permalink).

use super::cursor::{Position, Scope};
use super::read::{CommentPage, keyset};
use super::visibility::{self, Viewer, listed};
use super::{Comment, Sort};
use crate::domain::accounts::users::Poster;
use crate::domain::pagination::Page;
use crate::domain::sql::{self, Params};
use crate::error::AppResult;
use entity::comment::{self, Column};
use sea_orm::sea_query::Order as SeaOrder;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder};
use sea_orm::{Iterable, QuerySelect, QueryTrait};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Which page of a thread, for whom.
#[derive(Debug, Clone, Copy)]
pub struct ThreadAsk {
    pub viewer: Viewer,
    pub sort: Sort,
    pub limit: u64,
    pub after: Option<Position>,
    /// Replies shown under each top-level comment; 0 reads none.
    pub replies: u64,
}

/// What a page shows beside its comments.
#[derive(Debug, Default)]
pub struct Shown {
    /// The authors of the comments read, by person.
    pub posters: HashMap<Uuid, Poster>,
    /// The comments read that the viewer reacted to; empty when anonymous.
    pub reacted: HashSet<Uuid>,
}

#[derive(Debug, Default)]
pub struct ThreadPage {
    pub top: CommentPage,
    /// The first replies of every top-level comment on the page.
    pub replies: HashMap<Uuid, CommentPage>,
    pub shown: Shown,
}

/// Puts rows back in the order the statement chose them in: the key
/// columns `read::keyset` orders by, compared here the same way.
fn order(keys: &[(Column, SeaOrder)], a: &Comment, b: &Comment) -> Ordering {
    keys.iter()
        .map(|(col, dir)| {
            let o = match col {
                Column::ReplyCount => a.reply_count.cmp(&b.reply_count),
                Column::ReactionCount => a.reaction_count.cmp(&b.reaction_count),
                Column::CreatedAt => a.created_at.cmp(&b.created_at),
                Column::Id => a.id.cmp(&b.id),
                // `keyset` orders by no other column (the test below holds it to that).
                _ => Ordering::Equal,
            };
            if matches!(dir, SeaOrder::Desc) { o.reverse() } else { o }
        })
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

pub async fn read(db: &impl ConnectionTrait, article_id: Uuid, ask: ThreadAsk) -> AppResult<ThreadPage> {
    crate::domain::freshness::shows_thread(article_id);
    if ask.limit == 0 {
        let top = CommentPage { has_previous_page: ask.after.is_some(), ..Default::default() };
        return Ok(ThreadPage { top, ..Default::default() });
    }
    let backend = db.get_database_backend();
    let (keys, after) = keyset(ask.sort, ask.after);
    let mut top = comment::Entity::find()
        .filter(Column::ArticleId.eq(article_id))
        .filter(Column::Depth.eq(0))
        .filter(listed(ask.viewer, backend));
    if let Some(c) = after {
        top = top.filter(c);
    }
    for (col, o) in keys.iter().cloned() {
        top = top.order_by(col, o);
    }
    let top = sql::inline_limit(top.limit(ask.limit + 1).build(backend));

    // Both halves of the union name their columns: they pair by position.
    let names: Vec<&str> = comment::Column::iter().map(|c| sea_orm::IdenStatic::as_str(&c)).collect();
    let top_cols = sql::columns("t", &names);
    let mut p = Params::new(backend);
    let top = p.embed(top);
    let replies = if ask.replies > 0 {
        let user = p.push(ask.viewer.user.unwrap_or(Uuid::nil()));
        let vis = visibility::listed_sql(&user);
        let n = i64::try_from(ask.replies).unwrap_or(i64::MAX).saturating_add(1);
        let (cols, reply_cols) = (sql::columns("c", &names), sql::columns("r", &names));
        // CROSS JOIN keeps SQLite walking the page's comments and seeking
        // each one's replies; given a plain join it scans every reply on
        // the site and probes the page (PostgreSQL and MySQL plan both alike).
        format!(
            " UNION ALL SELECT {reply_cols} FROM (
                SELECT {cols}, ROW_NUMBER() OVER (PARTITION BY c.parent_id ORDER BY c.created_at, c.id) AS rn
                FROM page_top p CROSS JOIN comment c WHERE c.parent_id = p.id AND {vis}) r
              WHERE r.rn <= {n}"
        )
    } else {
        String::new()
    };
    let reacted = match ask.viewer.user {
        Some(me) => format!(
            ", (SELECT COUNT(*) FROM comment_reaction x WHERE x.comment_id = s.id AND x.user_id = {}) AS reacted",
            p.push(me)
        ),
        None => String::new(),
    };
    let text = format!(
        "WITH page_top AS ({top}),
         shown AS (SELECT {top_cols} FROM page_top t{replies})
         SELECT s.*, u.id AS poster_id, u.display_name AS poster_display_name, u.role AS poster_role,
                u.status AS poster_status{reacted}
         FROM shown s LEFT JOIN app_user u ON u.id = s.user_id"
    );
    let rows = db.query_all_raw(p.statement(text)).await?;

    let mut shown = Shown::default();
    let (mut tops, mut answers): (Vec<Comment>, HashMap<Uuid, Vec<Comment>>) = (Vec::new(), HashMap::new());
    for r in rows {
        let c = Comment::from_query_result(&r, "")?;
        // No account row (a LEFT JOIN miss) is a byline of its own; a row
        // that fails to decode is an error, not a deleted author.
        if r.try_get::<Option<uuid::Uuid>>("", "poster_id")?.is_some() {
            let poster = Poster::from_query_result(&r, "poster_")?;
            shown.posters.insert(poster.id, poster);
        }
        if ask.viewer.user.is_some() && r.try_get::<i64>("", "reacted")? > 0 {
            shown.reacted.insert(c.id);
        }
        match c.parent_id {
            Some(parent) => answers.entry(parent).or_default().push(c),
            None => tops.push(c),
        }
    }
    tops.sort_by(|a, b| order(&keys, a, b));
    let (sort, scope) = (ask.sort, Scope::Article(article_id));
    let top =
        Page::forward(tops, ask.limit, ask.after.is_some(), |c| Position::of(c, sort).encode(scope, sort));
    let replies = if ask.replies == 0 {
        HashMap::new()
    } else {
        top.items
            .iter()
            .map(|(_, t)| {
                let mut rows = answers.remove(&t.id).unwrap_or_default();
                rows.sort_by_key(|c| (c.created_at, c.id));
                let page = Page::forward(rows, ask.replies, false, |c| {
                    Position::of(c, Sort::Oldest).encode(Scope::Replies(t.id), Sort::Oldest)
                });
                (t.id, page)
            })
            .collect()
    };
    Ok(ThreadPage { top, replies, shown })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::comments::CommentStatus;
    use crate::domain::samples::{comment, t0};
    use chrono::TimeDelta;

    #[test]
    fn the_page_is_put_back_in_the_order_the_statement_chose_it_in() {
        let at = |n: i64, id: u128, replies: i32| Comment {
            id: Uuid::from_u128(id),
            created_at: t0() + TimeDelta::seconds(n),
            reply_count: replies,
            ..comment(Uuid::nil(), CommentStatus::Approved)
        };
        let rows = [at(1, 1, 5), at(2, 2, 0), at(2, 3, 5)];
        let ids = |sort: Sort| {
            let mut v = rows.to_vec();
            let (keys, _) = keyset(sort, None);
            v.sort_by(|a, b| order(&keys, a, b));
            v.iter().map(|c| c.id.as_u128()).collect::<Vec<_>>()
        };
        assert_eq!(ids(Sort::Newest), [3, 2, 1]);
        assert_eq!(ids(Sort::Oldest), [1, 2, 3]);
        assert_eq!(ids(Sort::MostReplies), [3, 1, 2]);
        assert_eq!(ids(Sort::MostReactions), [3, 2, 1]);
        for sort in Sort::ALL {
            let compared = |c: &Column| {
                matches!(c, Column::ReplyCount | Column::ReactionCount | Column::CreatedAt | Column::Id)
            };
            assert!(keyset(sort, None).0.iter().all(|(c, _)| compared(c)), "{sort:?}");
        }
    }
}

//! Reading threads, a page at a time: keyset pages of top-level comments in
//! four orders, pages of one comment's replies, the first replies of a whole
//! page in one windowed statement, and a comment with its ancestors.

use super::cursor::{Position, Scope};
use super::visibility::{self, Viewer, listed};
use super::{Comment, CommentStatus, Sort};
use crate::domain::pagination::{Page, PageSize};
use crate::domain::sql::{self, Params};
use crate::error::AppResult;
use entity::comment::{self, Column};
use sea_orm::sea_query::Order;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Top-level comments on one page.
pub const COMMENTS: PageSize = PageSize::new(20, 100);
/// Replies of one comment on one page.
pub const REPLIES: PageSize = PageSize::new(10, 50);
/// Replies shown inline under each top-level comment of a REST page.
pub const INLINE_REPLIES: PageSize = PageSize::new(3, 10);
/// Featured comments of an article.
pub const FEATURED: PageSize = PageSize::new(10, 50);

/// One page of comments, each with its cursor.
pub type CommentPage = Page<Comment, String>;

/// The keyset condition "after `p`" and the order for `sort`.
pub(super) fn keyset(sort: Sort, p: Option<Position>) -> (Vec<(Column, Order)>, Option<Condition>) {
    let (count, desc) = match sort {
        Sort::Newest => (None, true),
        Sort::Oldest => (None, false),
        Sort::MostReplies => (Some(Column::ReplyCount), true),
        Sort::MostReactions => (Some(Column::ReactionCount), true),
    };
    let dir = if desc { Order::Desc } else { Order::Asc };
    let mut order: Vec<(Column, Order)> = count.iter().map(|c| (*c, Order::Desc)).collect();
    order.push((Column::CreatedAt, dir.clone()));
    order.push((Column::Id, dir));
    let cond = p.map(|p| {
        let beyond_time = if desc {
            Condition::any()
                .add(Column::CreatedAt.lt(p.at))
                .add(Condition::all().add(Column::CreatedAt.eq(p.at)).add(Column::Id.lt(p.id)))
        } else {
            Condition::any()
                .add(Column::CreatedAt.gt(p.at))
                .add(Condition::all().add(Column::CreatedAt.eq(p.at)).add(Column::Id.gt(p.id)))
        };
        match count {
            None => beyond_time,
            Some(col) => {
                Condition::any().add(col.lt(p.n)).add(Condition::all().add(col.eq(p.n)).add(beyond_time))
            }
        }
    });
    (order, cond)
}

pub(super) async fn page(
    db: &impl ConnectionTrait,
    base: Condition,
    scope: Scope,
    sort: Sort,
    limit: u64,
    after: Option<Position>,
) -> AppResult<CommentPage> {
    if limit == 0 {
        return Ok(CommentPage { has_previous_page: after.is_some(), ..Default::default() });
    }
    let (order, cond) = keyset(sort, after);
    let mut q = comment::Entity::find().filter(base);
    if let Some(c) = cond {
        q = q.filter(c);
    }
    for (col, o) in order {
        q = q.order_by(col, o);
    }
    let rows = q.limit(limit + 1).all(db).await?;
    Ok(Page::forward(rows, limit, after.is_some(), |c| Position::of(c, sort).encode(scope, sort)))
}

/// Direct replies of one comment, oldest first.
pub async fn replies(
    db: &impl ConnectionTrait,
    parent_id: Uuid,
    viewer: Viewer,
    limit: u64,
    after: Option<Position>,
) -> AppResult<CommentPage> {
    let base =
        Condition::all().add(Column::ParentId.eq(parent_id)).add(listed(viewer, db.get_database_backend()));
    page(db, base, Scope::Replies(parent_id), Sort::Oldest, limit, after).await
}

/// The first `limit` replies of each parent, oldest first, in one
/// statement whatever the number of parents.
pub async fn first_replies(
    db: &impl ConnectionTrait,
    parent_ids: &[Uuid],
    viewer: Viewer,
    limit: u64,
) -> AppResult<HashMap<Uuid, CommentPage>> {
    if parent_ids.is_empty() || limit == 0 {
        return Ok(parent_ids.iter().map(|id| (*id, CommentPage::default())).collect());
    }
    let mut p = Params::new(db.get_database_backend());
    let ids = p.list(parent_ids);
    let user = p.push(viewer.user.unwrap_or(Uuid::nil()));
    let vis = visibility::listed_sql(&user);
    let n = p.push(i64::try_from(limit).unwrap_or(i64::MAX) + 1);
    let sql = format!(
        "SELECT t.* FROM (SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.parent_id ORDER BY c.created_at, c.id) AS rn \
         FROM comment c WHERE c.parent_id IN ({ids}) AND {vis}) t WHERE t.rn <= {n} ORDER BY t.parent_id, t.created_at, t.id"
    );
    let rows = Comment::find_by_statement(p.statement(sql)).all(db).await?;
    let mut grouped: HashMap<Uuid, Vec<Comment>> = parent_ids.iter().map(|id| (*id, Vec::new())).collect();
    for r in rows {
        if let Some(parent) = r.parent_id {
            grouped.entry(parent).or_default().push(r);
        }
    }
    Ok(grouped
        .into_iter()
        .map(|(parent, rows)| {
            (
                parent,
                Page::forward(rows, limit, false, |c| {
                    Position::of(c, Sort::Oldest).encode(Scope::Replies(parent), Sort::Oldest)
                }),
            )
        })
        .collect())
}

pub async fn by_id(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<Comment>> {
    Ok(comment::Entity::find_by_id(id).one(db).await?)
}

/// A comment asked for by id (a permalink): what the viewer may see, in a
/// thread readers may read. Moderators see any comment, even on a story
/// whose comments are disabled. None otherwise, so nothing hidden is
/// revealed by the answer.
pub async fn open(
    db: &impl ConnectionTrait,
    settings: &super::CommentSettings,
    viewer: Viewer,
    id: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Option<Comment>> {
    let found = by_id(db, id).await?;
    match &found {
        // Hidden or not, its thread decides what the answer will be.
        Some(c) => crate::domain::freshness::shows_thread(c.article_id),
        // A comment that may appear later could be in any thread.
        None => crate::domain::freshness::shows_untracked(),
    }
    let Some(c) = found.filter(|c| visibility::may_open(c, viewer)) else {
        return Ok(None);
    };
    if viewer.moderator {
        return Ok(Some(c));
    }
    let key = crate::domain::articles::ArticleKey::Id(c.article_id);
    Ok(super::threads::readable(db, &key, settings, now).await?.map(|_| c))
}

pub async fn by_ids(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Comment>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = comment::Entity::find().filter(Column::Id.is_in(sql::padded(ids))).all(db).await?;
    Ok(rows.into_iter().map(|c| (c.id, c)).collect())
}

/// The comment's ancestors, from the top-level comment down to its parent.
/// Depth is capped, so this is a few lookups at most.
pub async fn ancestors(db: &impl ConnectionTrait, c: &Comment) -> AppResult<Vec<Comment>> {
    let mut out = Vec::new();
    let mut next = c.parent_id;
    while let Some(id) = next {
        let Some(p) = by_id(db, id).await? else { break };
        next = p.parent_id;
        out.push(p);
        if out.len() > 64 {
            break;
        }
    }
    out.reverse();
    Ok(out)
}

/// The ancestors `viewer` may see, top-level first: a deep comment in
/// context. Hidden ones are left out.
pub async fn visible_ancestors(
    db: &impl ConnectionTrait,
    c: &Comment,
    viewer: Viewer,
) -> AppResult<Vec<Comment>> {
    let all = ancestors(db, c).await?;
    Ok(all.into_iter().filter(|a| super::visibility::may_open(a, viewer)).collect())
}

/// Moderators' picks on an article, most recently featured first.
pub async fn featured(db: &impl ConnectionTrait, article_id: Uuid, limit: u64) -> AppResult<Vec<Comment>> {
    crate::domain::freshness::shows_thread(article_id);
    Ok(comment::Entity::find()
        .filter(Column::ArticleId.eq(article_id))
        .filter(Column::FeaturedAt.is_not_null())
        .filter(Column::Status.eq(CommentStatus::Approved.as_str()))
        .order_by_desc(Column::FeaturedAt)
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Which of `ids` the person has reacted to.
pub async fn reacted(db: &impl ConnectionTrait, user: Uuid, ids: &[Uuid]) -> AppResult<HashSet<Uuid>> {
    use entity::comment_reaction as r;
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let rows: Vec<Uuid> = r::Entity::find()
        .select_only()
        .column(r::Column::CommentId)
        .filter(r::Column::UserId.eq(user))
        .filter(r::Column::CommentId.is_in(sql::padded(ids)))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// A person's comments, newest first, for their own download.
pub async fn by_author(db: &impl ConnectionTrait, user: Uuid) -> AppResult<Vec<Comment>> {
    Ok(comment::Entity::find()
        .filter(Column::UserId.eq(user))
        .filter(Column::Status.ne(CommentStatus::Deleted.as_str()))
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .all(db)
        .await?)
}

/// Whether any comment answers `id`, counted or not.
pub async fn has_children(db: &impl ConnectionTrait, id: Uuid) -> AppResult<bool> {
    let rows: Vec<Uuid> = comment::Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::ParentId.eq(id))
        .limit(1)
        .into_tuple()
        .all(db)
        .await?;
    Ok(!rows.is_empty())
}

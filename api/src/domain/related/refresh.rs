//! Keeping stored picks current. A write marks, in its own transaction,
//! every list it may change (see [`mark_around`]); the refresher re-ranks
//! marked lists and stores them. Until it has, reads rank a marked list
//! themselves, so staleness never shows: the refresher's interval bounds
//! only how long those lists cost a ranking per read.

use super::rank;
use crate::domain::sql::join_ids;
use crate::domain::sql::{self, Params};
use crate::domain::tx;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::{article, article_tag, related_mark, related_pick};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::{BTreeSet, HashSet};
use uuid::Uuid;

/// How many of the newest stories per tag have their lists re-ranked when
/// a story carrying the tag is written, so a new story enters the lists of
/// recent coverage. Older lists pick it up when they are next refreshed.
pub const NEIGHBOURS_PER_TAG: i64 = 50;
/// Lists re-ranked per refresher step.
pub const BATCH: u64 = 100;

/// Marks lists as stale: one new row per list, never an update, so
/// writers marking the same lists take no locks on each other's rows.
pub async fn mark(db: &impl ConnectionTrait, ids: &[Uuid], now: DateTime<Utc>) -> AppResult<()> {
    let rows: Vec<related_mark::ActiveModel> = ids
        .iter()
        .map(|id| related_mark::ActiveModel {
            id: Set(Uuid::now_v7()),
            article_id: Set(*id),
            marked_at: Set(now),
        })
        .collect();
    for chunk in rows.chunks(500) {
        related_mark::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await?;
    }
    Ok(())
}

#[derive(FromQueryResult)]
struct Id {
    id: Uuid,
}

/// Marks every list a write to story `id` may change: its own, every list
/// now showing it, and the lists of the newest stories sharing one of its
/// tags (which it may now enter). Call after the write, before commit.
pub async fn mark_around(db: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    let tags: Vec<Uuid> = article_tag::Entity::find()
        .select_only()
        .column(article_tag::Column::TagId)
        .filter(article_tag::Column::ArticleId.eq(id))
        .into_tuple()
        .all(db)
        .await?;
    let mut p = Params::new(db.get_database_backend());
    let mut parts =
        vec![format!("SELECT article_id AS id FROM related_pick WHERE related_id = {}", p.push(id))];
    for (i, t) in tags.iter().enumerate() {
        let tp = p.push(*t);
        parts.push(format!(
            "SELECT * FROM (SELECT article_id AS id FROM article_tag WHERE tag_id = {tp} \
             ORDER BY article_id DESC LIMIT {NEIGHBOURS_PER_TAG}) AS n{i}"
        ));
    }
    let mut ids: HashSet<Uuid> = Id::find_by_statement(p.statement(parts.join(" UNION ")))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    ids.insert(id);
    let mut ids: Vec<Uuid> = ids.into_iter().collect();
    ids.sort_unstable();
    mark(db, &ids, now).await
}

/// How many of the oldest marks a step reads per list it may take.
const MARKS_PER_LIST_READ: u64 = 4;

/// Marks per statement when the refresher takes them: a list edited often
/// between steps has many, and a statement has a bounded number of
/// parameters on every backend.
const MARKS_PER_STATEMENT: usize = 500;

/// Re-ranks up to `limit` marked lists, oldest mark first, and stores
/// them; returns how many were taken. Ranking happens outside the write
/// transaction. The write locks and deletes exactly the marks this step
/// saw, in id order, and stores only the lists whose marks were still
/// there: a list marked again meanwhile keeps its newer mark for the next
/// step, and of two instances storing one list the second finds its marks
/// gone and leaves the list alone.
pub async fn step(db: &DatabaseConnection, limit: u64) -> AppResult<usize> {
    // The oldest marks, read along their index: a few per list, so a step
    // reads a bounded slice however many marks are waiting (a GROUP BY
    // over the whole table grew with every retagging).
    let oldest: Vec<Uuid> = related_mark::Entity::find()
        .select_only()
        .column(related_mark::Column::ArticleId)
        .order_by_asc(related_mark::Column::MarkedAt)
        .limit(limit.saturating_mul(MARKS_PER_LIST_READ))
        .into_tuple()
        .all(db)
        .await?;
    let mut lists: Vec<Uuid> = Vec::new();
    for id in oldest {
        if !lists.contains(&id) && lists.len() < usize::try_from(limit).unwrap_or(usize::MAX) {
            lists.push(id);
        }
    }
    if lists.is_empty() {
        return Ok(0);
    }
    let mut seen: Vec<Uuid> = related_mark::Entity::find()
        .select_only()
        .column(related_mark::Column::Id)
        .filter(related_mark::Column::ArticleId.is_in(lists.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    seen.sort_unstable();
    let ranked = rank::rank(db, &lists).await?;
    tx::unit!(db, |txn| {
        let mut taken: BTreeSet<Uuid> = BTreeSet::new();
        for chunk in seen.chunks(MARKS_PER_STATEMENT) {
            let q = related_mark::Entity::find()
                .select_only()
                .column(related_mark::Column::ArticleId)
                .filter(related_mark::Column::Id.is_in(chunk.iter().copied()))
                .order_by_asc(related_mark::Column::Id);
            let still: Vec<Uuid> = sql::locked(q, txn.get_database_backend()).into_tuple().all(txn).await?;
            taken.extend(still);
            related_mark::Entity::delete_many()
                .filter(related_mark::Column::Id.is_in(chunk.iter().copied()))
                .exec(txn)
                .await?;
        }
        if taken.is_empty() {
            return Ok(());
        }
        crate::domain::freshness::changed(crate::domain::freshness::Changed::Content);
        // Only the answers that show these lists (not every list the
        // sources are in), and only of public stories: a draft's list shows
        // in previews alone, which no cache in front keeps.
        let now = chrono::Utc::now();
        let public: Vec<Uuid> = article::Entity::find()
            .select_only()
            .column(article::Column::Id)
            .filter(article::Column::Id.is_in(taken.iter().copied()))
            .filter(crate::domain::articles::visibility(crate::domain::audience::Audience::Public, now))
            .into_tuple()
            .all(txn)
            .await?;
        let keys = public.into_iter().map(crate::domain::surrogate::Key::Related).collect();
        crate::domain::surrogate::purge(txn, keys, now).await?;
        related_pick::Entity::delete_many()
            .filter(related_pick::Column::ArticleId.is_in(taken.iter().copied()))
            .exec(txn)
            .await?;
        let rows: Vec<related_pick::ActiveModel> = taken
            .iter()
            .flat_map(|src| {
                ranked.get(src).into_iter().flatten().enumerate().map(|(i, p)| related_pick::ActiveModel {
                    article_id: Set(*src),
                    position: Set(crate::domain::sql::position(i)),
                    related_id: Set(p.related_id),
                    reason: Set(p.reason.as_str().to_owned()),
                    score: Set(p.score),
                    shared_tags: Set(join_ids(&p.shared_tag_ids)),
                    published_at: Set(p.published_at),
                })
            })
            .collect();
        for chunk in rows.chunks(500) {
            related_pick::Entity::insert_many(chunk.to_vec()).exec_without_returning(txn).await?;
        }
        Ok(())
    })?;
    Ok(lists.len())
}

/// Steps until nothing is marked.
pub async fn drain(db: &DatabaseConnection) -> AppResult<usize> {
    let mut total = 0;
    loop {
        match step(db, BATCH).await? {
            0 => return Ok(total),
            n => total += n,
        }
    }
}

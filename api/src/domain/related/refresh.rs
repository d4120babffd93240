//! Keeping stored picks current. A write marks, in its own transaction,
//! every list it may change (see [`mark_around`]); the refresher re-ranks
//! marked lists and stores them. Until it has, reads rank a marked list
//! themselves, so staleness never shows: the refresher's interval bounds
//! only how long those lists cost a ranking per read.

use super::join_ids;
use super::rank;
use crate::domain::sql::Params;
use crate::domain::tx;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::{article_tag, related_pick, related_stale};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashSet;
use std::time::Duration;
use uuid::Uuid;

/// How many of the newest stories per tag have their lists re-ranked when
/// a story carrying the tag is written, so a new story enters the lists of
/// recent coverage. Older lists pick it up when they are next refreshed.
pub const NEIGHBOURS_PER_TAG: i64 = 50;
/// Lists re-ranked per refresher step.
pub const BATCH: u64 = 100;

/// Marks lists as stale. A new token per mark tells the refresher that a
/// list it ranked was marked again meanwhile and must be ranked again.
pub async fn mark(db: &impl ConnectionTrait, ids: &[Uuid], now: DateTime<Utc>) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let rows = ids.iter().map(|id| related_stale::ActiveModel {
        article_id: Set(*id),
        token: Set(Uuid::new_v4()),
        marked_at: Set(now),
    });
    related_stale::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(related_stale::Column::ArticleId)
                .update_columns([related_stale::Column::Token, related_stale::Column::MarkedAt])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
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
    mark(db, &ids.into_iter().collect::<Vec<_>>(), now).await
}

/// Re-ranks up to `limit` marked lists, oldest mark first, and stores
/// them; returns how many were taken. Ranking happens outside the write
/// transaction; the write then keeps only lists whose mark is unchanged, so
/// a list marked again meanwhile (or stored by another instance) is left
/// for the next step.
pub async fn step(db: &DatabaseConnection, limit: u64) -> AppResult<usize> {
    let marked: Vec<(Uuid, Uuid)> = related_stale::Entity::find()
        .select_only()
        .columns([related_stale::Column::ArticleId, related_stale::Column::Token])
        .order_by_asc(related_stale::Column::MarkedAt)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    if marked.is_empty() {
        return Ok(0);
    }
    let ids: Vec<Uuid> = marked.iter().map(|m| m.0).collect();
    let ranked = rank::rank(db, &ids).await?;
    tx::retry(|| async {
        let txn = tx::begin(db).await?;
        // Locks the marks, so two instances storing the same list queue
        // here and the second finds the mark gone.
        let current: HashSet<(Uuid, Uuid)> = related_stale::Entity::find()
            .select_only()
            .columns([related_stale::Column::ArticleId, related_stale::Column::Token])
            .filter(related_stale::Column::ArticleId.is_in(ids.iter().copied()))
            .lock_exclusive()
            .into_tuple()
            .all(&txn)
            .await?
            .into_iter()
            .collect();
        let unchanged: Vec<Uuid> = marked.iter().filter(|m| current.contains(m)).map(|m| m.0).collect();
        if unchanged.is_empty() {
            return Ok(());
        }
        related_pick::Entity::delete_many()
            .filter(related_pick::Column::ArticleId.is_in(unchanged.iter().copied()))
            .exec(&txn)
            .await?;
        let rows: Vec<related_pick::ActiveModel> = unchanged
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
            related_pick::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
        }
        for (id, token) in marked.iter().filter(|m| current.contains(m)) {
            related_stale::Entity::delete_many()
                .filter(related_stale::Column::ArticleId.eq(*id))
                .filter(related_stale::Column::Token.eq(*token))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    })
    .await?;
    Ok(marked.len())
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

/// The refresher: drains marked lists, then waits `every`.
pub fn spawn(db: DatabaseConnection, every: Duration) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = drain(&db).await {
                tracing::warn!(error = %e, "related-list refresh failed; retrying later");
            }
            tokio::time::sleep(every).await;
        }
    });
}

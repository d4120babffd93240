//! The editor's curated list: who may set it and what it may hold.

use super::refresh;
use crate::domain::accounts::{Actor, policy};
use crate::domain::articles::Article;
use crate::domain::articles::rows::{bump, find_any, find_for_update};
use crate::domain::journal::{self, Action, Change};
use crate::domain::{sql, tx};
use crate::error::{AppResult, Validator};
use chrono::{DateTime, Utc};
use entity::{article, article_related};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub const MAX_CURATED: usize = 20;

/// Replaces the curated list. Ids must exist, differ from the article and
/// not repeat; otherwise nothing is saved.
#[tracing::instrument(level = "debug", skip_all, fields(%id))]
pub async fn set_curated<C: tx::Db>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    related_ids: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<Article> {
    policy::can_write_content(actor)?;
    tx::unit!(db, |txn| {
        let current = find_for_update(txn, id).await?;
        let known = sql::existing::<article::Entity>(txn, article::Column::Id, related_ids).await?;
        let mut v = Validator::new();
        v.check(
            related_ids.len() <= MAX_CURATED,
            "relatedIds",
            &format!("must have at most {MAX_CURATED} entries"),
        );
        let mut seen = HashSet::new();
        for (i, r) in related_ids.iter().enumerate() {
            let path = format!("relatedIds[{i}]");
            if *r == id {
                v.push(path, "is the article itself");
            } else if !known.contains(r) {
                v.refuse(path, format!("no article with id {r}"));
            } else if !seen.insert(*r) {
                v.push(path, format!("repeats {r}"));
            }
        }
        v.finish()?;
        article_related::Entity::delete_many()
            .filter(article_related::Column::ArticleId.eq(id))
            .exec(txn)
            .await?;
        if !related_ids.is_empty() {
            let rows = related_ids.iter().enumerate().map(|(i, r)| article_related::ActiveModel {
                article_id: Set(id),
                related_id: Set(*r),
                position: Set(sql::position(i)),
            });
            article_related::Entity::insert_many(rows).exec_without_returning(txn).await?;
        }
        bump(txn, &current, article::ActiveModel { updated_at: Set(now), ..Default::default() }).await?;
        // Stored picks leave out curated stories, so this list is re-ranked.
        refresh::mark(txn, &[id], now).await?;
        let saved = find_any(txn, id).await?;
        journal::record(txn, Change::article(current.feed_public, &saved, Action::RelatedChanged), now)
            .await?;
        Ok(saved)
    })
}

/// Curated ids per article, in the editor's order.
pub async fn curated_ids(
    db: &impl ConnectionTrait,
    article_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    let rows = article_related::Entity::find()
        .filter(article_related::Column::ArticleId.is_in(crate::domain::sql::padded(article_ids)))
        .order_by_asc(article_related::Column::Position)
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for r in rows {
        out.entry(r.article_id).or_default().push(r.related_id);
    }
    Ok(out)
}

/// Sets a curated list as an archive holds it, in the caller's transaction:
/// the targets are the importer's to have resolved. The story's version
/// moves on; its dates stay the archive's.
pub async fn restore(
    db: &impl ConnectionTrait,
    current: &Article,
    related_ids: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<()> {
    article_related::Entity::delete_many()
        .filter(article_related::Column::ArticleId.eq(current.id))
        .exec(db)
        .await?;
    if !related_ids.is_empty() {
        let rows = related_ids.iter().enumerate().map(|(i, r)| article_related::ActiveModel {
            article_id: Set(current.id),
            related_id: Set(*r),
            position: Set(sql::position(i)),
        });
        article_related::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    bump(db, current, article::ActiveModel::default()).await?;
    refresh::mark(db, &[current.id], now).await
}

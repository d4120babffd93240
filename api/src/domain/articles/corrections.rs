//! Published corrections, oldest first, for many articles at once.

use crate::domain::tx;
use crate::error::AppResult;
use entity::correction;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;
use uuid::Uuid;

pub type Correction = correction::Model;

pub async fn by_article(
    db: &impl ConnectionTrait,
    article_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<Correction>>> {
    if article_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = correction::Entity::find()
        .filter(correction::Column::ArticleId.is_in(crate::domain::sql::padded(article_ids)))
        .order_by_asc(correction::Column::PublishedAt)
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, Vec<Correction>> = HashMap::new();
    for c in rows {
        out.entry(c.article_id).or_default().push(c);
    }
    Ok(out)
}

pub const MAX_TEXT: usize = 2000;

/// Publishes a correction to a story: an editorial event of its own
/// (CORRECTED in the feed, `article.corrected` for webhooks) that bumps the
/// story's version.
#[tracing::instrument(level = "debug", skip_all, fields(%id))]
pub async fn add<C: crate::domain::tx::Db>(
    db: &C,
    actor: &crate::domain::accounts::Actor,
    id: Uuid,
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<(super::Article, Correction)> {
    use super::rows::{bump, find_any, find_for_update};
    use crate::domain::journal::{self, Action, Change};
    use sea_orm::ActiveValue::Set;
    crate::domain::accounts::policy::can_write_content(actor)?;
    let mut v = crate::error::Validator::new();
    let trimmed = text.trim();
    v.check(!crate::domain::text::is_blank(text), "text", "must not be blank");
    v.check(text.chars().count() <= MAX_TEXT, "text", "must be at most 2000 characters");
    crate::domain::text::check(&mut v, "text", trimmed, crate::domain::text::Lines::Multi);
    v.finish()?;
    tx::unit!(db, |txn| {
        let current = find_for_update(txn, id).await?;
        let row = correction::ActiveModel {
            id: Set(Uuid::now_v7()),
            article_id: Set(id),
            text: Set(trimmed.to_owned()),
            published_at: Set(now),
            created_at: Set(now),
        };
        let added = correction::Entity::insert(row).exec_with_returning(txn).await?;
        bump(txn, &current, entity::article::ActiveModel { updated_at: Set(now), ..Default::default() })
            .await?;
        let saved = find_any(txn, id).await?;
        journal::record(txn, Change::article(current.feed_public, &saved, Action::Corrected), now).await?;
        Ok((saved, added))
    })
}

/// Replaces a story's corrections with these, dated as given (an import).
pub async fn replace(
    db: &impl ConnectionTrait,
    article_id: Uuid,
    list: &[(String, chrono::DateTime<chrono::Utc>)],
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    use sea_orm::ActiveValue::Set;
    correction::Entity::delete_many().filter(correction::Column::ArticleId.eq(article_id)).exec(db).await?;
    let rows: Vec<correction::ActiveModel> = list
        .iter()
        .map(|(text, at)| correction::ActiveModel {
            id: Set(Uuid::now_v7()),
            article_id: Set(article_id),
            text: Set(text.clone()),
            published_at: Set(*at),
            created_at: Set(now),
        })
        .collect();
    for chunk in rows.chunks(100) {
        correction::Entity::insert_many(chunk.to_vec()).exec_without_returning(db).await?;
    }
    Ok(())
}

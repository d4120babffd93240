//! Creating and changing articles. Each call is one transaction: the row,
//! its bylines and tags, and the change-feed entry commit together or not
//! at all. Every write bumps `version`; a stale expected version changes
//! nothing and is a CONFLICT.

use super::Article;
use super::editable::{Editable, insert_rows};
use super::input::{self, ArticleChanges};
use super::rows::{bump, check_version, find_any, find_external_for_update, find_for_update};
use crate::domain::accounts::{Actor, policy};
use crate::domain::journal::{self, Action, Change};
use crate::domain::{body, related, tx};
use crate::error::{AppError, AppResult, Validator};
use chrono::{DateTime, Utc};
use entity::{article, article_body};
use sea_orm::{ActiveValue::Set, EntityTrait};
use uuid::Uuid;

/// Creates a draft.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create<C: tx::Db>(
    db: &C,
    actor: &Actor,
    changes: ArticleChanges,
    now: DateTime<Utc>,
) -> AppResult<Article> {
    policy::can_write_content(actor)?;
    let mut v = Validator::new();
    v.check(changes.slug.is_some(), "slug", "is required");
    v.check(changes.headline.is_some(), "headline", "is required");
    changes.check_shape(&mut v);
    let (state, rendered) = Editable::empty().apply(changes)?;
    let rendered = match rendered {
        Some(r) => r,
        None => body::render(&[])?,
    };
    tx::unit!(db, |txn| {
        let mut v = v.clone();
        state.check_refs(txn, None, &mut v).await?;
        v.finish()?;
        let id = Uuid::now_v7();
        let rows = state.new_rows(id, &rendered, None, now);
        article::Entity::insert(rows.story).exec_without_returning(txn).await?;
        article_body::Entity::insert(rows.body).exec_without_returning(txn).await?;
        insert_rows(txn, rows.tags, rows.authors).await?;
        related::refresh::mark(txn, &[id], now).await?;
        let saved = find_any(txn, id).await?;
        journal::record(txn, Change::article(false, &saved, Action::Created), now).await?;
        Ok(saved)
    })
}

/// Applies changes to an existing article. With `expected_version`, a
/// concurrent write in between makes this a CONFLICT that changes nothing.
#[tracing::instrument(level = "debug", skip_all, fields(%id))]
pub async fn update<C: tx::Db>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
    changes: ArticleChanges,
    now: DateTime<Utc>,
) -> AppResult<Article> {
    policy::can_write_content(actor)?;
    let mut v = Validator::new();
    changes.check_shape(&mut v);
    tx::unit!(db, |txn| {
        let mut v = v.clone();
        let current = find_for_update(txn, id).await?;
        let before = Editable::of(txn, &current).await?;
        let (after, rendered) = before.clone().apply(changes.clone())?;
        after.check_refs(txn, Some(id), &mut v).await?;
        // A malformed request is 400 whatever its If-Match (RFC 9110, 13.2.1).
        // A stale one is 412 before what is stored refuses it (422): the writer
        // must fetch again first, and the refusal may not hold after that.
        if !v.is_malformed() {
            check_version(&current, expected_version)?;
        }
        v.finish()?;
        if after == before {
            // Nothing to change: a retried write leaves version and feed alone.
            return Ok(current);
        }
        let mut row = article::ActiveModel { updated_at: Set(now), ..Default::default() };
        after.write_to(&mut row, rendered.as_ref());
        bump(txn, &current, row).await?;
        if rendered.is_some() || after.headline != before.headline || after.dek != before.dek {
            after.write_body(txn, id, rendered.as_ref()).await?;
        }
        if after.tag_ids != before.tag_ids || after.author_ids != before.author_ids {
            after.write_links(txn, id).await?;
        }
        if after.ranks_differently(&before) {
            related::refresh::mark_around(txn, id, now).await?;
        }
        let saved = find_any(txn, id).await?;
        let change = Change::article(current.feed_public, &saved, Action::Updated).leaving(&current);
        journal::record(txn, change, now).await?;
        Ok(saved)
    })
}

/// Create-or-replace keyed by the integrator's own id: repeating the same
/// request changes nothing the second time.
#[tracing::instrument(level = "debug", skip_all, fields(external_id = %external_id))]
pub async fn upsert_by_external_id<C: tx::Db>(
    db: &C,
    actor: &Actor,
    external_id: &str,
    expected_version: Option<i32>,
    changes: ArticleChanges,
    now: DateTime<Utc>,
) -> AppResult<(Article, bool)> {
    policy::can_write_content(actor)?;
    // Checked before it is looked up: PostgreSQL refuses NUL in a query.
    let mut v = Validator::new();
    input::check_external_id(&mut v, "externalId", external_id);
    v.finish()?;
    let changes =
        ArticleChanges { external_id: Some(Some(external_id.to_owned())), ..changes }.into_replacement();
    tx::unit!(db, |txn| {
        let result = match find_external_for_update(txn, external_id).await? {
            Some(a) => (update(txn, actor, a.id, expected_version, changes.clone(), now).await?, false),
            None => {
                // Only a new story needs these; an existing one keeps its own.
                // Whether one exists depends on what is stored, hence `refuse`.
                let mut v = Validator::new();
                changes.check_shape(&mut v);
                if changes.slug.is_none() {
                    v.refuse("slug", "is required to create an article");
                }
                if changes.headline.is_none() {
                    v.refuse("headline", "is required to create an article");
                }
                v.finish()?;
                match create(txn, actor, changes.clone(), now).await {
                    Ok(a) => (a, true),
                    // The same upsert, sent concurrently, may have created the row
                    // first (the slug or external id then clashes). Its row is now
                    // visible, and this request becomes an update of it. Only that
                    // clash (a field error) is recovered here; anything else, a lost
                    // deadlock above all, has rolled back the whole transaction
                    // (MariaDB drops the savepoints too) and goes up to be retried
                    // whole.
                    Err(err @ (AppError::BadInput(_) | AppError::Unprocessable(_))) => {
                        match find_external_for_update(txn, external_id).await? {
                            Some(a) => (
                                update(txn, actor, a.id, expected_version, changes.clone(), now).await?,
                                false,
                            ),
                            None => return Err(err),
                        }
                    }
                    Err(err) => return Err(err),
                }
            }
        };
        Ok(result)
    })
}

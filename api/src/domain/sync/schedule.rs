//! Scheduled publication as an event. A scheduled story becomes visible by
//! the clock alone (reads compare `published_at` with now); this announces
//! it: the feed gains its PUBLISHED entry and webhooks fire.
//!
//! Exactly once, with any number of instances on one database: the claim
//! is a conditional update (`feed_public` false → true), and only the
//! transaction whose update changed the row records the entry. A rival
//! instance blocks on the row and then finds it already announced.

use crate::domain::articles::StoredStatus;
use crate::domain::journal::{self, Action, Change};
use crate::domain::tx;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::article;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr};
use uuid::Uuid;

const BATCH: u64 = 100;

fn due(now: DateTime<Utc>) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(article::Column::FeedPublic.eq(false))
        .add(article::Column::Status.eq(StoredStatus::Published))
        .add(article::Column::PublishedAt.lte(now))
}

/// Announces every story whose time has come; returns how many this call
/// announced.
pub async fn announce_due<C: tx::Db>(db: &C, now: DateTime<Utc>) -> AppResult<usize> {
    let mut announced = 0;
    loop {
        let ids: Vec<Uuid> = article::Entity::find()
            .select_only()
            .column(article::Column::Id)
            .filter(due(now))
            .order_by_asc(article::Column::PublishedAt)
            .limit(BATCH)
            .into_tuple()
            .all(db)
            .await?;
        for id in &ids {
            if announce(db, *id, now).await? {
                announced += 1;
            }
        }
        if (ids.len() as u64) < BATCH {
            return Ok(announced);
        }
    }
}

async fn announce<C: tx::Db>(db: &C, id: Uuid, now: DateTime<Utc>) -> AppResult<bool> {
    tx::unit!(db, |txn| {
        let claimed = article::Entity::update_many()
            .col_expr(article::Column::FeedPublic, Expr::value(true))
            .filter(article::Column::Id.eq(id))
            .filter(due(now))
            .exec(txn)
            .await?;
        if claimed.rows_affected == 0 {
            return Ok(false);
        }
        let Some(story) = article::Entity::find_by_id(id).one(txn).await? else { return Ok(false) };
        let at = story.published_at.unwrap_or(now);
        journal::record(txn, Change::article(false, &story, Action::Published), at).await?;
        Ok(true)
    })
}

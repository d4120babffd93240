//! Published corrections, oldest first, for many articles at once.

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

//! What a read loads of a story. The body is large (three forms, about
//! 15 KB a story), lives in its own table and is read only when a client
//! asks for it: lists, related stories and bylines never touch it.

use crate::error::AppResult;
use entity::{article, article_body};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, Iterable, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

/// A story's row: every column but its body.
pub type Article = article::Model;

/// The stored body of one story: canonical blocks and the two forms
/// rendered from them on write.
pub type ArticleBody = article_body::Model;

/// The columns of [`Article`], for statements written by hand.
pub fn head_columns() -> Vec<&'static str> {
    article::Column::iter().map(|c| sea_orm::IdenStatic::as_str(&c)).collect()
}

/// The columns of [`ArticleBody`], for statements written by hand.
pub fn body_columns() -> Vec<&'static str> {
    article_body::Column::iter().map(|c| sea_orm::IdenStatic::as_str(&c)).collect()
}

/// Bodies by article id, in one statement.
pub async fn bodies(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, ArticleBody>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = article_body::Entity::find()
        .filter(article_body::Column::ArticleId.is_in(crate::domain::sql::padded(ids)))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|b| (b.article_id, b)).collect())
}

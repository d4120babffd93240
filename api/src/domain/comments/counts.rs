//! Counters kept in the same transaction as the change they count:
//! `article.comment_count` and the parent's `reply_count` count approved
//! comments only, so they never show what a reader cannot see.

use super::visibility::is_counted;
use super::{Comment, CommentStatus};
use crate::error::AppResult;
use entity::{article, comment};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

/// Applies what moving `c` from `from` to `to` changes in the counts.
pub async fn on_status_change(
    db: &impl ConnectionTrait,
    c: &Comment,
    from: Option<CommentStatus>,
    to: Option<CommentStatus>,
) -> AppResult<()> {
    let delta = i32::from(to.is_some_and(is_counted)) - i32::from(from.is_some_and(is_counted));
    if delta == 0 {
        return Ok(());
    }
    // Comment rows before the story's row, as every comment write takes
    // them (its own comment first): one order, so no two writes wait on
    // each other in a circle.
    if let Some(parent) = c.parent_id {
        comment::Entity::update_many()
            .col_expr(comment::Column::ReplyCount, Expr::col(comment::Column::ReplyCount).add(delta))
            .filter(comment::Column::Id.eq(parent))
            .exec(db)
            .await?;
    }
    article::Entity::update_many()
        .col_expr(article::Column::CommentCount, Expr::col(article::Column::CommentCount).add(delta))
        .filter(article::Column::Id.eq(c.article_id))
        .exec(db)
        .await?;
    Ok(())
}

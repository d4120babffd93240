//! One reaction per person per comment; reacting again takes it back. The
//! primary key settles a double tap from two tabs: only an insert that
//! happened moves the count.

use super::rows::locked_visible;
use super::write::Ctx;
use super::{Comment, CommentStatus, threads};
use crate::domain::accounts::policy;
use crate::domain::articles::ArticleKey;
use crate::domain::throttle::Budget;
use crate::domain::tx;
use crate::error::{AppError, AppResult};
use entity::{comment, comment_reaction};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

/// Toggles the actor's reaction; answers the comment and whether the actor
/// now reacts to it.
pub async fn toggle<C: tx::Db>(db: &C, cx: &Ctx<'_>, id: Uuid) -> AppResult<(Comment, bool)> {
    let user_id = policy::can_take_part(cx.actor, cx.now)?;
    cx.throttle.take(Budget::Comments, cx.actor)?;
    // The allowance is taken once, however often the transaction runs again.
    toggle_once(db, cx, id, user_id).await
}

async fn toggle_once<C: tx::Db>(db: &C, cx: &Ctx<'_>, id: Uuid, user_id: Uuid) -> AppResult<(Comment, bool)> {
    tx::unit!(db, |txn| {
        let c = locked_visible(txn, cx.actor, id).await?;
        if c.status != CommentStatus::Approved {
            return Err(AppError::unprocessable("id", "only approved comments take reactions"));
        }
        threads::writable(txn, &ArticleKey::Id(c.article_id), cx.settings, cx.now).await?;
        let removed = comment_reaction::Entity::delete_many()
            .filter(comment_reaction::Column::CommentId.eq(id))
            .filter(comment_reaction::Column::UserId.eq(user_id))
            .exec(txn)
            .await?
            .rows_affected;
        crate::domain::freshness::changed(crate::domain::freshness::Changed::Thread(c.article_id));
        crate::domain::surrogate::purge(
            txn,
            vec![crate::domain::surrogate::Key::Thread(c.article_id)],
            cx.now,
        )
        .await?;
        let (delta, now_reacting) = if removed > 0 {
            (-1, false)
        } else {
            let row = comment_reaction::ActiveModel {
                comment_id: Set(id),
                user_id: Set(user_id),
                created_at: Set(cx.now),
            };
            let inserted = tx::insert_unless_present(txn, row).await?;
            (i32::from(inserted), true)
        };
        if delta != 0 {
            comment::Entity::update_many()
                .col_expr(
                    comment::Column::ReactionCount,
                    Expr::col(comment::Column::ReactionCount).add(delta),
                )
                .filter(comment::Column::Id.eq(id))
                .exec(txn)
                .await?;
        }
        let c = super::read::by_id(txn, id).await?.ok_or(AppError::NotFound("comment"))?;
        Ok((c, now_reacting))
    })
}

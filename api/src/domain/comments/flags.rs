//! Readers' reports. One flag per person per comment; enough flags send an
//! approved comment back to the moderation queue.

use super::rows::locked_visible;
use super::write::Ctx;
use super::{Comment, CommentStatus, FlagReason, HoldReason, counts, events};
use crate::domain::accounts::policy;
use crate::domain::text::{self, Lines};
use crate::domain::throttle::Budget;
use crate::domain::tx;
use crate::error::{AppError, AppResult, Validator};
use entity::{comment, comment_flag};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

pub const MAX_DETAILS: usize = 500;

pub async fn flag<C: tx::Db>(
    db: &C,
    cx: &Ctx<'_>,
    id: Uuid,
    reason: FlagReason,
    details: Option<&str>,
) -> AppResult<Comment> {
    let user_id = policy::can_take_part(cx.actor, cx.now)?;
    cx.throttle.take(Budget::Comments, cx.actor)?;
    let details = details.map(str::trim).filter(|d| !d.is_empty());
    let mut v = Validator::new();
    if let Some(d) = details {
        v.check(d.chars().count() <= MAX_DETAILS, "details", "must be at most 500 characters");
        text::check(&mut v, "details", d, Lines::Multi);
    }
    v.finish()?;
    // The allowance is taken once, however often the transaction runs again.
    flag_once(db, cx, id, user_id, reason, details).await
}

async fn flag_once<C: tx::Db>(
    db: &C,
    cx: &Ctx<'_>,
    id: Uuid,
    user_id: Uuid,
    reason: FlagReason,
    details: Option<&str>,
) -> AppResult<Comment> {
    tx::unit!(db, |txn| {
        let c = locked_visible(txn, cx.actor, id).await?;
        if c.user_id == user_id {
            return Err(AppError::unprocessable("id", "you cannot flag your own comment"));
        }
        if c.status == CommentStatus::Deleted {
            return Err(AppError::unprocessable("id", "a deleted comment cannot be flagged"));
        }
        let row = comment_flag::ActiveModel {
            comment_id: Set(id),
            user_id: Set(user_id),
            reason: Set(reason),
            details: Set(details.map(str::to_owned)),
            created_at: Set(cx.now),
        };
        let inserted = tx::insert_unless_present(txn, row).await?;
        if !inserted {
            // Flagging twice is not a second flag.
            return Ok(c);
        }
        comment::Entity::update_many()
            .col_expr(comment::Column::FlagCount, Expr::col(comment::Column::FlagCount).add(1))
            .filter(comment::Column::Id.eq(id))
            .exec(txn)
            .await?;
        let flagged = c.flag_count + 1;
        let mut c = Comment { flag_count: flagged, ..c };
        if flagged >= cx.settings.flag_threshold && c.status == CommentStatus::Approved {
            comment::Entity::update_many()
                .col_expr(comment::Column::Status, Expr::value(CommentStatus::Pending.as_str()))
                .col_expr(comment::Column::HoldReason, Expr::value(HoldReason::Flagged.as_str()))
                .col_expr(comment::Column::UpdatedAt, Expr::value(cx.now))
                .filter(comment::Column::Id.eq(id))
                .exec(txn)
                .await?;
            counts::on_status_change(txn, &c, Some(CommentStatus::Approved), Some(CommentStatus::Pending))
                .await?;
            let before = c.clone();
            c.status = CommentStatus::Pending;
            c.hold_reason = Some(HoldReason::Flagged);
            events::changed(txn, &before, Some(&c), cx.now).await?;
        }
        Ok(c)
    })
}

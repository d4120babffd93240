//! Moderators' work: the queue, decisions on comments, featuring, the
//! per-article moderation setting, and the log of every action (who, when,
//! what, why) that moderators can read.

use super::cursor::{Position, Scope};
use super::read::CommentPage;
use super::rows::{check_reason, locked_visible, log};
use super::{Comment, CommentStatus, Sort, counts, events};
use crate::domain::accounts::{Actor, policy};
use crate::domain::pagination::Page;
use crate::domain::tx;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
pub use entity::moderation_action::ActionKind;
use entity::{article, comment, moderation_action};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

pub type Action = moderation_action::Model;

/// Sets a comment's status (approve, reject, mark as spam, send back to the
/// queue). Deleting has its own action.
pub async fn decide<C: tx::Db>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    to: CommentStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<Comment> {
    policy::can_moderate(actor)?;
    if to == CommentStatus::Deleted {
        return Err(AppError::field("status", "use deleteComment to delete a comment"));
    }
    let reason = check_reason(reason)?;
    tx::unit!(db, |txn| {
        let c = locked_visible(txn, actor, id).await?;
        let from = c.status;
        if from == CommentStatus::Deleted {
            return Err(AppError::unprocessable("id", "a deleted comment cannot be moderated"));
        }
        let mut m: comment::ActiveModel = c.clone().into();
        m.status = Set(to);
        m.hold_reason = Set(None);
        if to != CommentStatus::Approved {
            m.featured_at = Set(None);
        }
        let updated = save(txn, actor, &c, m, ActionKind::SetStatus, reason.as_deref(), now).await?;
        Ok(updated)
    })
}

/// Saves a moderator's change to `before` in the caller's transaction,
/// with what goes with every such change: the counts, the log entry and
/// the live event.
async fn save(
    db: &impl ConnectionTrait,
    actor: &Actor,
    before: &Comment,
    mut m: comment::ActiveModel,
    action: ActionKind,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<Comment> {
    m.updated_at = Set(now);
    let updated = comment::Entity::update(m).exec(db).await?;
    let (from, to) = (before.status, updated.status);
    counts::on_status_change(db, &updated, Some(from), Some(to)).await?;
    log(db, actor, action, Some(before), None, (from != to).then_some(to), reason, now).await?;
    events::changed(db, before, Some(&updated), now).await?;
    if from != to {
        crate::domain::journal::outbox::comment_moderated(db, &updated, from.as_str(), now).await?;
    }
    Ok(updated)
}

/// Features an approved comment on its article, or (`on` false) stops.
pub async fn feature<C: tx::Db>(
    db: &C,
    actor: &Actor,
    id: Uuid,
    on: bool,
    now: DateTime<Utc>,
) -> AppResult<Comment> {
    policy::can_moderate(actor)?;
    tx::unit!(db, |txn| {
        let c = locked_visible(txn, actor, id).await?;
        if on && c.status != CommentStatus::Approved {
            return Err(AppError::unprocessable("id", "only approved comments can be featured"));
        }
        let mut m: comment::ActiveModel = c.clone().into();
        m.featured_at = Set(on.then_some(now));
        let updated =
            save(txn, actor, &c, m, if on { ActionKind::Feature } else { ActionKind::Unfeature }, None, now)
                .await?;
        Ok(updated)
    })
}

/// Per-article pre-moderation: Some(true) holds every new comment there,
/// Some(false) never (unless another rule does), None follows the site.
pub async fn set_article_moderation<C: tx::Db>(
    db: &C,
    actor: &Actor,
    article_id: Uuid,
    pre: Option<bool>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    policy::can_moderate(actor)?;
    tx::unit!(db, |txn| {
        use entity::article::CommentModeration;
        let value = pre.map(|p| if p { CommentModeration::Pre } else { CommentModeration::Post });
        let res = article::Entity::update_many()
            .col_expr(article::Column::CommentModeration, Expr::value(value))
            .filter(article::Column::Id.eq(article_id))
            .exec(txn)
            .await?;
        if res.rows_affected == 0 {
            return Err(AppError::NotFound("article"));
        }
        crate::domain::freshness::changed(crate::domain::freshness::Changed::Thread(article_id));
        crate::domain::surrogate::purge(txn, vec![crate::domain::surrogate::Key::Thread(article_id)], now)
            .await?;
        let action = match pre {
            Some(true) => ActionKind::ArticleModerationPre,
            Some(false) => ActionKind::ArticleModerationPost,
            None => ActionKind::ArticleModerationDefault,
        };
        log(txn, actor, action, None, None, None, Some(&format!("article {article_id}")), now).await?;
        Ok(())
    })
}

/// Comments in one status, oldest first (the longest waiting on top).
/// `reported` narrows to comments that readers flagged.
pub async fn queue(
    db: &impl ConnectionTrait,
    actor: &Actor,
    status: CommentStatus,
    reported: bool,
    limit: u64,
    after: Option<&str>,
) -> AppResult<CommentPage> {
    policy::can_moderate(actor)?;
    let scope = Scope::Queue(if reported { "reported" } else { status.as_str() });
    let after = after.map(|a| Position::decode(a, scope, Sort::Oldest, "after")).transpose()?;
    let mut base = Condition::all().add(comment::Column::Status.eq(status.as_str()));
    if reported {
        base = base.add(comment::Column::FlagCount.gt(0));
    }
    super::read::page(db, base, scope, Sort::Oldest, limit, after).await
}

/// The moderation log, newest first.
pub async fn history(
    db: &impl ConnectionTrait,
    actor: &Actor,
    comment_id: Option<Uuid>,
    limit: u64,
    after: Option<&str>,
) -> AppResult<Page<Action, String>> {
    policy::can_moderate(actor)?;
    let after = after.map(|a| Position::decode(a, Scope::Log, Sort::Newest, "after")).transpose()?;
    let mut q = moderation_action::Entity::find();
    if let Some(c) = comment_id {
        q = q.filter(moderation_action::Column::CommentId.eq(c));
    }
    if let Some(p) = after {
        q = q.filter(
            Condition::any().add(moderation_action::Column::CreatedAt.lt(p.at)).add(
                Condition::all()
                    .add(moderation_action::Column::CreatedAt.eq(p.at))
                    .add(moderation_action::Column::Id.lt(p.id)),
            ),
        );
    }
    let rows = q
        .order_by_desc(moderation_action::Column::CreatedAt)
        .order_by_desc(moderation_action::Column::Id)
        .limit(limit + 1)
        .all(db)
        .await?;
    Ok(Page::forward(rows, limit, after.is_some(), |a| {
        Position { n: 0, at: a.created_at, id: a.id }.encode(Scope::Log, Sort::Newest)
    }))
}

/// Earlier bodies of a comment, for moderators.
pub async fn revisions(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> AppResult<Vec<entity::comment_revision::Model>> {
    policy::can_moderate(actor)?;
    use entity::comment_revision as r;
    Ok(r::Entity::find()
        .filter(r::Column::CommentId.eq(id))
        .order_by_asc(r::Column::Revision)
        .all(db)
        .await?)
}

//! An article's thread: whether it is open, closed (read only) or disabled
//! (nothing shown), and whether new comments there wait for approval.

use super::CommentSettings;
use crate::domain::articles::Audience;
use crate::domain::articles::{self, Article, ArticleKey};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::article::CommentsStatus;
use sea_orm::ConnectionTrait;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadState {
    Open,
    Closed,
    Disabled,
}

/// The state now: as the editors set it, closed once the configured time
/// after publication has passed.
pub fn state(a: &Article, settings: &CommentSettings, now: DateTime<Utc>) -> ThreadState {
    match a.comments_status {
        CommentsStatus::Disabled => ThreadState::Disabled,
        CommentsStatus::Closed => ThreadState::Closed,
        CommentsStatus::Open => {
            let expired = settings
                .auto_close_after
                .zip(a.published_at)
                .is_some_and(|(after, published)| published + after <= now);
            if expired { ThreadState::Closed } else { ThreadState::Open }
        }
    }
}

/// Whether new comments on `a` wait for approval.
pub fn pre_moderated(a: &Article, settings: &CommentSettings) -> bool {
    match a.comment_moderation.as_deref() {
        Some("PRE") => true,
        Some("POST") => false,
        _ => settings.pre_moderation,
    }
}

/// A published article whose thread readers may read; None when the
/// article is not public or its comments are disabled.
pub async fn readable(
    db: &impl ConnectionTrait,
    key: &ArticleKey,
    settings: &CommentSettings,
    now: DateTime<Utc>,
) -> AppResult<Option<Article>> {
    let a = articles::find(db, Audience::Public, now, key).await?;
    Ok(a.filter(|a| state(a, settings, now) != ThreadState::Disabled))
}

/// The story whose thread is listed: NOT_FOUND when it is not public, None
/// when its comments are disabled (an empty thread, not an error).
pub async fn listing(
    db: &impl ConnectionTrait,
    key: &ArticleKey,
    settings: &CommentSettings,
    now: DateTime<Utc>,
) -> AppResult<Option<Article>> {
    let a = articles::find(db, Audience::Public, now, key).await?.ok_or(AppError::NotFound("article"))?;
    Ok((state(&a, settings, now) != ThreadState::Disabled).then_some(a))
}

/// A published article that takes new comments and reactions now.
pub async fn writable(
    db: &impl ConnectionTrait,
    key: &ArticleKey,
    settings: &CommentSettings,
    now: DateTime<Utc>,
) -> AppResult<Article> {
    let a = articles::find(db, Audience::Public, now, key).await?.ok_or(AppError::NotFound("article"))?;
    match state(&a, settings, now) {
        ThreadState::Open => Ok(a),
        ThreadState::Closed => Err(AppError::Forbidden("comments on this story are closed".into())),
        ThreadState::Disabled => Err(AppError::Forbidden("comments are disabled on this story".into())),
    }
}

//! An article's thread: whether it is open, closed (read only) or disabled
//! (nothing shown), and whether new comments there wait for approval.

use super::CommentSettings;
use crate::domain::articles::Audience;
use crate::domain::articles::{self, Article, ArticleKey};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::article::{CommentModeration, CommentsStatus};
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

/// The status readers are shown: the editors' setting, CLOSED once the
/// auto-close time has passed.
pub fn status_now(a: &Article, settings: &CommentSettings, now: DateTime<Utc>) -> CommentsStatus {
    match state(a, settings, now) {
        ThreadState::Open => CommentsStatus::Open,
        ThreadState::Closed => CommentsStatus::Closed,
        ThreadState::Disabled => CommentsStatus::Disabled,
    }
}

/// Whether new comments on `a` wait for approval.
pub fn pre_moderated(a: &Article, settings: &CommentSettings) -> bool {
    match a.comment_moderation {
        Some(CommentModeration::Pre) => true,
        Some(CommentModeration::Post) => false,
        None => settings.pre_moderation,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::samples::{story, t0};
    use chrono::TimeDelta;

    #[test]
    fn a_thread_closes_by_itself_after_the_configured_time() {
        let settings = CommentSettings { auto_close_after: Some(TimeDelta::days(7)), ..Default::default() };
        let a = story();
        assert_eq!(state(&a, &settings, t0() + TimeDelta::days(6)), ThreadState::Open);
        assert_eq!(state(&a, &settings, t0() + TimeDelta::days(7)), ThreadState::Closed);
        assert_eq!(state(&a, &CommentSettings::default(), t0() + TimeDelta::days(700)), ThreadState::Open);
        let closed = Article { comments_status: CommentsStatus::Closed, ..story() };
        assert_eq!(state(&closed, &settings, t0()), ThreadState::Closed);
        let disabled = Article { comments_status: CommentsStatus::Disabled, ..story() };
        assert_eq!(state(&disabled, &settings, t0()), ThreadState::Disabled);
        let unpublished = Article { published_at: None, ..story() };
        assert_eq!(state(&unpublished, &settings, t0() + TimeDelta::days(700)), ThreadState::Open);
    }

    #[test]
    fn an_article_overrides_the_site_wide_moderation() {
        let pre = CommentSettings { pre_moderation: true, ..Default::default() };
        let post = CommentSettings::default();
        assert!(pre_moderated(&story(), &pre) && !pre_moderated(&story(), &post));
        let a = Article { comment_moderation: Some(CommentModeration::Post), ..story() };
        assert!(!pre_moderated(&a, &pre));
        let a = Article { comment_moderation: Some(CommentModeration::Pre), ..story() };
        assert!(pre_moderated(&a, &post));
    }
}

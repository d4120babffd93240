//! Posting, editing and deleting comments. Each is one transaction that
//! also moves the counts and records the live-update event.

use super::body::{self, Rendered};
use super::rows::locked_visible;
use super::visibility::Viewer;
use super::{Comment, CommentSettings, CommentStatus, HoldReason, counts, events, rules, threads};
use crate::domain::accounts::Actor;
use crate::domain::accounts::policy;
use crate::domain::articles::ArticleKey;
use crate::domain::throttle::{Budget, Throttle};
use crate::domain::{sql, tx};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::{article, comment, comment_revision};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

pub struct NewComment {
    pub article: ArticleKey,
    pub parent_id: Option<Uuid>,
    pub body: String,
}

/// Everything a comment write needs besides its input.
pub struct Ctx<'a> {
    pub settings: &'a CommentSettings,
    pub throttle: &'a Throttle,
    pub actor: &'a Actor,
    pub now: DateTime<Utc>,
}

/// Why a comment must wait for review, checked on its text and its author.
async fn hold_reason(
    db: &impl ConnectionTrait,
    settings: &CommentSettings,
    pre_moderated: bool,
    user_id: Uuid,
    raw: &str,
) -> AppResult<Option<HoldReason>> {
    if pre_moderated {
        return Ok(Some(HoldReason::PreModeration));
    }
    if settings.suspect_words.find_in(raw).is_some() {
        return Ok(Some(HoldReason::SuspectWord));
    }
    if settings.hold_links && rules::has_link(raw) {
        return Ok(Some(HoldReason::Links));
    }
    if settings.hold_first > 0 {
        let approved = comment::Entity::find()
            .filter(comment::Column::UserId.eq(user_id))
            .filter(comment::Column::Status.eq(CommentStatus::Approved.as_str()))
            .count(db)
            .await?;
        if approved < u64::try_from(settings.hold_first).unwrap_or(0) {
            return Ok(Some(HoldReason::FirstComment));
        }
    }
    Ok(None)
}

/// Checks and renders a body; words on the banned list refuse it outright.
fn accept_body(settings: &CommentSettings, raw: &str) -> AppResult<Rendered> {
    body::check("body", raw)?;
    if settings.banned_words.find_in(raw).is_some() {
        return Err(body::refused_word());
    }
    let rendered = body::render(raw);
    body::check_rendered("body", &rendered)?;
    Ok(rendered)
}

/// Posts a comment. The allowance is taken once, however often the
/// transaction runs again after losing a race.
pub async fn post<C: tx::Db>(db: &C, cx: &Ctx<'_>, input: NewComment) -> AppResult<Comment> {
    let user_id = policy::can_take_part(cx.actor, cx.now)?;
    // A malformed body spends no allowance (GraphQL refuses one before any
    // resolver runs; REST alike); one refused for its words does.
    body::check("body", &input.body)?;
    cx.throttle.take(Budget::Comments, cx.actor)?;
    let rendered = accept_body(cx.settings, &input.body)?;
    insert(db, cx, &input, user_id, &rendered).await
}

async fn insert<C: tx::Db>(
    db: &C,
    cx: &Ctx<'_>,
    input: &NewComment,
    user_id: Uuid,
    rendered: &Rendered,
) -> AppResult<Comment> {
    tx::unit!(db, |txn| {
        let rendered = rendered.clone();
        let article = threads::writable(txn, &input.article, cx.settings, cx.now).await?;

        let (parent_id, root_id, reply_to_id, depth) = match input.parent_id {
            None => (None, None, None, 0),
            Some(pid) => {
                // Locked, as the reply will change its count.
                let parent = sql::locked(comment::Entity::find_by_id(pid), txn.get_database_backend())
                    .one(txn)
                    .await?
                    .filter(|p| super::visibility::is_listed(p, Viewer::of(cx.actor)));
                let Some(parent) = parent else {
                    return Err(AppError::unprocessable("parentId", "names no comment you can reply to"));
                };
                if parent.article_id != article.id {
                    return Err(AppError::unprocessable("parentId", "belongs to another article"));
                }
                if parent.status != CommentStatus::Approved {
                    return Err(AppError::unprocessable(
                        "parentId",
                        "cannot be replied to until it is approved",
                    ));
                }
                let root = parent.root_id.unwrap_or(parent.id);
                if parent.depth + 1 < cx.settings.max_levels {
                    (Some(parent.id), Some(root), None, parent.depth + 1)
                } else {
                    // Below the last level: a sibling of the parent, answering it.
                    (parent.parent_id, Some(root), Some(parent.id), parent.depth)
                }
            }
        };

        let since = cx.now - cx.settings.duplicate_window;
        let repeated = comment::Entity::find()
            .filter(comment::Column::UserId.eq(user_id))
            .filter(comment::Column::CreatedAt.gte(since))
            .filter(comment::Column::BodyRaw.eq(rendered.raw.as_str()))
            .count(txn)
            .await?;
        if repeated > 0 {
            return Err(AppError::unprocessable("body", "you posted this comment a moment ago"));
        }

        let hold = hold_reason(
            txn,
            cx.settings,
            threads::pre_moderated(&article, cx.settings),
            user_id,
            &rendered.raw,
        )
        .await?;
        let status = if hold.is_some() { CommentStatus::Pending } else { CommentStatus::Approved };
        // MariaDB's foreign-key check share-locks the story's row, and two
        // posters holding that shared lock would each wait for the other to
        // raise it for the count: there the row is locked first. PostgreSQL's
        // key-share lock never conflicts with the count's update.
        if txn.get_database_backend() == sea_orm::DatabaseBackend::MySql {
            let story = article::Entity::find_by_id(article.id).select_only().column(article::Column::Id);
            sql::locked(story, txn.get_database_backend()).into_tuple::<Uuid>().one(txn).await?;
        }
        let row = comment::ActiveModel {
            id: Set(Uuid::now_v7()),
            article_id: Set(article.id),
            user_id: Set(user_id),
            parent_id: Set(parent_id),
            root_id: Set(root_id),
            reply_to_id: Set(reply_to_id),
            depth: Set(depth),
            body_raw: Set(rendered.raw),
            body_html: Set(rendered.html),
            body_text: Set(rendered.text),
            status: Set(status),
            hold_reason: Set(hold),
            revision: Set(1),
            reply_count: Set(0),
            reaction_count: Set(0),
            flag_count: Set(0),
            featured_at: Set(None),
            created_at: Set(cx.now),
            edited_at: Set(None),
            updated_at: Set(cx.now),
        };
        let c = comment::Entity::insert(row).exec_with_returning(txn).await?;
        counts::on_status_change(txn, &c, None, Some(status)).await?;
        let subscribers = crate::domain::journal::outbox::Subscribers::load(txn).await?;
        events::added(txn, &subscribers, &c, cx.now).await?;
        crate::domain::journal::outbox::comment_created(txn, &subscribers, &c, cx.now).await?;
        Ok(c)
    })
}

/// Replaces the body; the earlier one is kept as a revision.
pub async fn edit<C: tx::Db>(db: &C, cx: &Ctx<'_>, id: Uuid, raw: &str) -> AppResult<Comment> {
    policy::can_take_part(cx.actor, cx.now)?;
    let rendered = accept_body(cx.settings, raw)?;
    tx::unit!(db, |txn| {
        let rendered = rendered.clone();
        let c = locked_visible(txn, cx.actor, id).await?;
        policy::can_edit_comment(cx.actor, &c, cx.settings.edit_window, cx.now)?;
        threads::writable(txn, &ArticleKey::Id(c.article_id), cx.settings, cx.now).await?;
        let from = c.status;
        let hold = hold_reason(txn, cx.settings, false, c.user_id, &rendered.raw).await?;
        // An edit can bring a held word or link; an approved comment then goes
        // back to the queue. Pre-moderation itself applies to new comments only.
        let to =
            if from == CommentStatus::Approved && hold.is_some() { CommentStatus::Pending } else { from };
        comment_revision::Entity::insert(comment_revision::ActiveModel {
            comment_id: Set(c.id),
            revision: Set(c.revision),
            body_raw: Set(c.body_raw.clone()),
            created_at: Set(c.edited_at.unwrap_or(c.created_at)),
        })
        .exec_without_returning(txn)
        .await?;
        let mut m: comment::ActiveModel = c.clone().into();
        m.body_raw = Set(rendered.raw);
        m.body_html = Set(rendered.html);
        m.body_text = Set(rendered.text);
        m.revision = Set(c.revision + 1);
        m.edited_at = Set(Some(cx.now));
        m.updated_at = Set(cx.now);
        m.status = Set(to);
        if to != from {
            m.hold_reason = Set(hold);
        }
        let updated = comment::Entity::update(m).exec(txn).await?;
        counts::on_status_change(txn, &updated, Some(from), Some(to)).await?;
        events::changed(txn, &c, Some(&updated), cx.now).await?;
        Ok(updated)
    })
}

/// Removes a comment's body and takes it out of the counts. With replies it
/// keeps its place as a placeholder; without, it disappears from threads.
pub async fn delete<C: tx::Db>(db: &C, cx: &Ctx<'_>, id: Uuid) -> AppResult<Comment> {
    tx::unit!(db, |txn| {
        let c = locked_visible(txn, cx.actor, id).await?;
        let by_moderator = policy::can_delete_comment(cx.actor, &c)?;
        let out = remove(txn, &c, cx.now).await?;
        if by_moderator {
            super::rows::log(
                txn,
                cx.actor,
                entity::moderation_action::ActionKind::Delete,
                Some(&c),
                None,
                Some(CommentStatus::Deleted),
                None,
                cx.now,
            )
            .await?;
        }
        Ok(out)
    })
}

/// The deletion itself, inside the caller's transaction.
pub async fn remove(db: &impl ConnectionTrait, c: &Comment, now: DateTime<Utc>) -> AppResult<Comment> {
    let from = c.status;
    if from == CommentStatus::Deleted {
        return Ok(c.clone());
    }
    let gone = body::removed();
    let mut m: comment::ActiveModel = c.clone().into();
    m.body_raw = Set(gone.raw);
    m.body_html = Set(gone.html);
    m.body_text = Set(gone.text);
    m.status = Set(CommentStatus::Deleted);
    m.featured_at = Set(None);
    m.updated_at = Set(now);
    let updated = comment::Entity::update(m).exec(db).await?;
    comment_revision::Entity::delete_many()
        .filter(comment_revision::Column::CommentId.eq(c.id))
        .exec(db)
        .await?;
    counts::on_status_change(db, &updated, Some(from), Some(CommentStatus::Deleted)).await?;
    events::changed(db, c, Some(&updated), now).await?;
    Ok(updated)
}

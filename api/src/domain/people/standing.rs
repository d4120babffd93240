//! Banning and suspending commenters. A ban ends their sessions' right to
//! take part (they may still sign in and read); a suspension lapses by
//! itself. Every change is in the moderation log.

use crate::domain::accounts::users::{self, User, UserStatus};
use crate::domain::accounts::{Actor, policy};
use crate::domain::comments::rows::{check_reason, log};
use crate::domain::tx;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::app_user;
use entity::moderation_action::ActionKind;
use sea_orm::{ActiveValue::Set, EntityTrait};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Ban,
    Suspend(DateTime<Utc>),
    Reinstate,
}

pub async fn change<C: tx::Db>(
    db: &C,
    actor: &Actor,
    user_id: Uuid,
    change: Change,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<User> {
    policy::can_moderate(actor)?;
    let reason = check_reason(reason)?;
    if let Change::Suspend(until) = change
        && until <= now
    {
        return Err(AppError::field("until", "must be in the future"));
    }
    if actor.user_id() == Some(user_id) {
        return Err(AppError::unprocessable("id", "moderators cannot change their own standing"));
    }
    tx::unit!(db, |txn| {
        // A ban or a role shows on every byline.
        crate::domain::freshness::changed(crate::domain::freshness::Changed::Content);
        crate::domain::surrogate::purge_person(txn, user_id, now).await?;
        let user = users::by_id(txn, user_id)
            .await?
            .filter(|u| u.status != UserStatus::Deleted)
            .ok_or(AppError::NotFound("user"))?;
        // Staff answer to admins, not to other moderators.
        if user.role.is_staff() && policy::can_assign_roles(actor).is_err() {
            return Err(AppError::Forbidden("only an admin may ban or suspend staff".into()));
        }
        let mut m: app_user::ActiveModel = user.into();
        let action = match change {
            Change::Ban => {
                m.status = Set(UserStatus::Banned);
                ActionKind::Ban
            }
            Change::Suspend(until) => {
                m.suspended_until = Set(Some(until));
                ActionKind::Suspend
            }
            Change::Reinstate => {
                m.status = Set(UserStatus::Active);
                m.suspended_until = Set(None);
                ActionKind::Reinstate
            }
        };
        m.updated_at = Set(now);
        let updated = app_user::Entity::update(m).exec(txn).await?;
        let why = match (change, reason.clone()) {
            (Change::Suspend(until), r) => Some(format!(
                "until {}{}",
                until.to_rfc3339(),
                r.map(|r| format!(": {r}")).unwrap_or_default()
            )),
            (_, r) => r,
        };
        log(txn, actor, action, None, Some(user_id), None, why.as_deref(), now).await?;
        Ok(updated)
    })
}

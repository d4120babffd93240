//! Built-in accounts: registering and signing in with email and password.

use crate::domain::accounts::passwords;
use crate::domain::accounts::sessions;
use crate::domain::accounts::users::{self, User, UserStatus};
use crate::domain::accounts::{Actor, Role};
use crate::domain::throttle::{Budget, Throttle};
use crate::domain::{text, tx};
use crate::error::{AppError, AppResult, Validator};
use chrono::{DateTime, TimeDelta, Utc};
use entity::app_user;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

pub struct Registration {
    pub email: String,
    pub password: String,
    pub display_name: String,
}

pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// A session just started, and whose it is.
pub struct SignedIn {
    pub token: String,
    pub user: User,
}

pub const MAX_DISPLAY_NAME: usize = 50;

pub fn check_email(v: &mut Validator, email: &str) {
    let e = email.trim();
    let shaped = e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        })
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    v.check(shaped, "email", "must be an email address");
}

pub fn check_display_name(v: &mut Validator, name: &str) {
    let n = name.trim();
    v.check(!n.is_empty(), "displayName", "is required");
    v.check(name.chars().count() <= MAX_DISPLAY_NAME, "displayName", "must be at most 50 characters");
    text::check(v, "displayName", n, text::Lines::Single);
}

const TAKEN: &str = "an account with this email already exists; sign in instead";

pub async fn register<C: tx::Db>(
    db: &C,
    throttle: &Throttle,
    actor: &Actor,
    input: Registration,
    now: DateTime<Utc>,
    ttl: TimeDelta,
    site: &str,
) -> AppResult<SignedIn> {
    throttle.take(Budget::Auth, actor)?;
    throttle.take(Budget::Registration, actor)?;
    let mut v = Validator::new();
    check_email(&mut v, &input.email);
    check_display_name(&mut v, &input.display_name);
    text::check(&mut v, "password", &input.password, text::Lines::Multi);
    let hints = passwords::hints(&input.email, &input.display_name, site);
    let hints: Vec<&str> = hints.iter().map(String::as_str).collect();
    let strength = passwords::check_strength(&input.password, &hints);
    if let Err(AppError::BadInput(fields)) = &strength {
        for f in fields {
            v.push(f.path.clone(), f.message.clone());
        }
    }
    v.finish()?;
    strength?;
    let hash = passwords::hash(&input.password).await?;
    let email = users::normalize_email(&input.email);
    tx::unit!(db, |txn| {
        if users::by_email(txn, &email).await?.is_some() {
            return Err(AppError::Conflict(TAKEN.into()));
        }
        let row = app_user::ActiveModel {
            id: Set(Uuid::now_v7()),
            email: Set(email.clone()),
            display_name: Set(input.display_name.trim().to_owned()),
            password_hash: Set(Some(hash.clone())),
            role: Set(Role::Reader),
            status: Set(UserStatus::Active),
            suspended_until: Set(None),
            idp_issuer: Set(None),
            idp_subject: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        };
        // Two registrations of one email at once both pass the check above;
        // the one that loses the insert hears what the check would have said.
        let user =
            app_user::Entity::insert(row).exec_with_returning(txn).await.map_err(|e| match e.sql_err() {
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(TAKEN.into()),
                _ => e.into(),
            })?;
        let token = sessions::issue(txn, user.id, now, ttl).await?;
        Ok(SignedIn { token, user })
    })
}

/// Wrong email and wrong password are one error, and take as long.
pub async fn sign_in(
    db: &impl ConnectionTrait,
    throttle: &Throttle,
    actor: &Actor,
    input: Credentials,
    now: DateTime<Utc>,
    ttl: TimeDelta,
) -> AppResult<SignedIn> {
    // Malformed credentials are refused before anything is spent or
    // looked up (PostgreSQL cannot even compare text holding NUL).
    let mut v = Validator::new();
    text::check(&mut v, "email", &input.email, text::Lines::Multi);
    text::check(&mut v, "password", &input.password, text::Lines::Multi);
    v.finish()?;
    throttle.take(Budget::Auth, actor)?;
    if input.password.len() > passwords::MAX_BYTES || input.email.len() > 254 {
        return Err(AppError::Unauthenticated);
    }
    // Counted for the email asked for, whether or not it has an account,
    // so the answer tells nothing about which emails do.
    let account = users::normalize_email(&input.email);
    if let Some(wait) = throttle.accounts.wait(&account, now) {
        return Err(AppError::RateLimited { retry_after_secs: wait });
    }
    let user = users::by_email(db, &input.email).await?.filter(|u| u.status != UserStatus::Deleted);
    let ok =
        passwords::verify(&input.password, user.as_ref().and_then(|u| u.password_hash.as_deref())).await?;
    let Some(user) = user.filter(|_| ok) else {
        throttle.accounts.failed(&account, now);
        return Err(AppError::Unauthenticated);
    };
    throttle.accounts.succeeded(&account);
    let token = sessions::issue(db, user.id, now, ttl).await?;
    Ok(SignedIn { token, user })
}

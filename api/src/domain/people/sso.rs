//! Sign-in with a JWT from the publisher's own identity provider. The key
//! comes from configuration: an HS256 secret, or an RS256/ES256 public key.
//! Only the algorithms of the configured key are accepted (so a token signed
//! with HMAC over the public key, or with `alg: none`, fails), the audience
//! must match when one is configured, and times are checked against
//! Dateline's clock. The subject finds or creates the person; any role claim
//! is ignored: roles are granted in Dateline only.

use super::registration::{MAX_DISPLAY_NAME, SignedIn};
use crate::domain::accounts::sessions;
use crate::domain::accounts::users::{self, User, UserStatus};
use crate::domain::accounts::{Actor, Role};
use crate::domain::throttle::{Budget, Throttle};
use crate::domain::{text, tx};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, TimeDelta, Utc};
use entity::app_user;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use uuid::Uuid;

/// Seconds of clock difference tolerated between the provider and Dateline.
const LEEWAY_SECS: i64 = 30;
/// The issuer recorded when a token names none.
const DEFAULT_ISSUER: &str = "sso";

pub struct SsoVerifier {
    key: DecodingKey,
    validation: Validation,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct SsoConfigError(String);

impl SsoVerifier {
    /// From `DATELINE_SSO_SECRET` or `DATELINE_SSO_PUBLIC_KEY` (PEM) and
    /// `DATELINE_SSO_AUDIENCE`; None when neither key is configured.
    pub fn from_config(
        secret: Option<&str>,
        public_key_pem: Option<&str>,
        audience: Option<&str>,
    ) -> Result<Option<Self>, SsoConfigError> {
        let (key, algorithms) =
            match (secret.filter(|s| !s.is_empty()), public_key_pem.filter(|s| !s.is_empty())) {
                (None, None) => return Ok(None),
                (Some(_), Some(_)) => {
                    return Err(SsoConfigError(
                        "configure either an SSO secret or a public key, not both".into(),
                    ));
                }
                (Some(s), None) => {
                    if s.len() < 32 {
                        return Err(SsoConfigError("the SSO secret must be at least 32 bytes".into()));
                    }
                    (DecodingKey::from_secret(s.as_bytes()), vec![Algorithm::HS256])
                }
                (None, Some(pem)) => {
                    let pem = pem.replace("\\n", "\n");
                    if let Ok(k) = DecodingKey::from_ec_pem(pem.as_bytes()) {
                        (k, vec![Algorithm::ES256])
                    } else if let Ok(k) = DecodingKey::from_rsa_pem(pem.as_bytes()) {
                        (k, vec![Algorithm::RS256])
                    } else {
                        return Err(SsoConfigError(
                            "the SSO public key is not an EC or RSA public key in PEM".into(),
                        ));
                    }
                }
            };
        let mut validation = Validation::new(algorithms[0]);
        validation.algorithms = algorithms;
        // Times are checked against Dateline's clock below.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let mut required = vec!["exp", "sub"];
        match audience.filter(|a| !a.is_empty()) {
            Some(aud) => {
                validation.set_audience(&[aud]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        Ok(Some(Self { key, validation }))
    }

    fn verify(&self, token: &str, now: DateTime<Utc>) -> AppResult<Claims> {
        let refused = || AppError::Unauthenticated;
        if token.len() > 8 * 1024 {
            return Err(refused());
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation).map_err(|e| {
            tracing::info!(error = %e, "publisher token refused");
            refused()
        })?;
        let c = data.claims;
        let now = now.timestamp();
        if c.exp + LEEWAY_SECS < now || c.nbf.is_some_and(|nbf| nbf - LEEWAY_SECS > now) {
            return Err(refused());
        }
        if c.sub.is_empty() || c.sub.len() > 200 {
            return Err(refused());
        }
        Ok(c)
    }
}

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
    nbf: Option<i64>,
    iss: Option<String>,
    email: Option<String>,
    name: Option<String>,
}

/// Verifies the token, finds or creates its person, and starts a session.
pub async fn sign_in<C: tx::Db>(
    db: &C,
    throttle: &Throttle,
    actor: &Actor,
    verifier: Option<&SsoVerifier>,
    token: &str,
    now: DateTime<Utc>,
    ttl: TimeDelta,
) -> AppResult<SignedIn> {
    let mut v = crate::error::Validator::new();
    crate::domain::text::check(&mut v, "token", token, crate::domain::text::Lines::Multi);
    v.finish()?;
    throttle.take(Budget::Auth, actor)?;
    let verifier = verifier.ok_or_else(|| {
        AppError::Forbidden("sign-in with the publisher's identity provider is not configured".into())
    })?;
    let claims = verifier.verify(token, now)?;
    let issuer = claims.iss.as_deref().filter(|i| !i.is_empty() && i.len() <= 200).unwrap_or(DEFAULT_ISSUER);
    tx::unit!(db, |txn| {
        let found = app_user::Entity::find()
            .filter(app_user::Column::IdpIssuer.eq(issuer))
            .filter(app_user::Column::IdpSubject.eq(claims.sub.as_str()))
            .all(txn)
            .await?
            .into_iter()
            .next();
        let user = match found {
            Some(u) if u.status == UserStatus::Deleted => return Err(AppError::Unauthenticated),
            Some(u) => u,
            None => create(txn, issuer, &claims, now).await?,
        };
        let token = sessions::issue(txn, user.id, now, ttl).await?;
        Ok(SignedIn { token, user })
    })
}

async fn create(db: &impl ConnectionTrait, issuer: &str, c: &Claims, now: DateTime<Utc>) -> AppResult<User> {
    let id = Uuid::now_v7();
    // The provider's email is used when it is free; an account that already
    // has it stays its owner's (a provider's claim proves nothing here).
    let claimed =
        c.email.as_deref().map(users::normalize_email).filter(|e| e.len() <= 254 && e.contains('@'));
    let email = match claimed {
        Some(e) if users::by_email(db, &e).await?.is_none() => e,
        _ => format!("sso-{}@users.invalid", id.simple()),
    };
    let name = c
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty() && text::is_clean(n, text::Lines::Single))
        .map_or_else(|| "Reader".to_owned(), |n| n.chars().take(MAX_DISPLAY_NAME).collect());
    let row = app_user::ActiveModel {
        id: Set(id),
        email: Set(email),
        display_name: Set(name),
        password_hash: Set(None),
        role: Set(Role::Reader),
        status: Set(UserStatus::Active),
        suspended_until: Set(None),
        idp_issuer: Set(Some(issuer.to_owned())),
        idp_subject: Set(Some(c.sub.clone())),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(app_user::Entity::insert(row).exec_with_returning(db).await?)
}

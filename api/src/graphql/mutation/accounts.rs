//! Registering, signing in and out, deleting one's account, and the
//! moderators' and admins' powers over people.

use super::input_paths;
use crate::domain::accounts::{sessions, users};
use crate::domain::people::registration::{self, Credentials, Registration, SignedIn};
use crate::domain::people::standing::{self, Change};
use crate::domain::people::{erasure, sso};
use crate::graphql::ids::{self, Kind};
use crate::graphql::types::user::{Account, Role};
use crate::graphql::{request, state};
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

#[derive(InputObject)]
pub struct RegisterInput {
    pub email: String,
    /// At least 10 characters, and not a common or easily guessed password.
    pub password: String,
    pub display_name: String,
}

#[derive(InputObject)]
pub struct SignInInput {
    pub email: String,
    pub password: String,
}

/// A new session: send `token` as `Authorization: Bearer TOKEN`.
#[derive(SimpleObject)]
pub struct AuthPayload {
    pub token: String,
    pub user: Account,
    pub expires_at: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct UserPayload {
    pub user: Account,
}

#[derive(SimpleObject)]
pub struct DoneSimple {
    pub ok: bool,
}

fn auth(ctx: &Context<'_>, s: SignedIn) -> AuthPayload {
    let r = request(ctx);
    AuthPayload {
        token: s.token,
        user: Account::new(&s.user),
        expires_at: r.now + state(ctx).community.session_ttl,
    }
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Creates a reader account and signs it in.
    async fn register(&self, ctx: &Context<'_>, input: RegisterInput) -> Result<AuthPayload> {
        let r = request(ctx);
        let st = state(ctx);
        let c = &st.community;
        let reg =
            Registration { email: input.email, password: input.password, display_name: input.display_name };
        let site = &st.config.site.site_title;
        let s = registration::register(&st.db, &c.throttle, &r.actor, reg, r.now, c.session_ttl, site).await;
        Ok(auth(ctx, s.map_err(input_paths)?))
    }

    async fn sign_in(&self, ctx: &Context<'_>, input: SignInInput) -> Result<AuthPayload> {
        let r = request(ctx);
        let st = state(ctx);
        let c = &st.community;
        let cred = Credentials { email: input.email, password: input.password };
        Ok(auth(ctx, registration::sign_in(&st.db, &c.throttle, &r.actor, cred, r.now, c.session_ttl).await?))
    }

    /// Signs in with a token from the publisher's identity provider.
    async fn sign_in_with_jwt(&self, ctx: &Context<'_>, token: String) -> Result<AuthPayload> {
        let r = request(ctx);
        let st = state(ctx);
        let c = &st.community;
        Ok(auth(
            ctx,
            sso::sign_in(&st.db, &c.throttle, &r.actor, c.sso.as_ref(), &token, r.now, c.session_ttl).await?,
        ))
    }

    /// Ends the session whose token this request carries.
    async fn sign_out(&self, ctx: &Context<'_>) -> Result<DoneSimple> {
        let r = request(ctx);
        sessions::sign_out(&state(ctx).db, &r.actor, r.now).await?;
        Ok(DoneSimple { ok: true })
    }

    /// Deletes the caller's account. Their comments with replies stay as
    /// "[deleted]" placeholders; the rest are removed.
    async fn delete_account(&self, ctx: &Context<'_>) -> Result<DoneSimple> {
        let r = request(ctx);
        erasure::delete_account(&state(ctx).db, &r.actor, r.now).await?;
        Ok(DoneSimple { ok: true })
    }

    /// Gives a person a role (admins only).
    async fn set_user_role(&self, ctx: &Context<'_>, id: ID, role: Role) -> Result<UserPayload> {
        let r = request(ctx);
        let id = ids::decode_as(&id, Kind::User, "id")?;
        let u = users::set_role(&state(ctx).db, &r.actor, id, role.into(), r.now).await?;
        Ok(UserPayload { user: Account::new(&u) })
    }

    /// Bans a person from taking part in discussions (moderators).
    async fn ban_user(&self, ctx: &Context<'_>, id: ID, reason: Option<String>) -> Result<UserPayload> {
        standing_change(ctx, id, Change::Ban, reason).await
    }

    /// Suspends a person until a time (moderators).
    async fn suspend_user(
        &self,
        ctx: &Context<'_>,
        id: ID,
        until: DateTime<Utc>,
        reason: Option<String>,
    ) -> Result<UserPayload> {
        standing_change(ctx, id, Change::Suspend(until), reason).await
    }

    /// Lifts a ban or suspension (moderators).
    async fn reinstate_user(&self, ctx: &Context<'_>, id: ID, reason: Option<String>) -> Result<UserPayload> {
        standing_change(ctx, id, Change::Reinstate, reason).await
    }
}

async fn standing_change(
    ctx: &Context<'_>,
    id: ID,
    change: Change,
    reason: Option<String>,
) -> Result<UserPayload> {
    let r = request(ctx);
    let id = ids::decode_as(&id, Kind::User, "id")?;
    let u = standing::change(&state(ctx).db, &r.actor, id, change, reason.as_deref(), r.now).await?;
    Ok(UserPayload { user: Account::new(&u) })
}

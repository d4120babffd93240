//! People over REST: registering, signing in and out, `me`, one's own
//! comments as a download, and deleting one's account.

use super::Caller;
use super::comment_views::{CommentView, Context, UserView};
use super::responses::{BodyWrite, BodylessWrite, Conflict, Refused};
use super::write_support::{JsonBody, parse_body};
use crate::domain::accounts::{sessions, users};
use crate::domain::comments::visibility::Viewer;
use crate::domain::people::registration::{self, Credentials, Registration, SignedIn};
use crate::domain::people::{erasure, sso};
use crate::error::AppResult;
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterBody {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    /// At least 10 characters, and not a common or easily guessed password
    /// (422 when it is).
    #[schema(min_length = 10, max_length = 64, pattern = "@text")]
    pub password: String,
    #[schema(pattern = "@name", max_length = 50)]
    pub display_name: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInBody {
    #[schema(pattern = "@text")]
    pub email: String,
    #[schema(pattern = "@text")]
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SsoBody {
    /// A JWT from the publisher's identity provider.
    #[schema(pattern = "@text")]
    pub token: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// Send as `Authorization: Bearer TOKEN`.
    pub token: String,
    pub user: UserView,
    pub expires_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct MyComments {
    pub comments: Vec<CommentView>,
}

fn session(state: &AppState, s: &SignedIn) -> Session {
    Session {
        token: s.token.clone(),
        user: UserView::from(&s.user),
        expires_at: state.clock.now() + state.community.session_ttl,
    }
}

/// Create a reader account and sign in.
#[utoipa::path(tag = "accounts", request_body = RegisterBody, responses((status = 201, description = "The new session", body = Session), BodyWrite, Conflict, Refused))]
#[post("/auth/register")]
pub async fn register(state: web::Data<AppState>, caller: Caller, body: JsonBody) -> AppResult<HttpResponse> {
    let b: RegisterBody = parse_body(&body)?;
    let c = &state.community;
    let reg = Registration { email: b.email, password: b.password, display_name: b.display_name };
    let (now, site) = (state.clock.now(), &state.config.site.site_title);
    let s = registration::register(&state.db, &c.throttle, &caller.0, reg, now, c.session_ttl, site).await?;
    Ok(HttpResponse::Created().json(session(&state, &s)))
}

/// Sign in with email and password.
#[utoipa::path(tag = "accounts", request_body = SignInBody, responses((status = 200, description = "The new session", body = Session), BodyWrite))]
#[post("/auth/sign-in")]
pub async fn sign_in(state: web::Data<AppState>, caller: Caller, body: JsonBody) -> AppResult<HttpResponse> {
    let b: SignInBody = parse_body(&body)?;
    let c = &state.community;
    let cred = Credentials { email: b.email, password: b.password };
    let s = registration::sign_in(&state.db, &c.throttle, &caller.0, cred, state.clock.now(), c.session_ttl)
        .await?;
    Ok(HttpResponse::Ok().json(session(&state, &s)))
}

/// Sign in with a token from the publisher's identity provider.
#[utoipa::path(tag = "accounts", request_body = SsoBody, responses((status = 200, description = "The new session", body = Session), BodyWrite))]
#[post("/auth/sso")]
pub async fn sign_in_sso(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody,
) -> AppResult<HttpResponse> {
    let b: SsoBody = parse_body(&body)?;
    let c = &state.community;
    let now = state.clock.now();
    let s =
        sso::sign_in(&state.db, &c.throttle, &caller.0, c.sso.as_ref(), &b.token, now, c.session_ttl).await?;
    Ok(HttpResponse::Ok().json(session(&state, &s)))
}

/// End the session whose token this request carries.
#[utoipa::path(tag = "accounts", responses((status = 204, description = "Signed out"), BodylessWrite), security(("bearer" = [])))]
#[post("/auth/sign-out")]
pub async fn sign_out(state: web::Data<AppState>, caller: Caller) -> AppResult<HttpResponse> {
    sessions::sign_out(&state.db, &caller.0, state.clock.now()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in person.
#[utoipa::path(tag = "accounts", responses((status = 200, description = "The caller", body = UserView), BodylessWrite), security(("bearer" = [])))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> AppResult<HttpResponse> {
    let u = users::me(&state.db, &caller.0).await?;
    Ok(HttpResponse::Ok().json(UserView::from(&u)))
}

/// Every comment the caller wrote, as a JSON download.
#[utoipa::path(tag = "accounts", responses((status = 200, description = "The caller's comments", body = MyComments), BodylessWrite), security(("bearer" = [])))]
#[get("/me/comments")]
pub async fn my_comments(state: web::Data<AppState>, caller: Caller) -> AppResult<HttpResponse> {
    let rows = erasure::my_comments(&state.db, &caller.0).await?;
    let cx = Context::load(&state.db, Viewer::of(&caller.0), rows.iter()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("content-disposition", "attachment; filename=\"my-comments.json\""))
        .json(MyComments { comments: rows.iter().map(|c| cx.view(c)).collect() }))
}

/// Delete the caller's account. Comments with replies stay as "[deleted]"
/// placeholders; the rest are removed.
#[utoipa::path(tag = "accounts", responses((status = 204, description = "Deleted"), BodylessWrite), security(("bearer" = [])))]
#[delete("/me")]
pub async fn delete_me(state: web::Data<AppState>, caller: Caller) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    erasure::delete_account(&state.db, &caller.0, now).await?;
    Ok(HttpResponse::NoContent().finish())
}

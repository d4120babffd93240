//! Reader accounts: registration, passwords, sessions, roles, and sign-in
//! with the publisher's JWTs, including every way a forged or misdirected
//! token must fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{TestApp, error_code, t0};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::TimeDelta;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use serde_json::{Value, json};

const REGISTER: &str =
    "mutation($i: RegisterInput!) { register(input: $i) { token user { displayName email role } } }";
const SIGN_IN: &str = "mutation($i: SignInInput!) { signIn(input: $i) { token user { displayName } } }";
const SSO: &str =
    "mutation($t: String!) { signInWithJwt(token: $t) { token user { displayName role email } } }";
const STRONG: &str = "lantern maple gravel orbit";

async fn register(app: &TestApp, email: &str, password: &str) -> Value {
    app.gql(REGISTER, json!({ "i": { "email": email, "password": password, "displayName": "Ada Reader" } }))
        .await
}

#[actix_web::test]
async fn readers_register_sign_in_and_out_with_hashed_secrets() {
    let app = TestApp::spawn().await;
    for (password, why) in [
        ("short", "length"),
        ("password1234", "common"),
        ("qwertyuiopas", "keyboard walk"),
        ("ada@example.com", "own email"),
        ("adareader2026", "own name and a year"),
        ("Dateline2026!", "the site's name and a year"),
    ] {
        let r = register(&app, "ada@example.com", password).await;
        assert_eq!(error_code(&r), "BAD_USER_INPUT", "{why}: {r}");
        assert_eq!(r["errors"][0]["extensions"]["fields"][0]["path"], "input.password", "{r}");
    }
    let r = register(&app, "not-an-email", STRONG).await;
    assert_eq!(r["errors"][0]["extensions"]["fields"][0]["path"], "input.email", "{r}");

    let r = register(&app, "Ada@Example.com", STRONG).await;
    let token = r["data"]["register"]["token"].as_str().unwrap().to_owned();
    assert_eq!(
        r["data"]["register"]["user"],
        json!({ "displayName": "Ada Reader", "email": "ada@example.com", "role": "READER" })
    );
    let r = register(&app, "ada@example.com", STRONG).await;
    assert_eq!(error_code(&r), "CONFLICT", "{r}");

    // Only hashes are stored: argon2id for the password, SHA-256 for the token.
    use sea_orm::EntityTrait;
    let user = entity::app_user::Entity::find().all(&app.state.db).await.unwrap().remove(0);
    assert!(user.password_hash.as_deref().unwrap().starts_with("$argon2id$"));
    let sessions = entity::user_session::Entity::find().all(&app.state.db).await.unwrap();
    assert!(sessions.iter().all(|s| s.token_hash.len() == 64 && !token.contains(&s.token_hash)));

    let (status, _, me) = app.call("GET", "/v1/me", Some(&token), None, &[]).await;
    assert_eq!((status, me["email"].as_str()), (200, Some("ada@example.com")), "{me}");
    let (status, _, _) = app.call("GET", "/v1/me", None, None, &[]).await;
    assert_eq!(status, 401);
    let key = app.key(&["content:write"]).await;
    let (status, _, _) = app.call("GET", "/v1/me", Some(&key), None, &[]).await;
    assert_eq!(status, 403, "an API key is not a person");
    assert!(app.gql_as(Some(&key), "{ me { id } }", json!({})).await["data"]["me"].is_null());

    let r = app
        .gql(SIGN_IN, json!({ "i": { "email": "ada@example.com", "password": "wrong password here" } }))
        .await;
    assert_eq!(error_code(&r), "UNAUTHENTICATED", "{r}");
    let r = app.gql(SIGN_IN, json!({ "i": { "email": "nobody@example.com", "password": STRONG } })).await;
    assert_eq!(error_code(&r), "UNAUTHENTICATED", "{r}");
    let (status, _, s) = app
        .call(
            "POST",
            "/v1/auth/sign-in",
            None,
            Some(json!({ "email": "ADA@example.com", "password": STRONG })),
            &[],
        )
        .await;
    assert_eq!(status, 200, "{s}");
    let second = s["token"].as_str().unwrap().to_owned();

    // Signing out ends that session only.
    let r = app.gql_as(Some(&token), "mutation { signOut { ok } }", json!({})).await;
    assert_eq!(r["data"]["signOut"]["ok"], true, "{r}");
    let (status, _, _) = app.call("GET", "/v1/me", Some(&token), None, &[]).await;
    assert_eq!(status, 401);
    let (status, _, _) = app.call("GET", "/v1/me", Some(&second), None, &[]).await;
    assert_eq!(status, 200);
    // Sessions expire.
    app.state.clock.advance(TimeDelta::days(31));
    let (status, _, _) = app.call("GET", "/v1/me", Some(&second), None, &[]).await;
    assert_eq!(status, 401);
    let (status, _, _) = app.call("GET", "/v1/me", Some("dls_forged"), None, &[]).await;
    assert_eq!(status, 401);
}

#[actix_web::test]
async fn only_admins_hand_out_roles() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.person("Ada Admin", "ADMIN").await;
    let (mona, _) = app.person("Mona Moderator", "MODERATOR").await;
    let (_, reader) = app.person("Rita Reader", "READER").await;
    let gid = api::graphql::ids::encode(api::graphql::ids::Kind::User, reader).0;
    let q = "mutation($id: ID!) { setUserRole(id: $id, role: MODERATOR) { user { role isStaff } } }";
    assert_eq!(error_code(&app.gql_as(Some(&mona), q, json!({ "id": gid })).await), "FORBIDDEN");
    assert_eq!(error_code(&app.gql_as(None, q, json!({ "id": gid })).await), "UNAUTHENTICATED");
    let all_scopes = app
        .key(&["content:write", "content:read-drafts", "comments:moderate", "sync:read", "webhooks:manage"])
        .await;
    assert_eq!(error_code(&app.gql_as(Some(&all_scopes), q, json!({ "id": gid })).await), "FORBIDDEN");
    let r = app.gql_as(Some(&admin), q, json!({ "id": gid })).await;
    assert_eq!(r["data"]["setUserRole"]["user"], json!({ "role": "MODERATOR", "isStaff": true }), "{r}");
}

#[actix_web::test]
async fn sign_in_and_registration_are_rate_limited_per_address() {
    let app = TestApp::spawn_configured(|c| c.accounts.rate_auth_per_minute = 3).await;
    for _ in 0..3 {
        let (status, _, _) = app
            .call(
                "POST",
                "/v1/auth/sign-in",
                None,
                Some(json!({ "email": "x@example.com", "password": STRONG })),
                &[],
            )
            .await;
        assert_eq!(status, 401);
    }
    let (status, headers, p) = app
        .call(
            "POST",
            "/v1/auth/sign-in",
            None,
            Some(json!({ "email": "x@example.com", "password": STRONG })),
            &[],
        )
        .await;
    assert_eq!((status, p["code"].as_str()), (429, Some("RATE_LIMITED")), "{p}");
    assert!(headers["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    let r = register(&app, "new@example.com", STRONG).await;
    assert_eq!(error_code(&r), "RATE_LIMITED", "{r}");
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

fn claims(sub: &str, extra: Value) -> Value {
    let mut c = json!({
        "sub": sub,
        "aud": "dateline-test",
        "iss": "https://id.example",
        "exp": (t0() + TimeDelta::hours(1)).timestamp(),
        "iat": t0().timestamp(),
        "name": "Sam Subscriber",
        "email": "sam@example.com",
    });
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}

const SECRET: &str = "a shared secret of at least thirty-two bytes";

fn hs256(c: &Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), c, &EncodingKey::from_secret(secret)).unwrap()
}

#[actix_web::test]
async fn publisher_tokens_sign_in_and_forged_ones_never_do() {
    let app = TestApp::spawn_configured(|c| {
        c.accounts.sso_secret = Some(SECRET.into());
        c.accounts.sso_audience = Some("dateline-test".into());
    })
    .await;
    // A role claim grants nothing.
    let good = hs256(&claims("user-1", json!({ "role": "ADMIN", "roles": ["ADMIN"] })), SECRET.as_bytes());
    let r = app.gql(SSO, json!({ "t": good })).await;
    assert_eq!(
        r["data"]["signInWithJwt"]["user"],
        json!({ "displayName": "Sam Subscriber", "role": "READER", "email": "sam@example.com" }),
        "{r}"
    );
    let token = r["data"]["signInWithJwt"]["token"].as_str().unwrap().to_owned();
    let (status, _, me) = app.call("GET", "/v1/me", Some(&token), None, &[]).await;
    assert_eq!((status, me["role"].as_str()), (200, Some("READER")));
    // The same subject finds the same person.
    let again = app.gql(SSO, json!({ "t": good })).await;
    assert_eq!(again["data"]["signInWithJwt"]["user"]["email"], "sam@example.com");
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(entity::app_user::Entity::find().count(&app.state.db).await.unwrap(), 1);

    let header_none = b64(&json!({ "alg": "none", "typ": "JWT" }));
    let forged: Vec<(&str, String)> = vec![
        (
            "expired",
            hs256(
                &claims("u", json!({ "exp": (t0() - TimeDelta::hours(1)).timestamp() })),
                SECRET.as_bytes(),
            ),
        ),
        (
            "not yet valid",
            hs256(
                &claims("u", json!({ "nbf": (t0() + TimeDelta::hours(1)).timestamp() })),
                SECRET.as_bytes(),
            ),
        ),
        ("alg none", format!("{header_none}.{}.", b64(&claims("u", json!({}))))),
        ("wrong key", hs256(&claims("u", json!({})), b"another secret that is long enough to use")),
        ("other audience", hs256(&claims("u", json!({ "aud": "someone-else" })), SECRET.as_bytes())),
        (
            "no audience",
            hs256(&json!({ "sub": "u", "exp": (t0() + TimeDelta::hours(1)).timestamp() }), SECRET.as_bytes()),
        ),
        ("no expiry", hs256(&json!({ "sub": "u", "aud": "dateline-test" }), SECRET.as_bytes())),
        ("tampered", {
            let t = hs256(&claims("u", json!({})), SECRET.as_bytes());
            let parts: Vec<&str> = t.split('.').collect();
            format!("{}.{}.{}", parts[0], b64(&claims("admin", json!({}))), parts[2])
        }),
        ("garbage", "not.a.token".into()),
        ("huge", "a".repeat(20_000)),
    ];
    for (why, t) in forged {
        let r = app.gql(SSO, json!({ "t": t })).await;
        assert_eq!(error_code(&r), "UNAUTHENTICATED", "{why}: {r}");
        let (status, _, p) = app.call("POST", "/v1/auth/sso", None, Some(json!({ "token": t })), &[]).await;
        assert_eq!(status, 401, "{why}: {p}");
    }
    assert_eq!(
        entity::app_user::Entity::find().count(&app.state.db).await.unwrap(),
        1,
        "no forged token made an account"
    );
}

#[actix_web::test]
async fn a_public_key_accepts_only_its_own_algorithm() {
    let key = p256::SecretKey::from_slice(&[7u8; 32]).unwrap();
    let private_pem = key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let public_pem = key.public_key().to_public_key_pem(LineEnding::LF).unwrap();
    let other =
        p256::SecretKey::from_slice(&[9u8; 32]).unwrap().to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let app = TestApp::spawn_configured(|c| {
        c.accounts.sso_public_key = Some(public_pem.clone());
        c.accounts.sso_audience = Some("dateline-test".into());
    })
    .await;
    let es256 = |c: &Value, pem: &str| {
        jsonwebtoken::encode(
            &Header::new(Algorithm::ES256),
            c,
            &EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        )
        .unwrap()
    };
    let r = app.gql(SSO, json!({ "t": es256(&claims("es-user", json!({})), &private_pem) })).await;
    assert_eq!(r["data"]["signInWithJwt"]["user"]["role"], "READER", "{r}");
    // HMAC keyed with the public key (the classic confusion) and a token
    // from another key both fail.
    let confused = hs256(&claims("es-user", json!({})), public_pem.as_bytes());
    let r = app.gql(SSO, json!({ "t": confused })).await;
    assert_eq!(error_code(&r), "UNAUTHENTICATED", "{r}");
    let r = app.gql(SSO, json!({ "t": es256(&claims("es-user", json!({})), &other) })).await;
    assert_eq!(error_code(&r), "UNAUTHENTICATED", "{r}");
}

#[actix_web::test]
async fn an_rsa_public_key_refuses_hmac_tokens_keyed_with_it() {
    use rsa::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _};
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
    let private_pem = key.to_pkcs8_pem(rsa::pkcs8::LineEnding::LF).unwrap().to_string();
    let public_pem = key.to_public_key().to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap();
    let app = TestApp::spawn_configured(|c| {
        c.accounts.sso_public_key = Some(public_pem.clone());
        c.accounts.sso_audience = Some("dateline-test".into());
    })
    .await;
    let rs256 = jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        &claims("rs-user", json!({ "role": "ADMIN" })),
        &EncodingKey::from_rsa_pem(private_pem.as_bytes()).unwrap(),
    )
    .unwrap();
    let r = app.gql(SSO, json!({ "t": rs256 })).await;
    assert_eq!(r["data"]["signInWithJwt"]["user"]["role"], "READER", "{r}");
    // HS256 with the public key as the secret: the RS/HS confusion.
    let confused = hs256(&claims("rs-user", json!({})), public_pem.as_bytes());
    let r = app.gql(SSO, json!({ "t": confused })).await;
    assert_eq!(error_code(&r), "UNAUTHENTICATED", "{r}");
    let ps256 = jsonwebtoken::encode(
        &Header::new(Algorithm::PS256),
        &claims("rs-user", json!({})),
        &EncodingKey::from_rsa_pem(private_pem.as_bytes()).unwrap(),
    )
    .unwrap();
    let r = app.gql(SSO, json!({ "t": ps256 })).await;
    assert_eq!(error_code(&r), "UNAUTHENTICATED", "only the configured algorithm: {r}");
}

#[actix_web::test]
async fn without_a_configured_provider_jwt_sign_in_is_refused() {
    let app = TestApp::spawn().await;
    let r = app.gql(SSO, json!({ "t": hs256(&claims("u", json!({})), SECRET.as_bytes()) })).await;
    assert_eq!(error_code(&r), "FORBIDDEN", "{r}");
}

/// Guesses at one account from many addresses slow down per account, the
/// owner is let in once the wait has passed, and registration is bounded
/// per address per hour (it tells whether an email has an account).
#[actix_web::test]
async fn guesses_at_one_account_back_off_and_registrations_are_bounded_per_address() {
    let app = TestApp::spawn_configured(|c| {
        c.http.trusted_proxies = 1;
        c.accounts.sign_in_free_failures = 5;
        c.accounts.rate_registrations_per_hour = 2;
    })
    .await;
    let r = register(&app, "owner@example.com", STRONG).await;
    assert!(r["errors"].is_null(), "{r}");
    let sign_in = |password: &'static str, from: String| {
        let app = &app;
        async move {
            let body = json!({ "email": "Owner@example.com", "password": password });
            let (status, headers, _) =
                app.call("POST", "/v1/auth/sign-in", None, Some(body), &[("x-forwarded-for", &from)]).await;
            (status, headers.get("retry-after").map(|v| v.to_str().unwrap().to_owned()))
        }
    };
    // Five wrong passwords, each from an address of its own: tried.
    for i in 0..5 {
        assert_eq!(sign_in("wrong guess", format!("198.51.100.{i}")).await.0, 401);
    }
    // Then the account waits, whoever asks and whatever the password.
    assert_eq!(sign_in("wrong guess", "198.51.100.77".into()).await, (429, Some("1".into())));
    assert_eq!(sign_in(STRONG, "203.0.113.9".into()).await.0, 429);
    let r = app.gql(SIGN_IN, json!({ "i": { "email": "owner@example.com", "password": STRONG } })).await;
    assert_eq!(error_code(&r), "RATE_LIMITED", "{r}");
    // Once the wait has passed the owner gets in, and that clears the count.
    app.clock_tick();
    assert_eq!(sign_in(STRONG, "203.0.113.9".into()).await.0, 200);
    assert_eq!(sign_in("wrong guess", "198.51.100.5".into()).await.0, 401);
    // The next failure after the free ones waits twice as long.
    for i in 0..4 {
        assert_eq!(sign_in("wrong guess", format!("198.51.100.{i}")).await.0, 401);
    }
    app.clock_tick();
    assert_eq!(sign_in("wrong guess", "198.51.100.9".into()).await.0, 401);
    assert_eq!(sign_in("wrong guess", "198.51.100.9".into()).await, (429, Some("2".into())));

    // Registration: two per address per hour, the third refused even for a
    // new email; another address has its own.
    let reg = |email: &'static str, from: &'static str| {
        let app = &app;
        async move {
            let body = json!({ "email": email, "password": STRONG, "displayName": "Probe" });
            app.call("POST", "/v1/auth/register", None, Some(body), &[("x-forwarded-for", from)]).await.0
        }
    };
    assert_eq!(reg("one@example.com", "192.0.2.50").await, 201);
    assert_eq!(reg("owner@example.com", "192.0.2.50").await, 409);
    assert_eq!(reg("three@example.com", "192.0.2.50").await, 429);
    assert_eq!(reg("three@example.com", "192.0.2.51").await, 201);
}

//! Who is calling, and what they may do.

pub mod api_keys;
pub mod passwords;
pub mod policy;
pub mod present;
pub mod roles;
pub mod sessions;
pub mod sign_in_backoff;
pub mod users;

pub use roles::Role;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use uuid::Uuid;

/// Permissions an API key can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    #[serde(rename = "content:write")]
    ContentWrite,
    #[serde(rename = "content:read-drafts")]
    ContentReadDrafts,
    #[serde(rename = "comments:moderate")]
    CommentsModerate,
    #[serde(rename = "sync:read")]
    SyncRead,
    #[serde(rename = "webhooks:manage")]
    WebhooksManage,
}

impl Scope {
    pub const ALL: [Scope; 5] = [
        Scope::ContentWrite,
        Scope::ContentReadDrafts,
        Scope::CommentsModerate,
        Scope::SyncRead,
        Scope::WebhooksManage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ContentWrite => "content:write",
            Self::ContentReadDrafts => "content:read-drafts",
            Self::CommentsModerate => "comments:moderate",
            Self::SyncRead => "sync:read",
            Self::WebhooksManage => "webhooks:manage",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Whose credentials a request carried.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Principal {
    #[default]
    Anonymous,
    ApiKey(Uuid),
    /// A reader or staff member signed in with a session token.
    User(Uuid),
    /// Dateline itself: the demo content and fixtures it writes through the
    /// same domain writes as any client.
    System,
}

/// A signed-in person as the request found them: their role and whether
/// they may take part right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: Uuid,
    pub role: Role,
    pub banned: bool,
    pub suspended_until: Option<DateTime<Utc>>,
    /// The SHA-256 of the session token, which names the session to end.
    pub session_hash: String,
}

/// The caller of one request, resolved once from its credentials.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub principal: Principal,
    scopes: Vec<Scope>,
    pub member: Option<Member>,
    /// The client's address, for per-address limits.
    pub client: Option<IpAddr>,
    /// An API key's own rate (requests per second), when it has one.
    pub key_rate: Option<u32>,
}

impl Actor {
    pub fn anonymous() -> Self {
        Self::default()
    }

    pub fn api_key(id: Uuid, scopes: Vec<Scope>) -> Self {
        Self { principal: Principal::ApiKey(id), scopes, ..Self::default() }
    }

    /// A signed-in person; their role's scopes come with them.
    pub fn member(member: Member) -> Self {
        Self {
            principal: Principal::User(member.id),
            scopes: roles::scopes(member.role),
            member: Some(member),
            client: None,
            key_rate: None,
        }
    }

    /// Every scope, for content Dateline writes itself; never from a request.
    pub fn system() -> Self {
        Self { principal: Principal::System, scopes: Scope::ALL.to_vec(), ..Self::default() }
    }

    pub fn with_key_rate(mut self, rate: Option<u32>) -> Self {
        self.key_rate = rate;
        self
    }

    pub fn from_client(mut self, client: Option<IpAddr>) -> Self {
        self.client = client;
        self
    }

    /// The signed-in person's id, if a person is calling.
    pub fn user_id(&self) -> Option<Uuid> {
        self.member.as_ref().map(|m| m.id)
    }

    /// Who did it, as the moderation log records it.
    pub fn label(&self) -> String {
        match &self.principal {
            Principal::Anonymous => "anonymous".into(),
            Principal::ApiKey(id) => format!("key:{id}"),
            Principal::User(id) => format!("user:{id}"),
            Principal::System => "system".into(),
        }
    }

    pub fn is_anonymous(&self) -> bool {
        self.principal == Principal::Anonymous
    }

    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// The key that idempotent retries are scoped to.
    pub fn idempotency_owner(&self) -> Option<Uuid> {
        match self.principal {
            Principal::ApiKey(id) => Some(id),
            Principal::User(id) => Some(id),
            Principal::Anonymous | Principal::System => None,
        }
    }
}

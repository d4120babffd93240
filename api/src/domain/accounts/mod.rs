//! Who is calling, and what they may do.

pub mod api_keys;
pub mod policy;

use serde::{Deserialize, Serialize};
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
    /// Dateline itself: the demo content and fixtures it writes through the
    /// same domain writes as any client.
    System,
}

/// The caller of one request, resolved once from its credentials.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub principal: Principal,
    scopes: Vec<Scope>,
}

impl Actor {
    pub fn anonymous() -> Self {
        Self::default()
    }

    pub fn api_key(id: Uuid, scopes: Vec<Scope>) -> Self {
        Self { principal: Principal::ApiKey(id), scopes }
    }

    /// Every scope, for content Dateline writes itself; never from a request.
    pub fn system() -> Self {
        Self { principal: Principal::System, scopes: Scope::ALL.to_vec() }
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
            Principal::Anonymous | Principal::System => None,
        }
    }
}

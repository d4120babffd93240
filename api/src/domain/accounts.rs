//! Who is calling, and what they may do.

use serde::{Deserialize, Serialize};

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

/// The caller of one request, resolved once from its credentials.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    scopes: Vec<Scope>,
}

impl Actor {
    pub fn anonymous() -> Self {
        Self::default()
    }

    pub fn with_scopes(scopes: Vec<Scope>) -> Self {
        Self { scopes }
    }

    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// Drafts, scheduled stories before their time and archived stories.
    pub fn can_read_unpublished(&self) -> bool {
        self.has(Scope::ContentReadDrafts)
    }
}

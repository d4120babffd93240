//! Persisted operations: GraphQL documents known by an id, so that a client
//! sends the id instead of the document, by GET, where a CDN can keep the
//! answer.
//!
//! - **Automatic** (Apollo's automatic persisted queries): a client sends
//!   the SHA-256 of its document; an unknown hash is answered
//!   `PersistedQueryNotFound`, and the client sends the document with the
//!   hash, which must match. The document is then registered for every
//!   instance on the database, oldest evicted past `--graphql-persisted-max`.
//! - **Trusted**: an operator adds a build's manifest (`dateline operations
//!   add FILE`). With `--graphql-trusted-documents-only`, callers without an
//!   API key run trusted documents only, whether they send the id or the
//!   document itself.

pub mod manifest;
pub mod store;

use crate::domain::token;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use std::sync::Arc;
use std::time::Duration;

/// How a request names the document it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    /// The document itself.
    Text(String),
    /// Apollo's `extensions.persistedQuery.sha256Hash` (lowercase hex),
    /// with the document when the client registers it.
    Hash { sha256: String, text: Option<String> },
    /// A trusted document's id as its manifest keys it (`documentId`, or
    /// Relay's `doc_id`).
    Id(String),
}

impl Asked {
    /// The hash of an APQ extension, refused unless it is one (64 hex
    /// digits): a wrong form can never name a document.
    pub fn hash(sha256: &str, text: Option<String>) -> AppResult<Self> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AppError::field("extensions.persistedQuery.sha256Hash", "must be 64 hex digits"));
        }
        Ok(Self::Hash { sha256: sha256.to_ascii_lowercase(), text })
    }

    /// A `documentId`: `sha256:<hex>` names a document by its hash, any
    /// other value is a manifest's id.
    pub fn document_id(id: &str) -> AppResult<Self> {
        match id.strip_prefix("sha256:") {
            Some(hex) => Self::hash(hex, None),
            None => Ok(Self::Id(id.to_owned())),
        }
    }
}

/// The document a request runs, and what to register once it ran.
#[derive(Debug)]
pub struct Resolved {
    pub text: String,
    /// A document sent with its hash that nobody registered yet; kept once
    /// it runs, so that a document that does not validate is never stored.
    pub register: Option<New>,
}

/// A document to register as automatic.
#[derive(Debug, Clone)]
pub struct New {
    pub sha256: String,
    pub text: String,
}

pub struct Settings {
    /// Most automatic documents kept; the oldest go first past it.
    pub max_automatic: u64,
    /// Callers without an API key run trusted documents only.
    pub trusted_only: bool,
    /// Trusted documents compiled into the binary (the example page's), known
    /// by their SHA-256 without being stored.
    pub built_in: Vec<manifest::Entry>,
}

#[derive(Clone)]
struct Known {
    text: Arc<str>,
    trusted: bool,
}

/// Documents looked up recently, so that a hot persisted query costs no
/// statement. Only what exists is remembered (a document's text never
/// changes under its hash), and for a minute at most, so that an operator's
/// `operations remove` reaches running instances.
pub struct Registry {
    settings: Settings,
    known: moka::sync::Cache<String, Known>,
    built_in: std::collections::HashMap<String, Arc<str>>,
}

const REMEMBERED_BYTES: u64 = 8 << 20;

/// Longest document any caller may register, so that the store holds at
/// most `--graphql-persisted-max` times this (a GraphQL comment is free to
/// parse and would otherwise let one request store a megabyte). A page's
/// operation with its fragments is a few kilobytes.
pub const AUTOMATIC_MAX_BYTES: usize = 16 * 1024;
const REMEMBERED_FOR: Duration = Duration::from_secs(60);

/// Whether a caller may run a document: anyone, unless trusted documents
/// are required, then callers with an API key, or anyone for a trusted one.
pub fn may_run(trusted_only: bool, keyed: bool, trusted: bool) -> bool {
    !trusted_only || keyed || trusted
}

impl Registry {
    pub fn new(settings: Settings) -> Self {
        let known = moka::sync::Cache::builder()
            .max_capacity(REMEMBERED_BYTES)
            .weigher(|k: &String, v: &Known| u32::try_from(k.len() + v.text.len()).unwrap_or(u32::MAX))
            .time_to_live(REMEMBERED_FOR)
            .build();
        let built_in = settings
            .built_in
            .iter()
            .map(|e| (token::sha256_hex(&[e.document.as_bytes()]), Arc::from(e.document.as_str())))
            .collect();
        Self { settings, known, built_in }
    }

    pub fn trusted_only(&self) -> bool {
        self.settings.trusted_only
    }

    /// The document `asked` names, for a caller with (`keyed`) or without
    /// an API key.
    pub async fn resolve(&self, db: &impl ConnectionTrait, keyed: bool, asked: Asked) -> AppResult<Resolved> {
        let free = may_run(self.settings.trusted_only, keyed, false);
        match asked {
            Asked::Text(text) if free => Ok(Resolved { text, register: None }),
            Asked::Text(text) => {
                let sha256 = token::sha256_hex(&[text.as_bytes()]);
                match self.by_hash(db, &sha256).await? {
                    Some(k) if k.trusted => Ok(Resolved { text, register: None }),
                    _ => Err(AppError::NotTrustedDocument),
                }
            }
            Asked::Hash { sha256, text: None } => match self.by_hash(db, &sha256).await? {
                Some(k) if free || k.trusted => Ok(Resolved { text: k.text.to_string(), register: None }),
                _ => Err(AppError::PersistedQueryNotFound),
            },
            Asked::Hash { sha256, text: Some(text) } => {
                if token::sha256_hex(&[text.as_bytes()]) != sha256 {
                    return Err(AppError::PersistedQueryMismatch);
                }
                let known = self.by_hash(db, &sha256).await?;
                match known {
                    Some(k) if free || k.trusted => Ok(Resolved { text, register: None }),
                    None if free => Ok(Resolved { register: Some(New { sha256, text: text.clone() }), text }),
                    _ => Err(AppError::NotTrustedDocument),
                }
            }
            Asked::Id(id) => match self.by_id(db, &id).await? {
                Some(k) if free || k.trusted => Ok(Resolved { text: k.text.to_string(), register: None }),
                _ => Err(AppError::PersistedQueryNotFound),
            },
        }
    }

    /// Registers a document that ran, for every instance on the database.
    /// One longer than [`AUTOMATIC_MAX_BYTES`] runs but is not kept: its
    /// client goes on sending it whole.
    pub async fn register(
        &self,
        db: &impl crate::domain::tx::Db,
        new: New,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        if new.text.len() > AUTOMATIC_MAX_BYTES {
            tracing::debug!(bytes = new.text.len(), "a persisted query too long to keep ran unregistered");
            return Ok(());
        }
        let text: Arc<str> = Arc::from(new.text.as_str());
        store::register_automatic(db, &new.sha256, &new.text, self.settings.max_automatic, now).await?;
        self.known.insert(format!("s:{}", new.sha256), Known { text, trusted: false });
        Ok(())
    }

    async fn by_hash(&self, db: &impl ConnectionTrait, sha256: &str) -> AppResult<Option<Known>> {
        if let Some(text) = self.built_in.get(sha256) {
            return Ok(Some(Known { text: Arc::clone(text), trusted: true }));
        }
        self.remembered(format!("s:{sha256}"), store::by_sha256(db, sha256)).await
    }

    async fn by_id(&self, db: &impl ConnectionTrait, id: &str) -> AppResult<Option<Known>> {
        // No manifest holds such an id (and PostgreSQL refuses a NUL).
        if id.is_empty() || id.len() > store::MAX_ID || id.chars().any(char::is_control) {
            return Ok(None);
        }
        self.remembered(format!("i:{id}"), store::by_id(db, id)).await
    }

    /// What `key` names, from memory or else from `read` (then remembered).
    async fn remembered(
        &self,
        key: String,
        read: impl Future<Output = AppResult<Option<store::Operation>>>,
    ) -> AppResult<Option<Known>> {
        if let Some(k) = self.known.get(&key) {
            return Ok(Some(k));
        }
        let found = read.await?.map(known);
        if let Some(k) = &found {
            self.known.insert(key, k.clone());
        }
        Ok(found)
    }
}

fn known(row: store::Operation) -> Known {
    Known { text: Arc::from(row.document), trusted: row.origin == store::Origin::Trusted }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_documents_bind_only_callers_without_a_key_when_required() {
        for keyed in [false, true] {
            for trusted in [false, true] {
                assert!(may_run(false, keyed, trusted), "everything runs when nothing is required");
            }
            assert!(may_run(true, keyed, true), "a trusted document runs for anyone");
        }
        assert!(may_run(true, true, false), "a key may run any document");
        assert!(!may_run(true, false, false));
    }

    #[test]
    fn hashes_and_document_ids_are_read_strictly() {
        let sha = "A".repeat(64);
        assert_eq!(Asked::hash(&sha, None).ok(), Some(Asked::Hash { sha256: "a".repeat(64), text: None }));
        for bad in ["", "abc", &"g".repeat(64), &"a".repeat(65)] {
            assert!(Asked::hash(bad, None).is_err(), "{bad}");
        }
        assert!(matches!(Asked::document_id(&format!("sha256:{sha}")), Ok(Asked::Hash { .. })));
        assert!(Asked::document_id("sha256:nothex").is_err());
        assert_eq!(Asked::document_id("7f1c").ok(), Some(Asked::Id("7f1c".into())));
    }
}

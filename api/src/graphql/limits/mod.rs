//! Limits a GraphQL document must pass *before* the engine parses or
//! validates it. The engine's parser recurses once per nesting level (a 4 KB
//! list literal nested 2,000 deep overflowed a worker's stack) and its
//! validation expands fragments (each spreading the previous one twice is
//! 2^n selections from n lines). Every check here runs in time linear in the
//! document and stops at the first limit, so a refusal costs microseconds.

mod scan;
mod shape;
mod values;

use crate::error::{AppError, AppResult};
use async_graphql::parser::types::ExecutableDocument;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DocumentLimits {
    /// Lexical tokens in the document.
    pub max_tokens: usize,
    /// Brackets (`{`, `[`, `(`) open at once, and JSON variable nesting.
    pub max_nesting: usize,
    /// Aliased fields in the document.
    pub max_aliases: usize,
    /// Fields at the top of one operation, fragments expanded.
    pub max_root_fields: usize,
    /// Directives on one field, fragment or operation.
    pub max_directives: usize,
    /// Field selections with every fragment spread expanded.
    pub max_selections: usize,
    /// Introspection lists of types and fields inside each other.
    pub max_introspection_lists: usize,
    /// Fields nested inside each other, outside introspection.
    pub max_depth: usize,
    /// Whether `__schema` and `__type` may be asked for.
    pub introspection: bool,
}

impl Default for DocumentLimits {
    fn default() -> Self {
        Self {
            max_tokens: 10_000,
            max_nesting: 32,
            max_aliases: 30,
            max_root_fields: 20,
            max_directives: 5,
            max_selections: 2_000,
            max_introspection_lists: 2,
            max_depth: 12,
            introspection: true,
        }
    }
}

/// Checks a request and hands the parsed document to the engine so it is
/// not parsed twice. A document that does not parse is refused here, with
/// the parser's own error.
pub fn check(req: &mut async_graphql::Request, limits: &DocumentLimits) -> AppResult<()> {
    values::check_variables(&req.variables, limits.max_nesting)?;
    if let Some(doc) = cached(&req.query, limits) {
        req.set_parsed_query(doc);
        return Ok(());
    }
    scan::check(&req.query, limits)?;
    let doc =
        async_graphql::parser::parse_query(&req.query).map_err(|e| AppError::GraphqlParse(e.to_string()))?;
    shape::check(&doc, limits)?;
    values::check_literals(&doc)?;
    remember(&req.query, limits, &doc);
    req.set_parsed_query(doc);
    Ok(())
}

/// Clients send the same few documents over and over; parsing one costs
/// more than running it. Documents that passed every limit are kept, keyed
/// by their text and the limits they passed, so a repeat skips the scan and
/// the parse. Small documents only, and a bounded number of them: a client
/// sending endless new documents only makes the cache start over.
pub const CACHED_DOCUMENTS: usize = 256;
const MAX_CACHED_LEN: usize = 8 * 1024;

type Cache = Mutex<HashMap<(DocumentLimits, String), ExecutableDocument>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Cache::default)
}

/// How many documents the cache holds now.
pub fn cached_documents() -> usize {
    cache().lock().map_or(0, |c| c.len())
}

fn cached(query: &str, limits: &DocumentLimits) -> Option<ExecutableDocument> {
    if query.len() > MAX_CACHED_LEN {
        return None;
    }
    let cache = cache().lock().ok()?;
    cache.get(&(*limits, query.to_owned())).cloned()
}

fn remember(query: &str, limits: &DocumentLimits, doc: &ExecutableDocument) {
    if query.len() > MAX_CACHED_LEN {
        return;
    }
    if let Ok(mut cache) = cache().lock() {
        if cache.len() >= CACHED_DOCUMENTS {
            cache.clear();
        }
        cache.insert((*limits, query.to_owned()), doc.clone());
    }
}

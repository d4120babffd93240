//! The one error type of Dateline. Every variant has a machine code; the two
//! wire mappings (GraphQL `extensions.code`, REST problem+json) live in
//! `graphql::errors` and `rest::problem` and read only `code()`/`status()`.

use serde::Serialize;
use std::sync::Arc;

/// One failing input field, named by its path (`first`, `filter.search`, ...).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldError {
    pub path: String,
    pub message: String,
}

/// The machine codes clients switch on: GraphQL `extensions.code` and the
/// `code` member of a problem+json body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    NotFound,
    BadUserInput,
    Unauthenticated,
    Forbidden,
    Conflict,
    PayloadTooLarge,
    QueryTooComplex,
    UnsupportedMediaType,
    HeaderTooLarge,
    GraphqlParseFailed,
    /// A document the engine refused (no `AppError` behind it).
    GraphqlValidationFailed,
    /// The codes Apollo's persisted-queries link and router use.
    PersistedQueryNotFound,
    PersistedQueryHashMismatch,
    PersistedQueryNotInList,
    MethodNotAllowed,
    RequestTimeout,
    Timeout,
    RateLimited,
    ServiceUnavailable,
    Busy,
    InternalServerError,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "NOT_FOUND",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::Conflict => "CONFLICT",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::QueryTooComplex => "QUERY_TOO_COMPLEX",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::HeaderTooLarge => "HEADER_TOO_LARGE",
            Self::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Self::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::PersistedQueryHashMismatch => "PERSISTED_QUERY_HASH_MISMATCH",
            Self::PersistedQueryNotInList => "PERSISTED_QUERY_NOT_IN_LIST",
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::RequestTimeout => "REQUEST_TIMEOUT",
            Self::Timeout => "TIMEOUT",
            Self::RateLimited => "RATE_LIMITED",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Self::Busy => "BUSY",
            Self::InternalServerError => "INTERNAL_SERVER_ERROR",
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("invalid input: {}", summary(.0))]
    BadInput(Vec<FieldError>),
    /// Input whose every value is well formed alone, refused in combination
    /// or by what is stored now: a slug already taken, an id that names
    /// nothing, a time already past, a date range that ends before it
    /// starts. The same `BAD_USER_INPUT` for GraphQL; REST answers 422, so
    /// that a 400 always means a malformed value (what a schema can say).
    #[error("invalid input: {}", summary(.0))]
    Unprocessable(Vec<FieldError>),
    #[error("authentication required")]
    Unauthenticated,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("conflict: {0}")]
    Conflict(String),
    /// A conditional request (`If-Match`) whose condition no longer holds.
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("the query is too complex: {0}")]
    TooComplex(String),
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("the {0} header is too large")]
    HeaderTooLarge(String),
    /// A GraphQL document that does not parse, with the parser's position.
    #[error("{0}")]
    GraphqlParse(String),
    /// A document that parses but that this server does not run.
    #[error("{0}")]
    GraphqlValidation(String),
    /// A persisted document's id nobody registered. The message is the
    /// one Apollo's persisted-queries link looks for before it sends the
    /// document.
    #[error("PersistedQueryNotFound")]
    PersistedQueryNotFound,
    #[error("the document's SHA-256 is not the sha256Hash sent with it")]
    PersistedQueryMismatch,
    #[error("only trusted documents are run for callers without an API key; send a registered documentId")]
    NotTrustedDocument,
    #[error("this method is not allowed here; use {allow}")]
    MethodNotAllowed { allow: String },
    /// The client did not send its request in time.
    #[error("the request was not received in time")]
    RequestTimeout,
    /// The server gave up on the request after the request timeout.
    #[error("the request took too long and was abandoned")]
    TimedOut,
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    #[error("the database is unavailable")]
    Unavailable,
    /// As many archive imports run as the server allows at once.
    #[error("as many imports as this server runs at once are running; retry after Retry-After seconds")]
    ImportsBusy { retry_after_secs: u64 },
    /// Lost a deadlock or serialization race; the whole write may be retried.
    #[error("the database was busy with concurrent writes; retry")]
    Busy,
    /// Details go to the log, never to the client.
    #[error("internal error")]
    Internal(Arc<anyhow::Error>),
}

fn under(root: &str, fields: Vec<FieldError>) -> Vec<FieldError> {
    fields.into_iter().map(|f| FieldError { path: format!("{root}{}", f.path), ..f }).collect()
}

fn summary(fields: &[FieldError]) -> String {
    let parts: Vec<String> = fields.iter().map(|f| format!("{}: {}", f.path, f.message)).collect();
    parts.join("; ")
}

impl AppError {
    pub fn code(&self) -> Code {
        match self {
            Self::NotFound(_) => Code::NotFound,
            Self::BadInput(_) | Self::Unprocessable(_) => Code::BadUserInput,
            Self::Unauthenticated => Code::Unauthenticated,
            Self::Forbidden(_) => Code::Forbidden,
            Self::Conflict(_) | Self::PreconditionFailed(_) => Code::Conflict,
            Self::PayloadTooLarge(_) => Code::PayloadTooLarge,
            Self::TooComplex(_) => Code::QueryTooComplex,
            Self::UnsupportedMediaType(_) => Code::UnsupportedMediaType,
            Self::HeaderTooLarge(_) => Code::HeaderTooLarge,
            Self::GraphqlParse(_) => Code::GraphqlParseFailed,
            Self::GraphqlValidation(_) => Code::GraphqlValidationFailed,
            Self::PersistedQueryNotFound => Code::PersistedQueryNotFound,
            Self::PersistedQueryMismatch => Code::PersistedQueryHashMismatch,
            Self::NotTrustedDocument => Code::PersistedQueryNotInList,
            Self::MethodNotAllowed { .. } => Code::MethodNotAllowed,
            Self::RequestTimeout => Code::RequestTimeout,
            Self::TimedOut => Code::Timeout,
            Self::RateLimited { .. } => Code::RateLimited,
            Self::Unavailable | Self::ImportsBusy { .. } => Code::ServiceUnavailable,
            Self::Busy => Code::Busy,
            Self::Internal(_) => Code::InternalServerError,
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound(_) => 404,
            Self::BadInput(_) => 400,
            Self::Unprocessable(_) => 422,
            Self::Unauthenticated => 401,
            Self::Forbidden(_) => 403,
            Self::Conflict(_) => 409,
            Self::PreconditionFailed(_) => 412,
            Self::PayloadTooLarge(_) => 413,
            Self::TooComplex(_) => 400,
            Self::UnsupportedMediaType(_) => 415,
            Self::HeaderTooLarge(_) => 431,
            Self::GraphqlParse(_) | Self::GraphqlValidation(_) => 400,
            Self::PersistedQueryNotFound => 404,
            Self::PersistedQueryMismatch => 400,
            Self::NotTrustedDocument => 403,
            Self::MethodNotAllowed { .. } => 405,
            Self::RequestTimeout => 408,
            Self::TimedOut => 503,
            Self::RateLimited { .. } => 429,
            Self::Unavailable | Self::Busy | Self::ImportsBusy { .. } => 503,
            Self::Internal(_) => 500,
        }
    }

    /// Headers that belong with this error on any HTTP answer.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::RateLimited { retry_after_secs } | Self::ImportsBusy { retry_after_secs } => {
                vec![("retry-after", retry_after_secs.to_string())]
            }
            Self::Unauthenticated => vec![("www-authenticate", "Bearer".into())],
            Self::MethodNotAllowed { allow } => vec![("allow", allow.clone())],
            _ => Vec::new(),
        }
    }

    /// A single failing field.
    pub fn field(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadInput(vec![FieldError { path: path.into(), message: message.into() }])
    }

    /// A single field that what is stored now refuses.
    pub fn unprocessable(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Unprocessable(vec![FieldError { path: path.into(), message: message.into() }])
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(Arc::new(err.into()))
    }

    /// The same error with every field path put under `root`, as an
    /// adapter names its input (`input.`, `filter.`).
    pub fn under(self, root: &str) -> Self {
        match self {
            Self::BadInput(fields) => Self::BadInput(under(root, fields)),
            Self::Unprocessable(fields) => Self::Unprocessable(under(root, fields)),
            other => other,
        }
    }

    pub fn fields(&self) -> &[FieldError] {
        match self {
            Self::BadInput(f) | Self::Unprocessable(f) => f,
            _ => &[],
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        use sea_orm::DbErr;
        if let Some(sea_orm::SqlErr::UniqueConstraintViolation(m)) = err.sql_err() {
            return Self::unprocessable(crate::unique_key::field_of(&m), "is already used");
        }
        match err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                crate::db::counters::pool_acquire_failed();
                tracing::warn!(error = %err, "database unavailable");
                Self::Unavailable
            }
            other if is_connection_lost(&other) => {
                crate::db::counters::pool_acquire_failed();
                tracing::warn!(error = %other, "database connection lost");
                Self::Unavailable
            }
            other if is_transient(&other) => {
                crate::db::counters::lost_race();
                tracing::warn!(error = %other, "transaction lost a concurrency race");
                Self::Busy
            }
            other => {
                tracing::error!(error = %other, "database error");
                Self::internal(other)
            }
        }
    }
}

/// Deadlocks, serialization failures and lock timeouts (SQLSTATE
/// 40001/40P01/55P03, MySQL 1213
/// and lock wait timeouts, SQLite busy): the transaction was rolled back and
/// running it again is safe.
fn is_transient(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx};
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = err else {
        return false;
    };
    let sqlx::Error::Database(db) = &**e else { return false };
    let code = db.code().unwrap_or_default();
    let mysql = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>().map(|m| m.number());
    matches!(&*code, "40001" | "40P01" | "55P03" | "5" | "6" | "517") || matches!(mysql, Some(1205 | 1213))
}

/// A statement that failed because its connection did (the server went
/// away, restarted or dropped it): the database is unavailable, not wrong.
fn is_connection_lost(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx};
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = err else {
        return false;
    };
    matches!(
        &**e,
        sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
    ) || matches!(&**e, sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("57P01" | "57P02" | "57P03")))
}

pub type AppResult<T> = Result<T, AppError>;

/// Collects every failing field of an input before failing, so a client
/// fixes them all in one round trip, in the order they were found. Fields
/// that are well formed but refused together or by what is stored
/// (`refuse`) alone make an `Unprocessable` error; with any malformed field
/// among them, all are reported as `BadInput`.
#[derive(Default, Clone)]
pub struct Validator {
    fields: Vec<FieldError>,
    malformed: bool,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn check(&mut self, ok: bool, path: &str, message: &str) -> &mut Self {
        if !ok {
            self.push(path, message);
        }
        self
    }

    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.malformed = true;
        self.fields.push(FieldError { path: path.into(), message: message.into() });
    }

    /// A well-formed value refused in combination or by what is stored.
    pub fn refuse(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.fields.push(FieldError { path: path.into(), message: message.into() });
    }

    /// Whether any value is malformed in itself (a 400 rather than a 422).
    pub fn is_malformed(&self) -> bool {
        self.malformed
    }

    pub fn finish(self) -> AppResult<()> {
        match (self.fields.is_empty(), self.malformed) {
            (true, _) => Ok(()),
            (false, true) => Err(AppError::BadInput(self.fields)),
            (false, false) => Err(AppError::Unprocessable(self.fields)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_validator_reports_every_field_and_tells_malformed_from_refused() {
        assert!(Validator::new().finish().is_ok());
        let mut v = Validator::new();
        v.check(true, "a", "fine").check(false, "b", "bad").check(false, "c", "worse");
        let Err(AppError::BadInput(fields)) = v.finish() else { panic!("not a bad input") };
        assert_eq!(fields.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(), ["b", "c"], "in order found");
        let mut v = Validator::new();
        v.refuse("slug", "is taken");
        assert!(!v.is_malformed());
        assert!(matches!(v.finish(), Err(AppError::Unprocessable(f)) if f.len() == 1));
        // One malformed field makes the whole answer a 400.
        let mut v = Validator::new();
        v.refuse("slug", "is taken");
        v.push("headline", "is empty");
        assert_eq!(v.finish().err().map(|e| e.status()), Some(400));
    }

    #[test]
    fn only_lost_races_are_run_again() {
        use sea_orm::DbErr;
        // Errors that are not the database's answer are never transient.
        for e in [
            DbErr::Custom("x".into()),
            DbErr::RecordNotFound("x".into()),
            DbErr::Type("x".into()),
            DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout),
        ] {
            assert!(!is_transient(&e), "{e}");
        }
        assert_eq!(AppError::from(DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout)).status(), 503);
        assert_eq!(AppError::from(DbErr::Custom("x".into())).status(), 500);
    }
}

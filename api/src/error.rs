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

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("invalid input: {}", summary(.0))]
    BadInput(Vec<FieldError>),
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
    /// Lost a deadlock or serialization race; the whole write may be retried.
    #[error("the database was busy with concurrent writes; retry")]
    Busy,
    /// Details go to the log, never to the client.
    #[error("internal error")]
    Internal(Arc<anyhow::Error>),
}

fn summary(fields: &[FieldError]) -> String {
    let parts: Vec<String> = fields.iter().map(|f| format!("{}: {}", f.path, f.message)).collect();
    parts.join("; ")
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadInput(_) => "BAD_USER_INPUT",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::Conflict(_) | Self::PreconditionFailed(_) => "CONFLICT",
            Self::PayloadTooLarge(_) => "PAYLOAD_TOO_LARGE",
            Self::TooComplex(_) => "QUERY_TOO_COMPLEX",
            Self::UnsupportedMediaType(_) => "UNSUPPORTED_MEDIA_TYPE",
            Self::HeaderTooLarge(_) => "HEADER_TOO_LARGE",
            Self::RequestTimeout => "REQUEST_TIMEOUT",
            Self::TimedOut => "TIMEOUT",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Unavailable => "SERVICE_UNAVAILABLE",
            Self::Busy => "BUSY",
            Self::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound(_) => 404,
            Self::BadInput(_) => 400,
            Self::Unauthenticated => 401,
            Self::Forbidden(_) => 403,
            Self::Conflict(_) => 409,
            Self::PreconditionFailed(_) => 412,
            Self::PayloadTooLarge(_) => 413,
            Self::TooComplex(_) => 400,
            Self::UnsupportedMediaType(_) => 415,
            Self::HeaderTooLarge(_) => 431,
            Self::RequestTimeout => 408,
            Self::TimedOut => 503,
            Self::RateLimited { .. } => 429,
            Self::Unavailable | Self::Busy => 503,
            Self::Internal(_) => 500,
        }
    }

    /// A single failing field.
    pub fn field(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadInput(vec![FieldError { path: path.into(), message: message.into() }])
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(Arc::new(err.into()))
    }

    pub fn fields(&self) -> &[FieldError] {
        match self {
            Self::BadInput(f) => f,
            _ => &[],
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        use sea_orm::DbErr;
        match err {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                tracing::warn!(error = %err, "database unavailable");
                Self::Unavailable
            }
            other if is_transient(&other) => {
                tracing::info!(error = %other, "transaction lost a concurrency race");
                Self::Busy
            }
            other => {
                tracing::error!(error = %other, "database error");
                Self::internal(other)
            }
        }
    }
}

/// Deadlocks and serialization failures (SQLSTATE 40001/40P01, MySQL 1213
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
    matches!(&*code, "40001" | "40P01" | "5" | "6" | "517") || matches!(mysql, Some(1205 | 1213))
}

pub type AppResult<T> = Result<T, AppError>;

/// Collects every failing field of an input before failing, so a client
/// fixes them all in one round trip.
#[derive(Default)]
pub struct Validator(Vec<FieldError>);

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn check(&mut self, ok: bool, path: &str, message: &str) -> &mut Self {
        if !ok {
            self.0.push(FieldError { path: path.to_owned(), message: message.to_owned() });
        }
        self
    }

    pub fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError { path: path.into(), message: message.into() });
    }

    pub fn finish(self) -> AppResult<()> {
        if self.0.is_empty() { Ok(()) } else { Err(AppError::BadInput(self.0)) }
    }
}

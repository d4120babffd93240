//! What the `dateline` commands answer when they fail: one message on
//! stderr and an exit status a script can branch on.

use crate::error::AppError;
use crate::start_error::StartError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// An argument the command cannot use (exit 2, as for a flag clap refuses).
    #[error("{0}")]
    Usage(String),
    /// The database could not be reached, migrated or set up (exit 3).
    #[error(transparent)]
    Start(#[from] StartError),
    /// A file could not be read or written (exit 4).
    #[error("{0}")]
    Io(String),
    /// An import finished, and some lines were refused (exit 5); the
    /// others went in.
    #[error("{0} line(s) rejected")]
    Rejected(u64),
    /// The work itself failed (exit 1).
    #[error(transparent)]
    Failed(#[from] AppError),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Failed(_) => 1,
            Self::Usage(_) => 2,
            Self::Start(_) => 3,
            Self::Io(_) => 4,
            Self::Rejected(_) => 5,
        }
    }
}

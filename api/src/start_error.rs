//! Why the process could not start serving. A leaf, so that what reports
//! it (the metrics server, the pool) need not import the start-up code.

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot connect to the database at {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("cannot migrate the database at {url}: {reason}")]
    Migrate { url: String, reason: String },
    #[error("cannot set up the server: {0}")]
    Setup(String),
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: String, reason: String },
}

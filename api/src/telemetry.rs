//! Logging setup: human-readable by default, JSON lines for log shippers.

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"));
    // Logs go to stderr so that what a command prints on stdout (a new API
    // key, `export -`, `print-schema`) is exactly its answer, whatever a slow
    // statement logs meanwhile. Colour codes only for a person at a
    // terminal, never into a file or a log shipper.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(!json && std::io::stderr().is_terminal());
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}

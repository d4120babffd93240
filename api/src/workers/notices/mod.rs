//! Notices between instances on one PostgreSQL database: each instance
//! announces what its committed writes changed (`NOTIFY`), and listens
//! for the others' (`LISTEN`), so that every instance's read cache and
//! catalog of terms drop what another instance's write made out of date,
//! within a notice's delivery (milliseconds) rather than a cache's time to
//! live. A notice is sent after the commit, from the pool: an instance
//! that dies between the two leaves the others' answers to their time to
//! live, and a listener that lost its connection treats everything as
//! changed, since it may have missed notices meanwhile.
//!
//! SQLite has one instance per database; MariaDB has no notices, so
//! there the read cache's time to live is the bound.

pub mod announcer;
pub mod listener;
pub mod wire;

pub use announcer::Announcer;
pub use listener::Listener;

/// The channel every Dateline instance of a database listens on.
pub const CHANNEL: &str = "dateline_changes";

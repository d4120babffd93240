//! What integrators do with the archive beyond reading the change journal
//! (`domain::journal`): export and import it as NDJSON, read it as feeds
//! and sitemaps, and announce scheduled stories when their time comes.

pub mod archive;
pub mod feed;
pub mod import;
pub mod import_slots;
pub mod ndjson;
pub mod schedule;
pub mod syndication;

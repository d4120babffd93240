//! The rules and the queries of Dateline. GraphQL resolvers and REST handlers
//! are thin adapters over these functions, so the two APIs cannot disagree.
//! Functions take a connection and return entity rows or domain values,
//! never wire types.

pub mod accounts;
pub mod articles;
pub mod audience;
pub mod body;
pub mod budget;
pub mod comments;
pub mod count;
pub mod cursor;
pub mod freshness;
pub mod journal;
pub mod media;
pub mod pagination;
pub mod people;
pub mod persisted;
pub mod related;
pub mod slug;
pub mod sql;
pub mod stream_slots;
pub mod surrogate;
pub mod sync;
pub mod taxonomy;
pub mod text;
pub mod throttle;
pub mod token;
pub mod tx;
pub mod webhooks;

#[cfg(test)]
pub mod samples;

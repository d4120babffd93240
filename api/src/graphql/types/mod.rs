//! GraphQL views over domain rows.

pub mod article;
pub mod body;
pub mod comment;
pub mod connection;
pub mod media;
pub mod node;
pub mod related;
pub mod taxonomy;
pub mod user;

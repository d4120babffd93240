use super::article::Article;
use super::media::Media;
use super::taxonomy::{Author, Section, Tag};
use async_graphql::{ID, Interface};

/// Anything fetchable by its global id through `node(id:)`.
#[allow(clippy::large_enum_variant)]
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Article(Article),
    Author(Author),
    Section(Section),
    Tag(Tag),
    Media(Media),
}

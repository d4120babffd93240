//! Opaque global ids (Relay): base64 of "Type:uuid".

use crate::domain::token;
use crate::error::{AppError, AppResult};
use async_graphql::ID;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Article,
    Author,
    Section,
    Tag,
    Media,
    Comment,
    User,
    WebhookEndpoint,
    WebhookDelivery,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Article => "Article",
            Self::Author => "Author",
            Self::Section => "Section",
            Self::Tag => "Tag",
            Self::Media => "Media",
            Self::Comment => "Comment",
            Self::User => "User",
            Self::WebhookEndpoint => "WebhookEndpoint",
            Self::WebhookDelivery => "WebhookDelivery",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "Article" => Self::Article,
            "Author" => Self::Author,
            "Section" => Self::Section,
            "Tag" => Self::Tag,
            "Media" => Self::Media,
            "Comment" => Self::Comment,
            "User" => Self::User,
            "WebhookEndpoint" => Self::WebhookEndpoint,
            "WebhookDelivery" => Self::WebhookDelivery,
            _ => return None,
        })
    }
}

pub fn encode(kind: Kind, id: Uuid) -> ID {
    ID(token::encode(&format!("{}:{id}", kind.name())))
}

pub fn decode(id: &str, arg: &str) -> AppResult<(Kind, Uuid)> {
    let bad = || AppError::field(arg, "is not a valid id");
    let raw = token::decode(id).ok_or_else(bad)?;
    let (kind, uuid) = raw.split_once(':').ok_or_else(bad)?;
    Ok((Kind::parse(kind).ok_or_else(bad)?, Uuid::parse_str(uuid).map_err(|_| bad())?))
}

/// An id of one expected kind. A bare UUID is accepted too, for clients
/// that got the id from REST.
pub fn decode_as(id: &str, kind: Kind, arg: &str) -> AppResult<Uuid> {
    if let Ok(uuid) = Uuid::parse_str(id) {
        return Ok(uuid);
    }
    match decode(id, arg)? {
        (k, uuid) if k == kind => Ok(uuid),
        _ => Err(AppError::field(arg, format!("is not an id of a {}", kind.name()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_carry_their_kind() {
        let id = Uuid::from_u128(42);
        let g = encode(Kind::Tag, id);
        assert!(matches!(decode(&g, "id"), Ok((Kind::Tag, u)) if u == id));
        assert_eq!(decode_as(&g, Kind::Tag, "id").ok(), Some(id));
        let wrong = decode_as(&g, Kind::Article, "id").err().map(|e| e.fields()[0].message.clone());
        assert_eq!(wrong.as_deref(), Some("is not an id of a Article"));
    }

    #[test]
    fn bare_uuids_are_accepted_and_garbage_is_named() {
        let id = Uuid::from_u128(7);
        assert_eq!(decode_as(&id.to_string(), Kind::Media, "input.heroImageId").ok(), Some(id));
        for bad in [
            "",
            "x",
            &token::encode("Planet:00000000-0000-0000-0000-000000000007"),
            &token::encode("Tag:nope"),
        ] {
            let path = decode(bad, "relatedIds[2]").err().map(|e| e.fields()[0].path.clone());
            assert_eq!(path.as_deref(), Some("relatedIds[2]"), "{bad}");
        }
    }
}

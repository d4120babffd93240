//! Opaque global ids (Relay): base64 of "Type:uuid".

use crate::error::{AppError, AppResult};
use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Article,
    Author,
    Section,
    Tag,
    Media,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Article => "Article",
            Self::Author => "Author",
            Self::Section => "Section",
            Self::Tag => "Tag",
            Self::Media => "Media",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "Article" => Self::Article,
            "Author" => Self::Author,
            "Section" => Self::Section,
            "Tag" => Self::Tag,
            "Media" => Self::Media,
            _ => return None,
        })
    }
}

pub fn encode(kind: Kind, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name())))
}

pub fn decode(id: &str, arg: &str) -> AppResult<(Kind, Uuid)> {
    let bad = || AppError::field(arg, "is not a valid id");
    let raw = URL_SAFE_NO_PAD.decode(id.trim_end_matches('=')).map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
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

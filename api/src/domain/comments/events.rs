//! The numbered log of comment changes that live readers are shown,
//! written in the change's own transaction.

use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::comment_event;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Added,
    Updated,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "ADDED",
            Self::Updated => "UPDATED",
        }
    }
}

pub async fn record(
    db: &impl ConnectionTrait,
    c: &super::Comment,
    kind: Kind,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let row = comment_event::ActiveModel {
        article_id: Set(c.article_id),
        comment_id: Set(c.id),
        kind: Set(kind.as_str().to_owned()),
        created_at: Set(now),
        ..Default::default()
    };
    comment_event::Entity::insert(row).exec_without_returning(db).await?;
    Ok(())
}

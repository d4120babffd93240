//! The change journal every writer calls: one row per change, written in
//! the same transaction as the change itself, with the webhook outbox
//! (`outbox`) filled from the same record. Integrators read it in order
//! through `sync::feed`.

pub mod cursor;
pub mod outbox;

use crate::domain::freshness::Changed;
use crate::domain::surrogate::{self, Key, Terms};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use entity::change_event;
use sea_orm::{ActiveValue::NotSet, ActiveValue::Set, ConnectionTrait, EntityTrait, Statement};
use uuid::Uuid;

/// What a change is about, what an editor did, and what the public saw:
/// stored vocabularies, defined with the table.
pub use entity::change_event::{ChangeAction as Action, EntityType as Entity, FeedEvent};

pub struct Change<'a> {
    pub entity: Entity,
    pub id: Uuid,
    pub action: Action,
    pub feed: Option<FeedEvent>,
    pub version: Option<i32>,
    pub slug: Option<&'a str>,
    pub external_id: Option<&'a str>,
    /// The story as it stands (or stood, for a deletion), and as it stood
    /// before the write when that moved it between lists: which surrogate
    /// keys the change purges.
    pub story: Option<&'a entity::article::Model>,
    pub before: Option<&'a entity::article::Model>,
}

impl<'a> Change<'a> {
    /// A story as it stands after the write; `was_public` is whether the
    /// feed had announced it before.
    pub fn article(was_public: bool, a: &'a entity::article::Model, action: Action) -> Self {
        Self {
            entity: Entity::Article,
            id: a.id,
            action,
            feed: FeedEvent::of_article(was_public, a.feed_public, action),
            version: Some(a.version),
            slug: Some(&a.slug),
            external_id: a.external_id.as_deref(),
            story: Some(a),
            before: None,
        }
    }

    /// The story as it stood before the write, whose lists it may have left.
    pub fn leaving(self, before: &'a entity::article::Model) -> Self {
        Self { before: Some(before), ..self }
    }

    /// A section, tag or author after it was created or changed.
    pub fn term(entity: Entity, id: Uuid, created: bool, slug: &'a str) -> Self {
        let action = if created { Action::Created } else { Action::Updated };
        Self {
            entity,
            id,
            action,
            feed: Some(FeedEvent::Upserted),
            version: None,
            slug: Some(slug),
            external_id: None,
            story: None,
            before: None,
        }
    }
}

/// The surrogate keys whose answers `change` changes: none when the public
/// never saw the story (a draft edit) or for a new, unused picture.
async fn purges_of(db: &impl ConnectionTrait, change: &Change<'_>) -> AppResult<Vec<Key>> {
    Ok(match change.entity {
        Entity::Article if change.feed.is_none() => Vec::new(),
        Entity::Article => match change.story {
            Some(a) => {
                let stories: Vec<&entity::article::Model> = std::iter::once(a).chain(change.before).collect();
                surrogate::of_story(db, &stories).await?
            }
            None => vec![Key::All],
        },
        Entity::Section => vec![Key::Section(change.id), Key::Terms(Terms::Sections)],
        Entity::Tag => vec![Key::Tag(change.id), Key::Terms(Terms::Tags)],
        Entity::Author => vec![Key::Author(change.id), Key::Terms(Terms::Authors)],
        // Pictures show in the stories that use them, wherever those are.
        Entity::Media if change.action == Action::Created => Vec::new(),
        Entity::Media => vec![Key::All],
    })
}

/// What writes of these kinds change for answers kept in memory: terms are
/// also held in every instance's catalog.
fn changed_by(kinds: &[Entity]) -> Changed {
    if kinds.iter().any(|k| matches!(k, Entity::Section | Entity::Tag | Entity::Author)) {
        Changed::Terms
    } else {
        Changed::Content
    }
}

/// Appends `change` to the feed and the webhook outbox; returns its number.
/// Call it last in the write's transaction: it takes the feed's turn (see
/// `take_turn`), which the transaction holds until it commits.
pub async fn record(db: &impl ConnectionTrait, change: Change<'_>, now: DateTime<Utc>) -> AppResult<i64> {
    crate::domain::freshness::changed(changed_by(&[change.entity]));
    let purges = purges_of(db, &change).await?;
    take_turn(db).await?;
    let seq = insert(db, &change, now).await?;
    let event = change.feed.filter(|e| outbox::feed_event_type(&change, *e).is_some());
    if event.is_none() && purges.is_empty() {
        return Ok(seq);
    }
    // Read once for the feed's webhook and the purge's.
    let subscribers = outbox::Subscribers::load(db).await?;
    if let Some(event) = event {
        outbox::feed_change(db, &subscribers, seq, &change, event, now).await?;
    }
    surrogate::purge_for(db, &subscribers, purges, now).await?;
    Ok(seq)
}

/// Appends many changes of one transaction (an import batch) at once.
pub async fn record_many(
    db: &impl ConnectionTrait,
    changes: &[Change<'_>],
    now: DateTime<Utc>,
) -> AppResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let kinds: Vec<Entity> = changes.iter().map(|c| c.entity).collect();
    crate::domain::freshness::changed(changed_by(&kinds));
    take_turn(db).await?;
    let subscribers = outbox::Subscribers::load(db).await?;
    // A batch (an import) may touch anything the public sees.
    if changes.iter().any(|c| c.feed.is_some()) {
        surrogate::purge_for(db, &subscribers, vec![Key::All], now).await?;
    }
    let hooked = |c: &Change<'_>| {
        c.feed.and_then(|e| outbox::feed_event_type(c, e)).is_some_and(|t| subscribers.want(t))
    };
    if !changes.iter().any(hooked) {
        // No delivery needs its entry's number: a few statements per batch.
        for chunk in changes.chunks(200) {
            change_event::Entity::insert_many(chunk.iter().map(|c| row(c, now)))
                .exec_without_returning(db)
                .await?;
        }
        return Ok(());
    }
    for change in changes {
        let seq = insert(db, change, now).await?;
        if let Some(event) = change.feed {
            outbox::feed_change(db, &subscribers, seq, change, event, now).await?;
        }
    }
    Ok(())
}

fn row(change: &Change<'_>, now: DateTime<Utc>) -> change_event::ActiveModel {
    change_event::ActiveModel {
        seq: NotSet,
        entity_type: Set(change.entity),
        entity_id: Set(change.id),
        action: Set(change.action),
        feed_event: Set(change.feed),
        version: Set(change.version),
        slug: Set(change.slug.map(str::to_owned)),
        external_id: Set(change.external_id.map(str::to_owned)),
        occurred_at: Set(now),
    }
}

async fn insert(db: &impl ConnectionTrait, change: &Change<'_>, now: DateTime<Utc>) -> AppResult<i64> {
    Ok(change_event::Entity::insert(row(change, now)).exec(db).await?.last_insert_id)
}

/// Whether the public feed ever had an entry for this entity.
pub async fn was_announced(db: &impl ConnectionTrait, entity: Entity, id: Uuid) -> AppResult<bool> {
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let n = change_event::Entity::find()
        .filter(change_event::Column::EntityType.eq(entity))
        .filter(change_event::Column::EntityId.eq(id))
        .filter(change_event::Column::FeedEvent.is_not_null())
        .count(db)
        .await?;
    Ok(n > 0)
}

/// Serialises the feed's writers from here to their commit. Sequence numbers
/// are taken in the order transactions start, not commit: without this, a
/// transaction holding number 9 could commit after one holding 10, and a
/// reader that had seen 10 would resume past 9 and never see it. Holding the
/// one `feed_lock` row, the next writer takes its number only after the
/// previous one committed or rolled back, so numbers become visible in
/// order and a reader's cursor never passes a number still to come. SQLite
/// has one writer at a time anyway; there this costs one row write.
async fn take_turn(db: &impl ConnectionTrait) -> AppResult<()> {
    let sql = "UPDATE feed_lock SET bumps = bumps + 1 WHERE id = 1";
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Action, FeedEvent};

    #[test]
    fn which_public_event_a_change_is() {
        use Action::*;
        // (was public, is public, action) → what the public feed says
        for (was, is, action, event) in [
            (false, false, Updated, None),
            (false, true, Published, Some(FeedEvent::Published)),
            (true, true, Updated, Some(FeedEvent::Updated)),
            (true, true, Corrected, Some(FeedEvent::Corrected)),
            (true, true, RelatedChanged, Some(FeedEvent::Updated)),
            (true, false, Unpublished, Some(FeedEvent::Unpublished)),
            (true, false, Archived, Some(FeedEvent::Unpublished)),
            (true, false, Deleted, Some(FeedEvent::Deleted)),
            (false, false, Deleted, None),
            (false, false, Scheduled, None),
        ] {
            assert_eq!(FeedEvent::of_article(was, is, action), event, "{was} {is} {action:?}");
        }
        assert!(FeedEvent::Deleted.is_tombstone() && FeedEvent::Unpublished.is_tombstone());
        assert!(!FeedEvent::Updated.is_tombstone());
    }
}

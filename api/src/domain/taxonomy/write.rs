//! Creating and renaming sections, tags and authors. Each write is one
//! transaction with its change-feed entry; slugs are checked for format and
//! uniqueness with every failing field named.

use super::{Author, Section, Tag};
use crate::domain::accounts::{Actor, policy};
use crate::domain::journal::{self, Change, Entity as Kind};
use crate::domain::slug;
use crate::domain::text::{self, Lines};
use crate::domain::tx;
use crate::error::{AppError, AppResult, Validator};
use chrono::{DateTime, Utc};
use entity::{author, media, section, tag};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

/// Fields shared by sections, tags and authors. `None` leaves a field as
/// it is; `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct TermInput {
    pub slug: Option<String>,
    pub name: Option<String>,
    /// Section description or author bio.
    pub about: Option<Option<String>>,
    /// Author avatar.
    pub avatar_id: Option<Option<Uuid>>,
}

const MAX_NAME: usize = 200;
const MAX_ABOUT: usize = 5000;

impl TermInput {
    fn check(&self, creating: bool, v: &mut Validator) {
        if creating {
            v.check(self.slug.is_some(), "slug", "is required");
            v.check(self.name.is_some(), "name", "is required");
        }
        if let Some(s) = &self.slug {
            slug::check(v, "slug", s);
        }
        if let Some(n) = &self.name {
            let len = n.trim().chars().count();
            v.check(len > 0 && len <= MAX_NAME, "name", "must be 1 to 200 characters");
            text::check(v, "name", n, Lines::Single);
        }
        if let Some(Some(a)) = &self.about {
            v.check(a.chars().count() <= MAX_ABOUT, "about", "must be at most 5000 characters");
            text::check(v, "about", a, Lines::Multi);
        }
    }
}

/// Writes one kind of term: the same checks, transaction and change-feed
/// entry for sections, tags and authors; only the fields differ.
macro_rules! save_term {
    ($(#[$doc:meta])* $fn:ident, $entity:ident, $model:ty, $what:literal, $kind:expr,
     new: { $($new_field:ident: $new_value:expr),* },
     apply: |$row:ident, $input:ident| $apply:block) => {
        $(#[$doc])*
        pub async fn $fn<C: tx::Db>(
            db: &C,
            actor: &Actor,
            id: Option<Uuid>,
            $input: TermInput,
            now: DateTime<Utc>,
        ) -> AppResult<$model> {
            policy::can_write_content(actor)?;
            let mut v = Validator::new();
            $input.check(id.is_none(), &mut v);
            let v = v;
            tx::unit!(db, |txn| {
                let (mut v, $input) = (v.clone(), $input.clone());
                let current = match id {
                    Some(id) => Some($entity::Entity::find_by_id(id).one(txn).await?.ok_or(AppError::NotFound($what))?),
                    None => None,
                };
                // Lookups only with well-formed values (PostgreSQL refuses NUL).
                if let Some(s) = $input.slug.as_ref().filter(|s| slug::is_valid(s)) {
                    let mut q = $entity::Entity::find().filter($entity::Column::Slug.eq(s.as_str()));
                    if let Some(id) = id {
                        q = q.filter($entity::Column::Id.ne(id));
                    }
                    if q.count(txn).await? > 0 {
                        v.refuse("slug", concat!("is already used by another ", $what));
                    }
                }
                if let Some(Some(m)) = $input.avatar_id
                    && media::Entity::find_by_id(m).count(txn).await? == 0
                {
                    v.refuse("avatarId", "no such media");
                }
                v.finish()?;
                let mut $row: $entity::ActiveModel = match current {
                    Some(c) => c.into(),
                    None => $entity::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        created_at: Set(now),
                        $($new_field: Set($new_value),)*
                        ..Default::default()
                    },
                };
                if let Some(s) = $input.slug.clone() {
                    $row.slug = Set(s);
                }
                if let Some(n) = $input.name.clone() {
                    $row.name = Set(n.trim().to_owned());
                }
                $apply
                $row.updated_at = Set(now);
                let saved = if id.is_some() {
                    $entity::Entity::update($row).exec(txn).await?
                } else {
                    $entity::Entity::insert($row).exec_with_returning(txn).await?
                };
                record(txn, $kind, saved.id, id.is_none(), &saved.slug, now).await?;
                Ok(saved)
            })
        }
    };
}

save_term!(
    /// Creates (`id` None) or updates a section.
    save_section, section, Section, "section", Kind::Section,
    new: { description: None },
    apply: |row, input| {
        if let Some(a) = input.about {
            row.description = Set(text::trimmed(a));
        }
    }
);

save_term!(
    /// Creates (`id` None) or updates a tag.
    save_tag, tag, Tag, "tag", Kind::Tag,
    new: {},
    apply: |row, input| {}
);

save_term!(
    /// Creates (`id` None) or updates an author.
    save_author, author, Author, "author", Kind::Author,
    new: { bio: None, avatar_id: None },
    apply: |row, input| {
        if let Some(a) = input.about {
            row.bio = Set(text::trimmed(a));
        }
        if let Some(a) = input.avatar_id {
            row.avatar_id = Set(a);
        }
    }
);

async fn record(
    db: &impl ConnectionTrait,
    kind: Kind,
    id: Uuid,
    created: bool,
    slug: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    journal::record(db, Change::term(kind, id, created, slug), now).await?;
    Ok(())
}

/// The id of the section, tag or author with `slug`, created with `name`
/// (and `about`, and an author's avatar) when missing, in the caller's
/// transaction and without a feed entry: an import records its batch at
/// once. True when created.
pub async fn ensure(
    db: &impl tx::Db,
    kind: Kind,
    slug_text: &str,
    name: &str,
    about: Option<&str>,
    avatar: Option<&crate::domain::media::Media>,
    now: DateTime<Utc>,
) -> AppResult<(Uuid, bool)> {
    check_ensure(kind, slug_text, name, about, avatar.is_some())?;
    let id = Uuid::now_v7();
    let about = text::trimmed(about.map(str::to_owned));
    let name = name.trim().to_owned();
    macro_rules! find_or_insert {
        ($entity:ident, $row:expr) => {{
            let find = || $entity::Entity::find().filter($entity::Column::Slug.eq(slug_text));
            if let Some(found) = find().one(db).await? {
                return Ok((found.id, false));
            }
            // Imports running at once may bring the same new term: the one
            // that loses the insert takes the winner's row, which a locking
            // read sees whatever the isolation level.
            if !tx::insert_unless_present(db, $row).await? {
                let found = find().lock_exclusive().one(db).await?.ok_or(AppError::Busy)?;
                return Ok((found.id, false));
            }
        }};
    }
    match kind {
        Kind::Section => find_or_insert!(
            section,
            section::ActiveModel {
                id: Set(id),
                slug: Set(slug_text.to_owned()),
                name: Set(name),
                description: Set(about),
                created_at: Set(now),
                updated_at: Set(now),
            }
        ),
        Kind::Tag => find_or_insert!(
            tag,
            tag::ActiveModel {
                id: Set(id),
                slug: Set(slug_text.to_owned()),
                name: Set(name),
                created_at: Set(now),
                updated_at: Set(now),
            }
        ),
        Kind::Author => find_or_insert!(
            author,
            author::ActiveModel {
                id: Set(id),
                slug: Set(slug_text.to_owned()),
                name: Set(name),
                bio: Set(about),
                avatar_id: Set(picture(db, avatar, now).await?),
                created_at: Set(now),
                updated_at: Set(now),
            }
        ),
        Kind::Article | Kind::Media => {
            return Err(AppError::field("kind", "is not a section, tag or author"));
        }
    }
    Ok((id, true))
}

/// What `ensure` checks before it looks: a term must be well formed even
/// when the caller already knows it.
pub fn check_ensure(kind: Kind, slug: &str, name: &str, about: Option<&str>, avatar: bool) -> AppResult<()> {
    if avatar && kind != Kind::Author {
        return Err(AppError::field("avatar", "only an author has one"));
    }
    let input = TermInput {
        slug: Some(slug.to_owned()),
        name: Some(name.to_owned()),
        about: Some(about.map(str::to_owned)),
        avatar_id: None,
    };
    let mut v = Validator::new();
    input.check(true, &mut v);
    v.finish()
}

async fn picture(
    db: &impl tx::Db,
    avatar: Option<&crate::domain::media::Media>,
    now: DateTime<Utc>,
) -> AppResult<Option<Uuid>> {
    match avatar {
        Some(m) => Ok(Some(crate::domain::media::ensure(db, m, now).await.map_err(|e| e.under("avatar."))?)),
        None => Ok(None),
    }
}

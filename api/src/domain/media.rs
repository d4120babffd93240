//! Images and their credits. Renditions are URLs built from a configured
//! image-CDN template; Dateline itself never processes images.

use crate::domain::accounts::{Actor, policy};
use crate::domain::journal::{self, Action, Change, Entity as Kind};
use crate::domain::text::is_web_url;
use crate::domain::text::{self, Lines};
use crate::domain::tx;
use crate::error::{AppError, AppResult, Validator};
use entity::media;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

pub type Media = media::Model;

/// Widths offered to responsive images when a CDN template is configured.
pub const RENDITION_WIDTHS: [i32; 4] = [320, 640, 1024, 1600];

pub async fn by_id(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Media>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = media::Entity::find()
        .filter(media::Column::Id.is_in(crate::domain::sql::padded(ids)))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|m| (m.id, m)).collect())
}

/// The credit line as a page prints it: "Photo: Hector Vivas/Getty Images".
pub fn credit_text(m: &Media) -> Option<String> {
    let who: Vec<&str> =
        [m.credit_photographer.as_deref(), m.credit_agency.as_deref()].into_iter().flatten().collect();
    if who.is_empty() {
        return m.credit_rights_holder.as_ref().map(|r| format!("Photo: {r}"));
    }
    Some(format!("Photo: {}", who.join("/")))
}

/// Who made a picture and on what terms it may be used, as both APIs show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    pub text: Option<String>,
    pub photographer: Option<String>,
    pub agency: Option<String>,
    pub rights_holder: Option<String>,
    pub license: Option<String>,
    pub license_expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub fn credit(m: &Media) -> Credit {
    Credit {
        text: credit_text(m),
        photographer: m.credit_photographer.clone(),
        agency: m.credit_agency.clone(),
        rights_holder: m.credit_rights_holder.clone(),
        license: m.credit_license.clone(),
        license_expires_at: m.credit_license_expires_at,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendition {
    pub width: i32,
    pub url: String,
}

/// Resized copies from the configured image CDN; empty when none is set.
pub fn renditions(template: Option<&str>, m: &Media) -> Vec<Rendition> {
    RENDITION_WIDTHS
        .iter()
        .filter_map(|w| rendition_url(template, m, *w).map(|url| Rendition { width: *w, url }))
        .collect()
}

/// A rendition URL, or None when no CDN template is configured.
pub fn rendition_url(template: Option<&str>, m: &Media, width: i32) -> Option<String> {
    let t = template?;
    let encoded: String = url::form_urlencoded::byte_serialize(m.url.as_bytes()).collect();
    Some(t.replace("{url}", &encoded).replace("{width}", &width.to_string()))
}

/// What writers send for an image. `None` leaves a field as it is;
/// `Some(None)` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct MediaInput {
    pub url: Option<String>,
    pub alt: Option<Option<String>>,
    pub caption: Option<Option<String>>,
    pub width: Option<Option<i32>>,
    pub height: Option<Option<i32>>,
    pub mime_type: Option<Option<String>>,
    pub photographer: Option<Option<String>>,
    pub agency: Option<Option<String>>,
    pub rights_holder: Option<Option<String>>,
    pub license: Option<Option<String>>,
    pub license_expires_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
}

const MAX_CREDIT: usize = 200;
const MAX_CAPTION: usize = 2000;

fn short_text(v: &mut Validator, path: &str, value: &Option<Option<String>>, max: usize, lines: Lines) {
    if let Some(Some(s)) = value {
        v.check(s.chars().count() <= max, path, &format!("must be at most {max} characters"));
        text::check(v, path, s, lines);
    }
}

impl MediaInput {
    fn check(&self, creating: bool, v: &mut Validator) {
        if creating {
            v.check(self.url.is_some(), "url", "is required");
        }
        if let Some(u) = &self.url {
            v.check(is_web_url(u), "url", "must be an http(s) URL");
            text::check(v, "url", u, Lines::Single);
        }
        for (path, dim) in [("width", self.width), ("height", self.height)] {
            if let Some(Some(n)) = dim {
                v.check((1..=100_000).contains(&n), path, "must be between 1 and 100000");
            }
        }
        short_text(v, "alt", &self.alt, MAX_CAPTION, Lines::Multi);
        short_text(v, "caption", &self.caption, MAX_CAPTION, Lines::Multi);
        short_text(v, "mimeType", &self.mime_type, 100, Lines::Single);
        short_text(v, "credit.photographer", &self.photographer, MAX_CREDIT, Lines::Single);
        short_text(v, "credit.agency", &self.agency, MAX_CREDIT, Lines::Single);
        short_text(v, "credit.rightsHolder", &self.rights_holder, MAX_CREDIT, Lines::Single);
        short_text(v, "credit.license", &self.license, MAX_CREDIT, Lines::Single);
    }
}

/// Creates (`id` None) or updates an image, in one transaction with its
/// change-feed entry.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save<C: tx::Db>(
    db: &C,
    actor: &Actor,
    id: Option<Uuid>,
    input: MediaInput,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Media> {
    policy::can_write_content(actor)?;
    let mut v = Validator::new();
    input.check(id.is_none(), &mut v);
    v.finish()?;
    tx::unit!(db, |txn| {
        let input = input.clone();
        let mut row: media::ActiveModel = match id {
            Some(id) => {
                media::Entity::find_by_id(id).one(txn).await?.ok_or(AppError::NotFound("media"))?.into()
            }
            None => media::ActiveModel {
                id: Set(Uuid::now_v7()),
                alt_text: Set(None),
                caption: Set(None),
                width: Set(None),
                height: Set(None),
                mime_type: Set(None),
                credit_photographer: Set(None),
                credit_agency: Set(None),
                credit_rights_holder: Set(None),
                credit_license: Set(None),
                credit_license_expires_at: Set(None),
                created_at: Set(now),
                ..Default::default()
            },
        };
        if let Some(u) = input.url {
            row.url = Set(u);
        }
        if let Some(x) = input.alt {
            row.alt_text = Set(text::trimmed(x));
        }
        if let Some(x) = input.caption {
            row.caption = Set(text::trimmed(x));
        }
        if let Some(x) = input.width {
            row.width = Set(x);
        }
        if let Some(x) = input.height {
            row.height = Set(x);
        }
        if let Some(x) = input.mime_type {
            row.mime_type = Set(text::trimmed(x));
        }
        if let Some(x) = input.photographer {
            row.credit_photographer = Set(text::trimmed(x));
        }
        if let Some(x) = input.agency {
            row.credit_agency = Set(text::trimmed(x));
        }
        if let Some(x) = input.rights_holder {
            row.credit_rights_holder = Set(text::trimmed(x));
        }
        if let Some(x) = input.license {
            row.credit_license = Set(text::trimmed(x));
        }
        if let Some(x) = input.license_expires_at {
            row.credit_license_expires_at = Set(x);
        }
        row.updated_at = Set(now);
        let saved = if id.is_some() {
            media::Entity::update(row).exec(txn).await?
        } else {
            media::Entity::insert(row).exec_with_returning(txn).await?
        };
        let action = if id.is_some() { Action::Updated } else { Action::Created };
        journal::record(
            txn,
            Change {
                entity: Kind::Media,
                id: saved.id,
                action,
                feed: None,
                version: None,
                slug: None,
                external_id: None,
                story: None,
                before: None,
            },
            now,
        )
        .await?;
        Ok(saved)
    })
}

/// A picture exactly like this one (same URL, text and credit), or a new
/// one, in the caller's transaction: an import reuses what it brought in
/// before rather than adding a copy each run.
pub async fn ensure(
    db: &impl ConnectionTrait,
    m: &Media,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Uuid> {
    let mut v = Validator::new();
    v.check(is_web_url(&m.url), "url", "must be an http(s) URL");
    for (path, value) in [("alt", &m.alt_text), ("caption", &m.caption)] {
        if let Some(s) = value {
            v.check(
                s.chars().count() <= MAX_CAPTION,
                path,
                &format!("must be at most {MAX_CAPTION} characters"),
            );
            text::check(&mut v, path, s, Lines::Multi);
        }
    }
    for (path, value) in [
        ("photographer", &m.credit_photographer),
        ("agency", &m.credit_agency),
        ("rightsHolder", &m.credit_rights_holder),
        ("license", &m.credit_license),
        ("mimeType", &m.mime_type),
    ] {
        if let Some(s) = value {
            v.check(
                s.chars().count() <= MAX_CREDIT,
                path,
                &format!("must be at most {MAX_CREDIT} characters"),
            );
            text::check(&mut v, path, s, Lines::Single);
        }
    }
    v.finish()?;
    let same = media::Entity::find().filter(media::Column::Url.eq(m.url.as_str())).all(db).await?;
    let like = |o: &Media| {
        (&o.alt_text, &o.caption, o.width, o.height, &o.mime_type, &o.credit_photographer)
            == (&m.alt_text, &m.caption, m.width, m.height, &m.mime_type, &m.credit_photographer)
            && (&o.credit_agency, &o.credit_rights_holder, &o.credit_license, o.credit_license_expires_at)
                == (&m.credit_agency, &m.credit_rights_holder, &m.credit_license, m.credit_license_expires_at)
    };
    if let Some(found) = same.iter().find(|o| like(o)) {
        return Ok(found.id);
    }
    let id = Uuid::now_v7();
    let row = media::ActiveModel {
        id: Set(id),
        created_at: Set(now),
        updated_at: Set(now),
        ..media::Model { id, ..m.clone() }.into()
    };
    media::Entity::insert(row).exec_without_returning(db).await?;
    Ok(id)
}

//! Images and their credits. Renditions are URLs built from a configured
//! image-CDN template; Dateline itself never processes images.

use crate::error::AppResult;
use entity::media;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;
use uuid::Uuid;

pub type Media = media::Model;

/// Widths offered to responsive images when a CDN template is configured.
pub const RENDITION_WIDTHS: [i32; 4] = [320, 640, 1024, 1600];

pub async fn by_id(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Media>> {
    let rows = media::Entity::find().filter(media::Column::Id.is_in(ids.iter().copied())).all(db).await?;
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

/// A rendition URL, or None when no CDN template is configured.
pub fn rendition_url(template: Option<&str>, m: &Media, width: i32) -> Option<String> {
    let t = template?;
    let encoded: String = url::form_urlencoded::byte_serialize(m.url.as_bytes()).collect();
    Some(t.replace("{url}", &encoded).replace("{width}", &width.to_string()))
}

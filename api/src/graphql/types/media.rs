use crate::domain::media;
use crate::graphql::ids::{self, Kind};
use crate::graphql::state;
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

/// Who made a picture and on what terms it may be used.
#[derive(SimpleObject)]
pub struct Credit {
    /// The printed credit line, e.g. "Photo: Hector Vivas/Getty Images".
    pub text: Option<String>,
    pub photographer: Option<String>,
    pub agency: Option<String>,
    pub rights_holder: Option<String>,
    pub license: Option<String>,
    pub license_expires_at: Option<DateTime<Utc>>,
}

#[derive(SimpleObject)]
pub struct Rendition {
    pub width: i32,
    pub url: String,
}

/// An image with its caption and structured credit.
pub struct Media(pub media::Media);

#[Object]
impl Media {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Media, self.0.id)
    }
    async fn url(&self) -> &str {
        &self.0.url
    }
    async fn alt(&self) -> Option<&str> {
        self.0.alt_text.as_deref()
    }
    async fn caption(&self) -> Option<&str> {
        self.0.caption.as_deref()
    }
    async fn width(&self) -> Option<i32> {
        self.0.width
    }
    async fn height(&self) -> Option<i32> {
        self.0.height
    }
    async fn mime_type(&self) -> Option<&str> {
        self.0.mime_type.as_deref()
    }
    async fn credit(&self) -> Credit {
        let c = media::credit(&self.0);
        Credit {
            text: c.text,
            photographer: c.photographer,
            agency: c.agency,
            rights_holder: c.rights_holder,
            license: c.license,
            license_expires_at: c.license_expires_at,
        }
    }
    /// Resized copies from the configured image CDN; empty when none is set.
    async fn renditions(&self, ctx: &Context<'_>) -> Vec<Rendition> {
        let template = state(ctx).config.site.image_cdn_template.as_deref();
        media::renditions(template, &self.0)
            .into_iter()
            .map(|r| Rendition { width: r.width, url: r.url })
            .collect()
    }
}

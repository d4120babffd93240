//! REST response shapes: views assembled from domain rows, never entity
//! derives. Field names match GraphQL's, in camelCase.

use crate::domain::articles::relations::ArticleRelations;
use crate::domain::articles::urls::PublicUrls;
use crate::domain::articles::{self, Article, ArticleBody, present};
use crate::domain::body::{self, Block};
use crate::domain::media::{self, Media};
use crate::domain::taxonomy::{Author, Section, Tag};
use crate::rest::names::{ArticleStatus, CommentsStatusName};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreditView {
    /// The printed credit line, e.g. "Photo: Hector Vivas/Getty Images".
    pub text: Option<String>,
    pub photographer: Option<String>,
    pub agency: Option<String>,
    pub rights_holder: Option<String>,
    pub license: Option<String>,
    pub license_expires_at: Option<DateTime<Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct RenditionView {
    pub width: i32,
    pub url: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MediaView {
    pub id: Uuid,
    pub url: String,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub mime_type: Option<String>,
    pub credit: CreditView,
    pub renditions: Vec<RenditionView>,
}

impl MediaView {
    pub fn new(m: &Media, cdn_template: Option<&str>) -> Self {
        Self {
            id: m.id,
            url: m.url.clone(),
            alt: m.alt_text.clone(),
            caption: m.caption.clone(),
            width: m.width,
            height: m.height,
            mime_type: m.mime_type.clone(),
            credit: {
                let c = media::credit(m);
                CreditView {
                    text: c.text,
                    photographer: c.photographer,
                    agency: c.agency,
                    rights_holder: c.rights_holder,
                    license: c.license,
                    license_expires_at: c.license_expires_at,
                }
            },
            renditions: media::renditions(cdn_template, m)
                .into_iter()
                .map(|r| RenditionView { width: r.width, url: r.url })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuthorView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub bio: Option<String>,
    pub avatar: Option<MediaView>,
}

impl AuthorView {
    /// Without the avatar resolved (write responses).
    pub fn bare(a: &Author) -> Self {
        Self { id: a.id, slug: a.slug.clone(), name: a.name.clone(), bio: a.bio.clone(), avatar: None }
    }

    fn new(a: &Author, rel: &ArticleRelations, cdn: Option<&str>) -> Self {
        Self {
            id: a.id,
            slug: a.slug.clone(),
            name: a.name.clone(),
            bio: a.bio.clone(),
            avatar: a.avatar_id.and_then(|id| rel.media.get(&id)).map(|m| MediaView::new(m, cdn)),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SectionView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
}

impl From<&Section> for SectionView {
    fn from(s: &Section) -> Self {
        Self { id: s.id, slug: s.slug.clone(), name: s.name.clone(), description: s.description.clone() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TagView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

impl From<&Tag> for TagView {
    fn from(t: &Tag) -> Self {
        Self { id: t.id, slug: t.slug.clone(), name: t.name.clone() }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CorrectionView {
    pub text: String,
    pub published_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeoView {
    pub title: String,
    pub description: Option<String>,
    pub canonical_url: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AudioView {
    pub url: String,
    pub duration_seconds: Option<i32>,
    pub mime_type: Option<String>,
}

/// One body, three forms: typed blocks, sanitized HTML and plain text.
#[derive(Serialize, ToSchema)]
pub struct BodyView {
    pub blocks: Vec<Block>,
    pub html: String,
    pub text: String,
}

/// What a write returns to a key that may not read drafts, for a story
/// that is not public: enough to go on (the version for `If-Match`), none
/// of the unpublished text.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WriteReceiptView {
    pub id: Uuid,
    /// The writer chose it, so it is no secret to them.
    pub slug: String,
    pub version: i32,
    pub status: ArticleStatus,
}

impl WriteReceiptView {
    pub fn new(a: &Article, now: DateTime<Utc>) -> Self {
        Self { id: a.id, slug: a.slug.clone(), version: a.version, status: present::status(a, now).into() }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArticleView {
    pub id: Uuid,
    pub slug: String,
    pub external_id: Option<String>,
    pub headline: String,
    pub dek: Option<String>,
    pub dateline: Option<String>,
    pub status: ArticleStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub word_count: i32,
    pub reading_time_minutes: i32,
    pub comments_status: CommentsStatusName,
    pub comment_count: i32,
    pub seo: SeoView,
    pub audio: Option<AudioView>,
    pub hero_image: Option<MediaView>,
    pub authors: Vec<AuthorView>,
    pub section: Option<SectionView>,
    pub tags: Vec<TagView>,
    pub corrections: Vec<CorrectionView>,
    /// The story's address on the publisher's site.
    pub url: String,
    /// Present on single-article responses; lists leave it out to stay small.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<BodyView>,
}

/// What a story's view depends on besides the story: the image CDN, the
/// site's addresses and the comment settings (a thread closes by itself).
#[derive(Clone, Copy)]
pub struct Site<'a> {
    pub cdn: Option<&'a str>,
    pub urls: &'a PublicUrls,
    pub comments: &'a crate::domain::comments::CommentSettings,
}

impl<'a> Site<'a> {
    pub fn of(state: &'a crate::state::AppState) -> Self {
        Self {
            cdn: state.config.site.image_cdn_template.as_deref(),
            urls: &state.urls,
            comments: &state.community.comments,
        }
    }
}

impl ArticleView {
    pub fn new(
        a: &Article,
        rel: &ArticleRelations,
        now: DateTime<Utc>,
        site: &Site<'_>,
        body: Option<&ArticleBody>,
    ) -> Self {
        let Site { cdn, urls, comments } = *site;
        let links = rel.links(a);
        Self {
            id: a.id,
            slug: a.slug.clone(),
            external_id: a.external_id.clone(),
            headline: a.headline.clone(),
            dek: a.dek.clone(),
            dateline: a.dateline.clone(),
            status: present::status(a, now).into(),
            published_at: a.published_at,
            scheduled_at: present::scheduled_at(a, now),
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
            word_count: a.word_count,
            reading_time_minutes: articles::reading_time_minutes(a),
            comments_status: crate::domain::comments::threads::status_now(a, comments, now).into(),
            comment_count: present::comment_count(a),
            seo: {
                let s = present::seo(a);
                SeoView { title: s.title, description: s.description, canonical_url: s.canonical_url }
            },
            audio: present::audio(a).map(|x| AudioView {
                url: x.url,
                duration_seconds: x.duration_seconds,
                mime_type: x.mime_type,
            }),
            hero_image: a.hero_image_id.and_then(|id| rel.media.get(&id)).map(|m| MediaView::new(m, cdn)),
            authors: links
                .into_iter()
                .flat_map(|l| &l.authors)
                .map(|x| AuthorView::new(x, rel, cdn))
                .collect(),
            section: links.and_then(|l| l.section.as_ref()).map(SectionView::from),
            tags: links.into_iter().flat_map(|l| &l.tags).map(TagView::from).collect(),
            corrections: rel
                .corrections
                .get(&a.id)
                .into_iter()
                .flatten()
                .map(|c| CorrectionView { text: c.text.clone(), published_at: c.published_at })
                .collect(),
            url: urls.of(a, links.and_then(|l| l.section.as_ref()).map(|s| s.slug.as_str())),
            body: body.map(|b| BodyView {
                blocks: body::parse_stored(&b.body_blocks),
                html: b.body_html.clone(),
                text: b.body_text.clone(),
            }),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArticleList {
    pub items: Vec<ArticleView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

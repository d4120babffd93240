//! Syndication: RSS 2.0, Atom and JSON Feed 1.1 of the latest stories
//! (overall, or of one section, tag or author), the Google News sitemap and
//! a sitemap index of the whole archive. Views over `domain::sync::syndication`,
//! rendered with the `rss` and `atom_syndication` crates (sitemaps with
//! quick-xml's escaping); every answer carries an ETag and a 304.

use super::cache::bytes_with_etag;
use crate::domain::articles::{Article, ArticleBody};
use crate::domain::media;
use crate::domain::pagination::Cursor;
use crate::domain::sync::syndication::{self, Feed, Listed, Scope};
use crate::domain::{cursor, text};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, SecondsFormat, Utc};
use quick_xml::escape::escape;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// Only stories of this section (slug).
    #[param(pattern = "@slug", max_length = 120)]
    section: Option<String>,
    /// Only stories with this tag (slug).
    #[param(pattern = "@slug", max_length = 120)]
    tag: Option<String>,
    /// Only stories by this author (slug).
    #[param(pattern = "@slug", max_length = 120)]
    author: Option<String>,
}

/// What every format shows of one story.
struct Story<'a> {
    article: &'a Article,
    body: &'a ArticleBody,
    url: String,
    authors: Vec<String>,
    categories: Vec<(String, String)>,
    image: Option<&'a media::Media>,
    /// The body with its corrections noted at the end.
    html: String,
}

fn stories<'a>(state: &AppState, feed: &'a Feed) -> Vec<Story<'a>> {
    feed.stories
        .iter()
        .map(|(a, b)| {
            let links = feed.rel.links(a);
            let section = links.and_then(|l| l.section.as_ref());
            let mut categories: Vec<(String, String)> =
                section.map(|s| (s.slug.clone(), s.name.clone())).into_iter().collect();
            categories.extend(
                links
                    .map(|l| l.tags.iter().map(|t| (t.slug.clone(), t.name.clone())).collect::<Vec<_>>())
                    .unwrap_or_default(),
            );
            let mut html = b.body_html.clone();
            if let Some(cs) = feed.rel.corrections.get(&a.id).filter(|c| !c.is_empty()) {
                html.push_str("<aside class=\"corrections\">");
                for c in cs {
                    html.push_str(&format!(
                        "<p><strong>Correction</strong> ({}): {}</p>",
                        c.published_at.format("%Y-%m-%d"),
                        escape(c.text.as_str())
                    ));
                }
                html.push_str("</aside>");
            }
            Story {
                article: a,
                body: b,
                url: state.urls.of(a, section.map(|s| s.slug.as_str())),
                authors: links
                    .map(|l| l.authors.iter().map(|x| x.name.clone()).collect())
                    .unwrap_or_default(),
                categories,
                image: a.hero_image_id.and_then(|m| feed.rel.media.get(&m)),
                html,
            }
        })
        .collect()
}

fn title(state: &AppState, feed: &Feed) -> String {
    match &feed.subject {
        Some(s) => format!("{}: {s}", state.config.site.site_title),
        None => state.config.site.site_title.clone(),
    }
}

fn self_url(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}{}", info.scheme(), info.host(), req.uri())
}

fn published(a: &Article) -> DateTime<Utc> {
    a.published_at.unwrap_or(a.created_at)
}

fn image_type(m: &media::Media) -> String {
    m.mime_type.clone().unwrap_or_else(|| "image/jpeg".into())
}

async fn load(state: &AppState, params: FeedParams) -> AppResult<Feed> {
    let scope = Scope::parse(params.section, params.tag, params.author)?;
    syndication::latest(&state.db, &state.catalog, &scope, state.clock.now()).await
}

/// RSS 2.0 of the latest stories, with full content.
#[utoipa::path(
    tag = "syndication",
    params(FeedParams),
    responses((status = 200, description = "RSS 2.0", content_type = "application/rss+xml", body = String), (status = 304, description = "Not modified"), (status = 400, description = "A malformed slug"), (status = 404, description = "No such section, tag or author"))
)]
#[get("/feeds/rss")]
pub async fn rss_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    params: web::Query<FeedParams>,
) -> AppResult<HttpResponse> {
    let feed = load(&state, params.into_inner()).await?;
    let mut channel = rss::Channel {
        title: title(&state, &feed),
        link: state.urls.site().to_owned(),
        description: format!("The latest stories from {}", title(&state, &feed)),
        language: Some(state.config.site.site_language.clone()),
        generator: Some("Dateline".into()),
        last_build_date: feed.stories.iter().map(|(a, _)| a.updated_at).max().map(|d| d.to_rfc2822()),
        ..Default::default()
    };
    channel.namespaces.insert("media".into(), "http://search.yahoo.com/mrss/".into());
    channel.namespaces.insert("dc".into(), "http://purl.org/dc/elements/1.1/".into());
    channel.namespaces.insert("content".into(), "http://purl.org/rss/1.0/modules/content/".into());
    channel.atom_ext = Some(rss::extension::atom::AtomExtension {
        links: vec![rss::extension::atom::Link {
            href: self_url(&req),
            rel: "self".into(),
            mime_type: Some("application/rss+xml".into()),
            ..Default::default()
        }],
    });
    for s in stories(&state, &feed) {
        let mut item = rss::Item {
            title: Some(s.article.headline.clone()),
            link: Some(s.url.clone()),
            // RSS description is HTML; the dek is plain text, so it is
            // escaped (as Atom's and JSON Feed's plain summaries are).
            description: s.article.dek.as_deref().map(|d| escape(d).into_owned()),
            guid: Some(rss::Guid { value: format!("urn:uuid:{}", s.article.id), permalink: false }),
            pub_date: Some(published(s.article).to_rfc2822()),
            content: Some(s.html.clone()),
            categories: s
                .categories
                .iter()
                .map(|(_, name)| rss::Category { name: name.clone(), domain: None })
                .collect(),
            ..Default::default()
        };
        if !s.authors.is_empty() {
            item.dublin_core_ext = Some(rss::extension::dublincore::DublinCoreExtension {
                creators: s.authors.clone(),
                ..Default::default()
            });
        }
        if let Some(m) = s.image {
            item.enclosure =
                Some(rss::Enclosure { url: m.url.clone(), length: "0".into(), mime_type: image_type(m) });
            let mut attrs = BTreeMap::from([
                ("url".to_owned(), m.url.clone()),
                ("medium".to_owned(), "image".to_owned()),
                ("type".to_owned(), image_type(m)),
            ]);
            if let Some(w) = m.width {
                attrs.insert("width".into(), w.to_string());
            }
            if let Some(h) = m.height {
                attrs.insert("height".into(), h.to_string());
            }
            let mut children = BTreeMap::new();
            if let Some(text) = m.caption.clone().or_else(|| m.alt_text.clone()) {
                children.insert(
                    "description".to_owned(),
                    vec![rss::extension::Extension {
                        name: "media:description".into(),
                        value: Some(text),
                        ..Default::default()
                    }],
                );
            }
            if let Some(credit) = media::credit_text(m) {
                children.insert(
                    "credit".to_owned(),
                    vec![rss::extension::Extension {
                        name: "media:credit".into(),
                        value: Some(credit),
                        ..Default::default()
                    }],
                );
            }
            let content =
                rss::extension::Extension { name: "media:content".into(), value: None, attrs, children };
            item.extensions.insert("media".into(), BTreeMap::from([("content".to_owned(), vec![content])]));
        }
        channel.items.push(item);
    }
    Ok(bytes_with_etag(
        &req,
        text::xml_document(channel.to_string()).into_bytes(),
        "application/rss+xml; charset=utf-8",
        true,
        None,
    ))
}

/// Atom of the latest stories, with full content.
#[utoipa::path(
    tag = "syndication",
    params(FeedParams),
    responses((status = 200, description = "Atom", content_type = "application/atom+xml", body = String), (status = 304, description = "Not modified"), (status = 400, description = "A malformed slug"), (status = 404, description = "No such section, tag or author"))
)]
#[get("/feeds/atom")]
pub async fn atom_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    params: web::Query<FeedParams>,
) -> AppResult<HttpResponse> {
    use atom_syndication as atom;
    let feed = load(&state, params.into_inner()).await?;
    let now = state.clock.now();
    let fixed = |d: DateTime<Utc>| d.fixed_offset();
    let mut out = atom::Feed {
        title: atom::Text::plain(title(&state, &feed)),
        id: self_url(&req),
        updated: fixed(feed.stories.iter().map(|(a, _)| a.updated_at).max().unwrap_or(now)),
        links: vec![
            atom::Link {
                href: self_url(&req),
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Default::default()
            },
            atom::Link {
                href: state.urls.site().to_owned(),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Default::default()
            },
        ],
        generator: Some(atom::Generator { value: "Dateline".into(), ..Default::default() }),
        lang: Some(state.config.site.site_language.clone()),
        ..Default::default()
    };
    for s in stories(&state, &feed) {
        let mut links = vec![atom::Link {
            href: s.url.clone(),
            rel: "alternate".into(),
            mime_type: Some("text/html".into()),
            ..Default::default()
        }];
        if let Some(m) = s.image {
            links.push(atom::Link {
                href: m.url.clone(),
                rel: "enclosure".into(),
                mime_type: Some(image_type(m)),
                ..Default::default()
            });
        }
        out.entries.push(atom::Entry {
            title: atom::Text::plain(s.article.headline.clone()),
            id: format!("urn:uuid:{}", s.article.id),
            updated: fixed(s.article.updated_at),
            published: Some(fixed(published(s.article))),
            authors: s
                .authors
                .iter()
                .map(|n| atom::Person { name: n.clone(), ..Default::default() })
                .collect(),
            categories: s
                .categories
                .iter()
                .map(|(slug, name)| atom::Category {
                    term: slug.clone(),
                    label: Some(name.clone()),
                    ..Default::default()
                })
                .collect(),
            links,
            summary: s.article.dek.clone().map(atom::Text::plain),
            content: Some(atom::Content {
                value: Some(s.html.clone()),
                content_type: Some("html".into()),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    let doc = text::xml_document(out.to_string());
    Ok(bytes_with_etag(&req, doc.into_bytes(), "application/atom+xml; charset=utf-8", true, None))
}

/// JSON Feed 1.1 of the latest stories, with full content; corrections
/// also under `_dateline`.
#[utoipa::path(
    tag = "syndication",
    params(FeedParams),
    responses((status = 200, description = "JSON Feed 1.1", content_type = "application/feed+json", body = Object), (status = 304, description = "Not modified"), (status = 400, description = "A malformed slug"), (status = 404, description = "No such section, tag or author"))
)]
#[get("/feeds/json")]
pub async fn json_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    params: web::Query<FeedParams>,
) -> AppResult<HttpResponse> {
    let feed = load(&state, params.into_inner()).await?;
    let iso = |d: DateTime<Utc>| d.to_rfc3339_opts(SecondsFormat::Secs, true);
    let items: Vec<_> = stories(&state, &feed)
        .iter()
        .map(|s| {
            let mut item = json!({
                "id": format!("urn:uuid:{}", s.article.id),
                "url": s.url,
                "title": s.article.headline,
                "content_html": s.html,
                "content_text": s.body.body_text,
                "date_published": iso(published(s.article)),
                "date_modified": iso(s.article.updated_at),
                "authors": s.authors.iter().map(|n| json!({ "name": n })).collect::<Vec<_>>(),
                "tags": s.categories.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>(),
                "language": state.config.site.site_language,
            });
            if let Some(d) = &s.article.dek {
                item["summary"] = json!(d);
            }
            if let Some(m) = s.image {
                item["image"] = json!(m.url);
            }
            if let Some(cs) = feed.rel.corrections.get(&s.article.id).filter(|c| !c.is_empty()) {
                item["_dateline"] = json!({ "corrections": cs.iter().map(|c| json!({ "text": c.text, "published_at": iso(c.published_at) })).collect::<Vec<_>>() });
            }
            item
        })
        .collect();
    let body = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": title(&state, &feed),
        "home_page_url": state.urls.site(),
        "feed_url": self_url(&req),
        "language": state.config.site.site_language,
        "items": items,
    });
    let bytes = serde_json::to_vec(&body).map_err(AppError::internal)?;
    Ok(bytes_with_etag(&req, bytes, "application/feed+json", true, None))
}

fn url_of(state: &AppState, l: &Listed) -> String {
    state.urls.of(&l.as_article(), l.section_slug.as_deref())
}

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Google News sitemap: stories published in the last 48 hours.
#[utoipa::path(
    tag = "syndication",
    responses((status = 200, description = "News sitemap", content_type = "application/xml", body = String), (status = 304, description = "Not modified"))
)]
#[get("/sitemap-news.xml")]
pub async fn news_sitemap(state: web::Data<AppState>, req: HttpRequest) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let listed = syndication::news(&state.db, now).await?;
    let mut xml = String::from(XML_HEAD);
    xml.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\">\n");
    if listed.is_empty() {
        xml.push_str(&site_root(&state));
    }
    for l in &listed {
        let at = l.published_at.unwrap_or(l.created_at).to_rfc3339_opts(SecondsFormat::Secs, true);
        xml.push_str(&format!(
            "<url><loc>{}</loc><news:news><news:publication><news:name>{}</news:name><news:language>{}</news:language></news:publication><news:publication_date>{at}</news:publication_date><news:title>{}</news:title></news:news></url>\n",
            escape(url_of(&state, l).as_str()),
            escape(state.config.site.site_title.as_str()),
            escape(state.config.site.site_language.as_str()),
            escape(l.headline.as_str()),
        ));
    }
    xml.push_str("</urlset>\n");
    Ok(sitemap_response(&req, xml))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SitemapParams {
    /// A page of the index; without it, the index itself.
    #[param(pattern = "@cursor-sitemap")]
    page: Option<String>,
}

fn page_token(c: &Cursor) -> String {
    c.seal(cursor::SITEMAP)
}

fn parse_page(s: &str) -> AppResult<Cursor> {
    Cursor::open(s, cursor::SITEMAP).ok_or_else(|| AppError::field("page", "is not a sitemap page"))
}

/// The sitemap index of every public story, paged at 50,000 URLs; with
/// `page`, one page of it.
#[utoipa::path(
    tag = "syndication",
    params(SitemapParams),
    responses((status = 200, description = "Sitemap index, or one sitemap", content_type = "application/xml", body = String), (status = 304, description = "Not modified"), (status = 400, description = "Not a page of this index"))
)]
#[get("/sitemap.xml")]
pub async fn sitemap(
    state: web::Data<AppState>,
    req: HttpRequest,
    params: web::Query<SitemapParams>,
) -> AppResult<HttpResponse> {
    let now = state.clock.now();
    let size = state.config.site.sitemap_page_size;
    let mut xml = String::from(XML_HEAD);
    match params.into_inner().page {
        None => {
            let starts = syndication::sitemap_pages(&state.db, now, size).await?;
            // The index names its pages where crawlers read the site, which
            // is where the sitemap protocol wants them (the site's host).
            let base = format!("{}/sitemap.xml", state.config.site.site_url.trim_end_matches('/'));
            xml.push_str("<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
            for s in &starts {
                let loc = format!("{base}?page={}", page_token(s));
                xml.push_str(&format!("<sitemap><loc>{}</loc></sitemap>\n", escape(loc.as_str())));
            }
            xml.push_str("</sitemapindex>\n");
        }
        Some(p) => {
            let from = parse_page(&p)?;
            let listed = syndication::sitemap_page(&state.db, now, &from, size).await?;
            xml.push_str("<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
            if listed.is_empty() {
                xml.push_str(&site_root(&state));
            }
            for l in &listed {
                xml.push_str(&format!(
                    "<url><loc>{}</loc><lastmod>{}</lastmod></url>\n",
                    escape(url_of(&state, l).as_str()),
                    l.updated_at.to_rfc3339_opts(SecondsFormat::Secs, true)
                ));
            }
            xml.push_str("</urlset>\n");
        }
    }
    Ok(sitemap_response(&req, xml))
}

/// The site's home page: what a sitemap lists when it has no story, as
/// the sitemap schema wants at least one URL.
fn site_root(state: &AppState) -> String {
    format!("<url><loc>{}/</loc></url>\n", escape(state.config.site.site_url.trim_end_matches('/')))
}

/// A sitemap document, with only characters XML allows.
fn sitemap_response(req: &HttpRequest, xml: String) -> HttpResponse {
    bytes_with_etag(req, text::xml_document(xml).into_bytes(), "application/xml; charset=utf-8", true, None)
}

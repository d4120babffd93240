//! Where a story lives on the publisher's own site. Dateline serves no
//! pages, so it builds the address from a template
//! (`DATELINE_PUBLIC_URL_TEMPLATE`, e.g. `https://news.example/{section}/{slug}`)
//! for `Article.url`, feeds and sitemaps.

use super::Article;

/// The site's home and how story addresses are made.
#[derive(Debug, Clone)]
pub struct PublicUrls {
    site: String,
    template: String,
}

impl PublicUrls {
    /// `template` may use `{site}`, `{section}`, `{slug}`, `{id}`,
    /// `{externalId}`, `{yyyy}`, `{mm}` and `{dd}` (of the publish date);
    /// without one, stories live at `{site}/{section}/{slug}`.
    pub fn new(site: &str, template: Option<&str>) -> Self {
        let site = site.trim_end_matches('/').to_owned();
        Self { template: template.unwrap_or("{site}/{section}/{slug}").to_owned(), site }
    }

    pub fn site(&self) -> &str {
        &self.site
    }

    /// The story's address; a story without a section leaves that segment
    /// out rather than leaving `//`.
    pub fn of(&self, a: &Article, section: Option<&str>) -> String {
        let date = a.published_at.unwrap_or(a.created_at);
        let mut url = self.template.clone();
        if section.is_none() {
            url = url.replace("{section}/", "").replace("/{section}", "");
        }
        url.replace("{site}", &self.site)
            .replace("{section}", section.unwrap_or(""))
            .replace("{slug}", &a.slug)
            .replace("{id}", &a.id.to_string())
            .replace("{externalId}", a.external_id.as_deref().unwrap_or(&a.id.to_string()))
            .replace("{yyyy}", &date.format("%Y").to_string())
            .replace("{mm}", &date.format("%m").to_string())
            .replace("{dd}", &date.format("%d").to_string())
    }

    /// A template is usable when it names the story and yields an absolute
    /// http(s) URL.
    pub fn check(template: &str) -> Result<(), String> {
        if !template.contains("{slug}") && !template.contains("{id}") && !template.contains("{externalId}") {
            return Err("must contain {slug}, {id} or {externalId}".into());
        }
        let sample = template.replace("{site}", "https://news.example");
        let sample = ["{section}", "{slug}", "{id}", "{externalId}", "{yyyy}", "{mm}", "{dd}"]
            .iter()
            .fold(sample, |s, p| s.replace(p, "x"));
        match url::Url::parse(&sample) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(()),
            _ => Err("must give an absolute http(s) URL".into()),
        }
    }
}

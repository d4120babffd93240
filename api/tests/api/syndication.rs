//! RSS, Atom and JSON Feed read by a real feed parser (feed-rs), sitemaps
//! parsed as XML and checked against the sitemap protocol's rules, public
//! URLs from the configured template, ETags and 304s.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Story, TestApp};
use chrono::TimeDelta;
use serde_json::{Value, json};
use std::collections::HashSet;

const HOSTILE: &str = "Fish & \"chips\" <script>alert('x')</script> ]]> 🐟";

async fn newsroom() -> TestApp {
    let app = TestApp::spawn_configured(|c| {
        c.site.public_url_template = Some("https://news.example/{section}/{yyyy}/{slug}".into());
        c.site.site_url = "https://news.example".into();
        c.site.site_title = "The Example Times".into();
        c.site.sitemap_page_size = 2;
    })
    .await;
    fixtures_with_hero(&app).await;
    let now = app.state.clock.now();
    let politics = Story {
        section: Some("city-hall"),
        tags: &["council-budget"],
        authors: &["ana-diaz"],
        body: Some("Council *votes*."),
    };
    app.story("budget-vote", HOSTILE, Some(now - TimeDelta::hours(2)), politics).await;
    app.story("old-budget", "An old budget story", Some(now - TimeDelta::days(3)), politics).await;
    app.story("no-section", "A story without a section", Some(now - TimeDelta::hours(5)), Story::default())
        .await;
    app.story("unpublished-draft", "Draft", None, politics).await;
    app.story("tomorrow", "Scheduled", Some(now + TimeDelta::days(1)), politics).await;
    app
}

/// The demo's stories carry hero images with credits.
async fn fixtures_with_hero(app: &TestApp) {
    api::fixtures::demo::load_if_empty(&app.state.db, app.state.clock.now()).await.unwrap();
}

async fn fetch(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let r = app.get(path).await;
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.bytes().await.unwrap().to_vec())
}

fn parse(bytes: &[u8]) -> feed_rs::model::Feed {
    feed_rs::parser::parse(bytes)
        .unwrap_or_else(|e| panic!("not a valid feed: {e}\n{}", String::from_utf8_lossy(bytes)))
}

#[actix_web::test]
async fn every_format_parses_with_items_dates_and_escaping_intact() {
    let app = newsroom().await;
    let writer = app.key(&["content:write"]).await;
    let (_, story) = app.get_json("/v1/articles/budget-vote").await;
    let id = story["id"].as_str().unwrap().to_owned();
    let (status, _, _) = app
        .call(
            "POST",
            &format!("/v1/articles/{id}/corrections"),
            Some(&writer),
            Some(json!({ "text": "The vote was 7 < 9 & close." })),
            &[],
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        story["url"],
        format!(
            "https://news.example/city-hall/{}/budget-vote",
            &story["publishedAt"].as_str().unwrap()[..4]
        )
    );
    let r = app.gql(r#"{ article(slug: "no-section") { url } }"#, json!({})).await;
    assert_eq!(r["data"]["article"]["url"], "https://news.example/2026/no-section", "{r}");

    let (_, listing) = app.get_json("/v1/articles?limit=100").await;
    let public: Vec<String> =
        listing["items"].as_array().unwrap().iter().map(|a| a["slug"].as_str().unwrap().to_owned()).collect();
    for (path, content_type) in [
        ("/feeds/rss", "application/rss+xml"),
        ("/feeds/atom", "application/atom+xml"),
        ("/feeds/json", "application/feed+json"),
    ] {
        let (status, headers, body) = fetch(&app, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(headers["content-type"].to_str().unwrap().starts_with(content_type), "{path}");
        let feed = parse(&body);
        assert_eq!(
            feed.entries.len(),
            public.len(),
            "{path}: every public story, no draft, no scheduled one"
        );
        assert!(feed.title.as_ref().unwrap().content.contains("The Example Times"), "{path}");
        let hostile = feed
            .entries
            .iter()
            .find(|e| e.title.as_ref().is_some_and(|t| t.content.contains("Fish")))
            .unwrap_or_else(|| panic!("{path}"));
        assert_eq!(
            hostile.title.as_ref().unwrap().content,
            HOSTILE,
            "{path}: the title survives escaping exactly"
        );
        assert_eq!(hostile.links[0].href, story["url"].as_str().unwrap(), "{path}");
        assert_eq!(
            hostile.published.map(|d| d.to_rfc3339()),
            Some(
                chrono::DateTime::parse_from_rfc3339(story["publishedAt"].as_str().unwrap())
                    .unwrap()
                    .to_utc()
                    .to_rfc3339()
            ),
            "{path}"
        );
        let content = hostile
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .or_else(|| hostile.summary.as_ref().map(|s| s.content.clone()))
            .unwrap();
        assert!(content.contains("<em>votes</em>"), "{path}: full content: {content}");
        assert!(
            content.contains("Correction") && content.contains("7 &lt; 9 &amp; close"),
            "{path}: {content}"
        );
        assert!(!content.contains("<script"), "{path}");
        if path != "/feeds/json" {
            assert_eq!(hostile.authors[0].name, "ANA-DIAZ", "{path}");
            let cats: Vec<String> =
                hostile.categories.iter().map(|c| c.label.clone().unwrap_or(c.term.clone())).collect();
            assert!(
                cats.contains(&"CITY-HALL".to_owned()) && cats.contains(&"COUNCIL-BUDGET".to_owned()),
                "{path}: {cats:?}"
            );
        }
        // A story with a hero image carries it as an enclosure or image.
        if path != "/feeds/json" {
            assert!(
                feed.entries
                    .iter()
                    .any(|e| !e.media.is_empty()
                        || e.links.iter().any(|l| l.rel.as_deref() == Some("enclosure"))),
                "{path}: a hero image"
            );
        }

        // ETag and 304.
        let etag = headers["etag"].to_str().unwrap().to_owned();
        let r = app
            .client
            .get(format!("{}{path}", app.addr))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 304, "{path}");
    }
    let (_, _, body) = fetch(&app, "/feeds/json").await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["version"], "https://jsonfeed.org/version/1.1");
    let item = v["items"].as_array().unwrap().iter().find(|i| i["title"] == HOSTILE).unwrap();
    assert_eq!(item["_dateline"]["corrections"][0]["text"], "The vote was 7 < 9 & close.");
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["image"].as_str().is_some_and(|u| u.starts_with("http"))),
        "a hero image"
    );
}

#[actix_web::test]
async fn feeds_narrow_to_a_section_tag_or_author() {
    let app = newsroom().await;
    for (query, expected) in [
        ("section=city-hall", 2),
        ("tag=council-budget", 2),
        ("author=ana-diaz", 2),
        ("tag=council-budget&author=ana-diaz", 2),
        ("section=city-hall&tag=council-budget&author=ana-diaz", 2),
    ] {
        for format in ["rss", "atom", "json"] {
            let (status, _, body) = fetch(&app, &format!("/feeds/{format}?{query}")).await;
            assert_eq!(status, 200, "{format}?{query}");
            let feed = parse(&body);
            assert_eq!(feed.entries.len(), expected, "{format}?{query}");
        }
    }
    let (status, _, body) = fetch(&app, "/feeds/atom?section=city-hall").await;
    assert_eq!(status, 200);
    assert!(parse(&body).title.unwrap().content.ends_with("CITY-HALL"));
    for (path, status) in [
        ("/feeds/rss?section=nowhere", 404),
        ("/feeds/json?section=Not%20A%20Slug", 400),
        ("/feeds/atom?section=%00", 400),
    ] {
        let (got, headers, _) = fetch(&app, path).await;
        assert_eq!(got, status, "{path}");
        assert_eq!(headers["content-type"], "application/problem+json", "{path}");
    }
}

/// The sitemap protocol's rules: the namespace, absolute `loc`s of at most
/// 2,048 characters, W3C dates, at most 50,000 URLs a file.
fn check_urlset(xml: &str, news: bool) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not XML: {e}\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    assert_eq!(root.tag_name().namespace(), Some("http://www.sitemaps.org/schemas/sitemap/0.9"));
    let mut locs = Vec::new();
    let urls: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    assert!(urls.len() <= 50_000);
    for url in urls {
        assert_eq!(url.tag_name().name(), "url");
        let loc = url
            .children()
            .find(|n| n.has_tag_name("loc"))
            .expect("every url has a loc")
            .text()
            .unwrap()
            .to_owned();
        assert!(loc.starts_with("https://") && loc.len() <= 2048, "{loc}");
        url::Url::parse(&loc).unwrap();
        if let Some(lastmod) = url.children().find(|n| n.has_tag_name("lastmod")) {
            chrono::DateTime::parse_from_rfc3339(lastmod.text().unwrap()).unwrap();
        }
        if news {
            let ns = "http://www.google.com/schemas/sitemap-news/0.9";
            let n = url.children().find(|n| n.has_tag_name((ns, "news"))).expect("news:news");
            let publication = n.children().find(|c| c.has_tag_name((ns, "publication"))).unwrap();
            assert_eq!(
                publication.children().find(|c| c.has_tag_name((ns, "name"))).unwrap().text(),
                Some("The Example Times")
            );
            assert_eq!(
                publication.children().find(|c| c.has_tag_name((ns, "language"))).unwrap().text(),
                Some("en")
            );
            chrono::DateTime::parse_from_rfc3339(
                n.children().find(|c| c.has_tag_name((ns, "publication_date"))).unwrap().text().unwrap(),
            )
            .unwrap();
            assert!(n.children().any(|c| c.has_tag_name((ns, "title"))));
        }
        locs.push(loc);
    }
    locs
}

#[actix_web::test]
async fn sitemaps_follow_the_protocol_and_page_through_the_whole_archive() {
    let app = newsroom().await;
    let (status, _, body) = fetch(&app, "/sitemap-news.xml").await;
    assert_eq!(status, 200);
    let xml = String::from_utf8(body).unwrap();
    let news = check_urlset(&xml, true);
    assert!(news.iter().any(|l| l.ends_with("/budget-vote")));
    assert!(!news.iter().any(|l| l.ends_with("/old-budget")), "older than 48 hours");
    assert!(!news.iter().any(|l| l.ends_with("/tomorrow") || l.ends_with("/unpublished-draft")));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let titles: Vec<&str> =
        doc.descendants().filter(|n| n.tag_name().name() == "title").filter_map(|n| n.text()).collect();
    assert!(titles.contains(&HOSTILE), "{titles:?}");

    // The index pages the archive two URLs at a time (as configured here).
    let (status, headers, body) = fetch(&app, "/sitemap.xml").await;
    assert_eq!(status, 200);
    let index = String::from_utf8(body).unwrap();
    let doc = roxmltree::Document::parse(&index).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "sitemapindex");
    let pages: Vec<String> =
        doc.descendants().filter(|n| n.has_tag_name("loc")).map(|n| n.text().unwrap().to_owned()).collect();
    let (_, listing) = app.get_json("/v1/articles?limit=100").await;
    let public = listing["items"].as_array().unwrap().len();
    assert_eq!(pages.len(), public.div_ceil(2));
    let mut seen = Vec::new();
    for page in &pages {
        let path = &page[page.find("/sitemap.xml").unwrap()..];
        let (status, _, body) = fetch(&app, path).await;
        assert_eq!(status, 200, "{path}");
        let locs = check_urlset(&String::from_utf8(body).unwrap(), false);
        assert!(!locs.is_empty() && locs.len() <= 2);
        seen.extend(locs);
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(seen.len(), public, "every public story once");
    assert_eq!(unique.len(), public);
    let r = app
        .client
        .get(format!("{}/sitemap.xml", app.addr))
        .header("if-none-match", headers["etag"].to_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 304);
    for bad in ["/sitemap.xml?page=zzz", "/sitemap.xml?page=bTE6eDp5"] {
        let (status, _, _) = fetch(&app, bad).await;
        assert_eq!(status, 400, "{bad}");
    }
}

#[actix_web::test]
async fn a_bad_url_template_stops_the_server_at_start() {
    for bad in ["https://news.example/{section}/", "not a url {slug}", "ftp://x/{slug}"] {
        let r = TestApp::try_spawn_configured(|c| c.site.public_url_template = Some(bad.into())).await;
        match r {
            Err(e) => assert!(e.to_string().contains("DATELINE_PUBLIC_URL_TEMPLATE"), "{bad}: {e}"),
            Ok(_) => panic!("{bad} was accepted"),
        }
    }
}

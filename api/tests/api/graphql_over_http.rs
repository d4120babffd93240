//! `/graphql` as the GraphQL-over-HTTP spec and its clients expect: media
//! types negotiated from `Accept`, requests that never ran answered without
//! `data` (4xx under `application/graphql-response+json`), malformed
//! parameters refused with 400, and introspection that GraphiQL and codegen
//! can use whatever the depth limit. The graphql-http audit in
//! `conformance/run` checks the same from the outside.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::{TestApp, error_code};
use serde_json::{Value, json};

const GRJ: &str = "application/graphql-response+json";

async fn post(
    app: &TestApp,
    accept: Option<&str>,
    content_type: Option<&str>,
    body: &str,
) -> (u16, String, Value) {
    let mut r = app.client.post(format!("{}/graphql", app.addr)).body(body.to_owned());
    if let Some(a) = accept {
        r = r.header("accept", a);
    }
    if let Some(c) = content_type {
        r = r.header("content-type", c);
    }
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    let ctype =
        resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let text = resp.text().await.unwrap();
    (status, ctype, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn get(app: &TestApp, accept: &str, qs: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    app.call("GET", &format!("/graphql?{qs}"), None, None, &[("accept", accept)]).await
}

#[actix_web::test]
async fn the_media_type_follows_accept() {
    let app = TestApp::spawn().await;
    let ok = r#"{"query":"{ __typename }"}"#;
    for (accept, want) in [
        (Some(GRJ), GRJ),
        (Some("application/json"), "application/json"),
        (Some("*/*"), "application/json"),
        (None, "application/json"),
    ] {
        let (status, ctype, body) = post(&app, accept, Some("application/json"), ok).await;
        assert_eq!(status, 200, "{accept:?}");
        assert!(ctype.starts_with(want) && ctype.contains("utf-8"), "{accept:?}: {ctype}");
        assert_eq!(body["data"]["__typename"], "Query");
    }
    // Fields come back in the order the query asked for them.
    let r = app
        .client
        .post(format!("{}/graphql", app.addr))
        .json(&json!({"query": "{ zulu: __typename alpha: __typename }"}))
        .send()
        .await
        .unwrap();
    let text = r.text().await.unwrap();
    assert!(text.find("zulu") < text.find("alpha"), "{text}");
}

#[actix_web::test]
async fn requests_that_never_ran_have_no_data() {
    let app = TestApp::spawn().await;
    let parse = r#"{"query":"{"}"#;
    let unknown = r#"{"query":"{ noSuchField }"}"#;
    let coercion = r#"{"query":"query Q($id: ID!) { __typename }","variables":{"id":null}}"#;
    for (body, code) in
        [(parse, "GRAPHQL_PARSE_FAILED"), (unknown, "GRAPHQL_VALIDATION_FAILED"), (coercion, "")]
    {
        let (status, ctype, resp) = post(&app, Some(GRJ), Some("application/json"), body).await;
        assert_eq!(status, 400, "{body}: {resp}");
        assert!(ctype.starts_with(GRJ));
        assert!(resp.get("data").is_none(), "{body}: {resp}");
        if !code.is_empty() {
            assert_eq!(error_code(&resp), code, "{body}");
        }
        // Clients that predate the spec's media type get 200, still without data.
        let (status, ctype, resp) =
            post(&app, Some("application/json"), Some("application/json"), body).await;
        assert_eq!(status, 200, "{body}");
        assert!(ctype.starts_with("application/json"));
        assert!(resp.get("data").is_none() && resp["errors"][0]["message"].is_string(), "{resp}");
    }
    // An error while running keeps `data`, and 200.
    let missing = r#"{"query":"{ article(id: \"no-such-story\") { headline } }"}"#;
    let (status, _, resp) = post(&app, Some(GRJ), Some("application/json"), missing).await;
    assert_eq!(status, 200, "{resp}");
    assert!(resp.get("data").is_some());
}

#[actix_web::test]
async fn malformed_parameters_are_400_whatever_the_media_type() {
    let app = TestApp::spawn().await;
    let cases = [
        "",
        r#"{ "not a JSON"#,
        r#"{"qeury":"{ __typename }"}"#,
        r#"{"query":{"obj":"ect"}}"#,
        r#"{"query":0}"#,
        r#"{"query":"{ __typename }","operationName":false}"#,
        r#"{"query":"{ __typename }","variables":"string"}"#,
        r#"{"query":"{ __typename }","extensions":["array"]}"#,
        r#"[{"query":"{ __typename }"}]"#,
    ];
    for body in cases {
        for accept in [GRJ, "application/json"] {
            let (status, ctype, resp) = post(&app, Some(accept), Some("application/json"), body).await;
            assert_eq!(status, 400, "{accept} {body}: {resp}");
            assert!(ctype.starts_with(accept), "{ctype}");
            assert_eq!(error_code(&resp), "BAD_USER_INPUT", "{body}");
            assert!(resp.get("data").is_none());
        }
    }
    // Batches are refused with a JSON answer that says so.
    let (_, _, resp) = post(&app, None, Some("application/json"), cases[8]).await;
    assert!(resp["errors"][0]["message"].as_str().unwrap().contains("batched"), "{resp}");
}

#[actix_web::test]
async fn a_post_must_say_it_is_json() {
    let app = TestApp::spawn().await;
    let ok = r#"{"query":"{ __typename }"}"#;
    for ctype in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/json; charset=latin1"),
    ] {
        let (status, _, resp) = post(&app, Some(GRJ), ctype, ok).await;
        assert_eq!(status, 415, "{ctype:?}");
        assert_eq!(error_code(&resp), "UNSUPPORTED_MEDIA_TYPE");
    }
    let (status, _, _) = post(&app, None, Some("application/json; charset=utf-8"), ok).await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn get_runs_the_named_query_and_refuses_mutations() {
    let app = TestApp::spawn().await;
    // The document holds a mutation too; operationName picks the query.
    let doc = "query Q { __typename } mutation M { __typename }";
    let qs = |op: &str| format!("query={}&operationName={op}", urlencode(doc));
    let (status, _, body) = get(&app, GRJ, &qs("Q")).await;
    assert_eq!((status, body["data"]["__typename"].as_str()), (200, Some("Query")), "{body}");
    let (status, headers, body) = get(&app, GRJ, &qs("M")).await;
    assert_eq!(status, 405, "{body}");
    assert_eq!(headers["allow"], "POST");
    assert!(body.get("data").is_none());
    // Variables come URL-encoded as JSON.
    let typed = "query T($name: String!) { __type(name: $name) { name } }";
    let qs = format!("query={}&variables={}", urlencode(typed), urlencode(r#"{"name":"Article"}"#));
    let (status, _, body) = get(&app, "application/json", &qs).await;
    assert_eq!((status, body["data"]["__type"]["name"].as_str()), (200, Some("Article")), "{body}");
    // Without a query, a browser gets GraphiQL and any other client a 400.
    let (status, headers, _) = app.call("GET", "/graphql", None, None, &[("accept", "text/html")]).await;
    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    let (status, _, body) = get(&app, GRJ, "").await;
    assert_eq!((status, error_code(&body).as_str()), (400, "BAD_USER_INPUT"));
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The shape of graphql-js's standard introspection query: type references
/// unwrapped through `ofType` far deeper than the depth limit.
fn introspection_query() -> String {
    let mut type_ref = String::from("kind name");
    for _ in 0..9 {
        type_ref = format!("kind name ofType {{ {type_ref} }}");
    }
    format!(
        "query IntrospectionQuery {{ __schema {{ queryType {{ name }} mutationType {{ name }} \
         subscriptionType {{ name }} types {{ ...FullType }} directives {{ name description locations \
         args {{ ...InputValue }} }} }} }}
         fragment FullType on __Type {{ kind name description fields(includeDeprecated: true) {{ name \
         description args {{ ...InputValue }} type {{ ...TypeRef }} isDeprecated deprecationReason }} \
         inputFields {{ ...InputValue }} interfaces {{ ...TypeRef }} enumValues(includeDeprecated: true) \
         {{ name description isDeprecated deprecationReason }} possibleTypes {{ ...TypeRef }} }}
         fragment InputValue on __InputValue {{ name description type {{ ...TypeRef }} defaultValue }}
         fragment TypeRef on __Type {{ {type_ref} }}"
    )
}

#[actix_web::test]
async fn the_standard_introspection_query_is_answered() {
    let app = TestApp::spawn().await;
    let resp = app.gql(&introspection_query(), json!({})).await;
    assert!(resp.get("errors").is_none(), "{resp}");
    let types = resp["data"]["__schema"]["types"].as_array().unwrap();
    assert!(types.iter().any(|t| t["name"] == "Article"));
    // The depth limit still holds outside introspection.
    let deep = format!(
        "{{ articles {{ edges {{ node {{ {}id{} }} }} }} }}",
        "related { items { article { ".repeat(4),
        " } } }".repeat(4)
    );
    let resp = app.gql(&deep, json!({})).await;
    assert_eq!(error_code(&resp), "QUERY_TOO_COMPLEX", "{resp}");
}

#[actix_web::test]
async fn introspection_can_be_switched_off() {
    let app = TestApp::spawn_configured(|c| c.graphql.graphql_introspection = false).await;
    for query in ["{ __schema { types { name } } }", "{ __type(name: \"Article\") { name } }"] {
        let resp = app.gql(query, json!({})).await;
        assert_eq!(error_code(&resp), "GRAPHQL_VALIDATION_FAILED", "{resp}");
    }
    let resp = app.gql("{ __typename }", json!({})).await;
    assert_eq!(resp["data"]["__typename"], "Query");
}

/// Apollo Client's `useGETForQueries` and urql's `preferGetMethod` send the
/// document as written, over several lines, with fragments and variables.
#[actix_web::test]
async fn documents_sent_by_get_may_span_lines_as_clients_write_them() {
    let app = TestApp::spawn().await;
    app.story(
        "a-story",
        "A story",
        Some(crate::common::t0() - chrono::TimeDelta::hours(1)),
        Default::default(),
    )
    .await;
    let doc = "query Story($slug: String!) {\r\n\tarticle(slug: $slug) {\n    ...Head\n  }\n}\n\nfragment Head on Article {\n  headline\n}\n";
    let vars = "{\n  \"slug\": \"a-story\"\n}";
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let qs = format!("query={}&operationName=Story&variables={}", enc(doc), enc(vars));
    let (status, _, body) = get(&app, "application/graphql-response+json", &qs).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["article"]["headline"], "A story");

    // Other control characters stay refused, and other parameters stay on one line.
    let (status, _, body) =
        get(&app, "application/json", &format!("query={}", enc("{ __typename \u{1} }"))).await;
    assert_eq!(status, 400, "{body}");
    let (status, _, body) =
        get(&app, "application/json", &format!("query={}&operationName=Story%0A", enc(doc))).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = app.get_json("/v1/articles?section=a%0Ab").await;
    assert_eq!(status, 400, "{body}");
}

//! `openapi.json` at the repository root is the OpenAPI document the code
//! serves, so a change to the REST contract shows up in review.
//! Regenerate with `cargo run -- print-openapi > openapi.json`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn openapi_json_matches_the_code() {
    let committed = include_str!("../../../openapi.json");
    let current = api::startup::openapi_pretty().unwrap();
    assert!(
        committed == current,
        "openapi.json is out of date: run `cargo run -- print-openapi > openapi.json`"
    );
}

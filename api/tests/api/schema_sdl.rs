//! `schema.graphql` at the repository root is the schema the code serves.
//! Regenerate with `cargo run -- print-schema > schema.graphql`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn schema_graphql_matches_the_code() {
    let committed = include_str!("../../../schema.graphql");
    let current = api::graphql::sdl();
    assert!(
        committed == current,
        "schema.graphql is out of date: run `cargo run -- print-schema > schema.graphql`"
    );
}

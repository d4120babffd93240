//! Dateline's integration tests, one module per feature: each test starts
//! the real application on a random port against a fresh database (see
//! `common`). One binary links the crate once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod abuse;
mod accounts;
mod archive;
mod authorization_matrix;
mod batch_audiences;
mod change_feed;
mod cli;
mod comment_authorization;
mod comment_counts;
mod comment_statements;
mod comment_xss;
mod comments;
mod editorial_consistency;
mod editorial_lifecycle;
mod editorial_validation;
mod first_hour;
mod fuzz_inputs;
mod graphql_articles;
mod graphql_over_http;
mod hardening;
mod http_caching;
mod http_conventions;
mod instances;
mod live_comments;
mod migrations;
mod n_plus_one;
mod offline_pages;
mod openapi_snapshot;
mod operations;
mod parity;
mod persisted_operations;
mod rate_budgets;
mod read_cache;
mod readme;
mod related_stories;
mod replicas;
mod rest_articles;
mod schema_sdl;
mod shared_budgets;
mod shutdown;
mod surrogate_keys;
mod syndication;
mod taxonomy_catalog;
mod unit_of_work;
mod webhooks;

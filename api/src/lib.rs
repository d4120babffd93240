//! Dateline: a headless content API for news publishers.

pub mod allocator;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod fd_limit;
pub mod fixtures;
pub mod graphql;
pub mod http;
pub mod http_guard;
pub mod metrics;
pub mod rate_limit;
pub mod read_cache;
pub mod rest;
pub mod start_error;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod unique_key;
pub mod workers;

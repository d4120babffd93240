//! HTTP conventions every route follows, whatever adapter answers it:
//! cross-origin reads (CORS), HEAD wherever GET is, 405 with `Allow` for a
//! known path and a wrong method, and a request id in every log line and
//! response. Limits and refusals live in `http_guard`, rate limits in
//! `rate_limit`.

pub mod caching;
pub mod coding;
pub mod cors;
pub mod example;
pub mod methods;
pub mod replica;
pub mod request_log;

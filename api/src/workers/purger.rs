//! Sends the surrogate keys each committed write named to the cache in
//! front (`--purge-url`, in the format it takes); the `cache.purge` webhook
//! is written with the write itself (`domain::surrogate::purge`). It waits
//! on the writes rather than polling, so a purge leaves as soon as the
//! write that named it has committed; keys that arrive together go in one
//! request.

use super::{Outcome, Worker};
use crate::config::{PurgeArgs, PurgeFormat};
use crate::domain::freshness::Purges;
use crate::domain::surrogate::{self, Key};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::ExposeSecret;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::mpsc::{Receiver, channel};
use tokio_util::sync::CancellationToken;

/// Committed writes waiting to be purged; past it, everything is purged.
const QUEUED_WRITES: usize = 1024;
/// Most keys purged one by one in a step; past it, everything is purged.
const KEYS_PER_STEP: usize = 3000;
/// Most keys in one request: Cloudflare takes 30 tags per purge.
const KEYS_PER_REQUEST: usize = 30;
/// Attempts per request, with these pauses between them.
const BACKOFF: [Duration; 2] = [Duration::from_millis(100), Duration::from_millis(1000)];

/// Where purges go, checked at start.
#[derive(Clone)]
pub struct Target {
    url: reqwest::Url,
    format: PurgeFormat,
    headers: HeaderMap,
}

impl Target {
    /// None without `--purge-url`; an error names the bad setting (never a
    /// header's value).
    pub fn from_config(c: &PurgeArgs) -> Result<Option<Self>, String> {
        let Some(url) = &c.purge_url else { return Ok(None) };
        let url = reqwest::Url::parse(url).map_err(|e| format!("DATELINE_PURGE_URL is not a URL: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("DATELINE_PURGE_URL must be http or https".into());
        }
        let mut headers = HeaderMap::new();
        for (i, h) in c.purge_headers.iter().enumerate() {
            let (name, value) = h
                .expose_secret()
                .split_once(':')
                .ok_or_else(|| format!("purge header {} is not `Name: value`", i + 1))?;
            let name = HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| format!("purge header {} has an invalid name", i + 1))?;
            let mut value = HeaderValue::from_str(value.trim())
                .map_err(|_| format!("purge header {} ({name}) has an invalid value", i + 1))?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        Ok(Some(Self { url, format: c.purge_format, headers }))
    }

    fn request(&self, http: &reqwest::Client, keys: &[String]) -> reqwest::RequestBuilder {
        let r = match self.format {
            PurgeFormat::Varnish => http
                .request(
                    reqwest::Method::from_bytes(b"PURGE").unwrap_or(reqwest::Method::POST),
                    self.url.clone(),
                )
                .header("xkey-purge", keys.join(" ")),
            PurgeFormat::Fastly => http
                .post(self.url.clone())
                .header("surrogate-key", keys.join(" "))
                .header("content-type", "application/json")
                .body(serde_json::json!({ "surrogate_keys": keys }).to_string()),
            PurgeFormat::Cloudflare => http
                .post(self.url.clone())
                .header("content-type", "application/json")
                .body(serde_json::json!({ "tags": keys }).to_string()),
        };
        r.headers(self.headers.clone())
    }
}

pub struct Purger {
    named: Receiver<Vec<Key>>,
    lost: Arc<AtomicBool>,
    target: Option<Target>,
    http: reqwest::Client,
    stop: CancellationToken,
}

impl Purger {
    /// A purger and the sender committed writes hand their keys to.
    pub fn new(target: Option<Target>, stop: CancellationToken) -> Result<(Self, Purges), String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the purge client: {e}"))?;
        let (to, named) = channel(QUEUED_WRITES);
        let lost = Arc::new(AtomicBool::new(false));
        Ok((Self { named, lost: Arc::clone(&lost), target, http, stop }, Purges { to, lost }))
    }

    /// Sends what the writes named so far, waiting for the first batch.
    pub async fn step(&mut self) -> Outcome {
        let first = tokio::select! {
            batch = self.named.recv() => batch,
            () = self.stop.cancelled() => None,
        };
        let mut named = first.unwrap_or_default();
        while let Ok(more) = self.named.try_recv() {
            named.extend(more);
        }
        if named.is_empty() {
            return Outcome::Idle;
        }
        // Writes came faster than purges went: what they named is partly
        // lost, or too much to name one by one.
        if self.lost.swap(false, Ordering::SeqCst) || named.len() > KEYS_PER_STEP {
            named = vec![Key::All];
        }
        let keys = surrogate::to_purge(&named);
        let mut failed = None;
        if let Some(target) = &self.target {
            for chunk in keys.chunks(KEYS_PER_REQUEST) {
                if let Err(e) = self.send(target, chunk).await {
                    failed = Some(e);
                }
            }
        }
        match failed {
            Some(why) => Outcome::Failed(why),
            None => Outcome::More,
        }
    }

    async fn send(&self, target: &Target, keys: &[String]) -> Result<(), String> {
        let mut last = String::new();
        for pause in std::iter::once(Duration::ZERO).chain(BACKOFF) {
            tokio::time::sleep(pause).await;
            match target.request(&self.http, keys).send().await {
                Ok(r) if r.status().is_success() => return Ok(()),
                Ok(r) => last = format!("the purge endpoint answered {}", r.status()),
                Err(e) => last = format!("the purge endpoint is unreachable: {e}"),
            }
        }
        Err(last)
    }
}

impl Worker for Purger {
    fn name(&self) -> &'static str {
        "purger"
    }
    fn every(&self) -> Duration {
        Duration::from_millis(100)
    }
    async fn tick(&mut self) -> Outcome {
        self.step().await
    }
}

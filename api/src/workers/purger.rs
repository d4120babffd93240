//! Sends the surrogate keys each committed write named to the cache in
//! front (`--purge-url`, in the format it takes); the `cache.purge` webhook
//! is written with the write itself (`domain::surrogate::purge`). It waits
//! on the writes rather than polling, so a purge leaves as soon as the
//! write that named it has committed; keys that arrive together go in one
//! request.
//!
//! Each purge is sent once more a little later. A cache that was fetching
//! an answer when the purge arrived stores the old answer afterwards (the
//! purge found nothing to drop), and another process on the same database
//! may still answer from what it kept; either would otherwise be served
//! until the answer's s-maxage, hours perhaps.

use super::{Outcome, Worker};
use crate::config::{PurgeArgs, PurgeFormat};
use crate::domain::freshness::Purges;
use crate::domain::surrogate::{self, Key};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::ExposeSecret;
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::mpsc::{Receiver, channel};
use tokio::time::Instant;
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
    /// How long after a purge it is sent again.
    again_after: Duration,
    /// Purges sent once, and when each is due again (in the order sent).
    again: VecDeque<(Instant, Vec<Key>)>,
}

impl Purger {
    /// A purger and the sender committed writes hand their keys to.
    pub fn new(
        target: Option<Target>,
        again_after: Duration,
        stop: CancellationToken,
    ) -> Result<(Self, Purges), String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the purge client: {e}"))?;
        let (to, named) = channel(QUEUED_WRITES);
        let lost = Arc::new(AtomicBool::new(false));
        let purger =
            Self { named, lost: Arc::clone(&lost), target, http, stop, again_after, again: VecDeque::new() };
        Ok((purger, Purges { to, lost }))
    }

    /// Sends what the writes named so far, and the purges due again,
    /// waiting for whichever comes first.
    pub async fn step(&mut self) -> Outcome {
        let due = self.again.front().map(|(at, _)| *at);
        let first = tokio::select! {
            batch = self.named.recv() => batch,
            () = until(due) => Some(Vec::new()),
            () = self.stop.cancelled() => None,
        };
        let mut named = first.unwrap_or_default();
        while let Ok(more) = self.named.try_recv() {
            named.extend(more);
        }
        // Writes came faster than purges went: what they named is partly
        // lost, or too much to name one by one.
        if self.lost.swap(false, Ordering::SeqCst) || named.len() > KEYS_PER_STEP {
            named = vec![Key::All];
        }
        let now = Instant::now();
        let mut repeated = Vec::new();
        while let Some((_, keys)) = self.again.pop_front_if(|(at, _)| *at <= now) {
            repeated.extend(keys);
        }
        if named.is_empty() && repeated.is_empty() {
            return Outcome::Idle;
        }
        if !named.is_empty() && self.target.is_some() && !self.again_after.is_zero() {
            if self.again.len() >= QUEUED_WRITES {
                self.again.clear();
                self.again.push_back((now + self.again_after, vec![Key::All]));
            } else {
                self.again.push_back((now + self.again_after, named.clone()));
            }
        }
        named.extend(repeated);
        if named.len() > KEYS_PER_STEP {
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

/// The purges of a `dateline` command that writes (import, recount, a
/// role): its writes name keys as the server's do, sent to the cache in
/// front that the environment names (`DATELINE_PURGE_URL`) once the
/// command is done, and again when due.
pub struct CommandPurges(Option<Purger>);

impl CommandPurges {
    pub fn start(state: &crate::state::AppState) -> Result<Self, String> {
        let c = &state.config;
        let Some(target) = Target::from_config(&c.purges)? else { return Ok(Self(None)) };
        let (purger, named) = Purger::new(Some(target), c.purge_again(), CancellationToken::new())?;
        state.versions.send_purges_to(named);
        Ok(Self(Some(purger)))
    }

    /// Sends what the command's writes named, waits until it is due again
    /// and sends it again.
    pub async fn finish(self) -> Result<(), String> {
        let Some(mut purger) = self.0 else { return Ok(()) };
        // Nothing more will be named: the channel gives what it holds, then
        // answers at once.
        purger.named.close();
        let mut failed = None;
        loop {
            match purger.step().await {
                Outcome::Failed(why) => failed = Some(why),
                Outcome::More => {}
                Outcome::Idle => match purger.again.front() {
                    Some((at, _)) => tokio::time::sleep_until(*at).await,
                    None => break,
                },
            }
        }
        failed.map_or(Ok(()), Err)
    }
}

/// Waits until `at`, or for ever without it.
async fn until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
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

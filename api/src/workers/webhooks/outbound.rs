//! The HTTP client webhooks are sent with. It speaks to addresses the
//! integrators chose, so it guards where it connects: DNS answers outside
//! the public internet are dropped before a connection is made (SSRF), and
//! redirects are not followed (one could lead inside).

use crate::domain::webhooks::{Settings, address};
use std::net::SocketAddr;
use std::sync::Arc;

/// The DNS resolver of the sending client: answers only public addresses
/// (unless private ones are allowed), so a name that resolves inside is
/// never connected to.
struct GuardedResolver {
    allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> =
                found.into_iter().filter(|a| allow || !address::is_forbidden(a.ip())).collect();
            if allowed.is_empty() {
                return Err(format!("{host} resolves to no address webhooks may reach").into());
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// One client for all deliveries: rustls with the ring provider (already
/// built for the database drivers) and the webpki roots, no redirects, DNS
/// answers checked by `GuardedResolver`.
pub fn client(settings: &Settings) -> Result<reqwest::Client, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .user_agent(concat!("Dateline-Webhooks/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Arc::new(GuardedResolver { allow_private: settings.allow_private }))
        .build()
        .map_err(|e| e.to_string())
}

/// Errors say what happened, not how reqwest phrases it.
pub fn describe(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "timed out".into()
    } else if err.is_connect() {
        "could not connect".into()
    } else if err.is_redirect() {
        "answered with a redirect, which webhooks do not follow".into()
    } else {
        "the request failed".into()
    }
}

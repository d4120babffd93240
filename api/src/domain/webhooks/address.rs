//! Where webhooks may go. A URL that reaches the machine itself, the
//! private network or a cloud metadata service would let anyone with
//! `webhooks:manage` probe the inside (SSRF). Checked when an endpoint is
//! saved and again at every delivery, after DNS: the sending client
//! (`crate::workers::webhooks::outbound`) resolves through a resolver that
//! applies [`is_forbidden`], so the address checked is the address
//! connected to (no window for a DNS answer that changes in between).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use url::{Host, Url};

pub const MAX_URL_LEN: usize = 2000;

/// Addresses outside the public internet.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let s = v6.segments();
            let low_v4 = || Ipv4Addr::from((u128::from(v6) & 0xffff_ffff) as u32);
            // Forms that carry an IPv4 address: NAT64 (64:ff9b::/96 and the
            // local-use 64:ff9b:1::/48) and IPv4-translated (::ffff:0:0/96)
            // in their low bits, 6to4 (2002::/16) right after its prefix.
            // Each is as forbidden as the address it carries.
            let nat64 = s[0] == 0x64 && s[1] == 0xff9b && (s[2..6] == [0, 0, 0, 0] || s[2] == 1);
            let translated = s[0..5] == [0, 0, 0, 0, 0xffff] && s[5] == 0;
            if nat64 || translated {
                return forbidden_v4(low_v4());
            }
            if s[0] == 0x2002 {
                return forbidden_v4(Ipv4Addr::from((u32::from(s[1]) << 16) | u32::from(s[2])));
            }
            v6.is_unspecified()
                // Teredo (2001::/32) tunnels to an address hidden in its bits;
                // nothing a webhook needs.
                || (s[0] == 0x2001 && s[1] == 0)
                || v6.is_loopback()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local, fd00:ec2::254 among them
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254.169.254, the metadata service, too
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240
}

/// Why a URL may not be a webhook target, before any DNS.
pub fn check_shape(raw: &str, allow_private: bool) -> Result<Url, &'static str> {
    if raw.len() > MAX_URL_LEN {
        return Err("must be at most 2000 characters");
    }
    let url = Url::parse(raw).map_err(|_| "must be an absolute http or https URL")?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an absolute http or https URL");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials; the signature authenticates Dateline");
    }
    match url.host() {
        None => Err("must name a host"),
        Some(Host::Ipv4(ip)) if !allow_private && is_forbidden(IpAddr::V4(ip)) => Err(PRIVATE),
        Some(Host::Ipv6(ip)) if !allow_private && is_forbidden(IpAddr::V6(ip)) => Err(PRIVATE),
        Some(Host::Domain(d)) if !allow_private && is_local_name(d) => Err(PRIVATE),
        Some(_) => Ok(url),
    }
}

const PRIVATE: &str = "points to a loopback, private, link-local or metadata address";

fn is_local_name(d: &str) -> bool {
    let d = d.trim_end_matches('.').to_ascii_lowercase();
    d == "localhost" || d.ends_with(".localhost") || d.ends_with(".internal") || d.ends_with(".local")
}

/// The full check: the shape, then every address the host resolves to.
pub async fn check(raw: &str, allow_private: bool) -> Result<Url, String> {
    let url = check_shape(raw, allow_private).map_err(str::to_owned)?;
    if allow_private {
        return Ok(url);
    }
    if let Some(Host::Domain(d)) = url.host() {
        let port = url.port_or_known_default().unwrap_or(443);
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((d, port))
            .await
            .map_err(|_| format!("host {d} does not resolve"))?
            .collect();
        if addrs.is_empty() {
            return Err(format!("host {d} does not resolve"));
        }
        if addrs.iter().any(|a| is_forbidden(a.ip())) {
            return Err(PRIVATE.to_owned());
        }
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_refused() {
        for bad in [
            "http://127.0.0.1/x",
            "http://10.1.2.3/",
            "http://172.20.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.100.100.200/",
            "http://0.0.0.0/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[fd00:ec2::254]/",
            "http://[fe80::1]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://[64:ff9b:1::7f00:1]/",
            "http://[::ffff:0:127.0.0.1]/",
            "http://[::ffff:0:7f00:1]/",
            "http://[2002:7f00:1::]/",
            "http://[2002:a9fe:a9fe::1]/",
            "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
            "http://localhost:8080/",
            "http://metadata.google.internal/",
            "http://2130706433/",
            "http://0x7f.1/",
        ] {
            assert!(check_shape(bad, false).is_err(), "{bad}");
            assert!(check_shape(bad, true).is_ok(), "{bad} with private targets allowed");
        }
        for bad in [
            "ftp://example.com/",
            "file:///etc/passwd",
            "https://u:p@example.com/",
            "/relative",
            "gopher://x",
        ] {
            assert!(check_shape(bad, true).is_err(), "{bad}");
        }
        for good in [
            "https://hooks.example.com/dateline",
            "http://93.184.215.14:8080/x",
            "https://[2606:4700::1]/",
            "https://[2002:5db8:d70e::1]/",
        ] {
            assert!(check_shape(good, false).is_ok(), "{good}");
        }
    }
}

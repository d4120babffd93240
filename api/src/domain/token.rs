//! Opaque tokens and digests: what cursors, global ids, API keys,
//! idempotency fingerprints and ETags are made of, written once.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Text wrapped so clients treat it as opaque and can put it in a URL.
pub fn encode(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(text)
}

/// The text inside a token from [`encode`]; None for anything else.
/// Padding that a client library added is tolerated.
pub fn decode(token: &str) -> Option<String> {
    let raw = URL_SAFE_NO_PAD.decode(token.trim_end_matches('=')).ok()?;
    String::from_utf8(raw).ok()
}

/// A new secret: `prefix` and `bytes` random bytes, URL-safe. Shown once;
/// only its `sha256_hex` is stored.
pub fn secret(prefix: &str, bytes: usize) -> String {
    use rand::RngCore;
    let mut raw = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut raw);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(raw))
}

/// SHA-256 of the parts, one after another, in lowercase hex.
pub fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_tolerate_padding() {
        let t = encode("k1:5:abc");
        assert!(!t.contains('=') && !t.contains('+') && !t.contains('/'));
        assert_eq!(decode(&t).as_deref(), Some("k1:5:abc"));
        assert_eq!(decode(&format!("{t}==")).as_deref(), Some("k1:5:abc"));
        assert_eq!(decode("not base64!"), None);
        assert_eq!(decode(&URL_SAFE_NO_PAD.encode([0xff, 0xfe])), None);
    }

    #[test]
    fn digests_are_of_the_concatenation() {
        assert_eq!(sha256_hex(&[b"ab", b"c"]), sha256_hex(&[b"abc"]));
        assert_eq!(sha256_hex(&[b"abc"]), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}

//! Passwords: argon2id hashes (the RustCrypto `argon2` crate), a minimum
//! length, and a guessability check (`zxcvbn`, whose dictionaries hold the
//! commonly breached passwords). Hashing runs on the blocking pool: it is
//! meant to be slow. Only as many run at once as there are CPUs (more would
//! not finish sooner): 32 sign-ins at once took the process to 660 MB
//! before; the rest now wait their turn.
//!
//! The cost is OWASP's 7 MiB and 5 passes rather than the crate's default
//! 19 MiB and 2, which OWASP lists as equal in strength (the same work,
//! spent more in time than in memory): each hash running held 19 MiB of the
//! server's memory, the largest share of its peak. Hashes made with other
//! costs still verify, by the costs written in them.

use crate::error::{AppError, AppResult};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, Version};

pub const MIN_CHARS: usize = 10;
/// Bounds the work one sign-in can cost.
pub const MAX_BYTES: usize = 256;

/// Refuses passwords that are short or easy to guess (common, breached,
/// or made of the person's own email or name).
/// What a guesser knows of the person and the place: the email whole and
/// its local part, the display name, and the site's name and its words
/// ("Dateline2026" at Dateline is weak however random it looks elsewhere).
pub fn hints(email: &str, display_name: &str, site: &str) -> Vec<String> {
    let local = email.split_once('@').map_or(email, |(l, _)| l);
    let mut out = vec![email.to_owned()];
    for source in [local, display_name, site] {
        out.push(source.to_owned());
        // Run together, as people type names into passwords, and word by word.
        out.push(source.chars().filter(|c| c.is_alphanumeric()).collect());
        out.extend(source.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 2).map(str::to_owned));
    }
    out
}

pub fn check_strength(password: &str, hints: &[&str]) -> AppResult<()> {
    if password.chars().count() < MIN_CHARS {
        return Err(AppError::field("password", format!("must be at least {MIN_CHARS} characters")));
    }
    if password.len() > MAX_BYTES {
        return Err(AppError::field("password", format!("must be at most {MAX_BYTES} bytes")));
    }
    let estimate = zxcvbn::zxcvbn(password, hints);
    if (estimate.score() as u8) < 3 {
        // Well formed, refused by the rule: 422 over REST.
        return Err(AppError::unprocessable(
            "password",
            "is too common or too easy to guess; try a longer phrase of unrelated words",
        ));
    }
    Ok(())
}

/// KiB of memory and passes of one hash (OWASP: m=7168, t=5, p=1).
const MEMORY_KIB: u32 = 7 * 1024;
const PASSES: u32 = 5;

fn hasher() -> Argon2<'static> {
    // Within the crate's bounds, so never the default's fallback.
    let params = Params::new(MEMORY_KIB, PASSES, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

static HASHING: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get))
});

/// Runs one hash or check on the blocking pool, once a turn is free.
async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let _turn = HASHING.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || {
        #[cfg(test)]
        let _counted = tests::Running::start();
        work()
    })
    .await
    .map_err(AppError::internal)
}

pub async fn hash(password: &str) -> AppResult<String> {
    let password = password.to_owned();
    hashing(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::internal(anyhow::anyhow!("hashing a password: {e}")))
    })
    .await?
}

/// Whether `password` matches `stored`. With no stored hash (an unknown
/// email, an SSO-only account) a dummy hash is checked anyway, so the
/// answer takes as long either way and does not tell which emails exist.
pub async fn verify(password: &str, stored: Option<&str>) -> AppResult<bool> {
    let password = password.to_owned();
    let known = stored.is_some();
    let stored = stored.map_or_else(|| DUMMY.clone(), str::to_owned);
    hashing(move || {
        let ok = PasswordHash::new(&stored)
            .map(|h| hasher().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false);
        ok && known
    })
    .await
}

static DUMMY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    hasher().hash_password(b"no such account", &salt).map(|h| h.to_string()).unwrap_or_default()
});

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static RUNNING: AtomicUsize = AtomicUsize::new(0);
    static MOST: AtomicUsize = AtomicUsize::new(0);

    /// Counts the hashes running at once while it lives.
    pub(super) struct Running;

    impl Running {
        pub(super) fn start() -> Self {
            let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
            MOST.fetch_max(now, Ordering::SeqCst);
            Self
        }
    }

    impl Drop for Running {
        fn drop(&mut self) {
            RUNNING.fetch_sub(1, Ordering::SeqCst);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_hashes_run_at_once_than_there_are_cpus() {
        let stored = hash("maple lantern gravel orbit").await.unwrap();
        let checks: Vec<_> = (0..12)
            .map(|i| {
                let stored = stored.clone();
                tokio::spawn(async move { verify(&format!("guess {i}"), Some(&stored)).await })
            })
            .collect();
        for c in checks {
            assert!(!c.await.unwrap().unwrap());
        }
        let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let most = MOST.load(Ordering::SeqCst);
        assert!(most >= 1 && most <= cpus, "{most} hashes ran at once on {cpus} CPUs");
    }

    #[test]
    fn short_and_common_passwords_are_refused() {
        for weak in ["short", "password123", "qwertyuiop", "1234567890", "iloveyou12", "alice@example.com"] {
            assert!(check_strength(weak, &["alice@example.com", "Alice"]).is_err(), "{weak}");
        }
        assert!(check_strength("maple lantern gravel orbit", &[]).is_ok());
    }

    fn hints_of(email: &str, name: &str, site: &str) -> Vec<&'static str> {
        hints(email, name, site).into_iter().map(|h| &*Box::leak(h.into_boxed_str())).collect()
    }

    #[test]
    fn the_site_and_the_person_are_known_to_the_guesser() {
        let hints = hints("jane.whitfield@example.com", "Jane Whitfield", "The Example Times");
        let hints: Vec<&str> = hints.iter().map(String::as_str).collect();
        for weak in ["TheExampleTimes2026", "jane.whitfield1984", "janewhitfield2026", "whitfield12345"] {
            let s = zxcvbn::zxcvbn(weak, &hints).score() as u8;
            assert!(check_strength(weak, &hints).is_err(), "{weak} scored {s}");
        }
        let hints = hints_of("reader@example.com", "Reader", "Dateline");
        for weak in ["Dateline2026", "dateline2026!", "Dateline!2026"] {
            assert!(check_strength(weak, &hints).is_err(), "{weak}");
        }
        assert!(check_strength("maple lantern gravel orbit", &hints).is_ok());
    }

    #[tokio::test]
    async fn hashes_verify_and_differ_each_time() {
        let a = hash("maple lantern gravel orbit").await.ok();
        let b = hash("maple lantern gravel orbit").await.ok();
        assert!(a.as_deref().is_some_and(|h| h.starts_with("$argon2id$")));
        assert_ne!(a, b);
        assert_eq!(verify("maple lantern gravel orbit", a.as_deref()).await.ok(), Some(true));
        assert_eq!(verify("maple lantern gravel orbiT", a.as_deref()).await.ok(), Some(false));
        assert_eq!(verify("maple lantern gravel orbit", None).await.ok(), Some(false));
    }

    #[tokio::test]
    async fn hashes_hold_seven_mebibytes_and_older_costs_still_verify() {
        let new = hash("maple lantern gravel orbit").await.unwrap();
        assert!(new.contains("$m=7168,t=5,p=1$"), "{new}");
        let salt = SaltString::generate(&mut OsRng);
        let old = Argon2::default().hash_password(b"maple lantern gravel orbit", &salt).unwrap().to_string();
        assert!(old.contains("$m=19456,t=2,p=1$"), "{old}");
        assert_eq!(verify("maple lantern gravel orbit", Some(&old)).await.ok(), Some(true));
        assert_eq!(verify("maple lantern gravel orbiT", Some(&old)).await.ok(), Some(false));
    }
}

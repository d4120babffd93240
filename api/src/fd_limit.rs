//! File descriptors: every connection holds one, and live streams hold
//! theirs for as long as a reader stays. The soft limit is raised to the
//! hard one at start (many systems start services at 1,024), and the cap on
//! live streams is kept well below it, so streams can never take the
//! descriptors that ordinary requests and the database pool need.

/// The soft and hard limits after raising the soft one as far as allowed
/// (the server does this before it prepares anything).
pub fn raise() -> Option<(u64, u64)> {
    #[cfg(target_os = "linux")]
    {
        use nix::sys::resource::{Resource, setrlimit};
        let (soft, hard) = current()?;
        if soft < hard && setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
            return Some((hard, hard));
        }
        Some((soft, hard))
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// The soft and hard limits as they stand.
pub fn current() -> Option<(u64, u64)> {
    #[cfg(target_os = "linux")]
    {
        nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE).ok()
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// Live streams the process may hold: `configured`, or for 0 half the soft
/// limit, at most 10,000.
pub fn stream_cap(configured: usize, soft: Option<u64>) -> usize {
    if configured > 0 {
        return configured;
    }
    let half = soft.map_or(512, |s| usize::try_from(s / 2).unwrap_or(usize::MAX));
    half.clamp(16, 10_000)
}

#[cfg(test)]
mod tests {
    use super::stream_cap;

    #[test]
    fn the_cap_stays_well_below_the_descriptor_limit() {
        assert_eq!(stream_cap(0, Some(1_024)), 512);
        assert_eq!(stream_cap(0, Some(1_048_576)), 10_000);
        assert_eq!(stream_cap(0, None), 512);
        assert_eq!(stream_cap(300, Some(1_024)), 300);
    }
}

//! The process's allocator: mimalloc, for Dateline's allocations and (it
//! replaces `malloc`) for SQLite's, told to give freed memory back at once.
//!
//! mimalloc 3 keeps freed pages for a second before returning them to the
//! system. Under load that second holds the garbage of thousands of
//! requests across the worker threads: at 100,000 stories it added 3 to 9
//! MB to the server's peak resident memory in the benchmark's server
//! phases, and giving pages back at once cost no throughput beyond the
//! run-to-run noise.
//!
//! The one place in Dateline that calls foreign code directly: mimalloc's
//! options have no safe interface.
#![allow(unsafe_code)]

use libmimalloc_sys::{mi_option_set, mi_option_t};

/// `mi_option_purge_delay` in mimalloc.h (version 3), which the binding
/// does not name.
const PURGE_DELAY: mi_option_t = 15;

/// Freed memory goes back to the system when it is freed. Called first
/// thing in `main`, before any other thread starts.
pub fn give_back_freed_memory_at_once() {
    // SAFETY: mi_option_set stores an integer in mimalloc's option table,
    // which it reads again at each purge; no pointer is passed.
    unsafe { mi_option_set(PURGE_DELAY, 0) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use libmimalloc_sys::mi_option_get;

    fn purge_delay_ms() -> std::ffi::c_long {
        // SAFETY: reads an integer from mimalloc's option table.
        unsafe { mi_option_get(PURGE_DELAY) }
    }

    #[test]
    fn the_option_set_is_mimallocs_purge_delay() {
        // mimalloc 3 delays purges by 1000 ms by default and no other
        // option defaults to 1000, so this proves the number names it
        // (unless the environment set it).
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(purge_delay_ms(), 1000);
        }
        give_back_freed_memory_at_once();
        assert_eq!(purge_delay_ms(), 0);
    }
}

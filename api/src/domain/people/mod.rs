//! What people do with their accounts and what moderators do to them:
//! registration and sign-in (`registration`, `sso`), bans and suspensions
//! (`standing`), and erasure. Above `accounts` (identities, keys, sessions,
//! roles and the policy), since these touch comments and allowances too.

pub mod erasure;
pub mod registration;
pub mod sso;
pub mod standing;

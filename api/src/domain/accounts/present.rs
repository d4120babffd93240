//! A person as both APIs show them to themselves and to moderators; the
//! adapters only copy these fields.

use super::Role;
use super::users::{self, User, UserStatus};
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub struct AccountShown {
    pub id: Uuid,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    /// A moderator, editor or admin whose account is not deleted.
    pub is_staff: bool,
    pub banned: bool,
    pub suspended_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

pub fn account(u: &User) -> AccountShown {
    AccountShown {
        id: u.id,
        display_name: u.display_name.clone(),
        email: u.email.clone(),
        role: u.role,
        is_staff: users::is_staff(u),
        banned: u.status == UserStatus::Banned,
        suspended_until: u.suspended_until,
        created_at: u.created_at,
    }
}

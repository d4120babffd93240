//! Roles of people. A role is a bundle of the scopes API keys carry, so one
//! check (`Actor::has`) serves keys and people alike.

use super::Scope;

pub use entity::app_user::Role;

/// The scopes a role carries.
pub fn scopes(role: Role) -> Vec<Scope> {
    match role {
        Role::Reader => Vec::new(),
        Role::Moderator => vec![Scope::CommentsModerate],
        Role::Editor => vec![Scope::CommentsModerate, Scope::ContentWrite, Scope::ContentReadDrafts],
        Role::Admin => Scope::ALL.to_vec(),
    }
}

//! A person as they see themselves (`me`) and as moderators see them.

use crate::domain::accounts::present::{self, AccountShown};
use crate::domain::accounts::users::User;
use crate::graphql::ids::{self, Kind};
use async_graphql::{Enum, ID, Object};
use chrono::{DateTime, Utc};

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::domain::accounts::Role")]
pub enum Role {
    Reader,
    Moderator,
    Editor,
    Admin,
}

pub struct Account(AccountShown);

impl Account {
    pub fn new(u: &User) -> Self {
        Self(present::account(u))
    }
}

#[Object(name = "User")]
impl Account {
    async fn id(&self) -> ID {
        ids::encode(Kind::User, self.0.id)
    }
    async fn uuid(&self) -> String {
        self.0.id.to_string()
    }
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    /// Shown only to the person themselves and to moderators.
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    async fn is_staff(&self) -> bool {
        self.0.is_staff
    }
    async fn banned(&self) -> bool {
        self.0.banned
    }
    async fn suspended_until(&self) -> Option<DateTime<Utc>> {
        self.0.suspended_until
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

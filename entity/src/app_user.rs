//! Readers and staff.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "app_user")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub role: Role,
    pub status: UserStatus,
    pub suspended_until: Option<DateTimeUtc>,
    pub idp_issuer: Option<String>,
    pub idp_subject: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// What a person may do beyond reading and commenting.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Role {
    #[sea_orm(string_value = "READER")]
    Reader,
    #[sea_orm(string_value = "MODERATOR")]
    Moderator,
    #[sea_orm(string_value = "EDITOR")]
    Editor,
    #[sea_orm(string_value = "ADMIN")]
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Reader, Role::Moderator, Role::Editor, Role::Admin];

    /// The name clients send and see, the same as the stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reader => "READER",
            Self::Moderator => "MODERATOR",
            Self::Editor => "EDITOR",
            Self::Admin => "ADMIN",
        }
    }

    /// A name as an operator types it, in any case.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str().eq_ignore_ascii_case(s))
    }

    /// Staff are marked as such next to their comments.
    pub fn is_staff(self) -> bool {
        self != Self::Reader
    }
}

/// Whether an account may act: ACTIVE, BANNED, or DELETED (erased; the row
/// stays so its comments' placeholders keep an author).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum UserStatus {
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "BANNED")]
    Banned,
    #[sea_orm(string_value = "DELETED")]
    Deleted,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

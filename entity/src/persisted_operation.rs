//! A GraphQL document the server knows by an id: registered by a client
//! (automatic persisted queries, keyed by the document's SHA-256) or added
//! by an operator from a build's manifest (trusted).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "persisted_operation")]
pub struct Model {
    /// The id clients send: the SHA-256 (hex) for a registered document,
    /// the manifest's key for a trusted one.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// SHA-256 of the document (lowercase hex), what APQ clients send.
    pub sha256: String,
    pub document: String,
    /// The operation's name, for listings; None for an anonymous operation.
    pub name: Option<String>,
    pub origin: Origin,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Origin {
    /// Sent by a client with its hash; evicted oldest first past the bound.
    #[sea_orm(string_value = "AUTOMATIC")]
    Automatic,
    /// Added by an operator; never evicted, and the only kind callers
    /// without a key may run when trusted documents are required.
    #[sea_orm(string_value = "TRUSTED")]
    Trusted,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! sea-orm entities: one file per table. These are rows, not API shapes;
//! the API crate keeps its own view types.

pub mod api_key;
pub mod app_user;
pub mod article;
pub mod article_author;
pub mod article_body;
pub mod article_related;
pub mod article_tag;
pub mod author;
pub mod change_event;
pub mod comment;
pub mod comment_event;
pub mod comment_flag;
pub mod comment_reaction;
pub mod comment_revision;
pub mod correction;
pub mod idempotency_key;
pub mod media;
pub mod moderation_action;
pub mod persisted_operation;
pub mod related_mark;
pub mod related_pick;
pub mod section;
pub mod tag;
pub mod user_session;
pub mod webhook_delivery;
pub mod webhook_endpoint;

pub mod prelude {
    pub use super::api_key::Entity as ApiKey;
    pub use super::app_user::Entity as AppUser;
    pub use super::article::Entity as Article;
    pub use super::article_author::Entity as ArticleAuthor;
    pub use super::article_body::Entity as ArticleBody;
    pub use super::article_related::Entity as ArticleRelated;
    pub use super::article_tag::Entity as ArticleTag;
    pub use super::author::Entity as Author;
    pub use super::change_event::Entity as ChangeEvent;
    pub use super::comment::Entity as Comment;
    pub use super::comment_event::Entity as CommentEvent;
    pub use super::comment_flag::Entity as CommentFlag;
    pub use super::comment_reaction::Entity as CommentReaction;
    pub use super::comment_revision::Entity as CommentRevision;
    pub use super::correction::Entity as Correction;
    pub use super::idempotency_key::Entity as IdempotencyKey;
    pub use super::media::Entity as Media;
    pub use super::moderation_action::Entity as ModerationAction;
    pub use super::persisted_operation::Entity as PersistedOperation;
    pub use super::related_mark::Entity as RelatedMark;
    pub use super::related_pick::Entity as RelatedPick;
    pub use super::section::Entity as Section;
    pub use super::tag::Entity as Tag;
    pub use super::user_session::Entity as UserSession;
    pub use super::webhook_delivery::Entity as WebhookDelivery;
    pub use super::webhook_endpoint::Entity as WebhookEndpoint;
}

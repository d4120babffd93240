//! A person's own data: downloading their comments, and deleting their
//! account. On deletion their comments with replies stay as "[deleted]"
//! placeholders (the thread keeps its shape); the others are removed; the
//! account keeps no email, name, password or link to an identity provider.

use crate::domain::accounts::users::{DELETED_NAME, User, UserStatus};
use crate::domain::accounts::{Actor, sessions};
use crate::domain::comments::{Comment, counts, events, read, write};
use crate::domain::tx;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entity::{app_user, comment};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

fn me(actor: &Actor) -> AppResult<Uuid> {
    Ok(crate::domain::accounts::policy::person(actor)?.id)
}

/// Every comment the person wrote that still has a body.
pub async fn my_comments(db: &impl ConnectionTrait, actor: &Actor) -> AppResult<Vec<Comment>> {
    read::by_author(db, me(actor)?).await
}

pub async fn delete_account<C: tx::Db>(db: &C, actor: &Actor, now: DateTime<Utc>) -> AppResult<()> {
    let id = me(actor)?;
    tx::unit!(db, |txn| {
        // The name goes from every byline.
        crate::domain::freshness::changed(crate::domain::freshness::Changed::Content);
        crate::domain::surrogate::purge_person(txn, id, now).await?;
        let user: User = app_user::Entity::find_by_id(id).one(txn).await?.ok_or(AppError::Unauthenticated)?;
        // Deepest first, so a reply removed here no longer keeps its parent.
        let mine = comment::Entity::find()
            .filter(comment::Column::UserId.eq(id))
            .order_by_desc(comment::Column::Depth)
            .all(txn)
            .await?;
        for c in mine {
            if read::has_children(txn, c.id).await? {
                write::remove(txn, &c, now).await?;
            } else {
                counts::on_status_change(txn, &c, Some(c.status), None).await?;
                events::changed(txn, &c, None, now).await?;
                comment::Entity::delete_by_id(c.id).exec(txn).await?;
            }
        }
        sessions::revoke_all(txn, id, now).await?;
        let mut m: app_user::ActiveModel = user.into();
        m.email = Set(format!("deleted-{}@users.invalid", id.simple()));
        m.display_name = Set(DELETED_NAME.to_owned());
        m.password_hash = Set(None);
        m.idp_issuer = Set(None);
        m.idp_subject = Set(None);
        m.status = Set(UserStatus::Deleted.to_owned());
        m.updated_at = Set(now);
        app_user::Entity::update(m).exec(txn).await?;
        Ok(())
    })
}

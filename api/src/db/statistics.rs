//! Planner statistics after a bulk load (`dateline seed`, `dateline
//! import`), as an operator would gather them and autovacuum would some
//! minutes later: without them PostgreSQL plans the read path's joins as if
//! the tables were empty. SQLite is left alone: with statistics, every
//! statement with a range parameter is planned again on each call.

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr};

pub async fn refresh(db: &DatabaseConnection) -> Result<(), DbErr> {
    let sql = match db.get_database_backend() {
        // VACUUM too: otherwise autovacuum, woken by the inserts, runs
        // during the first minutes of serving.
        DatabaseBackend::Postgres => "VACUUM ANALYZE",
        DatabaseBackend::MySql => {
            "ANALYZE TABLE article, article_body, article_author, article_tag, article_related, related_pick, \
             related_mark, section, tag, author, media, comment, change_event"
        }
        _ => return Ok(()),
    };
    db.execute_unprepared(sql).await?;
    Ok(())
}

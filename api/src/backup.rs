//! `dateline backup FILE`: a copy of an SQLite database that is consistent
//! even while servers write to it. `VACUUM INTO` reads one snapshot (in WAL
//! mode writers go on meanwhile) and writes a compact database file, which
//! is checked before the command says it is done. PostgreSQL and MariaDB
//! come with tools that do this for them (pg_dump, mariadb-dump
//! --single-transaction); the command says so rather than half-do it.

use crate::cli::CliError;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DbBackend, Statement};
use std::path::Path;

pub async fn run(url: &str, file: &Path) -> Result<(), CliError> {
    if url.starts_with("postgres") {
        return Err(CliError::Usage(
            "backup copies SQLite databases; for PostgreSQL use pg_dump (e.g. pg_dump -Fc -f FILE DATABASE_URL)".into(),
        ));
    }
    if !url.starts_with("sqlite:") {
        return Err(CliError::Usage(
            "backup copies SQLite databases; for MariaDB and MySQL use mariadb-dump --single-transaction"
                .into(),
        ));
    }
    if file.exists() {
        return Err(CliError::Usage(format!("{} exists; back up to a new file", file.display())));
    }
    let target = file.to_str().ok_or_else(|| CliError::Usage(format!("{} is not UTF-8", file.display())))?;
    let mut opt = ConnectOptions::new(url.to_owned());
    opt.max_connections(1).sqlx_logging(false);
    let db = Database::connect(opt).await.map_err(cannot("open the database"))?;
    // A URL that names no Dateline database (`mode=rwc` made an empty one).
    let tables = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'seaql_migrations'",
        ))
        .await
        .map_err(cannot("read the database"))?
        .and_then(|row| row.try_get::<i64>("", "n").ok())
        .unwrap_or(0);
    if tables == 0 {
        return Err(CliError::Usage(format!("{} holds no Dateline database", crate::db::mask_url(url))));
    }
    db.execute_raw(Statement::from_sql_and_values(DbBackend::Sqlite, "VACUUM INTO ?", [target.into()]))
        .await
        .map_err(cannot("copy the database"))?;
    db.close().await.map_err(cannot("close the database"))?;
    check(target).await?;
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    println!("backed up {} to {} ({size} bytes)", crate::db::mask_url(url), file.display());
    Ok(())
}

/// The copy opens and passes SQLite's own check.
async fn check(path: &str) -> Result<(), CliError> {
    let mut opt = ConnectOptions::new(format!("sqlite://{path}?mode=ro"));
    opt.max_connections(1).sqlx_logging(false);
    let copy = Database::connect(opt).await.map_err(cannot("open the copy"))?;
    let verdict = copy
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA quick_check"))
        .await
        .map_err(cannot("check the copy"))?
        .and_then(|row| row.try_get_by_index::<String>(0).ok())
        .unwrap_or_default();
    copy.close().await.map_err(cannot("close the copy"))?;
    if verdict != "ok" {
        return Err(CliError::Io(format!("the copy at {path} failed SQLite's check: {verdict}")));
    }
    Ok(())
}

fn cannot(what: &'static str) -> impl Fn(sea_orm::DbErr) -> CliError {
    move |e| CliError::Io(format!("cannot {what}: {e}"))
}

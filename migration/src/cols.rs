//! Column helpers that paper over the few type differences between backends.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

/// A UTC instant. MySQL's `TIMESTAMP` ends in 2038 and converts to the
/// session time zone, so MySQL gets `DATETIME(6)` holding UTC instead.
pub fn ts(backend: DatabaseBackend, name: &'static str) -> ColumnDef {
    let mut col = ts_null(backend, name);
    col.not_null();
    col
}

pub fn ts_null(backend: DatabaseBackend, name: &'static str) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    match backend {
        DatabaseBackend::MySql => col.custom("DATETIME(6)"),
        _ => col.timestamp_with_time_zone(),
    };
    col.null();
    col
}

/// Bodies can exceed MySQL's 64 KiB `TEXT`.
pub fn long_text(backend: DatabaseBackend, name: &'static str) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    match backend {
        DatabaseBackend::MySql => col.custom("LONGTEXT"),
        _ => col.text(),
    };
    col.not_null();
    col
}

pub fn uuid(name: &'static str) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    col.uuid().not_null();
    col
}

pub fn uuid_null(name: &'static str) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    col.uuid().null();
    col
}

pub fn uuid_pk(name: &'static str) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    col.uuid().not_null().primary_key();
    col
}

pub fn varchar(name: &'static str, len: u32) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    col.string_len(len).not_null();
    col
}

pub fn varchar_null(name: &'static str, len: u32) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    col.string_len(len).null();
    col
}

pub fn text(name: &'static str) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    col.text().not_null();
    col
}

pub fn text_null(name: &'static str) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    col.text().null();
    col
}

pub fn int(name: &'static str) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    col.integer().not_null();
    col
}

pub fn int_null(name: &'static str) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    col.integer().null();
    col
}

pub fn boolean(name: &'static str) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    col.boolean().not_null();
    col
}

pub fn fk(
    table: &'static str,
    col: &'static str,
    to: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{col}"))
        .from(table, col)
        .to(to, "id")
        .on_delete(on_delete)
        .to_owned()
}

pub fn index(table: &'static str, name: &str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(format!("ix_{table}_{name}")).table(table);
    for c in cols {
        idx.col(*c);
    }
    idx.to_owned()
}

pub async fn create(manager: &SchemaManager<'_>, table: TableCreateStatement) -> Result<(), DbErr> {
    manager.create_table(table).await
}

pub async fn create_indexes(
    manager: &SchemaManager<'_>,
    indexes: Vec<IndexCreateStatement>,
) -> Result<(), DbErr> {
    for idx in indexes {
        manager.create_index(idx).await?;
    }
    Ok(())
}

/// Ids kept as comma-separated text, empty by default. MySQL allows a
/// default on `TEXT` only as an expression.
pub fn id_list(backend: DatabaseBackend, name: &'static str) -> ColumnDef {
    let mut col = ColumnDef::new(name);
    col.text().not_null();
    match backend {
        DatabaseBackend::MySql => col.extra("DEFAULT ('')"),
        _ => col.default(""),
    };
    col
}

//! Which input field a unique-key violation is about. A write checks its
//! unique values before inserting, but two writers can both pass that check;
//! the loser's insert then fails on the index, and it must hear the same
//! answer as if the check had caught it: 422 naming the field.

/// The client's name (camelCase) for the column a violation message names,
/// as SQLite, PostgreSQL and MariaDB/MySQL word it. A primary key is `id`.
pub fn field_of(message: &str) -> String {
    let column = sqlite(message).or_else(|| postgres(message)).or_else(|| mysql(message)).unwrap_or("id");
    camel(column)
}

/// `UNIQUE constraint failed: tag.slug` (the first column of the key).
fn sqlite(message: &str) -> Option<&str> {
    let cols = message.split("constraint failed: ").nth(1)?;
    let first = cols.split(',').next()?.trim();
    Some(first.rsplit('.').next().unwrap_or(first))
}

/// `duplicate key value violates unique constraint "tag_slug_key"`: the
/// constraint's default name is table, columns and `key`.
fn postgres(message: &str) -> Option<&str> {
    let name = message.split("unique constraint \"").nth(1)?.split('"').next()?;
    if name.ends_with("_pkey") {
        return Some("id");
    }
    let stem = name.strip_suffix("_key").unwrap_or(name);
    Some(KNOWN.iter().find(|c| stem.ends_with(*c)).copied().unwrap_or("id"))
}

/// `Duplicate entry 'x' for key 'slug'` (MySQL 8 says `'tag.slug'`).
fn mysql(message: &str) -> Option<&str> {
    let key = message.split("for key '").nth(1)?.split('\'').next()?;
    let key = key.rsplit('.').next().unwrap_or(key);
    if key == "PRIMARY" {
        return Some("id");
    }
    Some(KNOWN.iter().find(|c| key.ends_with(*c)).copied().unwrap_or(key))
}

/// The unique columns clients set.
const KNOWN: [&str; 3] = ["external_id", "slug", "email"];

fn camel(column: &str) -> String {
    let mut out = String::with_capacity(column.len());
    let mut upper = false;
    for ch in column.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            out.extend(ch.to_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field_of;

    #[test]
    fn each_backend_names_the_field() {
        assert_eq!(field_of("UNIQUE constraint failed: tag.slug"), "slug");
        assert_eq!(field_of("UNIQUE constraint failed: article.external_id"), "externalId");
        assert_eq!(field_of("duplicate key value violates unique constraint \"tag_slug_key\""), "slug");
        assert_eq!(
            field_of("duplicate key value violates unique constraint \"article_external_id_key\""),
            "externalId"
        );
        assert_eq!(field_of("duplicate key value violates unique constraint \"comment_flag_pkey\""), "id");
        assert_eq!(field_of("Duplicate entry 'politics' for key 'slug'"), "slug");
        assert_eq!(field_of("Duplicate entry 'x' for key 'article.external_id'"), "externalId");
        assert_eq!(field_of("Duplicate entry 'a-b' for key 'PRIMARY'"), "id");
        assert_eq!(field_of("something else entirely"), "id");
    }
}

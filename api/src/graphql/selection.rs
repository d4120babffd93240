//! Reading ahead in a query's selection, so a parent field can read in its
//! own statement what its children will show. What is read here only
//! decides what to fetch early: every child field still checks its own
//! arguments and, when the early read does not fit, reads its own.

use crate::domain::pagination::PageSize;
use async_graphql::{SelectionField, Value};

/// The page size a selected field asks for, checked as its resolver checks
/// it. None when the field names a `cursor` argument (it then reads a later
/// page of its own) or when its size is not valid (its resolver reports it).
pub fn size_asked(field: &SelectionField<'_>, sizes: PageSize, cursor: Option<&str>) -> Option<u64> {
    let args = field.arguments().ok()?;
    let arg = |name: &str| args.iter().find(|(n, _)| n.as_str() == name).map(|(_, v)| v);
    if cursor.and_then(arg).is_some_and(|v| *v != Value::Null) {
        return None;
    }
    let first = match arg("first") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(i32::try_from(n.as_i64()?).ok()?),
        Some(_) => return None,
    };
    sizes.check(first, "first").ok()
}

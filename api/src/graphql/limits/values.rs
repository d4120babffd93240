//! Checks on the values a request carries, in variables and in literals:
//! nesting (JSON variables are parsed before any GraphQL limit applies) and
//! control characters, which no field of Dateline accepts. Refusing them
//! here gives every read and write, now and later, the same answer on every
//! backend (PostgreSQL cannot even compare text with NUL in it).

use crate::domain::text::{self, Lines};
use crate::error::{AppError, AppResult};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, Variables};
use async_graphql_value::{ConstValue, Value};

fn bad_text(path: &str) -> AppError {
    AppError::field(path, text::CONTROL_MESSAGE)
}

pub fn check_variables(vars: &Variables, max_nesting: usize) -> AppResult<()> {
    for (name, value) in vars.iter() {
        const_value(value, name.as_str(), 1, max_nesting)?;
    }
    Ok(())
}

fn const_value(v: &ConstValue, path: &str, depth: usize, max: usize) -> AppResult<()> {
    if depth > max {
        return Err(AppError::field(path, format!("is nested more than {max} deep")));
    }
    match v {
        ConstValue::String(s) if !text::is_clean(s, Lines::Multi) => Err(bad_text(path)),
        ConstValue::List(items) => {
            for (i, item) in items.iter().enumerate() {
                const_value(item, &format!("{path}[{i}]"), depth + 1, max)?;
            }
            Ok(())
        }
        ConstValue::Object(fields) => {
            for (k, item) in fields {
                if !text::is_clean(k, Lines::Single) {
                    return Err(bad_text(path));
                }
                const_value(item, &format!("{path}.{k}"), depth + 1, max)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Literal values in the document. Their nesting is already bounded by the
/// lexical scan, so plain recursion is safe here.
pub fn check_literals(doc: &ExecutableDocument) -> AppResult<()> {
    for (_, op) in doc.operations.iter() {
        for var in &op.node.variable_definitions {
            if let Some(d) = &var.node.default_value {
                const_value(&d.node, var.node.name.node.as_str(), 1, usize::MAX)?;
            }
        }
        selection_set(&op.node.selection_set)?;
    }
    for frag in doc.fragments.values() {
        selection_set(&frag.node.selection_set)?;
    }
    Ok(())
}

fn selection_set(set: &Positioned<SelectionSet>) -> AppResult<()> {
    for item in &set.node.items {
        for d in item.node.directives() {
            for (name, v) in &d.node.arguments {
                value(&v.node, name.node.as_str())?;
            }
        }
        match &item.node {
            Selection::Field(f) => {
                for (name, v) in &f.node.arguments {
                    value(&v.node, name.node.as_str())?;
                }
                selection_set(&f.node.selection_set)?;
            }
            Selection::InlineFragment(i) => selection_set(&i.node.selection_set)?,
            Selection::FragmentSpread(_) => {}
        }
    }
    Ok(())
}

fn value(v: &Value, path: &str) -> AppResult<()> {
    match v {
        Value::String(s) if !text::is_clean(s, Lines::Multi) => Err(bad_text(path)),
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                value(item, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        Value::Object(fields) => {
            for (k, item) in fields {
                value(item, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

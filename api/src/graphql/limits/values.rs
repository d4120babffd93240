//! Checks on the values a request carries, in variables and in literals:
//! nesting (JSON variables are parsed before any GraphQL limit applies) and
//! control characters, which no field of Dateline accepts. Refusing them
//! here gives every read and write, now and later, the same answer on every
//! backend (PostgreSQL cannot even compare text with NUL in it). Paths are
//! built only for a value that fails, so clean requests allocate nothing.

use crate::domain::text::{self, Lines};
use crate::error::{AppError, AppResult};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Positioned, Variables};
use async_graphql_value::{ConstValue, Value};

/// A failing value: its path segments innermost first, and why.
struct Bad {
    segments: Vec<String>,
    message: String,
}

impl Bad {
    fn new(message: impl Into<String>) -> Self {
        Self { segments: Vec::new(), message: message.into() }
    }

    fn under(mut self, segment: String) -> Self {
        self.segments.push(segment);
        self
    }

    fn into_error(self, root: &str) -> AppError {
        let mut path = root.to_owned();
        path.extend(self.segments.into_iter().rev());
        AppError::field(path, self.message)
    }
}

fn clean(s: &str, lines: Lines) -> Result<(), Bad> {
    if text::is_clean(s, lines) { Ok(()) } else { Err(Bad::new(text::CONTROL_MESSAGE)) }
}

pub fn check_variables(vars: &Variables, max_nesting: usize) -> AppResult<()> {
    for (name, value) in vars.iter() {
        const_value(value, 1, max_nesting).map_err(|b| b.into_error(name.as_str()))?;
    }
    Ok(())
}

fn const_value(v: &ConstValue, depth: usize, max: usize) -> Result<(), Bad> {
    if depth > max {
        return Err(Bad::new(format!("is nested more than {max} deep")));
    }
    match v {
        ConstValue::String(s) => clean(s, Lines::Multi),
        ConstValue::List(items) => items.iter().enumerate().try_for_each(|(i, item)| {
            const_value(item, depth + 1, max).map_err(|b| b.under(format!("[{i}]")))
        }),
        ConstValue::Object(fields) => fields.iter().try_for_each(|(k, item)| {
            clean(k, Lines::Single)?;
            const_value(item, depth + 1, max).map_err(|b| b.under(format!(".{k}")))
        }),
        _ => Ok(()),
    }
}

/// Literal values in the document. Their nesting is already bounded by the
/// lexical scan, so plain recursion is safe here.
pub fn check_literals(doc: &ExecutableDocument) -> AppResult<()> {
    for (_, op) in doc.operations.iter() {
        for var in &op.node.variable_definitions {
            if let Some(d) = &var.node.default_value {
                const_value(&d.node, 1, usize::MAX).map_err(|b| b.into_error(var.node.name.node.as_str()))?;
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
            arguments(&d.node.arguments)?;
        }
        match &item.node {
            Selection::Field(f) => {
                arguments(&f.node.arguments)?;
                selection_set(&f.node.selection_set)?;
            }
            Selection::InlineFragment(i) => selection_set(&i.node.selection_set)?,
            Selection::FragmentSpread(_) => {}
        }
    }
    Ok(())
}

fn arguments(args: &[(Positioned<Name>, Positioned<Value>)]) -> AppResult<()> {
    for (name, v) in args {
        value(&v.node).map_err(|b| b.into_error(name.node.as_str()))?;
    }
    Ok(())
}

fn value(v: &Value) -> Result<(), Bad> {
    match v {
        Value::String(s) => clean(s, Lines::Multi),
        Value::List(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| value(item).map_err(|b| b.under(format!("[{i}]")))),
        Value::Object(fields) => {
            fields.iter().try_for_each(|(k, item)| value(item).map_err(|b| b.under(format!(".{k}"))))
        }
        _ => Ok(()),
    }
}

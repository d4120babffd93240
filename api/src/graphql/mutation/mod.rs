//! Writes. Each resolver converts its input and calls one domain function,
//! which checks authorization and runs one transaction.

mod accounts;
mod articles;
mod comments;
mod inputs;
mod integrators;
mod taxonomy;

use crate::error::AppError;
use async_graphql::MergedObject;

/// A domain write names the fields of its input; GraphQL clients sent them
/// inside the `input` argument.
fn input_paths(e: AppError) -> AppError {
    e.under("input.")
}

#[derive(MergedObject, Default)]
pub struct Mutation(
    articles::ArticleMutation,
    taxonomy::TaxonomyMutation,
    accounts::AccountMutation,
    comments::CommentMutation,
    integrators::IntegratorMutation,
);

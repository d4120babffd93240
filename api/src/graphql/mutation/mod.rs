//! Writes. Each resolver converts its input and calls one domain function,
//! which checks authorization and runs one transaction.

mod articles;
mod inputs;
mod taxonomy;

use async_graphql::MergedObject;

#[derive(MergedObject, Default)]
pub struct Mutation(articles::ArticleMutation, taxonomy::TaxonomyMutation);

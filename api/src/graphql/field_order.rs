//! Answers list fields in the order the query asked for them (the GraphQL
//! spec's CollectFields order). The engine resolves an object's fields
//! concurrently and keeps them in the order they finished, so without this
//! identical requests could answer in different orders. The order is read
//! from the document when it is parsed and applied to the answer (and to
//! each event of a subscription).
//!
//! Without the objects' runtime types, a key selected in several type
//! conditions takes its first place in the document for every type.

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextSubscribe,
};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Response, ServerResult, Value, Variables};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The response keys of one selection set, in order, and what each holds.
#[derive(Debug, Default, PartialEq)]
pub struct Order {
    keys: Vec<Name>,
    inner: HashMap<Name, Order>,
}

type Fragments = HashMap<Name, Positioned<FragmentDefinition>>;

impl Order {
    fn collect(&mut self, set: &SelectionSet, fragments: &Fragments, expanding: &mut Vec<Name>) {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    let key = f.node.response_key().node.clone();
                    if !self.inner.contains_key(&key) {
                        self.keys.push(key.clone());
                    }
                    self.inner.entry(key).or_default().collect(
                        &f.node.selection_set.node,
                        fragments,
                        expanding,
                    );
                }
                Selection::InlineFragment(i) => {
                    self.collect(&i.node.selection_set.node, fragments, expanding)
                }
                Selection::FragmentSpread(s) => {
                    let name = &s.node.fragment_name.node;
                    // A cycle is refused by validation later; never follow one here.
                    if expanding.contains(name) {
                        continue;
                    }
                    if let Some(def) = fragments.get(name) {
                        expanding.push(name.clone());
                        self.collect(&def.node.selection_set.node, fragments, expanding);
                        expanding.pop();
                    }
                }
            }
        }
    }

    /// Each operation's order, by its name (None for an anonymous one).
    pub fn of(doc: &ExecutableDocument) -> HashMap<Option<Name>, Order> {
        let one = |set: &SelectionSet| {
            let mut order = Order::default();
            order.collect(set, &doc.fragments, &mut Vec::new());
            order
        };
        match &doc.operations {
            DocumentOperations::Single(op) => HashMap::from([(None, one(&op.node.selection_set.node))]),
            DocumentOperations::Multiple(ops) => {
                ops.iter().map(|(name, op)| (Some(name.clone()), one(&op.node.selection_set.node))).collect()
            }
        }
    }

    /// Puts `value`'s fields, and those of everything in it, in this order.
    pub fn apply(&self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                if map.len() > 1 {
                    let mut rest = std::mem::take(map);
                    for key in &self.keys {
                        if let Some((k, v)) = rest.swap_remove_entry(key) {
                            map.insert(k, v);
                        }
                    }
                    map.extend(rest);
                }
                for (key, v) in map.iter_mut() {
                    if let Some(inner) = self.inner.get(key) {
                        inner.apply(v);
                    }
                }
            }
            Value::List(items) => items.iter_mut().for_each(|v| self.apply(v)),
            _ => {}
        }
    }
}

pub struct FieldOrder;

impl ExtensionFactory for FieldOrder {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Ordering { orders: Arc::default() })
    }
}

type Orders = Arc<HashMap<Option<Name>, Order>>;

/// One request's orders, read from its document once it is parsed (a
/// subscription's stream is set up before that, so it reads them late).
struct Ordering {
    orders: Arc<Mutex<Orders>>,
}

/// The order of `operation` (or of the only one) among those parsed.
fn order_of(orders: &Mutex<Orders>, operation: Option<&str>) -> Option<(Orders, Option<Name>)> {
    let orders = orders.lock().ok()?.clone();
    let key = match operation {
        Some(name) if orders.contains_key(&Some(Name::new(name))) => Some(Name::new(name)),
        // The only operation, whatever it was asked as.
        _ if orders.len() == 1 => orders.keys().next()?.clone(),
        _ => return None,
    };
    Some((orders, key))
}

#[async_trait::async_trait]
impl Extension for Ordering {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        if let Ok(mut orders) = self.orders.lock() {
            *orders = Arc::new(Order::of(&doc));
        }
        Ok(doc)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut resp = next.run(ctx, operation_name).await;
        if let Some((orders, key)) = order_of(&self.orders, operation_name)
            && let Some(order) = orders.get(&key)
        {
            order.apply(&mut resp.data);
        }
        resp
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let orders = Arc::clone(&self.orders);
        next.run(ctx, stream)
            .map(move |mut resp| {
                if let Some((orders, key)) = order_of(&orders, None)
                    && let Some(o) = orders.get(&key)
                {
                    o.apply(&mut resp.data);
                }
                resp
            })
            .boxed()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn order(query: &str) -> Order {
        let doc = async_graphql::parser::parse_query(query).unwrap();
        Order::of(&doc).into_values().next().unwrap()
    }

    #[test]
    fn fields_follow_the_document_with_fragments_and_aliases_in_place() {
        let o = order("{ b a ...F c: x { z y } } fragment F on Q { d a e }");
        let mut v = async_graphql::value!({ "e": 5, "c": { "y": 1, "z": 2 }, "a": 1, "d": 4, "b": 2 });
        o.apply(&mut v);
        assert_eq!(v.to_string(), r#"{b: 2, a: 1, d: 4, e: 5, c: {z: 2, y: 1}}"#);
        let mut list = async_graphql::value!([{ "a": 1, "b": 2 }, { "a": 3, "b": 4 }]);
        order("{ b a }").apply(&mut list);
        assert_eq!(list.to_string(), "[{b: 2, a: 1}, {b: 4, a: 3}]");
    }

    #[test]
    fn a_fragment_cycle_is_not_followed() {
        let o = order("{ ...A } fragment A on Q { a ...B } fragment B on Q { b ...A }");
        assert_eq!(o.keys, [Name::new("a"), Name::new("b")]);
    }
}

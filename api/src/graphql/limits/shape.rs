//! Limits on the parsed document's shape, with every fragment's cost
//! computed once (memoised), so fan-out through fragments that spread each
//! other is refused in time linear in the document, not in its expansion.

use super::DocumentLimits;
use crate::error::{AppError, AppResult};
use async_graphql::Positioned;
use async_graphql::parser::types::{Directive, ExecutableDocument, Selection, SelectionSet};
use std::collections::{HashMap, HashSet};

/// Introspection fields that return lists of types or fields: nesting them
/// (`types { fields { type { fields ...` ) multiplies the answer by the
/// schema's size at each level. The standard introspection query nests two.
const INTROSPECTION_LISTS: [&str; 5] = ["types", "fields", "inputFields", "interfaces", "possibleTypes"];

/// Introspection answers come from the schema in memory, never the
/// database, and the standard introspection query that GraphiQL and codegen
/// send nests `ofType` 15 deep. Their subtrees are bounded by the bracket
/// nesting and `INTROSPECTION_LISTS` instead of the depth limit.
const INTROSPECTION_ROOTS: [&str; 2] = ["__schema", "__type"];

/// What a selection set costs once expanded.
#[derive(Clone, Copy, Default)]
struct Cost {
    selections: usize,
    /// Fields at its own top level, fragments flattened.
    top_fields: usize,
    introspection_lists: usize,
    /// Fields nested inside each other, introspection subtrees counted as one.
    depth: usize,
    /// Selection sets and fragments entered below it, to check the nesting
    /// limit again where a remembered fragment is spread deeper.
    height: usize,
}

impl Cost {
    fn add(&mut self, other: Cost) {
        self.selections = self.selections.saturating_add(other.selections);
        self.top_fields = self.top_fields.saturating_add(other.top_fields);
        self.introspection_lists = self.introspection_lists.max(other.introspection_lists);
        self.depth = self.depth.max(other.depth);
        self.height = self.height.max(other.height);
    }
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    limits: &'a DocumentLimits,
    memo: HashMap<&'a str, Cost>,
    in_progress: HashSet<&'a str>,
    aliases: usize,
}

fn too_complex(message: String) -> AppError {
    AppError::TooComplex(message)
}

fn too_deeply_nested(max: usize) -> AppError {
    too_complex(format!("selections and fragments are nested more than {max} deep"))
}

pub fn check(doc: &ExecutableDocument, limits: &DocumentLimits) -> AppResult<()> {
    let mut walk = Walk { doc, limits, memo: HashMap::new(), in_progress: HashSet::new(), aliases: 0 };
    for (_, op) in doc.operations.iter() {
        walk.directives(&op.node.directives)?;
        for var in &op.node.variable_definitions {
            walk.directives(&var.node.directives)?;
        }
        let cost = walk.selection_set(&op.node.selection_set, 0)?;
        // Checked per operation: an inner set's own depth says nothing until
        // it is known whether it sits under `__schema` or `__type`.
        if cost.depth > limits.max_depth {
            return Err(too_complex(format!("fields may be nested at most {} deep", limits.max_depth)));
        }
        if cost.top_fields > limits.max_root_fields {
            return Err(too_complex(format!(
                "an operation may select at most {} root fields",
                limits.max_root_fields
            )));
        }
    }
    // Fragments no operation uses are still validated by the engine.
    for (name, frag) in &doc.fragments {
        walk.directives(&frag.node.directives)?;
        walk.fragment(name.as_str(), 0)?;
    }
    Ok(())
}

/// `__Type`, `__Field`, ...: selections on them answer from the schema.
fn is_introspection_type(name: &str) -> bool {
    name.starts_with("__")
}

impl<'a> Walk<'a> {
    fn directives(&self, d: &[Positioned<Directive>]) -> AppResult<()> {
        if d.len() > self.limits.max_directives {
            return Err(too_complex(format!(
                "at most {} directives are allowed in one place",
                self.limits.max_directives
            )));
        }
        Ok(())
    }

    /// `depth` counts selection sets and fragments entered, which bounds
    /// this walk's own recursion.
    fn selection_set(&mut self, set: &'a Positioned<SelectionSet>, depth: usize) -> AppResult<Cost> {
        if depth > self.limits.max_nesting {
            return Err(too_deeply_nested(self.limits.max_nesting));
        }
        let mut total = Cost::default();
        for item in &set.node.items {
            self.directives(item.node.directives())?;
            match &item.node {
                Selection::Field(f) => {
                    let f = &f.node;
                    if f.alias.is_some() {
                        self.aliases += 1;
                        if self.aliases > self.limits.max_aliases {
                            return Err(too_complex(format!(
                                "at most {} aliases are allowed",
                                self.limits.max_aliases
                            )));
                        }
                    }
                    let children = self.selection_set(&f.selection_set, depth + 1)?;
                    let name = f.name.node.as_str();
                    if !self.limits.introspection && INTROSPECTION_ROOTS.contains(&name) {
                        return Err(AppError::GraphqlValidation(
                            "introspection is disabled on this server".into(),
                        ));
                    }
                    let is_list = INTROSPECTION_LISTS.contains(&name);
                    let depth = if INTROSPECTION_ROOTS.contains(&name) { 1 } else { children.depth + 1 };
                    total.add(Cost {
                        selections: children.selections.saturating_add(1),
                        top_fields: 1,
                        introspection_lists: children.introspection_lists + usize::from(is_list),
                        depth,
                        height: children.height + 1,
                    });
                }
                Selection::InlineFragment(inline) => {
                    let mut cost = self.selection_set(&inline.node.selection_set, depth + 1)?;
                    if inline
                        .node
                        .type_condition
                        .as_ref()
                        .is_some_and(|t| is_introspection_type(t.node.on.node.as_str()))
                    {
                        cost.depth = 0;
                    }
                    total.add(cost);
                }
                Selection::FragmentSpread(spread) => {
                    let mut cost = self.fragment(spread.node.fragment_name.node.as_str(), depth + 1)?;
                    cost.height += 1;
                    total.add(cost);
                }
            }
            self.check_cost(&total)?;
        }
        Ok(total)
    }

    fn fragment(&mut self, name: &'a str, depth: usize) -> AppResult<Cost> {
        if let Some(cost) = self.memo.get(name) {
            // First walked shallower, it may reach past the limit here.
            if depth + cost.height > self.limits.max_nesting {
                return Err(too_deeply_nested(self.limits.max_nesting));
            }
            return Ok(*cost);
        }
        // Unknown fragments and cycles are the engine's to report.
        let Some((key, frag)) = self.doc.fragments.get_key_value(name) else { return Ok(Cost::default()) };
        if !self.in_progress.insert(key.as_str()) {
            return Ok(Cost::default());
        }
        let mut cost = self.selection_set(&frag.node.selection_set, depth)?;
        if is_introspection_type(frag.node.type_condition.node.on.node.as_str()) {
            cost.depth = 0;
        }
        self.in_progress.remove(key.as_str());
        self.memo.insert(key.as_str(), cost);
        Ok(cost)
    }

    fn check_cost(&self, cost: &Cost) -> AppResult<()> {
        if cost.selections > self.limits.max_selections {
            return Err(too_complex(format!(
                "the query selects more than {} fields once fragments are expanded",
                self.limits.max_selections
            )));
        }
        if cost.introspection_lists > self.limits.max_introspection_lists {
            return Err(too_complex(format!(
                "introspection lists may be nested at most {} deep",
                self.limits.max_introspection_lists
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(doc: &str) -> AppResult<()> {
        let doc =
            async_graphql::parser::parse_query(doc).map_err(|e| AppError::field("query", e.to_string()))?;
        check(&doc, &DocumentLimits::default())
    }

    fn fan_out(levels: usize) -> String {
        let mut doc = String::from("query { ...F0 }\nfragment F0 on Query { __typename }\n");
        for i in 1..=levels {
            doc.push_str(&format!("fragment F{i} on Query {{ ...F{p} ...F{p} }}\n", p = i - 1));
        }
        doc.replace("query { ...F0 }", &format!("query {{ ...F{levels} }}"))
    }

    #[test]
    fn fragment_fan_out_is_counted_without_expanding_it() {
        assert!(run(&fan_out(4)).is_ok());
        assert!(matches!(run(&fan_out(60)), Err(e) if e.code().as_str() == "QUERY_TOO_COMPLEX"));
    }

    #[test]
    fn aliases_root_fields_and_directives_are_capped() {
        let aliases: String = (0..31).map(|i| format!("a{i}: __typename ")).collect();
        assert!(run(&format!("{{ articles {{ edges {{ node {{ {aliases} }} }} }} }}")).is_err());
        let roots = "__typename ".repeat(21);
        assert!(run(&format!("{{ {roots} }}")).is_err());
        assert!(run(&format!("{{ {} }}", "__typename ".repeat(20))).is_ok());
        let dirs = "@include(if: true) ".repeat(6);
        assert!(run(&format!("{{ __typename {dirs} }}")).is_err());
    }

    #[test]
    fn deep_introspection_lists_are_refused() {
        assert!(run("{ __schema { types { fields { args { name } } } } }").is_ok());
        assert!(run("{ __type(name: \"Article\") { fields { type { fields { name } } } } }").is_ok());
        assert!(run("{ __schema { types { fields { type { fields { name } } } } } }").is_err());
    }

    #[test]
    fn depth_counts_fields_but_not_introspection() {
        let nested = |n: usize| format!("{{ {}__typename{} }}", "a { ".repeat(n - 1), " }".repeat(n - 1));
        let limits = DocumentLimits { max_depth: 3, ..DocumentLimits::default() };
        let check_with = |doc: &str| {
            check(
                &async_graphql::parser::parse_query(doc).map_err(|e| AppError::field("q", e.to_string()))?,
                &limits,
            )
        };
        assert!(check_with(&nested(3)).is_ok());
        assert!(matches!(check_with(&nested(4)), Err(e) if e.code().as_str() == "QUERY_TOO_COMPLEX"));
        // Through fragments too.
        assert!(check_with("{ a { ...F } } fragment F on A { b { c { d } } }").is_err());
        let of_type = format!(
            "{{ __type(name: \"Article\") {{ fields {{ type {} name {} }} }} }}",
            "{ ofType ".repeat(8),
            "}".repeat(8)
        );
        let r = check_with(&of_type);
        assert!(r.is_ok(), "{r:?} {of_type}");
    }

    #[test]
    fn fragments_spread_in_a_chain_cannot_hide_their_nesting() {
        // Each fragment is first walked shallow, right after the one it
        // spreads; expanded, the last one nests 900 deep.
        let mut doc = String::from("{ __type(name: \"Query\") { ");
        doc.push_str(&(1..=900).map(|k| format!("...G{k} ")).collect::<String>());
        doc.push_str("} }\nfragment G1 on __Type { name }\n");
        for k in 2..=900 {
            doc.push_str(&format!("fragment G{k} on __Type {{ ...G{} }}\n", k - 1));
        }
        assert!(matches!(run(&doc), Err(e) if e.code().as_str() == "QUERY_TOO_COMPLEX"));
        let chain = |n: usize| {
            let mut d = String::from("{ articles { ...A1 ");
            d.push_str(&(2..=n).map(|k| format!("...A{k} ")).collect::<String>());
            d.push_str("} }\nfragment A1 on ArticleConnection { totalCount }\n");
            for k in 2..=n {
                d.push_str(&format!("fragment A{k} on ArticleConnection {{ ...A{} }}\n", k - 1));
            }
            d
        };
        assert!(run(&chain(5)).is_ok());
        assert!(run(&chain(100)).is_err());
    }

    #[test]
    fn cycles_and_unknown_fragments_are_left_to_the_engine() {
        assert!(run("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }").is_ok());
        assert!(run("{ ...Missing }").is_ok());
    }
}

//! Projecting an item onto a list of paths.
//!
//! A projection keeps the document's shape: projecting `a.b[2].y` of
//! `{a: {b: [1, 2, {x: 3, y: 4}], c: 5}}` gives `{a: {b: [{y: 4}]}}`. Lists
//! keep the selected elements in index order and close the gaps, so
//! `a.b[2], a.b[0]` gives `{a: {b: [1, {x: 3, y: 4}]}}`. Paths that lead
//! nowhere (a missing key, an index past the end, a key into a list) add
//! nothing, and a map or list left with nothing selected is omitted.

use std::collections::BTreeMap;

use ferrodyn_model::{AttributeValue, Item};

use crate::path::{DocumentPath, PathElement, child};
use crate::placeholders::Usage;

/// A validated projection expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectionExpression {
    pub(crate) paths: Vec<DocumentPath>,
    pub(crate) usage: Usage,
}

impl ProjectionExpression {
    /// The projected paths in the order the expression lists them.
    pub fn paths(&self) -> &[DocumentPath] {
        &self.paths
    }

    /// The placeholders the expression used.
    pub fn usage(&self) -> &Usage {
        &self.usage
    }

    /// `item` reduced to the projected paths.
    pub fn apply(&self, item: &Item) -> Item {
        project(item, &self.paths)
    }
}

/// `item` reduced to `paths`. The paths need not come from a validated
/// expression: when one contains another, the shorter one wins.
pub fn project(item: &Item, paths: &[DocumentPath]) -> Item {
    let mut tree = Tree::default();
    for path in paths {
        tree.insert(path.elements());
    }
    let mut result = Item::new();
    for (element, child_tree) in &tree.children {
        let PathElement::Key(key) = element else {
            continue;
        };
        if let Some(value) = item.get(key)
            && let Some(projected) = project_value(child_tree, value)
        {
            result.insert(key.clone(), projected);
        }
    }
    result
}

/// A projection trie; `None` marks a leaf, which selects the whole value.
#[derive(Default)]
struct Tree {
    children: BTreeMap<PathElement, Option<Tree>>,
}

impl Tree {
    fn insert(&mut self, elements: &[PathElement]) {
        let Some((first, rest)) = elements.split_first() else {
            return;
        };
        if rest.is_empty() {
            self.children.insert(first.clone(), None);
            return;
        }
        let entry = self
            .children
            .entry(first.clone())
            .or_insert_with(|| Some(Tree::default()));
        // A leaf already selects the whole subtree.
        if let Some(tree) = entry {
            tree.insert(rest);
        }
    }
}

fn project_value(tree: &Option<Tree>, value: &AttributeValue) -> Option<AttributeValue> {
    let Some(tree) = tree else {
        return Some(value.clone());
    };
    match value {
        AttributeValue::M(_) => {
            let map: BTreeMap<String, AttributeValue> = tree
                .children
                .iter()
                .filter_map(|(element, sub)| {
                    let PathElement::Key(key) = element else {
                        return None;
                    };
                    let projected = project_value(sub, child(value, element)?)?;
                    Some((key.clone(), projected))
                })
                .collect();
            (!map.is_empty()).then_some(AttributeValue::M(map))
        }
        AttributeValue::L(_) => {
            // BTreeMap order puts indexes in ascending order.
            let list: Vec<AttributeValue> = tree
                .children
                .iter()
                .filter_map(|(element, sub)| project_value(sub, child(value, element)?))
                .collect();
            (!list.is_empty()).then_some(AttributeValue::L(list))
        }
        _ => None,
    }
}

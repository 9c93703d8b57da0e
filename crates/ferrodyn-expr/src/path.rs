//! Document paths: how an expression names a value inside an item.
//!
//! A path starts with a top-level attribute name and descends through map
//! keys (`.name`) and list indexes (`[3]`):
//!
//! ```text
//! #tags.colours[1].hex       with #tags -> "tags"
//! [tags, colours, [1], hex]  the resolved path, printed as DynamoDB prints it
//! ```
//!
//! `#placeholders` are resolved before a [`DocumentPath`] exists, so a
//! resolved element is a literal name: `#a` standing for `"x.y"` is one key
//! `x.y`, not two.
//!
//! An update or projection may not name two paths where one contains the
//! other (*overlap*), nor use one position both as a map and as a list
//! (*conflict*). [`PathTree`] detects both the way DynamoDB does, by inserting
//! the paths one at a time into a trie, which also fixes which two paths the
//! message names.

use std::fmt;

use ferrodyn_model::{AttributeValue, Item};

use crate::error::Problem;

/// One step of a document path.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathElement {
    /// A top-level attribute or a map key.
    Key(String),
    /// A list index.
    Index(usize),
}

impl PathElement {
    fn is_key(&self) -> bool {
        matches!(self, PathElement::Key(_))
    }
}

/// A resolved document path: at least one element, the first a
/// [`PathElement::Key`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentPath {
    elements: Vec<PathElement>,
}

impl DocumentPath {
    /// A path from its elements. The parser only builds paths whose first
    /// element is a key; callers building paths by hand should keep that
    /// rule, which the evaluation functions rely on.
    pub fn new(elements: Vec<PathElement>) -> DocumentPath {
        DocumentPath { elements }
    }

    /// A path naming one top-level attribute.
    pub fn attribute(name: impl Into<String>) -> DocumentPath {
        DocumentPath {
            elements: vec![PathElement::Key(name.into())],
        }
    }

    /// The path's elements, top-level attribute first.
    pub fn elements(&self) -> &[PathElement] {
        &self.elements
    }

    /// The top-level attribute the path starts from.
    pub fn top_level_name(&self) -> &str {
        match self.elements.first() {
            Some(PathElement::Key(name)) => name,
            // Paths always start with a key; an index-first path (only
            // constructible by hand) has no top-level name.
            _ => "",
        }
    }

    /// Whether the path descends below a top-level attribute.
    pub fn is_nested(&self) -> bool {
        self.elements.len() > 1
    }

    /// The value at this path in `item`, if there is one. A key applied to
    /// a non-map, an index applied to a non-list or an index past the end
    /// all yield `None`.
    pub fn resolve<'a>(&self, item: &'a Item) -> Option<&'a AttributeValue> {
        let mut iter = self.elements.iter();
        let mut current = match iter.next()? {
            PathElement::Key(name) => item.get(name)?,
            PathElement::Index(_) => return None,
        };
        for element in iter {
            current = child(current, element)?;
        }
        Some(current)
    }
}

/// The child of `value` at `element`, if `value` is a container of the
/// matching kind that has it.
pub(crate) fn child<'a>(
    value: &'a AttributeValue,
    element: &PathElement,
) -> Option<&'a AttributeValue> {
    match (value, element) {
        (AttributeValue::M(map), PathElement::Key(key)) => map.get(key),
        (AttributeValue::L(list), PathElement::Index(index)) => list.get(*index),
        _ => None,
    }
}

impl fmt::Display for DocumentPath {
    /// DynamoDB's notation in messages: `[a, b, [3]]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, element) in self.elements.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match element {
                PathElement::Key(key) => f.write_str(key)?,
                PathElement::Index(index) => write!(f, "[{index}]")?,
            }
        }
        f.write_str("]")
    }
}

/// A trie of document paths in which no path is a prefix of another and
/// every node's children are all keys or all indexes.
///
/// Children keep their insertion order. When DynamoDB names the second path
/// of an overlap it follows the shared prefix and then, below it, some child
/// of each node (the first of a hash map); where a node has several
/// children its choice is not predictable, and ferrodyn takes the earliest
/// inserted (docs/compatibility.md). A conflict's second path starts below
/// the shared prefix in the same way.
#[derive(Clone, Debug, Default)]
pub struct PathTree {
    root: Node,
}

#[derive(Clone, Debug, Default)]
struct Node {
    /// `None` marks the end of an inserted path (a leaf).
    children: Vec<(PathElement, Option<Node>)>,
}

impl Node {
    /// The path from this node down its first children to a leaf, prefixed
    /// with `prefix`.
    fn first_leaf_path(&self, prefix: &[PathElement]) -> DocumentPath {
        let mut elements = prefix.to_vec();
        let mut node = self;
        while let Some((element, next)) = node.children.first() {
            elements.push(element.clone());
            match next {
                Some(next) if !next.children.is_empty() => node = next,
                _ => break,
            }
        }
        DocumentPath::new(elements)
    }
}

impl PathTree {
    /// An empty tree.
    pub fn new() -> PathTree {
        PathTree::default()
    }

    /// Adds `path`, or reports how it overlaps or conflicts with a path
    /// added before. `path one` in the message is `path`.
    pub fn insert(&mut self, path: &DocumentPath) -> Result<(), Problem> {
        insert_at(&mut self.root, path, 0)
    }
}

fn insert_at(node: &mut Node, path: &DocumentPath, depth: usize) -> Result<(), Problem> {
    let elements = path.elements();
    let Some(element) = elements.get(depth) else {
        return Ok(());
    };
    let is_last = depth + 1 == elements.len();
    let Some(position) = node.children.iter().position(|(e, _)| e == element) else {
        if let Some((first, _)) = node.children.first()
            && first.is_key() != element.is_key()
        {
            return Err(Problem::PathConflict {
                one: path.clone(),
                two: node.first_leaf_path(&elements[..depth]),
            });
        }
        node.children
            .push((element.clone(), chain(&elements[depth + 1..])));
        return Ok(());
    };
    // The element is present: `path` may only continue below an inner
    // node. Ending here, or continuing below a leaf, means one path
    // contains the other.
    if !is_last && let Some(next) = &mut node.children[position].1 {
        return insert_at(next, path, depth + 1);
    }
    // The second path of the message is the one met on the way: the shared
    // prefix, then down the first children of what lies below it.
    let two = match &node.children[position].1 {
        Some(below) => below.first_leaf_path(&elements[..=depth]),
        None => DocumentPath::new(elements[..=depth].to_vec()),
    };
    Err(Problem::PathOverlap {
        one: path.clone(),
        two,
    })
}

/// The remaining elements of a path as a chain of single-child nodes.
fn chain(rest: &[PathElement]) -> Option<Node> {
    let (first, tail) = rest.split_first()?;
    Some(Node {
        children: vec![(first.clone(), chain(tail))],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> DocumentPath {
        let elements = text
            .split('.')
            .map(|s| match s.parse::<usize>() {
                Ok(i) => PathElement::Index(i),
                Err(_) => PathElement::Key(s.to_string()),
            })
            .collect();
        DocumentPath::new(elements)
    }

    #[test]
    fn display_matches_dynamodb() {
        assert_eq!(p("a.b.3.c").to_string(), "[a, b, [3], c]");
    }

    #[test]
    fn overlap_and_conflict() {
        let mut tree = PathTree::new();
        tree.insert(&p("a.b")).expect("first");
        tree.insert(&p("a.c")).expect("sibling");
        assert_eq!(
            tree.insert(&p("a")).map_err(|e| e.to_string()),
            Err(
                "Two document paths overlap with each other; must remove or rewrite one of \
                 these paths; path one: [a], path two: [a, b]"
                    .to_string()
            )
        );
        assert!(matches!(
            tree.insert(&p("a.b.x")),
            Err(Problem::PathOverlap { .. })
        ));
        assert!(matches!(
            tree.insert(&p("a.1")),
            Err(Problem::PathConflict { .. })
        ));
    }
}

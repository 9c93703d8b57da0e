//! Applying an update expression to an item.
//!
//! All operands read the item as it was *before* the update, so
//! `SET a = b, b = a` swaps two attributes. The actions' paths never overlap
//! (validation guarantees it), so they form a tree, and the new item is built
//! by walking that tree down the old item:
//!
//! ```text
//! SET a.b = :x, a.c[1] = :y REMOVE d      old: {a: {b: 1, c: [7, 8, 9]}, d: 0}
//!
//!   (item) ── a ── b      = :x           new: {a: {b: :x, c: [7, :y, 9]}}
//!   │         └─ c ── [1] = :y
//!   └─ d                  removed
//! ```
//!
//! Below the tree's leaves nothing is visited; beside them, the old item is
//! copied. An inner node of the tree must exist in the item and be a map
//! (for names) or a list (for indexes), otherwise the update fails with
//! "The document path provided in the update expression is invalid for
//! update". A leaf may be missing: SET creates it and REMOVE does nothing.
//!
//! Lists are rebuilt by index: elements keep their order, a removed index
//! leaves no gap (later elements shift down), and a SET or ADD beyond the
//! end appends, in index order when there are several.

use std::collections::BTreeMap;

use ferrodyn_model::{AttributeValue, Item};

use crate::ast::{SetOperand, SetValue, UpdateAction};
use crate::error::ExprError;
use crate::path::{DocumentPath, PathElement};
use crate::placeholders::Usage;
use crate::syntax::ArithmeticOp;
use crate::value::{set_difference, set_union};

/// A validated update expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateExpression {
    pub(crate) actions: Vec<UpdateAction>,
    pub(crate) usage: Usage,
    pub(crate) source: UpdateSource,
}

/// Which request parameter an [`UpdateExpression`] was built from. The
/// actions apply the same way; only the message of a run-time type error
/// differs, as it does in DynamoDB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UpdateSource {
    /// `UpdateExpression`.
    Expression,
    /// The legacy `AttributeUpdates` (see [`crate::legacy`]).
    AttributeUpdates,
}

impl UpdateSource {
    /// The error DynamoDB reports for `error` raised while applying an
    /// update from this source.
    fn runtime_error(self, error: ExprError) -> ExprError {
        match (self, error) {
            (UpdateSource::AttributeUpdates, ExprError::IncorrectOperandType) => {
                ExprError::AttributeUpdateTypeMismatch
            }
            (_, error) => error,
        }
    }
}

/// The result of applying an update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateOutcome {
    /// The item after the update.
    pub item: Item,
    /// The paths the update wrote or removed, in the order the expression
    /// lists them. Projecting the old and new items on these paths (with
    /// [`crate::project`]) gives ReturnValues `UPDATED_OLD` and
    /// `UPDATED_NEW`.
    pub updated_paths: Vec<DocumentPath>,
}

impl UpdateExpression {
    /// The actions in the order the expression lists them.
    pub fn actions(&self) -> &[UpdateAction] {
        &self.actions
    }

    /// The placeholders the expression used.
    pub fn usage(&self) -> &Usage {
        &self.usage
    }

    /// The paths the update writes or removes.
    pub fn target_paths(&self) -> impl Iterator<Item = &DocumentPath> {
        self.actions.iter().map(UpdateAction::path)
    }

    /// The top-level attributes that some path of the expression (a target
    /// or an operand) descends into. DynamoDB rejects such access to the
    /// key attributes of the table's indexes.
    pub fn nested_top_level_attributes(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for action in &self.actions {
            note_nested(action.path(), &mut names);
            if let UpdateAction::Set { value, .. } = action {
                match value {
                    SetValue::Operand(operand) => visit_paths(operand, &mut names),
                    SetValue::Arithmetic(_, left, right) => {
                        visit_paths(left, &mut names);
                        visit_paths(right, &mut names);
                    }
                }
            }
        }
        names.sort_unstable();
        names
    }

    /// Applies the update to `item` (an empty item when none exists).
    pub fn apply(&self, item: &Item) -> Result<UpdateOutcome, ExprError> {
        let mut tree = Node::default();
        for (index, action) in self.actions.iter().enumerate() {
            tree.insert(action.path().elements(), index);
        }
        let item = self
            .apply_map(&tree, item, item)
            .map_err(|e| self.source.runtime_error(e))?;
        Ok(UpdateOutcome {
            item,
            updated_paths: self.target_paths().cloned().collect(),
        })
    }

    fn apply_map(
        &self,
        node: &Node,
        map: &BTreeMap<String, AttributeValue>,
        old_item: &Item,
    ) -> Result<BTreeMap<String, AttributeValue>, ExprError> {
        let mut result = map.clone();
        for (element, child) in &node.children {
            let PathElement::Key(key) = element else {
                return Err(ExprError::InvalidUpdatePath);
            };
            match self.apply_child(child, map.get(key), old_item)? {
                Some(value) => result.insert(key.clone(), value),
                None => result.remove(key),
            };
        }
        Ok(result)
    }

    fn apply_list(
        &self,
        node: &Node,
        list: &[AttributeValue],
        old_item: &Item,
    ) -> Result<Vec<AttributeValue>, ExprError> {
        let mut result: BTreeMap<usize, AttributeValue> =
            list.iter().cloned().enumerate().collect();
        for (element, child) in &node.children {
            let PathElement::Index(index) = element else {
                return Err(ExprError::InvalidUpdatePath);
            };
            match self.apply_child(child, list.get(*index), old_item)? {
                Some(value) => result.insert(*index, value),
                None => result.remove(index),
            };
        }
        Ok(result.into_values().collect())
    }

    /// The new value at one position: the action's result at a leaf, the
    /// rebuilt container at an inner node.
    fn apply_child(
        &self,
        child: &Child,
        old: Option<&AttributeValue>,
        old_item: &Item,
    ) -> Result<Option<AttributeValue>, ExprError> {
        match child {
            Child::Leaf(index) => match self.actions.get(*index) {
                Some(action) => apply_action(action, old, old_item),
                None => Err(ExprError::InvalidUpdatePath),
            },
            Child::Inner(node) => match old {
                Some(AttributeValue::M(map)) => Ok(Some(AttributeValue::M(
                    self.apply_map(node, map, old_item)?,
                ))),
                Some(AttributeValue::L(list)) => Ok(Some(AttributeValue::L(
                    self.apply_list(node, list, old_item)?,
                ))),
                _ => Err(ExprError::InvalidUpdatePath),
            },
        }
    }
}

fn note_nested<'a>(path: &'a DocumentPath, names: &mut Vec<&'a str>) {
    if path.is_nested() && !names.contains(&path.top_level_name()) {
        names.push(path.top_level_name());
    }
}

fn visit_paths<'a>(operand: &'a SetOperand, names: &mut Vec<&'a str>) {
    match operand {
        SetOperand::Path(path) => note_nested(path, names),
        SetOperand::Value(_) => {}
        SetOperand::IfNotExists(path, default) => {
            note_nested(path, names);
            visit_paths(default, names);
        }
        SetOperand::ListAppend(first, second) => {
            visit_paths(first, names);
            visit_paths(second, names);
        }
    }
}

/// The update tree: one node per container the actions descend through.
#[derive(Default)]
struct Node {
    /// In the order the actions first name them, which decides which
    /// failing action reports its error first.
    children: Vec<(PathElement, Child)>,
    /// Where each element sits in `children`. Legacy `AttributeUpdates`
    /// can name many thousands of attributes, which a linear search would
    /// make quadratic.
    positions: BTreeMap<PathElement, usize>,
}

enum Child {
    /// The index of the action whose path ends here.
    Leaf(usize),
    Inner(Node),
}

impl Node {
    /// Adds an action's path. Paths never overlap, so a path never ends
    /// at, or passes through, another's leaf.
    fn insert(&mut self, elements: &[PathElement], action: usize) {
        let Some((first, rest)) = elements.split_first() else {
            return;
        };
        let position = self.positions.get(first).copied();
        if rest.is_empty() {
            match position {
                Some(i) => self.children[i].1 = Child::Leaf(action),
                None => {
                    self.push(first, Child::Leaf(action));
                }
            }
            return;
        }
        let i = match position {
            Some(i) => i,
            None => self.push(first, Child::Inner(Node::default())),
        };
        if let Child::Leaf(_) = self.children[i].1 {
            self.children[i].1 = Child::Inner(Node::default());
        }
        if let Child::Inner(node) = &mut self.children[i].1 {
            node.insert(rest, action);
        }
    }

    /// Appends a child and returns its position.
    fn push(&mut self, element: &PathElement, child: Child) -> usize {
        let i = self.children.len();
        self.children.push((element.clone(), child));
        self.positions.insert(element.clone(), i);
        i
    }
}

/// One action's result for the position it targets, given the old value
/// there: the new value, or `None` to leave the position empty.
fn apply_action(
    action: &UpdateAction,
    old: Option<&AttributeValue>,
    old_item: &Item,
) -> Result<Option<AttributeValue>, ExprError> {
    match action {
        UpdateAction::Set { value, .. } => Ok(Some(evaluate_set_value(value, old_item)?)),
        UpdateAction::Remove { .. } => Ok(None),
        UpdateAction::Add { value, .. } => {
            let Some(old) = old else {
                return Ok(Some(value.clone()));
            };
            if old.attribute_type() != value.attribute_type() {
                return Err(ExprError::IncorrectOperandType);
            }
            if let (AttributeValue::N(a), AttributeValue::N(b)) = (old, value) {
                return Ok(Some(AttributeValue::N(a.checked_add(b)?)));
            }
            set_union(old, value)
                .map(Some)
                .ok_or(ExprError::IncorrectOperandType)
        }
        UpdateAction::Delete { value, .. } => {
            let Some(old) = old else {
                return Ok(None);
            };
            if old.attribute_type() != value.attribute_type() {
                return Err(ExprError::IncorrectOperandType);
            }
            set_difference(old, value).ok_or(ExprError::IncorrectOperandType)
        }
    }
}

/// Evaluates a SET value against the old item. Like DynamoDB, an operator
/// evaluates all its operands before checking them, first for presence and
/// then for type, operand by operand.
fn evaluate_set_value(value: &SetValue, old_item: &Item) -> Result<AttributeValue, ExprError> {
    let result = match value {
        SetValue::Operand(operand) => evaluate_operand(operand, old_item)?,
        SetValue::Arithmetic(op, left, right) => {
            let left = evaluate_operand(left, old_item)?;
            let right = evaluate_operand(right, old_item)?;
            let a = require_number(left)?;
            let b = require_number(right)?;
            Some(AttributeValue::N(match op {
                ArithmeticOp::Plus => a.checked_add(&b)?,
                ArithmeticOp::Minus => a.checked_sub(&b)?,
            }))
        }
    };
    result.ok_or(ExprError::AttributeNotFound)
}

/// Checks one arithmetic operand: present, then a number.
fn require_number(value: Option<AttributeValue>) -> Result<ferrodyn_model::Number, ExprError> {
    match value {
        None => Err(ExprError::AttributeNotFound),
        Some(AttributeValue::N(n)) => Ok(n),
        Some(_) => Err(ExprError::IncorrectOperandType),
    }
}

fn evaluate_operand(
    operand: &SetOperand,
    old_item: &Item,
) -> Result<Option<AttributeValue>, ExprError> {
    match operand {
        SetOperand::Path(path) => Ok(path.resolve(old_item).cloned()),
        SetOperand::Value(value) => Ok(Some(value.clone())),
        SetOperand::IfNotExists(path, default) => {
            let default = evaluate_operand(default, old_item)?;
            let Some(default) = default else {
                return Err(ExprError::AttributeNotFound);
            };
            Ok(Some(path.resolve(old_item).cloned().unwrap_or(default)))
        }
        SetOperand::ListAppend(first, second) => {
            let first = evaluate_operand(first, old_item)?;
            let second = evaluate_operand(second, old_item)?;
            let mut lists = Vec::with_capacity(2);
            for value in [first, second] {
                match value {
                    None => return Err(ExprError::AttributeNotFound),
                    Some(AttributeValue::L(list)) => lists.push(list),
                    Some(_) => return Err(ExprError::IncorrectOperandType),
                }
            }
            Ok(Some(AttributeValue::L(lists.concat())))
        }
    }
}

//! The validated expression trees.
//!
//! These types exist only after all three phases have passed: every
//! `#name` and `:value` is substituted, every function is one that may
//! appear where it does, and every operand has a type its operator accepts.
//! Evaluation therefore needs no further checks beyond what depends on the
//! item (a missing attribute, a value of an unexpected type in the item).

use ferrodyn_model::{AttributeType, AttributeValue};

use crate::path::DocumentPath;
use crate::syntax::{ArithmeticOp, Comparator};

/// An operand of a condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operand {
    /// The value at a path of the item (possibly missing).
    Path(DocumentPath),
    /// A value from ExpressionAttributeValues.
    Value(AttributeValue),
    /// `size(operand)`: the length of a string or binary, or the number of
    /// elements of a set, list or map. Missing for other types.
    Size(Box<Operand>),
}

/// A condition (also a filter or key condition).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `left <op> right`.
    Compare {
        /// The operator.
        op: Comparator,
        /// Its left operand.
        left: Operand,
        /// Its right operand.
        right: Operand,
    },
    /// `operand BETWEEN low AND high`.
    Between {
        /// The operand tested.
        operand: Operand,
        /// The lower bound (inclusive).
        low: Operand,
        /// The upper bound (inclusive).
        high: Operand,
    },
    /// `operand IN (list...)`.
    In {
        /// The operand tested.
        operand: Operand,
        /// The values it is compared with.
        list: Vec<Operand>,
    },
    /// `attribute_exists(path)`.
    AttributeExists(DocumentPath),
    /// `attribute_not_exists(path)`.
    AttributeNotExists(DocumentPath),
    /// `attribute_type(operand, :type)`.
    AttributeType {
        /// The operand whose type is tested (usually a path).
        operand: Operand,
        /// The expected type.
        expected: AttributeType,
    },
    /// `begins_with(operand, prefix)`.
    BeginsWith {
        /// The string or binary tested.
        operand: Operand,
        /// The prefix.
        prefix: Operand,
    },
    /// `contains(operand, element)`.
    Contains {
        /// The string, set or list searched.
        operand: Operand,
        /// The substring or element sought.
        element: Operand,
    },
    /// `NOT condition`.
    Not(Box<Condition>),
    /// `left AND right`.
    And(Box<Condition>, Box<Condition>),
    /// `left OR right`.
    Or(Box<Condition>, Box<Condition>),
}

/// An operand of a SET action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetOperand {
    /// The value at a path of the item as it was before the update.
    Path(DocumentPath),
    /// A value from ExpressionAttributeValues.
    Value(AttributeValue),
    /// `if_not_exists(path, default)`: the value at `path`, or `default`
    /// when the item has none.
    IfNotExists(DocumentPath, Box<SetOperand>),
    /// `list_append(first, second)`: the concatenation of two lists.
    ListAppend(Box<SetOperand>, Box<SetOperand>),
}

/// The right-hand side of a SET action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetValue {
    /// A single operand.
    Operand(SetOperand),
    /// `left + right` or `left - right` on numbers.
    Arithmetic(ArithmeticOp, SetOperand, SetOperand),
}

/// One action of an update expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UpdateAction {
    /// `SET path = value`.
    Set {
        /// Where to write.
        path: DocumentPath,
        /// What to write.
        value: SetValue,
    },
    /// `REMOVE path`.
    Remove {
        /// What to remove.
        path: DocumentPath,
    },
    /// `ADD path :value`: add to a number, or union into a set.
    Add {
        /// The number or set to change (created if missing).
        path: DocumentPath,
        /// A number or a set.
        value: AttributeValue,
    },
    /// `DELETE path :value`: remove elements from a set.
    Delete {
        /// The set to change.
        path: DocumentPath,
        /// A set of the same type.
        value: AttributeValue,
    },
}

impl UpdateAction {
    /// The path the action writes or removes.
    pub fn path(&self) -> &DocumentPath {
        match self {
            UpdateAction::Set { path, .. }
            | UpdateAction::Remove { path }
            | UpdateAction::Add { path, .. }
            | UpdateAction::Delete { path, .. } => path,
        }
    }
}

//! The legacy parameters that predate expressions, converted onto the
//! expression trees so that one evaluator and one applier serve both.
//!
//! Before expressions existed, a write was made conditional with `Expected`
//! (a map from attribute name to a comparison, joined by
//! `ConditionalOperator`), an update was described with `AttributeUpdates`,
//! and a read was narrowed with `AttributesToGet`. Each converts to the tree
//! an equivalent expression would produce. Every name is a top-level
//! attribute taken literally: `a.b` names one attribute called `a.b`.
//!
//! ```text
//! Expected entry                          condition on attribute a
//! --------------------------------------  --------------------------------------------
//! {Value: v}, {Exists: true, Value: v}    a = v
//! {Exists: false}                         attribute_not_exists(a)
//! EQ | NE | LT | LE | GT | GE  [v]        a = v | a <> v | a < v | a <= v | a > v | a >= v
//! IN  [v1, v2, ...]                       a IN (v1, v2, ...)
//! BETWEEN  [low, high]                    a BETWEEN low AND high
//! NULL | NOT_NULL  []                     attribute_not_exists(a) | attribute_exists(a)
//! CONTAINS  [v]                           contains(a, v)
//! NOT_CONTAINS  [v]                       attribute_exists(a) AND NOT contains(a, v)
//! BEGINS_WITH  [v]                        begins_with(a, v)
//!
//! AttributeUpdates entry                  update action
//! --------------------------------------  --------------------------------------------
//! PUT v (Action absent means PUT)         SET a = v
//! DELETE (no Value)                       REMOVE a
//! DELETE set                              DELETE a set
//! ADD number | set                        ADD a v
//! ADD list                                SET a = list_append(if_not_exists(a, []), v)
//! ```
//!
//! The legacy semantics match the expression semantics they map to, including
//! the surprising cases: `NE` holds when the attribute is missing (so does
//! `<>`), while `NOT_CONTAINS` fails on a missing attribute (unlike
//! `NOT contains(...)`, hence the `attribute_exists`). Only `ADD` of a list
//! has no expression counterpart (the `ADD` clause rejects lists). When an
//! `AttributeUpdates` value's type does not match the attribute's, the
//! message is the legacy one ("Type mismatch for attribute to update"),
//! which the [`UpdateExpression`] remembers to use.
//!
//! Validation follows DynamoDB's order, entry by entry in the order given:
//! first the shape of the entry (which fields appear together), then the
//! number of values, then each value's type in turn (the operator's
//! accepted types, then the same type as the first value), then the order
//! of BETWEEN's bounds. Only then are `ConditionalOperator`'s own rules
//! checked. Values are assumed to be valid attribute values already (no
//! empty sets, numbers in range): the wire layer checks those.

use std::collections::BTreeSet;
use std::fmt;

use ferrodyn_model::{AttributeType, AttributeValue};

use crate::ConditionExpression;
use crate::ast::{Condition, Operand, SetOperand, SetValue, UpdateAction};
use crate::error::{ExprError, LegacyProblem};
use crate::path::DocumentPath;
use crate::placeholders::Usage;
use crate::projection::ProjectionExpression;
use crate::syntax::Comparator;
use crate::update::{UpdateExpression, UpdateSource};
use crate::value::{compare_ordered, is_set_type};

/// A legacy comparison operator (`ComparisonOperator` of `Expected`,
/// `QueryFilter`, `ScanFilter` and `KeyConditions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ComparisonOperator {
    /// `EQ`: equal (any type).
    Eq,
    /// `NE`: not equal (any type); true when the attribute is missing.
    Ne,
    /// `IN`: equal to one of one or more strings, numbers or binaries.
    In,
    /// `LE`: less than or equal (string, number or binary).
    Le,
    /// `LT`: less than.
    Lt,
    /// `GE`: greater than or equal.
    Ge,
    /// `GT`: greater than.
    Gt,
    /// `BETWEEN`: within two bounds, inclusive.
    Between,
    /// `NOT_NULL`: the attribute exists (whatever its type).
    NotNull,
    /// `NULL`: the attribute does not exist.
    Null,
    /// `CONTAINS`: a substring, or a member of a set or list.
    Contains,
    /// `NOT_CONTAINS`: the attribute exists and does not contain the value.
    NotContains,
    /// `BEGINS_WITH`: a string or binary prefix.
    BeginsWith,
}

impl ComparisonOperator {
    /// Every operator, in the order the API reference lists them.
    pub const ALL: [ComparisonOperator; 13] = [
        ComparisonOperator::Eq,
        ComparisonOperator::Ne,
        ComparisonOperator::In,
        ComparisonOperator::Le,
        ComparisonOperator::Lt,
        ComparisonOperator::Ge,
        ComparisonOperator::Gt,
        ComparisonOperator::Between,
        ComparisonOperator::NotNull,
        ComparisonOperator::Null,
        ComparisonOperator::Contains,
        ComparisonOperator::NotContains,
        ComparisonOperator::BeginsWith,
    ];

    /// The operator's name on the wire and in messages (`NOT_CONTAINS`).
    pub fn wire_name(self) -> &'static str {
        match self {
            ComparisonOperator::Eq => "EQ",
            ComparisonOperator::Ne => "NE",
            ComparisonOperator::In => "IN",
            ComparisonOperator::Le => "LE",
            ComparisonOperator::Lt => "LT",
            ComparisonOperator::Ge => "GE",
            ComparisonOperator::Gt => "GT",
            ComparisonOperator::Between => "BETWEEN",
            ComparisonOperator::NotNull => "NOT_NULL",
            ComparisonOperator::Null => "NULL",
            ComparisonOperator::Contains => "CONTAINS",
            ComparisonOperator::NotContains => "NOT_CONTAINS",
            ComparisonOperator::BeginsWith => "BEGINS_WITH",
        }
    }

    /// The operator with this wire name (case-sensitive, as DynamoDB's enum
    /// validation is).
    pub fn from_wire_name(name: &str) -> Option<ComparisonOperator> {
        ComparisonOperator::ALL
            .into_iter()
            .find(|op| op.wire_name() == name)
    }

    /// Whether the operator takes `count` values: none for `NULL` and
    /// `NOT_NULL`, two for `BETWEEN`, at least one for `IN`, else one.
    fn takes_count(self, count: usize) -> bool {
        match self {
            ComparisonOperator::Null | ComparisonOperator::NotNull => count == 0,
            ComparisonOperator::Between => count == 2,
            ComparisonOperator::In => count >= 1,
            _ => count == 1,
        }
    }

    /// Whether the operator takes values of type `t`. The ordering
    /// operators, `IN` and `BETWEEN` take the three ordered scalars; the
    /// containment operators take any scalar (a boolean or null can only be
    /// found in a list); `BEGINS_WITH` takes strings and binaries.
    fn takes_type(self, t: AttributeType) -> bool {
        use AttributeType as T;
        match self {
            ComparisonOperator::Eq
            | ComparisonOperator::Ne
            | ComparisonOperator::Null
            | ComparisonOperator::NotNull => true,
            ComparisonOperator::In
            | ComparisonOperator::Le
            | ComparisonOperator::Lt
            | ComparisonOperator::Ge
            | ComparisonOperator::Gt
            | ComparisonOperator::Between => matches!(t, T::S | T::N | T::B),
            ComparisonOperator::Contains | ComparisonOperator::NotContains => {
                matches!(t, T::S | T::N | T::B | T::Bool | T::Null)
            }
            ComparisonOperator::BeginsWith => matches!(t, T::S | T::B),
        }
    }
}

impl fmt::Display for ComparisonOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}

/// How the entries of `Expected` combine (`ConditionalOperator`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ConditionalOperator {
    /// Every entry must hold (the default).
    #[default]
    And,
    /// At least one entry must hold.
    Or,
}

impl ConditionalOperator {
    /// The operator's name on the wire.
    pub fn wire_name(self) -> &'static str {
        match self {
            ConditionalOperator::And => "AND",
            ConditionalOperator::Or => "OR",
        }
    }

    /// The operator with this wire name.
    pub fn from_wire_name(name: &str) -> Option<ConditionalOperator> {
        match name {
            "AND" => Some(ConditionalOperator::And),
            "OR" => Some(ConditionalOperator::Or),
            _ => None,
        }
    }
}

/// One entry of `Expected` (DynamoDB's `ExpectedAttributeValue`), as the
/// request gave it: each field is absent or present, and which fields appear
/// together is part of what [`expected_condition`] validates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExpectedAttribute {
    /// `Value`: the value to compare with.
    pub value: Option<AttributeValue>,
    /// `Exists`: `false` requires the attribute to be missing; `true` (or
    /// absent) requires `Value` and means equality.
    pub exists: Option<bool>,
    /// `ComparisonOperator`.
    pub comparison_operator: Option<ComparisonOperator>,
    /// `AttributeValueList`: the operator's values.
    pub attribute_value_list: Option<Vec<AttributeValue>>,
}

/// The `Action` of an `AttributeUpdates` entry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AttributeAction {
    /// Replace the attribute (the default when `Action` is absent).
    #[default]
    Put,
    /// Add to a number, union into a set, or append to a list; create the
    /// attribute when missing.
    Add,
    /// Remove the attribute, or (with a set value) remove those members.
    Delete,
}

impl AttributeAction {
    /// The action's name on the wire.
    pub fn wire_name(self) -> &'static str {
        match self {
            AttributeAction::Put => "PUT",
            AttributeAction::Add => "ADD",
            AttributeAction::Delete => "DELETE",
        }
    }

    /// The action with this wire name.
    pub fn from_wire_name(name: &str) -> Option<AttributeAction> {
        match name {
            "PUT" => Some(AttributeAction::Put),
            "ADD" => Some(AttributeAction::Add),
            "DELETE" => Some(AttributeAction::Delete),
            _ => None,
        }
    }
}

/// One entry of `AttributeUpdates` (DynamoDB's `AttributeValueUpdate`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttributeUpdate {
    /// `Action`; absent means PUT.
    pub action: Option<AttributeAction>,
    /// `Value`; required unless the action is DELETE.
    pub value: Option<AttributeValue>,
}

/// Converts `Expected` and `ConditionalOperator` into a condition.
///
/// Pass the entries in the request's order, and an empty slice when the
/// request has `ConditionalOperator` but no `Expected`. The result is `None`
/// when there is nothing to check. The entries are joined into a balanced
/// tree, so that evaluating a map of many thousands of entries recurses only
/// as deep as the logarithm of their number.
pub fn expected_condition(
    expected: &[(String, ExpectedAttribute)],
    operator: Option<ConditionalOperator>,
) -> Result<Option<ConditionExpression>, ExprError> {
    let conditions = expected
        .iter()
        .map(|(name, entry)| expected_entry(name, entry))
        .collect::<Result<Vec<_>, _>>()?;
    let join: fn(Box<Condition>, Box<Condition>) -> Condition = match operator {
        None => Condition::And,
        Some(_) if conditions.is_empty() => {
            return Err(ExprError::ConditionalOperatorWithoutConditions);
        }
        Some(_) if conditions.len() == 1 => {
            return Err(ExprError::ConditionalOperatorWithOneCondition);
        }
        Some(ConditionalOperator::And) => Condition::And,
        Some(ConditionalOperator::Or) => Condition::Or,
    };
    Ok(
        balanced(conditions, join).map(|condition| ConditionExpression {
            condition,
            usage: Usage::default(),
        }),
    )
}

/// One `Expected` entry's condition: its shape first, then its comparison.
fn expected_entry(name: &str, entry: &ExpectedAttribute) -> Result<Condition, ExprError> {
    let attribute = || name.to_string();
    let invalid = |problem| Err(ExprError::InvalidParameter(problem));
    let ExpectedAttribute {
        value,
        exists,
        comparison_operator,
        attribute_value_list,
    } = entry;
    if exists.is_some() && comparison_operator.is_some() {
        return invalid(LegacyProblem::ExistsWithComparisonOperator {
            attribute: attribute(),
        });
    }
    if value.is_some() && attribute_value_list.is_some() {
        return invalid(LegacyProblem::ValueWithAttributeValueList {
            attribute: attribute(),
        });
    }
    if comparison_operator.is_none() && attribute_value_list.is_some() {
        return invalid(LegacyProblem::AttributeValueListWithoutOperator {
            attribute: attribute(),
        });
    }
    if *exists == Some(false) && value.is_some() {
        return invalid(LegacyProblem::ValueWithExistsFalse {
            attribute: attribute(),
        });
    }
    let path = DocumentPath::attribute(name);
    match (comparison_operator, value, attribute_value_list) {
        (Some(operator), None, None) if operator.takes_count(0) => comparison(name, *operator, &[]),
        (Some(operator), None, None) => invalid(LegacyProblem::OperatorWithoutValues {
            operator: *operator,
            attribute: attribute(),
        }),
        (Some(operator), Some(value), _) => {
            comparison(name, *operator, std::slice::from_ref(value))
        }
        (Some(operator), None, Some(list)) => comparison(name, *operator, list),
        (None, Some(value), _) => Ok(compare(Comparator::Eq, path, value)),
        (None, None, _) => match exists {
            Some(false) => Ok(Condition::AttributeNotExists(path)),
            Some(true) => invalid(LegacyProblem::ValueRequired {
                exists: true,
                attribute: attribute(),
            }),
            None => invalid(LegacyProblem::ValueRequired {
                exists: false,
                attribute: attribute(),
            }),
        },
    }
}

/// The condition `attribute <operator> values`, after DynamoDB's checks of
/// the values: their number, then each one's type (accepted by the
/// operator, then equal to the first one's), then BETWEEN's bound order.
///
/// The same comparisons make up `QueryFilter`, `ScanFilter` and
/// `KeyConditions`.
pub fn comparison(
    attribute: &str,
    operator: ComparisonOperator,
    values: &[AttributeValue],
) -> Result<Condition, ExprError> {
    let invalid = |problem| Err(ExprError::InvalidParameter(problem));
    if !operator.takes_count(values.len()) {
        return invalid(LegacyProblem::ArgumentCount { operator });
    }
    if let Some(first) = values.first() {
        let first_type = first.attribute_type();
        for value in values {
            let value_type = value.attribute_type();
            if !operator.takes_type(value_type) {
                return invalid(LegacyProblem::OperatorType {
                    operator,
                    value_type,
                });
            }
            if value_type != first_type {
                return invalid(LegacyProblem::MixedTypes);
            }
        }
    }
    let path = DocumentPath::attribute(attribute);
    let operand = || Operand::Path(path.clone());
    let literal = |value: &AttributeValue| Operand::Value(value.clone());
    let condition = match (operator, values) {
        (ComparisonOperator::Eq, [value]) => compare(Comparator::Eq, path, value),
        (ComparisonOperator::Ne, [value]) => compare(Comparator::Ne, path, value),
        (ComparisonOperator::Le, [value]) => compare(Comparator::Le, path, value),
        (ComparisonOperator::Lt, [value]) => compare(Comparator::Lt, path, value),
        (ComparisonOperator::Ge, [value]) => compare(Comparator::Ge, path, value),
        (ComparisonOperator::Gt, [value]) => compare(Comparator::Gt, path, value),
        (ComparisonOperator::In, list) => Condition::In {
            operand: operand(),
            list: list.iter().map(literal).collect(),
        },
        (ComparisonOperator::Between, [low, high]) => {
            if compare_ordered(low, high) == Some(std::cmp::Ordering::Greater) {
                return Err(ExprError::BetweenBoundsReversed);
            }
            Condition::Between {
                operand: operand(),
                low: literal(low),
                high: literal(high),
            }
        }
        (ComparisonOperator::NotNull, []) => Condition::AttributeExists(path),
        (ComparisonOperator::Null, []) => Condition::AttributeNotExists(path),
        (ComparisonOperator::Contains, [value]) => Condition::Contains {
            operand: operand(),
            element: literal(value),
        },
        // A missing attribute neither contains nor lacks the value.
        (ComparisonOperator::NotContains, [value]) => Condition::And(
            Box::new(Condition::AttributeExists(path.clone())),
            Box::new(Condition::Not(Box::new(Condition::Contains {
                operand: operand(),
                element: literal(value),
            }))),
        ),
        (ComparisonOperator::BeginsWith, [value]) => Condition::BeginsWith {
            operand: operand(),
            prefix: literal(value),
        },
        // `takes_count` has ruled out every other shape.
        _ => return invalid(LegacyProblem::ArgumentCount { operator }),
    };
    Ok(condition)
}

/// `path <op> value`.
fn compare(op: Comparator, path: DocumentPath, value: &AttributeValue) -> Condition {
    Condition::Compare {
        op,
        left: Operand::Path(path),
        right: Operand::Value(value.clone()),
    }
}

/// `conditions` joined pairwise, level by level, keeping their order.
fn balanced(
    mut conditions: Vec<Condition>,
    join: fn(Box<Condition>, Box<Condition>) -> Condition,
) -> Option<Condition> {
    while conditions.len() > 1 {
        let mut joined = Vec::with_capacity(conditions.len().div_ceil(2));
        let mut iter = conditions.into_iter();
        while let Some(left) = iter.next() {
            joined.push(match iter.next() {
                Some(right) => join(Box::new(left), Box::new(right)),
                None => left,
            });
        }
        conditions = joined;
    }
    conditions.pop()
}

/// Converts `AttributeUpdates` into an update, one action per entry in the
/// order given. The names are a map's keys on the wire, hence distinct. An
/// empty slice gives an update that changes nothing (UpdateItem then only
/// creates the item).
///
/// The result applies like any [`UpdateExpression`], except that a value
/// whose type does not match the attribute's fails with
/// [`ExprError::AttributeUpdateTypeMismatch`].
pub fn attribute_updates(
    updates: &[(String, AttributeUpdate)],
) -> Result<UpdateExpression, ExprError> {
    let invalid = |problem| Err(ExprError::InvalidParameter(problem));
    let mut actions = Vec::with_capacity(updates.len());
    for (name, update) in updates {
        let path = DocumentPath::attribute(name.as_str());
        let action = update.action.unwrap_or_default();
        let Some(value) = &update.value else {
            if action != AttributeAction::Delete {
                return invalid(LegacyProblem::ActionWithoutValue);
            }
            actions.push(UpdateAction::Remove { path });
            continue;
        };
        let value_type = value.attribute_type();
        actions.push(match action {
            AttributeAction::Put => UpdateAction::Set {
                path,
                value: SetValue::Operand(SetOperand::Value(value.clone())),
            },
            AttributeAction::Delete if is_set_type(value_type) => UpdateAction::Delete {
                path,
                value: value.clone(),
            },
            AttributeAction::Delete => return invalid(LegacyProblem::DeleteType { value_type }),
            AttributeAction::Add if value_type == AttributeType::N || is_set_type(value_type) => {
                UpdateAction::Add {
                    path,
                    value: value.clone(),
                }
            }
            // The ADD clause of an expression takes no lists; the legacy
            // action appends, starting from an empty list.
            AttributeAction::Add if value_type == AttributeType::L => UpdateAction::Set {
                path: path.clone(),
                value: SetValue::Operand(SetOperand::ListAppend(
                    Box::new(SetOperand::IfNotExists(
                        path,
                        Box::new(SetOperand::Value(AttributeValue::L(Vec::new()))),
                    )),
                    Box::new(SetOperand::Value(value.clone())),
                )),
            },
            AttributeAction::Add => return invalid(LegacyProblem::AddType { value_type }),
        });
    }
    Ok(UpdateExpression {
        actions,
        usage: Usage::default(),
        source: UpdateSource::AttributeUpdates,
    })
}

/// Converts `AttributesToGet` into a projection of top-level attributes.
/// A name listed twice is an error naming its second occurrence.
pub fn attributes_to_get(names: &[String]) -> Result<ProjectionExpression, ExprError> {
    let mut seen = BTreeSet::new();
    for name in names {
        if !seen.insert(name.as_str()) {
            return Err(ExprError::InvalidParameter(
                LegacyProblem::DuplicateAttributeName { name: name.clone() },
            ));
        }
    }
    Ok(ProjectionExpression {
        paths: names
            .iter()
            .map(|name| DocumentPath::attribute(name.as_str()))
            .collect(),
        usage: Usage::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrodyn_model::{Item, Number};

    fn n(text: &str) -> AttributeValue {
        AttributeValue::N(Number::parse(text).expect("number"))
    }

    #[test]
    fn wire_names_round_trip() {
        for op in ComparisonOperator::ALL {
            assert_eq!(ComparisonOperator::from_wire_name(op.wire_name()), Some(op));
        }
        assert_eq!(ComparisonOperator::from_wire_name("eq"), None);
    }

    #[test]
    fn many_entries_make_a_shallow_tree() {
        fn depth(condition: &Condition) -> usize {
            match condition {
                Condition::And(l, r) | Condition::Or(l, r) => 1 + depth(l).max(depth(r)),
                Condition::Not(inner) => 1 + depth(inner),
                _ => 1,
            }
        }
        let expected: Vec<(String, ExpectedAttribute)> = (0..100_000)
            .map(|i| {
                let entry = ExpectedAttribute {
                    exists: Some(false),
                    ..ExpectedAttribute::default()
                };
                (format!("a{i}"), entry)
            })
            .collect();
        let parsed = expected_condition(&expected, Some(ConditionalOperator::Or))
            .expect("valid")
            .expect("a condition");
        assert!(depth(parsed.condition()) <= 18);
        let mut item = Item::new();
        item.insert("a7".to_string(), n("1"));
        assert!(parsed.evaluate(&item));
    }

    #[test]
    fn many_updates_apply_in_linear_time() {
        let updates: Vec<(String, AttributeUpdate)> = (0..200_000)
            .map(|i| {
                let update = AttributeUpdate {
                    action: Some(AttributeAction::Add),
                    value: Some(n("1")),
                };
                (format!("a{i}"), update)
            })
            .collect();
        let outcome = attribute_updates(&updates)
            .expect("valid")
            .apply(&Item::new())
            .expect("applies");
        assert_eq!(outcome.item.len(), 200_000);
    }
}

//! Evaluating conditions against an item.
//!
//! Evaluation never fails: everything that could be wrong with the
//! expression itself was rejected by validation, and whatever depends on the
//! item makes the condition false rather than an error. The rules, from
//! DynamoDB's behaviour:
//!
//! * A missing attribute equals nothing, not even another missing attribute,
//!   so `a <> b` is *true* when either is missing.
//! * Values of different types are neither equal nor ordered.
//! * `<`, `<=`, `>`, `>=` and BETWEEN order strings, numbers and binaries
//!   only; on any other type they are false.
//! * `size()` of a number, boolean or null is missing, like a missing
//!   attribute.
//! * `begins_with` holds only between two strings or two binaries.
//! * `contains` finds a substring in a string, a byte run in a binary, an
//!   element of the matching type in a set, or an equal element in a list.

use std::borrow::Cow;
use std::cmp::Ordering;

use ferrodyn_model::{AttributeValue, Item, Number};

use crate::ast::{Condition, Operand};
use crate::syntax::Comparator;
use crate::value::{compare_ordered, values_equal};

impl Condition {
    /// Whether `item` satisfies the condition. A missing item is an empty
    /// one: pass `&Item::new()`.
    pub fn evaluate(&self, item: &Item) -> bool {
        match self {
            Condition::Compare { op, left, right } => {
                let left = operand_value(left, item);
                let right = operand_value(right, item);
                compare(*op, left.as_deref(), right.as_deref())
            }
            Condition::Between { operand, low, high } => {
                let value = operand_value(operand, item);
                let low = operand_value(low, item);
                let high = operand_value(high, item);
                compare(Comparator::Le, value.as_deref(), high.as_deref())
                    && compare(Comparator::Ge, value.as_deref(), low.as_deref())
            }
            Condition::In { operand, list } => {
                let Some(value) = operand_value(operand, item) else {
                    return false;
                };
                list.iter().any(|candidate| {
                    operand_value(candidate, item).is_some_and(|c| values_equal(&value, &c))
                })
            }
            Condition::AttributeExists(path) => path.resolve(item).is_some(),
            Condition::AttributeNotExists(path) => path.resolve(item).is_none(),
            Condition::AttributeType { operand, expected } => operand_value(operand, item)
                .is_some_and(|value| value.attribute_type() == *expected),
            Condition::BeginsWith { operand, prefix } => {
                match (operand_value(operand, item), operand_value(prefix, item)) {
                    (Some(value), Some(prefix)) => begins_with(&value, &prefix),
                    _ => false,
                }
            }
            Condition::Contains { operand, element } => {
                match (operand_value(operand, item), operand_value(element, item)) {
                    (Some(value), Some(element)) => contains(&value, &element),
                    _ => false,
                }
            }
            Condition::Not(inner) => !inner.evaluate(item),
            Condition::And(left, right) => left.evaluate(item) && right.evaluate(item),
            Condition::Or(left, right) => left.evaluate(item) || right.evaluate(item),
        }
    }
}

/// The value of an operand, `None` when missing.
pub(crate) fn operand_value<'a>(
    operand: &'a Operand,
    item: &'a Item,
) -> Option<Cow<'a, AttributeValue>> {
    match operand {
        Operand::Path(path) => path.resolve(item).map(Cow::Borrowed),
        Operand::Value(value) => Some(Cow::Borrowed(value)),
        Operand::Size(inner) => {
            let value = operand_value(inner, item)?;
            size_of(&value).map(|n| Cow::Owned(AttributeValue::N(n)))
        }
    }
}

/// `size()`: string length in UTF-16 code units (as DynamoDB, a Java
/// service, counts), binary length in bytes, element counts of sets, lists
/// and maps; missing for other types.
pub(crate) fn size_of(value: &AttributeValue) -> Option<Number> {
    let size = match value {
        AttributeValue::S(s) => s.chars().map(char::len_utf16).sum(),
        AttributeValue::B(b) => b.len(),
        AttributeValue::Ss(s) => s.len(),
        AttributeValue::Ns(s) => s.len(),
        AttributeValue::Bs(s) => s.len(),
        AttributeValue::L(l) => l.len(),
        AttributeValue::M(m) => m.len(),
        AttributeValue::N(_) | AttributeValue::Bool(_) | AttributeValue::Null => return None,
    };
    Some(Number::from_i64(i64::try_from(size).unwrap_or(i64::MAX)))
}

fn compare(op: Comparator, left: Option<&AttributeValue>, right: Option<&AttributeValue>) -> bool {
    let equal = || match (left, right) {
        (Some(l), Some(r)) => values_equal(l, r),
        _ => false,
    };
    match op {
        Comparator::Eq => equal(),
        Comparator::Ne => !equal(),
        ordering_op => {
            let Some(order) = left.zip(right).and_then(|(l, r)| compare_ordered(l, r)) else {
                return false;
            };
            match ordering_op {
                Comparator::Lt => order == Ordering::Less,
                Comparator::Le => order != Ordering::Greater,
                Comparator::Gt => order == Ordering::Greater,
                _ => order != Ordering::Less,
            }
        }
    }
}

fn begins_with(value: &AttributeValue, prefix: &AttributeValue) -> bool {
    match (value, prefix) {
        (AttributeValue::S(v), AttributeValue::S(p)) => v.starts_with(p.as_str()),
        (AttributeValue::B(v), AttributeValue::B(p)) => v.starts_with(p),
        _ => false,
    }
}

fn contains(value: &AttributeValue, element: &AttributeValue) -> bool {
    use AttributeValue as V;
    match (value, element) {
        (V::S(v), V::S(e)) => v.contains(e.as_str()),
        (V::B(v), V::B(e)) => e.is_empty() || v.windows(e.len()).any(|w| w == e.as_slice()),
        (V::Ss(set), V::S(e)) => set.contains(e),
        (V::Ns(set), V::N(e)) => set.iter().any(|n| n.cmp(e) == Ordering::Equal),
        (V::Bs(set), V::B(e)) => set.contains(e),
        (V::L(list), e) => list.iter().any(|member| values_equal(member, e)),
        _ => false,
    }
}

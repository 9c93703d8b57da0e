//! Key conditions: the restricted conditions that select a Query's items.
//!
//! A key condition is parsed and validated as a condition (with its own
//! name in messages), then checked for the shape a key lookup needs, in two
//! steps:
//!
//! 1. Without the table ([`KeyConditionExpression`]): only AND may combine
//!    conditions; each condition compares one top-level attribute with
//!    values using `= < <= > >=`, BETWEEN or begins_with, the attribute
//!    first for BETWEEN and begins_with; no attribute has two conditions.
//! 2. With the key schema ([`KeyConditionExpression::bind`]): the partition
//!    key has an equality, the other condition (if any) is on the sort key,
//!    and the values have the keys' types.
//!
//! ```text
//! pk = :p AND begins_with(sk, :prefix)
//!   -> KeyCondition { partition: ("pk", :p), sort: Some(sk BeginsWith :prefix) }
//! ```

use std::cmp::Ordering;

use ferrodyn_model::AttributeValue;
use ferrodyn_model::schema::{KeySchema, ScalarType};

use crate::ast::{Condition, Operand};
use crate::error::ExprError;
use crate::path::PathElement;
use crate::placeholders::Usage;
use crate::syntax::Comparator;
use crate::value::compare_ordered;

/// A key condition that has the shape of a key lookup, not yet matched to a
/// key schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyConditionExpression {
    pub(crate) condition: Condition,
    pub(crate) terms: Vec<(String, KeyPredicate)>,
    pub(crate) usage: Usage,
}

/// What a key condition requires of one key attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyPredicate {
    /// `key = value`.
    Eq(AttributeValue),
    /// `key < value`.
    Lt(AttributeValue),
    /// `key <= value`.
    Le(AttributeValue),
    /// `key > value`.
    Gt(AttributeValue),
    /// `key >= value`.
    Ge(AttributeValue),
    /// `key BETWEEN low AND high` (inclusive).
    Between(AttributeValue, AttributeValue),
    /// `begins_with(key, prefix)`.
    BeginsWith(AttributeValue),
}

impl KeyPredicate {
    /// Whether a key value satisfies the predicate.
    pub fn matches(&self, key: &AttributeValue) -> bool {
        let order = |bound: &AttributeValue| compare_ordered(key, bound);
        match self {
            KeyPredicate::Eq(v) => order(v) == Some(Ordering::Equal),
            KeyPredicate::Lt(v) => order(v) == Some(Ordering::Less),
            KeyPredicate::Le(v) => matches!(order(v), Some(Ordering::Less | Ordering::Equal)),
            KeyPredicate::Gt(v) => order(v) == Some(Ordering::Greater),
            KeyPredicate::Ge(v) => {
                matches!(order(v), Some(Ordering::Greater | Ordering::Equal))
            }
            KeyPredicate::Between(low, high) => {
                matches!(order(low), Some(Ordering::Greater | Ordering::Equal))
                    && matches!(order(high), Some(Ordering::Less | Ordering::Equal))
            }
            KeyPredicate::BeginsWith(prefix) => match (key, prefix) {
                (AttributeValue::S(k), AttributeValue::S(p)) => k.starts_with(p.as_str()),
                (AttributeValue::B(k), AttributeValue::B(p)) => k.starts_with(p),
                _ => false,
            },
        }
    }

    /// The values the predicate compares with (two for `BETWEEN`).
    pub fn values(&self) -> Vec<&AttributeValue> {
        match self {
            KeyPredicate::Eq(v)
            | KeyPredicate::Lt(v)
            | KeyPredicate::Le(v)
            | KeyPredicate::Gt(v)
            | KeyPredicate::Ge(v)
            | KeyPredicate::BeginsWith(v) => vec![v],
            KeyPredicate::Between(low, high) => vec![low, high],
        }
    }
}

/// The condition on the sort key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortKeyCondition {
    /// The sort key attribute.
    pub name: String,
    /// What its value must satisfy.
    pub predicate: KeyPredicate,
}

/// A key condition matched to a key schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyCondition {
    /// The partition key attribute and the value it must equal.
    pub partition: (String, AttributeValue),
    /// The condition on the sort key, if any.
    pub sort: Option<SortKeyCondition>,
}

impl KeyConditionExpression {
    /// The condition as a general condition (for evaluating it on items).
    pub fn condition(&self) -> &Condition {
        &self.condition
    }

    /// The placeholders the expression used.
    pub fn usage(&self) -> &Usage {
        &self.usage
    }

    /// The attributes the condition constrains, in the order written.
    pub fn terms(&self) -> &[(String, KeyPredicate)] {
        &self.terms
    }

    /// Matches the condition to a table's or index's key schema, checking
    /// the values' types against the keys'.
    pub fn bind(&self, schema: &KeySchema) -> Result<KeyCondition, ExprError> {
        let partition = (&schema.partition.name, Some(schema.partition.scalar_type));
        let sort = schema
            .sort
            .as_ref()
            .map(|key| (&key.name, Some(key.scalar_type)));
        self.bind_keys(partition, sort)
    }

    fn bind_keys(
        &self,
        (partition_name, partition_type): (&String, Option<ScalarType>),
        sort_key: Option<(&String, Option<ScalarType>)>,
    ) -> Result<KeyCondition, ExprError> {
        let find = |name: &str| self.terms.iter().find(|(attr, _)| attr == name);
        let Some((_, partition)) = find(partition_name) else {
            return Err(ExprError::KeyConditionMissingKey {
                name: partition_name.clone(),
            });
        };
        // DynamoDB asks for the sort key only when there is a second
        // condition.
        let sort = match sort_key {
            Some((sort_name, sort_type)) if self.terms.len() > 1 => match find(sort_name) {
                Some((_, predicate)) => Some((sort_name, sort_type, predicate)),
                None => {
                    return Err(ExprError::KeyConditionMissingKey {
                        name: sort_name.clone(),
                    });
                }
            },
            _ => None,
        };
        let KeyPredicate::Eq(partition_value) = partition else {
            return Err(ExprError::KeyConditionNotSupported);
        };
        let expected_terms = 1 + usize::from(sort.is_some());
        if self.terms.len() > expected_terms {
            return Err(ExprError::KeyConditionNotSupported);
        }
        if partition_type.is_some_and(|t| !t.matches(partition_value)) {
            return Err(ExprError::KeyConditionTypeMismatch);
        }
        if let Some((_, Some(sort_type), predicate)) = sort
            && predicate
                .values()
                .iter()
                .any(|value| !sort_type.matches(value))
        {
            return Err(ExprError::KeyConditionTypeMismatch);
        }
        Ok(KeyCondition {
            partition: (partition_name.clone(), partition_value.clone()),
            sort: sort.map(|(name, _, predicate)| SortKeyCondition {
                name: name.clone(),
                predicate: predicate.clone(),
            }),
        })
    }
}

/// Checks the shape of a validated key condition and lists its terms, with
/// DynamoDB's messages and in its order: a node's own operator first, then
/// its operands from left to right.
pub(crate) fn key_terms(condition: &Condition) -> Result<Vec<(String, KeyPredicate)>, ExprError> {
    let mut terms = Vec::new();
    collect(condition, &mut terms)?;
    Ok(terms)
}

fn invalid_operator(operator: &str) -> ExprError {
    ExprError::KeyConditionInvalidOperator {
        operator: operator.to_string(),
    }
}

/// Builds a term's predicate from its values; the flag says whether the key
/// was the second operand (`:v < key`), which flips the comparison.
type BuildPredicate = fn(Vec<AttributeValue>, bool) -> Option<KeyPredicate>;

fn collect(
    condition: &Condition,
    terms: &mut Vec<(String, KeyPredicate)>,
) -> Result<(), ExprError> {
    let (operands, build): (Vec<&Operand>, BuildPredicate) = match condition {
        Condition::Or(..) => return Err(invalid_operator("OR")),
        Condition::Not(_) => return Err(invalid_operator("NOT")),
        Condition::In { .. } => return Err(invalid_operator("IN")),
        Condition::AttributeExists(_) => return Err(invalid_operator("attribute_exists")),
        Condition::AttributeNotExists(_) => {
            return Err(invalid_operator("attribute_not_exists"));
        }
        Condition::AttributeType { .. } => return Err(invalid_operator("attribute_type")),
        Condition::Contains { .. } => return Err(invalid_operator("contains")),
        Condition::And(left, right) => {
            collect(left, terms)?;
            return collect(right, terms);
        }
        Condition::Compare { op, left, right } => {
            let build: BuildPredicate = match op {
                Comparator::Ne => return Err(invalid_operator("<>")),
                Comparator::Eq => |v, _| v.into_iter().next().map(KeyPredicate::Eq),
                Comparator::Lt => |v, flipped| {
                    let v = v.into_iter().next()?;
                    Some(if flipped {
                        KeyPredicate::Gt(v)
                    } else {
                        KeyPredicate::Lt(v)
                    })
                },
                Comparator::Le => |v, flipped| {
                    let v = v.into_iter().next()?;
                    Some(if flipped {
                        KeyPredicate::Ge(v)
                    } else {
                        KeyPredicate::Le(v)
                    })
                },
                Comparator::Gt => |v, flipped| {
                    let v = v.into_iter().next()?;
                    Some(if flipped {
                        KeyPredicate::Lt(v)
                    } else {
                        KeyPredicate::Gt(v)
                    })
                },
                Comparator::Ge => |v, flipped| {
                    let v = v.into_iter().next()?;
                    Some(if flipped {
                        KeyPredicate::Le(v)
                    } else {
                        KeyPredicate::Ge(v)
                    })
                },
            };
            (vec![left, right], build)
        }
        Condition::Between { operand, low, high } => {
            if !matches!(operand, Operand::Path(_)) {
                return Err(ExprError::KeyConditionKeyNotFirst {
                    operator: "BETWEEN".to_string(),
                });
            }
            (vec![operand, low, high], |v, _| {
                let mut v = v.into_iter();
                Some(KeyPredicate::Between(v.next()?, v.next()?))
            })
        }
        Condition::BeginsWith { operand, prefix } => {
            if !matches!(operand, Operand::Path(_)) {
                return Err(ExprError::KeyConditionKeyNotFirst {
                    operator: "begins_with".to_string(),
                });
            }
            (vec![operand, prefix], |v, _| {
                v.into_iter().next().map(KeyPredicate::BeginsWith)
            })
        }
    };
    let mut attribute: Option<(String, usize)> = None;
    let mut values = Vec::new();
    for (position, operand) in operands.into_iter().enumerate() {
        match operand {
            Operand::Path(path) => {
                if attribute.is_some() {
                    return Err(ExprError::KeyConditionMultipleAttributes);
                }
                if path.is_nested() {
                    return Err(ExprError::KeyConditionNestedAttribute);
                }
                let name = match path.elements().first() {
                    Some(PathElement::Key(name)) => name.clone(),
                    _ => return Err(ExprError::KeyConditionNestedAttribute),
                };
                attribute = Some((name, position));
            }
            Operand::Size(_) => return Err(ExprError::KeyConditionNestedOperation),
            Operand::Value(value) => values.push(value.clone()),
        }
    }
    let Some((name, position)) = attribute else {
        return Err(ExprError::KeyConditionNoAttribute);
    };
    if terms.iter().any(|(seen, _)| *seen == name) {
        return Err(ExprError::KeyConditionDuplicateKey);
    }
    let predicate = build(values, position != 0).ok_or(ExprError::KeyConditionNoAttribute)?;
    terms.push((name, predicate));
    Ok(())
}

//! Statements compiled into `ferrodyn-expr`'s trees and the operation that
//! runs them: a keyed read becomes a Query (one per partition an `IN`
//! names), any other read a Scan; writes name one item by its whole key.
//!
//! The WHERE clause is split at its top-level `AND`s. For a read, an
//! equality (or `IN`) on the partition key and one key comparison on the
//! sort key become the key condition; every other term is the filter. For
//! a write, an equality on each key attribute gives the key; the other
//! terms are the write's condition.

use ferrodyn_expr::{
    Comparator, Condition, DocumentPath, KeyPredicate, Operand, PathElement, PathTree, SetOperand,
    SetValue, UpdateAction,
};
use ferrodyn_model::{AttributeType, AttributeValue, Item};

use crate::ast::{Expr, Path, Projection, Returning, Select, Step, UpdateClause};
use crate::error::PartiqlError;
use crate::parser::set_elements_error;
use crate::values::{check_nesting, literal, required};

/// The most values an `IN` on a non-key attribute may list.
pub const IN_OPERANDS_MAX: usize = 100;

/// The key attributes of the table or index a statement addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyNames {
    /// The partition-key attributes (one, except on a multi-attribute index).
    pub partition: Vec<String>,
    /// The sort-key attributes (none, one, or several on an index).
    pub sort: Vec<String>,
}

impl KeyNames {
    fn is_key(&self, name: &str) -> bool {
        self.partition.iter().chain(&self.sort).any(|k| k == name)
    }
}

/// How a SELECT reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadPlan {
    /// A Query of each partition, in order.
    Query {
        /// The partition-key values (several for `IN`), in statement order.
        partitions: Vec<AttributeValue>,
        /// The sort-key condition, if any.
        sort: Option<(String, KeyPredicate)>,
        /// `ORDER BY ... DESC`.
        descending: bool,
    },
    /// A Scan.
    Scan,
}

/// A compiled SELECT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectPlan {
    /// How it reads.
    pub read: ReadPlan,
    /// The filter (the WHERE terms the key condition does not cover).
    pub filter: Option<Condition>,
    /// The paths it returns (`None`: the whole item).
    pub projection: Option<Vec<DocumentPath>>,
}

/// A compiled write of one item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WritePlan {
    /// The item's key.
    pub key: Item,
    /// The condition the item must meet (beyond the key).
    pub condition: Option<Condition>,
}

/// Compiles a SELECT (or the SELECT of an EXISTS) against `keys`.
pub fn select(
    select: &Select,
    keys: &KeyNames,
    params: &[AttributeValue],
) -> Result<SelectPlan, PartiqlError> {
    let projection = match &select.projection {
        Projection::All => None,
        Projection::Paths(paths) => Some(paths.iter().map(document_path).collect()),
    };
    let mut terms = Vec::new();
    if let Some(condition) = &select.condition {
        conjuncts(condition, &mut terms);
    }
    let mut partitions = None;
    let mut sort = None;
    let mut rest = Vec::new();
    let simple = keys.partition.len() == 1 && keys.sort.len() <= 1;
    for term in terms {
        if simple
            && partitions.is_none()
            && let Some(values) = partition_term(term, &keys.partition[0], params)?
        {
            partitions = Some(values);
            continue;
        }
        if simple
            && sort.is_none()
            && let Some(name) = keys.sort.first()
            && let Some(predicate) = sort_term(term, name, params)?
        {
            sort = Some((name.clone(), predicate));
            continue;
        }
        rest.push(term);
    }
    let (descending, partition_order) = order(select, keys, partitions.as_ref().map(Vec::len))?;
    let read = match partitions {
        Some(mut partitions) => {
            if let Some(partitions_descending) = partition_order {
                sort_values(&mut partitions, partitions_descending);
            }
            ReadPlan::Query {
                partitions,
                sort,
                descending,
            }
        }
        None => {
            // Without the partition key, a sort-key term is only a filter.
            if let Some((_, _)) = sort.take() {
                rest.clear();
                if let Some(condition) = &select.condition {
                    conjuncts(condition, &mut rest);
                }
            }
            ReadPlan::Scan
        }
    };
    let filter = rest
        .into_iter()
        .map(|t| condition(t, params))
        .reduce(|a, b| Ok(Condition::And(Box::new(a?), Box::new(b?))))
        .transpose()?;
    Ok(SelectPlan {
        read,
        filter,
        projection,
    })
}

/// Checks ORDER BY with AWS's rules and returns the sort-key direction
/// (descending or not) and, when the partition key is ordered too, the
/// partitions' direction.
fn order(
    select: &Select,
    keys: &KeyNames,
    partitions: Option<usize>,
) -> Result<(bool, Option<bool>), PartiqlError> {
    if select.order_by.is_empty() {
        return Ok((false, None));
    }
    if select.condition.is_none() {
        return Err(PartiqlError::invalid(
            "Must have WHERE clause in the statement when using ORDER BY clause.",
        ));
    }
    let Some(partitions) = partitions else {
        return Err(PartiqlError::invalid(
            "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause.",
        ));
    };
    let (mut sort, mut partition) = (None, None);
    for o in &select.order_by {
        let name = o.path.top();
        if o.path.is_attribute() && keys.sort.iter().any(|k| k == name) {
            sort = Some(o.descending);
        } else if o.path.is_attribute() && keys.partition.iter().any(|k| k == name) {
            partition = Some(o.descending);
        } else {
            return Err(PartiqlError::invalid(format!(
                "Attribute {} in ORDER BY clause must be part of the primary key",
                o.path
                    .0
                    .iter()
                    .map(|s| match s {
                        Step::Name(n) => n.clone(),
                        Step::Index(i) => format!("[{i}]"),
                    })
                    .collect::<Vec<_>>()
                    .join(".")
            )));
        }
    }
    if partitions > 1 && partition.is_none() {
        return Err(PartiqlError::invalid(
            "Must have hash key in ORDER BY clause when more than one hash key condition specified in WHERE clause.",
        ));
    }
    Ok((sort.unwrap_or(false), partition))
}

/// Sorts key values in key order (by their order-preserving encoding).
fn sort_values(values: &mut [AttributeValue], descending: bool) {
    values.sort_by_cached_key(|v| {
        let mut key = Vec::new();
        // Key values are scalars; anything else sorts first.
        let _ = ferrodyn_model::keycode::encode_value(v, &mut key);
        key
    });
    if descending {
        values.reverse();
    }
}

/// The terms of `expr`'s top-level `AND`s, left to right.
fn conjuncts<'a>(expr: &'a Expr, out: &mut Vec<&'a Expr>) {
    match expr {
        Expr::And(a, b) => {
            conjuncts(a, out);
            conjuncts(b, out);
        }
        other => out.push(other),
    }
}

/// Whether `expr` is the top-level attribute `name`.
fn is_attribute(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Path(p) if p.is_attribute() && p.top() == name)
}

/// `key = v`, `v = key`, `key IN [..]`, or an OR of such terms: the
/// values of the key (AWS queries `pk = 1 OR pk = 2` rather than scanning).
fn partition_term(
    term: &Expr,
    key: &str,
    params: &[AttributeValue],
) -> Result<Option<Vec<AttributeValue>>, PartiqlError> {
    match term {
        Expr::Or(a, b) => {
            let (Some(mut left), Some(right)) = (
                partition_term(a, key, params)?,
                partition_term(b, key, params)?,
            ) else {
                return Ok(None);
            };
            for v in right {
                if left.contains(&v) {
                    return Err(PartiqlError::invalid(
                        "Overlapping conditions with range keys are not supported in where clause",
                    ));
                }
                left.push(v);
            }
            Ok(Some(left))
        }
        Expr::Compare(Comparator::Eq, a, b) => {
            let value = if is_attribute(a, key) {
                literal(b, params)?
            } else if is_attribute(b, key) {
                literal(a, params)?
            } else {
                None
            };
            Ok(value.map(|v| vec![v]))
        }
        Expr::In { operand, list } if is_attribute(operand, key) => {
            let mut values = Vec::with_capacity(list.len());
            for e in list {
                match literal(e, params)? {
                    Some(v) if !values.contains(&v) => values.push(v),
                    Some(_) => {
                        return Err(PartiqlError::invalid(
                            "Overlapping conditions with range keys are not supported in where clause",
                        ));
                    }
                    None => return Ok(None),
                }
            }
            Ok(Some(values))
        }
        _ => Ok(None),
    }
}

/// A comparison of the sort key `key` a key condition can serve.
fn sort_term(
    term: &Expr,
    key: &str,
    params: &[AttributeValue],
) -> Result<Option<KeyPredicate>, PartiqlError> {
    Ok(match term {
        Expr::Compare(op, a, b) if *op != Comparator::Ne => {
            let (op, value) = if is_attribute(a, key) {
                (*op, literal(b, params)?)
            } else if is_attribute(b, key) {
                (op.flipped(), literal(a, params)?)
            } else {
                return Ok(None);
            };
            value.map(|v| match op {
                Comparator::Eq | Comparator::Ne => KeyPredicate::Eq(v),
                Comparator::Lt => KeyPredicate::Lt(v),
                Comparator::Le => KeyPredicate::Le(v),
                Comparator::Gt => KeyPredicate::Gt(v),
                Comparator::Ge => KeyPredicate::Ge(v),
            })
        }
        Expr::Between { operand, low, high } if is_attribute(operand, key) => {
            match (literal(low, params)?, literal(high, params)?) {
                (Some(l), Some(h)) => Some(KeyPredicate::Between(l, h)),
                _ => None,
            }
        }
        Expr::Call(name, args) if name == "begins_with" && args.len() == 2 => {
            match (&args[0], literal(&args[1], params)?) {
                (a, Some(v @ (AttributeValue::S(_) | AttributeValue::B(_))))
                    if is_attribute(a, key) =>
                {
                    Some(KeyPredicate::BeginsWith(v))
                }
                _ => None,
            }
        }
        _ => None,
    })
}

/// Compiles the WHERE clause of an UPDATE or DELETE: the item's key and the
/// condition the rest of the clause sets.
pub fn write_target(
    condition: &Expr,
    keys: &KeyNames,
    params: &[AttributeValue],
) -> Result<WritePlan, PartiqlError> {
    let mut terms = Vec::new();
    conjuncts(condition, &mut terms);
    let mut key = Item::new();
    let mut rest = Vec::new();
    for term in terms {
        if let Expr::Compare(Comparator::Eq, a, b) = term {
            let pair = match (a.as_ref(), b.as_ref()) {
                (Expr::Path(p), v) | (v, Expr::Path(p))
                    if p.is_attribute() && keys.is_key(p.top()) =>
                {
                    literal(v, params)?.map(|v| (p.top().to_owned(), v))
                }
                _ => None,
            };
            if let Some((name, value)) = pair {
                match key.get(&name) {
                    Some(old) if *old != value => {
                        return Err(PartiqlError::invalid(format!(
                            "Multiple conditions on same key {name}. Only single item Update/Insert/Delete are supported"
                        )));
                    }
                    Some(_) => {}
                    None => {
                        key.insert(name, value);
                    }
                }
                continue;
            }
        }
        rest.push(term);
    }
    if keys
        .partition
        .iter()
        .chain(&keys.sort)
        .any(|k| !key.contains_key(k))
    {
        return Err(PartiqlError::KeyEqualityMissing);
    }
    let condition = rest
        .into_iter()
        .map(|t| condition_of(t, params))
        .reduce(|a, b| Ok(Condition::And(Box::new(a?), Box::new(b?))))
        .transpose()?;
    Ok(WritePlan { key, condition })
}

fn condition_of(expr: &Expr, params: &[AttributeValue]) -> Result<Condition, PartiqlError> {
    condition(expr, params)
}

/// A path of the statement as a document path.
pub fn document_path(path: &Path) -> DocumentPath {
    DocumentPath::new(
        path.0
            .iter()
            .map(|s| match s {
                Step::Name(n) => PathElement::Key(n.clone()),
                Step::Index(i) => PathElement::Index(*i),
            })
            .collect(),
    )
}

/// An operand of a condition: a path, a value, or `size(path)`.
fn operand(expr: &Expr, params: &[AttributeValue]) -> Result<Operand, PartiqlError> {
    if let Some(value) = literal(expr, params)? {
        return Ok(Operand::Value(value));
    }
    match expr {
        Expr::Path(p) => Ok(Operand::Path(document_path(p))),
        Expr::Call(name, args) if name == "size" && args.len() == 1 => {
            Ok(Operand::Size(Box::new(operand(&args[0], params)?)))
        }
        Expr::Call(name, _) => Err(PartiqlError::Unsupported(format!(
            "Function {name} is not supported here"
        ))),
        _ => Err(PartiqlError::Unsupported(
            "Operand is not supported here".to_owned(),
        )),
    }
}

/// The condition `expr` states.
pub fn condition(expr: &Expr, params: &[AttributeValue]) -> Result<Condition, PartiqlError> {
    let path_of = |e: &Expr| match e {
        Expr::Path(p) => Ok(document_path(p)),
        _ => Err(PartiqlError::Unsupported(
            "IS MISSING and IS NULL take an attribute path".to_owned(),
        )),
    };
    Ok(match expr {
        Expr::And(a, b) => Condition::And(
            Box::new(condition(a, params)?),
            Box::new(condition(b, params)?),
        ),
        Expr::Or(a, b) => Condition::Or(
            Box::new(condition(a, params)?),
            Box::new(condition(b, params)?),
        ),
        Expr::Not(a) => Condition::Not(Box::new(condition(a, params)?)),
        Expr::Compare(op, a, b) => Condition::Compare {
            op: *op,
            left: operand(a, params)?,
            right: operand(b, params)?,
        },
        Expr::Between {
            operand: o,
            low,
            high,
        } => Condition::Between {
            operand: operand(o, params)?,
            low: operand(low, params)?,
            high: operand(high, params)?,
        },
        Expr::In { list, .. } if list.len() > IN_OPERANDS_MAX => {
            return Err(PartiqlError::invalid(format!(
                "The IN operator is provided with too many operands; number of operands: {}",
                list.len()
            )));
        }
        Expr::In { operand: o, list } => Condition::In {
            operand: operand(o, params)?,
            list: list
                .iter()
                .map(|e| operand(e, params))
                .collect::<Result<_, _>>()?,
        },
        Expr::Is {
            operand: o,
            null: false,
            negated,
        } => {
            let path = path_of(o)?;
            if *negated {
                Condition::AttributeExists(path)
            } else {
                Condition::AttributeNotExists(path)
            }
        }
        Expr::Is {
            operand: o,
            null: true,
            negated,
        } => {
            let is_null = Condition::AttributeType {
                operand: Operand::Path(path_of(o)?),
                expected: AttributeType::Null,
            };
            if *negated {
                Condition::Not(Box::new(is_null))
            } else {
                is_null
            }
        }
        Expr::Call(name, args) => function(name, args, params)?,
        _ => {
            return Err(PartiqlError::Unsupported(
                "Expression is not a condition".to_owned(),
            ));
        }
    })
}

/// A function used as a condition.
fn function(
    name: &str,
    args: &[Expr],
    params: &[AttributeValue],
) -> Result<Condition, PartiqlError> {
    let arity = |n: usize| {
        if args.len() == n {
            Ok(())
        } else {
            Err(PartiqlError::invalid(format!(
                "Incorrect number of arguments for function {name}: expected {n}, got {}",
                args.len()
            )))
        }
    };
    Ok(match name {
        "begins_with" => {
            arity(2)?;
            Condition::BeginsWith {
                operand: operand(&args[0], params)?,
                prefix: operand(&args[1], params)?,
            }
        }
        "contains" => {
            arity(2)?;
            Condition::Contains {
                operand: operand(&args[0], params)?,
                element: operand(&args[1], params)?,
            }
        }
        "attribute_type" => {
            arity(2)?;
            let expected = match required(&args[1], params)? {
                AttributeValue::S(t) => AttributeType::from_wire_name(&t).ok_or_else(|| {
                    PartiqlError::invalid(format!("Invalid attribute type name found: {t}"))
                })?,
                _ => {
                    return Err(PartiqlError::invalid(
                        "The second argument of attribute_type must be a string",
                    ));
                }
            };
            Condition::AttributeType {
                operand: operand(&args[0], params)?,
                expected,
            }
        }
        other => {
            return Err(PartiqlError::Unsupported(format!(
                "Function {other} is not supported"
            )));
        }
    })
}

/// Compiles an UPDATE's SET and REMOVE clauses into update actions.
pub fn update_actions(
    clauses: &[UpdateClause],
    params: &[AttributeValue],
) -> Result<Vec<UpdateAction>, PartiqlError> {
    let mut tree = PathTree::new();
    let mut actions = Vec::with_capacity(clauses.len());
    for clause in clauses {
        let action = match clause {
            UpdateClause::Remove(path) => UpdateAction::Remove {
                path: document_path(path),
            },
            UpdateClause::Set(path, value) => set_action(document_path(path), value, params)?,
            UpdateClause::SetElements {
                path,
                delete,
                elements,
                first_argument,
            } => {
                let value = required(elements, params)?;
                if !matches!(
                    value,
                    AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_)
                ) {
                    let function = if *delete { "SET_DELETE" } else { "SET_ADD" };
                    return Err(set_elements_error(function, *first_argument));
                }
                let path = document_path(path);
                if *delete {
                    UpdateAction::Delete { path, value }
                } else {
                    UpdateAction::Add { path, value }
                }
            }
        };
        tree.insert(action.path())
            .map_err(|problem| PartiqlError::invalid(format!("Invalid update: {problem}")))?;
        actions.push(action);
    }
    Ok(actions)
}

fn set_action(
    path: DocumentPath,
    value: &Expr,
    params: &[AttributeValue],
) -> Result<UpdateAction, PartiqlError> {
    let value = match value {
        Expr::Arithmetic(op, a, b) => {
            SetValue::Arithmetic(*op, set_operand(a, params)?, set_operand(b, params)?)
        }
        other => SetValue::Operand(set_operand(other, params)?),
    };
    Ok(UpdateAction::Set { path, value })
}

fn set_operand(expr: &Expr, params: &[AttributeValue]) -> Result<SetOperand, PartiqlError> {
    if let Some(value) = literal(expr, params)? {
        check_nesting("value", &value)?;
        return Ok(SetOperand::Value(value));
    }
    match expr {
        Expr::Path(p) => Ok(SetOperand::Path(document_path(p))),
        Expr::Call(name, args) if name == "list_append" && args.len() == 2 => {
            Ok(SetOperand::ListAppend(
                Box::new(set_operand(&args[0], params)?),
                Box::new(set_operand(&args[1], params)?),
            ))
        }
        Expr::Call(name, args) if name == "if_not_exists" && args.len() == 2 => {
            let Expr::Path(p) = &args[0] else {
                return Err(PartiqlError::Unsupported(
                    "The first argument of if_not_exists must be a path".to_owned(),
                ));
            };
            Ok(SetOperand::IfNotExists(
                document_path(p),
                Box::new(set_operand(&args[1], params)?),
            ))
        }
        Expr::Call(name, _) => Err(PartiqlError::Unsupported(format!(
            "Function {name} is not supported in SET"
        ))),
        _ => Err(PartiqlError::Unsupported(
            "Expression is not supported in SET".to_owned(),
        )),
    }
}

/// What RETURNING asks of an UPDATE or DELETE, as ReturnValues.
pub fn returning_name(returning: Option<Returning>) -> &'static str {
    match returning {
        None => "NONE",
        Some(Returning::AllOld) => "ALL_OLD",
        Some(Returning::ModifiedOld) => "UPDATED_OLD",
        Some(Returning::AllNew) => "ALL_NEW",
        Some(Returning::ModifiedNew) => "UPDATED_NEW",
    }
}

/// The item of an INSERT, which must be a map with the whole key.
pub fn insert_item(
    item: &Expr,
    keys: &KeyNames,
    params: &[AttributeValue],
) -> Result<Item, PartiqlError> {
    let AttributeValue::M(item) = required(item, params)? else {
        return Err(PartiqlError::invalid(
            "Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.",
        ));
    };
    for (name, value) in &item {
        check_nesting(name, value)?;
    }
    if let Some(missing) = keys
        .partition
        .iter()
        .chain(&keys.sort)
        .find(|k| !item.contains_key(*k))
    {
        return Err(PartiqlError::invalid(format!(
            "One or more parameter values were invalid: Missing the key {missing} in the item"
        )));
    }
    Ok(item)
}

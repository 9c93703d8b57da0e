//! PartiQL's literals (and `?` parameters) as attribute values.

use ferrodyn_model::limits::DOCUMENT_NESTING_DEPTH_MAX;
use ferrodyn_model::{AttributeValue, Item, Number};

use crate::ast::Expr;
use crate::error::PartiqlError;

/// The value of a literal expression, with `params` standing for its `?`s;
/// `None` when `expr` is not a literal (a path, an operator, a call).
pub fn literal(
    expr: &Expr,
    params: &[AttributeValue],
) -> Result<Option<AttributeValue>, PartiqlError> {
    Ok(Some(match expr {
        Expr::Str(s) => AttributeValue::S(s.clone()),
        Expr::Number(n) => AttributeValue::N(number(n)?),
        Expr::Bool(b) => AttributeValue::Bool(*b),
        Expr::Null => AttributeValue::Null,
        Expr::Param(i) => params
            .get(*i)
            .cloned()
            .ok_or(PartiqlError::ParameterCount)?,
        Expr::List(elements) => AttributeValue::L(
            elements
                .iter()
                .map(|e| required(e, params))
                .collect::<Result<_, _>>()?,
        ),
        Expr::Map(entries) => {
            let mut map = Item::new();
            for (key, value) in entries {
                if matches!(value, Expr::Missing) {
                    continue;
                }
                if map.insert(key.clone(), required(value, params)?).is_some() {
                    return Err(PartiqlError::invalid(format!(
                        "Duplicate key found in map: {key}"
                    )));
                }
            }
            AttributeValue::M(map)
        }
        Expr::Set(elements) => set(elements, params)?,
        _ => return Ok(None),
    }))
}

/// The value of `expr`, which must be a literal.
pub fn required(expr: &Expr, params: &[AttributeValue]) -> Result<AttributeValue, PartiqlError> {
    literal(expr, params)?
        .ok_or_else(|| PartiqlError::Unsupported("Expression is not a literal value".to_owned()))
}

fn number(text: &str) -> Result<Number, PartiqlError> {
    Number::parse(text).map_err(|e| PartiqlError::invalid(format!("{e} under root")))
}

/// `<<...>>`: a string, number or binary set of distinct elements.
fn set(elements: &[Expr], params: &[AttributeValue]) -> Result<AttributeValue, PartiqlError> {
    let values: Vec<AttributeValue> = elements
        .iter()
        .map(|e| required(e, params))
        .collect::<Result<_, _>>()?;
    let invalid_set = || {
        PartiqlError::invalid(
            "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags",
        )
    };
    // Every element must be of the first one's type.
    fn all<T>(
        values: Vec<AttributeValue>,
        pick: fn(AttributeValue) -> Option<T>,
        invalid: impl Fn() -> PartiqlError,
    ) -> Result<Vec<T>, PartiqlError> {
        values
            .into_iter()
            .map(|v| pick(v).ok_or_else(&invalid))
            .collect()
    }
    let set = match values.first() {
        None => return Err(PartiqlError::invalid("Empty bags are not supported")),
        Some(AttributeValue::S(_)) => AttributeValue::Ss(all(
            values,
            |v| match v {
                AttributeValue::S(s) => Some(s),
                _ => None,
            },
            invalid_set,
        )?),
        Some(AttributeValue::N(_)) => AttributeValue::Ns(all(
            values,
            |v| match v {
                AttributeValue::N(n) => Some(n),
                _ => None,
            },
            invalid_set,
        )?),
        Some(AttributeValue::B(_)) => AttributeValue::Bs(all(
            values,
            |v| match v {
                AttributeValue::B(b) => Some(b),
                _ => None,
            },
            invalid_set,
        )?),
        Some(_) => return Err(invalid_set()),
    };
    if has_duplicates(&set) {
        let elements: Vec<String> = elements.iter().map(ToString::to_string).collect();
        return Err(PartiqlError::invalid(format!(
            "One or more parameter values were invalid: Input collection [{}] contains duplicates.",
            elements.join(", ").replace('\'', "")
        )));
    }
    Ok(set)
}

/// Whether a set holds an element twice.
fn has_duplicates(set: &AttributeValue) -> bool {
    fn dup<T: Eq + std::hash::Hash>(items: &[T]) -> bool {
        let mut seen = std::collections::HashSet::new();
        !items.iter().all(|i| seen.insert(i))
    }
    match set {
        AttributeValue::Ss(s) => dup(s),
        AttributeValue::Ns(n) => dup(n),
        AttributeValue::Bs(b) => dup(b),
        _ => false,
    }
}

/// Refuses a value nested deeper than an item allows
/// ([`DOCUMENT_NESTING_DEPTH_MAX`] levels of lists and maps, the item
/// itself counting as one), naming the path that goes too deep as
/// `root.a.b[0]...` (`name` is the attribute the value is stored under).
pub fn check_nesting(name: &str, value: &AttributeValue) -> Result<(), PartiqlError> {
    if value.nesting_depth() < DOCUMENT_NESTING_DEPTH_MAX {
        return Ok(());
    }
    let mut path = format!("root.{name}");
    let mut v = value;
    loop {
        let deepest = match v {
            AttributeValue::M(m) => m
                .iter()
                .max_by_key(|(_, c)| c.nesting_depth())
                .map(|(k, c)| (format!(".{k}"), c)),
            AttributeValue::L(l) => l
                .iter()
                .enumerate()
                .max_by_key(|(_, c)| c.nesting_depth())
                .map(|(i, c)| (format!("[{i}]"), c)),
            _ => None,
        };
        match deepest {
            Some((step, child)) if child.nesting_depth() > 0 => {
                path.push_str(&step);
                v = child;
            }
            _ => break,
        }
    }
    Err(PartiqlError::invalid(format!(
        "Nesting Levels have exceeded supported limits under {path}"
    )))
}

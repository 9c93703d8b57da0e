//! `#name` and `:value` placeholders: the two maps a request may carry, the
//! checks DynamoDB makes on them, and the record of which ones the request's
//! expressions used.
//!
//! A request's maps are shared by all of its expressions (a Query may have a
//! key condition, a filter and a projection). Each expression parsed with
//! [`Placeholders`] returns its [`Usage`]; after parsing them all, the API
//! layer passes the usages to [`check_unused`], because a placeholder is
//! only unused if no expression of the request uses it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::BuildHasher;

use ferrodyn_model::AttributeValue;
use ferrodyn_model::limits::EXPRESSION_ATTRIBUTE_KEY_LENGTH_MAX;

use crate::error::{ExprError, PlaceholderMap};
use crate::lexer::{TokenKind, Tokens};

/// A map from `#name` keys to attribute names. (`Sync` so that deep
/// expressions can be parsed on a helper thread, see `stack.rs`.)
pub trait NameMap: Sync {
    /// The attribute name for `key`.
    fn name(&self, key: &str) -> Option<&str>;
}

/// A map from `:value` keys to values.
pub trait ValueMap: Sync {
    /// The value for `key`.
    fn value(&self, key: &str) -> Option<&AttributeValue>;
}

impl<S: BuildHasher + Sync> NameMap for HashMap<String, String, S> {
    fn name(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
}

impl NameMap for BTreeMap<String, String> {
    fn name(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
}

impl<S: BuildHasher + Sync> ValueMap for HashMap<String, AttributeValue, S> {
    fn value(&self, key: &str) -> Option<&AttributeValue> {
        self.get(key)
    }
}

impl ValueMap for BTreeMap<String, AttributeValue> {
    fn value(&self, key: &str) -> Option<&AttributeValue> {
        self.get(key)
    }
}

/// The placeholder maps of a request, either of which may be absent.
#[derive(Clone, Copy, Default)]
pub struct Placeholders<'a> {
    names: Option<&'a dyn NameMap>,
    values: Option<&'a dyn ValueMap>,
}

impl std::fmt::Debug for Placeholders<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Placeholders")
            .field("names", &self.names.is_some())
            .field("values", &self.values.is_some())
            .finish()
    }
}

impl<'a> Placeholders<'a> {
    /// No placeholders: every `#name` and `:value` is undefined.
    pub fn none() -> Placeholders<'a> {
        Placeholders::default()
    }

    /// The request's maps.
    pub fn new(
        names: Option<&'a dyn NameMap>,
        values: Option<&'a dyn ValueMap>,
    ) -> Placeholders<'a> {
        Placeholders { names, values }
    }

    pub(crate) fn name(&self, key: &str) -> Option<&'a str> {
        self.names.and_then(|names| names.name(key))
    }

    pub(crate) fn value(&self, key: &str) -> Option<&'a AttributeValue> {
        self.values.and_then(|values| values.value(key))
    }
}

/// Which placeholders an expression used, and how often (the count feeds
/// the expression size limit).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    names: BTreeMap<String, usize>,
    values: BTreeMap<String, usize>,
}

impl Usage {
    pub(crate) fn use_name(&mut self, key: &str) {
        *self.names.entry(key.to_string()).or_default() += 1;
    }

    pub(crate) fn use_value(&mut self, key: &str) {
        *self.values.entry(key.to_string()).or_default() += 1;
    }

    /// The `#name` keys used.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.keys().map(String::as_str)
    }

    /// The `:value` keys used.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    /// Adds another expression's usage to this one.
    pub fn merge(&mut self, other: &Usage) {
        for (key, count) in &other.names {
            *self.names.entry(key.clone()).or_default() += count;
        }
        for (key, count) in &other.values {
            *self.values.entry(key.clone()).or_default() += count;
        }
    }

    /// The size the used placeholders add to the expression: each use of a
    /// name counts its length, each use of a value its item-size bytes.
    pub(crate) fn substituted_size(&self, placeholders: &Placeholders<'_>) -> usize {
        let names: usize = self
            .names
            .iter()
            .map(|(key, count)| count * placeholders.name(key).map_or(0, str::len))
            .sum();
        let values: usize = self
            .values
            .iter()
            .map(|(key, count)| {
                count
                    * placeholders
                        .value(key)
                        .map_or(0, AttributeValue::size_bytes)
            })
            .sum();
        names + values
    }
}

/// The length of `s` in UTF-16 code units, the unit DynamoDB's size limits
/// on expressions and keys use.
pub(crate) fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Checks the keys of ExpressionAttributeNames: present means non-empty,
/// and each key must be exactly one `#name` token (whitespace around it is
/// tolerated, as DynamoDB's parser does).
pub fn validate_names<'k>(keys: impl IntoIterator<Item = &'k str>) -> Result<(), ExprError> {
    validate_keys(keys, PlaceholderMap::Names, TokenKind::Name)
}

/// Checks the keys of ExpressionAttributeValues, like [`validate_names`]
/// with `:value` tokens. The values themselves are valid by construction of
/// [`AttributeValue`]; the API layer reports malformed ones while building
/// them.
pub fn validate_values<'k>(keys: impl IntoIterator<Item = &'k str>) -> Result<(), ExprError> {
    validate_keys(keys, PlaceholderMap::Values, TokenKind::Value)
}

fn validate_keys<'k>(
    keys: impl IntoIterator<Item = &'k str>,
    map: PlaceholderMap,
    kind: TokenKind,
) -> Result<(), ExprError> {
    let mut any = false;
    for key in keys {
        any = true;
        if key.is_empty() {
            return Err(ExprError::EmptyPlaceholderKey { map });
        }
        let length = utf16_len(key);
        if length > EXPRESSION_ATTRIBUTE_KEY_LENGTH_MAX {
            return Err(ExprError::PlaceholderKeyTooLong { map, length });
        }
        let tokens = Tokens::new(key);
        if tokens.len() != 2 || tokens.get(0).kind != kind {
            return Err(ExprError::InvalidPlaceholderKey {
                map,
                key: key.to_string(),
            });
        }
    }
    if !any {
        return Err(ExprError::EmptyPlaceholderMap { map });
    }
    Ok(())
}

/// Reports the placeholders that no expression of the request used: names
/// first, then values, as DynamoDB does. Keys are listed sorted (DynamoDB's
/// order is that of a hash map).
pub fn check_unused<'k>(
    name_keys: impl IntoIterator<Item = &'k str>,
    value_keys: impl IntoIterator<Item = &'k str>,
    usages: &[&Usage],
) -> Result<(), ExprError> {
    let used_names: BTreeSet<&str> = usages.iter().flat_map(|u| u.names()).collect();
    let unused: BTreeSet<&str> = name_keys
        .into_iter()
        .filter(|key| !used_names.contains(key))
        .collect();
    if !unused.is_empty() {
        return Err(ExprError::UnusedPlaceholders {
            map: PlaceholderMap::Names,
            keys: unused.into_iter().map(str::to_string).collect(),
        });
    }
    let used_values: BTreeSet<&str> = usages.iter().flat_map(|u| u.values()).collect();
    let unused: BTreeSet<&str> = value_keys
        .into_iter()
        .filter(|key| !used_values.contains(key))
        .collect();
    if !unused.is_empty() {
        return Err(ExprError::UnusedPlaceholders {
            map: PlaceholderMap::Values,
            keys: unused.into_iter().map(str::to_string).collect(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_syntax() {
        assert!(validate_names(["#a", "#1", "#_x", " #b "]).is_ok());
        assert_eq!(
            validate_names(["a"]).map_err(|e| e.to_string()),
            Err("ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"".into())
        );
        assert!(validate_names(["#a#b"]).is_err());
        assert!(validate_values([":a", "#a"]).is_err());
        assert_eq!(
            validate_values(std::iter::empty()).map_err(|e| e.to_string()),
            Err("ExpressionAttributeValues must not be empty".into())
        );
    }

    #[test]
    fn unused_keys_are_sorted() {
        let mut usage = Usage::default();
        usage.use_value(":a");
        assert_eq!(
            check_unused([], [":c", ":a", ":b"], &[&usage]).map_err(|e| e.to_string()),
            Err(
                "Value provided in ExpressionAttributeValues unused in expressions: keys: {:b, :c}"
                    .into()
            )
        );
    }
}

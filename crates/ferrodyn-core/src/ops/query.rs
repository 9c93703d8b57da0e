//! Query: the items of one partition, in sort-key order, narrowed by a
//! condition on the sort key, then filtered and projected, one page at a
//! time.
//!
//! The key condition becomes one key range: the partition's prefix, with
//! the sort-key bounds encoded by the same order-preserving encoding as the
//! items' keys, so that `<`, `BETWEEN` and `begins_with` are byte ranges.

use ferrodyn_expr::KeyPredicate;
use ferrodyn_model::keycode;
use ferrodyn_model::schema::KeySchema;
use ferrodyn_model::{AttributeValue, Item};
use ferrodyn_storage::{Direction, prefix_end};

use super::resource_not_found;
use crate::capacity::ReturnConsumedCapacity;
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::expressions::{
    BoundKey, Compiled, ExpressionInput, LegacyInput, Operation, compile, condition_attributes,
};
use crate::index::partition_prefix;
use crate::item::key_from_key;
use crate::keyspace;
use crate::read::{RangeRead, ReadIndex, Select, index_start_key};

/// Query's input.
#[derive(Clone, Debug)]
pub struct QueryInput {
    /// `TableName` (or ARN).
    pub table_name: String,
    /// `IndexName`.
    pub index_name: Option<String>,
    /// `Select`.
    pub select: Option<Select>,
    /// `Limit`.
    pub limit: Option<usize>,
    /// `ConsistentRead`.
    pub consistent_read: bool,
    /// `ScanIndexForward`.
    pub scan_index_forward: bool,
    /// `ExclusiveStartKey`.
    pub exclusive_start_key: Option<Item>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: ReturnConsumedCapacity,
    /// Key condition, filter and projection expressions.
    pub expressions: ExpressionInput,
    /// `KeyConditions`, `QueryFilter`, `ConditionalOperator`, `AttributesToGet`.
    pub legacy: LegacyInput,
}

impl Default for QueryInput {
    fn default() -> QueryInput {
        QueryInput {
            table_name: String::new(),
            index_name: None,
            select: None,
            limit: None,
            consistent_read: false,
            scan_index_forward: true,
            exclusive_start_key: None,
            return_consumed_capacity: ReturnConsumedCapacity::None,
            expressions: ExpressionInput::default(),
            legacy: LegacyInput::default(),
        }
    }
}

pub use crate::read::ReadOutput;

/// Checks `Select` against the projection, with DynamoDB's messages, and
/// returns whether only the count is wanted. `query` selects Query's
/// wording where it differs from Scan's.
pub(crate) fn check_select(
    select: Option<Select>,
    index_name: Option<&str>,
    compiled: &Compiled,
    legacy: &LegacyInput,
    query: bool,
) -> Result<bool> {
    let projection_member = if legacy.attributes_to_get.is_some() {
        "AttributesToGet"
    } else {
        "ProjectionExpression"
    };
    let has_projection = compiled.projection.is_some();
    let conflict = |choice: &str| {
        CoreError::validation(format!(
            "Cannot specify the {projection_member} when choosing to get {choice}"
        ))
    };
    match select {
        Some(Select::AllAttributes) if has_projection => Err(conflict("ALL_ATTRIBUTES")),
        Some(Select::AllProjectedAttributes) if has_projection => {
            Err(conflict("ALL_PROJECTED_ATTRIBUTES"))
        }
        Some(Select::Count) if has_projection => Err(conflict("only the Count")),
        Some(Select::SpecificAttributes) if !has_projection => {
            let message = "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES";
            Err(CoreError::validation(if query {
                format!("1 validation error detected: {message}")
            } else {
                message.to_owned()
            }))
        }
        Some(Select::AllProjectedAttributes) if index_name.is_none() => Err(CoreError::validation(
            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
        )),
        Some(Select::Count) => Ok(true),
        _ => Ok(false),
    }
}

/// The key range `[start, end)` of the items (or index entries, under
/// `space`) a key condition selects.
fn key_range(space: u8, id: u64, condition: &BoundKey) -> Result<(Vec<u8>, Vec<u8>)> {
    let internal = |e: keycode::KeyDecodeError| CoreError::Internal(e.to_string());
    let partition: Vec<&AttributeValue> = condition.partition.iter().map(|(_, v)| v).collect();
    let partition_prefix = partition_prefix(space, id, &partition)?;
    let partition_end = prefix_end(&partition_prefix)
        .ok_or_else(|| CoreError::Internal("unbounded key prefix".into()))?;
    // Sort-key attributes pinned by equality narrow the prefix.
    let mut prefix = partition_prefix;
    for (_, value) in &condition.sort_prefix {
        keycode::encode_value(value, &mut prefix).map_err(internal)?;
    }
    let prefix_end_ = prefix_end(&prefix).unwrap_or(partition_end);
    let Some((_, predicate)) = &condition.last else {
        return Ok((prefix, prefix_end_));
    };
    let at = |value| -> Result<Vec<u8>> {
        let mut key = prefix.clone();
        keycode::encode_value(value, &mut key).map_err(internal)?;
        Ok(key)
    };
    // The smallest key after every key that starts with `value`'s
    // encoding: index entries continue after it with more keys.
    let after = |value| -> Result<Vec<u8>> {
        prefix_end(&at(value)?).ok_or_else(|| CoreError::Internal("unbounded key".into()))
    };
    Ok(match predicate {
        KeyPredicate::Eq(v) => (at(v)?, after(v)?),
        KeyPredicate::Lt(v) => (prefix.clone(), at(v)?),
        KeyPredicate::Le(v) => (prefix.clone(), after(v)?),
        KeyPredicate::Gt(v) => (after(v)?, prefix_end_),
        KeyPredicate::Ge(v) => (at(v)?, prefix_end_),
        KeyPredicate::Between(low, high) => (at(low)?, after(high)?),
        KeyPredicate::BeginsWith(p) => {
            // S and B encode as escaped bytes then a two-byte terminator;
            // the keys that begin with `p` share its escaped bytes.
            let mut start = at(p)?;
            start.truncate(start.len().saturating_sub(2));
            let end = prefix_end(&start).unwrap_or(prefix_end_);
            (start, end)
        }
    })
}

impl Database {
    /// Query.
    pub fn query(&self, ctx: &RequestContext, input: QueryInput) -> Result<ReadOutput> {
        let compiled = compile(Operation::Query, &input.expressions, &input.legacy)?;
        let count_only = check_select(
            input.select,
            input.index_name.as_deref(),
            &compiled,
            &input.legacy,
            true,
        )?;
        let Some(key_source) = &compiled.key_condition else {
            return Err(CoreError::validation(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
            ));
        };
        let table = self.resolve_table(ctx, &input.table_name, resource_not_found)?;
        let table_schema = table.key_schema();
        let index = ReadIndex::resolve(
            &table,
            input.index_name.as_deref(),
            input.consistent_read,
            input.select,
            &compiled,
        )?;
        let condition = match &index {
            Some(i) => key_source.bind_index(&i.schema)?,
            None => key_source.bind(&table_schema)?,
        };
        // PartiQL's WHERE clause may name key attributes beyond the key
        // condition: they stay in its filter.
        let partiql = input.expressions.compiled.is_some();
        match &index {
            _ if partiql => {}
            Some(i) => {
                check_filter_keys(&compiled, &input.legacy, |n| i.schema.is_key_attribute(n))?
            }
            None => check_filter_keys(&compiled, &input.legacy, |n| {
                table_schema.is_key_attribute(n)
            })?,
        }
        let (mut start, mut end) = match &index {
            Some(i) => key_range(keyspace::INDEX_ENTRIES, i.meta.id, &condition)?,
            None => key_range(keyspace::ITEMS, table.id, &condition)?,
        };
        let direction = if input.scan_index_forward {
            Direction::Forward
        } else {
            Direction::Reverse
        };
        if let Some(esk) = &input.exclusive_start_key {
            let key = match &index {
                Some(i) => {
                    let key = index_start_key(&table, i.meta, esk)?;
                    // On an index, one key can hold many items.
                    check_start_in_range(&condition, esk, false)?;
                    key
                }
                None => query_start_key(table.id, &table_schema, &condition, esk)?,
            };
            match direction {
                Direction::Forward => {
                    let mut after = key;
                    after.push(0);
                    start = start.max(after);
                }
                Direction::Reverse => end = end.min(key),
            }
        }
        self.read_output(
            &RangeRead {
                scan_prefix_len: None,
                start,
                end,
                direction,
                consistent: input.consistent_read,
                limit: input.limit,
                count_only,
                compiled: &compiled,
                schema: &table_schema,
                index: index.as_ref().map(|i| i.read(&table)),
            },
            &table.name,
            input.return_consumed_capacity,
        )
    }
}

/// Rejects a Query filter on a key attribute, as DynamoDB does.
fn check_filter_keys(
    compiled: &Compiled,
    legacy: &LegacyInput,
    is_key: impl Fn(&str) -> bool,
) -> Result<()> {
    let key_attribute = |name: &str, member: &str| {
        if is_key(name) {
            Err(CoreError::validation(format!(
                "{member} can only contain non-primary key attributes: Primary key attribute: {name}"
            )))
        } else {
            Ok(())
        }
    };
    if let Some(entries) = &legacy.filter {
        for (name, _) in entries {
            key_attribute(name, "QueryFilter")?;
        }
    } else if let Some(filter) = &compiled.filter {
        for (name, _) in condition_attributes(filter.condition()) {
            key_attribute(name, "Filter Expression")?;
        }
    }
    Ok(())
}

/// The storage key of a Query's `ExclusiveStartKey`, which must be a key of
/// the table inside the range the key condition selects.
fn query_start_key(
    table_id: u64,
    schema: &KeySchema,
    condition: &BoundKey,
    esk: &Item,
) -> Result<Vec<u8>> {
    let invalid = || CoreError::validation("The provided starting key is invalid");
    if esk.len() != schema.attributes().count()
        || schema.attributes().any(|k| !esk.contains_key(&k.name))
    {
        return Err(invalid());
    }
    let key = key_from_key(table_id, schema, esk)?;
    check_start_in_range(condition, esk, true)?;
    Ok(key)
}

/// Checks that an `ExclusiveStartKey` lies inside the range a key
/// condition selects; `unique` when the key names at most one item (a
/// table's), so that a query on its whole key cannot be restarted.
fn check_start_in_range(condition: &BoundKey, esk: &Item, unique: bool) -> Result<()> {
    if condition
        .partition
        .iter()
        .any(|(name, value)| esk.get(name) != Some(value))
    {
        return Err(CoreError::validation(
            "The provided starting key is outside query boundaries based on provided conditions",
        ));
    }
    let sort_terms = condition
        .sort_prefix
        .iter()
        .map(|(name, value)| (name, KeyPredicate::Eq(value.clone())))
        .chain(condition.last.iter().map(|(n, p)| (n, p.clone())));
    for (name, predicate) in sort_terms {
        if unique && matches!(predicate, KeyPredicate::Eq(_)) {
            return Err(CoreError::validation(
                "The query can return at most one row and cannot be restarted",
            ));
        }
        if !esk.get(name).is_some_and(|v| predicate.matches(v)) {
            return Err(CoreError::validation(
                "The provided starting key does not match the range key predicate",
            ));
        }
    }
    Ok(())
}

/// The storage key of an `ExclusiveStartKey`, which must be a key of the
/// table.
pub(crate) fn start_key(table_id: u64, schema: &KeySchema, esk: &Item) -> Result<Vec<u8>> {
    key_from_key(table_id, schema, esk).map_err(|e| match e {
        CoreError::Validation(message) => {
            CoreError::validation(format!("The provided starting key is invalid: {message}"))
        }
        other => other,
    })
}

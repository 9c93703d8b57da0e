//! Wire-format helpers shared by the operation handlers: reading members of
//! an already shape-checked request, and writing common response parts.

pub mod backup;
pub mod describe;
pub mod export;
pub mod expressions;
pub mod java;
pub mod json_out;
pub mod shapes;
pub mod value;

use ferrodyn_core::capacity::{ConsumedCapacity, ReturnConsumedCapacity};
use ferrodyn_model::limits::{TABLE_NAME_LENGTH_MAX, TABLE_NAME_LENGTH_MIN};
use ferrodyn_model::names::{NAME_PATTERN, has_valid_name_characters};
use serde_json::{Map, Value, json};

use crate::error::ApiError;

/// A string member, if present.
pub fn opt_str<'a>(body: &'a Value, name: &str) -> Option<&'a str> {
    body.get(name).and_then(Value::as_str)
}

/// A `Date` member (epoch seconds, possibly fractional) in milliseconds.
pub fn opt_millis(body: &Value, member: &str) -> Option<i64> {
    body.get(member)
        .and_then(Value::as_f64)
        .map(|s| (s * 1000.0).round() as i64)
}

/// A boolean member, if present.
pub fn opt_bool(body: &Value, name: &str) -> Option<bool> {
    body.get(name).and_then(Value::as_bool)
}

/// A non-negative integer member, if present.
pub fn opt_u64(body: &Value, name: &str) -> Option<u64> {
    body.get(name)
        .and_then(|v| v.as_u64().or_else(|| v.as_f64().map(|f| f.max(0.0) as u64)))
}

/// A table name or ARN member of a data-plane operation (items, queries,
/// batches). The service model allows 1 to 1024 characters there (the shape
/// check has enforced that), so a two-character name is merely not found;
/// but a name that is not an ARN must still match the table-name pattern
/// and be at most 255 characters, as AWS reports.
pub fn data_table_name(body: &Value, member: &str) -> Result<String, ApiError> {
    checked_table_name(body, member, 1)
}

/// A table name or ARN member of a control-plane operation (CreateTable,
/// DescribeTable, UpdateTable, DeleteTable). Names that are not ARNs must
/// satisfy the table-name constraints, reported in DynamoDB's constraint
/// format.
pub fn table_name(body: &Value, member: &str) -> Result<String, ApiError> {
    checked_table_name(body, member, TABLE_NAME_LENGTH_MIN)
}

/// A table name that keys a batch operation's `RequestItems`: checked as
/// [`data_table_name`] checks a `TableName` member, and reported as one.
/// UNCONFIRMED (docs/compatibility.md): no capture shows AWS's answer to a
/// malformed name there; 1- and 2-character names are merely not found
/// [dynalite batchWriteItem.js, newer version].
pub fn batch_table_name(name: &str) -> Result<(), ApiError> {
    checked_name(name, "tableName", 1).map(|_| ())
}

fn checked_table_name(body: &Value, member: &str, min_len: usize) -> Result<String, ApiError> {
    let path = lower_first(member);
    let Some(name) = opt_str(body, member) else {
        return Err(ApiError::Validation(format!(
            "1 validation error detected: Value null at '{path}' failed to satisfy constraint: Member must not be null"
        )));
    };
    checked_name(name, &path, min_len)
}

fn checked_name(name: &str, path: &str, min_len: usize) -> Result<String, ApiError> {
    if name.starts_with("arn:") {
        return Ok(name.to_owned());
    }
    let mut errors = Vec::new();
    if !has_valid_name_characters(name) {
        errors.push(format!(
            "Value '{name}' at '{path}' failed to satisfy constraint: Member must satisfy regular expression pattern: {NAME_PATTERN}"
        ));
    }
    let len = name.chars().count();
    if len < min_len {
        errors.push(format!(
            "Value '{name}' at '{path}' failed to satisfy constraint: Member must have length greater than or equal to {min_len}"
        ));
    }
    if len > TABLE_NAME_LENGTH_MAX {
        errors.push(format!(
            "Value '{name}' at '{path}' failed to satisfy constraint: Member must have length less than or equal to {TABLE_NAME_LENGTH_MAX}"
        ));
    }
    if errors.is_empty() {
        return Ok(name.to_owned());
    }
    let n = errors.len();
    Err(ApiError::Validation(format!(
        "{n} validation error{} detected: {}",
        if n > 1 { "s" } else { "" },
        errors.join("; ")
    )))
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_lowercase().chain(c).collect())
}

/// `ReturnConsumedCapacity`.
pub fn return_consumed_capacity(body: &Value) -> ReturnConsumedCapacity {
    match opt_str(body, "ReturnConsumedCapacity") {
        Some("TOTAL") => ReturnConsumedCapacity::Total,
        Some("INDEXES") => ReturnConsumedCapacity::Indexes,
        _ => ReturnConsumedCapacity::None,
    }
}

/// Writes a `ConsumedCapacity` object. DynamoDB reports single-item
/// operations with `TableName` and `CapacityUnits` only (no read/write
/// split), plus `Table.CapacityUnits` when `INDEXES` was asked for.
/// The entries of a list member, each converted by `entry`; empty when the
/// member is absent (the shape check has already required it where AWS
/// does).
pub fn list_member<T>(
    body: &Value,
    member: &str,
    entry: impl Fn(&Value) -> Result<T, ApiError>,
) -> Result<Vec<T>, ApiError> {
    body.get(member)
        .and_then(Value::as_array)
        .map_or(Ok(Vec::new()), |list| list.iter().map(entry).collect())
}

/// Whether the request set `ReturnItemCollectionMetrics` to `SIZE`.
pub fn return_item_collection_metrics(body: &Value) -> bool {
    opt_str(body, "ReturnItemCollectionMetrics") == Some("SIZE")
}

/// Adds `ConsumedCapacity` as a list (one entry per table) to a response,
/// unless there is none.
pub fn insert_consumed_capacity_list(m: &mut Map<String, Value>, list: &[ConsumedCapacity]) {
    if !list.is_empty() {
        m.insert(
            "ConsumedCapacity".into(),
            Value::Array(list.iter().map(consumed_capacity).collect()),
        );
    }
}

/// `ConsumedCapacity` for one table.
pub fn consumed_capacity(c: &ConsumedCapacity) -> Value {
    let mut m = Map::new();
    m.insert("TableName".into(), json!(c.table_name));
    m.insert("CapacityUnits".into(), json!(c.capacity_units));
    let mut table = Map::new();
    table.insert("CapacityUnits".into(), json!(c.capacity_units));
    if c.with_split {
        for (name, units) in [
            ("ReadCapacityUnits", c.read_units),
            ("WriteCapacityUnits", c.write_units),
        ] {
            if let Some(u) = units {
                m.insert(name.into(), json!(u));
                table.insert(name.into(), json!(u));
            }
        }
    }
    if c.with_breakdown {
        if !c.with_split {
            table.insert("CapacityUnits".into(), json!(c.table_units));
        }
        m.insert("Table".into(), Value::Object(table));
        for (member, global) in [
            ("GlobalSecondaryIndexes", true),
            ("LocalSecondaryIndexes", false),
        ] {
            let indexes: Map<String, Value> = c
                .indexes
                .iter()
                .filter(|i| i.global == global)
                .map(|i| (i.name.clone(), json!({ "CapacityUnits": i.units })))
                .collect();
            if !indexes.is_empty() {
                m.insert(member.into(), Value::Object(indexes));
            }
        }
    }
    Value::Object(m)
}

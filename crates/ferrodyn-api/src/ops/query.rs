//! Query on the wire.

use ferrodyn_core::ops::query::{QueryInput, ReadOutput};
use ferrodyn_core::read::Select;
use serde_json::{Map, Value, json};

use super::Call;
use crate::error::ApiError;
use crate::wire::expressions::{expression_input, legacy_input};
use crate::wire::{
    consumed_capacity, data_table_name, opt_bool, opt_str, opt_u64, return_consumed_capacity, value,
};

/// `Select` (the shape check has enforced the enum).
pub(crate) fn select(body: &Value) -> Option<Select> {
    match opt_str(body, "Select")? {
        "ALL_ATTRIBUTES" => Some(Select::AllAttributes),
        "ALL_PROJECTED_ATTRIBUTES" => Some(Select::AllProjectedAttributes),
        "SPECIFIC_ATTRIBUTES" => Some(Select::SpecificAttributes),
        "COUNT" => Some(Select::Count),
        _ => None,
    }
}

/// `ExclusiveStartKey`, if present. DynamoDB prefixes some of the messages
/// about its values with "The provided starting key is invalid: " and not
/// others (empty number sets, duplicates and bad numbers keep their plain
/// text), as recorded against AWS.
pub(crate) fn exclusive_start_key(body: &Value) -> Result<Option<ferrodyn_model::Item>, ApiError> {
    const PREFIXED: [&str; 5] = [
        "Supplied AttributeValue is empty",
        "Supplied AttributeValue has more than one datatypes",
        "One or more parameter values were invalid: Null attribute value",
        "One or more parameter values were invalid: An string set",
        "One or more parameter values were invalid: Binary sets",
    ];
    match body.get("ExclusiveStartKey") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => value::item(v).map(Some).map_err(|e| match e {
            ApiError::Validation(m) if PREFIXED.iter().any(|p| m.starts_with(p)) => {
                ApiError::Validation(format!("The provided starting key is invalid: {m}"))
            }
            other => other,
        }),
    }
}

/// `Limit`, if present.
pub(crate) fn limit(body: &Value) -> Option<usize> {
    opt_u64(body, "Limit").and_then(|l| usize::try_from(l).ok())
}

/// The response of Query and Scan.
pub(crate) fn output(out: &ReadOutput) -> Value {
    let mut m = Map::new();
    if let Some(items) = &out.items {
        m.insert(
            "Items".into(),
            Value::Array(items.iter().map(value::item_to_json).collect()),
        );
    }
    m.insert("Count".into(), json!(out.count));
    m.insert("ScannedCount".into(), json!(out.scanned_count));
    if let Some(key) = &out.last_evaluated_key {
        m.insert("LastEvaluatedKey".into(), value::item_to_json(key));
    }
    if let Some(c) = &out.consumed_capacity {
        m.insert("ConsumedCapacity".into(), consumed_capacity(c));
    }
    Value::Object(m)
}

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let input = QueryInput {
        table_name: data_table_name(body, "TableName")?,
        index_name: opt_str(body, "IndexName").map(str::to_owned),
        select: select(body),
        limit: limit(body),
        consistent_read: opt_bool(body, "ConsistentRead").unwrap_or(false),
        scan_index_forward: opt_bool(body, "ScanIndexForward").unwrap_or(true),
        exclusive_start_key: exclusive_start_key(body)?,
        return_consumed_capacity: return_consumed_capacity(body),
        expressions: expression_input(body)?,
        legacy: legacy_input(body)?,
    };
    let out = call.db.query(call.ctx, input)?;
    Ok(output(&out))
}

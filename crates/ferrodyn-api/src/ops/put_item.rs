//! PutItem on the wire.

use ferrodyn_core::database::ItemCollection;
use ferrodyn_core::ops::put_item::PutItemInput;
use ferrodyn_core::ops::{ItemWriteOutput, ReturnValues};
use serde_json::{Map, Value};

use super::Call;
use crate::error::ApiError;
use crate::wire::expressions::{expression_input, legacy_input};
use crate::wire::{
    consumed_capacity, data_table_name, opt_str, return_consumed_capacity,
    return_item_collection_metrics, value,
};

/// `ReturnValues` for PutItem and DeleteItem, with AWS's message for the
/// values only UpdateItem takes.
pub(crate) fn return_values(body: &Value) -> Result<ReturnValues, ApiError> {
    match opt_str(body, "ReturnValues") {
        None | Some("NONE") => Ok(ReturnValues::None),
        Some("ALL_OLD") => Ok(ReturnValues::AllOld),
        Some(_) => Err(ApiError::Validation(
            "Return values set to invalid value".into(),
        )),
    }
}

/// Whether `ReturnValuesOnConditionCheckFailure` is `ALL_OLD`.
pub(crate) fn return_old_on_condition_failure(body: &Value) -> bool {
    opt_str(body, "ReturnValuesOnConditionCheckFailure") == Some("ALL_OLD")
}

/// One `ItemCollectionMetrics` entry.
pub(crate) fn item_collection_metrics(c: &ItemCollection) -> Value {
    serde_json::json!({
        "ItemCollectionKey": value::item_to_json(&c.key),
        "SizeEstimateRangeGB": c.size_estimate_range_gb(),
    })
}

/// The answer of PutItem, UpdateItem and DeleteItem.
pub(crate) fn output(out: &ItemWriteOutput) -> Value {
    let mut m = Map::new();
    if let Some(c) = &out.item_collection_metrics {
        m.insert("ItemCollectionMetrics".into(), item_collection_metrics(c));
    }
    if let Some(item) = &out.attributes {
        m.insert("Attributes".into(), value::item_to_json(item));
    }
    if let Some(c) = &out.consumed_capacity {
        m.insert("ConsumedCapacity".into(), consumed_capacity(c));
    }
    Value::Object(m)
}

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let input = PutItemInput {
        table_name: data_table_name(body, "TableName")?,
        item: value::item(body.get("Item").unwrap_or(&Value::Null))?,
        return_values: return_values(body)?,
        return_consumed_capacity: return_consumed_capacity(body),
        expressions: expression_input(body)?,
        legacy: legacy_input(body)?,
        return_old_on_condition_failure: return_old_on_condition_failure(body),
        return_item_collection_metrics: return_item_collection_metrics(body),
    };
    let out = call.db.put_item(call.ctx, input)?;
    Ok(output(&out))
}

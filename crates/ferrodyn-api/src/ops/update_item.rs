//! UpdateItem on the wire.

use ferrodyn_core::ops::ReturnValues;
use ferrodyn_core::ops::update_item::UpdateItemInput;
use serde_json::Value;

use super::Call;
use super::put_item::{output, return_old_on_condition_failure};
use crate::error::ApiError;
use crate::wire::expressions::{expression_input, legacy_input};
use crate::wire::{
    data_table_name, opt_str, return_consumed_capacity, return_item_collection_metrics, value,
};

/// UpdateItem's `ReturnValues` (the shape check has enforced the enum).
fn return_values(body: &Value) -> ReturnValues {
    match opt_str(body, "ReturnValues") {
        Some("ALL_OLD") => ReturnValues::AllOld,
        Some("UPDATED_OLD") => ReturnValues::UpdatedOld,
        Some("ALL_NEW") => ReturnValues::AllNew,
        Some("UPDATED_NEW") => ReturnValues::UpdatedNew,
        _ => ReturnValues::None,
    }
}

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let input = UpdateItemInput {
        table_name: data_table_name(body, "TableName")?,
        key: value::item(body.get("Key").unwrap_or(&Value::Null))?,
        return_values: return_values(body),
        return_consumed_capacity: return_consumed_capacity(body),
        expressions: expression_input(body)?,
        legacy: legacy_input(body)?,
        return_old_on_condition_failure: return_old_on_condition_failure(body),
        return_item_collection_metrics: return_item_collection_metrics(body),
    };
    let out = call.db.update_item(call.ctx, input)?;
    Ok(output(&out))
}

//! DeleteItem on the wire.

use ferrodyn_core::ops::delete_item::DeleteItemInput;
use serde_json::Value;

use super::Call;
use super::put_item::{output, return_old_on_condition_failure, return_values};
use crate::error::ApiError;
use crate::wire::expressions::{expression_input, legacy_input};

use crate::wire::{
    data_table_name, return_consumed_capacity, return_item_collection_metrics, value,
};

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let input = DeleteItemInput {
        table_name: data_table_name(body, "TableName")?,
        key: value::item(body.get("Key").unwrap_or(&Value::Null))?,
        return_values: return_values(body)?,
        return_consumed_capacity: return_consumed_capacity(body),
        expressions: expression_input(body)?,
        legacy: legacy_input(body)?,
        return_old_on_condition_failure: return_old_on_condition_failure(body),
        return_item_collection_metrics: return_item_collection_metrics(body),
    };
    let out = call.db.delete_item(call.ctx, input)?;
    Ok(output(&out))
}

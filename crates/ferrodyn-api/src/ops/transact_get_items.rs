//! TransactGetItems on the wire.

use ferrodyn_core::ops::transact_get_items::{TransactGetItem, TransactGetItemsInput};
use serde_json::{Map, Value};

use super::Call;
use crate::error::ApiError;
use crate::wire::expressions::expression_input;
use crate::wire::{
    data_table_name, insert_consumed_capacity_list, list_member, return_consumed_capacity, value,
};

fn action(entry: &Value) -> Result<TransactGetItem, ApiError> {
    let get = entry.get("Get").unwrap_or(&Value::Null);
    Ok(TransactGetItem {
        table_name: data_table_name(get, "TableName")?,
        key: value::item(get.get("Key").unwrap_or(&Value::Null))?,
        expressions: expression_input(get)?,
    })
}

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let items = list_member(body, "TransactItems", action)?;
    let out = call.db.transact_get_items(
        call.ctx,
        TransactGetItemsInput {
            items,
            return_consumed_capacity: return_consumed_capacity(body),
        },
    )?;
    Ok(item_responses(&out.responses, &out.consumed_capacity))
}

/// `Responses` of one `{Item}` per read (`{}` for a missing item) and the
/// per-table `ConsumedCapacity`: TransactGetItems' answer, and
/// ExecuteTransaction's.
pub(super) fn item_responses(
    responses: &[Option<ferrodyn_model::Item>],
    capacity: &[ferrodyn_core::capacity::ConsumedCapacity],
) -> Value {
    let mut m = Map::new();
    let responses = responses
        .iter()
        .map(|item| {
            let mut entry = Map::new();
            if let Some(item) = item {
                entry.insert("Item".into(), value::item_to_json(item));
            }
            Value::Object(entry)
        })
        .collect();
    m.insert("Responses".into(), Value::Array(responses));
    insert_consumed_capacity_list(&mut m, capacity);
    Value::Object(m)
}

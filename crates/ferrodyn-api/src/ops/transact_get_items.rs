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
    let mut m = Map::new();
    let responses = out
        .responses
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
    insert_consumed_capacity_list(&mut m, &out.consumed_capacity);
    Ok(Value::Object(m))
}

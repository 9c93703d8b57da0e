//! GetItem on the wire.

use ferrodyn_core::ops::get_item::GetItemInput;
use serde_json::{Map, Value};

use super::Call;
use crate::error::ApiError;
use crate::wire::expressions::{expression_input, legacy_input};
use crate::wire::{consumed_capacity, data_table_name, opt_bool, return_consumed_capacity, value};

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let input = GetItemInput {
        table_name: data_table_name(body, "TableName")?,
        key: value::item(body.get("Key").unwrap_or(&Value::Null))?,
        consistent_read: opt_bool(body, "ConsistentRead").unwrap_or(false),
        return_consumed_capacity: return_consumed_capacity(body),
        expressions: expression_input(body)?,
        legacy: legacy_input(body)?,
    };
    let out = call.db.get_item(call.ctx, input)?;
    let mut m = Map::new();
    if let Some(item) = &out.item {
        m.insert("Item".into(), value::item_to_json(item));
    }
    if let Some(c) = &out.consumed_capacity {
        m.insert("ConsumedCapacity".into(), consumed_capacity(c));
    }
    Ok(Value::Object(m))
}

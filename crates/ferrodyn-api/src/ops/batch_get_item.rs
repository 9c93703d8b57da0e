//! BatchGetItem on the wire.

use ferrodyn_core::ops::batch_get_item::{BatchGetItemInput, KeysAndAttributes};
use serde_json::{Map, Value};

use super::Call;
use crate::error::ApiError;
use crate::wire::expressions::{expression_input, legacy_input};
use crate::wire::{insert_consumed_capacity_list, opt_bool, return_consumed_capacity, value};

fn keys_and_attributes(entry: &Value) -> Result<KeysAndAttributes, ApiError> {
    Ok(KeysAndAttributes {
        keys: entry
            .get("Keys")
            .and_then(Value::as_array)
            .map(|keys| keys.iter().map(value::item).collect::<Result<Vec<_>, _>>())
            .transpose()?
            .unwrap_or_default(),
        consistent_read: opt_bool(entry, "ConsistentRead").unwrap_or(false),
        expressions: expression_input(entry)?,
        legacy: legacy_input(entry)?,
    })
}

/// `KeysAndAttributes` as sent back in `UnprocessedKeys`: the keys and the
/// table's original parameters.
fn keys_and_attributes_json(request: &KeysAndAttributes, original: &Value) -> Value {
    let mut m = Map::new();
    m.insert(
        "Keys".into(),
        Value::Array(request.keys.iter().map(value::item_to_json).collect()),
    );
    for member in [
        "ConsistentRead",
        "ProjectionExpression",
        "ExpressionAttributeNames",
        "AttributesToGet",
    ] {
        if let Some(v) = original.get(member).filter(|v| !v.is_null()) {
            m.insert(member.into(), v.clone());
        }
    }
    Value::Object(m)
}

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let tables = body.get("RequestItems").and_then(Value::as_object);
    let mut request_items = Vec::new();
    for (table, entry) in tables.into_iter().flatten() {
        crate::wire::batch_table_name(table)?;
        request_items.push((table.clone(), keys_and_attributes(entry)?));
    }
    let out = call.db.batch_get_item(
        call.ctx,
        BatchGetItemInput {
            request_items,
            return_consumed_capacity: return_consumed_capacity(body),
        },
    )?;
    let responses: Map<String, Value> = out
        .responses
        .iter()
        .map(|(table, items)| {
            (
                table.clone(),
                Value::Array(items.iter().map(value::item_to_json).collect()),
            )
        })
        .collect();
    let unprocessed: Map<String, Value> = out
        .unprocessed_keys
        .iter()
        .map(|(table, request)| {
            let original = tables.and_then(|t| t.get(table)).unwrap_or(&Value::Null);
            (table.clone(), keys_and_attributes_json(request, original))
        })
        .collect();
    let mut m = Map::new();
    m.insert("Responses".into(), Value::Object(responses));
    m.insert("UnprocessedKeys".into(), Value::Object(unprocessed));
    insert_consumed_capacity_list(&mut m, &out.consumed_capacity);
    Ok(Value::Object(m))
}

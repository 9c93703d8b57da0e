//! BatchWriteItem on the wire.

use ferrodyn_core::ops::batch_write_item::{BatchWriteItemInput, WriteRequest};
use serde_json::{Map, Value};

use super::Call;
use crate::error::ApiError;
use crate::wire::{insert_consumed_capacity_list, return_consumed_capacity, value};

fn request(entry: &Value) -> Result<WriteRequest, ApiError> {
    let put = entry.get("PutRequest").filter(|v| !v.is_null());
    let delete = entry.get("DeleteRequest").filter(|v| !v.is_null());
    match (put, delete) {
        (Some(put), None) => Ok(WriteRequest::Put(value::item(
            put.get("Item").unwrap_or(&Value::Null),
        )?)),
        (None, Some(delete)) => Ok(WriteRequest::Delete(value::item(
            delete.get("Key").unwrap_or(&Value::Null),
        )?)),
        // UNCONFIRMED wording: a WriteRequest must hold exactly one request.
        _ => Err(ApiError::Validation(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
                .into(),
        )),
    }
}

fn request_json(request: &WriteRequest) -> Value {
    let mut m = Map::new();
    match request {
        WriteRequest::Put(item) => {
            m.insert(
                "PutRequest".into(),
                serde_json::json!({ "Item": value::item_to_json(item) }),
            );
        }
        WriteRequest::Delete(key) => {
            m.insert(
                "DeleteRequest".into(),
                serde_json::json!({ "Key": value::item_to_json(key) }),
            );
        }
    }
    Value::Object(m)
}

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let mut request_items = Vec::new();
    if let Some(tables) = body.get("RequestItems").and_then(Value::as_object) {
        for (table, entries) in tables {
            crate::wire::batch_table_name(table)?;
            let requests = entries
                .as_array()
                .map(|list| list.iter().map(request).collect::<Result<Vec<_>, _>>())
                .transpose()?
                .unwrap_or_default();
            request_items.push((table.clone(), requests));
        }
    }
    let out = call.db.batch_write_item(
        call.ctx,
        BatchWriteItemInput {
            request_items,
            return_consumed_capacity: return_consumed_capacity(body),
            return_item_collection_metrics: crate::wire::return_item_collection_metrics(body),
        },
    )?;
    let mut m = Map::new();
    let unprocessed: Map<String, Value> = out
        .unprocessed_items
        .iter()
        .map(|(table, requests)| {
            (
                table.clone(),
                Value::Array(requests.iter().map(request_json).collect()),
            )
        })
        .collect();
    m.insert("UnprocessedItems".into(), Value::Object(unprocessed));
    if !out.item_collection_metrics.is_empty() {
        let metrics: Map<String, Value> = out
            .item_collection_metrics
            .iter()
            .map(|(table, list)| {
                (
                    table.clone(),
                    Value::Array(
                        list.iter()
                            .map(super::put_item::item_collection_metrics)
                            .collect(),
                    ),
                )
            })
            .collect();
        m.insert("ItemCollectionMetrics".into(), Value::Object(metrics));
    }
    insert_consumed_capacity_list(&mut m, &out.consumed_capacity);
    Ok(Value::Object(m))
}

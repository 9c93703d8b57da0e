//! BatchExecuteStatement on the wire.

use ferrodyn_core::ops::batch_execute_statement::{
    BatchExecuteStatementInput, BatchStatementRequest,
};
use serde_json::{Map, Value};

use super::Call;
use super::execute_statement::parameters;
use super::put_item::return_old_on_condition_failure;
use crate::error::ApiError;
use crate::wire::{
    insert_consumed_capacity_list, list_member, opt_bool, opt_str, return_consumed_capacity, value,
};

fn statement(entry: &Value) -> Result<BatchStatementRequest, ApiError> {
    Ok(BatchStatementRequest {
        statement: opt_str(entry, "Statement").unwrap_or_default().to_owned(),
        parameters: parameters(entry)?,
        consistent_read: opt_bool(entry, "ConsistentRead").unwrap_or(false),
        return_old_on_condition_failure: return_old_on_condition_failure(entry),
    })
}

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let out = call.db.batch_execute_statement(
        call.ctx,
        BatchExecuteStatementInput {
            statements: list_member(body, "Statements", statement)?,
            return_consumed_capacity: return_consumed_capacity(body),
        },
    )?;
    let responses = out
        .responses
        .iter()
        .map(|r| {
            let mut m = Map::new();
            if let Some(e) = &r.error {
                m.insert(
                    "Error".into(),
                    serde_json::json!({"Code": e.code, "Message": e.message}),
                );
            }
            if let Some(t) = &r.table_name {
                m.insert("TableName".into(), Value::String(t.clone()));
            }
            if let Some(item) = &r.item {
                m.insert("Item".into(), value::item_to_json(item));
            }
            Value::Object(m)
        })
        .collect();
    let mut m = Map::new();
    m.insert("Responses".into(), Value::Array(responses));
    insert_consumed_capacity_list(&mut m, &out.consumed_capacity);
    Ok(Value::Object(m))
}

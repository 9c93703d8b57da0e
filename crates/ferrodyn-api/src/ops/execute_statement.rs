//! ExecuteStatement on the wire.

use ferrodyn_core::ops::execute_statement::{ExecuteStatementInput, ExecuteStatementOutput};
use serde_json::{Map, Value};

use super::Call;
use super::put_item::return_old_on_condition_failure;
use super::query::limit;
use crate::error::ApiError;
use crate::wire::{consumed_capacity, opt_bool, opt_str, return_consumed_capacity, value};

/// `Parameters`: attribute values, each checked as an item's would be.
pub(crate) fn parameters(body: &Value) -> Result<Vec<ferrodyn_model::AttributeValue>, ApiError> {
    body.get("Parameters")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|v| value::attribute_value(v, 0))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()
        .map(Option::unwrap_or_default)
}

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let input = ExecuteStatementInput {
        statement: opt_str(body, "Statement").unwrap_or_default().to_owned(),
        parameters: parameters(body)?,
        consistent_read: opt_bool(body, "ConsistentRead").unwrap_or(false),
        next_token: opt_str(body, "NextToken").map(str::to_owned),
        limit: limit(body),
        return_consumed_capacity: return_consumed_capacity(body),
        return_old_on_condition_failure: return_old_on_condition_failure(body),
    };
    let out = call.db.execute_statement(call.ctx, input)?;
    Ok(output(&out))
}

/// The answer: `Items` always (empty for writes), `NextToken` and
/// `ConsumedCapacity` when there are any.
fn output(out: &ExecuteStatementOutput) -> Value {
    let mut m = Map::new();
    m.insert(
        "Items".into(),
        Value::Array(out.items.iter().map(value::item_to_json).collect()),
    );
    if let Some(token) = &out.next_token {
        m.insert("NextToken".into(), Value::String(token.clone()));
    }
    if let Some(c) = &out.consumed_capacity {
        m.insert("ConsumedCapacity".into(), consumed_capacity(c));
    }
    Value::Object(m)
}

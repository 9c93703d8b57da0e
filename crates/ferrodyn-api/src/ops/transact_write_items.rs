//! TransactWriteItems on the wire.

use ferrodyn_core::ops::transact_write_items::{
    TransactWriteItem, TransactWriteItemsInput, TransactWriteKind,
};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::Call;
use super::put_item::return_old_on_condition_failure;
use crate::error::ApiError;
use crate::wire::expressions::expression_input;
use crate::wire::{
    data_table_name, insert_consumed_capacity_list, list_member, opt_str, return_consumed_capacity,
    value,
};

/// The members of a `TransactWriteItem`, one of which must be set.
const ACTION_MEMBERS: [&str; 4] = ["ConditionCheck", "Put", "Delete", "Update"];

fn action(entry: &Value) -> Result<TransactWriteItem, ApiError> {
    let set: Vec<(&str, &Value)> = ACTION_MEMBERS
        .iter()
        .filter_map(|&m| entry.get(m).filter(|v| !v.is_null()).map(|v| (m, v)))
        .collect();
    let (member, body) = match set.as_slice() {
        [one] => *one,
        // UNCONFIRMED wordings; see docs/compatibility.md.
        [] => {
            return Err(ApiError::Validation(
                "The action or operation requested is invalid. Verify that the action is typed correctly."
                    .into(),
            ));
        }
        _ => {
            return Err(ApiError::Validation(
                "TransactItems can only contain one of Check, Put, Update or Delete".into(),
            ));
        }
    };
    let key = || value::item(body.get("Key").unwrap_or(&Value::Null));
    let kind = match member {
        "ConditionCheck" => TransactWriteKind::ConditionCheck { key: key()? },
        "Put" => TransactWriteKind::Put {
            item: value::item(body.get("Item").unwrap_or(&Value::Null))?,
        },
        "Delete" => TransactWriteKind::Delete { key: key()? },
        _ => TransactWriteKind::Update { key: key()? },
    };
    Ok(TransactWriteItem {
        kind,
        table_name: data_table_name(body, "TableName")?,
        expressions: expression_input(body)?,
        return_old_on_condition_failure: return_old_on_condition_failure(body),
    })
}

/// A digest of the request without the members that may differ between
/// two calls with one token. serde_json's maps are sorted, so equal
/// requests serialise to equal bytes whatever order their members came in.
fn fingerprint(body: &Value) -> [u8; 32] {
    let mut canonical = body.clone();
    if let Value::Object(m) = &mut canonical {
        m.remove("ClientRequestToken");
        m.remove("ReturnConsumedCapacity");
    }
    Sha256::digest(canonical.to_string().as_bytes()).into()
}

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let items = list_member(body, "TransactItems", action)?;
    let out = call.db.transact_write_items(
        call.ctx,
        TransactWriteItemsInput {
            items,
            return_consumed_capacity: return_consumed_capacity(body),
            client_request_token: opt_str(body, "ClientRequestToken").map(str::to_owned),
            fingerprint: fingerprint(body),
        },
    )?;
    let mut m = Map::new();
    insert_consumed_capacity_list(&mut m, &out.consumed_capacity);
    Ok(Value::Object(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_token_capacity_and_member_order() {
        let a = serde_json::json!({"TransactItems": [1, 2], "ClientRequestToken": "a", "ReturnConsumedCapacity": "TOTAL"});
        let b: Value =
            serde_json::from_str(r#"{"ClientRequestToken": "b", "TransactItems": [1, 2]}"#)
                .expect("json");
        let c = serde_json::json!({"TransactItems": [2, 1]});
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
    }
}

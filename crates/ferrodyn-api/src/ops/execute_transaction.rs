//! ExecuteTransaction on the wire.

use ferrodyn_core::ops::execute_transaction::{ExecuteTransactionInput, ParameterizedStatement};
use serde_json::Value;

use super::Call;
use super::execute_statement::parameters;
use super::put_item::return_old_on_condition_failure;
use super::transact_get_items::item_responses;
use crate::error::ApiError;
use crate::wire::{list_member, opt_str, return_consumed_capacity};

fn statement(entry: &Value) -> Result<ParameterizedStatement, ApiError> {
    Ok(ParameterizedStatement {
        statement: opt_str(entry, "Statement").unwrap_or_default().to_owned(),
        parameters: parameters(entry)?,
        return_old_on_condition_failure: return_old_on_condition_failure(entry),
    })
}

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let out = call.db.execute_transaction(
        call.ctx,
        ExecuteTransactionInput {
            statements: list_member(body, "TransactStatements", statement)?,
            client_request_token: opt_str(body, "ClientRequestToken").map(str::to_owned),
            return_consumed_capacity: return_consumed_capacity(body),
        },
    )?;
    // Writes answer an empty list; reads an entry per statement, `{}` for a
    // missing item.
    Ok(item_responses(&out.responses, &out.consumed_capacity))
}

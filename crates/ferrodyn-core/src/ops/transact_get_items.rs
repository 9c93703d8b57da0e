//! TransactGetItems: up to 100 items, possibly across tables, read as one
//! consistent snapshot. An item that an in-flight TransactWriteItems is
//! working on cancels the read with a `TransactionConflict` reason, as on
//! AWS; the snapshot itself is what makes the read serializable.

use std::collections::HashSet;

use ferrodyn_model::Item;
use ferrodyn_model::codec::decode_item;
use ferrodyn_model::limits::TRANSACTION_ACTIONS_MAX;
use ferrodyn_model::value::item_size_bytes;
use ferrodyn_storage::ReadConsistency;

use super::resource_not_found;
use super::transact_write_items::{
    MULTIPLE_OPERATIONS_ON_ONE_ITEM, key_fault, without_idle_placeholders,
};
use crate::capacity::{self, ConsumedCapacity, ReturnConsumedCapacity, TransactionCapacity};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{
    CancellationCode, CancellationReason, CoreError, Result, first_validation_error_only,
};
use crate::expressions::{ExpressionInput, LegacyInput, Operation, compile};
use crate::item::key_from_key;
use crate::transactions::ITEM_IN_TRANSACTION;

/// One `Get` action.
#[derive(Clone, Debug, Default)]
pub struct TransactGetItem {
    /// `TableName` (or ARN).
    pub table_name: String,
    /// `Key`.
    pub key: Item,
    /// `ProjectionExpression` and `ExpressionAttributeNames`.
    pub expressions: ExpressionInput,
}

/// TransactGetItems' input.
#[derive(Clone, Debug, Default)]
pub struct TransactGetItemsInput {
    /// `TransactItems`, in order.
    pub items: Vec<TransactGetItem>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: ReturnConsumedCapacity,
}

/// TransactGetItems' output.
#[derive(Clone, Debug, Default)]
pub struct TransactGetItemsOutput {
    /// `Responses`: one entry per action, in order; `None` for a missing
    /// item.
    pub responses: Vec<Option<Item>>,
    /// `ConsumedCapacity`, one entry per table.
    pub consumed_capacity: Vec<ConsumedCapacity>,
}

impl Database {
    /// TransactGetItems.
    pub fn transact_get_items(
        &self,
        ctx: &RequestContext,
        input: TransactGetItemsInput,
    ) -> Result<TransactGetItemsOutput> {
        if input.items.len() > TRANSACTION_ACTIONS_MAX {
            return Err(CoreError::validation(format!(
                "1 validation error detected: Value '{}' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to {TRANSACTION_ACTIONS_MAX}",
                input.items.len()
            )));
        }
        let mut compiled = Vec::with_capacity(input.items.len());
        for action in &input.items {
            compiled.push(compile(
                Operation::Get,
                &without_idle_placeholders(&action.expressions),
                &LegacyInput::default(),
            )?);
        }
        let mut keys = Vec::with_capacity(input.items.len());
        let mut seen = HashSet::with_capacity(input.items.len());
        let mut key_faults = vec![CancellationReason::none(); input.items.len()];
        let mut faulty = false;
        for (i, action) in input.items.iter().enumerate() {
            let table = self.resolve_table(ctx, &action.table_name, resource_not_found)?;
            let key = match key_fault(key_from_key(table.id, &table.key_schema(), &action.key))? {
                Ok(key) => key,
                Err(reason) => {
                    key_faults[i] = reason;
                    faulty = true;
                    continue;
                }
            };
            if !seen.insert(key.clone()) {
                return Err(CoreError::validation(MULTIPLE_OPERATIONS_ON_ONE_ITEM));
            }
            keys.push(key);
        }
        if faulty {
            return Err(CoreError::TransactionCanceled {
                reasons: first_validation_error_only(key_faults),
            });
        }

        let conflicts: Vec<bool> = keys
            .iter()
            .map(|k| self.transactions.is_locked(k))
            .collect();
        if conflicts.iter().any(|&c| c) {
            let reasons = conflicts
                .into_iter()
                .map(|c| {
                    if c {
                        CancellationReason::new(
                            CancellationCode::TransactionConflict,
                            ITEM_IN_TRANSACTION,
                        )
                    } else {
                        CancellationReason::none()
                    }
                })
                .collect();
            return Err(CoreError::TransactionCanceled { reasons });
        }

        let values = self.engine.multi_get(&keys, ReadConsistency::Strong)?;
        let mut output = TransactGetItemsOutput::default();
        let mut consumed = TransactionCapacity::default();
        for ((action, compiled), value) in input.items.iter().zip(&compiled).zip(values) {
            let item = match value {
                Some(bytes) => {
                    Some(decode_item(&bytes).map_err(|e| CoreError::Internal(e.to_string()))?)
                }
                None => None,
            };
            let size = item.as_ref().map_or(0, item_size_bytes);
            consumed.add(&action.table_name, capacity::read_units(size, true));
            output.responses.push(item.map(|i| compiled.project(i)));
        }
        output.consumed_capacity = consumed.report(true, input.return_consumed_capacity);
        Ok(output)
    }
}

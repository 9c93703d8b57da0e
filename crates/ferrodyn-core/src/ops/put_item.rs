//! PutItem: creates or replaces one item.

use ferrodyn_model::Item;
use ferrodyn_model::limits::ITEM_SIZE_BYTES_MAX;
use ferrodyn_model::value::item_size_bytes;

use super::{ItemWriteOutput, ReturnValues, resource_not_found};
use crate::capacity::ReturnConsumedCapacity;
use crate::context::RequestContext;
use crate::database::{Database, WriteDecision};
use crate::error::{CoreError, Result};
use crate::expressions::{ExpressionInput, LegacyInput, Operation, compile};
use crate::item::key_from_item;

/// PutItem's input.
#[derive(Clone, Debug, Default)]
pub struct PutItemInput {
    /// `TableName` (or ARN).
    pub table_name: String,
    /// `Item`.
    pub item: Item,
    /// `ReturnValues`.
    pub return_values: ReturnValues,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: ReturnConsumedCapacity,
    /// `ConditionExpression` and its placeholders.
    pub expressions: ExpressionInput,
    /// `Expected` and `ConditionalOperator`.
    pub legacy: LegacyInput,
    /// `ReturnValuesOnConditionCheckFailure = ALL_OLD`.
    pub return_old_on_condition_failure: bool,
    /// `ReturnItemCollectionMetrics = SIZE`.
    pub return_item_collection_metrics: bool,
}

/// PutItem's output.
pub type PutItemOutput = ItemWriteOutput;

/// The message for an item over 400 KB.
pub(crate) const ITEM_TOO_LARGE: &str = "Item size has exceeded the maximum allowed size";

impl Database {
    /// PutItem.
    pub fn put_item(&self, ctx: &RequestContext, input: PutItemInput) -> Result<PutItemOutput> {
        let compiled = compile(Operation::Write, &input.expressions, &input.legacy)?;
        // AWS rejects an oversized item before it looks the table up.
        if item_size_bytes(&input.item) > ITEM_SIZE_BYTES_MAX {
            return Err(CoreError::validation(ITEM_TOO_LARGE));
        }
        let table = self.resolve_table(ctx, &input.table_name, resource_not_found)?;
        let key = key_from_item(table.id, &table.key_schema(), &input.item)?;
        let item = input.item;
        // The closure runs once more after each lost race; cloning there
        // keeps the write path one shape for every operation.
        let return_old = input.return_old_on_condition_failure;
        let outcome = self.write_item(&table, key, |old| {
            compiled.check_condition(old, return_old)?;
            Ok(WriteDecision::Put(item.clone()))
        })?;
        Ok(outcome.into_output(
            &table.name,
            |old, _| match input.return_values {
                ReturnValues::AllOld => old,
                _ => None,
            },
            input.return_consumed_capacity,
            input.return_item_collection_metrics,
        ))
    }
}

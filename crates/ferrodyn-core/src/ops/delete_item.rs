//! DeleteItem: removes one item by key.

use ferrodyn_model::Item;

use super::{ItemWriteOutput, ReturnValues, resource_not_found};
use crate::capacity::ReturnConsumedCapacity;
use crate::context::RequestContext;
use crate::database::{Database, WriteDecision};
use crate::error::Result;
use crate::expressions::{ExpressionInput, LegacyInput, Operation, compile};
use crate::item::key_from_key;

/// DeleteItem's input.
#[derive(Clone, Debug, Default)]
pub struct DeleteItemInput {
    /// `TableName` (or ARN).
    pub table_name: String,
    /// `Key`.
    pub key: Item,
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

/// DeleteItem's output.
pub type DeleteItemOutput = ItemWriteOutput;

impl Database {
    /// DeleteItem. Deleting a missing item succeeds and costs one unit.
    pub fn delete_item(
        &self,
        ctx: &RequestContext,
        input: DeleteItemInput,
    ) -> Result<DeleteItemOutput> {
        let compiled = compile(Operation::Write, &input.expressions, &input.legacy)?;
        let table = self.resolve_table(ctx, &input.table_name, resource_not_found)?;
        let key = key_from_key(table.id, &table.key_schema(), &input.key)?;
        let return_old = input.return_old_on_condition_failure;
        let outcome = self.write_item(&table, key, |old| {
            compiled.check_condition(old, return_old)?;
            Ok(WriteDecision::Delete)
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

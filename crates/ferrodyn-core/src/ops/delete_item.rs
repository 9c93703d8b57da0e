//! DeleteItem: removes one item by key.

use ferrodyn_model::Item;

use super::{ReturnValues, resource_not_found};
use crate::capacity::{self, ConsumedCapacity, ReturnConsumedCapacity};
use crate::context::RequestContext;
use crate::database::{Database, ItemCollection, WriteDecision};
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
#[derive(Clone, Debug, Default)]
pub struct DeleteItemOutput {
    /// `Attributes`: the deleted item, for `ReturnValues = ALL_OLD`.
    pub attributes: Option<Item>,
    /// `ConsumedCapacity`.
    pub consumed_capacity: Option<ConsumedCapacity>,
    /// `ItemCollectionMetrics`, when asked for on a table with local
    /// secondary indexes.
    pub item_collection_metrics: Option<ItemCollection>,
}

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
        let units = capacity::write_units(outcome.old_size, 0);
        Ok(DeleteItemOutput {
            attributes: match input.return_values {
                ReturnValues::AllOld => outcome.old,
                _ => None,
            },
            item_collection_metrics: outcome
                .collection
                .filter(|_| input.return_item_collection_metrics),
            consumed_capacity: ConsumedCapacity::for_write(
                &table.name,
                units,
                input.return_consumed_capacity,
            )
            .map(|c| c.with_indexes(outcome.index_capacity)),
        })
    }
}

//! PutItem: creates or replaces one item.

use ferrodyn_model::Item;
use ferrodyn_model::limits::ITEM_SIZE_BYTES_MAX;
use ferrodyn_model::value::item_size_bytes;

use super::{ReturnValues, resource_not_found};
use crate::capacity::{self, ConsumedCapacity, ReturnConsumedCapacity};
use crate::context::RequestContext;
use crate::database::{Database, ItemCollection, WriteDecision};
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
#[derive(Clone, Debug, Default)]
pub struct PutItemOutput {
    /// `Attributes`: the old item, for `ReturnValues = ALL_OLD`.
    pub attributes: Option<Item>,
    /// `ConsumedCapacity`.
    pub consumed_capacity: Option<ConsumedCapacity>,
    /// `ItemCollectionMetrics`, when asked for on a table with local
    /// secondary indexes.
    pub item_collection_metrics: Option<ItemCollection>,
}

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
        let units = capacity::write_units(outcome.old_size, outcome.new_size);
        Ok(PutItemOutput {
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

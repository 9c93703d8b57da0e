//! GetItem: reads one item by key.

use ferrodyn_model::Item;
use ferrodyn_model::value::item_size_bytes;

use super::resource_not_found;
use crate::capacity::{self, ConsumedCapacity, ReturnConsumedCapacity};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::Result;
use crate::expressions::{ExpressionInput, LegacyInput, Operation, compile};
use crate::item::key_from_key;

/// GetItem's input.
#[derive(Clone, Debug, Default)]
pub struct GetItemInput {
    /// `TableName` (or ARN).
    pub table_name: String,
    /// `Key`.
    pub key: Item,
    /// `ConsistentRead`.
    pub consistent_read: bool,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: ReturnConsumedCapacity,
    /// `ProjectionExpression` and `ExpressionAttributeNames`.
    pub expressions: ExpressionInput,
    /// `AttributesToGet`.
    pub legacy: LegacyInput,
}

/// GetItem's output.
#[derive(Clone, Debug, Default)]
pub struct GetItemOutput {
    /// `Item`, absent when there is none.
    pub item: Option<Item>,
    /// `ConsumedCapacity`.
    pub consumed_capacity: Option<ConsumedCapacity>,
}

impl Database {
    /// GetItem. Capacity is charged on the whole item's size, even when a
    /// projection returns less, as on AWS.
    pub fn get_item(&self, ctx: &RequestContext, input: GetItemInput) -> Result<GetItemOutput> {
        let compiled = compile(Operation::Get, &input.expressions, &input.legacy)?;
        let table = self.resolve_table(ctx, &input.table_name, resource_not_found)?;
        let key = key_from_key(table.id, &table.key_schema(), &input.key)?;
        let item = self.read_item(&key, input.consistent_read)?;
        let size = item.as_ref().map_or(0, item_size_bytes);
        let units = capacity::read_units(size, input.consistent_read);
        let item = item.map(|item| compiled.project(item));
        Ok(GetItemOutput {
            item,
            consumed_capacity: ConsumedCapacity::for_read(
                &table.name,
                units,
                input.return_consumed_capacity,
            ),
        })
    }
}

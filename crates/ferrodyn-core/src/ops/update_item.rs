//! UpdateItem: changes an item's attributes in place, creating the item if
//! it does not exist, with `UpdateExpression` or legacy `AttributeUpdates`,
//! an optional condition, and all five `ReturnValues`.

use ferrodyn_expr::{UpdateAction, UpdateExpression, project};
use ferrodyn_model::limits::ITEM_SIZE_BYTES_MAX;
use ferrodyn_model::value::item_size_bytes;
use ferrodyn_model::{AttributeValue, Item};

use super::{ItemWriteOutput, ReturnValues, resource_not_found};
use crate::capacity::ReturnConsumedCapacity;
use crate::context::RequestContext;
use crate::database::{Database, WriteDecision};
use crate::error::{CoreError, Result};
use crate::expressions::{ExpressionInput, LegacyInput, Operation, compile};
use crate::index::IndexMeta;
use crate::item::key_from_key;
use crate::table::TableMeta;

/// UpdateItem's input.
#[derive(Clone, Debug, Default)]
pub struct UpdateItemInput {
    /// `TableName` (or ARN).
    pub table_name: String,
    /// `Key`.
    pub key: Item,
    /// `ReturnValues`.
    pub return_values: ReturnValues,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: ReturnConsumedCapacity,
    /// `UpdateExpression`, `ConditionExpression` and their placeholders.
    pub expressions: ExpressionInput,
    /// `AttributeUpdates`, `Expected` and `ConditionalOperator`.
    pub legacy: LegacyInput,
    /// `ReturnValuesOnConditionCheckFailure = ALL_OLD`.
    pub return_old_on_condition_failure: bool,
    /// `ReturnItemCollectionMetrics = SIZE`.
    pub return_item_collection_metrics: bool,
}

/// UpdateItem's output.
pub type UpdateItemOutput = ItemWriteOutput;

/// The message for an update whose result would exceed 400 KB.
const UPDATED_ITEM_TOO_LARGE: &str = "Item size to update has exceeded the maximum allowed size";

impl Database {
    /// UpdateItem. The condition, the update and the write are one atomic
    /// step: `Database::write_item` re-runs them if the item changed
    /// between the read and the commit.
    pub fn update_item(
        &self,
        ctx: &RequestContext,
        input: UpdateItemInput,
    ) -> Result<UpdateItemOutput> {
        let compiled = compile(Operation::Update, &input.expressions, &input.legacy)?;
        let table = self.resolve_table(ctx, &input.table_name, resource_not_found)?;
        let schema = table.key_schema();
        let key = key_from_key(table.id, &schema, &input.key)?;
        if let Some(update) = &compiled.update {
            check_update_targets(update, &table)?;
        }

        let return_old = input.return_old_on_condition_failure;
        let mut updated_paths = Vec::new();
        let outcome = self.write_item(&table, key, |old| {
            compiled.check_condition(old, return_old)?;
            // Removing attributes from, or deleting set elements of, an
            // item that does not exist leaves it not existing (even for a
            // nested path), as on AWS; any other update creates it.
            if old.is_none()
                && compiled.update.as_ref().is_some_and(|u| {
                    !u.actions().is_empty()
                        && u.actions().iter().all(|a| {
                            matches!(a, UpdateAction::Remove { .. } | UpdateAction::Delete { .. })
                        })
                })
            {
                return Ok(WriteDecision::Delete);
            }
            let base = old.cloned().unwrap_or_else(|| input.key.clone());
            let new = match &compiled.update {
                Some(update) => {
                    let applied = update.apply(&base)?;
                    updated_paths = applied.updated_paths;
                    applied.item
                }
                None => base,
            };
            if item_size_bytes(&new) > ITEM_SIZE_BYTES_MAX {
                return Err(CoreError::validation(UPDATED_ITEM_TOO_LARGE));
            }
            check_index_values(&table.indexes, &new)?;
            Ok(WriteDecision::Put(new))
        })?;

        let updated = |item: Option<Item>| {
            item.map(|i| project(&i, &updated_paths))
                .filter(|projected| !projected.is_empty())
        };
        Ok(outcome.into_output(
            &table.name,
            |old, new| match input.return_values {
                ReturnValues::None => None,
                ReturnValues::AllOld => old,
                ReturnValues::AllNew => new,
                ReturnValues::UpdatedOld => updated(old),
                ReturnValues::UpdatedNew => updated(new),
            },
            input.return_consumed_capacity,
            input.return_item_collection_metrics,
        ))
    }
}

/// Rejects an update of a table key attribute, or of a path inside an index
/// key attribute, with DynamoDB's messages.
pub(crate) fn check_update_targets(update: &UpdateExpression, table: &TableMeta) -> Result<()> {
    let schema = table.key_schema();
    for path in update.target_paths() {
        let name = path.top_level_name();
        if schema.is_key_attribute(name) {
            return Err(CoreError::invalid_parameter(format!(
                "Cannot update attribute {name}. This attribute is part of the key"
            )));
        }
        let index_key = table
            .indexes
            .iter()
            .any(|i| i.key_schema().is_key_attribute(name));
        if index_key && path.is_nested() {
            return Err(CoreError::validation(format!(
                "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: {name}"
            )));
        }
    }
    Ok(())
}

/// An update that leaves an empty string or binary in an index key
/// attribute gets its own message (without the index's name, unlike
/// PutItem's); a wrong type is reported when the write is staged.
fn check_index_values(indexes: &[IndexMeta], item: &Item) -> Result<()> {
    for index in indexes {
        for attr in index.key_schema().attributes() {
            let kind = match item.get(&attr.name) {
                Some(AttributeValue::S(s)) if s.is_empty() => "string",
                Some(AttributeValue::B(b)) if b.is_empty() => "binary",
                _ => continue,
            };
            return Err(CoreError::validation(format!(
                "One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty {kind} value."
            )));
        }
    }
    Ok(())
}

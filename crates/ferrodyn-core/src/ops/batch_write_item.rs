//! BatchWriteItem: up to 25 puts and deletes across tables. The whole
//! request is validated before anything is written; then each item is
//! written atomically on its own (a batch is not a transaction), through
//! the same write path as PutItem and DeleteItem.

use std::collections::HashSet;

use ferrodyn_model::Item;
use ferrodyn_model::limits::{BATCH_WRITE_REQUESTS_MAX, ITEM_SIZE_BYTES_MAX};
use ferrodyn_model::value::item_size_bytes;

use super::put_item::ITEM_TOO_LARGE;
use super::resource_not_found;
use crate::capacity::{self, ConsumedCapacity, ReturnConsumedCapacity};
use crate::context::RequestContext;
use crate::database::{Database, ItemCollection, WriteDecision};
use crate::error::{CoreError, Result};
use crate::item::{key_from_item, key_from_key};

/// One request of a batch.
#[derive(Clone, Debug, PartialEq)]
pub enum WriteRequest {
    /// `PutRequest`.
    Put(Item),
    /// `DeleteRequest` (the key).
    Delete(Item),
}

/// BatchWriteItem's input.
#[derive(Clone, Debug, Default)]
pub struct BatchWriteItemInput {
    /// `RequestItems`: each table (name or ARN, as sent) with its requests.
    pub request_items: Vec<(String, Vec<WriteRequest>)>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: ReturnConsumedCapacity,
    /// `ReturnItemCollectionMetrics = SIZE`.
    pub return_item_collection_metrics: bool,
}

/// BatchWriteItem's output.
#[derive(Clone, Debug, Default)]
pub struct BatchWriteItemOutput {
    /// `UnprocessedItems`: requests not written (none unless throttled).
    pub unprocessed_items: Vec<(String, Vec<WriteRequest>)>,
    /// `ConsumedCapacity`, one entry per table.
    pub consumed_capacity: Vec<ConsumedCapacity>,
    /// `ItemCollectionMetrics`, per table with local secondary indexes,
    /// when asked for.
    pub item_collection_metrics: Vec<(String, Vec<ItemCollection>)>,
}

/// The message for a key that does not fit the table's key schema.
const KEY_MISMATCH: &str = "The provided key element does not match the schema";

/// The message for two requests on one item.
pub(crate) const DUPLICATE_KEYS: &str = "Provided list of item keys contains duplicates";

impl Database {
    /// BatchWriteItem.
    pub fn batch_write_item(
        &self,
        ctx: &RequestContext,
        input: BatchWriteItemInput,
    ) -> Result<BatchWriteItemOutput> {
        let total: usize = input.request_items.iter().map(|(_, r)| r.len()).sum();
        if total > BATCH_WRITE_REQUESTS_MAX {
            return Err(CoreError::validation(
                "Too many items requested for the BatchWriteItem call",
            ));
        }
        // Validate everything first, so that a bad request writes nothing.
        // Item sizes are checked before tables are looked up, as on AWS.
        let oversized = input.request_items.iter().flat_map(|(_, r)| r).any(|request| {
            matches!(request, WriteRequest::Put(item) if item_size_bytes(item) > ITEM_SIZE_BYTES_MAX)
        });
        if oversized {
            return Err(CoreError::validation(ITEM_TOO_LARGE));
        }
        // The items are checked against their tables' indexes here; no
        // index may come or go before they are all written.
        let _gate = self.schema_gate.read_recursive();
        let mut plan = Vec::with_capacity(input.request_items.len());
        for (name, requests) in &input.request_items {
            let table = self.resolve_table(ctx, name, resource_not_found)?;
            let schema = table.key_schema();
            let mut seen = HashSet::with_capacity(requests.len());
            let mut writes = Vec::with_capacity(requests.len());
            for request in requests {
                let key = match request {
                    WriteRequest::Put(item) => {
                        // A batch reports a missing or mistyped key attribute
                        // with the Key parameter's message, unlike PutItem.
                        let key_ok = schema
                            .attributes()
                            .all(|k| item.get(&k.name).is_some_and(|v| k.scalar_type.matches(v)));
                        if !key_ok {
                            return Err(CoreError::validation(KEY_MISMATCH));
                        }
                        // An item that does not fit an index fails the
                        // whole batch, before anything is written.
                        for index in &table.indexes {
                            index.validate(item)?;
                        }
                        key_from_item(table.id, &schema, item)?
                    }
                    WriteRequest::Delete(key) => key_from_key(table.id, &schema, key)?,
                };
                if !seen.insert(key.clone()) {
                    return Err(CoreError::validation(DUPLICATE_KEYS));
                }
                writes.push((key, request));
            }
            plan.push((name, table, writes));
        }

        let mut consumed = Vec::new();
        let mut collections = Vec::new();
        for (name, table, writes) in plan {
            let mut units = 0.0;
            let mut metrics = Vec::new();
            let mut index_capacity = Vec::new();
            for (key, request) in writes {
                let outcome = self.write_item(&table, key, |_old| {
                    Ok(match request {
                        WriteRequest::Put(item) => WriteDecision::Put(item.clone()),
                        WriteRequest::Delete(_) => WriteDecision::Delete,
                    })
                })?;
                units += capacity::write_units(outcome.old_size, outcome.new_size);
                capacity::merge_index_capacity(&mut index_capacity, outcome.index_capacity);
                if let Some(c) = outcome.collection
                    && input.return_item_collection_metrics
                {
                    metrics.push(c);
                }
            }
            if !metrics.is_empty() {
                collections.push((name.clone(), metrics));
            }
            if let Some(c) =
                ConsumedCapacity::for_write(name, units, input.return_consumed_capacity)
            {
                consumed.push(c.with_indexes(index_capacity));
            }
        }
        Ok(BatchWriteItemOutput {
            unprocessed_items: Vec::new(),
            consumed_capacity: consumed,
            item_collection_metrics: collections,
        })
    }
}

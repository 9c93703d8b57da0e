//! BatchGetItem: up to 100 items by key across tables, each table with its
//! own projection and consistency. Each item is read on its own (a batch is
//! not a snapshot; TransactGetItems is). A response carries at most 16 MB of
//! items; the keys beyond come back as `UnprocessedKeys` for the caller to
//! send again.

use std::collections::HashSet;

use ferrodyn_model::Item;
use ferrodyn_model::limits::{BATCH_GET_KEYS_MAX, BATCH_GET_RESPONSE_BYTES_MAX};
use ferrodyn_model::value::item_size_bytes;

use super::batch_write_item::DUPLICATE_KEYS;
use super::resource_not_found;
use crate::capacity::{self, ConsumedCapacity, ReturnConsumedCapacity};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::expressions::{ExpressionInput, LegacyInput, Operation, compile};
use crate::item::key_from_key;

/// One table's part of a BatchGetItem (`KeysAndAttributes`).
#[derive(Clone, Debug, Default)]
pub struct KeysAndAttributes {
    /// `Keys`.
    pub keys: Vec<Item>,
    /// `ConsistentRead`.
    pub consistent_read: bool,
    /// `ProjectionExpression` and `ExpressionAttributeNames`.
    pub expressions: ExpressionInput,
    /// `AttributesToGet`.
    pub legacy: LegacyInput,
}

/// BatchGetItem's input.
#[derive(Clone, Debug, Default)]
pub struct BatchGetItemInput {
    /// `RequestItems`: each table (name or ARN, as sent) with its keys.
    pub request_items: Vec<(String, KeysAndAttributes)>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: ReturnConsumedCapacity,
}

/// BatchGetItem's output.
#[derive(Clone, Debug, Default)]
pub struct BatchGetItemOutput {
    /// `Responses`: the items found, per table (every table requested
    /// appears, possibly with no items).
    pub responses: Vec<(String, Vec<Item>)>,
    /// `UnprocessedKeys`: the keys not read, with their table's parameters.
    pub unprocessed_keys: Vec<(String, KeysAndAttributes)>,
    /// `ConsumedCapacity`, one entry per table.
    pub consumed_capacity: Vec<ConsumedCapacity>,
}

impl Database {
    /// BatchGetItem.
    pub fn batch_get_item(
        &self,
        ctx: &RequestContext,
        input: BatchGetItemInput,
    ) -> Result<BatchGetItemOutput> {
        let total: usize = input.request_items.iter().map(|(_, r)| r.keys.len()).sum();
        if total > BATCH_GET_KEYS_MAX {
            return Err(CoreError::validation(
                "Too many items requested for the BatchGetItem call",
            ));
        }
        // The mixing rule applies across the tables of one request.
        let uses =
            |f: fn(&KeysAndAttributes) -> bool| input.request_items.iter().any(|(_, r)| f(r));
        if uses(|r| r.expressions.projection.is_some())
            && uses(|r| r.legacy.attributes_to_get.is_some())
        {
            return Err(CoreError::validation(
                "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}",
            ));
        }
        let mut plan = Vec::with_capacity(input.request_items.len());
        for (name, request) in &input.request_items {
            let compiled = compile(Operation::Get, &request.expressions, &request.legacy)?;
            let table = self.resolve_table(ctx, name, resource_not_found)?;
            let schema = table.key_schema();
            let mut seen = HashSet::with_capacity(request.keys.len());
            let mut keys = Vec::with_capacity(request.keys.len());
            for key in &request.keys {
                let storage_key = key_from_key(table.id, &schema, key)?;
                if !seen.insert(storage_key.clone()) {
                    return Err(CoreError::validation(DUPLICATE_KEYS));
                }
                keys.push((storage_key, key));
            }
            plan.push((name, request, compiled, keys));
        }

        let mut output = BatchGetItemOutput::default();
        let mut response_bytes = 0usize;
        let mut full = false;
        for (name, request, compiled, keys) in plan {
            let mut items = Vec::new();
            let mut unprocessed = Vec::new();
            let mut units = 0.0;
            for (storage_key, key) in keys {
                if full {
                    unprocessed.push(key.clone());
                    continue;
                }
                let item = self.read_item(&storage_key, request.consistent_read)?;
                let size = item.as_ref().map_or(0, item_size_bytes);
                // The response stops before it would pass 16 MB; this key
                // and all after it are left for the caller to resend.
                if response_bytes + size > BATCH_GET_RESPONSE_BYTES_MAX {
                    full = true;
                    unprocessed.push(key.clone());
                    continue;
                }
                units += capacity::read_units(size, request.consistent_read);
                if let Some(item) = item {
                    response_bytes += size;
                    items.push(compiled.project(item));
                }
            }
            if let Some(c) = ConsumedCapacity::for_read(name, units, input.return_consumed_capacity)
            {
                output.consumed_capacity.push(c);
            }
            output.responses.push((name.clone(), items));
            if !unprocessed.is_empty() {
                output.unprocessed_keys.push((
                    name.clone(),
                    KeysAndAttributes {
                        keys: unprocessed,
                        ..request.clone()
                    },
                ));
            }
        }
        Ok(output)
    }
}

//! Scan: every item of a table, in the order of the partition-key hash (as
//! on AWS), filtered and projected, one page at a time; a parallel Scan
//! reads one of `TotalSegments` equal slices of the hash space.
//!
//! ```text
//! item key = ITEMS | table id | partition hash (u64) | ...
//! segment s of n covers hashes [s * 2^64 / n, (s + 1) * 2^64 / n)
//! ```
//!
//! The slices are disjoint and cover the hash space, so the segments of
//! one parallel Scan are disjoint and together are the whole table.

use ferrodyn_model::Item;
use ferrodyn_storage::{Direction, prefix_end};

use super::query::{ReadOutput, check_select, start_key};
use super::resource_not_found;
use crate::capacity::ReturnConsumedCapacity;
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::expressions::{ExpressionInput, LegacyInput, Operation, compile, condition_attributes};
use crate::keyspace;
use crate::read::{RangeRead, ReadIndex, Select, index_start_key};

/// Scan's input.
#[derive(Clone, Debug, Default)]
pub struct ScanInput {
    /// `TableName` (or ARN).
    pub table_name: String,
    /// `IndexName`.
    pub index_name: Option<String>,
    /// `Select`.
    pub select: Option<Select>,
    /// `Limit`.
    pub limit: Option<usize>,
    /// `ConsistentRead`.
    pub consistent_read: bool,
    /// `Segment`.
    pub segment: Option<u32>,
    /// `TotalSegments`.
    pub total_segments: Option<u32>,
    /// `ExclusiveStartKey`.
    pub exclusive_start_key: Option<Item>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: ReturnConsumedCapacity,
    /// Filter and projection expressions.
    pub expressions: ExpressionInput,
    /// `ScanFilter`, `ConditionalOperator`, `AttributesToGet`.
    pub legacy: LegacyInput,
}

/// The first hash of segment `segment` of `total` (`total` itself gives
/// the end of the hash space, 2^64).
fn segment_start(segment: u32, total: u32) -> u128 {
    (u128::from(segment) << 64) / u128::from(total)
}

/// Checks `Segment` and `TotalSegments` and returns them, with DynamoDB's
/// messages.
fn segments(input: &ScanInput) -> Result<Option<(u32, u32)>> {
    match (input.segment, input.total_segments) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(CoreError::validation(
            "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
        )),
        (None, Some(_)) => Err(CoreError::validation(
            "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
        )),
        (Some(segment), Some(total)) if segment >= total => Err(CoreError::validation(format!(
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: {segment} is not less than TotalSegments: {total}"
        ))),
        (Some(segment), Some(total)) => Ok(Some((segment, total))),
    }
}

impl Database {
    /// Scan.
    pub fn scan(&self, ctx: &RequestContext, input: ScanInput) -> Result<ReadOutput> {
        let compiled = compile(Operation::Scan, &input.expressions, &input.legacy)?;
        let count_only = check_select(
            input.select,
            input.index_name.as_deref(),
            &compiled,
            &input.legacy,
            false,
        )?;
        let segments = segments(&input)?;
        let table = self.resolve_table(ctx, &input.table_name, resource_not_found)?;
        let index = ReadIndex::resolve(
            &table,
            input.index_name.as_deref(),
            input.consistent_read,
            input.select,
            &compiled,
        )?;
        let schema = table.key_schema();
        if input.legacy.filter.is_none()
            && let Some(filter) = &compiled.filter
        {
            for (name, nested) in condition_attributes(filter.condition()) {
                if nested && schema.is_key_attribute(name) {
                    return Err(CoreError::validation(format!(
                        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: {name}"
                    )));
                }
            }
        }

        let table_prefix = match &index {
            Some(i) => keyspace::index_entries_prefix(i.meta.id),
            None => keyspace::table_items_prefix(table.id),
        };
        let table_end = prefix_end(&table_prefix)
            .ok_or_else(|| CoreError::Internal("unbounded table prefix".into()))?;
        let at_hash = |hash: u128| -> Vec<u8> {
            let mut key = table_prefix.clone();
            // `hash` < 2^64 here: the end of the last segment is the
            // table's end instead.
            key.extend_from_slice(&(hash as u64).to_be_bytes());
            key
        };
        let (mut start, end) = match segments {
            None => (table_prefix.clone(), table_end.clone()),
            Some((segment, total)) => {
                let start = at_hash(segment_start(segment, total));
                let end = if segment + 1 == total {
                    table_end.clone()
                } else {
                    at_hash(segment_start(segment + 1, total))
                };
                (start, end)
            }
        };
        if let Some(esk) = &input.exclusive_start_key {
            let mut after = match &index {
                Some(i) => index_start_key(&table, i.meta, esk)?,
                None => start_key(table.id, &schema, esk)?,
            };
            if let Some((segment, total)) = segments
                && !(start.as_slice()..end.as_slice()).contains(&after.as_slice())
            {
                return Err(CoreError::validation(format!(
                    "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: {total} Segment: {segment}"
                )));
            }
            after.push(0);
            start = start.max(after);
        }
        self.read_output(
            &RangeRead {
                scan_prefix_len: Some(table_prefix.len()),
                start,
                end,
                direction: Direction::Forward,
                consistent: input.consistent_read,
                limit: input.limit,
                count_only,
                compiled: &compiled,
                schema: &schema,
                index: index.as_ref().map(|i| i.read(&table)),
            },
            &table.name,
            input.return_consumed_capacity,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::segment_start;

    #[test]
    fn segments_tile_the_hash_space() {
        for total in [1u32, 2, 7, 64, 1_000_000] {
            assert_eq!(segment_start(0, total), 0);
            assert_eq!(segment_start(total, total), 1u128 << 64);
            for s in 0..total.min(100) {
                assert!(segment_start(s, total) < segment_start(s + 1, total));
            }
        }
    }
}

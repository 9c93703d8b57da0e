//! Scan on the wire.

use ferrodyn_core::ops::scan::ScanInput;
use serde_json::Value;

use super::Call;
use super::query::{exclusive_start_key, limit, output, select};
use crate::error::ApiError;
use crate::wire::expressions::{expression_input, legacy_input};
use crate::wire::{data_table_name, opt_bool, opt_str, opt_u64, return_consumed_capacity};

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let segment = |member| opt_u64(body, member).and_then(|v| u32::try_from(v).ok());
    let input = ScanInput {
        table_name: data_table_name(body, "TableName")?,
        index_name: opt_str(body, "IndexName").map(str::to_owned),
        select: select(body),
        limit: limit(body),
        consistent_read: opt_bool(body, "ConsistentRead").unwrap_or(false),
        segment: segment("Segment"),
        total_segments: segment("TotalSegments"),
        exclusive_start_key: exclusive_start_key(body)?,
        return_consumed_capacity: return_consumed_capacity(body),
        expressions: expression_input(body)?,
        legacy: legacy_input(body)?,
    };
    let out = call.db.scan(call.ctx, input)?;
    Ok(output(&out))
}

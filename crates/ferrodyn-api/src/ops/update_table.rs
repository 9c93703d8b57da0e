//! UpdateTable on the wire.

use ferrodyn_core::ops::update_table::UpdateTableInput;
use serde_json::{Value, json};

use super::Call;
use super::create_table::{billing_mode, sse, stream, table_class, throughput};
use crate::error::ApiError;
use crate::wire::{describe, opt_bool, table_name};

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let input = UpdateTableInput {
        table_name: table_name(body, "TableName")?,
        billing_mode: billing_mode(body),
        provisioned_throughput: throughput(body),
        deletion_protection_enabled: opt_bool(body, "DeletionProtectionEnabled"),
        table_class: table_class(body),
        stream_specification: stream(body),
        sse_specification: sse(body),
        has_index_updates: body.get("GlobalSecondaryIndexUpdates").is_some()
            || body.get("AttributeDefinitions").is_some(),
    };
    let d = call.db.update_table(call.ctx, input)?;
    Ok(json!({ "TableDescription": describe::table_description(&d) }))
}

//! UpdateTable on the wire.

use ferrodyn_core::ops::update_table::{GlobalSecondaryIndexUpdate, UpdateTableInput};
use serde_json::{Value, json};

use super::Call;
use super::create_table::{billing_mode, sse, stream, table_class, throughput};
use crate::error::ApiError;
use crate::wire::{describe, opt_bool, opt_str, table_name};

fn index_update(entry: &Value) -> GlobalSecondaryIndexUpdate {
    let member = |name: &str| entry.get(name).filter(|v| !v.is_null());
    GlobalSecondaryIndexUpdate {
        create: member("Create").map(super::create_table::index_definition),
        update: member("Update").map(|u| {
            (
                opt_str(u, "IndexName").unwrap_or_default().to_owned(),
                super::create_table::throughput(u),
            )
        }),
        delete: member("Delete").map(|d| opt_str(d, "IndexName").unwrap_or_default().to_owned()),
    }
}

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
        attribute_definitions: body
            .get("AttributeDefinitions")
            .map(|_| super::create_table::attribute_definitions(body)),
        global_secondary_index_updates: body
            .get("GlobalSecondaryIndexUpdates")
            .and_then(Value::as_array)
            .map(|l| l.iter().map(index_update).collect()),
    };
    let d = call.db.update_table(call.ctx, input)?;
    Ok(json!({ "TableDescription": describe::table_description(&d) }))
}

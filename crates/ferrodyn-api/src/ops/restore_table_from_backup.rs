//! RestoreTableFromBackup on the wire.

use ferrodyn_core::ops::restore_table_from_backup::{
    RestoreOverrides, RestoreTableFromBackupInput,
};
use serde_json::{Value, json};

use super::Call;
use super::create_table::{billing_mode, index_definition, sse, throughput};
use crate::error::ApiError;
use crate::wire::{describe, opt_str, table_name};

/// An overriding list of index definitions (`[]` keeps none).
fn overrides(
    body: &Value,
    member: &str,
) -> Option<Vec<ferrodyn_core::ops::create_table::IndexDefinition>> {
    body.get(member)
        .and_then(Value::as_array)
        .map(|l| l.iter().map(index_definition).collect())
}

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let input = RestoreTableFromBackupInput {
        target_table_name: table_name(body, "TargetTableName")?,
        backup_arn: opt_str(body, "BackupArn").unwrap_or_default().to_owned(),
        overrides: restore_overrides(body),
    };
    let d = call.db.restore_table_from_backup(call.ctx, input)?;
    Ok(json!({ "TableDescription": describe::table_description(&d) }))
}

/// The overrides both restores take.
pub(super) fn restore_overrides(body: &Value) -> RestoreOverrides {
    let renamed = |member: &str, as_member: &str| {
        body.get(member)
            .map(|v| json!({ as_member: v }))
            .unwrap_or(Value::Null)
    };
    RestoreOverrides {
        billing_mode_override: billing_mode(&renamed("BillingModeOverride", "BillingMode")),
        provisioned_throughput_override: throughput(&renamed(
            "ProvisionedThroughputOverride",
            "ProvisionedThroughput",
        )),
        global_secondary_index_override: overrides(body, "GlobalSecondaryIndexOverride"),
        local_secondary_index_override: overrides(body, "LocalSecondaryIndexOverride"),
        sse_specification_override: sse(&renamed("SSESpecificationOverride", "SSESpecification")),
    }
}

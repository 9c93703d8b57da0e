//! RestoreTableToPointInTime on the wire.

use ferrodyn_core::ops::restore_table_to_point_in_time::RestoreTableToPointInTimeInput;
use serde_json::{Value, json};

use super::Call;
use super::restore_table_from_backup::restore_overrides;
use crate::error::ApiError;
use crate::wire::{describe, opt_bool, opt_millis, opt_str, table_name};

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let input = RestoreTableToPointInTimeInput {
        source_table_name: opt_str(body, "SourceTableName").map(str::to_owned),
        source_table_arn: opt_str(body, "SourceTableArn").map(str::to_owned),
        target_table_name: table_name(body, "TargetTableName")?,
        use_latest_restorable_time: opt_bool(body, "UseLatestRestorableTime"),
        restore_date_time_millis: opt_millis(body, "RestoreDateTime"),
        overrides: restore_overrides(body),
    };
    let d = call.db.restore_table_to_point_in_time(call.ctx, input)?;
    Ok(json!({ "TableDescription": describe::table_description(&d) }))
}

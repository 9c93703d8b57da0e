//! ListBackups on the wire.

use ferrodyn_core::ops::list_backups::ListBackupsInput;
use serde_json::{Map, Value, json};

use super::Call;
use crate::error::ApiError;
use crate::wire::{backup, opt_millis, opt_str, opt_u64};

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let input = ListBackupsInput {
        table_name: opt_str(body, "TableName").map(str::to_owned),
        limit: opt_u64(body, "Limit").map(|l| l as usize),
        lower_millis: opt_millis(body, "TimeRangeLowerBound"),
        upper_millis: opt_millis(body, "TimeRangeUpperBound"),
        exclusive_start_arn: opt_str(body, "ExclusiveStartBackupArn").map(str::to_owned),
        backup_type: opt_str(body, "BackupType").map(str::to_owned),
    };
    let out = call.db.list_backups(call.ctx, input)?;
    let mut m = Map::new();
    m.insert(
        "BackupSummaries".into(),
        Value::Array(out.backups.iter().map(backup::backup_summary).collect()),
    );
    if let Some(arn) = out.last_evaluated_arn {
        m.insert("LastEvaluatedBackupArn".into(), json!(arn));
    }
    Ok(Value::Object(m))
}

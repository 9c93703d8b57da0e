//! UpdateContinuousBackups on the wire.

use ferrodyn_core::ops::update_continuous_backups::UpdateContinuousBackupsInput;
use serde_json::Value;

use super::Call;
use crate::error::ApiError;
use crate::wire::{backup, opt_bool, opt_u64, table_name};

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let spec = call
        .body
        .get("PointInTimeRecoverySpecification")
        .unwrap_or(&Value::Null);
    let input = UpdateContinuousBackupsInput {
        table_name: table_name(call.body, "TableName")?,
        enabled: opt_bool(spec, "PointInTimeRecoveryEnabled").unwrap_or(false),
        recovery_period_days: opt_u64(spec, "RecoveryPeriodInDays")
            .map(|d| u32::try_from(d).unwrap_or(u32::MAX)),
    };
    let c = call.db.update_continuous_backups(call.ctx, input)?;
    Ok(backup::continuous_backups_description(&c))
}

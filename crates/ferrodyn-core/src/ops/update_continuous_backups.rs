//! UpdateContinuousBackups: turns point-in-time recovery on or off.
//!
//! What is recorded is its window (from the moment it is enabled, for
//! `RecoveryPeriodInDays`); RestoreTableToPointInTime, which reads it, is
//! not implemented yet (docs/compatibility.md).

use super::describe_continuous_backups::{ContinuousBackups, RECOVERY_PERIOD_DAYS_DEFAULT};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::table::PitrSettings;

/// UpdateContinuousBackups' input.
#[derive(Clone, Debug, Default)]
pub struct UpdateContinuousBackupsInput {
    /// `TableName` (a name or an ARN).
    pub table_name: String,
    /// `PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled`.
    pub enabled: bool,
    /// `PointInTimeRecoverySpecification.RecoveryPeriodInDays`.
    pub recovery_period_days: Option<u32>,
}

impl Database {
    /// UpdateContinuousBackups. Enabling starts the window now (enabling
    /// again keeps it, and may change the period); disabling forgets it.
    pub fn update_continuous_backups(
        &self,
        ctx: &RequestContext,
        input: UpdateContinuousBackupsInput,
    ) -> Result<ContinuousBackups> {
        if !input.enabled && input.recovery_period_days.is_some() {
            return Err(CoreError::validation(
                "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.",
            ));
        }
        let ddl = self.catalog.lock_ddl();
        let table = self.backup_source_table(ctx, &input.table_name)?;
        let mut meta = (*table).clone();
        meta.pitr = match (input.enabled, table.pitr) {
            (false, _) => None,
            (true, Some(current)) => Some(PitrSettings {
                recovery_period_days: input
                    .recovery_period_days
                    .unwrap_or(current.recovery_period_days),
                ..current
            }),
            (true, None) => Some(PitrSettings {
                enabled_millis: self.clock.now_millis(),
                recovery_period_days: input
                    .recovery_period_days
                    .unwrap_or(RECOVERY_PERIOD_DAYS_DEFAULT),
            }),
        };
        let meta = if meta.pitr == table.pitr {
            table
        } else {
            self.catalog.replace(self.engine.as_ref(), &ddl, meta)?
        };
        Ok(self.continuous_backups(&meta))
    }
}

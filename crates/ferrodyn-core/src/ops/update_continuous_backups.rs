//! UpdateContinuousBackups: turns point-in-time recovery on or off.
//!
//! Enabling gives the table a recovery log and snapshots
//! (`backup/pitr.rs`); its window runs from that moment, for
//! `RecoveryPeriodInDays`.

use super::describe_continuous_backups::{ContinuousBackups, RECOVERY_PERIOD_DAYS_DEFAULT};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};

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
        let meta = match (input.enabled, &mut meta.pitr) {
            (false, None) => table,
            (false, Some(_)) => self.disable_pitr(&ddl, meta)?,
            (true, Some(current)) => {
                let period = input
                    .recovery_period_days
                    .unwrap_or(current.recovery_period_days);
                if period == current.recovery_period_days {
                    table
                } else {
                    current.recovery_period_days = period;
                    self.catalog.replace(self.engine.as_ref(), &ddl, meta)?
                }
            }
            (true, None) => {
                self.backup_dir()?;
                let period = input
                    .recovery_period_days
                    .unwrap_or(RECOVERY_PERIOD_DAYS_DEFAULT);
                self.enable_pitr(&ddl, meta, period)?
            }
        };
        Ok(self.continuous_backups(&meta))
    }
}

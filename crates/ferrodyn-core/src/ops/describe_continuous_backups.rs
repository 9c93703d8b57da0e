//! DescribeContinuousBackups: point-in-time recovery's status and window.

use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::table::TableMeta;

/// `RecoveryPeriodInDays` when none is given.
pub const RECOVERY_PERIOD_DAYS_DEFAULT: u32 = 35;

/// `PointInTimeRecoveryDescription` of a table whose recovery is enabled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PitrWindow {
    /// `EarliestRestorableDateTime`, epoch milliseconds.
    pub earliest_millis: i64,
    /// `LatestRestorableDateTime`, epoch milliseconds.
    pub latest_millis: i64,
    /// `RecoveryPeriodInDays`.
    pub recovery_period_days: u32,
}

/// `ContinuousBackupsDescription`: continuous backups are always enabled
/// (as on AWS once a table is a few seconds old); `pitr` is `None` while
/// point-in-time recovery is disabled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContinuousBackups {
    /// The window, while enabled.
    pub pitr: Option<PitrWindow>,
}

impl Database {
    /// DescribeContinuousBackups.
    pub fn describe_continuous_backups(
        &self,
        ctx: &RequestContext,
        table_name: &str,
    ) -> Result<ContinuousBackups> {
        let table = self.backup_source_table(ctx, table_name)?;
        Ok(self.continuous_backups(&table))
    }

    /// A table named by a backup operation: a missing one (or one still
    /// being restored) is `TableNotFoundException: Table not found: <name>`.
    pub(crate) fn backup_source_table(
        &self,
        ctx: &RequestContext,
        table_name: &str,
    ) -> Result<std::sync::Arc<TableMeta>> {
        self.resolve_table(ctx, table_name, str::to_owned)
            .map_err(|e| match e {
                CoreError::ResourceNotFound(name) => {
                    CoreError::TableNotFound(format!("Table not found: {name}"))
                }
                other => other,
            })
    }

    /// The table's continuous backups, as of the database's clock.
    pub(crate) fn continuous_backups(&self, table: &TableMeta) -> ContinuousBackups {
        ContinuousBackups {
            pitr: table.pitr.as_ref().map(|p| {
                let (earliest_millis, latest_millis) = self.restorable_window(p);
                PitrWindow {
                    earliest_millis,
                    latest_millis,
                    recovery_period_days: p.recovery_period_days,
                }
            }),
        }
    }
}

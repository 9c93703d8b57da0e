//! RestoreTableToPointInTime: a new table holding exactly the items the
//! source held at an instant of its recovery window, answered `CREATING`
//! at once; its items are written by the background jobs from the
//! source's last snapshot at or before the instant and its recovery log
//! (`backup/pitr.rs`).

use super::TableDescription;
use super::restore_table_from_backup::{RestoreOverrides, restored_table};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::table::{PointInTimeSource, RestoreMeta, parse_table_arn};

/// RestoreTableToPointInTime's input.
#[derive(Clone, Debug, Default)]
pub struct RestoreTableToPointInTimeInput {
    /// `SourceTableName`.
    pub source_table_name: Option<String>,
    /// `SourceTableArn`.
    pub source_table_arn: Option<String>,
    /// `TargetTableName`.
    pub target_table_name: String,
    /// `UseLatestRestorableTime`.
    pub use_latest_restorable_time: Option<bool>,
    /// `RestoreDateTime`, epoch milliseconds.
    pub restore_date_time_millis: Option<i64>,
    /// What the restored table changes from the source's schema.
    pub overrides: RestoreOverrides,
}

impl Database {
    /// RestoreTableToPointInTime. AWS's checks, in AWS's order: the
    /// request's shape, the source, its recovery, the instant, the target.
    pub fn restore_table_to_point_in_time(
        &self,
        ctx: &RequestContext,
        input: RestoreTableToPointInTimeInput,
    ) -> Result<TableDescription> {
        let source_name = match (&input.source_table_name, &input.source_table_arn) {
            (Some(_), Some(_)) => {
                return Err(CoreError::validation(
                    "Must provide exactly one of: sourceTableArn, sourceTableName",
                ));
            }
            (None, None) => {
                return Err(CoreError::validation(
                    "The parameter 'TableName' is required",
                ));
            }
            (Some(name), None) => name.clone(),
            (None, Some(arn)) => {
                if parse_table_arn(arn).is_none() {
                    return Err(CoreError::validation("sourceTableArn is not a valid ARN"));
                }
                arn.clone()
            }
        };
        let use_latest = input.use_latest_restorable_time == Some(true);
        match (use_latest, input.restore_date_time_millis) {
            (true, Some(_)) => {
                // UNCONFIRMED past "Pleas" (docs/compatibility.md).
                return Err(CoreError::validation(
                    "Invalid Request: Both RestoreDateTime and UseLatestRestorableTime cannot be set for point-in-time restore request. Please specify only one of them.",
                ));
            }
            (false, None) => {
                return Err(CoreError::validation(
                    "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both",
                ));
            }
            _ => {}
        }
        let source = self.backup_source_table(ctx, &source_name)?;
        let (Some(pitr), Some(log_shard)) = (
            source.pitr.as_ref(),
            source.pitr.as_ref().and_then(|p| p.log_shard),
        ) else {
            return Err(CoreError::PointInTimeRecoveryUnavailable(format!(
                "Point in time recovery is not enabled for table '{}'",
                source.name
            )));
        };
        let (earliest, latest) = self.restorable_window(pitr);
        let instant = input.restore_date_time_millis.unwrap_or(latest);
        if instant < earliest || instant > latest {
            return Err(CoreError::InvalidRestoreTime(format!(
                "RestoreDateTime '{}' must be within EarliestRestorableDateTime '{}' and LatestRestorableDateTime '{}'",
                iso_seconds(instant),
                iso_seconds(earliest),
                iso_seconds(latest)
            )));
        }
        self.check_restore_target(ctx, &input.target_table_name)?;
        let create = restored_table(&source, input.target_table_name, input.overrides)?;
        let restore = RestoreMeta {
            source_backup_arn: None,
            source_table_arn: source.arn(),
            restore_millis: instant,
            backup_id: String::new(),
            point_in_time: Some(PointInTimeSource {
                table_id: source.id,
                log_shard,
            }),
        };
        self.create_table_as(ctx, create, Some(restore))
            .map_err(|e| match e {
                CoreError::ResourceInUse(m) => CoreError::TableAlreadyExists(m),
                other => other,
            })
    }
}

/// Epoch milliseconds as `yyyy-mm-ddThh:mm:ssZ`, as AWS's messages show
/// instants.
pub(crate) fn iso_seconds(millis: i64) -> String {
    let label = super::create_table::stream_label(millis);
    format!("{}Z", label.get(..19).unwrap_or(&label))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_in_messages_have_whole_seconds() {
        assert_eq!(iso_seconds(1_791_506_414_432), "2026-10-09T00:40:14Z");
    }
}

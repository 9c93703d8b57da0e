//! ListBackups.

use crate::backup::{BackupMeta, BackupType};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::table::parse_table_arn;

/// ListBackups' input.
#[derive(Clone, Debug, Default)]
pub struct ListBackupsInput {
    /// `TableName` (a name or an ARN): only this table's backups, even
    /// once the table is deleted.
    pub table_name: Option<String>,
    /// `Limit` (1 to 100).
    pub limit: Option<usize>,
    /// `TimeRangeLowerBound`, epoch milliseconds, inclusive.
    pub lower_millis: Option<i64>,
    /// `TimeRangeUpperBound`, epoch milliseconds, exclusive.
    pub upper_millis: Option<i64>,
    /// `ExclusiveStartBackupArn`: list after this position.
    pub exclusive_start_arn: Option<String>,
    /// `BackupType`: `USER` (the default), `SYSTEM`, `AWS_BACKUP` or `ALL`.
    pub backup_type: Option<String>,
}

/// ListBackups' answer.
#[derive(Clone, Debug, Default)]
pub struct ListBackupsOutput {
    /// `BackupSummaries`, in creation order.
    pub backups: Vec<BackupMeta>,
    /// `LastEvaluatedBackupArn`, when more may follow.
    pub last_evaluated_arn: Option<String>,
}

impl Database {
    /// ListBackups: USER backups unless `BackupType` asks for SYSTEM ones
    /// (or ALL); there are no AWS_BACKUP ones.
    pub fn list_backups(
        &self,
        ctx: &RequestContext,
        input: ListBackupsInput,
    ) -> Result<ListBackupsOutput> {
        if let (Some(lower), Some(upper)) = (input.lower_millis, input.upper_millis)
            && lower > upper
        {
            return Err(CoreError::validation(
                "Time range lower bound must be less than or equal to upper bound",
            ));
        }
        let kind = input.backup_type.as_deref().unwrap_or("USER");
        let type_wanted = |t: BackupType| kind == "ALL" || kind == t.wire_name();
        let table = input
            .table_name
            .as_deref()
            .map(|t| match parse_table_arn(t) {
                Some((_, _, name)) => name.to_owned(),
                None => t.to_owned(),
            });
        // A position: the id of the start ARN (which need not exist).
        let after = input
            .exclusive_start_arn
            .as_deref()
            .and_then(|a| a.rsplit_once("/backup/"))
            .map(|(_, id)| id.to_owned());
        let limit = input.limit.unwrap_or(usize::MAX);
        let mut backups = Vec::new();
        let mut more = false;
        for meta in self.backup_records(&ctx.account_id, &ctx.region)? {
            let wanted = type_wanted(meta.backup_type)
                && table.as_ref().is_none_or(|t| *t == meta.table.name)
                && input.lower_millis.is_none_or(|l| meta.created_millis >= l)
                && input.upper_millis.is_none_or(|u| meta.created_millis < u)
                && after.as_ref().is_none_or(|a| meta.id.as_str() > a.as_str());
            if !wanted {
                continue;
            }
            if backups.len() == limit {
                more = true;
                break;
            }
            backups.push(meta);
        }
        let last_evaluated_arn = if more {
            backups.last().map(BackupMeta::arn)
        } else {
            None
        };
        Ok(ListBackupsOutput {
            backups,
            last_evaluated_arn,
        })
    }
}

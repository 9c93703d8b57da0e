//! DescribeBackup.

use crate::backup::BackupMeta;
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::table::parse_table_arn;

impl Database {
    /// DescribeBackup: the backup's record (its table as it was).
    pub fn describe_backup(&self, ctx: &RequestContext, arn: &str) -> Result<BackupMeta> {
        self.find_backup(ctx, arn)
    }

    /// The backup `arn` names, with AWS's errors for a malformed ARN, one
    /// of another account, and one that does not exist.
    pub(crate) fn find_backup(&self, ctx: &RequestContext, arn: &str) -> Result<BackupMeta> {
        let invalid = || CoreError::validation("Invalid Backup ARN");
        // arn:aws:dynamodb:<region>:<account>:table/<name>/backup/<id>
        let (table_arn, id) = arn.rsplit_once("/backup/").ok_or_else(invalid)?;
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(invalid());
        }
        let Some((region, account, _name)) = parse_table_arn(table_arn) else {
            return Err(CoreError::validation("BackupArn is not valid"));
        };
        if account != ctx.account_id {
            return Err(CoreError::AccessDenied("Access is denied".into()));
        }
        let not_found = || CoreError::BackupNotFound(format!("Backup not found: {arn}"));
        if region != ctx.region {
            return Err(not_found());
        }
        self.backup_record(&ctx.account_id, &ctx.region, arn)?
            .ok_or_else(not_found)
    }
}

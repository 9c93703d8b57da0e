//! DeleteBackup.

use crate::backup::{BackupMeta, BackupStatus, BackupType, file};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};

impl Database {
    /// DeleteBackup: removes the record and the file at once; answers the
    /// backup as `DELETED`.
    pub fn delete_backup(&self, ctx: &RequestContext, arn: &str) -> Result<BackupMeta> {
        let mut meta = self.find_backup(ctx, arn)?;
        if let (BackupType::System, Some(expiry)) = (meta.backup_type, meta.expiry_millis) {
            // UNCONFIRMED past "expire on" (docs/compatibility.md).
            return Err(CoreError::validation(format!(
                "Invalid Request: User is not allowed to delete the system backup with arn {arn}. It will automatically expire on {}",
                super::restore_table_to_point_in_time::iso_seconds(expiry)
            )));
        }
        if self.backup_being_restored(&meta.id) {
            return Err(CoreError::BackupInUse(format!(
                "Backup is being used to restore table: {arn}"
            )));
        }
        // UNCONFIRMED (too short to observe on AWS): a backup still being
        // written cannot be deleted yet.
        if meta.status == BackupStatus::Creating {
            return Err(CoreError::BackupInUse(format!(
                "Backup is being created: {arn}"
            )));
        }
        self.delete_backup_record(&meta)?;
        file::remove(self.backup_dir()?, &meta.id)?;
        meta.status = BackupStatus::Deleted;
        Ok(meta)
    }
}

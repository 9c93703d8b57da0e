//! CreateBackup: a snapshot of the table's items, taken now, written to
//! the backup's file in the background (`backup/`).

use crate::backup::{BackupMeta, BackupStatus, BackupType, timed_id};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::Result;

/// CreateBackup's input.
#[derive(Clone, Debug, Default)]
pub struct CreateBackupInput {
    /// `TableName` (a name or an ARN).
    pub table_name: String,
    /// `BackupName`.
    pub backup_name: String,
}

impl Database {
    /// CreateBackup. Answers `CREATING` (the file is written by the
    /// background jobs); the backup holds exactly the items committed when
    /// the call was made.
    pub fn create_backup(
        &self,
        ctx: &RequestContext,
        input: CreateBackupInput,
    ) -> Result<BackupMeta> {
        // A table still being restored is not found either [AWS].
        let table = self.backup_source_table(ctx, &input.table_name)?;
        self.backup_dir()?;
        let now = self.clock.now_millis();
        let snapshot = self.table_snapshot(table.id)?;
        let meta = BackupMeta {
            id: timed_id(now),
            name: input.backup_name,
            table: (*table).clone(),
            created_millis: now,
            status: BackupStatus::Creating,
            item_count: 0,
            size_bytes: 0,
            backup_type: BackupType::User,
            expiry_millis: None,
        };
        self.start_backup(meta.clone(), snapshot)?;
        Ok(meta)
    }
}

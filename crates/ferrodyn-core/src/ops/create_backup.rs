//! CreateBackup: a snapshot of the table's items, taken now, written to
//! the backup's file in the background (`backup/`).

use crate::backup::{BackupMeta, BackupStatus, BackupType};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::keyspace;

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
        let suffix = uuid::Uuid::new_v4().as_u128() as u32;
        let id = format!("{now:014}-{suffix:08x}");
        let start = keyspace::table_items_prefix(table.id);
        let end = ferrodyn_storage::prefix_end(&start)
            .ok_or_else(|| CoreError::Internal("table prefix has no end".into()))?;
        let snapshot = self.engine.snapshot(&start, &end)?;
        let meta = BackupMeta {
            id,
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

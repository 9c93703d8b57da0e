//! DeleteTable: removes the table, its items and its counters in one commit
//! (after a snapshot for its SYSTEM backup, if point-in-time recovery is on).

use super::{TableDescription, table_not_found};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::table::TableStatus;

impl Database {
    /// DeleteTable. The response describes the table as `DELETING`; the
    /// table is gone when the call returns.
    pub fn delete_table(&self, ctx: &RequestContext, table_name: &str) -> Result<TableDescription> {
        let ddl = self.catalog.lock_ddl();
        let meta = self.resolve_table_in_any_state(ctx, table_name, table_not_found)?;
        if meta.is_restoring() {
            // As for any table not yet ACTIVE. UNCONFIRMED for a restore
            // (docs/compatibility.md).
            return Err(CoreError::ResourceInUse(format!(
                "Attempt to change a resource which is still in use: Table is being created: {}",
                meta.name
            )));
        }
        if meta.deletion_protection {
            return Err(CoreError::validation(
                "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
            ));
        }
        let description = self.describe(&meta, TableStatus::Deleting)?;
        // With point-in-time recovery on, AWS keeps a SYSTEM backup of the
        // table as it was deleted (`backup/pitr.rs`).
        let snapshot = self.deleted_table_snapshot(&meta)?;
        self.catalog.remove(self.engine.as_ref(), &ddl, &meta)?;
        if let Some(snapshot) = snapshot {
            self.start_deleted_table_backup(&meta, snapshot)?;
        }
        Ok(description)
    }
}

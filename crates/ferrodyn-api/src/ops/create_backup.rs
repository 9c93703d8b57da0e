//! CreateBackup on the wire.

use ferrodyn_core::ops::create_backup::CreateBackupInput;
use serde_json::{Value, json};

use super::Call;
use crate::error::ApiError;
use crate::wire::{backup, opt_str, table_name};

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let input = CreateBackupInput {
        table_name: table_name(call.body, "TableName")?,
        backup_name: opt_str(call.body, "BackupName")
            .unwrap_or_default()
            .to_owned(),
    };
    let b = call.db.create_backup(call.ctx, input)?;
    Ok(json!({ "BackupDetails": backup::backup_details(&b) }))
}

//! DescribeBackup on the wire.

use serde_json::{Value, json};

use super::Call;
use crate::error::ApiError;
use crate::wire::{backup, opt_str};

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let arn = opt_str(call.body, "BackupArn").unwrap_or_default();
    let b = call.db.describe_backup(call.ctx, arn)?;
    Ok(json!({ "BackupDescription": backup::backup_description(&b) }))
}

//! DescribeContinuousBackups on the wire.

use serde_json::Value;

use super::Call;
use crate::error::ApiError;
use crate::wire::{backup, table_name};

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let table = table_name(call.body, "TableName")?;
    let c = call.db.describe_continuous_backups(call.ctx, &table)?;
    Ok(backup::continuous_backups_description(&c))
}

//! DeleteTable on the wire.

use serde_json::{Value, json};

use super::Call;
use crate::error::ApiError;
use crate::wire::{describe, table_name};

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let name = table_name(call.body, "TableName")?;
    let d = call.db.delete_table(call.ctx, &name)?;
    Ok(json!({ "TableDescription": describe::deleted_table_description(&d) }))
}

//! DescribeExport on the wire.

use serde_json::{Value, json};

use super::Call;
use crate::error::ApiError;
use crate::wire::{export, opt_str};

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let arn = opt_str(call.body, "ExportArn").unwrap_or_default();
    let e = call.db.describe_export(call.ctx, arn)?;
    Ok(json!({ "ExportDescription": export::export_description(&e) }))
}

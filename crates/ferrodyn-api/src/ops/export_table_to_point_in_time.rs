//! ExportTableToPointInTime on the wire.

use ferrodyn_core::ops::export_table_to_point_in_time::ExportTableToPointInTimeInput;
use serde_json::{Value, json};

use super::Call;
use crate::error::ApiError;
use crate::wire::{export, opt_millis, opt_str};

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let owned = |member: &str| opt_str(body, member).map(str::to_owned);
    let input = ExportTableToPointInTimeInput {
        table_arn: owned("TableArn").unwrap_or_default(),
        export_time_millis: opt_millis(body, "ExportTime"),
        client_token: owned("ClientToken"),
        bucket: owned("S3Bucket").unwrap_or_default(),
        bucket_owner: owned("S3BucketOwner"),
        prefix: owned("S3Prefix"),
        sse_algorithm: owned("S3SseAlgorithm"),
        sse_kms_key_id: owned("S3SseKmsKeyId"),
        format: owned("ExportFormat"),
        export_type: owned("ExportType"),
        incremental_specification: body.get("IncrementalExportSpecification").is_some(),
    };
    let e = call.db.export_table_to_point_in_time(call.ctx, input)?;
    Ok(json!({ "ExportDescription": export::export_description(&e) }))
}

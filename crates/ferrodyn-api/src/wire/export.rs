//! Exports in wire form: `ExportDescription` and `ExportSummary` [fields as
//! AWS answers them: probes of the service, docs/compatibility.md].

use ferrodyn_core::export::{ExportMeta, ExportStatus};
use serde_json::{Map, Value, json};

use super::describe::epoch_seconds;

/// `ExportDescription`: what every export shows, and what only a finished
/// one does (`EndTime`, `ExportManifest`, `ItemCount`, `BilledSizeBytes`;
/// `FailureCode` and `FailureMessage` for a failed one).
pub fn export_description(e: &ExportMeta) -> Value {
    let mut m = Map::new();
    m.insert("ExportArn".into(), json!(e.arn()));
    m.insert("ExportStatus".into(), json!(e.status.wire_name()));
    m.insert("StartTime".into(), epoch_seconds(e.start_millis));
    m.insert("TableArn".into(), json!(e.table.arn()));
    m.insert("TableId".into(), json!(e.table.uuid));
    m.insert("ExportTime".into(), epoch_seconds(e.export_millis));
    m.insert("ClientToken".into(), json!(e.client_token));
    m.insert("S3Bucket".into(), json!(e.bucket));
    if let Some(owner) = &e.bucket_owner {
        m.insert("S3BucketOwner".into(), json!(owner));
    }
    if let Some(prefix) = &e.prefix {
        m.insert("S3Prefix".into(), json!(prefix));
    }
    m.insert("S3SseAlgorithm".into(), json!(e.sse_algorithm));
    if let Some(key) = &e.sse_kms_key_id {
        m.insert("S3SseKmsKeyId".into(), json!(key));
    }
    m.insert("ExportFormat".into(), json!(e.format));
    if let Some(t) = &e.export_type {
        m.insert("ExportType".into(), json!(t));
    }
    if let Some(end) = e.end_millis {
        m.insert("EndTime".into(), epoch_seconds(end));
    }
    if e.status == ExportStatus::Completed {
        m.insert("ExportManifest".into(), json!(e.manifest_key()));
        m.insert("ItemCount".into(), json!(e.item_count.unwrap_or(0)));
        m.insert(
            "BilledSizeBytes".into(),
            json!(e.billed_size_bytes.unwrap_or(0)),
        );
    }
    if let Some(code) = &e.failure_code {
        m.insert("FailureCode".into(), json!(code));
    }
    if let Some(message) = &e.failure_message {
        m.insert("FailureMessage".into(), json!(message));
    }
    Value::Object(m)
}

/// `ExportSummary` (ListExports): `ExportType` always.
pub fn export_summary(e: &ExportMeta) -> Value {
    json!({
        "ExportArn": e.arn(),
        "ExportStatus": e.status.wire_name(),
        "ExportType": e.export_type.as_deref().unwrap_or("FULL_EXPORT"),
    })
}

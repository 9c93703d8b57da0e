//! Backups in wire form: `BackupDetails`, `BackupDescription` and
//! `BackupSummary` [shapes as AWS answers them: the AWS CLI's examples and
//! probes of the service, docs/compatibility.md].

use ferrodyn_core::backup::BackupMeta;
use ferrodyn_core::index::IndexKind;
use ferrodyn_core::table::TableMeta;
use serde_json::{Map, Value, json};

use super::describe::{epoch_seconds, index_definition, sse_description};

/// `BackupDetails`.
pub fn backup_details(b: &BackupMeta) -> Value {
    let mut v = json!({
        "BackupArn": b.arn(),
        "BackupName": b.name,
        "BackupSizeBytes": b.size_bytes,
        "BackupStatus": b.status.wire_name(),
        "BackupType": b.backup_type.wire_name(),
        "BackupCreationDateTime": epoch_seconds(b.created_millis),
    });
    if let Some(expiry) = b.expiry_millis {
        v["BackupExpiryDateTime"] = json!(epoch_seconds(expiry));
    }
    v
}

/// `BackupSummary` (ListBackups).
pub fn backup_summary(b: &BackupMeta) -> Value {
    let mut v = json!({
        "TableName": b.table.name,
        "TableId": b.table.uuid,
        "TableArn": b.table.arn(),
        "BackupArn": b.arn(),
        "BackupName": b.name,
        "BackupCreationDateTime": epoch_seconds(b.created_millis),
        "BackupStatus": b.status.wire_name(),
        "BackupType": b.backup_type.wire_name(),
        "BackupSizeBytes": b.size_bytes,
    });
    if let Some(expiry) = b.expiry_millis {
        v["BackupExpiryDateTime"] = json!(epoch_seconds(expiry));
    }
    v
}

/// `BackupDescription`: the details, and the table as it was.
pub fn backup_description(b: &BackupMeta) -> Value {
    json!({
        "BackupDetails": backup_details(b),
        "SourceTableDetails": source_table_details(b),
        "SourceTableFeatureDetails": source_table_features(&b.table),
    })
}

fn key_schema(
    partition: &[ferrodyn_core::table::StoredKey],
    sort: &[ferrodyn_core::table::StoredKey],
) -> Value {
    Value::Array(
        partition
            .iter()
            .map(|k| json!({"AttributeName": k.name, "KeyType": "HASH"}))
            .chain(
                sort.iter()
                    .map(|k| json!({"AttributeName": k.name, "KeyType": "RANGE"})),
            )
            .collect(),
    )
}

fn source_table_details(b: &BackupMeta) -> Value {
    let t = &b.table;
    json!({
        "TableName": t.name,
        "TableId": t.uuid,
        "TableArn": t.arn(),
        "TableSizeBytes": b.size_bytes,
        "KeySchema": key_schema(std::slice::from_ref(&t.partition_key), t.sort_key.as_slice()),
        "TableCreationDateTime": epoch_seconds(t.created_millis),
        "ProvisionedThroughput": {
            "ReadCapacityUnits": t.throughput.read_units,
            "WriteCapacityUnits": t.throughput.write_units,
        },
        "ItemCount": b.item_count,
        "BillingMode": t.billing_mode.wire_name(),
    })
}

/// The features the table had: its indexes, stream, TTL and encryption,
/// each only when present (`{}` for a plain table, as on AWS).
fn source_table_features(t: &TableMeta) -> Value {
    let mut m = Map::new();
    let index = |i: &ferrodyn_core::index::IndexMeta| {
        let mut e = index_definition(i);
        if i.kind == IndexKind::Global {
            let (read, write) = i
                .throughput
                .as_ref()
                .map_or((0, 0), |th| (th.read_units, th.write_units));
            e.insert(
                "ProvisionedThroughput".into(),
                json!({"ReadCapacityUnits": read, "WriteCapacityUnits": write}),
            );
        }
        Value::Object(e)
    };
    let locals: Vec<Value> = t
        .indexes
        .iter()
        .filter(|i| i.kind == IndexKind::Local)
        .map(index)
        .collect();
    let globals: Vec<Value> = t
        .indexes
        .iter()
        .filter(|i| i.kind == IndexKind::Global)
        .map(index)
        .collect();
    if !locals.is_empty() {
        m.insert("LocalSecondaryIndexes".into(), Value::Array(locals));
    }
    if !globals.is_empty() {
        m.insert("GlobalSecondaryIndexes".into(), Value::Array(globals));
    }
    if let Some(s) = t.stream.as_ref().filter(|s| s.enabled) {
        let mut spec = Map::new();
        spec.insert("StreamEnabled".into(), json!(true));
        if let Some(v) = &s.view_type {
            spec.insert("StreamViewType".into(), json!(v));
        }
        m.insert("StreamDescription".into(), Value::Object(spec));
    }
    if let Some(ttl) = t.ttl.as_ref().filter(|ttl| ttl.enabled) {
        m.insert(
            "TimeToLiveDescription".into(),
            json!({"TimeToLiveStatus": "ENABLED", "AttributeName": ttl.attribute_name}),
        );
    }
    if let Some(sse) = sse_description(t) {
        m.insert("SSEDescription".into(), sse);
    }
    Value::Object(m)
}

/// `ContinuousBackupsDescription`: with point-in-time recovery off, only
/// its status (no times, no period), as AWS answers.
pub fn continuous_backups_description(
    c: &ferrodyn_core::ops::describe_continuous_backups::ContinuousBackups,
) -> Value {
    let pitr = match &c.pitr {
        None => json!({"PointInTimeRecoveryStatus": "DISABLED"}),
        Some(w) => json!({
            "PointInTimeRecoveryStatus": "ENABLED",
            "RecoveryPeriodInDays": w.recovery_period_days,
            "EarliestRestorableDateTime": epoch_seconds(w.earliest_millis),
            "LatestRestorableDateTime": epoch_seconds(w.latest_millis),
        }),
    };
    json!({
        "ContinuousBackupsDescription": {
            "ContinuousBackupsStatus": "ENABLED",
            "PointInTimeRecoveryDescription": pitr,
        }
    })
}

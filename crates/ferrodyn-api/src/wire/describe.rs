//! `TableDescription` in wire form.

use ferrodyn_core::index::{IndexKind, IndexStatus};
use ferrodyn_core::ops::TableDescription;
use ferrodyn_core::table::{BillingMode, TableStatus, Throughput};
use ferrodyn_model::limits;
use serde_json::{Map, Value, json};

/// Epoch milliseconds as the seconds-with-fraction DynamoDB sends.
pub fn epoch_seconds(millis: i64) -> Value {
    json!(millis as f64 / 1000.0)
}

/// A `ProvisionedThroughputDescription`.
fn throughput_description(th: &Throughput) -> Value {
    let mut pt = Map::new();
    if let Some(t) = th.last_increase_millis {
        pt.insert("LastIncreaseDateTime".into(), epoch_seconds(t));
    }
    if let Some(t) = th.last_decrease_millis {
        pt.insert("LastDecreaseDateTime".into(), epoch_seconds(t));
    }
    pt.insert("NumberOfDecreasesToday".into(), json!(th.decreases_today));
    pt.insert("ReadCapacityUnits".into(), json!(th.read_units));
    pt.insert("WriteCapacityUnits".into(), json!(th.write_units));
    Value::Object(pt)
}

/// The `BillingModeSummary` DescribeTable shows, if any: for on-demand
/// tables, and for tables whose mode was ever set explicitly.
fn billing_mode_summary(meta: &ferrodyn_core::table::TableMeta) -> Option<Value> {
    if !(meta.billing_mode_explicit || meta.billing_mode == BillingMode::PayPerRequest) {
        return None;
    }
    let mut b = Map::new();
    b.insert("BillingMode".into(), json!(meta.billing_mode.wire_name()));
    if let (BillingMode::PayPerRequest, Some(t)) =
        (meta.billing_mode, meta.pay_per_request_since_millis)
    {
        b.insert("LastUpdateToPayPerRequestDateTime".into(), epoch_seconds(t));
    }
    Some(Value::Object(b))
}

/// An index's `IndexName`, `KeySchema` and `Projection`, which every
/// description of it starts with.
pub fn index_definition(index: &ferrodyn_core::index::IndexMeta) -> Map<String, Value> {
    let mut e = Map::new();
    e.insert("IndexName".into(), json!(index.name));
    let keys: Vec<Value> = index
        .partition_keys
        .iter()
        .map(|k| json!({"AttributeName": k.name, "KeyType": "HASH"}))
        .chain(
            index
                .sort_keys
                .iter()
                .map(|k| json!({"AttributeName": k.name, "KeyType": "RANGE"})),
        )
        .collect();
    e.insert("KeySchema".into(), Value::Array(keys));
    let mut projection = Map::new();
    projection.insert("ProjectionType".into(), json!(index.projection.wire_name()));
    if !index.non_key_attributes.is_empty() {
        projection.insert("NonKeyAttributes".into(), json!(index.non_key_attributes));
    }
    e.insert("Projection".into(), Value::Object(projection));
    e
}

/// The `SSEDescription` of a table encrypted with a KMS key, if it is.
pub fn sse_description(meta: &ferrodyn_core::table::TableMeta) -> Option<Value> {
    let sse = meta.sse.as_ref()?;
    let key = sse.kms_key.clone().unwrap_or_else(|| {
        format!(
            "arn:aws:kms:{}:{}:key/aws-managed-dynamodb",
            meta.region, meta.account_id
        )
    });
    Some(json!({"Status": "ENABLED", "SSEType": sse.sse_type, "KMSMasterKeyArn": key}))
}

/// The description DeleteTable answers with: AWS sends only the table's
/// identity, status, throughput and statistics, without the schema, the
/// indexes or the creation time [real `aws dynamodb delete-table` output
/// quoted in the aws-cdk workshop and WSO2 docs; API reference example]:
///
/// ```text
/// {"TableName", "TableStatus": "DELETING", "TableId", "TableArn",
///  "ProvisionedThroughput": {"NumberOfDecreasesToday", "ReadCapacityUnits",
///  "WriteCapacityUnits"}, "ItemCount", "TableSizeBytes"}
/// ```
///
/// On-demand tables add the `BillingModeSummary` DescribeTable shows, and
/// report 0/0 throughput (UNCONFIRMED: no capture of an on-demand table's
/// deletion; docs/compatibility.md).
pub fn deleted_table_description(d: &TableDescription) -> Value {
    let meta = &d.meta;
    let th = &meta.throughput;
    let mut m = Map::new();
    m.insert("TableName".into(), json!(meta.name));
    m.insert("TableStatus".into(), json!(d.status.wire_name()));
    m.insert("TableId".into(), json!(meta.uuid));
    m.insert("TableArn".into(), json!(meta.arn()));
    if let Some(b) = billing_mode_summary(meta) {
        m.insert("BillingModeSummary".into(), b);
    }
    m.insert(
        "ProvisionedThroughput".into(),
        json!({
            "NumberOfDecreasesToday": th.decreases_today,
            "ReadCapacityUnits": th.read_units,
            "WriteCapacityUnits": th.write_units,
        }),
    );
    m.insert("ItemCount".into(), json!(d.item_count));
    m.insert("TableSizeBytes".into(), json!(d.size_bytes));
    Value::Object(m)
}

/// Writes a table description.
pub fn table_description(d: &TableDescription) -> Value {
    let meta = &d.meta;
    let mut m = Map::new();
    m.insert(
        "AttributeDefinitions".into(),
        Value::Array(
            meta.attribute_definitions
                .iter()
                .map(|a| json!({"AttributeName": a.name, "AttributeType": a.scalar_type}))
                .collect(),
        ),
    );
    m.insert("TableName".into(), json!(meta.name));
    let mut keys = vec![json!({"AttributeName": meta.partition_key.name, "KeyType": "HASH"})];
    if let Some(s) = &meta.sort_key {
        keys.push(json!({"AttributeName": s.name, "KeyType": "RANGE"}));
    }
    m.insert("KeySchema".into(), Value::Array(keys));
    m.insert("TableStatus".into(), json!(d.status.wire_name()));
    m.insert(
        "CreationDateTime".into(),
        epoch_seconds(meta.created_millis),
    );
    m.insert(
        "ProvisionedThroughput".into(),
        throughput_description(&meta.throughput),
    );
    m.insert("TableSizeBytes".into(), json!(d.size_bytes));
    m.insert("ItemCount".into(), json!(d.item_count));
    m.insert("TableArn".into(), json!(meta.arn()));
    m.insert("TableId".into(), json!(meta.uuid));
    if let Some(b) = billing_mode_summary(meta) {
        m.insert("BillingModeSummary".into(), b);
    }
    // Shown while the restore is under way only: AWS drops it once the
    // table is ACTIVE.
    if let Some(r) = &meta.restore {
        let mut summary = json!({
            "SourceTableArn": r.source_table_arn,
            "RestoreDateTime": epoch_seconds(r.restore_millis),
            "RestoreInProgress": true,
        });
        if let Some(arn) = &r.source_backup_arn {
            summary["SourceBackupArn"] = json!(arn);
        }
        m.insert("RestoreSummary".into(), summary);
    }
    if meta.billing_mode == BillingMode::PayPerRequest {
        m.insert(
            "WarmThroughput".into(),
            json!({
                "ReadUnitsPerSecond": limits::ON_DEMAND_WARM_READ_UNITS_PER_SECOND,
                "WriteUnitsPerSecond": limits::ON_DEMAND_WARM_WRITE_UNITS_PER_SECOND,
                "Status": "ACTIVE",
            }),
        );
    }
    // The specification while a stream is enabled; the latest stream's ARN
    // and label as long as the table has had one, even once disabled (as
    // AWS keeps them).
    if let Some(s) = meta.stream.as_ref().filter(|s| s.enabled) {
        let mut spec = Map::new();
        spec.insert("StreamEnabled".into(), json!(true));
        if let Some(v) = &s.view_type {
            spec.insert("StreamViewType".into(), json!(v));
        }
        m.insert("StreamSpecification".into(), Value::Object(spec));
    }
    if let Some(latest) = meta.streams.last() {
        m.insert("LatestStreamLabel".into(), json!(latest.label));
        m.insert(
            "LatestStreamArn".into(),
            json!(meta.stream_arn(&latest.label)),
        );
    }
    if let Some(sse) = sse_description(meta) {
        m.insert("SSEDescription".into(), sse);
    }
    if let Some(c) = meta.table_class {
        m.insert(
            "TableClassSummary".into(),
            json!({"TableClass": c.wire_name()}),
        );
    }
    m.insert(
        "DeletionProtectionEnabled".into(),
        json!(meta.deletion_protection),
    );
    let mut globals = Vec::new();
    let mut locals = Vec::new();
    for (i, index) in meta.indexes.iter().enumerate() {
        let (count, size) = d.index_stats.get(i).copied().unwrap_or((0, 0));
        let mut e = index_definition(index);
        if index.kind == IndexKind::Global {
            // Indexes made with their table share its status; later ones
            // have their own, and show Backfilling while being built.
            let status = if d.status == TableStatus::Creating {
                "CREATING"
            } else {
                index.status.wire_name()
            };
            // A restore's indexes are listed without one until the table
            // is ACTIVE [AWS].
            if meta.restore.is_none() {
                e.insert("IndexStatus".into(), json!(status));
            }
            if index.status == IndexStatus::Creating {
                e.insert("Backfilling".into(), json!(true));
            }
            e.insert(
                "ProvisionedThroughput".into(),
                throughput_description(&index.throughput.clone().unwrap_or_default()),
            );
        }
        e.insert("IndexSizeBytes".into(), json!(size));
        e.insert("ItemCount".into(), json!(count));
        e.insert("IndexArn".into(), json!(index.arn(meta)));
        if index.kind == IndexKind::Global && meta.billing_mode == BillingMode::PayPerRequest {
            e.insert(
                "WarmThroughput".into(),
                json!({
                    "ReadUnitsPerSecond": limits::ON_DEMAND_WARM_READ_UNITS_PER_SECOND,
                    "WriteUnitsPerSecond": limits::ON_DEMAND_WARM_WRITE_UNITS_PER_SECOND,
                    "Status": "ACTIVE",
                }),
            );
        }
        match index.kind {
            IndexKind::Global => globals.push(Value::Object(e)),
            IndexKind::Local => locals.push(Value::Object(e)),
        }
    }
    if !globals.is_empty() {
        m.insert("GlobalSecondaryIndexes".into(), Value::Array(globals));
    }
    if !locals.is_empty() {
        m.insert("LocalSecondaryIndexes".into(), Value::Array(locals));
    }
    Value::Object(m)
}

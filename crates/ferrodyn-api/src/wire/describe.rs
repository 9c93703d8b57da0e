//! `TableDescription` in wire form.

use ferrodyn_core::ops::TableDescription;
use ferrodyn_core::table::BillingMode;
use ferrodyn_model::limits;
use serde_json::{Map, Value, json};

/// Epoch milliseconds as the seconds-with-fraction DynamoDB sends.
pub fn epoch_seconds(millis: i64) -> Value {
    json!(millis as f64 / 1000.0)
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
    let th = &meta.throughput;
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
    m.insert("ProvisionedThroughput".into(), Value::Object(pt));
    m.insert("TableSizeBytes".into(), json!(d.size_bytes));
    m.insert("ItemCount".into(), json!(d.item_count));
    m.insert("TableArn".into(), json!(meta.arn()));
    m.insert("TableId".into(), json!(meta.uuid));
    if meta.billing_mode_explicit || meta.billing_mode == BillingMode::PayPerRequest {
        let mut b = Map::new();
        b.insert("BillingMode".into(), json!(meta.billing_mode.wire_name()));
        if let (BillingMode::PayPerRequest, Some(t)) =
            (meta.billing_mode, meta.pay_per_request_since_millis)
        {
            b.insert("LastUpdateToPayPerRequestDateTime".into(), epoch_seconds(t));
        }
        m.insert("BillingModeSummary".into(), Value::Object(b));
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
    if let Some(s) = &meta.stream {
        let mut spec = Map::new();
        spec.insert("StreamEnabled".into(), json!(s.enabled));
        if let Some(v) = &s.view_type {
            spec.insert("StreamViewType".into(), json!(v));
        }
        m.insert("StreamSpecification".into(), Value::Object(spec));
        if let Some(label) = &s.label {
            m.insert("LatestStreamLabel".into(), json!(label));
            m.insert(
                "LatestStreamArn".into(),
                json!(format!("{}/stream/{label}", meta.arn())),
            );
        }
    }
    if let Some(sse) = &meta.sse {
        let key = sse.kms_key.clone().unwrap_or_else(|| {
            format!(
                "arn:aws:kms:{}:{}:key/aws-managed-dynamodb",
                meta.region, meta.account_id
            )
        });
        m.insert(
            "SSEDescription".into(),
            json!({"Status": "ENABLED", "SSEType": sse.sse_type, "KMSMasterKeyArn": key}),
        );
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
    Value::Object(m)
}

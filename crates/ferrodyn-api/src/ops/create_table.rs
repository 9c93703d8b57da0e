//! CreateTable on the wire.

use ferrodyn_core::index::ProjectionType;
use ferrodyn_core::ops::create_table::{
    AttributeDefinition, CreateTableInput, IndexDefinition, KeySchemaElement, KeyType,
    ProvisionedThroughput, SseSpecification, StreamSpecification,
};
use ferrodyn_core::table::{BillingMode, TableClass, Tag};
use ferrodyn_model::schema::ScalarType;
use serde_json::{Value, json};

use super::Call;
use crate::error::ApiError;
use crate::wire::{describe, opt_bool, opt_str, opt_u64, table_name};

pub(crate) fn billing_mode(body: &Value) -> Option<BillingMode> {
    match opt_str(body, "BillingMode") {
        Some("PAY_PER_REQUEST") => Some(BillingMode::PayPerRequest),
        Some("PROVISIONED") => Some(BillingMode::Provisioned),
        _ => None,
    }
}

pub(crate) fn throughput(body: &Value) -> Option<ProvisionedThroughput> {
    let t = body.get("ProvisionedThroughput")?;
    Some(ProvisionedThroughput {
        read: opt_u64(t, "ReadCapacityUnits").unwrap_or(0),
        write: opt_u64(t, "WriteCapacityUnits").unwrap_or(0),
    })
}

pub(crate) fn table_class(body: &Value) -> Option<TableClass> {
    match opt_str(body, "TableClass") {
        Some("STANDARD") => Some(TableClass::Standard),
        Some("STANDARD_INFREQUENT_ACCESS") => Some(TableClass::StandardInfrequentAccess),
        _ => None,
    }
}

pub(crate) fn sse(body: &Value) -> Option<SseSpecification> {
    let s = body.get("SSESpecification")?;
    Some(SseSpecification {
        enabled: opt_bool(s, "Enabled"),
        sse_type: opt_str(s, "SSEType").map(str::to_owned),
        kms_master_key_id: opt_str(s, "KMSMasterKeyId").map(str::to_owned),
    })
}

pub(crate) fn stream(body: &Value) -> Option<StreamSpecification> {
    let s = body.get("StreamSpecification")?;
    Some(StreamSpecification {
        enabled: opt_bool(s, "StreamEnabled").unwrap_or(false),
        view_type: opt_str(s, "StreamViewType").map(str::to_owned),
    })
}

/// `Tags`. A tag without a key or value is refused here, where its absence
/// is still visible, with the message DynamoDB gives.
pub(crate) fn tags(body: &Value) -> Result<Vec<Tag>, ApiError> {
    let Some(list) = body.get("Tags").and_then(Value::as_array) else {
        return Ok(Vec::new());
    };
    list.iter()
        .map(|t| {
            let key = opt_str(t, "Key").ok_or_else(|| {
                ApiError::Validation("The Tag Key provided is invalid, Key: null".into())
            })?;
            let value = opt_str(t, "Value").ok_or_else(|| {
                ApiError::Validation("The Tag Value provided is invalid, Value: null".into())
            })?;
            Ok(Tag {
                key: key.to_owned(),
                value: value.to_owned(),
            })
        })
        .collect()
}

/// A `KeySchema` member.
pub(crate) fn key_schema(body: &Value) -> Vec<KeySchemaElement> {
    body.get("KeySchema")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .map(|k| KeySchemaElement {
                    name: opt_str(k, "AttributeName").unwrap_or_default().to_owned(),
                    key_type: if opt_str(k, "KeyType") == Some("RANGE") {
                        KeyType::Range
                    } else {
                        KeyType::Hash
                    },
                })
                .collect()
        })
        .unwrap_or_default()
}

/// One index definition (`GlobalSecondaryIndex`, `LocalSecondaryIndex`,
/// or UpdateTable's `Create`).
pub(crate) fn index_definition(body: &Value) -> IndexDefinition {
    let projection = body.get("Projection");
    IndexDefinition {
        name: opt_str(body, "IndexName").unwrap_or_default().to_owned(),
        key_schema: key_schema(body),
        projection_type: projection.and_then(|p| match opt_str(p, "ProjectionType") {
            Some("ALL") => Some(ProjectionType::All),
            Some("KEYS_ONLY") => Some(ProjectionType::KeysOnly),
            Some("INCLUDE") => Some(ProjectionType::Include),
            _ => None,
        }),
        non_key_attributes: projection
            .and_then(|p| p.get("NonKeyAttributes"))
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            }),
        provisioned_throughput: throughput(body),
    }
}

fn index_list(body: &Value, member: &str) -> Option<Vec<IndexDefinition>> {
    body.get(member)
        .and_then(Value::as_array)
        .map(|l| l.iter().map(index_definition).collect())
}

/// An `AttributeDefinitions` member.
pub(crate) fn attribute_definitions(body: &Value) -> Vec<AttributeDefinition> {
    body.get("AttributeDefinitions")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .map(|a| AttributeDefinition {
                    name: opt_str(a, "AttributeName").unwrap_or_default().to_owned(),
                    scalar_type: opt_str(a, "AttributeType")
                        .and_then(ScalarType::from_wire_name)
                        .unwrap_or(ScalarType::S),
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let input = CreateTableInput {
        table_name: table_name(body, "TableName")?,
        attribute_definitions: attribute_definitions(body),
        key_schema: key_schema(body),
        billing_mode: billing_mode(body),
        provisioned_throughput: throughput(body),
        tags: tags(body)?,
        deletion_protection_enabled: opt_bool(body, "DeletionProtectionEnabled"),
        table_class: table_class(body),
        sse_specification: sse(body),
        stream_specification: stream(body),
        global_secondary_indexes: index_list(body, "GlobalSecondaryIndexes"),
        local_secondary_indexes: index_list(body, "LocalSecondaryIndexes"),
    };
    let d = call.db.create_table(call.ctx, input)?;
    Ok(json!({ "TableDescription": describe::table_description(&d) }))
}

//! DynamoDB Streams' DescribeStream on the wire.

use ferrodyn_core::ops::describe_stream::{DESCRIBE_STREAM_LIMIT_MAX, DescribeStreamInput};
use serde_json::{Map, Value, json};

use super::Call;
use super::streams::limit;
use crate::error::ApiError;
use crate::wire::opt_str;

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let filter = call.body.get("ShardFilter");
    let child_shards_of = match filter {
        Some(f) if !f.is_null() => {
            let kind = opt_str(f, "Type");
            let shard = opt_str(f, "ShardId");
            match (kind, shard) {
                (Some("CHILD_SHARDS"), Some(id)) => Some(id.to_owned()),
                // UNCONFIRMED wording (docs/compatibility.md).
                _ => {
                    return Err(ApiError::Validation(
                        "ShardFilter of type CHILD_SHARDS requires a ShardId".into(),
                    ));
                }
            }
        }
        _ => None,
    };
    let d = call.db.describe_stream(
        call.ctx,
        DescribeStreamInput {
            stream_arn: opt_str(call.body, "StreamArn")
                .unwrap_or_default()
                .to_owned(),
            limit: limit(call.body, DESCRIBE_STREAM_LIMIT_MAX)?,
            exclusive_start_shard_id: opt_str(call.body, "ExclusiveStartShardId")
                .map(str::to_owned),
            child_shards_of,
        },
    )?;
    let mut key_schema =
        vec![json!({"AttributeName": d.key_schema.partition.name, "KeyType": "HASH"})];
    if let Some(sort) = &d.key_schema.sort {
        key_schema.push(json!({"AttributeName": sort.name, "KeyType": "RANGE"}));
    }
    let shards: Vec<Value> = d
        .shards
        .iter()
        .map(|s| {
            let mut range = Map::new();
            range.insert(
                "StartingSequenceNumber".into(),
                json!(s.starting_sequence_number),
            );
            if let Some(end) = &s.ending_sequence_number {
                range.insert("EndingSequenceNumber".into(), json!(end));
            }
            let mut shard = Map::new();
            shard.insert("ShardId".into(), json!(s.shard_id));
            shard.insert("SequenceNumberRange".into(), Value::Object(range));
            if let Some(parent) = &s.parent_shard_id {
                shard.insert("ParentShardId".into(), json!(parent));
            }
            Value::Object(shard)
        })
        .collect();
    let mut m = Map::new();
    m.insert("StreamArn".into(), json!(d.stream_arn));
    m.insert("StreamLabel".into(), json!(d.stream_label));
    m.insert("StreamStatus".into(), json!(d.stream_status));
    m.insert(
        "StreamViewType".into(),
        json!(d.stream_view_type.wire_name()),
    );
    m.insert(
        "CreationRequestDateTime".into(),
        json!(d.creation_request_millis as f64 / 1000.0),
    );
    m.insert("TableName".into(), json!(d.table_name));
    m.insert("KeySchema".into(), Value::Array(key_schema));
    m.insert("Shards".into(), Value::Array(shards));
    if let Some(id) = d.last_evaluated_shard_id {
        m.insert("LastEvaluatedShardId".into(), json!(id));
    }
    Ok(json!({ "StreamDescription": Value::Object(m) }))
}

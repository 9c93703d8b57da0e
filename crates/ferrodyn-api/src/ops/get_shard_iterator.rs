//! DynamoDB Streams' GetShardIterator on the wire.

use ferrodyn_core::ops::get_shard_iterator::{GetShardIteratorInput, ShardIteratorType};
use serde_json::{Value, json};

use super::Call;
use crate::error::ApiError;
use crate::wire::opt_str;

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    // The shape check has enforced the enum.
    let iterator_type = match opt_str(call.body, "ShardIteratorType") {
        Some("LATEST") => ShardIteratorType::Latest,
        Some("AT_SEQUENCE_NUMBER") => ShardIteratorType::AtSequenceNumber,
        Some("AFTER_SEQUENCE_NUMBER") => ShardIteratorType::AfterSequenceNumber,
        Some("AT_TIMESTAMP") => ShardIteratorType::AtTimestamp,
        _ => ShardIteratorType::TrimHorizon,
    };
    let iterator = call.db.get_shard_iterator(
        call.ctx,
        GetShardIteratorInput {
            stream_arn: opt_str(call.body, "StreamArn")
                .unwrap_or_default()
                .to_owned(),
            shard_id: opt_str(call.body, "ShardId").unwrap_or_default().to_owned(),
            iterator_type,
            sequence_number: opt_str(call.body, "SequenceNumber").map(str::to_owned),
            // A timestamp is epoch seconds, possibly with a fraction.
            timestamp_millis: call
                .body
                .get("Timestamp")
                .and_then(Value::as_f64)
                .map(|secs| (secs * 1000.0) as i64),
        },
    )?;
    Ok(json!({ "ShardIterator": iterator }))
}

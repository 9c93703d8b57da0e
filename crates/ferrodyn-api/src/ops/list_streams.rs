//! DynamoDB Streams' ListStreams on the wire.

use ferrodyn_core::ops::describe_stream::{LIST_STREAMS_LIMIT_MAX, ListStreamsInput};
use serde_json::{Map, Value, json};

use super::Call;
use super::streams::limit;
use crate::error::ApiError;
use crate::wire::opt_str;

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let out = call.db.list_streams(
        call.ctx,
        ListStreamsInput {
            table_name: opt_str(call.body, "TableName").map(str::to_owned),
            limit: limit(call.body, LIST_STREAMS_LIMIT_MAX)?,
            exclusive_start_stream_arn: opt_str(call.body, "ExclusiveStartStreamArn")
                .map(str::to_owned),
        },
    )?;
    let mut m = Map::new();
    m.insert(
        "Streams".into(),
        Value::Array(
            out.streams
                .iter()
                .map(|s| {
                    json!({"StreamArn": s.stream_arn, "TableName": s.table_name, "StreamLabel": s.stream_label})
                })
                .collect(),
        ),
    );
    if let Some(arn) = out.last_evaluated_stream_arn {
        m.insert("LastEvaluatedStreamArn".into(), json!(arn));
    }
    Ok(Value::Object(m))
}

//! DynamoDB Streams' GetRecords on the wire.

use ferrodyn_core::ops::get_records::{GET_RECORDS_LIMIT_MAX, GetRecordsInput};
use serde_json::{Map, Value, json};

use super::Call;
use super::streams::{limit, record};
use crate::error::ApiError;
use crate::wire::opt_str;

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let out = call.db.get_records(
        call.ctx,
        GetRecordsInput {
            shard_iterator: opt_str(call.body, "ShardIterator")
                .unwrap_or_default()
                .to_owned(),
            limit: limit(call.body, GET_RECORDS_LIMIT_MAX)?,
        },
    )?;
    let mut m = Map::new();
    m.insert(
        "Records".into(),
        Value::Array(out.records.iter().map(record).collect()),
    );
    // At the end of a closed shard the member is absent, as on AWS.
    if let Some(next) = out.next_shard_iterator {
        m.insert("NextShardIterator".into(), json!(next));
    }
    Ok(Value::Object(m))
}

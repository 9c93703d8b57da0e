//! DescribeEndpoints on the wire.

use serde_json::{Value, json};

use super::Call;
use crate::error::ApiError;

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let endpoints: Vec<Value> = call
        .db
        .describe_endpoints(call.host)
        .iter()
        .map(|e| json!({"Address": e.address, "CachePeriodInMinutes": e.cache_period_minutes}))
        .collect();
    Ok(json!({ "Endpoints": endpoints }))
}

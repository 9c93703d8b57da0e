//! UntagResource on the wire.

use serde_json::Value;

use super::Call;
use crate::error::ApiError;
use crate::wire::opt_str;

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let arn = opt_str(call.body, "ResourceArn").unwrap_or_default();
    let keys: Vec<String> = call
        .body
        .get("TagKeys")
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    call.db.untag_resource(call.ctx, arn, &keys)?;
    // DynamoDB answers with an empty body.
    Ok(Value::Null)
}

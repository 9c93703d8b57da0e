//! TagResource on the wire.

use serde_json::Value;

use super::Call;
use super::create_table::tags;
use crate::error::ApiError;
use crate::wire::opt_str;

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let arn = opt_str(call.body, "ResourceArn").unwrap_or_default();
    call.db.tag_resource(call.ctx, arn, tags(call.body)?)?;
    // DynamoDB answers with an empty body.
    Ok(Value::Null)
}

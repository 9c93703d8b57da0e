//! ListTagsOfResource on the wire.

use serde_json::{Value, json};

use super::Call;
use crate::error::ApiError;
use crate::wire::opt_str;

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let arn = opt_str(call.body, "ResourceArn").unwrap_or_default();
    let tags = call.db.list_tags_of_resource(call.ctx, arn)?;
    let tags: Vec<Value> = tags
        .iter()
        .map(|t| json!({"Key": t.key, "Value": t.value}))
        .collect();
    Ok(json!({ "Tags": tags }))
}

//! DescribeTimeToLive on the wire.

use serde_json::{Map, Value, json};

use super::Call;
use crate::error::ApiError;
use crate::wire::data_table_name;

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let name = data_table_name(call.body, "TableName")?;
    let d = call.db.describe_time_to_live(call.ctx, &name)?;
    let mut m = Map::new();
    m.insert("TimeToLiveStatus".into(), json!(d.status));
    if let Some(attribute) = d.attribute_name {
        m.insert("AttributeName".into(), json!(attribute));
    }
    Ok(json!({ "TimeToLiveDescription": Value::Object(m) }))
}

//! UpdateTimeToLive on the wire.

use ferrodyn_core::ops::update_time_to_live::TimeToLiveSpecification;
use serde_json::{Value, json};

use super::Call;
use crate::error::ApiError;
use crate::wire::{data_table_name, opt_bool, opt_str};

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let name = data_table_name(call.body, "TableName")?;
    // The shape check has required both members, with their types.
    let spec = call
        .body
        .get("TimeToLiveSpecification")
        .unwrap_or(&Value::Null);
    let out = call.db.update_time_to_live(
        call.ctx,
        &name,
        TimeToLiveSpecification {
            enabled: opt_bool(spec, "Enabled").unwrap_or(false),
            attribute_name: opt_str(spec, "AttributeName")
                .unwrap_or_default()
                .to_owned(),
        },
    )?;
    // The answer echoes the request.
    Ok(json!({
        "TimeToLiveSpecification": {"Enabled": out.enabled, "AttributeName": out.attribute_name}
    }))
}

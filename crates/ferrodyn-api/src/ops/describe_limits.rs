//! DescribeLimits on the wire.

use serde_json::{Value, json};

use super::Call;
use crate::error::ApiError;

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let l = call.db.describe_limits();
    Ok(json!({
        "AccountMaxReadCapacityUnits": l.account_max_read,
        "AccountMaxWriteCapacityUnits": l.account_max_write,
        "TableMaxReadCapacityUnits": l.table_max_read,
        "TableMaxWriteCapacityUnits": l.table_max_write,
    }))
}

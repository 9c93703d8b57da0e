//! ListExports on the wire.

use ferrodyn_core::ops::list_exports::ListExportsInput;
use serde_json::{Map, Value, json};

use super::Call;
use crate::error::ApiError;
use crate::wire::{export, opt_str, opt_u64};

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let body = call.body;
    let input = ListExportsInput {
        table_arn: opt_str(body, "TableArn").map(str::to_owned),
        max_results: opt_u64(body, "MaxResults").map(|n| n as usize),
        next_token: opt_str(body, "NextToken").map(str::to_owned),
    };
    let out = call.db.list_exports(call.ctx, input)?;
    let mut m = Map::new();
    m.insert(
        "ExportSummaries".into(),
        Value::Array(out.exports.iter().map(export::export_summary).collect()),
    );
    if let Some(token) = out.next_token {
        m.insert("NextToken".into(), json!(token));
    }
    Ok(Value::Object(m))
}

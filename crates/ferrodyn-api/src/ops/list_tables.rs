//! ListTables on the wire.

use ferrodyn_model::limits::LIST_TABLES_LIMIT_MAX;
use serde_json::{Map, Value, json};

use super::Call;
use crate::error::ApiError;
use crate::wire::{opt_str, opt_u64};

pub(super) fn handle(call: &Call<'_>) -> Result<Value, ApiError> {
    let limit = opt_u64(call.body, "Limit").map_or(LIST_TABLES_LIMIT_MAX, |l| l as usize);
    let out = call.db.list_tables(
        call.ctx,
        opt_str(call.body, "ExclusiveStartTableName"),
        limit,
    )?;
    let mut m = Map::new();
    m.insert("TableNames".into(), json!(out.table_names));
    if let Some(last) = out.last_evaluated_table_name {
        m.insert("LastEvaluatedTableName".into(), json!(last));
    }
    Ok(Value::Object(m))
}

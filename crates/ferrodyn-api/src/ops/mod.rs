//! One handler per operation: wire JSON in, core call, wire JSON out.
//! Requests reach a handler only after [`crate::wire::shapes`] has checked
//! them against the service model, so handlers read members leniently.

mod batch_execute_statement;
mod batch_get_item;
mod batch_write_item;
mod create_backup;
mod create_table;
mod delete_backup;
mod delete_item;
mod delete_table;
mod describe_backup;
mod describe_continuous_backups;
mod describe_endpoints;
mod describe_export;
mod describe_limits;
mod describe_stream;
mod describe_table;
mod describe_time_to_live;
mod execute_statement;
mod execute_transaction;
mod export_table_to_point_in_time;
mod get_item;
mod get_records;
mod get_shard_iterator;
mod kinesis_streaming_destination;
mod list_backups;
mod list_exports;
mod list_streams;
mod list_tables;
mod list_tags_of_resource;
mod put_item;
mod query;
mod restore_table_from_backup;
mod restore_table_to_point_in_time;
mod scan;
mod streams;
mod tag_resource;
mod transact_get_items;
mod transact_write_items;
mod untag_resource;
mod update_continuous_backups;
mod update_item;
mod update_table;
mod update_time_to_live;

use ferrodyn_core::{Database, RequestContext};
use serde_json::Value;

use crate::error::ApiError;

/// Everything a handler may need.
#[derive(Debug)]
pub struct Call<'a> {
    /// The database.
    pub db: &'a Database,
    /// Who is asking.
    pub ctx: &'a RequestContext,
    /// The request body, shape-checked.
    pub body: &'a Value,
    /// The `Host` the request was addressed to.
    pub host: &'a str,
}

/// Whether an operation writes (and so may wait on an fsync): the HTTP
/// layer runs those on the blocking pool. PartiQL's operations write unless
/// every statement of the request is a SELECT.
pub fn is_write(operation: &str, body: &Value) -> bool {
    let list = match operation {
        "ExecuteStatement" => return !all_select(std::iter::once(body)),
        "BatchExecuteStatement" => "Statements",
        "ExecuteTransaction" => "TransactStatements",
        _ => "",
    };
    if !list.is_empty() {
        return !body
            .get(list)
            .and_then(Value::as_array)
            .is_some_and(|l| all_select(l.iter()));
    }
    matches!(
        operation,
        "PutItem"
            | "DeleteItem"
            | "UpdateItem"
            | "BatchWriteItem"
            | "TransactWriteItems"
            | "CreateTable"
            | "DeleteTable"
            | "CreateBackup"
            | "DeleteBackup"
            | "RestoreTableFromBackup"
            | "RestoreTableToPointInTime"
            | "ExportTableToPointInTime"
            | "UpdateContinuousBackups"
            | "UpdateTable"
            | "TagResource"
            | "UntagResource"
            | "UpdateTimeToLive"
            | "EnableKinesisStreamingDestination"
            | "DisableKinesisStreamingDestination"
            | "UpdateKinesisStreamingDestination"
            // Its first call makes the key that signs iterators.
            | STREAMS_GET_SHARD_ITERATOR
    )
}

/// Whether every one of `statements` (objects with a `Statement`) is a
/// SELECT.
fn all_select<'a>(mut statements: impl Iterator<Item = &'a Value>) -> bool {
    statements.all(|s| {
        s.get("Statement")
            .and_then(Value::as_str)
            .is_some_and(ferrodyn_partiql::starts_with_select)
    })
}

/// DynamoDB Streams' operations are named by their whole target, which
/// keeps them apart from DynamoDB's (`service.rs` routes by exact prefix).
const STREAMS_LIST_STREAMS: &str = "DynamoDBStreams_20120810.ListStreams";
const STREAMS_DESCRIBE_STREAM: &str = "DynamoDBStreams_20120810.DescribeStream";
const STREAMS_GET_SHARD_ITERATOR: &str = "DynamoDBStreams_20120810.GetShardIterator";
const STREAMS_GET_RECORDS: &str = "DynamoDBStreams_20120810.GetRecords";

/// Whether the operation writes one item in one commit, after its last
/// read and before nothing but building its answer: such an operation may
/// run with its durability deferred, since if one of its reads cannot be
/// served from memory it fails before it has committed anything and can
/// simply run again (see `service.rs`).
pub fn writes_one_item(operation: &str) -> bool {
    matches!(operation, "PutItem" | "DeleteItem" | "UpdateItem")
}

/// Whether no commit of the operation reads what an earlier one of its
/// commits wrote (BatchWriteItem's items are distinct and unconditional):
/// its commits may be queued one after another and their durability
/// awaited once, sharing one fsync.
pub fn commits_independently(operation: &str) -> bool {
    writes_one_item(operation) || operation == "BatchWriteItem"
}

/// Runs one operation; `None` if ferrodyn does not implement it.
pub fn dispatch(operation: &str, call: &Call<'_>) -> Option<Result<Value, ApiError>> {
    Some(match operation {
        "BatchGetItem" => batch_get_item::handle(call),
        "BatchWriteItem" => batch_write_item::handle(call),
        "CreateBackup" => create_backup::handle(call),
        "CreateTable" => create_table::handle(call),
        "DeleteBackup" => delete_backup::handle(call),
        "DescribeBackup" => describe_backup::handle(call),
        "DescribeContinuousBackups" => describe_continuous_backups::handle(call),
        "UpdateContinuousBackups" => update_continuous_backups::handle(call),
        "ListBackups" => list_backups::handle(call),
        "RestoreTableFromBackup" => restore_table_from_backup::handle(call),
        "RestoreTableToPointInTime" => restore_table_to_point_in_time::handle(call),
        "ExportTableToPointInTime" => export_table_to_point_in_time::handle(call),
        "DescribeExport" => describe_export::handle(call),
        "ListExports" => list_exports::handle(call),
        "DeleteItem" => delete_item::handle(call),
        "DeleteTable" => delete_table::handle(call),
        "DescribeEndpoints" => describe_endpoints::handle(call),
        "DescribeLimits" => describe_limits::handle(call),
        "DescribeTable" => describe_table::handle(call),
        "GetItem" => get_item::handle(call),
        "ListTables" => list_tables::handle(call),
        "ListTagsOfResource" => list_tags_of_resource::handle(call),
        "PutItem" => put_item::handle(call),
        "Query" => query::handle(call),
        "Scan" => scan::handle(call),
        "TagResource" => tag_resource::handle(call),
        "TransactGetItems" => transact_get_items::handle(call),
        "TransactWriteItems" => transact_write_items::handle(call),
        "UntagResource" => untag_resource::handle(call),
        "UpdateItem" => update_item::handle(call),
        "UpdateTable" => update_table::handle(call),
        "UpdateTimeToLive" => update_time_to_live::handle(call),
        "DescribeTimeToLive" => describe_time_to_live::handle(call),
        "ExecuteStatement" => execute_statement::handle(call),
        "BatchExecuteStatement" => batch_execute_statement::handle(call),
        "ExecuteTransaction" => execute_transaction::handle(call),
        "EnableKinesisStreamingDestination" => kinesis_streaming_destination::enable(call),
        "DisableKinesisStreamingDestination" => kinesis_streaming_destination::disable(call),
        "UpdateKinesisStreamingDestination" => kinesis_streaming_destination::update(call),
        "DescribeKinesisStreamingDestination" => kinesis_streaming_destination::describe(call),
        STREAMS_LIST_STREAMS => list_streams::handle(call),
        STREAMS_DESCRIBE_STREAM => describe_stream::handle(call),
        STREAMS_GET_SHARD_ITERATOR => get_shard_iterator::handle(call),
        STREAMS_GET_RECORDS => get_records::handle(call),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::is_write;

    #[test]
    fn partiql_reads_are_not_writes() {
        let one = |s: &str| json!({ "Statement": s });
        assert!(!is_write(
            "ExecuteStatement",
            &one("  -- a read\n select * from t")
        ));
        assert!(is_write(
            "ExecuteStatement",
            &one("UPDATE t SET a = 1 WHERE pk = 'k'")
        ));
        assert!(is_write("ExecuteStatement", &one("'unterminated")));
        let list = |member: &str, statements: &[&str]| json!({ member: statements.iter().map(|s| json!({ "Statement": s })).collect::<Vec<_>>() });
        assert!(!is_write(
            "BatchExecuteStatement",
            &list("Statements", &["SELECT * FROM t", "select a FROM t"])
        ));
        assert!(is_write(
            "BatchExecuteStatement",
            &list(
                "Statements",
                &["SELECT * FROM t", "DELETE FROM t WHERE pk = 1"]
            )
        ));
        assert!(!is_write(
            "ExecuteTransaction",
            &list("TransactStatements", &["SELECT * FROM t"])
        ));
        assert!(is_write(
            "ExecuteTransaction",
            &list("TransactStatements", &["EXISTS(SELECT * FROM t)"])
        ));
        assert!(is_write("PutItem", &json!({})));
        assert!(!is_write("GetItem", &json!({})));
    }
}

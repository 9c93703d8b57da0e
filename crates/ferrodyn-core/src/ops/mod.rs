//! One module per DynamoDB operation. Each defines its typed input and
//! output and an `impl Database` block with the operation itself.

pub mod batch_execute_statement;
pub mod batch_get_item;
pub mod batch_write_item;
pub mod create_backup;
pub mod create_table;
pub mod delete_backup;
pub mod delete_item;
pub mod delete_table;
pub mod describe_backup;
pub mod describe_continuous_backups;
pub mod describe_endpoints;
pub mod describe_export;
pub mod describe_limits;
pub mod describe_stream;
pub mod describe_table;
pub mod execute_statement;
pub mod execute_transaction;
pub mod export_table_to_point_in_time;
pub mod get_item;
pub mod get_records;
pub mod get_shard_iterator;
pub mod list_backups;
pub mod list_exports;
pub mod list_tables;
pub mod list_tags_of_resource;
pub mod put_item;
pub mod query;
pub mod restore_table_from_backup;
pub mod restore_table_to_point_in_time;
pub mod scan;
pub mod streams;
pub mod tag_resource;
pub mod transact_get_items;
pub mod transact_write_items;
pub mod untag_resource;
pub mod update_continuous_backups;
pub mod update_item;
pub mod update_table;
pub mod update_time_to_live;

use crate::table::TableMeta;

/// A table as DescribeTable and friends report it.
#[derive(Clone, Debug, PartialEq)]
pub struct TableDescription {
    /// The table's metadata.
    pub meta: TableMeta,
    /// The status to report.
    pub status: crate::table::TableStatus,
    /// `ItemCount`.
    pub item_count: i64,
    /// `TableSizeBytes`.
    pub size_bytes: i64,
    /// `ItemCount` and `IndexSizeBytes` of each of `meta.indexes`, in order.
    pub index_stats: Vec<(i64, i64)>,
}

/// What PutItem, UpdateItem and DeleteItem answer.
#[derive(Clone, Debug, Default)]
pub struct ItemWriteOutput {
    /// `Attributes`, as the request's `ReturnValues` asked.
    pub attributes: Option<ferrodyn_model::Item>,
    /// `ConsumedCapacity`.
    pub consumed_capacity: Option<crate::capacity::ConsumedCapacity>,
    /// `ItemCollectionMetrics`, when asked for on a table with local
    /// secondary indexes.
    pub item_collection_metrics: Option<crate::database::ItemCollection>,
}

/// `ReturnValues`. PutItem and DeleteItem take only `None` and `AllOld`
/// (the wire layer rejects the others for them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReturnValues {
    /// Nothing.
    #[default]
    None,
    /// The whole item as it was.
    AllOld,
    /// The updated attributes as they were.
    UpdatedOld,
    /// The whole item as it is now.
    AllNew,
    /// The updated attributes as they are now.
    UpdatedNew,
}

/// The not-found message of table-level operations.
pub(crate) fn table_not_found(name: &str) -> String {
    format!("Requested resource not found: Table: {name} not found")
}

/// The not-found message of item-level operations.
pub(crate) fn resource_not_found(_: &str) -> String {
    "Requested resource not found".to_owned()
}

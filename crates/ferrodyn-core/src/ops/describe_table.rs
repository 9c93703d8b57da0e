//! DescribeTable.

use super::{TableDescription, table_not_found};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::Result;
use crate::table::TableStatus;

impl Database {
    /// DescribeTable: the table's settings, status and statistics.
    ///
    /// `ItemCount` and `TableSizeBytes` are exact at the moment of the call;
    /// AWS refreshes them about every six hours.
    pub fn describe_table(
        &self,
        ctx: &RequestContext,
        table_name: &str,
    ) -> Result<TableDescription> {
        let meta = self.resolve_table_in_any_state(ctx, table_name, table_not_found)?;
        let status = if meta.is_restoring() {
            TableStatus::Creating
        } else {
            TableStatus::Active
        };
        self.describe(&meta, status)
    }

    pub(crate) fn describe(
        &self,
        meta: &crate::table::TableMeta,
        status: TableStatus,
    ) -> Result<TableDescription> {
        let (item_count, size_bytes) = self.table_stats(meta.id)?;
        let index_stats = meta
            .indexes
            .iter()
            .map(|i| self.table_stats(i.id))
            .collect::<Result<Vec<_>>>()?;
        Ok(TableDescription {
            meta: meta.clone(),
            status,
            item_count,
            size_bytes,
            index_stats,
        })
    }
}

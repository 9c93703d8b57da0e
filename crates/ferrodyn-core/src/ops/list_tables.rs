//! ListTables: an account's table names in one region, in order, paged.

use crate::context::RequestContext;
use crate::database::Database;
use crate::error::Result;

/// ListTables' output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListTablesOutput {
    /// `TableNames`.
    pub table_names: Vec<String>,
    /// `LastEvaluatedTableName`, when more names follow.
    pub last_evaluated_table_name: Option<String>,
}

impl Database {
    /// ListTables. `limit` is already validated (1 to 100, default 100).
    pub fn list_tables(
        &self,
        ctx: &RequestContext,
        exclusive_start: Option<&str>,
        limit: usize,
    ) -> Result<ListTablesOutput> {
        let (names, more) = self
            .catalog
            .list(&ctx.account_id, &ctx.region, exclusive_start, limit);
        let last = if more { names.last().cloned() } else { None };
        Ok(ListTablesOutput {
            table_names: names,
            last_evaluated_table_name: last,
        })
    }
}

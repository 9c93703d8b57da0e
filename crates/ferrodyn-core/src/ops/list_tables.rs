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
    /// `LastEvaluatedTableName` is set whenever the page is full.
    /// `LastEvaluatedTableName` is set whenever the page is full.
    pub fn list_tables(
        &self,
        ctx: &RequestContext,
        exclusive_start: Option<&str>,
        limit: usize,
    ) -> Result<ListTablesOutput> {
        // Like Query and Scan, a full page names its last table even when no
        // more follow; the next request then returns an empty page.
        let names = self
            .catalog
            .list(&ctx.account_id, &ctx.region, exclusive_start, limit);
        let last = if names.len() == limit {
            names.last().cloned()
        } else {
            None
        };
        Ok(ListTablesOutput {
            table_names: names,
            last_evaluated_table_name: last,
        })
    }
}

//! ListExports.

use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::export::ExportMeta;

/// How many exports a page lists unless `MaxResults` says otherwise.
pub const LIST_EXPORTS_PAGE_DEFAULT: usize = 10;

/// ListExports' input.
#[derive(Clone, Debug, Default)]
pub struct ListExportsInput {
    /// `TableArn`: only the exports of the table now of that name.
    pub table_arn: Option<String>,
    /// `MaxResults` (1 to 25).
    pub max_results: Option<usize>,
    /// `NextToken`.
    pub next_token: Option<String>,
}

/// ListExports' answer.
#[derive(Clone, Debug, Default)]
pub struct ListExportsOutput {
    /// `ExportSummaries`, newest first.
    pub exports: Vec<ExportMeta>,
    /// `NextToken`, when more follow.
    pub next_token: Option<String>,
}

impl Database {
    /// ListExports: newest first; a table's exports are those of the table
    /// that has the name now (none once it is deleted, as on AWS).
    pub fn list_exports(
        &self,
        ctx: &RequestContext,
        input: ListExportsInput,
    ) -> Result<ListExportsOutput> {
        let mut all = self.export_records(&ctx.account_id, &ctx.region)?;
        all.reverse();
        if let Some(arn) = &input.table_arn {
            let table = self.resolve_table(ctx, arn, str::to_owned).ok();
            all.retain(|e| table.as_ref().is_some_and(|t| t.id == e.table.id));
        }
        let start = match &input.next_token {
            None => 0,
            Some(token) => {
                all.iter().position(|e| &e.id == token).ok_or_else(|| {
                    CoreError::validation(format!(
                        "Invalid Request: Provided nextToken is invalid: {token}"
                    ))
                })? + 1
            }
        };
        let page = input.max_results.unwrap_or(LIST_EXPORTS_PAGE_DEFAULT);
        let exports: Vec<ExportMeta> = all.iter().skip(start).take(page).cloned().collect();
        let next_token = (all.len() > start + page)
            .then(|| exports.last().map(|e| e.id.clone()))
            .flatten();
        Ok(ListExportsOutput {
            exports,
            next_token,
        })
    }
}

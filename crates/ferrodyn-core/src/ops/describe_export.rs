//! DescribeExport.

use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::export::ExportMeta;
use crate::table::parse_table_arn;

impl Database {
    /// DescribeExport: a malformed ARN is `Invalid Export ARN`; another
    /// region's, or an unknown one, is not found (AWS's messages).
    pub fn describe_export(&self, ctx: &RequestContext, arn: &str) -> Result<ExportMeta> {
        let parsed = arn
            .rsplit_once("/export/")
            .filter(|(table, id)| parse_table_arn(table).is_some() && is_export_id(id));
        let Some((table_arn, id)) = parsed else {
            return Err(CoreError::validation("Invalid Export ARN"));
        };
        let Some((region, account, _)) = parse_table_arn(table_arn) else {
            return Err(CoreError::validation("Invalid Export ARN"));
        };
        if region != ctx.region || account != ctx.account_id {
            return Err(CoreError::ExportNotFound(
                "Export not found: Invalid export arn".into(),
            ));
        }
        self.export_record(account, region, id)?
            .filter(|e| e.arn() == arn)
            .ok_or_else(|| {
                CoreError::ExportNotFound(format!("Export not found: Export not found: {arn}"))
            })
    }
}

/// `<14 digits>-<8 hex digits>`.
fn is_export_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    bytes.len() == 23
        && bytes[..14].iter().all(u8::is_ascii_digit)
        && bytes[14] == b'-'
        && bytes[15..].iter().all(u8::is_ascii_hexdigit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_ids_are_millis_and_hex() {
        assert!(is_export_id("01791506414432-3f2e5aa4"));
        assert!(!is_export_id("01791506414432-3f2e5aa"));
        assert!(!is_export_id("0179150641443x-3f2e5aa4"));
    }
}

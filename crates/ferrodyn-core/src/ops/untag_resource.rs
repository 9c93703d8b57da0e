//! UntagResource: removes tags from a table, named by ARN.

use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};

impl Database {
    /// UntagResource. Keys the table does not carry are ignored, as on AWS.
    pub fn untag_resource(&self, ctx: &RequestContext, arn: &str, keys: &[String]) -> Result<()> {
        if keys.is_empty() {
            return Err(CoreError::validation(
                "Atleast one Tag Key needs to be provided as Input.",
            ));
        }
        if let Some(k) = keys
            .iter()
            .find(|k| k.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:")))
        {
            return Err(super::tag_resource::reserved_prefix_error(k));
        }
        let ddl = self.catalog.lock_ddl();
        let mut meta = (*self.resolve_arn(ctx, arn, "UntagResource")?).clone();
        meta.tags.retain(|t| !keys.contains(&t.key));
        self.catalog.replace(self.engine.as_ref(), &ddl, meta)?;
        Ok(())
    }
}

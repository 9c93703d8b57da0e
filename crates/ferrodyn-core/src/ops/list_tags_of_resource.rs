//! ListTagsOfResource.

use crate::context::RequestContext;
use crate::database::Database;
use crate::error::Result;
use crate::table::Tag;

impl Database {
    /// ListTagsOfResource: all tags of the table. A table carries at most
    /// 50 tags, so one page always holds them and no `NextToken` is issued.
    pub fn list_tags_of_resource(&self, ctx: &RequestContext, arn: &str) -> Result<Vec<Tag>> {
        Ok(self
            .resolve_arn(ctx, arn, "ListTagsOfResource")?
            .tags
            .clone())
    }
}

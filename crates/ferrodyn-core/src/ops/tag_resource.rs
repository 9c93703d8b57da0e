//! TagResource: adds or replaces tags on a table, named by ARN.

use ferrodyn_model::limits::{TAG_KEY_LENGTH_MAX, TAG_VALUE_LENGTH_MAX, TAGS_PER_RESOURCE_MAX};
use ferrodyn_storage::WriteBatch;

use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::table::{TableMeta, Tag, parse_table_arn};

/// Validates tags about to be added to a resource that has `existing` tags
/// with other keys.
pub(crate) fn validate_tags(tags: &[Tag], existing: usize) -> Result<()> {
    for t in tags {
        let key_len = t.key.chars().count();
        if key_len == 0
            || key_len > TAG_KEY_LENGTH_MAX
            || t.value.chars().count() > TAG_VALUE_LENGTH_MAX
        {
            return Err(CoreError::invalid_parameter(
                "Tag key or value length is invalid",
            ));
        }
        if t.key.starts_with("aws:") {
            return Err(CoreError::invalid_parameter(
                "Tag key cannot start with the reserved prefix aws:",
            ));
        }
    }
    if existing + tags.len() > TAGS_PER_RESOURCE_MAX {
        return Err(CoreError::LimitExceeded(format!(
            "The number of tags for the resource exceeds the limit of {TAGS_PER_RESOURCE_MAX}"
        )));
    }
    Ok(())
}

impl Database {
    /// Resolves a `ResourceArn` to a table of the caller's.
    pub(crate) fn resolve_arn(
        &self,
        ctx: &RequestContext,
        arn: &str,
    ) -> Result<std::sync::Arc<TableMeta>> {
        let Some((region, account, name)) = parse_table_arn(arn) else {
            return Err(CoreError::validation(format!(
                "Invalid TableArn: Invalid ResourceArn provided as input {arn}"
            )));
        };
        let not_found = || {
            CoreError::ResourceNotFound(format!(
                "Requested resource not found: ResourceArn: {arn} not found"
            ))
        };
        if region != ctx.region || account != ctx.account_id {
            return Err(not_found());
        }
        self.catalog
            .get(account, region, name)
            .ok_or_else(not_found)
    }

    /// TagResource.
    pub fn tag_resource(&self, ctx: &RequestContext, arn: &str, tags: Vec<Tag>) -> Result<()> {
        let ddl = self.catalog.lock_ddl();
        let mut meta = (*self.resolve_arn(ctx, arn)?).clone();
        let kept = meta
            .tags
            .iter()
            .filter(|old| !tags.iter().any(|t| t.key == old.key))
            .count();
        validate_tags(&tags, kept)?;
        meta.tags
            .retain(|old| !tags.iter().any(|t| t.key == old.key));
        meta.tags.extend(tags);
        self.catalog.put(
            self.engine.as_ref(),
            &ddl,
            meta,
            WriteBatch::default(),
            false,
        )?;
        Ok(())
    }
}

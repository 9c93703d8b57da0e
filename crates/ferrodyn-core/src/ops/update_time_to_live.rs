//! UpdateTimeToLive and DescribeTimeToLive: which attribute holds an item's
//! expiry, and whether expired items are deleted (by `ttl.rs`).

use super::table_not_found;
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::table::TtlSettings;

/// After a change, another is refused for this long: AWS documents "up to
/// one hour" and was measured refusing at 30.2 minutes and accepting at
/// 31.2 (docs/compatibility.md).
pub const TTL_UPDATE_COOLDOWN_MILLIS: i64 = 31 * 60 * 1000;

/// `TimeToLiveSpecification`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeToLiveSpecification {
    /// `Enabled`.
    pub enabled: bool,
    /// `AttributeName`.
    pub attribute_name: String,
}

/// `TimeToLiveDescription`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeToLiveDescription {
    /// `TimeToLiveStatus`: `ENABLED` or `DISABLED` (the transitions are
    /// instant, as observed on AWS).
    pub status: &'static str,
    /// `AttributeName`, while enabled.
    pub attribute_name: Option<String>,
}

impl Database {
    /// UpdateTimeToLive, with AWS's rules: the content is checked first
    /// (already enabled or disabled, another attribute while enabled), then
    /// the cool-down after the last change. The answer echoes the request.
    pub fn update_time_to_live(
        &self,
        ctx: &RequestContext,
        table_name: &str,
        spec: TimeToLiveSpecification,
    ) -> Result<TimeToLiveSpecification> {
        let ddl = self.catalog.lock_ddl();
        let current = self.resolve_table(ctx, table_name, table_not_found)?;
        let now = self.clock.now_millis();
        let enabled = current.ttl.as_ref().filter(|t| t.enabled);
        match (spec.enabled, enabled) {
            (true, Some(t)) if t.attribute_name == spec.attribute_name => {
                return Err(CoreError::validation("TimeToLive is already enabled"));
            }
            (_, Some(t)) if t.attribute_name != spec.attribute_name => {
                return Err(CoreError::validation(format!(
                    "TimeToLive is active on a different AttributeName: current AttributeName is {}",
                    t.attribute_name
                )));
            }
            (false, None) => {
                return Err(CoreError::validation("TimeToLive is already disabled"));
            }
            _ => {}
        }
        if current
            .ttl
            .as_ref()
            .is_some_and(|t| now - t.updated_millis < self.ttl_update_cooldown_millis)
        {
            return Err(CoreError::validation(
                "Time to live has been modified multiple times within a fixed interval",
            ));
        }
        let mut meta = (*current).clone();
        meta.ttl = Some(TtlSettings {
            attribute_name: spec.attribute_name.clone(),
            enabled: spec.enabled,
            updated_millis: now,
        });
        self.catalog.replace(self.engine.as_ref(), &ddl, meta)?;
        Ok(spec)
    }

    /// DescribeTimeToLive.
    pub fn describe_time_to_live(
        &self,
        ctx: &RequestContext,
        table_name: &str,
    ) -> Result<TimeToLiveDescription> {
        let table = self.resolve_table(ctx, table_name, table_not_found)?;
        Ok(match table.ttl.as_ref().filter(|t| t.enabled) {
            Some(t) => TimeToLiveDescription {
                status: "ENABLED",
                attribute_name: Some(t.attribute_name.clone()),
            },
            None => TimeToLiveDescription {
                status: "DISABLED",
                attribute_name: None,
            },
        })
    }
}

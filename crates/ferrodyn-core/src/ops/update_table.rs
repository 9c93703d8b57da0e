//! UpdateTable: billing mode, provisioned throughput, deletion protection,
//! table class, streams and encryption settings. Index changes come with
//! secondary indexes.

use ferrodyn_storage::WriteBatch;

use super::create_table::{ProvisionedThroughput, SseSpecification, StreamSpecification};
use super::{TableDescription, table_not_found};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::table::{BillingMode, TableClass, TableStatus};

/// UpdateTable's input.
#[derive(Clone, Debug, Default)]
pub struct UpdateTableInput {
    /// `TableName` (or ARN).
    pub table_name: String,
    /// `BillingMode`.
    pub billing_mode: Option<BillingMode>,
    /// `ProvisionedThroughput`.
    pub provisioned_throughput: Option<ProvisionedThroughput>,
    /// `DeletionProtectionEnabled`.
    pub deletion_protection_enabled: Option<bool>,
    /// `TableClass`.
    pub table_class: Option<TableClass>,
    /// `StreamSpecification`.
    pub stream_specification: Option<StreamSpecification>,
    /// `SSESpecification`.
    pub sse_specification: Option<SseSpecification>,
    /// Whether the request changed indexes or attribute definitions (not
    /// yet supported).
    pub has_index_updates: bool,
}

/// Milliseconds in a UTC day, for counting throughput decreases per day.
const DAY_MILLIS: i64 = 86_400_000;

impl Database {
    /// UpdateTable.
    pub fn update_table(
        &self,
        ctx: &RequestContext,
        input: UpdateTableInput,
    ) -> Result<TableDescription> {
        if input.has_index_updates {
            return Err(CoreError::validation(
                "ferrodyn does not support secondary indexes yet",
            ));
        }
        let others = input.billing_mode.is_some()
            || input.provisioned_throughput.is_some()
            || input.stream_specification.is_some()
            || input.sse_specification.is_some();
        if input.table_class.is_some() && (others || input.deletion_protection_enabled.is_some()) {
            return Err(CoreError::invalid_parameter(
                "TableClass modification must be the only operation in the request",
            ));
        }
        if input.deletion_protection_enabled.is_some() && others {
            return Err(CoreError::invalid_parameter(
                "DeletionProtection modification must be the only operation in the request",
            ));
        }
        let ddl = self.catalog.lock_ddl();
        let current = self.resolve_table(ctx, &input.table_name, table_not_found)?;
        let mut meta = (*current).clone();
        let now = self.clock.now_millis();
        let mut changed = false;

        let target_mode = input.billing_mode.unwrap_or(meta.billing_mode);
        match (target_mode, input.provisioned_throughput) {
            (BillingMode::PayPerRequest, Some(_)) => {
                return Err(CoreError::invalid_parameter(
                    "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
                ));
            }
            (BillingMode::Provisioned, None) if meta.billing_mode == BillingMode::PayPerRequest => {
                return Err(CoreError::invalid_parameter(
                    "ProvisionedThroughput must be specified when BillingMode is PROVISIONED",
                ));
            }
            (BillingMode::Provisioned, Some(t)) => {
                super::create_table::validate_throughput(t)?;
                let old = &meta.throughput;
                if meta.billing_mode == BillingMode::Provisioned
                    && t.read == old.read_units
                    && t.write == old.write_units
                {
                    return Err(CoreError::validation(format!(
                        "The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: {}. Requested ReadCapacityUnits: {}. Current WriteCapacityUnits provisioned for the table: {}. Requested WriteCapacityUnits: {}. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
                        old.read_units, t.read, old.write_units, t.write
                    )));
                }
                let th = &mut meta.throughput;
                if t.read > th.read_units || t.write > th.write_units {
                    th.last_increase_millis = Some(now);
                }
                if t.read < th.read_units || t.write < th.write_units {
                    let same_day = th
                        .last_decrease_millis
                        .is_some_and(|d| d.div_euclid(DAY_MILLIS) == now.div_euclid(DAY_MILLIS));
                    th.decreases_today = if same_day { th.decreases_today + 1 } else { 1 };
                    th.last_decrease_millis = Some(now);
                }
                th.read_units = t.read;
                th.write_units = t.write;
                changed = true;
            }
            _ => {}
        }
        if target_mode != meta.billing_mode {
            if target_mode == BillingMode::PayPerRequest {
                meta.pay_per_request_since_millis = Some(now);
                meta.throughput.read_units = 0;
                meta.throughput.write_units = 0;
            }
            meta.billing_mode = target_mode;
            meta.billing_mode_explicit = true;
            changed = true;
        }
        if let Some(p) = input.deletion_protection_enabled {
            meta.deletion_protection = p;
            changed = true;
        }
        if let Some(c) = input.table_class {
            meta.table_class = Some(c);
            changed = true;
        }
        if let Some(spec) = input.stream_specification.as_ref() {
            let currently = meta.stream.as_ref().is_some_and(|s| s.enabled);
            if spec.enabled && currently {
                return Err(CoreError::validation(format!(
                    "Table already has an enabled stream: TableName: {}",
                    meta.name
                )));
            }
            if !spec.enabled && !currently {
                return Err(CoreError::validation(format!(
                    "Table already has no stream enabled: TableName: {}",
                    meta.name
                )));
            }
            meta.stream = super::create_table::stream_settings(Some(spec), now, false)?;
            changed = true;
        }
        if let Some(spec) = input.sse_specification.as_ref() {
            meta.sse = super::create_table::sse_settings(Some(spec))?;
            changed = true;
        }
        if !changed {
            return Err(CoreError::validation(
                "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required",
            ));
        }
        let meta = self.catalog.put(
            self.engine.as_ref(),
            &ddl,
            meta,
            WriteBatch::default(),
            false,
        )?;
        // AWS answers with the table as it is while the update starts: the
        // new settings, but the throughput still at its old values.
        let mut description = self.describe(&meta, TableStatus::Updating)?;
        let th = &mut description.meta.throughput;
        th.read_units = current.throughput.read_units;
        th.write_units = current.throughput.write_units;
        Ok(description)
    }
}

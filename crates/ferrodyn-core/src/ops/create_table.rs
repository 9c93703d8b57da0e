//! CreateTable: validates the key schema and settings, allocates an id, and
//! stores the table in the catalog.
//!
//! Tables become usable at once: the response says `CREATING`, as AWS's
//! does, and DescribeTable reports `ACTIVE` from then on.

use ferrodyn_model::schema::ScalarType;
use ferrodyn_storage::{Condition, Op, ReadConsistency, WriteBatch};

use super::TableDescription;
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::keyspace;
use crate::table::{
    BillingMode, Sse, StoredKey, StreamSettings, TableClass, TableMeta, TableStatus, Tag,
    Throughput,
};

/// HASH or RANGE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    /// Partition key.
    Hash,
    /// Sort key.
    Range,
}

/// One `KeySchemaElement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySchemaElement {
    /// Attribute name.
    pub name: String,
    /// Its role.
    pub key_type: KeyType,
}

/// One `AttributeDefinition`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeDefinition {
    /// Attribute name.
    pub name: String,
    /// Its type.
    pub scalar_type: ScalarType,
}

/// `ProvisionedThroughput` in a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProvisionedThroughput {
    /// `ReadCapacityUnits`.
    pub read: u64,
    /// `WriteCapacityUnits`.
    pub write: u64,
}

/// `SSESpecification`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SseSpecification {
    /// `Enabled`.
    pub enabled: Option<bool>,
    /// `SSEType`.
    pub sse_type: Option<String>,
    /// `KMSMasterKeyId`.
    pub kms_master_key_id: Option<String>,
}

/// `StreamSpecification`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamSpecification {
    /// `StreamEnabled`.
    pub enabled: bool,
    /// `StreamViewType`.
    pub view_type: Option<String>,
}

/// CreateTable's input, after wire-level validation.
#[derive(Clone, Debug, Default)]
pub struct CreateTableInput {
    /// `TableName`.
    pub table_name: String,
    /// `AttributeDefinitions`.
    pub attribute_definitions: Vec<AttributeDefinition>,
    /// `KeySchema`.
    pub key_schema: Vec<KeySchemaElement>,
    /// `BillingMode`.
    pub billing_mode: Option<BillingMode>,
    /// `ProvisionedThroughput`.
    pub provisioned_throughput: Option<ProvisionedThroughput>,
    /// `Tags`.
    pub tags: Vec<Tag>,
    /// `DeletionProtectionEnabled`.
    pub deletion_protection_enabled: Option<bool>,
    /// `TableClass`.
    pub table_class: Option<TableClass>,
    /// `SSESpecification`.
    pub sse_specification: Option<SseSpecification>,
    /// `StreamSpecification`.
    pub stream_specification: Option<StreamSpecification>,
    /// Whether the request defined secondary indexes (not yet supported).
    pub has_secondary_indexes: bool,
}

/// Checks key schema against attribute definitions, with AWS's messages.
pub(crate) fn validate_key_schema(
    key_schema: &[KeySchemaElement],
    defs: &[AttributeDefinition],
) -> Result<(StoredKey, Option<StoredKey>)> {
    let mut seen = std::collections::HashSet::new();
    for d in defs {
        if !seen.insert(d.name.as_str()) {
            return Err(CoreError::invalid_parameter(
                "Cannot have two attributes with the same name",
            ));
        }
    }
    let hash = key_schema.first().ok_or_else(|| {
        CoreError::validation("Invalid KeySchema: Some index key attribute have no definition")
    })?;
    if hash.key_type != KeyType::Hash {
        return Err(CoreError::validation(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ));
    }
    let range = key_schema.get(1);
    if let Some(r) = range {
        if r.name == hash.name {
            // AWS reports a repeated key attribute as undefined unless two
            // attributes are defined (observed wording; see compatibility.md).
            let message = if defs.len() < 2 {
                "Invalid KeySchema: Some index key attribute have no definition"
            } else {
                "Both the Hash Key and the Range Key element in the KeySchema have the same name"
            };
            return Err(CoreError::validation(message));
        }
        if r.key_type != KeyType::Range {
            return Err(CoreError::validation(
                "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
            ));
        }
    }
    let find = |name: &str| defs.iter().find(|d| d.name == name);
    let missing: Vec<&str> = key_schema
        .iter()
        .filter(|k| find(&k.name).is_none())
        .map(|k| k.name.as_str())
        .collect();
    if !missing.is_empty() {
        let defined: Vec<&str> = defs.iter().map(|d| d.name.as_str()).collect();
        return Err(CoreError::invalid_parameter(format!(
            "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
            missing.join(", "),
            defined.join(", ")
        )));
    }
    if defs.len() != key_schema.len() {
        return Err(CoreError::invalid_parameter(
            "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
        ));
    }
    let stored = |k: &KeySchemaElement| {
        let def = find(&k.name).map_or(ScalarType::S, |d| d.scalar_type);
        StoredKey {
            name: k.name.clone(),
            scalar_type: def.wire_name().to_owned(),
        }
    };
    Ok((stored(hash), range.map(stored)))
}

/// Checks billing mode against provisioned throughput, with AWS's messages,
/// and returns the effective mode and throughput.
pub(crate) fn validate_billing(
    mode: Option<BillingMode>,
    throughput: Option<ProvisionedThroughput>,
) -> Result<(BillingMode, Throughput)> {
    match (mode.unwrap_or(BillingMode::Provisioned), throughput) {
        (BillingMode::Provisioned, Some(t)) => {
            validate_throughput(t)?;
            Ok((
                BillingMode::Provisioned,
                Throughput {
                    read_units: t.read,
                    write_units: t.write,
                    ..Throughput::default()
                },
            ))
        }
        (BillingMode::Provisioned, None) => Err(CoreError::invalid_parameter(
            "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
        )),
        (BillingMode::PayPerRequest, None) => {
            Ok((BillingMode::PayPerRequest, Throughput::default()))
        }
        (BillingMode::PayPerRequest, Some(_)) => Err(CoreError::invalid_parameter(
            "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
        )),
    }
}

/// Checks throughput values are within the per-table quota.
pub(crate) fn validate_throughput(t: ProvisionedThroughput) -> Result<()> {
    use ferrodyn_model::limits::{TABLE_READ_CAPACITY_UNITS_MAX, TABLE_WRITE_CAPACITY_UNITS_MAX};
    if t.read > TABLE_READ_CAPACITY_UNITS_MAX || t.write > TABLE_WRITE_CAPACITY_UNITS_MAX {
        return Err(CoreError::LimitExceeded(format!(
            "Subscriber limit exceeded: Provisioned throughput for a table cannot exceed {TABLE_READ_CAPACITY_UNITS_MAX} read units or {TABLE_WRITE_CAPACITY_UNITS_MAX} write units"
        )));
    }
    Ok(())
}

/// Turns an `SSESpecification` into stored settings (None when disabled).
pub(crate) fn sse_settings(spec: Option<&SseSpecification>) -> Result<Option<Sse>> {
    let Some(spec) = spec else { return Ok(None) };
    if spec.enabled != Some(true) {
        if spec.kms_master_key_id.is_some() || spec.sse_type.is_some() {
            return Err(CoreError::validation(
                "SSEType and KMSMasterKeyId can only be specified when SSE is enabled",
            ));
        }
        return Ok(None);
    }
    Ok(Some(Sse {
        sse_type: spec.sse_type.clone().unwrap_or_else(|| "KMS".to_owned()),
        kms_key: spec.kms_master_key_id.clone(),
    }))
}

/// Turns a `StreamSpecification` into stored settings.
/// `creating` selects CreateTable's wording for a missing view type.
pub(crate) fn stream_settings(
    spec: Option<&StreamSpecification>,
    now_millis: i64,
    creating: bool,
) -> Result<Option<StreamSettings>> {
    let Some(spec) = spec else { return Ok(None) };
    if spec.enabled && spec.view_type.is_none() {
        // "UpdateViewType" is AWS's own spelling in CreateTable's message.
        return Err(CoreError::invalid_parameter(if creating {
            "Table is being created with a stream enabled, UpdateViewType is required"
        } else {
            "StreamSpecification must specify a StreamViewType when StreamEnabled is true"
        }));
    }
    if !spec.enabled && spec.view_type.is_some() {
        return Err(CoreError::invalid_parameter(
            "StreamSpecification.StreamViewType can only be specified when streams are enabled",
        ));
    }
    Ok(spec.enabled.then(|| StreamSettings {
        enabled: true,
        view_type: spec.view_type.clone(),
        label: Some(stream_label(now_millis)),
    }))
}

/// A stream label: the stream's creation time as `yyyy-mm-ddThh:mm:ss.fff`.
pub(crate) fn stream_label(millis: i64) -> String {
    let secs = millis.div_euclid(1000);
    let ms = millis.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's algorithm).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl Database {
    /// CreateTable.
    pub fn create_table(
        &self,
        ctx: &RequestContext,
        input: CreateTableInput,
    ) -> Result<TableDescription> {
        if input.has_secondary_indexes {
            return Err(CoreError::validation(
                "ferrodyn does not support secondary indexes yet",
            ));
        }
        let (partition_key, sort_key) =
            validate_key_schema(&input.key_schema, &input.attribute_definitions)?;
        let (billing_mode, throughput) =
            validate_billing(input.billing_mode, input.provisioned_throughput)?;
        super::tag_resource::validate_tags(&input.tags, 0)?;
        let now = self.clock.now_millis();
        let sse = sse_settings(input.sse_specification.as_ref())?;
        let stream = stream_settings(input.stream_specification.as_ref(), now, true)?;

        let ddl = self.catalog.lock_ddl();
        if self
            .catalog
            .get(&ctx.account_id, &ctx.region, &input.table_name)
            .is_some()
        {
            return Err(CoreError::ResourceInUse(format!(
                "Table already exists: {}",
                input.table_name
            )));
        }
        let id_key = keyspace::next_table_id_key();
        let current = self.engine.get(&id_key, ReadConsistency::Strong)?;
        let id = current
            .as_deref()
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or(1, u64::from_be_bytes);
        let meta = TableMeta {
            id,
            uuid: uuid::Uuid::new_v4().to_string(),
            account_id: ctx.account_id.clone(),
            region: ctx.region.clone(),
            name: input.table_name.clone(),
            partition_key,
            sort_key,
            attribute_definitions: input
                .attribute_definitions
                .iter()
                .map(|d| StoredKey {
                    name: d.name.clone(),
                    scalar_type: d.scalar_type.wire_name().to_owned(),
                })
                .collect(),
            created_millis: now,
            billing_mode,
            billing_mode_explicit: input.billing_mode.is_some(),
            pay_per_request_since_millis: (billing_mode == BillingMode::PayPerRequest)
                .then_some(now),
            throughput,
            tags: input.tags,
            deletion_protection: input.deletion_protection_enabled.unwrap_or(false),
            table_class: input.table_class,
            sse,
            stream,
        };
        let batch = WriteBatch {
            conditions: vec![Condition::ValueIs {
                key: id_key.clone(),
                value: current,
            }],
            ops: vec![Op::Put {
                key: id_key,
                value: (id + 1).to_be_bytes().to_vec(),
            }],
            changes: vec![],
        };
        let meta = self
            .catalog
            .put(self.engine.as_ref(), &ddl, meta, batch, true)?;
        Ok(TableDescription {
            meta: (*meta).clone(),
            status: TableStatus::Creating,
            item_count: 0,
            size_bytes: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(stream_label(0), "1970-01-01T00:00:00.000");
        assert_eq!(stream_label(1_700_000_000_123), "2023-11-14T22:13:20.123");
    }
}

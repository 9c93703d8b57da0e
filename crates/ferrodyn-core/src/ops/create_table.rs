//! CreateTable: validates the key schema and settings, allocates an id, and
//! stores the table in the catalog.
//!
//! Tables become usable at once: the response says `CREATING`, as AWS's
//! does, and DescribeTable reports `ACTIVE` from then on.

use ferrodyn_model::limits::{
    GLOBAL_SECONDARY_INDEXES_PER_TABLE_MAX, LOCAL_SECONDARY_INDEXES_PER_TABLE_MAX,
    PROJECTED_NON_KEY_ATTRIBUTES_MAX, TABLE_KEY_SCHEMA_ELEMENTS_MAX,
};
use ferrodyn_model::schema::ScalarType;
use ferrodyn_storage::{Condition, Op, ReadConsistency, WriteBatch};

use super::TableDescription;
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::index::{IndexKind, IndexMeta, IndexStatus, ProjectionType};
use crate::keyspace;
use crate::stream::ViewType;
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
    /// `GlobalSecondaryIndexes`.
    pub global_secondary_indexes: Option<Vec<IndexDefinition>>,
    /// `LocalSecondaryIndexes`.
    pub local_secondary_indexes: Option<Vec<IndexDefinition>>,
}

/// One `GlobalSecondaryIndex` or `LocalSecondaryIndex` (or an UpdateTable
/// `Create` action).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndexDefinition {
    /// `IndexName`.
    pub name: String,
    /// `KeySchema`.
    pub key_schema: Vec<KeySchemaElement>,
    /// `Projection.ProjectionType`.
    pub projection_type: Option<ProjectionType>,
    /// `Projection.NonKeyAttributes`.
    pub non_key_attributes: Option<Vec<String>>,
    /// `ProvisionedThroughput` (global indexes).
    pub provisioned_throughput: Option<ProvisionedThroughput>,
}

/// Checks one index definition against the table and returns its stored
/// form (with id 0, allocated later).
pub(crate) fn validate_index(
    def: &IndexDefinition,
    kind: IndexKind,
    table_keys: (&str, Option<&str>),
    defs: &[AttributeDefinition],
    billing_mode: BillingMode,
) -> Result<IndexMeta> {
    let name = &def.name;
    let hash = def.key_schema.first().ok_or_else(|| {
        CoreError::validation("Invalid KeySchema: Some index key attribute have no definition")
    })?;
    if hash.key_type != KeyType::Hash {
        return Err(CoreError::validation(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ));
    }
    let range = def.key_schema.get(1);
    if kind == IndexKind::Global {
        let hashes = def
            .key_schema
            .iter()
            .filter(|k| k.key_type == KeyType::Hash)
            .count();
        let ranges = def.key_schema.len() - hashes;
        let first_range = def
            .key_schema
            .iter()
            .position(|k| k.key_type == KeyType::Range)
            .unwrap_or(def.key_schema.len());
        if def.key_schema[first_range..]
            .iter()
            .any(|k| k.key_type == KeyType::Hash)
        {
            return Err(CoreError::invalid_parameter(
                "All HASH key attributes must precede RANGE key attributes in the KeySchema",
            ));
        }
        for (count, kind) in [(hashes, "HASH"), (ranges, "RANGE")] {
            if count > INDEX_KEY_ATTRIBUTES_PER_ROLE_MAX {
                return Err(CoreError::invalid_parameter(format!(
                    "The KeySchema exceeds the maximum allowed number of {kind} key attributes"
                )));
            }
        }
    }
    if kind == IndexKind::Local && def.key_schema.len() > 2 {
        // UNCONFIRMED wording (docs/compatibility.md): multi-attribute
        // keys are for global indexes only.
        return Err(CoreError::invalid_parameter(format!(
            "A LocalSecondaryIndex KeySchema can have at most 2 elements: one HASH and one RANGE key. IndexName: {name}"
        )));
    }
    if kind == IndexKind::Local {
        let Some(r) = range else {
            return Err(CoreError::invalid_parameter(format!(
                "Index KeySchema does not have a range key for index: {name}"
            )));
        };
        if r.key_type != KeyType::Range {
            return Err(CoreError::validation(
                "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
            ));
        }
        if hash.name != table_keys.0 {
            return Err(CoreError::invalid_parameter(format!(
                "Index KeySchema does not have the same leading hash key as table KeySchema for index: {name}. index hash key: {}, table hash key: {}",
                hash.name, table_keys.0
            )));
        }
    }
    let mut names = std::collections::HashSet::new();
    if !def.key_schema.iter().all(|k| names.insert(k.name.as_str())) {
        return Err(CoreError::validation(
            "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ));
    }
    let find = |n: &str| defs.iter().find(|d| d.name == n);
    if def.key_schema.iter().any(|k| find(&k.name).is_none()) {
        // The message lists all of the index's key attributes.
        let keys: Vec<&str> = def.key_schema.iter().map(|k| k.name.as_str()).collect();
        let defined: Vec<&str> = defs.iter().map(|d| d.name.as_str()).collect();
        return Err(CoreError::invalid_parameter(format!(
            "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
            keys.join(", "),
            defined.join(", ")
        )));
    }
    let projection = match def.projection_type {
        None => {
            return Err(CoreError::invalid_parameter("Unknown ProjectionType: null"));
        }
        Some(p) => p,
    };
    match (projection, &def.non_key_attributes) {
        (ProjectionType::Include, None) => {
            return Err(CoreError::invalid_parameter(
                "ProjectionType is INCLUDE, but NonKeyAttributes is not specified",
            ));
        }
        (ProjectionType::All | ProjectionType::KeysOnly, Some(_)) => {
            return Err(CoreError::invalid_parameter(format!(
                "ProjectionType is {}, but NonKeyAttributes is specified",
                projection.wire_name()
            )));
        }
        _ => {}
    }
    let non_key_attributes = def.non_key_attributes.clone().unwrap_or_default();
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = non_key_attributes.iter().find(|a| !seen.insert(a.as_str())) {
        return Err(CoreError::invalid_parameter(format!(
            "Duplicate element in NonKeyAttributes: {dup}"
        )));
    }
    let throughput = match (kind, billing_mode, def.provisioned_throughput) {
        (IndexKind::Local, _, _) => None,
        (IndexKind::Global, BillingMode::Provisioned, None) => {
            return Err(CoreError::invalid_parameter(format!(
                "ProvisionedThroughput is not specified for index: {name}"
            )));
        }
        (IndexKind::Global, BillingMode::PayPerRequest, Some(_)) => {
            return Err(CoreError::invalid_parameter(format!(
                "ProvisionedThroughput should not be specified for index: {name} when BillingMode is PAY_PER_REQUEST"
            )));
        }
        (IndexKind::Global, BillingMode::Provisioned, Some(t)) => {
            validate_throughput(t)?;
            Some(Throughput {
                read_units: t.read,
                write_units: t.write,
                ..Throughput::default()
            })
        }
        (IndexKind::Global, BillingMode::PayPerRequest, None) => Some(Throughput::default()),
    };
    let stored = |k: &KeySchemaElement| StoredKey {
        name: k.name.clone(),
        scalar_type: find(&k.name)
            .map_or(ScalarType::S, |d| d.scalar_type)
            .wire_name()
            .to_owned(),
    };
    Ok(IndexMeta {
        id: 0,
        name: name.clone(),
        kind,
        partition_keys: def
            .key_schema
            .iter()
            .filter(|k| k.key_type == KeyType::Hash)
            .map(stored)
            .collect(),
        sort_keys: def
            .key_schema
            .iter()
            .filter(|k| k.key_type == KeyType::Range)
            .map(stored)
            .collect(),
        projection,
        non_key_attributes,
        throughput,
        status: IndexStatus::Active,
    })
}

/// At most this many HASH (and this many RANGE) attributes in a global
/// index's key schema (AWS's multi-attribute keys).
pub const INDEX_KEY_ATTRIBUTES_PER_ROLE_MAX: usize = 4;

/// Checks a CreateTable's index lists as a whole and each index in them.
fn validate_indexes(
    input: &CreateTableInput,
    table_keys: (&str, Option<&str>),
    billing_mode: BillingMode,
) -> Result<Vec<IndexMeta>> {
    let mut indexes = Vec::new();
    if let Some(locals) = &input.local_secondary_indexes {
        if locals.is_empty() {
            return Err(CoreError::invalid_parameter(
                "List of LocalSecondaryIndexes is empty",
            ));
        }
        if table_keys.1.is_none() {
            return Err(CoreError::invalid_parameter(
                "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex",
            ));
        }
        if locals.len() > LOCAL_SECONDARY_INDEXES_PER_TABLE_MAX {
            return Err(CoreError::invalid_parameter(format!(
                "Number of LocalSecondaryIndexes exceeds per-table limit of {LOCAL_SECONDARY_INDEXES_PER_TABLE_MAX}"
            )));
        }
    }
    if let Some(globals) = &input.global_secondary_indexes {
        if globals.is_empty() {
            return Err(CoreError::invalid_parameter(
                "List of GlobalSecondaryIndexes is empty",
            ));
        }
        if globals.len() > GLOBAL_SECONDARY_INDEXES_PER_TABLE_MAX {
            return Err(CoreError::invalid_parameter(format!(
                "GlobalSecondaryIndex count exceeds the per-table limit of {GLOBAL_SECONDARY_INDEXES_PER_TABLE_MAX}"
            )));
        }
    }
    let all = input
        .local_secondary_indexes
        .iter()
        .flatten()
        .map(|d| (d, IndexKind::Local))
        .chain(
            input
                .global_secondary_indexes
                .iter()
                .flatten()
                .map(|d| (d, IndexKind::Global)),
        );
    let mut names = std::collections::HashSet::new();
    for (def, kind) in all {
        if !names.insert(def.name.as_str()) {
            return Err(CoreError::invalid_parameter(format!(
                "Duplicate index name: {}",
                def.name
            )));
        }
        indexes.push(validate_index(
            def,
            kind,
            table_keys,
            &input.attribute_definitions,
            billing_mode,
        )?);
    }
    let projected: usize = indexes.iter().map(|i| i.non_key_attributes.len()).sum();
    if projected > PROJECTED_NON_KEY_ATTRIBUTES_MAX {
        // UNCONFIRMED wording (see docs/compatibility.md).
        return Err(CoreError::invalid_parameter(format!(
            "Number of projected attributes in all indexes exceeds limit of {PROJECTED_NON_KEY_ATTRIBUTES_MAX}"
        )));
    }
    Ok(indexes)
}

/// A table's key schema has at most two elements. The service model no
/// longer bounds KeySchema (index key schemas may have eight), so AWS checks
/// this itself, after the billing mode [conformance captures/2026-06-09
/// probe c_ct_3keys], and reports it in the constraint format, echoing the
/// schema as its Java classes print [conformance tier3 createTable.test.ts,
/// exact].
fn check_key_schema_length(key_schema: &[KeySchemaElement]) -> Result<()> {
    if key_schema.len() <= TABLE_KEY_SCHEMA_ELEMENTS_MAX {
        return Ok(());
    }
    let elements: Vec<String> = key_schema
        .iter()
        .map(|k| {
            let key_type = match k.key_type {
                KeyType::Hash => "HASH",
                KeyType::Range => "RANGE",
            };
            format!(
                "KeySchemaElement(attributeName={}, keyType={key_type})",
                k.name
            )
        })
        .collect();
    Err(CoreError::validation(format!(
        "1 validation error detected: Value '[{}]' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to {TABLE_KEY_SCHEMA_ELEMENTS_MAX}",
        elements.join(", ")
    )))
}

/// Checks key schema against attribute definitions, with AWS's messages.
pub(crate) fn validate_key_schema(
    key_schema: &[KeySchemaElement],
    defs: &[AttributeDefinition],
) -> Result<(StoredKey, Option<StoredKey>)> {
    let mut seen = std::collections::HashSet::new();
    for d in defs {
        if defs
            .iter()
            .any(|e| e.name == d.name && e.scalar_type != d.scalar_type)
        {
            // UNCONFIRMED wording beyond "duplicated" and the name.
            return Err(CoreError::invalid_parameter(format!(
                "Attribute Name is duplicated: {}",
                d.name
            )));
        }
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

/// The view type of enabled stream settings (validated when they were
/// made, so always one of the four).
pub(crate) fn stream_view_type(settings: &StreamSettings) -> ViewType {
    settings
        .view_type
        .as_deref()
        .and_then(ViewType::from_wire_name)
        .unwrap_or(ViewType::NewAndOldImages)
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
        self.create_table_as(ctx, input, None)
    }

    /// CreateTable, or the table a restore writes into (`restore`).
    pub(crate) fn create_table_as(
        &self,
        ctx: &RequestContext,
        input: CreateTableInput,
        restore: Option<crate::table::RestoreMeta>,
    ) -> Result<TableDescription> {
        let (partition_key, sort_key) =
            validate_key_schema(&input.key_schema, &input.attribute_definitions)?;
        let (billing_mode, throughput) =
            validate_billing(input.billing_mode, input.provisioned_throughput)?;
        check_key_schema_length(&input.key_schema)?;
        let mut indexes = validate_indexes(
            &input,
            (
                partition_key.name.as_str(),
                sort_key.as_ref().map(|k| k.name.as_str()),
            ),
            billing_mode,
        )?;
        // Every defined attribute must be a key of the table or an index.
        let used: std::collections::HashSet<&str> = input
            .key_schema
            .iter()
            .map(|k| k.name.as_str())
            .chain(
                indexes
                    .iter()
                    .flat_map(|i| i.partition_keys.iter().chain(&i.sort_keys))
                    .map(|k| k.name.as_str()),
            )
            .collect();
        if input.attribute_definitions.len() != used.len() {
            return Err(CoreError::invalid_parameter(
                "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
            ));
        }
        super::tag_resource::validate_tags(&input.tags, 0)?;
        let now = self.clock.now_millis();
        let sse = sse_settings(input.sse_specification.as_ref())?;
        let stream = stream_settings(input.stream_specification.as_ref(), now, true)?;

        let ddl = self.catalog.lock_ddl();
        if let Some(existing) = self
            .catalog
            .get(&ctx.account_id, &ctx.region, &input.table_name)
        {
            // A table still being restored is "being used" [AWS].
            let why = if existing.is_restoring() {
                "Table is being used"
            } else {
                "Table already exists"
            };
            return Err(CoreError::ResourceInUse(format!(
                "{why}: {}",
                input.table_name
            )));
        }
        let id_key = keyspace::next_table_id_key();
        let current = self.engine.get(&id_key, ReadConsistency::Strong)?;
        let id = current
            .as_deref()
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or(1, u64::from_be_bytes);
        let mut meta = TableMeta {
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
            streams: Vec::new(),
            next_shard: 0,
            pitr: None,
            restore,
            ttl: None,
            kinesis: Vec::new(),
            indexes: {
                for (n, index) in indexes.iter_mut().enumerate() {
                    index.id = id + 1 + n as u64;
                }
                indexes
            },
        };
        if let Some(settings) = meta.stream.clone() {
            let view = stream_view_type(&settings);
            Database::open_stream(
                &mut meta,
                settings.label.unwrap_or_else(|| stream_label(now)),
                view,
                now,
                0,
            );
        }
        let next_id = id + 1 + meta.indexes.len() as u64;
        let batch = WriteBatch {
            conditions: vec![Condition::ValueIs {
                key: id_key.clone(),
                value: current,
            }],
            ops: vec![Op::Put {
                key: id_key,
                value: next_id.to_be_bytes().to_vec(),
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
            index_stats: vec![(0, 0); meta.indexes.len()],
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

//! RestoreTableFromBackup: a new table with the backup's schema (and the
//! request's overrides), answered `CREATING` at once; its items are
//! written by the background jobs (`backup/`), and until they all are the
//! table serves no item operation.

use ferrodyn_model::schema::ScalarType;

use super::TableDescription;
use super::create_table::{
    AttributeDefinition, CreateTableInput, IndexDefinition, KeySchemaElement, KeyType,
    ProvisionedThroughput, SseSpecification,
};
use crate::backup::BackupStatus;
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::index::{IndexKind, IndexMeta};
use crate::table::{BillingMode, RestoreMeta, StoredKey, TableMeta};

/// How many restores may run at once in an account (AWS's limit).
pub const CONCURRENT_RESTORES_MAX: usize = 50;

/// RestoreTableFromBackup's input.
#[derive(Clone, Debug, Default)]
pub struct RestoreTableFromBackupInput {
    /// `TargetTableName`.
    pub target_table_name: String,
    /// `BackupArn`.
    pub backup_arn: String,
    /// What the restored table changes from the source's schema.
    pub overrides: RestoreOverrides,
}

/// A restore's overrides of the source table's settings (both restores
/// take the same ones).
#[derive(Clone, Debug, Default)]
pub struct RestoreOverrides {
    /// `BillingModeOverride`.
    pub billing_mode_override: Option<BillingMode>,
    /// `ProvisionedThroughputOverride` (the table's, not its indexes').
    pub provisioned_throughput_override: Option<ProvisionedThroughput>,
    /// `GlobalSecondaryIndexOverride`: the source's global indexes to keep
    /// (an empty list keeps none).
    pub global_secondary_index_override: Option<Vec<IndexDefinition>>,
    /// `LocalSecondaryIndexOverride`.
    pub local_secondary_index_override: Option<Vec<IndexDefinition>>,
    /// `SSESpecificationOverride`.
    pub sse_specification_override: Option<SseSpecification>,
}

impl Database {
    /// RestoreTableFromBackup.
    pub fn restore_table_from_backup(
        &self,
        ctx: &RequestContext,
        input: RestoreTableFromBackupInput,
    ) -> Result<TableDescription> {
        let backup = self.find_backup(ctx, &input.backup_arn)?;
        let arn = backup.arn();
        if backup.status != BackupStatus::Available {
            // UNCONFIRMED: AWS's backups are AVAILABLE within milliseconds.
            return Err(CoreError::BackupInUse(format!(
                "Backup is being created: {arn}"
            )));
        }
        self.check_restore_target(ctx, &input.target_table_name)?;
        if self.backup_being_restored(&backup.id) {
            return Err(CoreError::BackupInUse(format!(
                "Backup is being used to restore another table: {arn}"
            )));
        }
        let create = restored_table(&backup.table, input.target_table_name, input.overrides)?;
        let restore = RestoreMeta {
            source_backup_arn: Some(arn),
            source_table_arn: backup.table.arn(),
            restore_millis: backup.created_millis,
            backup_id: backup.id.clone(),
            point_in_time: None,
        };
        self.create_table_as(ctx, create, Some(restore))
            .map_err(|e| match e {
                CoreError::ResourceInUse(m) => CoreError::TableAlreadyExists(m),
                other => other,
            })
    }
}

impl Database {
    /// Refuses a restore into `target` if a table has that name (one being
    /// restored is in use), or if the account runs as many restores as
    /// AWS allows.
    pub(crate) fn check_restore_target(&self, ctx: &RequestContext, target: &str) -> Result<()> {
        let tables = self.catalog.all();
        if let Some(t) = tables
            .iter()
            .find(|t| t.account_id == ctx.account_id && t.region == ctx.region && t.name == target)
        {
            return Err(match &t.restore {
                Some(r) => CoreError::TableInUse(format!(
                    "Table: {} is already being restored from backup: {}",
                    t.name,
                    r.source_backup_arn
                        .as_deref()
                        .unwrap_or(&r.source_table_arn)
                )),
                None => CoreError::TableAlreadyExists(format!("Table already exists: {}", t.name)),
            });
        }
        let restoring = tables
            .iter()
            .filter(|t| t.account_id == ctx.account_id && t.is_restoring())
            .count();
        if restoring >= CONCURRENT_RESTORES_MAX {
            return Err(CoreError::LimitExceeded(format!(
                "Subscriber limit exceeded: Only {CONCURRENT_RESTORES_MAX} restore operations can be done simultaneously"
            )));
        }
        Ok(())
    }
}

/// The CreateTable the restore amounts to: the backup's key schema, its
/// indexes (or the overriding subset), billing and encryption (or their
/// overrides); never its stream, TTL, tags, deletion protection or table
/// class, which AWS does not restore either.
pub(crate) fn restored_table(
    source: &TableMeta,
    target_table_name: String,
    input: RestoreOverrides,
) -> Result<CreateTableInput> {
    let billing_mode = input.billing_mode_override.unwrap_or(source.billing_mode);
    if input.provisioned_throughput_override.is_some() && billing_mode != BillingMode::Provisioned {
        return Err(CoreError::validation(
            "Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED",
        ));
    }
    if input.billing_mode_override == Some(BillingMode::Provisioned)
        && input.provisioned_throughput_override.is_none()
    {
        return Err(CoreError::validation(
            "Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED",
        ));
    }
    let throughput = (billing_mode == BillingMode::Provisioned).then(|| {
        input
            .provisioned_throughput_override
            .unwrap_or(ProvisionedThroughput {
                read: source.throughput.read_units,
                write: source.throughput.write_units,
            })
    });
    let indexes = |kind: IndexKind, chosen: Option<Vec<IndexDefinition>>| -> Result<_> {
        let from_source: Vec<IndexDefinition> = source
            .indexes
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| index_definition(i, throughput))
            .collect();
        let chosen = match chosen {
            None => from_source,
            Some(chosen) => {
                for c in &chosen {
                    let same = |s: &IndexDefinition| {
                        s.key_schema == c.key_schema
                            && s.projection_type == c.projection_type
                            && s.non_key_attributes.clone().unwrap_or_default()
                                == c.non_key_attributes.clone().unwrap_or_default()
                    };
                    if !from_source.iter().any(same) {
                        return Err(CoreError::validation(format!(
                            "Index {} does not match a secondary index that existed in the source table and cannot be created during the restore operation",
                            c.name
                        )));
                    }
                }
                chosen
                    .into_iter()
                    .map(|mut c| {
                        if kind == IndexKind::Global {
                            c.provisioned_throughput = match billing_mode {
                                BillingMode::Provisioned => c.provisioned_throughput.or(throughput),
                                BillingMode::PayPerRequest => None,
                            };
                        }
                        c
                    })
                    .collect()
            }
        };
        Ok((!chosen.is_empty()).then_some(chosen))
    };
    let global_secondary_indexes =
        indexes(IndexKind::Global, input.global_secondary_index_override)?;
    let local_secondary_indexes = indexes(IndexKind::Local, input.local_secondary_index_override)?;
    let mut key_schema = vec![KeySchemaElement {
        name: source.partition_key.name.clone(),
        key_type: KeyType::Hash,
    }];
    if let Some(sort) = &source.sort_key {
        key_schema.push(KeySchemaElement {
            name: sort.name.clone(),
            key_type: KeyType::Range,
        });
    }
    // Only the attributes the restored keys use are defined (an index left
    // out takes its key attributes' definitions with it).
    let used: Vec<&str> = key_schema
        .iter()
        .chain(
            global_secondary_indexes
                .iter()
                .chain(local_secondary_indexes.iter())
                .flatten()
                .flat_map(|i| i.key_schema.iter()),
        )
        .map(|k| k.name.as_str())
        .collect();
    let attribute_definitions = source
        .attribute_definitions
        .iter()
        .filter(|d| used.contains(&d.name.as_str()))
        .map(|d| {
            Ok(AttributeDefinition {
                name: d.name.clone(),
                scalar_type: ScalarType::from_wire_name(&d.scalar_type).ok_or_else(|| {
                    CoreError::Internal(format!("backup: attribute type {}", d.scalar_type))
                })?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let sse_specification = match input.sse_specification_override {
        Some(o) => Some(o),
        None => source.sse.as_ref().map(|s| SseSpecification {
            enabled: Some(true),
            sse_type: Some(s.sse_type.clone()),
            kms_master_key_id: s.kms_key.clone(),
        }),
    };
    Ok(CreateTableInput {
        table_name: target_table_name,
        attribute_definitions,
        key_schema,
        billing_mode: Some(billing_mode)
            .filter(|_| source.billing_mode_explicit || input.billing_mode_override.is_some()),
        provisioned_throughput: throughput,
        sse_specification,
        global_secondary_indexes,
        local_secondary_indexes,
        ..CreateTableInput::default()
    })
}

/// A source index as its definition, with `throughput` for a global index
/// of a provisioned table that had none (the source was on-demand).
fn index_definition(
    index: &IndexMeta,
    throughput: Option<ProvisionedThroughput>,
) -> IndexDefinition {
    let key = |k: &StoredKey, key_type| KeySchemaElement {
        name: k.name.clone(),
        key_type,
    };
    IndexDefinition {
        name: index.name.clone(),
        key_schema: index
            .partition_keys
            .iter()
            .map(|k| key(k, KeyType::Hash))
            .chain(index.sort_keys.iter().map(|k| key(k, KeyType::Range)))
            .collect(),
        projection_type: Some(index.projection),
        non_key_attributes: (!index.non_key_attributes.is_empty())
            .then(|| index.non_key_attributes.clone()),
        provisioned_throughput: match index.kind {
            IndexKind::Local => None,
            IndexKind::Global => throughput.map(|t| {
                index
                    .throughput
                    .as_ref()
                    .map_or(t, |i| ProvisionedThroughput {
                        read: i.read_units,
                        write: i.write_units,
                    })
            }),
        },
    }
}

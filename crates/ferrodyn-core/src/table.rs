//! A table's definition and settings, as stored in the catalog.
//!
//! [`TableMeta`] is persisted (CBOR, inside a versioned envelope written by
//! `catalog.rs`). New fields must carry `#[serde(default)]` so that metadata
//! written by older versions still loads.

use ferrodyn_model::schema::{KeyAttribute, KeySchema, ScalarType};

use crate::index::{IndexKind, IndexMeta};
use serde::{Deserialize, Serialize};

use crate::stream::{ShardMeta, StreamMeta, ViewType};

/// How a table is billed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BillingMode {
    /// Provisioned capacity.
    Provisioned,
    /// On-demand capacity.
    PayPerRequest,
}

impl BillingMode {
    /// The wire name.
    pub fn wire_name(self) -> &'static str {
        match self {
            BillingMode::Provisioned => "PROVISIONED",
            BillingMode::PayPerRequest => "PAY_PER_REQUEST",
        }
    }
}

/// A table's storage class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TableClass {
    /// `STANDARD`.
    Standard,
    /// `STANDARD_INFREQUENT_ACCESS`.
    StandardInfrequentAccess,
}

impl TableClass {
    /// The wire name.
    pub fn wire_name(self) -> &'static str {
        match self {
            TableClass::Standard => "STANDARD",
            TableClass::StandardInfrequentAccess => "STANDARD_INFREQUENT_ACCESS",
        }
    }
}

/// Provisioned throughput and its change history.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Throughput {
    /// Read capacity units.
    pub read_units: u64,
    /// Write capacity units.
    pub write_units: u64,
    /// When the throughput last went up, in epoch milliseconds.
    #[serde(default)]
    pub last_increase_millis: Option<i64>,
    /// When it last went down.
    #[serde(default)]
    pub last_decrease_millis: Option<i64>,
    /// Decreases made on the UTC day of `last_decrease_millis`.
    #[serde(default)]
    pub decreases_today: u64,
}

/// Server-side encryption settings, as requested.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sse {
    /// `SSEType` (`KMS`; `AES256` is not accepted by AWS in requests).
    pub sse_type: String,
    /// The KMS key id or ARN, if the client named one.
    pub kms_key: Option<String>,
}

/// Stream settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamSettings {
    /// `StreamEnabled`.
    pub enabled: bool,
    /// `StreamViewType`, when enabled.
    pub view_type: Option<String>,
    /// The label of the latest stream (its creation time, ISO 8601).
    pub label: Option<String>,
}

/// Time to Live settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TtlSettings {
    /// The attribute holding each item's expiry, epoch seconds.
    pub attribute_name: String,
    /// Whether expired items are deleted.
    pub enabled: bool,
    /// When it was last changed, epoch milliseconds.
    pub updated_millis: i64,
}

/// One tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
}

/// Where a table is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TableStatus {
    /// Being created (reported by CreateTable itself).
    Creating,
    /// Serving.
    Active,
    /// Being updated (reported by UpdateTable itself).
    Updating,
    /// Being deleted (reported by DeleteTable itself).
    Deleting,
}

impl TableStatus {
    /// The wire name.
    pub fn wire_name(self) -> &'static str {
        match self {
            TableStatus::Creating => "CREATING",
            TableStatus::Active => "ACTIVE",
            TableStatus::Updating => "UPDATING",
            TableStatus::Deleting => "DELETING",
        }
    }
}

/// A key schema element as persisted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredKey {
    /// Attribute name.
    pub name: String,
    /// `S`, `N` or `B`.
    pub scalar_type: String,
}

/// A table's persisted metadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableMeta {
    /// The internal id that prefixes the table's keys; never reused.
    pub id: u64,
    /// The `TableId` shown to clients (a UUID).
    pub uuid: String,
    /// Owning account.
    pub account_id: String,
    /// Region.
    pub region: String,
    /// Table name.
    pub name: String,
    /// Partition key.
    pub partition_key: StoredKey,
    /// Sort key, if any.
    pub sort_key: Option<StoredKey>,
    /// `AttributeDefinitions`, in the order given.
    pub attribute_definitions: Vec<StoredKey>,
    /// Creation time, epoch milliseconds.
    pub created_millis: i64,
    /// Billing mode.
    pub billing_mode: BillingMode,
    /// Whether the client named a billing mode at creation (DescribeTable
    /// shows a `BillingModeSummary` only then or after a change).
    #[serde(default)]
    pub billing_mode_explicit: bool,
    /// When the table last switched to on-demand, epoch milliseconds.
    #[serde(default)]
    pub pay_per_request_since_millis: Option<i64>,
    /// Provisioned throughput (zeros for on-demand tables).
    pub throughput: Throughput,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Deletion protection.
    #[serde(default)]
    pub deletion_protection: bool,
    /// Storage class, if ever set.
    #[serde(default)]
    pub table_class: Option<TableClass>,
    /// Encryption settings, if requested.
    #[serde(default)]
    pub sse: Option<Sse>,
    /// Stream settings, if requested (what DescribeTable shows).
    #[serde(default)]
    pub stream: Option<StreamSettings>,
    /// The streams the table has, or had within the retention period,
    /// oldest first; the last one, if enabled, receives change records
    /// (`stream.rs`).
    #[serde(default)]
    pub streams: Vec<StreamMeta>,
    /// The number of the next shard opened (unique within the table).
    #[serde(default)]
    pub next_shard: u64,
    /// Time to Live, if ever configured.
    #[serde(default)]
    pub ttl: Option<TtlSettings>,
    /// Kinesis Data Streams destinations (`kinesis.rs`).
    #[serde(default)]
    pub kinesis: Vec<crate::kinesis::KinesisDestination>,
    /// Secondary indexes, global and local, in the order defined.
    #[serde(default)]
    pub indexes: Vec<IndexMeta>,
    /// Point-in-time recovery, while enabled.
    #[serde(default)]
    pub pitr: Option<PitrSettings>,
    /// The restore under way into the table, if any (`RestoreSummary`,
    /// which AWS shows only until the table is ACTIVE).
    #[serde(default)]
    pub restore: Option<RestoreMeta>,
}

/// Point-in-time recovery's settings, while it is enabled
/// (`backup/pitr.rs`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PitrSettings {
    /// When it was (last) enabled, epoch milliseconds: the earliest
    /// restorable instant.
    pub enabled_millis: i64,
    /// `RecoveryPeriodInDays` (1 to 35).
    pub recovery_period_days: u32,
    /// The table's shard number of its recovery log, to which every write
    /// since `enabled_millis` appends a record with both images. `None`
    /// in settings written before the log existed (given one, and the
    /// window restarted, by the next upkeep).
    #[serde(default)]
    pub log_shard: Option<u64>,
    /// The whole-table snapshots written since, oldest first: a restore
    /// starts from one and replays the log.
    #[serde(default)]
    pub bases: Vec<PitrBase>,
}

/// A snapshot of a table's items kept for point-in-time recovery, in a
/// backup file of its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PitrBase {
    /// The file's id (`pitr-<table id>-<log shard>-<millis>-<hex>`).
    pub id: String,
    /// The clock when the snapshot had been taken: every write it holds
    /// was made at or before this instant.
    pub taken_millis: i64,
    /// The engine's change horizon of the snapshot
    /// (`Snapshot::change_horizon`): the log's records below it are in
    /// the snapshot, none from it on.
    pub horizon: u64,
}

/// A restore under way into a table: its items are being written, and
/// until they all are the table serves no item operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreMeta {
    /// `SourceBackupArn` (none for a point-in-time restore).
    pub source_backup_arn: Option<String>,
    /// `SourceTableArn`.
    pub source_table_arn: String,
    /// `RestoreDateTime`: the instant restored, epoch milliseconds.
    pub restore_millis: i64,
    /// The id of the backup whose file the items come from (for a
    /// point-in-time restore, chosen when it starts: empty until then).
    pub backup_id: String,
    /// What a point-in-time restore replays.
    #[serde(default)]
    pub point_in_time: Option<PointInTimeSource>,
}

/// The source of a point-in-time restore: a table's recovery log (and its
/// snapshots, the last of which at or before the restored instant is the
/// one read).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointInTimeSource {
    /// The source table's id.
    pub table_id: u64,
    /// Its recovery log's shard number.
    pub log_shard: u64,
}

impl TableMeta {
    /// Whether the table is still being restored (its items being written).
    pub fn is_restoring(&self) -> bool {
        self.restore.is_some()
    }
}

impl TableMeta {
    /// The table's ARN.
    pub fn arn(&self) -> String {
        table_arn(&self.region, &self.account_id, &self.name)
    }

    /// Where item writes append change records: the open shard of the
    /// enabled stream and the stream's view type; `None` while nothing
    /// reads them (no enabled stream), so writes then record nothing.
    pub fn change_log(&self) -> Option<(&ShardMeta, ViewType)> {
        let stream = self.streams.last().filter(|s| s.is_enabled())?;
        Some((stream.open_shard()?, stream.view_type))
    }

    /// Every change log a write appends to, with the images each keeps:
    /// the enabled stream's open shard (its view type), the capture log
    /// of each Kinesis destination that captures, and the recovery log of
    /// point-in-time recovery (both images). Empty for most tables, which
    /// then record nothing.
    pub fn change_logs(&self) -> impl Iterator<Item = (u64, ViewType)> + '_ {
        let stream = self.change_log().map(|(shard, view)| (shard.number, view));
        let kinesis = self
            .kinesis
            .iter()
            .filter(|d| d.status.captures())
            .map(|d| (d.capture_shard, ViewType::NewAndOldImages));
        let recovery = self
            .pitr
            .as_ref()
            .and_then(|p| p.log_shard)
            .map(|shard| (shard, ViewType::NewAndOldImages));
        stream.into_iter().chain(kinesis).chain(recovery)
    }

    /// The stream labelled `label`.
    pub fn stream_labelled(&self, label: &str) -> Option<&StreamMeta> {
        self.streams.iter().find(|s| s.label == label)
    }

    /// The ARN of the stream labelled `label`.
    pub fn stream_arn(&self, label: &str) -> String {
        format!("{}/stream/{label}", self.arn())
    }

    /// The index called `name`.
    pub fn index(&self, name: &str) -> Option<&IndexMeta> {
        self.indexes.iter().find(|i| i.name == name)
    }

    /// Whether the table has local secondary indexes (and so item
    /// collections).
    pub fn has_local_indexes(&self) -> bool {
        self.indexes.iter().any(|i| i.kind == IndexKind::Local)
    }

    /// The table's key schema.
    pub fn key_schema(&self) -> KeySchema {
        KeySchema {
            partition: stored_to_key(&self.partition_key),
            sort: self.sort_key.as_ref().map(stored_to_key),
        }
    }
}

fn stored_to_key(k: &StoredKey) -> KeyAttribute {
    KeyAttribute {
        name: k.name.clone(),
        // Stored types were validated when the table was created.
        scalar_type: ScalarType::from_wire_name(&k.scalar_type).unwrap_or(ScalarType::S),
    }
}

/// The ARN of a table.
pub fn table_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:dynamodb:{region}:{account}:table/{name}")
}

/// Splits a table ARN into (region, account, name), or `None` if `s` is not
/// a DynamoDB table ARN.
pub fn parse_table_arn(s: &str) -> Option<(&str, &str, &str)> {
    let rest = s.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let _partition = parts.next()?;
    if parts.next()? != "dynamodb" {
        return None;
    }
    let region = parts.next()?;
    let account = parts.next()?;
    let name = parts.next()?.strip_prefix("table/")?;
    if name.contains('/') {
        return None;
    }
    Some((region, account, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_round_trip() {
        let arn = table_arn("eu-west-1", "123456789012", "Music");
        assert_eq!(arn, "arn:aws:dynamodb:eu-west-1:123456789012:table/Music");
        assert_eq!(
            parse_table_arn(&arn),
            Some(("eu-west-1", "123456789012", "Music"))
        );
        assert_eq!(parse_table_arn("Music"), None);
        assert_eq!(parse_table_arn("arn:aws:s3:::bucket"), None);
        assert_eq!(
            parse_table_arn("arn:aws:dynamodb:r:a:table/t/index/i"),
            None
        );
    }
}

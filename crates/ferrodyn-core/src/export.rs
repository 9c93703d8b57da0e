//! Exports of a table as of an instant: their records, and the background
//! work that writes them to an object store (the layout and formats are
//! `ferrodyn_transfer`'s).
//!
//! ```text
//! ExportTableToPointInTime   record IN_PROGRESS                -> answers at once
//! jobs                       the table's items at ExportTime (its recovery
//!                            snapshot and log, as a restore reads them), a
//!                            page at a time -> data files; end: manifests,
//!                            record COMPLETED (or FAILED: no such bucket, ...)
//! ```
//!
//! Records live in the key space (`keyspace::export_key`) and outlive their
//! table. An export cut short by a restart starts over: its instant can
//! still be rebuilt (the table's recovery data is kept while an export
//! reads it), and its files are written again under the same names.

use std::collections::BTreeMap;
use std::sync::Arc;

use ferrodyn_model::value::item_size_bytes;
use ferrodyn_storage::{Op, ReadConsistency, WriteBatch};
use ferrodyn_transfer::TransferError;
use ferrodyn_transfer::export::{ExportFormat, ExportTarget, ExportWriter, Summary};
use ferrodyn_transfer::store::ObjectStore;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::backup::SnapshotItems;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::keyspace;
use crate::table::{PointInTimeSource, TableMeta};

/// The record format this build writes.
const RECORD_FORMAT_VERSION: u8 = 1;
/// How many items one export step writes.
pub const EXPORT_PAGE_ITEMS: usize = 4096;

/// `ExportStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportStatus {
    /// Being written.
    InProgress,
    /// Written whole.
    Completed,
    /// Given up (`FailureCode`, `FailureMessage`).
    Failed,
}

impl ExportStatus {
    /// The wire name.
    pub fn wire_name(self) -> &'static str {
        match self {
            ExportStatus::InProgress => "IN_PROGRESS",
            ExportStatus::Completed => "COMPLETED",
            ExportStatus::Failed => "FAILED",
        }
    }
}

/// An export's record: the request as made, and how it went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportMeta {
    /// The id: `StartTime` in milliseconds (14 digits) and 8 hex digits,
    /// the last part of the ARN.
    pub id: String,
    /// The table as it was when the export was asked for.
    pub table: TableMeta,
    /// Its recovery log, which the export reads.
    pub source: PointInTimeSource,
    /// `ExportStatus`.
    pub status: ExportStatus,
    /// `StartTime`, epoch milliseconds.
    pub start_millis: i64,
    /// `EndTime`, once finished.
    pub end_millis: Option<i64>,
    /// `ExportTime`: the instant exported.
    pub export_millis: i64,
    /// `ClientToken`.
    pub client_token: String,
    /// `S3Bucket`.
    pub bucket: String,
    /// `S3BucketOwner`, if given.
    pub bucket_owner: Option<String>,
    /// `S3Prefix`, if given.
    pub prefix: Option<String>,
    /// `S3SseAlgorithm` (`AES256` unless `KMS` was asked for).
    pub sse_algorithm: String,
    /// `S3SseKmsKeyId`, if given.
    pub sse_kms_key_id: Option<String>,
    /// `ExportFormat` (wire name).
    pub format: String,
    /// `ExportType`, only if it was sent (AWS echoes it then only).
    pub export_type: Option<String>,
    /// `ItemCount`, once completed.
    pub item_count: Option<u64>,
    /// `BilledSizeBytes`, once completed.
    pub billed_size_bytes: Option<u64>,
    /// `FailureCode`, if failed.
    pub failure_code: Option<String>,
    /// `FailureMessage`, if failed.
    pub failure_message: Option<String>,
}

impl ExportMeta {
    /// `ExportArn`.
    pub fn arn(&self) -> String {
        format!("{}/export/{}", self.table.arn(), self.id)
    }

    /// `ExportManifest`: the key of `manifest-summary.json`.
    pub fn manifest_key(&self) -> String {
        self.target().manifest_summary_key()
    }

    fn target(&self) -> ExportTarget {
        ExportTarget {
            bucket: self.bucket.clone(),
            prefix: self.prefix.clone(),
            export_id: self.id.clone(),
        }
    }

    fn key(&self) -> Vec<u8> {
        keyspace::export_key(&self.table.account_id, &self.table.region, &self.id)
    }
}

/// An export being written in this process.
struct Exporting {
    items: SnapshotItems,
    writer: ExportWriter,
    billed_bytes: u64,
}

/// Exports in progress, by record key: the record and, once started in
/// this process, what is being written.
type Running = BTreeMap<Vec<u8>, (ExportMeta, Option<Exporting>)>;

/// The exports' state in this process.
#[derive(Default)]
pub(crate) struct Exports {
    /// Where exports are written; `None`: exports are refused.
    pub(crate) store: Option<Arc<dyn ObjectStore>>,
    /// Exports in progress.
    running: Mutex<Running>,
    /// Whether the exports an earlier process left in progress are queued.
    recovered: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Exports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exports")
            .field("store", &self.store)
            .field("running", &self.running.lock().len())
            .finish()
    }
}

impl Database {
    /// Writes exports to `store`.
    pub fn with_export_store(mut self, store: Arc<dyn ObjectStore>) -> Database {
        self.exports.store = Some(store);
        self
    }

    pub(crate) fn export_store(&self) -> Result<Arc<dyn ObjectStore>> {
        self.exports.store.clone().ok_or_else(|| {
            CoreError::Internal("this server was started without an export store".into())
        })
    }

    /// Every export of the caller's account and region, oldest first.
    pub(crate) fn export_records(&self, account: &str, region: &str) -> Result<Vec<ExportMeta>> {
        self.scan_prefix(keyspace::exports_prefix(account, region))?
            .iter()
            .map(|(_, v)| {
                crate::catalog::decode_versioned(RECORD_FORMAT_VERSION, v, "export record")
            })
            .collect()
    }

    /// The record of export `id`, if the caller has it.
    pub(crate) fn export_record(
        &self,
        account: &str,
        region: &str,
        id: &str,
    ) -> Result<Option<ExportMeta>> {
        self.engine
            .get(
                &keyspace::export_key(account, region, id),
                ReadConsistency::Strong,
            )?
            .map(|v| crate::catalog::decode_versioned(RECORD_FORMAT_VERSION, &v, "export record"))
            .transpose()
    }

    fn put_export_record(&self, meta: &ExportMeta) -> Result<()> {
        self.engine.commit(WriteBatch {
            ops: vec![Op::Put {
                key: meta.key(),
                value: crate::catalog::encode_versioned(RECORD_FORMAT_VERSION, meta)?,
            }],
            ..WriteBatch::default()
        })?;
        Ok(())
    }

    /// Records a new export and queues it for the background jobs.
    pub(crate) fn start_export(&self, meta: &ExportMeta) -> Result<()> {
        self.put_export_record(meta)?;
        self.exports
            .running
            .lock()
            .insert(meta.key(), (meta.clone(), None));
        Ok(())
    }

    /// Whether an export in progress reads table `table_id`'s recovery
    /// data.
    pub(crate) fn export_reads(&self, table_id: u64) -> bool {
        self.exports
            .running
            .lock()
            .values()
            .any(|(m, _)| m.source.table_id == table_id)
    }

    /// One step of the export work: queues what an earlier process left in
    /// progress (once), then writes one page of one export. Returns whether
    /// there was any work.
    pub fn export_step(&self) -> Result<bool> {
        if self.exports.store.is_none() {
            return Ok(false);
        }
        if !self
            .exports
            .recovered
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            let all = self.scan_prefix(vec![keyspace::EXPORTS])?;
            let mut running = self.exports.running.lock();
            for (key, value) in all {
                let meta: ExportMeta = crate::catalog::decode_versioned(
                    RECORD_FORMAT_VERSION,
                    &value,
                    "export record",
                )?;
                if meta.status == ExportStatus::InProgress {
                    tracing::info!(export = %meta.arn(), "export starts over after a restart");
                    running.entry(key).or_insert((meta, None));
                }
            }
        }
        let entry = {
            let mut running = self.exports.running.lock();
            let key = running
                .iter()
                .find(|(_, (meta, state))| state.is_some() || self.export_can_start(meta))
                .map(|(k, _)| k.clone());
            key.and_then(|k| running.remove(&k).map(|v| (k, v)))
        };
        let Some((key, (meta, state))) = entry else {
            return Ok(false);
        };
        match self.export_page(&meta, state) {
            Ok(Some(state)) => {
                self.exports.running.lock().insert(key, (meta, Some(state)));
            }
            Ok(None) => {}
            Err(e) => {
                let (code, message) = match &e {
                    CoreError::Transfer(TransferError::NoSuchBucket) => (
                        "S3NoSuchBucket".to_owned(),
                        format!(
                            "The specified bucket does not exist (Service: Amazon S3; Status Code: 404; Error Code: NoSuchBucket; Request ID: {})",
                            request_id()
                        ),
                    ),
                    CoreError::Transfer(TransferError::AccessDenied(detail)) => (
                        "S3AccessDenied".to_owned(),
                        format!(
                            "Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied): {detail}"
                        ),
                    ),
                    other => ("UnknownError".to_owned(), other.to_string()),
                };
                tracing::warn!(export = %meta.arn(), %code, %message, "export failed");
                let mut failed = meta;
                failed.status = ExportStatus::Failed;
                failed.end_millis = Some(self.clock.now_millis());
                failed.failure_code = Some(code);
                failed.failure_message = Some(message);
                self.put_export_record(&failed)?;
            }
        }
        Ok(true)
    }

    /// Whether the export's source has a recovery snapshot to start from.
    fn export_can_start(&self, meta: &ExportMeta) -> bool {
        // Gone: starting fails the export, which is work.
        self.recovery_source(&meta.source)
            .is_none_or(|p| !p.bases.is_empty())
    }

    /// Writes one page of an export; `None` once it is finished.
    fn export_page(
        &self,
        meta: &ExportMeta,
        state: Option<Exporting>,
    ) -> Result<Option<Exporting>> {
        let mut state = match state {
            Some(s) => s,
            None => {
                let Some((base, overrides)) =
                    self.point_in_time_state(&meta.arn(), &meta.source, meta.export_millis)?
                else {
                    return Err(CoreError::Internal("no recovery snapshot yet".into()));
                };
                let format = ExportFormat::from_wire_name(&meta.format)
                    .ok_or_else(|| CoreError::Internal(format!("export format {}", meta.format)))?;
                Exporting {
                    items: SnapshotItems::open(self.backup_dir()?, &base, overrides)?,
                    writer: ExportWriter::start(self.export_store()?, meta.target(), format)?,
                    billed_bytes: 0,
                }
            }
        };
        let schema = meta.table.key_schema();
        for _ in 0..EXPORT_PAGE_ITEMS {
            let Some(item) = state.items.next_item(&schema)? else {
                let end = self.clock.now_millis();
                let count = state.writer.finish(&Summary {
                    export_arn: meta.arn(),
                    start_millis: meta.start_millis,
                    end_millis: end,
                    table_arn: meta.table.arn(),
                    table_id: meta.table.uuid.clone(),
                    export_millis: meta.export_millis,
                    sse_algorithm: meta.sse_algorithm.clone(),
                    sse_kms_key_id: meta.sse_kms_key_id.clone(),
                    billed_size_bytes: state.billed_bytes,
                })?;
                let mut done = meta.clone();
                done.status = ExportStatus::Completed;
                done.end_millis = Some(end);
                done.item_count = Some(count);
                done.billed_size_bytes = Some(state.billed_bytes);
                self.put_export_record(&done)?;
                tracing::info!(export = %done.arn(), items = count, "export completed");
                return Ok(None);
            };
            state.billed_bytes += item_size_bytes(&item) as u64;
            state.writer.push(&item)?;
        }
        Ok(Some(state))
    }
}

/// An S3-style request id for a failure message.
fn request_id() -> String {
    format!("{:016X}", uuid::Uuid::new_v4().as_u128() as u64)
}

//! On-demand backups: their records, their files, and the background work
//! that writes and restores them.
//!
//! ```text
//! CreateBackup   snapshot of the table's items (the engine's, one instant)
//!                + record CREATING                  -> answers at once
//! jobs           a page of the snapshot at a time -> <dir>/<id>.partial
//!                end: sync, rename to <id>.backup, record AVAILABLE
//! Restore...     new table whose items are being written (CREATING,
//!                not found by item operations)      -> answers at once
//! jobs           a page of the file at a time -> items, index entries and
//!                counters through the one write path; end: table ACTIVE
//! ```
//!
//! Records live in the key space (`keyspace::backup_key`), so they survive
//! restarts and the deletion of their table; files live in the backup
//! directory. A backup's snapshot is held in memory only: if the process
//! stops before its file is finished, the next one removes the record and
//! the partial file (a backup is never AVAILABLE unless whole), and a
//! restore under way starts over.

pub(crate) mod file;
pub mod pitr;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use ferrodyn_model::Item;
use ferrodyn_model::codec::{decode_item, encode_item};
use ferrodyn_model::value::item_size_bytes;
use ferrodyn_storage::{Op, ReadConsistency, Snapshot, WriteBatch};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::change::Origin;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::item::key_from_item;
use crate::keyspace;
use crate::table::{PitrBase, TableMeta};
use file::{BackupReader, BackupWriter};

/// The record format this build writes.
const RECORD_FORMAT_VERSION: u8 = 1;
/// How many items one restore step writes in one commit.
pub const RESTORE_PAGE_ITEMS: usize = 2048;

/// `BackupStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackupStatus {
    /// Being written.
    Creating,
    /// Whole and restorable.
    Available,
    /// Deleted (only in DeleteBackup's answer).
    Deleted,
}

impl BackupStatus {
    /// The wire name.
    pub fn wire_name(self) -> &'static str {
        match self {
            BackupStatus::Creating => "CREATING",
            BackupStatus::Available => "AVAILABLE",
            BackupStatus::Deleted => "DELETED",
        }
    }
}

/// `BackupType`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackupType {
    /// Made by CreateBackup.
    #[default]
    User,
    /// Made by the service: `<table>$DeletedTableBackup`, when a table
    /// with point-in-time recovery is deleted.
    System,
}

impl BackupType {
    /// The wire name.
    pub fn wire_name(self) -> &'static str {
        match self {
            BackupType::User => "USER",
            BackupType::System => "SYSTEM",
        }
    }
}

/// A backup's record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupMeta {
    /// The id: creation time (milliseconds, 14 digits) and 8 hex digits,
    /// the last part of the ARN.
    pub id: String,
    /// `BackupName`.
    pub name: String,
    /// The table as it was when backed up.
    pub table: TableMeta,
    /// `BackupCreationDateTime`, epoch milliseconds: the instant backed up.
    pub created_millis: i64,
    /// `BackupStatus`.
    pub status: BackupStatus,
    /// The table's items at that instant (exact once AVAILABLE).
    pub item_count: i64,
    /// Their size by DynamoDB's rules (`BackupSizeBytes`).
    pub size_bytes: i64,
    /// `BackupType`.
    #[serde(default)]
    pub backup_type: BackupType,
    /// `BackupExpiryDateTime`, epoch milliseconds (SYSTEM backups).
    #[serde(default)]
    pub expiry_millis: Option<i64>,
}

impl BackupMeta {
    /// `BackupArn`.
    pub fn arn(&self) -> String {
        format!("{}/backup/{}", self.table.arn(), self.id)
    }

    fn key(&self) -> Vec<u8> {
        keyspace::backup_key(&self.table.account_id, &self.table.region, &self.id)
    }
}

fn encode_record(meta: &BackupMeta) -> Result<Vec<u8>> {
    crate::catalog::encode_versioned(RECORD_FORMAT_VERSION, meta)
}

fn decode_record(bytes: &[u8]) -> Result<BackupMeta> {
    crate::catalog::decode_versioned(RECORD_FORMAT_VERSION, bytes, "backup record")
}

/// An id that sorts by creation: `millis` (14 digits), `-` and 8 random
/// hex digits (backups, exports and recovery snapshots, as AWS's ARNs
/// end).
pub(crate) fn timed_id(millis: i64) -> String {
    let suffix = uuid::Uuid::new_v4().as_u128() as u32;
    format!("{millis:014}-{suffix:08x}")
}

/// Whether a backup exists for clients: a record still `CREATING` that
/// this process is not writing was left by one that stopped, and is about
/// to be removed.
fn is_live(meta: &BackupMeta, writing: &HashMap<String, Writing>) -> bool {
    meta.status != BackupStatus::Creating || writing.contains_key(&meta.id)
}

/// A backup being written: its snapshot and its file.
struct Writing {
    meta: BackupMeta,
    snapshot: Box<dyn Snapshot>,
    file: Option<BackupWriter>,
    items: i64,
    bytes: i64,
    /// For a point-in-time recovery snapshot (which has no record): what
    /// its table's settings list once the file is whole.
    base: Option<PitrBase>,
}

impl Writing {
    /// A backup (or, with `base`, a recovery snapshot) about to be written
    /// from `snapshot`.
    fn new(meta: BackupMeta, snapshot: Box<dyn Snapshot>, base: Option<PitrBase>) -> Writing {
        Writing {
            meta,
            snapshot,
            file: None,
            items: 0,
            bytes: 0,
            base,
        }
    }
}

/// The items a restore (or an export) reads: a backup file's, or a
/// recovery snapshot's with the log's changes up to an instant.
pub(crate) struct SnapshotItems {
    reader: BackupReader,
    /// For a point-in-time restore, each key the log changed, by its
    /// encoded key attributes, with its item at the restored instant
    /// (`None`: absent then): the file's item of such a key is passed
    /// over, and these are written once the file is read.
    overrides: HashMap<Vec<u8>, Option<Vec<u8>>>,
    /// The overrides' items still to write, once the file is read.
    after: Option<std::vec::IntoIter<Vec<u8>>>,
}

impl SnapshotItems {
    /// Reads file `id` of `dir`, with `overrides` (empty for a backup).
    pub(crate) fn open(
        dir: &std::path::Path,
        id: &str,
        overrides: pitr::KeyStates,
    ) -> Result<SnapshotItems> {
        Ok(SnapshotItems {
            reader: BackupReader::open(dir, id)?,
            overrides,
            after: None,
        })
    }

    /// The next item, decoded.
    pub(crate) fn next_item(
        &mut self,
        schema: &ferrodyn_model::schema::KeySchema,
    ) -> Result<Option<Item>> {
        let decode = |b: &[u8]| decode_item(b).map_err(|e| CoreError::Internal(e.to_string()));
        if self.after.is_none() {
            while let Some(bytes) = self.reader.next_item()? {
                let item = decode(&bytes)?;
                if self.overrides.is_empty()
                    || !self
                        .overrides
                        .contains_key(&encode_item(&schema.key_of(&item)))
                {
                    return Ok(Some(item));
                }
            }
            let items: Vec<Vec<u8>> = std::mem::take(&mut self.overrides)
                .into_values()
                .flatten()
                .collect();
            self.after = Some(items.into_iter());
        }
        match self.after.as_mut().and_then(Iterator::next) {
            Some(bytes) => decode(&bytes).map(Some),
            None => Ok(None),
        }
    }
}

/// The backups' state in this process.
#[derive(Default)]
pub(crate) struct Backups {
    /// Where backup files go; `None`: backups are refused.
    pub(crate) dir: Option<PathBuf>,
    /// Backups being written, by id.
    writing: Mutex<HashMap<String, Writing>>,
    /// Restores under way: what each restored table (by id) reads.
    restoring: Mutex<HashMap<u64, SnapshotItems>>,
    /// Whether what an earlier process left half-done has been cleared.
    recovered: AtomicBool,
}

impl std::fmt::Debug for Backups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backups")
            .field("dir", &self.dir)
            .field("writing", &self.writing.lock().len())
            .field("restoring", &self.restoring.lock().len())
            .finish()
    }
}

impl Database {
    /// Keeps backup files in `dir`.
    pub fn with_backup_dir(mut self, dir: PathBuf) -> Database {
        self.backups.dir = Some(dir);
        self
    }

    pub(crate) fn backup_dir(&self) -> Result<&std::path::Path> {
        self.backups.dir.as_deref().ok_or_else(|| {
            CoreError::Internal("this server was started without a backup directory".into())
        })
    }

    /// Every backup of the caller's account and region, in creation order.
    pub(crate) fn backup_records(&self, account: &str, region: &str) -> Result<Vec<BackupMeta>> {
        // Read under the lock a backup is finished under, so that a record
        // is never seen CREATING after its writer has let go of it.
        let writing = self.backups.writing.lock();
        let mut all = self.backup_records_under(keyspace::backups_prefix(account, region))?;
        all.retain(|b| is_live(b, &writing));
        Ok(all)
    }

    /// Every backup record whose key starts with `start`.
    fn backup_records_under(&self, start: Vec<u8>) -> Result<Vec<BackupMeta>> {
        self.scan_prefix(start)?
            .iter()
            .map(|(_, value)| decode_record(value))
            .collect()
    }

    /// The record of backup `arn`, if the caller has it.
    pub(crate) fn backup_record(
        &self,
        account: &str,
        region: &str,
        arn: &str,
    ) -> Result<Option<BackupMeta>> {
        let Some((_, id)) = arn.rsplit_once("/backup/") else {
            return Ok(None);
        };
        let key = keyspace::backup_key(account, region, id);
        let writing = self.backups.writing.lock();
        match self.engine.get(&key, ReadConsistency::Strong)? {
            Some(bytes) => {
                let meta = decode_record(&bytes)?;
                Ok((meta.arn() == arn && is_live(&meta, &writing)).then_some(meta))
            }
            None => Ok(None),
        }
    }

    pub(crate) fn put_backup_record(&self, meta: &BackupMeta) -> Result<()> {
        self.engine.commit(WriteBatch {
            ops: vec![Op::Put {
                key: meta.key(),
                value: encode_record(meta)?,
            }],
            ..WriteBatch::default()
        })?;
        Ok(())
    }

    pub(crate) fn delete_backup_record(&self, meta: &BackupMeta) -> Result<()> {
        self.engine.commit(WriteBatch {
            ops: vec![Op::Delete { key: meta.key() }],
            ..WriteBatch::default()
        })?;
        Ok(())
    }

    /// A snapshot of table `table_id`'s items, taken now.
    pub(crate) fn table_snapshot(&self, table_id: u64) -> Result<Box<dyn Snapshot>> {
        let start = keyspace::table_items_prefix(table_id);
        let end = ferrodyn_storage::prefix_end(&start)
            .ok_or_else(|| CoreError::Internal("table prefix has no end".into()))?;
        Ok(self.engine.snapshot(&start, &end)?)
    }

    /// Starts writing a backup of `table` from `snapshot`, taken just now.
    pub(crate) fn start_backup(&self, meta: BackupMeta, snapshot: Box<dyn Snapshot>) -> Result<()> {
        let id = meta.id.clone();
        let record = meta.clone();
        self.backups
            .writing
            .lock()
            .insert(id.clone(), Writing::new(meta, snapshot, None));
        if let Err(e) = self.put_backup_record(&record) {
            self.backups.writing.lock().remove(&id);
            return Err(e);
        }
        Ok(())
    }

    /// Whether a restore under way reads backup `id`.
    pub(crate) fn backup_being_restored(&self, id: &str) -> bool {
        self.catalog
            .all()
            .iter()
            .any(|t| t.restore.as_ref().is_some_and(|r| r.backup_id == id))
    }

    /// One step of the backup work: clears what an earlier process left
    /// half-done (once), then writes one page of a backup or restores one
    /// page of items. Returns whether there was any work.
    pub fn backup_step(&self) -> Result<bool> {
        if !self.backups.recovered.swap(true, Ordering::SeqCst) {
            self.recover_backups()?;
        }
        let finished_base = {
            // The lock is held while a page is written: the map says which
            // backups are being written (see `is_live`).
            let mut all = self.backups.writing.lock();
            let Some(id) = all.keys().next().cloned() else {
                drop(all);
                return self.restore_step();
            };
            let outcome = match all.get_mut(&id) {
                Some(writing) => self.write_backup_page(writing),
                None => Ok(true),
            };
            match outcome {
                Ok(true) => None,
                Ok(false) => all
                    .remove(&id)
                    .and_then(|w| Some((w.meta.table.id, w.base?))),
                Err(e) => {
                    if let Some(mut writing) = all.remove(&id) {
                        tracing::error!(backup = %writing.meta.id, error = %e, "backup failed; removed");
                        if let Some(file) = writing.file.take() {
                            file.abandon();
                        }
                        if writing.base.is_none() {
                            self.delete_backup_record(&writing.meta)?;
                        }
                    }
                    None
                }
            }
        };
        // Recorded in the table's settings without the writers' lock (the
        // DDL lock is taken first elsewhere).
        if let Some((table_id, base)) = finished_base {
            self.pitr_base_written(table_id, base)?;
        }
        Ok(true)
    }

    /// Writes the next page of a backup; `false` once it is finished.
    fn write_backup_page(&self, writing: &mut Writing) -> Result<bool> {
        let dir = self.backup_dir()?.to_path_buf();
        if writing.file.is_none() {
            writing.file = Some(BackupWriter::create(&dir, &writing.meta.id)?);
        }
        let page = writing.snapshot.next_page()?;
        if page.is_empty() {
            if let Some(out) = writing.file.take() {
                out.finish()?;
            }
            if writing.base.is_some() {
                tracing::info!(table = %writing.meta.table.name, items = writing.items, "point-in-time recovery snapshot written");
                return Ok(false);
            }
            let mut meta = writing.meta.clone();
            meta.status = BackupStatus::Available;
            meta.item_count = writing.items;
            meta.size_bytes = writing.bytes;
            self.put_backup_record(&meta)?;
            tracing::info!(backup = %meta.arn(), items = meta.item_count, "backup available");
            return Ok(false);
        }
        let out = writing
            .file
            .as_mut()
            .ok_or_else(|| CoreError::Internal("backup file not open".into()))?;
        for (_, value) in &page {
            let item = decode_item(value).map_err(|e| CoreError::Internal(e.to_string()))?;
            writing.items += 1;
            writing.bytes += item_size_bytes(&item) as i64;
            out.push(value)?;
        }
        Ok(true)
    }

    /// Removes the records of backups an earlier process did not finish,
    /// and their partial files.
    fn recover_backups(&self) -> Result<()> {
        let Some(dir) = self.backups.dir.clone() else {
            return Ok(());
        };
        let writing: Vec<String> = self.backups.writing.lock().keys().cloned().collect();
        for meta in self.backup_records_under(vec![keyspace::BACKUPS])? {
            if meta.status == BackupStatus::Creating && !writing.contains(&meta.id) {
                tracing::warn!(backup = %meta.arn(), "removing a backup left unfinished by an earlier run");
                self.delete_backup_record(&meta)?;
                file::remove(&dir, &meta.id)?;
            }
        }
        for id in file::partial_ids(&dir) {
            if !writing.contains(&id) {
                file::remove(&dir, &id)?;
            }
        }
        Ok(())
    }

    /// Restores one page of items into a table being restored; `false` if
    /// no table is (or none can go on yet: a point-in-time restore waits
    /// for its source's first snapshot).
    fn restore_step(&self) -> Result<bool> {
        for table in self.catalog.all().into_iter().filter(|t| t.is_restoring()) {
            match self.restore_page(&table) {
                Ok(true) => return Ok(true),
                Ok(false) => {}
                // One restore that cannot go on (its file damaged, its
                // source gone) holds up no other.
                Err(e) => {
                    tracing::error!(table = %table.name, error = %e, "restore cannot go on");
                }
            }
        }
        Ok(false)
    }

    /// Restores one page of items into `table`; `false` if it cannot start
    /// yet.
    fn restore_page(&self, table: &TableMeta) -> Result<bool> {
        let Some(restore) = &table.restore else {
            return Ok(false);
        };
        let taken = self.backups.restoring.lock().remove(&table.id);
        let mut restoring = match taken {
            Some(r) => r,
            None => {
                let (backup_id, overrides) = match &restore.point_in_time {
                    None => (restore.backup_id.clone(), HashMap::new()),
                    Some(source) => {
                        match self.point_in_time_state(
                            &table.name,
                            source,
                            restore.restore_millis,
                        )? {
                            Some(found) => found,
                            None => return Ok(false),
                        }
                    }
                };
                // Starting (or starting over after a restart): from an
                // empty table.
                self.clear_table_data(table)?;
                SnapshotItems::open(self.backup_dir()?, &backup_id, overrides)?
            }
        };
        // Held until the commit, as every write holds it (no index may be
        // added or removed under it).
        let gate = self.schema_gate.read_recursive();
        let mut batch = WriteBatch::default();
        // The page's counter deltas, summed: one merge operand per counter
        // rather than one per item.
        let mut counters: BTreeMap<Vec<u8>, i64> = BTreeMap::new();
        let schema = table.key_schema();
        let mut finished = false;
        for _ in 0..RESTORE_PAGE_ITEMS {
            let Some(item) = restoring.next_item(&schema)? else {
                finished = true;
                break;
            };
            let key = key_from_item(table.id, &schema, &item)?;
            let mut staged = WriteBatch::default();
            match self.stage_write(
                &mut staged,
                table,
                &key,
                None,
                None,
                Some(&item),
                &Origin::Client,
            ) {
                // No condition: until the restore ends nothing else can
                // write to the table (it is not found), and a restore that
                // starts over clears it first.
                Ok(_) => {
                    for op in staged.ops {
                        match op {
                            Op::Add { key, delta } => *counters.entry(key).or_default() += delta,
                            other => batch.ops.push(other),
                        }
                    }
                }
                // An item an overriding index cannot hold (a key attribute
                // of another type) stays out of the restored table.
                Err(CoreError::Validation(reason)) => {
                    tracing::warn!(table = %table.name, %reason, "restore: item skipped");
                }
                Err(e) => return Err(e),
            }
        }
        batch.ops.extend(
            counters
                .into_iter()
                .map(|(key, delta)| Op::Add { key, delta }),
        );
        if !batch.ops.is_empty() {
            self.engine.commit(batch)?;
        }
        drop(gate);
        if finished {
            let ddl = self.catalog.lock_ddl();
            if let Some(current) = self
                .catalog
                .get(&table.account_id, &table.region, &table.name)
                .filter(|t| t.id == table.id)
            {
                let mut meta = (*current).clone();
                meta.restore = None;
                self.catalog.replace(self.engine.as_ref(), &ddl, meta)?;
                tracing::info!(table = %table.name, "restore finished");
            }
        } else {
            self.backups.restoring.lock().insert(table.id, restoring);
        }
        Ok(true)
    }

    /// Removes every item, index entry and counter of `table`.
    pub(crate) fn clear_table_data(&self, table: &TableMeta) -> Result<()> {
        let ops = crate::catalog::table_data_removal(table)?;
        self.engine.commit(WriteBatch {
            ops,
            ..WriteBatch::default()
        })?;
        Ok(())
    }
}

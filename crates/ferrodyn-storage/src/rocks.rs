//! The durable engine, on RocksDB.
//!
//! Two column families hold the data: `default` for the key space and
//! `changes` for the change logs: each record keyed by `log | sequence`
//! (u64 big-endian), and the next sequence number under the one-byte key
//! `0xFF`.
//!
//! A commit's conditions are checked under striped key latches
//! (`crate::latch`), against the latest accepted value of each key; the
//! commit is then accepted into the commit queue (`crate::commit_queue`),
//! whose one committer thread writes everything queued in one synced
//! RocksDB write (group commit) and completes each commit once it is on
//! disk. `commit` returns then, or, inside
//! [`crate::deferred_durability`], as soon as the commit is accepted. The
//! latches are held only until the commit is queued: two commits on a
//! common key are serialised by the queue's order, commits on disjoint keys
//! share each fsync.
//!
//! Change sequence numbers are assigned in queue order, which is the order
//! of the log: a reader of the feed never sees a later record durable
//! before an earlier one.

use std::path::Path;
use std::sync::Arc;

use rocksdb::{
    BlockBasedOptions, Cache, ColumnFamilyDescriptor, DBCompressionType, ErrorKind, MergeOperands,
    Options, ReadOptions, ReadTier, WriteOptions,
};

use crate::commit_queue::{CF_CHANGES, CF_SEQUENCE, CommitQueue, NEXT_SEQUENCE_KEY, write_error};

/// Where the change sequence counter was kept before it had a column family
/// of its own: in the change logs' family, under a one-byte key (never a
/// record's, which is at least eight bytes). Moved at open.
const LEGACY_NEXT_SEQUENCE_KEY: &[u8] = &[0xFF];
use crate::latch::{Latches, batch_keys};
use crate::memory::collect_page;
use crate::{
    CommitInfo, Condition, Direction, Engine, Entries, ReadConsistency, Result,
    SNAPSHOT_PAGE_BYTES, SNAPSHOT_PAGE_ENTRIES, ScanPage, ScanRequest, Snapshot, StorageError,
    WriteBatch, WriteHealth, durability,
};

/// Durability of commits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sync {
    /// fsync every commit before acknowledging it (the default).
    Always,
    /// Leave flushing to the OS; for tests that do not test durability.
    Never,
}

/// The RocksDB-backed engine.
pub struct RocksEngine {
    queue: CommitQueue,
    db: Arc<rocksdb::DB>,
    latches: Latches,
    sync: Sync,
}

impl std::fmt::Debug for RocksEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RocksEngine")
            .field("path", &self.db.path())
            .field("sync", &self.sync)
            .finish()
    }
}

/// Sums signed 64-bit little-endian operands: the merge operator behind
/// [`Op::Add`]. Malformed stored bytes count as zero rather than failing a
/// read, because a counter is a statistic, never the only copy of data.
fn add_counters(_key: &[u8], existing: Option<&[u8]>, operands: &MergeOperands) -> Option<Vec<u8>> {
    let mut total = crate::decode_counter(existing);
    for op in operands {
        total = total.wrapping_add(crate::decode_counter(Some(op)));
    }
    Some(total.to_le_bytes().to_vec())
}

fn engine_err(e: rocksdb::Error) -> StorageError {
    StorageError::Engine(e.into_string())
}

/// A read's error: `Incomplete` is what RocksDB answers a read limited to
/// the block cache that needed the disk.
fn read_err(e: rocksdb::Error) -> StorageError {
    if e.kind() == ErrorKind::Incomplete {
        StorageError::WouldBlock
    } else {
        engine_err(e)
    }
}

/// The block cache when none is configured. Blocks of files that
/// compactions have replaced stay in the cache until newer ones push them
/// out, so under steady writes the cache grows to its capacity even when
/// the data is small: the default is kept modest, and a server for a large
/// table is given more (BENCHMARKS.md: a quarter of the machine's memory
/// keeps a 10-million-item table in memory).
pub const DEFAULT_BLOCK_CACHE_BYTES: usize = 256 << 20;

/// How a [`RocksEngine`] is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RocksConfig {
    /// Durability of commits.
    pub sync: Sync,
    /// Capacity of the cache of uncompressed data blocks. It is filled by
    /// reads, so it costs memory only as data is read; reads served from it
    /// neither decompress nor call the kernel, and only they can run inside
    /// [`crate::cached_reads_only`].
    pub block_cache_bytes: usize,
}

impl RocksConfig {
    /// `sync` with the default block cache.
    pub fn new(sync: Sync) -> RocksConfig {
        RocksConfig {
            sync,
            block_cache_bytes: DEFAULT_BLOCK_CACHE_BYTES,
        }
    }
}

/// Creates `path` and any missing parent, and makes their names durable:
/// RocksDB syncs the files it writes inside its directory, and the
/// directory itself, but not the directory's entry in its parent, so
/// without this a power loss just after the first acknowledged write could
/// lose the whole store (found by the power-loss tests on crashfs).
fn create_dir_durably(path: &Path) -> std::io::Result<()> {
    if path.is_dir() {
        return Ok(());
    }
    // The highest ancestor that does not exist yet: its parent, and every
    // directory created below it, gets its new entry synced.
    let mut missing = Vec::new();
    let mut at = Some(path);
    while let Some(p) = at {
        if p.as_os_str().is_empty() || p.exists() {
            break;
        }
        missing.push(p.to_path_buf());
        at = p.parent();
    }
    std::fs::create_dir_all(path)?;
    for dir in missing.iter().rev() {
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        std::fs::File::open(&parent)?.sync_all()?;
    }
    std::fs::File::open(path)?.sync_all()
}

/// The file whose presence tells that a directory holds a RocksDB store.
const CURRENT_FILE: &str = "CURRENT";

/// Whether `path` holds a store (else opening it creates one).
pub fn store_exists(path: &Path) -> bool {
    path.join(CURRENT_FILE).exists()
}

impl RocksEngine {
    /// Opens (creating if needed) the store in `path` with the default block
    /// cache.
    pub fn open(path: &Path, sync: Sync) -> Result<RocksEngine> {
        RocksEngine::open_with(path, RocksConfig::new(sync))
    }

    /// Opens (creating if needed) the store in `path`.
    pub fn open_with(path: &Path, config: RocksConfig) -> Result<RocksEngine> {
        create_dir_durably(path)
            .map_err(|e| StorageError::Open(format!("cannot create {}: {e}", path.display())))?;
        let mut opts = Options::default();
        opts.create_if_missing(true);
        opts.create_missing_column_families(true);
        opts.set_compression_type(DBCompressionType::Lz4);
        opts.set_bottommost_compression_type(DBCompressionType::Zstd);
        opts.set_merge_operator_associative("ferrodyn.add_i64", add_counters);
        opts.increase_parallelism(2);
        // Keep RocksDB's informational log small: it is not ours to read.
        opts.set_keep_log_file_num(2);
        opts.set_max_log_file_size(1 << 20);
        let mut table = BlockBasedOptions::default();
        table.set_bloom_filter(10.0, false);
        table.set_block_cache(&Cache::new_lru_cache(config.block_cache_bytes));
        opts.set_block_based_table_factory(&table);

        let mut change_opts = Options::default();
        change_opts.set_compression_type(DBCompressionType::Lz4);
        let cfs = vec![
            ColumnFamilyDescriptor::new(rocksdb::DEFAULT_COLUMN_FAMILY_NAME, opts.clone()),
            ColumnFamilyDescriptor::new(CF_CHANGES, change_opts),
            ColumnFamilyDescriptor::new(CF_SEQUENCE, Options::default()),
        ];
        let db = rocksdb::DB::open_cf_descriptors(&opts, path, cfs)
            .map_err(|e| StorageError::Open(e.into_string()))?;
        let next_sequence = {
            let missing = |name: &str| StorageError::Open(format!("missing column family {name}"));
            let cf = db
                .cf_handle(CF_CHANGES)
                .ok_or_else(|| missing(CF_CHANGES))?;
            let sequence_cf = db
                .cf_handle(CF_SEQUENCE)
                .ok_or_else(|| missing(CF_SEQUENCE))?;
            match db
                .get_cf(&sequence_cf, NEXT_SEQUENCE_KEY)
                .map_err(|e| StorageError::Open(e.into_string()))?
            {
                Some(v) => decode_sequence(&v)?,
                // A store whose counter is still among the change logs
                // (before the counter had a family of its own): moved.
                None if let Some(v) = db
                    .get_cf(&cf, LEGACY_NEXT_SEQUENCE_KEY)
                    .map_err(|e| StorageError::Open(e.into_string()))? =>
                {
                    let next = decode_sequence(&v)?;
                    let mut wb = rocksdb::WriteBatch::default();
                    wb.put_cf(&sequence_cf, NEXT_SEQUENCE_KEY, next.to_be_bytes());
                    wb.delete_cf(&cf, LEGACY_NEXT_SEQUENCE_KEY);
                    let mut synced = WriteOptions::default();
                    synced.set_sync(true);
                    db.write_opt(wb, &synced)
                        .map_err(|e| StorageError::Open(e.into_string()))?;
                    next
                }
                // A store written before the counter was kept: its only
                // records are keyed by the bare sequence, the last one
                // being the largest.
                None => {
                    let mut it = db.raw_iterator_cf(&cf);
                    it.seek_to_last();
                    match it.key() {
                        Some(k) => decode_sequence(k)? + 1,
                        None => 0,
                    }
                }
            }
        };
        let db = Arc::new(db);
        Ok(RocksEngine {
            queue: CommitQueue::start(Arc::clone(&db), config.sync == Sync::Always, next_sequence)?,
            db,
            latches: Latches::new(),
            sync: config.sync,
        })
    }

    fn changes_cf(&self) -> Result<&rocksdb::ColumnFamily> {
        self.db
            .cf_handle(CF_CHANGES)
            .ok_or_else(|| StorageError::Engine("missing changes column family".into()))
    }

    /// Options for a read: limited to memory inside
    /// [`crate::cached_reads_only`].
    fn read_options() -> ReadOptions {
        let mut opts = ReadOptions::default();
        if !crate::reads_may_wait() {
            opts.set_read_tier(ReadTier::BlockCache);
        }
        opts
    }

    fn write_options(&self) -> WriteOptions {
        let mut w = WriteOptions::default();
        w.set_sync(self.sync == Sync::Always);
        w
    }
}

fn decode_sequence(key: &[u8]) -> Result<u64> {
    <[u8; 8]>::try_from(key)
        .map(u64::from_be_bytes)
        .map_err(|_| StorageError::Engine("corrupt change sequence key".into()))
}

impl Engine for RocksEngine {
    fn get(&self, key: &[u8], _: ReadConsistency) -> Result<Option<Vec<u8>>> {
        self.db
            .get_opt(key, &RocksEngine::read_options())
            .map_err(read_err)
    }

    fn multi_get(&self, keys: &[Vec<u8>], _: ReadConsistency) -> Result<Vec<Option<Vec<u8>>>> {
        let snapshot = self.db.snapshot();
        keys.iter()
            .map(|k| {
                snapshot
                    .get_opt(k, RocksEngine::read_options())
                    .map_err(read_err)
            })
            .collect()
    }

    fn scan(&self, req: &ScanRequest<'_>) -> Result<ScanPage> {
        if req.start >= req.end {
            return Ok(ScanPage::default());
        }
        let mut opts = RocksEngine::read_options();
        opts.set_iterate_lower_bound(req.start.to_vec());
        opts.set_iterate_upper_bound(req.end.to_vec());
        let mut it = self.db.raw_iterator_opt(opts);
        match req.direction {
            Direction::Forward => it.seek_to_first(),
            Direction::Reverse => it.seek_to_last(),
        }
        let forward = req.direction == Direction::Forward;
        let entries = std::iter::from_fn(|| {
            let entry = match (it.key(), it.value()) {
                (Some(k), Some(v)) => (k.to_vec(), v.to_vec()),
                _ => return None,
            };
            if forward {
                it.next();
            } else {
                it.prev();
            }
            Some(entry)
        });
        let page = collect_page(entries, req.limit_items, req.limit_bytes);
        it.status().map_err(read_err)?;
        Ok(page)
    }

    fn get_for_write(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        match self.queue.latest(key) {
            Some(latest) => Ok(latest),
            None => self.get(key, ReadConsistency::Strong),
        }
    }

    fn commit(&self, batch: WriteBatch) -> Result<CommitInfo> {
        if self.queue.is_poisoned() {
            return Err(StorageError::Poisoned);
        }
        let (info, completion) = {
            let _latched = self.latches.lock(batch_keys(&batch));
            for (index, cond) in batch.conditions.iter().enumerate() {
                match cond {
                    Condition::ValueIs { key, value } => {
                        let holds = match self.queue.latest_is(key, value.as_deref()) {
                            Some(holds) => holds,
                            None => {
                                let current = self
                                    .db
                                    .get_pinned_opt(key, &RocksEngine::read_options())
                                    .map_err(read_err)?;
                                current.as_deref() == value.as_deref()
                            }
                        };
                        if !holds {
                            return Err(StorageError::ConditionFailed { index });
                        }
                    }
                }
            }
            self.queue.accept(batch)?
        };
        if !durability::defer(&completion) {
            completion.wait()?;
        }
        Ok(info)
    }

    fn changes(&self, log: &[u8], from: u64, limit: usize) -> Result<Vec<(u64, Vec<u8>)>> {
        let cf = self.changes_cf()?;
        let mut it = self
            .db
            .raw_iterator_cf_opt(&cf, RocksEngine::read_options());
        it.seek(crate::change_key(log, from));
        let mut out = Vec::new();
        while out.len() < limit {
            let (Some(k), Some(v)) = (it.key(), it.value()) else {
                break;
            };
            if !k.starts_with(log) {
                break;
            }
            if let Some(seq) = crate::change_sequence(log, k) {
                out.push((seq, v.to_vec()));
            }
            it.next();
        }
        it.status().map_err(read_err)?;
        Ok(out)
    }

    fn last_change(&self, log: &[u8]) -> Result<Option<u64>> {
        let cf = self.changes_cf()?;
        let mut it = self
            .db
            .raw_iterator_cf_opt(&cf, RocksEngine::read_options());
        it.seek_for_prev(crate::change_key(log, u64::MAX));
        while let Some(k) = it.key() {
            if !k.starts_with(log) {
                break;
            }
            if let Some(seq) = crate::change_sequence(log, k) {
                return Ok(Some(seq));
            }
            it.prev();
        }
        it.status().map_err(read_err)?;
        Ok(None)
    }

    fn trim_changes(&self, log: &[u8], before: u64) -> Result<()> {
        let cf = self.changes_cf()?;
        let mut wb = rocksdb::WriteBatch::default();
        let (start, end) = (crate::change_key(log, 0), crate::change_key(log, before));
        if log.is_empty() {
            // Bare sequences (a store's first format) sort among longer
            // logs' keys: delete them one by one.
            let mut it = self.db.raw_iterator_cf(&cf);
            it.seek(&start);
            while let Some(k) = it.key() {
                if k >= end.as_slice() {
                    break;
                }
                if k.len() == 8 {
                    wb.delete_cf(&cf, k);
                }
                it.next();
            }
            it.status().map_err(engine_err)?;
        } else {
            wb.delete_range_cf(&cf, start, end);
        }
        self.db
            .write_opt(wb, &self.write_options())
            .map_err(engine_err)
    }

    fn snapshot(&self, start: &[u8], end: &[u8]) -> Result<Box<dyn Snapshot>> {
        SnapshotReader::start(Arc::clone(&self.db), start.to_vec(), end.to_vec())
    }

    fn flush(&self) -> Result<()> {
        // Out of space, the memtables cannot be written: say so as such,
        // since every acknowledged write is safe in the synced log.
        let flush_err = |e: rocksdb::Error| write_error(e.into_string());
        self.queue.barrier()?;
        self.db.flush_wal(true).map_err(flush_err)?;
        self.db.flush().map_err(flush_err)
    }

    fn write_health(&self) -> WriteHealth {
        if self.queue.is_poisoned() {
            return WriteHealth::Failed;
        }
        if !self.queue.is_out_of_space() {
            return WriteHealth::Writable;
        }
        // An empty synced write goes through RocksDB's write path, which
        // refuses it while RocksDB is stopped by the error: it tells whether
        // writes have resumed, and if they have, clears the state.
        match self.queue.barrier() {
            Ok(()) => WriteHealth::Writable,
            Err(StorageError::Poisoned) => WriteHealth::Failed,
            Err(_) => WriteHealth::NoSpace,
        }
    }
}

/// A snapshot of the durable engine. RocksDB's snapshot borrows the
/// database, so it lives on a thread of its own that reads the range page
/// by page and hands each page over a channel of one; dropping the reader
/// ends the thread and releases the snapshot.
struct SnapshotReader {
    /// `None` once dropping.
    pages: Option<std::sync::mpsc::Receiver<Result<Entries>>>,
    /// Joined on drop, so that the database is released when the reader is.
    thread: Option<std::thread::JoinHandle<()>>,
    /// See [`Snapshot::change_horizon`].
    change_horizon: u64,
}

impl Drop for SnapshotReader {
    fn drop(&mut self) {
        // The thread's next hand-over fails, and it ends.
        self.pages = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl SnapshotReader {
    /// Returns once the snapshot is taken.
    fn start(db: Arc<rocksdb::DB>, start: Vec<u8>, end: Vec<u8>) -> Result<Box<dyn Snapshot>> {
        let (taken_tx, taken) = std::sync::mpsc::sync_channel::<Result<u64>>(1);
        let (pages_tx, pages) = std::sync::mpsc::sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("ferrodyn-snapshot".into())
            .spawn(move || {
                let snapshot = db.snapshot();
                // The sequence counter is written in the same batch as the
                // records it numbers: as the snapshot sees it, it is the
                // first sequence not in the snapshot.
                let horizon = match db.cf_handle(CF_SEQUENCE) {
                    Some(cf) => {
                        let mut opts = ReadOptions::default();
                        opts.set_snapshot(&snapshot);
                        db.get_cf_opt(&cf, NEXT_SEQUENCE_KEY, &opts)
                            .map_err(engine_err)
                            .and_then(|v| v.map_or(Ok(0), |v| decode_sequence(&v)))
                    }
                    None => Err(StorageError::Engine(format!(
                        "missing column family {CF_SEQUENCE}"
                    ))),
                };
                let failed = horizon.is_err();
                let _ = taken_tx.send(horizon);
                if failed {
                    return;
                }
                if start >= end {
                    let _ = pages_tx.send(Ok(Vec::new()));
                    return;
                }
                let mut opts = ReadOptions::default();
                opts.set_snapshot(&snapshot);
                opts.set_iterate_lower_bound(start);
                opts.set_iterate_upper_bound(end);
                // A whole-range read: keep it out of the block cache.
                opts.fill_cache(false);
                let mut it = db.raw_iterator_opt(opts);
                it.seek_to_first();
                loop {
                    let entries = std::iter::from_fn(|| {
                        let entry = (it.key()?.to_vec(), it.value()?.to_vec());
                        it.next();
                        Some(entry)
                    });
                    let page = collect_page(entries, SNAPSHOT_PAGE_ENTRIES, SNAPSHOT_PAGE_BYTES);
                    let page = it.status().map_err(engine_err).map(|()| page.entries);
                    let last = !matches!(&page, Ok(p) if !p.is_empty());
                    if pages_tx.send(page).is_err() || last {
                        return;
                    }
                }
            })
            .map_err(|e| StorageError::Engine(format!("cannot start a snapshot: {e}")))?;
        let change_horizon = taken
            .recv()
            .map_err(|_| StorageError::Engine("the snapshot thread ended".into()))??;
        Ok(Box::new(SnapshotReader {
            pages: Some(pages),
            thread: Some(thread),
            change_horizon,
        }))
    }
}

impl Snapshot for SnapshotReader {
    fn next_page(&mut self) -> Result<Entries> {
        // After the last page the thread has gone: the range is exhausted.
        match &self.pages {
            Some(pages) => pages.recv().unwrap_or_else(|_| Ok(Vec::new())),
            None => Ok(Vec::new()),
        }
    }

    fn change_horizon(&self) -> u64 {
        self.change_horizon
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Op;

    #[test]
    fn corpus() {
        let dirs = std::sync::Mutex::new(Vec::new());
        crate::corpus::run_all(&|| {
            let dir = tempfile::tempdir().expect("tempdir");
            let engine = RocksEngine::open(dir.path(), Sync::Never).expect("open");
            dirs.lock().expect("lock").push(dir);
            Box::new(engine)
        });
    }

    #[test]
    fn cached_reads_only_refuses_reads_that_need_the_disk() {
        let dir = tempfile::tempdir().expect("tempdir");
        let put = |e: &RocksEngine, key: &[u8]| {
            e.commit(WriteBatch {
                ops: vec![Op::Put {
                    key: key.to_vec(),
                    value: b"v".to_vec(),
                }],
                ..WriteBatch::default()
            })
            .expect("commit");
        };
        {
            let e = RocksEngine::open(dir.path(), Sync::Always).expect("open");
            put(&e, b"on-disk");
            // Into a table file, out of the memtable.
            e.flush().expect("flush");
        }
        let e = RocksEngine::open(dir.path(), Sync::Always).expect("reopen");
        let strong = ReadConsistency::Strong;
        let scan = ScanRequest {
            start: b"a",
            end: b"z",
            direction: Direction::Forward,
            limit_items: 10,
            limit_bytes: 1 << 20,
            consistency: strong,
        };
        // Nothing of the table file's data is cached yet.
        assert!(matches!(
            crate::cached_reads_only(|| e.get(b"on-disk", strong)),
            Err(StorageError::WouldBlock)
        ));
        assert!(matches!(
            crate::cached_reads_only(|| e.multi_get(&[b"on-disk".to_vec()], strong)),
            Err(StorageError::WouldBlock)
        ));
        assert!(matches!(
            crate::cached_reads_only(|| e.scan(&scan)),
            Err(StorageError::WouldBlock)
        ));
        assert!(
            crate::reads_may_wait(),
            "the restriction ends with the call"
        );
        // A read that may wait reads the block and leaves it in the cache.
        assert_eq!(e.get(b"on-disk", strong).expect("get"), Some(b"v".to_vec()));
        let cached = crate::cached_reads_only(|| e.get(b"on-disk", strong));
        assert_eq!(cached.expect("cached"), Some(b"v".to_vec()));
        let page = crate::cached_reads_only(|| e.scan(&scan)).expect("cached scan");
        assert_eq!(page.entries.len(), 1);
        // Fresh writes are in the memtable; absent keys are ruled out by the
        // in-memory bloom filter.
        put(&e, b"in-memory");
        let fresh = crate::cached_reads_only(|| e.get(b"in-memory", strong));
        assert_eq!(fresh.expect("memtable"), Some(b"v".to_vec()));
        let absent = crate::cached_reads_only(|| e.get(b"absent", strong));
        assert_eq!(absent.expect("bloom"), None);
    }

    #[test]
    fn data_and_sequence_survive_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let e = RocksEngine::open(dir.path(), Sync::Always).expect("open");
            e.commit(WriteBatch {
                ops: vec![Op::Put {
                    key: b"k".to_vec(),
                    value: b"v".to_vec(),
                }],
                changes: vec![log_record(b"c0"), log_record(b"c1")],
                ..WriteBatch::default()
            })
            .expect("commit");
            // Trimming every record must not restart the sequence.
            e.trim_changes(LOG, 2).expect("trim");
        }
        let e = RocksEngine::open(dir.path(), Sync::Always).expect("reopen");
        assert_eq!(
            e.get(b"k", ReadConsistency::Strong).expect("get"),
            Some(b"v".to_vec())
        );
        let info = e
            .commit(WriteBatch {
                changes: vec![log_record(b"c2")],
                ..WriteBatch::default()
            })
            .expect("commit");
        assert_eq!(info.first_sequence, Some(2));
    }

    #[test]
    fn a_store_of_the_first_format_continues_its_sequence() {
        // Bare sequence keys and no sequence counter, as the first format
        // wrote them.
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let e = RocksEngine::open(dir.path(), Sync::Always).expect("open");
            let cf = e.changes_cf().expect("cf");
            for seq in 0u64..5 {
                e.db.put_cf(&cf, seq.to_be_bytes(), b"v1 record")
                    .expect("put");
            }
        }
        let e = RocksEngine::open(dir.path(), Sync::Always).expect("reopen");
        assert_eq!(e.changes(b"", 0, 10).expect("changes").len(), 5);
        let info = e
            .commit(WriteBatch {
                changes: vec![log_record(b"new")],
                ..WriteBatch::default()
            })
            .expect("commit");
        assert_eq!(info.first_sequence, Some(5));
    }

    #[test]
    fn a_counter_kept_among_the_change_logs_is_moved_to_its_family() {
        // The layout before the counter had a family of its own.
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let e = RocksEngine::open(dir.path(), Sync::Always).expect("open");
            let cf = e.changes_cf().expect("cf");
            let seq_cf = e.db.cf_handle(CF_SEQUENCE).expect("sequence cf");
            e.db.delete_cf(&seq_cf, NEXT_SEQUENCE_KEY).expect("delete");
            e.db.put_cf(&cf, LEGACY_NEXT_SEQUENCE_KEY, 42u64.to_be_bytes())
                .expect("put");
        }
        let e = RocksEngine::open(dir.path(), Sync::Always).expect("reopen");
        let cf = e.changes_cf().expect("cf");
        assert_eq!(
            e.db.get_cf(&cf, LEGACY_NEXT_SEQUENCE_KEY).expect("get"),
            None
        );
        let info = e
            .commit(WriteBatch {
                changes: vec![log_record(b"new")],
                ..WriteBatch::default()
            })
            .expect("commit");
        assert_eq!(info.first_sequence, Some(42));
    }

    const LOG: &[u8] = b"test-log";

    fn log_record(record: &[u8]) -> crate::ChangeAppend {
        crate::ChangeAppend {
            log: LOG.to_vec(),
            record: record.to_vec(),
        }
    }

    fn put(key: &[u8], value: &[u8], expected: Option<&[u8]>) -> WriteBatch {
        WriteBatch {
            conditions: vec![Condition::ValueIs {
                key: key.to_vec(),
                value: expected.map(<[u8]>::to_vec),
            }],
            ops: vec![Op::Put {
                key: key.to_vec(),
                value: value.to_vec(),
            }],
            changes: vec![log_record(value)],
        }
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        loop {
            if let std::task::Poll::Ready(out) = f.as_mut().poll(&mut cx) {
                return out;
            }
            std::thread::yield_now();
        }
    }

    #[test]
    fn deferred_commits_are_decided_against_accepted_writes_and_read_once_durable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = RocksEngine::open(dir.path(), Sync::Always).expect("open");
        let strong = ReadConsistency::Strong;
        let ((first, second, third, latest), durable) = crate::deferred_durability(|| {
            let first = e.commit(put(b"k", b"one", None));
            // Whether or not the first is on disk yet, the next commit's
            // condition sees it.
            let second = e.commit(put(b"k", b"two", None));
            let third = e.commit(put(b"k", b"two", Some(b"one")));
            (first, second, third, e.get_for_write(b"k"))
        });
        assert_eq!(first.expect("first").first_sequence, Some(0));
        assert!(matches!(
            second,
            Err(StorageError::ConditionFailed { index: 0 })
        ));
        assert_eq!(third.expect("third").first_sequence, Some(1));
        assert_eq!(latest.expect("latest"), Some(b"two".to_vec()));
        block_on(durable).expect("durable");
        assert_eq!(e.get(b"k", strong).expect("get"), Some(b"two".to_vec()));
        let feed = e.changes(LOG, 0, 10).expect("changes");
        assert_eq!(
            feed,
            vec![(0, b"one".to_vec()), (1, b"two".to_vec())],
            "the refused commit took no sequence number"
        );
        // Nothing is left in the overlay once applied.
        assert!(e.queue.latest(b"k").is_none());
    }

    #[test]
    fn concurrent_read_modify_write_loses_no_update() {
        const THREADS: usize = 8;
        const INCREMENTS: usize = 200;
        let dir = tempfile::tempdir().expect("tempdir");
        let e = Arc::new(RocksEngine::open(dir.path(), Sync::Always).expect("open"));
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let e = Arc::clone(&e);
                std::thread::spawn(move || {
                    let mut retries = 0usize;
                    for _ in 0..INCREMENTS {
                        loop {
                            let old = e.get_for_write(b"n").expect("read");
                            let n = old.as_deref().map_or(0u64, |b| {
                                u64::from_le_bytes(b.try_into().expect("8 bytes"))
                            });
                            let batch = put(b"n", &(n + 1).to_le_bytes(), old.as_deref());
                            // Half the threads await durability the way the
                            // server does, half block in commit.
                            let outcome = if t % 2 == 0 {
                                let (r, durable) = crate::deferred_durability(|| e.commit(batch));
                                block_on(durable).expect("durable");
                                r
                            } else {
                                e.commit(batch)
                            };
                            match outcome {
                                Ok(_) => break,
                                Err(StorageError::ConditionFailed { .. }) => retries += 1,
                                Err(other) => panic!("commit failed: {other}"),
                            }
                        }
                    }
                    retries
                })
            })
            .collect();
        for w in workers {
            w.join().expect("worker");
        }
        let total = (THREADS * INCREMENTS) as u64;
        let n = e.get(b"n", ReadConsistency::Strong).expect("get");
        assert_eq!(n, Some(total.to_le_bytes().to_vec()));
        // Every increment wrote one change record, numbered without gaps in
        // the order of the values they carry.
        let feed = e.changes(LOG, 0, total as usize + 1).expect("changes");
        assert_eq!(feed.len(), total as usize);
        for (i, (seq, record)) in feed.iter().enumerate() {
            assert_eq!(*seq, i as u64);
            assert_eq!(record, &(i as u64 + 1).to_le_bytes().to_vec());
        }
    }

    #[test]
    fn accepted_commits_are_written_before_the_engine_closes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let durable = {
            let e = RocksEngine::open(dir.path(), Sync::Always).expect("open");
            let (outcomes, durable) = crate::deferred_durability(|| {
                (0..100u32)
                    .map(|i| e.commit(put(&i.to_be_bytes(), b"v", None)))
                    .collect::<Vec<_>>()
            });
            assert!(outcomes.iter().all(Result::is_ok));
            durable
        };
        // Dropping the engine applied the queue and completed every commit.
        block_on(durable).expect("durable");
        let e = RocksEngine::open(dir.path(), Sync::Always).expect("reopen");
        for i in 0..100u32 {
            let v = e
                .get(&i.to_be_bytes(), ReadConsistency::Strong)
                .expect("get");
            assert_eq!(v, Some(b"v".to_vec()), "key {i}");
        }
        assert!(matches!(
            e.commit(put(b"x", b"v", Some(b"not there"))),
            Err(StorageError::ConditionFailed { .. })
        ));
    }

    #[test]
    fn counters_summed_in_a_group_keep_their_order_with_range_deletes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = RocksEngine::open(dir.path(), Sync::Always).expect("open");
        let add = |key: &[u8], delta: i64| WriteBatch {
            ops: vec![Op::Add {
                key: key.to_vec(),
                delta,
            }],
            ..WriteBatch::default()
        };
        // Deferred, so that the commits are likely to share groups; the
        // result must not depend on how they are grouped.
        let ((), durable) = crate::deferred_durability(|| {
            for i in 0..100 {
                e.commit(add(b"c/a", i)).expect("add");
                e.commit(add(b"c/b", 1)).expect("add");
            }
            e.commit(add(b"c/b", -100)).expect("add");
            e.commit(add(b"d/x", 5)).expect("add");
            e.commit(WriteBatch {
                ops: vec![Op::DeleteRange {
                    start: b"d/".to_vec(),
                    end: b"d0".to_vec(),
                }],
                ..WriteBatch::default()
            })
            .expect("delete range");
            e.commit(add(b"d/y", 7)).expect("add");
        });
        block_on(durable).expect("durable");
        let counter = |key: &[u8]| {
            crate::decode_counter(e.get(key, ReadConsistency::Strong).expect("get").as_deref())
        };
        assert_eq!(counter(b"c/a"), (0..100).sum::<i64>());
        assert_eq!(counter(b"c/b"), 0);
        assert_eq!(e.get(b"d/x", ReadConsistency::Strong).expect("get"), None);
        assert_eq!(counter(b"d/y"), 7);
    }
}

//! The durable engine, on RocksDB.
//!
//! Two column families hold the data: `default` for the key space and
//! `changes` for the change feed, keyed by the big-endian sequence number.
//! Every commit is one RocksDB write batch written with `sync = true`, so it
//! is on disk before `commit` returns; RocksDB's write-group leader joins
//! concurrent syncing writers into one fsync (group commit), which is why
//! commits on different keys must not be serialised here.
//!
//! Conditions are checked under striped key latches (`crate::latch`) held
//! from the first condition read until the write is durable: two commits on a
//! common key are serialised, commits on disjoint keys run in parallel.
//!
//! Change sequence numbers come from an in-memory counter recovered at open
//! from the last record. Two concurrent commits on disjoint keys may become
//! durable in the opposite order of their sequence numbers; a future reader
//! of the feed (streams) must wait for gaps to close, not skip them.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rocksdb::{
    BlockBasedOptions, Cache, ColumnFamilyDescriptor, DBCompressionType, ErrorKind, MergeOperands,
    Options, ReadOptions, ReadTier, WriteOptions,
};

use crate::latch::{Latches, batch_keys};
use crate::memory::collect_page;
use crate::{
    CommitInfo, Condition, Direction, Engine, Op, ReadConsistency, Result, ScanPage, ScanRequest,
    StorageError, WriteBatch,
};

const CF_CHANGES: &str = "changes";

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
    db: rocksdb::DB,
    latches: Latches,
    next_sequence: AtomicU64,
    poisoned: AtomicBool,
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

impl RocksEngine {
    /// Opens (creating if needed) the store in `path` with the default block
    /// cache.
    pub fn open(path: &Path, sync: Sync) -> Result<RocksEngine> {
        RocksEngine::open_with(path, RocksConfig::new(sync))
    }

    /// Opens (creating if needed) the store in `path`.
    pub fn open_with(path: &Path, config: RocksConfig) -> Result<RocksEngine> {
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
        ];
        let db = rocksdb::DB::open_cf_descriptors(&opts, path, cfs)
            .map_err(|e| StorageError::Open(e.into_string()))?;
        let next_sequence = {
            let cf = db
                .cf_handle(CF_CHANGES)
                .ok_or_else(|| StorageError::Open("missing changes column family".into()))?;
            let mut it = db.raw_iterator_cf(&cf);
            it.seek_to_last();
            match it.key() {
                Some(k) => decode_sequence(k)? + 1,
                None => 0,
            }
        };
        Ok(RocksEngine {
            db,
            latches: Latches::new(),
            next_sequence: AtomicU64::new(next_sequence),
            poisoned: AtomicBool::new(false),
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

    fn commit(&self, batch: WriteBatch) -> Result<CommitInfo> {
        if self.poisoned.load(Ordering::Acquire) {
            return Err(StorageError::Poisoned);
        }
        let _latched = self.latches.lock(batch_keys(&batch));
        for (index, cond) in batch.conditions.iter().enumerate() {
            match cond {
                Condition::ValueIs { key, value } => {
                    let current = self.db.get_pinned(key).map_err(engine_err)?;
                    if current.as_deref() != value.as_deref() {
                        return Err(StorageError::ConditionFailed { index });
                    }
                }
            }
        }
        let mut wb = rocksdb::WriteBatch::default();
        for op in &batch.ops {
            match op {
                Op::Put { key, value } => wb.put(key, value),
                Op::Delete { key } => wb.delete(key),
                Op::DeleteRange { start, end } => {
                    let cf = self
                        .db
                        .cf_handle(rocksdb::DEFAULT_COLUMN_FAMILY_NAME)
                        .ok_or_else(|| {
                            StorageError::Engine("missing default column family".into())
                        })?;
                    wb.delete_range_cf(&cf, start, end);
                }
                Op::Add { key, delta } => wb.merge(key, delta.to_le_bytes()),
            }
        }
        let first_sequence = if batch.changes.is_empty() {
            None
        } else {
            let n = batch.changes.len() as u64;
            let first = self.next_sequence.fetch_add(n, Ordering::AcqRel);
            let cf = self.changes_cf()?;
            for (i, record) in batch.changes.iter().enumerate() {
                wb.put_cf(&cf, (first + i as u64).to_be_bytes(), record);
            }
            Some(first)
        };
        if let Err(e) = self.db.write_opt(wb, &self.write_options()) {
            // After a failed write (a failed fsync above all) the state of
            // the log is unknown; refusing every later write is the only
            // honest answer until an operator restarts the server.
            self.poisoned.store(true, Ordering::Release);
            tracing::error!(error = %e, "storage write failed; refusing further writes");
            return Err(engine_err(e));
        }
        Ok(CommitInfo { first_sequence })
    }

    fn changes(&self, from: u64, limit: usize) -> Result<Vec<(u64, Vec<u8>)>> {
        let cf = self.changes_cf()?;
        let mut it = self.db.raw_iterator_cf(&cf);
        it.seek(from.to_be_bytes());
        let mut out = Vec::new();
        while out.len() < limit {
            let (Some(k), Some(v)) = (it.key(), it.value()) else {
                break;
            };
            out.push((decode_sequence(k)?, v.to_vec()));
            it.next();
        }
        it.status().map_err(engine_err)?;
        Ok(out)
    }

    fn trim_changes(&self, before: u64) -> Result<()> {
        let cf = self.changes_cf()?;
        let mut wb = rocksdb::WriteBatch::default();
        wb.delete_range_cf(&cf, 0u64.to_be_bytes(), before.to_be_bytes());
        self.db
            .write_opt(wb, &self.write_options())
            .map_err(engine_err)
    }

    fn flush(&self) -> Result<()> {
        self.db.flush_wal(true).map_err(engine_err)?;
        self.db.flush().map_err(engine_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
                changes: vec![b"c0".to_vec(), b"c1".to_vec()],
                ..WriteBatch::default()
            })
            .expect("commit");
        }
        let e = RocksEngine::open(dir.path(), Sync::Always).expect("reopen");
        assert_eq!(
            e.get(b"k", ReadConsistency::Strong).expect("get"),
            Some(b"v".to_vec())
        );
        let info = e
            .commit(WriteBatch {
                changes: vec![b"c2".to_vec()],
                ..WriteBatch::default()
            })
            .expect("commit");
        assert_eq!(info.first_sequence, Some(2));
    }
}

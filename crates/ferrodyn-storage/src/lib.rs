//! Byte-level storage engines for ferrodyn.
//!
//! The rest of ferrodyn sees storage only through the [`Engine`] trait: an
//! ordered map from byte keys to byte values, with
//!
//! * point reads and consistent multi-key reads ([`Engine::get`],
//!   [`Engine::multi_get`]), each taking a [`ReadConsistency`];
//! * paged, ordered range scans in either direction ([`Engine::scan`]);
//! * atomic multi-key commits guarded by conditions ([`Engine::commit`]):
//!   either every condition holds and every operation is applied, or nothing
//!   is;
//! * change logs: each commit may append change records to named logs
//!   (one per table and stream shard, say); the engine numbers every record
//!   with the next number of one sequence shared by all logs, in commit
//!   order, and stores it under `log | sequence` in the same atomic write
//!   ([`Engine::changes`]);
//! * merge counters ([`Op::Add`]) that many writers bump without reading.
//!
//! Two engines implement it: [`rocks::RocksEngine`] (durable, the default) and
//! [`memory::MemoryEngine`] (for `--in-memory` and as the test oracle);
//! [`creating::CreatingEngine`] is a durable one whose new store is still
//! being created in the background. The two pass the same test corpus in
//! `corpus.rs`. The trait is shaped so that a
//! replicated backend (a transactional store with synchronous replicas) can
//! implement it: conditions are checked by the engine, under its own locks,
//! not by callers.
//!
//! **Invariant:** a commit is durable when `commit` returns `Ok` (for the
//! durable engine); after a failed write the engine refuses all further
//! writes ([`StorageError::Poisoned`]) rather than pretend the write happened,
//! with one exception: a write refused for lack of space (nothing of it
//! reached the disk) fails with [`StorageError::NoSpace`], and writes resume
//! by themselves once space is available ([`Engine::write_health`]). A
//! failed sync is never such an exception: the kernel may have dropped the
//! pages it had, so only a restart (and the log's recovery) is honest.

#![deny(missing_docs)]

mod commit_queue;
pub mod creating;
mod durability;
mod latch;
pub mod memory;
pub mod rocks;

#[cfg(test)]
mod corpus;

pub use durability::{Durability, deferred_durability};

/// What a read may return.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadConsistency {
    /// The latest committed value.
    Strong,
    /// A value at most a short time stale. On one node both are exact; a
    /// replicated backend may serve these from a replica.
    Eventual,
}

/// Which way a scan walks the key range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Ascending keys.
    Forward,
    /// Descending keys.
    Reverse,
}

/// A scan request: keys in `[start, end)`, walked in `direction`, stopping
/// after `limit_items` entries or once `limit_bytes` of keys and values
/// have been returned (the entry that crosses the limit is included).
#[derive(Clone, Debug)]
pub struct ScanRequest<'a> {
    /// Inclusive lower bound.
    pub start: &'a [u8],
    /// Exclusive upper bound.
    pub end: &'a [u8],
    /// Walking order.
    pub direction: Direction,
    /// At most this many entries.
    pub limit_items: usize,
    /// Stop after the entry that brings the total past this many bytes.
    pub limit_bytes: usize,
    /// Read consistency.
    pub consistency: ReadConsistency,
}

/// One page of a scan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanPage {
    /// The entries, in scan order.
    pub entries: Vec<(Vec<u8>, Vec<u8>)>,
    /// Whether the range may hold more entries after the last one returned.
    pub more: bool,
}

/// A precondition of a commit, checked atomically with the write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// The key holds exactly this value, or is absent when `None`.
    ValueIs {
        /// The key.
        key: Vec<u8>,
        /// The value it must hold.
        value: Option<Vec<u8>>,
    },
}

/// One write in a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Store `value` under `key`.
    Put {
        /// The key.
        key: Vec<u8>,
        /// The new value.
        value: Vec<u8>,
    },
    /// Remove `key`.
    Delete {
        /// The key.
        key: Vec<u8>,
    },
    /// Remove every key in `[start, end)`.
    DeleteRange {
        /// Inclusive lower bound.
        start: Vec<u8>,
        /// Exclusive upper bound.
        end: Vec<u8>,
    },
    /// Add `delta` to the signed 64-bit counter stored at `key` (absent
    /// counts as zero), without reading it first. Counters are stored as
    /// eight little-endian bytes; read them with [`decode_counter`].
    Add {
        /// The counter's key.
        key: Vec<u8>,
        /// The amount to add.
        delta: i64,
    },
}

/// A change record to append to a change log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeAppend {
    /// The log: any byte string whose length is the same for every log of
    /// one kind (the caller's layout; a record's key is `log | sequence`).
    pub log: Vec<u8>,
    /// The record.
    pub record: Vec<u8>,
}

/// An atomic commit: conditions, writes and change records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteBatch {
    /// Every condition must hold, or nothing is written.
    pub conditions: Vec<Condition>,
    /// The writes, applied in order.
    pub ops: Vec<Op>,
    /// Change records, appended to their logs with consecutive sequence
    /// numbers in the same atomic write.
    pub changes: Vec<ChangeAppend>,
}

/// What a successful commit reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitInfo {
    /// The sequence number of the first change record written, if any.
    pub first_sequence: Option<u64>,
}

/// Storage errors.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StorageError {
    /// The condition at this index of [`WriteBatch::conditions`] did not hold.
    #[error("condition {index} failed")]
    ConditionFailed {
        /// Which condition.
        index: usize,
    },
    /// An earlier write failed; the engine refuses writes until restarted.
    #[error("storage refuses writes after an earlier write failure")]
    Poisoned,
    /// A write was refused because the disk is full; nothing of it was
    /// written, and writes resume once space is available.
    #[error("storage is out of space: {0}")]
    NoSpace(String),
    /// An error from the underlying engine.
    #[error("storage engine error: {0}")]
    Engine(String),
    /// Opening the store failed.
    #[error("cannot open the data directory: {0}")]
    Open(String),
    /// Inside [`cached_reads_only`], a read needed data the engine does not
    /// hold in memory. Nothing was read; run the read again on a thread that
    /// may wait for the disk.
    #[error("the read would wait for the disk")]
    WouldBlock,
}

/// A storage result.
pub type Result<T> = std::result::Result<T, StorageError>;

/// Whether an engine accepts writes now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteHealth {
    /// Writes are accepted.
    Writable,
    /// The disk is full: writes fail with [`StorageError::NoSpace`] until
    /// space is available, then resume; reads work.
    NoSpace,
    /// A write failed in a way that may have lost data the kernel held
    /// ([`StorageError::Poisoned`]): writes fail until a restart.
    Failed,
}

/// How many entries one page of a [`Snapshot`] holds at most.
pub const SNAPSHOT_PAGE_ENTRIES: usize = 1024;
/// How many bytes (keys and values) one page of a [`Snapshot`] holds at
/// most (the entry that crosses it included).
pub const SNAPSHOT_PAGE_BYTES: usize = 1 << 20;

/// Key-value pairs, in key order.
pub type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// The entries of one key range as of the instant the snapshot was taken
/// (see [`Engine::snapshot`]), read a page at a time in key order. Writes
/// committed after that instant are not seen; reading does not hold up
/// writes.
pub trait Snapshot: Send {
    /// The next entries (at most [`SNAPSHOT_PAGE_ENTRIES`] or about
    /// [`SNAPSHOT_PAGE_BYTES`]); empty once the range is exhausted.
    fn next_page(&mut self) -> Result<Entries>;

    /// The change sequence at the snapshot's instant: every change record
    /// with a lower sequence number was committed before it (its write is
    /// in the snapshot), none with this number or a higher one. Replaying a
    /// change log from here on top of the snapshot's entries gives the
    /// state after each later commit.
    fn change_horizon(&self) -> u64;
}

/// A byte-level ordered key-value store. See the crate documentation.
pub trait Engine: Send + Sync + std::fmt::Debug + 'static {
    /// Reads one key.
    fn get(&self, key: &[u8], consistency: ReadConsistency) -> Result<Option<Vec<u8>>>;

    /// Reads one key as the next commit's conditions will see it: the
    /// latest accepted write, even one not yet durable. Only for deciding a
    /// write whose commit carries a condition on the value read (which then
    /// holds, and the write is acknowledged only once durable, after the
    /// one it read); never to answer a read.
    fn get_for_write(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.get(key, ReadConsistency::Strong)
    }

    /// Reads several keys from one consistent snapshot.
    fn multi_get(
        &self,
        keys: &[Vec<u8>],
        consistency: ReadConsistency,
    ) -> Result<Vec<Option<Vec<u8>>>>;

    /// Reads one page of a key range.
    fn scan(&self, request: &ScanRequest<'_>) -> Result<ScanPage>;

    /// Applies a batch atomically if all its conditions hold. Commits that
    /// touch disjoint keys do not wait for each other (beyond sharing the
    /// durable log); commits on a common key are serialised. Inside
    /// [`deferred_durability`] an engine may return once the commit is
    /// accepted (its conditions held and its order is fixed), before it is
    /// durable.
    fn commit(&self, batch: WriteBatch) -> Result<CommitInfo>;

    /// Reads the records of change log `log` with sequence numbers
    /// `>= from`, in order, at most `limit`. Only records appended under
    /// exactly `log` are returned (not those of a longer log that starts
    /// with the same bytes).
    fn changes(&self, log: &[u8], from: u64, limit: usize) -> Result<Vec<(u64, Vec<u8>)>>;

    /// The sequence number of the last record of `log`, if it has any.
    fn last_change(&self, log: &[u8]) -> Result<Option<u64>>;

    /// Removes the records of `log` with sequence numbers `< before`.
    fn trim_changes(&self, log: &[u8], before: u64) -> Result<()>;

    /// Takes a snapshot of the key range `[start, end)`: every commit
    /// acknowledged before this call returns is in it, none accepted after.
    /// Reading it does not hold writes up (backups read whole tables
    /// through it while they are written to); taking it holds them up only
    /// on the in-memory engine, for as long as copying the range takes.
    fn snapshot(&self, start: &[u8], end: &[u8]) -> Result<Box<dyn Snapshot>>;

    /// Makes every acknowledged write durable and releases resources; used
    /// at shutdown. Further writes may fail.
    fn flush(&self) -> Result<()>;

    /// Whether writes are accepted now. An engine that refused a write for
    /// lack of space may check again here (and so learn that writes have
    /// resumed); call it off the async workers.
    fn write_health(&self) -> WriteHealth {
        WriteHealth::Writable
    }
}

thread_local! {
    static CACHED_READS_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with this thread's reads limited to what the engine holds in
/// memory: a read that would have to wait for the disk fails at once with
/// [`StorageError::WouldBlock`] instead. The server runs reads this way on
/// its few asynchronous workers, which must never wait for the disk, and
/// runs a read that fails so again on a thread that may wait. Commits are
/// not affected. Engines that never wait for a disk ignore it.
pub fn cached_reads_only<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            CACHED_READS_ONLY.set(self.0);
        }
    }
    let _restore = Restore(CACHED_READS_ONLY.replace(true));
    f()
}

/// Whether reads on this thread may wait for the disk (see
/// [`cached_reads_only`]).
pub(crate) fn reads_may_wait() -> bool {
    !CACHED_READS_ONLY.get()
}

/// The key of a change record: `log | sequence (u64 big-endian)`.
pub(crate) fn change_key(log: &[u8], sequence: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(log.len() + 8);
    k.extend_from_slice(log);
    k.extend_from_slice(&sequence.to_be_bytes());
    k
}

/// The sequence number in `key` if it is a record of exactly `log`.
pub(crate) fn change_sequence(log: &[u8], key: &[u8]) -> Option<u64> {
    let rest = key.strip_prefix(log)?;
    <[u8; 8]>::try_from(rest).ok().map(u64::from_be_bytes)
}

/// Decodes a counter written by [`Op::Add`].
pub fn decode_counter(value: Option<&[u8]>) -> i64 {
    value
        .and_then(|v| <[u8; 8]>::try_from(v).ok())
        .map(i64::from_le_bytes)
        .unwrap_or(0)
}

/// The smallest key greater than every key that starts with `prefix`, for
/// use as an exclusive scan bound; `None` if there is none (all `0xFF`).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn prefix_ends() {
        assert_eq!(prefix_end(&[2, 5]), Some(vec![2, 6]));
        assert_eq!(prefix_end(&[2, 0xFF]), Some(vec![3]));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
    }
}

//! The durable engine's commit queue: one committer thread writes every
//! accepted commit to RocksDB, many at a time in one synced write.
//!
//! A commit is *accepted* by the thread that makes it (under its key
//! latches, once its conditions hold): it takes the next place in the queue
//! and its change records take the next sequence numbers, so the log, the
//! change feed and the queue share one order. The committer takes
//! everything queued, writes it as one RocksDB write batch with `sync =
//! true` (the write-ahead log, one fsync, then the memtable), and completes
//! each commit's [`Completion`]. While it waits for the disk, new commits
//! queue up and go together in the next write: group commit without a
//! thread per waiting writer.
//!
//! Until the committer has applied a commit, readers do not see it: RocksDB
//! makes a write visible only after its log record is synced. The writes a
//! commit accepted are kept in the *overlay* until then, and only the next
//! commits' condition checks (and [`crate::Engine::get_for_write`]) look
//! there, so a commit on a key with an accepted write is decided against
//! that write and queued behind it. It is acknowledged only when its own
//! write is durable, which in queue order implies the earlier one's.
//!
//! A failed write poisons the queue: every commit of that group and every
//! later one fails (see the crate's invariant). A write that failed for
//! lack of space while appending to the log (so nothing of it reached the
//! disk; RocksDB writes a batch atomically and stops writing until it has
//! recovered) does not: its commits fail with [`StorageError::NoSpace`],
//! later ones are tried, and fail the same way at once, until RocksDB's own
//! recovery (its file manager polls for free space, then flushes and opens
//! a new log) lets them through.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use rocksdb::WriteOptions;

use crate::durability::Completion;
use crate::{CommitInfo, Op, Result, StorageError, WriteBatch};

/// The column family of the change logs.
pub(crate) const CF_CHANGES: &str = "changes";
/// The column family of the change sequence counter. Not the change logs'
/// own: a key rewritten by every group there would make every file of that
/// family span the whole key range, so each compaction would rewrite the
/// whole log (a day of records) instead of moving files whose keys only grow.
pub(crate) const CF_SEQUENCE: &str = "sequence";
/// In [`CF_SEQUENCE`], the next sequence number (u64 BE), written with
/// every group that appends records.
pub(crate) const NEXT_SEQUENCE_KEY: &[u8] = b"next";

/// The queue and the thread that empties it.
pub(crate) struct CommitQueue {
    shared: Arc<Shared>,
    committer: Mutex<Option<JoinHandle<()>>>,
}

struct Shared {
    db: Arc<rocksdb::DB>,
    sync: bool,
    queue: Mutex<Queue>,
    work: Condvar,
    /// The latest accepted value of every key written by a commit not yet
    /// applied, and the ticket of that commit.
    overlay: Mutex<HashMap<Vec<u8>, Latest>>,
    poisoned: AtomicBool,
    /// The last write failed for lack of space.
    no_space: AtomicBool,
}

struct Queue {
    accepted: Vec<Accepted>,
    next_ticket: u64,
    next_sequence: u64,
    /// The committer is waiting for work and must be woken.
    idle: bool,
    /// No more commits are accepted; the committer exits once empty.
    stopping: bool,
}

struct Accepted {
    ticket: u64,
    batch: WriteBatch,
    first_sequence: Option<u64>,
    completion: Arc<Completion>,
}

struct Latest {
    ticket: u64,
    value: Option<Vec<u8>>,
}

/// Locks a mutex, ignoring poisoning: every critical section here leaves
/// its data consistent at each step.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The keys a commit puts or deletes (range deletes and counters are never
/// the subject of a condition).
fn written_keys(batch: &WriteBatch) -> impl Iterator<Item = (&Vec<u8>, Option<&Vec<u8>>)> {
    batch.ops.iter().filter_map(|op| match op {
        Op::Put { key, value } => Some((key, Some(value))),
        Op::Delete { key } => Some((key, None)),
        Op::DeleteRange { .. } | Op::Add { .. } => None,
    })
}

/// What RocksDB's message says when the file system is full.
const NO_SPACE_MESSAGE: &str = "No space left on device";

/// Classifies a failed write: out of space while writing (nothing reached
/// the disk, so the write may be tried again later), or anything else,
/// including running out of space while syncing (the kernel may then have
/// dropped data it held, as after any failed fsync).
pub(crate) fn write_error(message: String) -> StorageError {
    let lower = message.to_ascii_lowercase();
    let while_syncing =
        lower.contains("fsync") || lower.contains("fdatasync") || lower.contains("while sync");
    if message.contains(NO_SPACE_MESSAGE) && !while_syncing {
        StorageError::NoSpace(message)
    } else {
        StorageError::Engine(message)
    }
}

/// Adds the summed counter bumps to `wb` and forgets them.
fn merge_counters(wb: &mut rocksdb::WriteBatch, counters: &mut HashMap<&[u8], i64>) {
    for (key, delta) in counters.drain() {
        if delta != 0 {
            wb.merge(key, delta.to_le_bytes());
        }
    }
}

impl CommitQueue {
    /// Starts the committer over `db`; the change feed continues at
    /// `next_sequence`.
    pub(crate) fn start(
        db: Arc<rocksdb::DB>,
        sync: bool,
        next_sequence: u64,
    ) -> Result<CommitQueue> {
        let shared = Arc::new(Shared {
            db,
            sync,
            queue: Mutex::new(Queue {
                accepted: Vec::new(),
                next_ticket: 0,
                next_sequence,
                idle: false,
                stopping: false,
            }),
            work: Condvar::new(),
            overlay: Mutex::new(HashMap::new()),
            poisoned: AtomicBool::new(false),
            no_space: AtomicBool::new(false),
        });
        let committer = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("ferrodyn-commit".into())
                .spawn(move || shared.run())
                .map_err(|e| StorageError::Open(format!("cannot start the committer: {e}")))?
        };
        Ok(CommitQueue {
            shared,
            committer: Mutex::new(Some(committer)),
        })
    }

    /// Whether an earlier write failed.
    pub(crate) fn is_poisoned(&self) -> bool {
        self.shared.poisoned.load(Ordering::Acquire)
    }

    /// Whether the last write failed for lack of space.
    pub(crate) fn is_out_of_space(&self) -> bool {
        self.shared.no_space.load(Ordering::Acquire)
    }

    /// The value an accepted, not yet applied commit gives `key`: `None`
    /// if there is none (the database has the latest value), `Some(None)`
    /// if it deletes the key.
    pub(crate) fn latest(&self, key: &[u8]) -> Option<Option<Vec<u8>>> {
        lock(&self.shared.overlay)
            .get(key)
            .map(|latest| latest.value.clone())
    }

    /// Whether the value an accepted, not yet applied commit gives `key`
    /// is `expected`, without copying it; `None` if there is no such commit.
    pub(crate) fn latest_is(&self, key: &[u8], expected: Option<&[u8]>) -> Option<bool> {
        lock(&self.shared.overlay)
            .get(key)
            .map(|latest| latest.value.as_deref() == expected)
    }

    /// Queues `batch`, whose conditions the caller has checked under the
    /// latches of all its keys, which it still holds.
    pub(crate) fn accept(&self, batch: WriteBatch) -> Result<(CommitInfo, Arc<Completion>)> {
        if self.is_poisoned() {
            return Err(StorageError::Poisoned);
        }
        let completion = Arc::new(Completion::default());
        let mut queue = lock(&self.shared.queue);
        if queue.stopping {
            return Err(StorageError::Engine("storage is shutting down".into()));
        }
        let ticket = queue.next_ticket;
        queue.next_ticket += 1;
        let first_sequence = (!batch.changes.is_empty()).then(|| {
            let first = queue.next_sequence;
            queue.next_sequence += batch.changes.len() as u64;
            first
        });
        // Into the overlay before the committer can see the commit, so
        // that it is there until the committer has applied it.
        {
            let mut overlay = lock(&self.shared.overlay);
            for (key, value) in written_keys(&batch) {
                overlay.insert(
                    key.clone(),
                    Latest {
                        ticket,
                        value: value.cloned(),
                    },
                );
            }
        }
        queue.accepted.push(Accepted {
            ticket,
            batch,
            first_sequence,
            completion: Arc::clone(&completion),
        });
        if queue.idle {
            queue.idle = false;
            self.shared.work.notify_one();
        }
        Ok((CommitInfo { first_sequence }, completion))
    }

    /// Waits until every commit accepted so far is durable.
    pub(crate) fn barrier(&self) -> Result<()> {
        let (_, completion) = self.accept(WriteBatch::default())?;
        completion.wait()
    }

    /// Applies what is queued and stops the committer; later commits fail.
    pub(crate) fn stop(&self) {
        lock(&self.shared.queue).stopping = true;
        self.shared.work.notify_one();
        if let Some(committer) = lock(&self.committer).take() {
            // A committer that panicked has nothing left to finish.
            let _ = committer.join();
        }
    }
}

impl Drop for CommitQueue {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Shared {
    /// The committer's loop.
    fn run(&self) {
        loop {
            let group = {
                let mut queue = lock(&self.queue);
                while queue.accepted.is_empty() {
                    if queue.stopping {
                        return;
                    }
                    queue.idle = true;
                    queue = self.work.wait(queue).unwrap_or_else(|e| e.into_inner());
                }
                queue.idle = false;
                std::mem::take(&mut queue.accepted)
            };
            let result = if self.poisoned.load(Ordering::Acquire) {
                Err(StorageError::Poisoned)
            } else {
                self.write(&group)
            };
            match &result {
                Ok(()) => {
                    if self.no_space.swap(false, Ordering::AcqRel) {
                        tracing::warn!("storage has space again; writes resumed");
                    }
                }
                Err(e @ StorageError::NoSpace(_)) => {
                    if !self.no_space.swap(true, Ordering::AcqRel) {
                        tracing::error!(error = %e, "storage is out of space; writes fail until space is available, reads continue");
                    }
                }
                Err(e) => {
                    // After a failed write (a failed fsync above all) the
                    // state of the log is unknown; refusing every later
                    // write is the only honest answer until an operator
                    // restarts the server.
                    if !self.poisoned.swap(true, Ordering::AcqRel) {
                        tracing::error!(error = %e, "storage write failed; refusing further writes");
                    }
                }
            }
            // Applied (or failed): conditions now read the database.
            {
                let mut overlay = lock(&self.overlay);
                for accepted in &group {
                    for (key, _) in written_keys(&accepted.batch) {
                        if overlay
                            .get(key)
                            .is_some_and(|latest| latest.ticket == accepted.ticket)
                        {
                            overlay.remove(key);
                        }
                    }
                }
            }
            for accepted in group {
                accepted.completion.complete(result.clone());
            }
        }
    }

    /// Writes a group of commits in one synced RocksDB write.
    fn write(&self, group: &[Accepted]) -> Result<()> {
        let engine_err = |e: rocksdb::Error| write_error(e.into_string());
        let missing = |name: &str| StorageError::Engine(format!("missing column family {name}"));
        let default_cf = self
            .db
            .cf_handle(rocksdb::DEFAULT_COLUMN_FAMILY_NAME)
            .ok_or_else(|| missing(rocksdb::DEFAULT_COLUMN_FAMILY_NAME))?;
        let changes_cf = self
            .db
            .cf_handle(CF_CHANGES)
            .ok_or_else(|| missing(CF_CHANGES))?;
        let sequence_cf = self
            .db
            .cf_handle(CF_SEQUENCE)
            .ok_or_else(|| missing(CF_SEQUENCE))?;
        let mut wb = rocksdb::WriteBatch::default();
        // Counters commute and nothing reads them between the commits of a
        // group: one merge per counter per group (most writes bump their
        // table's two counters) instead of one per commit.
        let mut counters: HashMap<&[u8], i64> = HashMap::new();
        let mut next_sequence = None;
        for accepted in group {
            for op in &accepted.batch.ops {
                match op {
                    Op::Put { key, value } => wb.put(key, value),
                    Op::Delete { key } => wb.delete(key),
                    Op::DeleteRange { start, end } => {
                        // Bumps staged before a range delete stay before it.
                        merge_counters(&mut wb, &mut counters);
                        wb.delete_range_cf(&default_cf, start, end);
                    }
                    Op::Add { key, delta } => {
                        let sum = counters.entry(key).or_insert(0);
                        *sum = sum.wrapping_add(*delta);
                    }
                }
            }
            if let Some(first) = accepted.first_sequence {
                for (i, change) in accepted.batch.changes.iter().enumerate() {
                    let seq = first + i as u64;
                    wb.put_cf(
                        &changes_cf,
                        crate::change_key(&change.log, seq),
                        &change.record,
                    );
                    next_sequence = Some(seq + 1);
                }
            }
        }
        // The sequence continues from here after a restart, whatever logs
        // were trimmed meanwhile.
        if let Some(next) = next_sequence {
            wb.put_cf(&sequence_cf, NEXT_SEQUENCE_KEY, next.to_be_bytes());
        }
        merge_counters(&mut wb, &mut counters);
        let mut options = WriteOptions::default();
        options.set_sync(self.sync);
        self.db.write_opt(wb, &options).map_err(engine_err)
    }
}

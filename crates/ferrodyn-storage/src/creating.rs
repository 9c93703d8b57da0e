//! A durable engine whose store is still being created.
//!
//! Creating a RocksDB store writes and syncs a dozen small files (identity,
//! manifest, current, options), which takes most of a fresh server's
//! start-up. A new data directory holds nothing, so a server need not wait
//! for that before it answers: [`CreatingEngine`] creates the store on a
//! thread of its own, and every call that needs it waits until it exists,
//! except inside [`crate::cached_reads_only`], where such a call fails at
//! once with [`StorageError::WouldBlock`] (nothing was read or written; the
//! caller runs it again where it may wait). A store that cannot be created
//! fails every call with the reason.

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::rocks::{RocksConfig, RocksEngine};
use crate::{
    CommitInfo, Engine, ReadConsistency, Result, ScanPage, ScanRequest, StorageError, WriteBatch,
    WriteHealth,
};

/// The engine; see the module documentation.
pub struct CreatingEngine {
    path: PathBuf,
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<Option<Result<Arc<RocksEngine>>>>,
    created: Condvar,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, Option<Result<Arc<RocksEngine>>>> {
        // Set once, whole: a panic elsewhere cannot leave it half-written.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl std::fmt::Debug for CreatingEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatingEngine")
            .field("path", &self.path)
            .finish()
    }
}

impl CreatingEngine {
    /// Starts creating (or opening, if it exists after all) the store in
    /// `path` on a new thread.
    pub fn start(path: PathBuf, config: RocksConfig) -> Result<CreatingEngine> {
        let shared = Arc::new(Shared::default());
        {
            let shared = Arc::clone(&shared);
            let path = path.clone();
            std::thread::Builder::new()
                .name("ferrodyn-create".into())
                .spawn(move || {
                    let opened = RocksEngine::open_with(&path, config).map(Arc::new);
                    *shared.state() = Some(opened);
                    shared.created.notify_all();
                })
                .map_err(|e| StorageError::Open(format!("cannot start creating the store: {e}")))?;
        }
        Ok(CreatingEngine { path, shared })
    }

    /// Waits until the store exists; the reason if it could not be created.
    pub fn wait(&self) -> Result<()> {
        self.wait_engine().map(|_| ())
    }

    fn wait_engine(&self) -> Result<Arc<RocksEngine>> {
        let mut state = self.shared.state();
        loop {
            if let Some(result) = state.as_ref() {
                return result.clone();
            }
            state = self
                .shared
                .created
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    /// The store, once it exists.
    fn engine(&self) -> Result<Arc<RocksEngine>> {
        if let Some(result) = self.shared.state().as_ref() {
            return result.clone();
        }
        if !crate::reads_may_wait() {
            return Err(StorageError::WouldBlock);
        }
        self.wait_engine()
    }
}

impl Engine for CreatingEngine {
    fn get(&self, key: &[u8], consistency: ReadConsistency) -> Result<Option<Vec<u8>>> {
        self.engine()?.get(key, consistency)
    }

    fn get_for_write(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.engine()?.get_for_write(key)
    }

    fn multi_get(
        &self,
        keys: &[Vec<u8>],
        consistency: ReadConsistency,
    ) -> Result<Vec<Option<Vec<u8>>>> {
        self.engine()?.multi_get(keys, consistency)
    }

    fn scan(&self, request: &ScanRequest<'_>) -> Result<ScanPage> {
        self.engine()?.scan(request)
    }

    fn commit(&self, batch: WriteBatch) -> Result<CommitInfo> {
        self.engine()?.commit(batch)
    }

    fn changes(&self, log: &[u8], from: u64, limit: usize) -> Result<Vec<(u64, Vec<u8>)>> {
        self.engine()?.changes(log, from, limit)
    }

    fn last_change(&self, log: &[u8]) -> Result<Option<u64>> {
        self.engine()?.last_change(log)
    }

    fn trim_changes(&self, log: &[u8], before: u64) -> Result<()> {
        self.engine()?.trim_changes(log, before)
    }

    fn snapshot(&self, start: &[u8], end: &[u8]) -> Result<Box<dyn crate::Snapshot>> {
        self.engine()?.snapshot(start, end)
    }

    fn flush(&self) -> Result<()> {
        self.wait_engine()?.flush()
    }

    fn write_health(&self) -> WriteHealth {
        // A store still being created takes writes (they wait for it); one
        // that could not be created stops the server.
        self.engine()
            .map_or(WriteHealth::Writable, |e| e.write_health())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Op;
    use crate::rocks::Sync;

    #[test]
    fn calls_wait_for_the_store_or_refuse_inside_cached_reads_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("new");
        assert!(!crate::rocks::store_exists(&path));
        let e = CreatingEngine::start(path.clone(), RocksConfig::new(Sync::Always)).expect("start");
        // Whether or not creation has finished, a call inside
        // cached_reads_only either succeeds or refuses without effect.
        match crate::cached_reads_only(|| e.get(b"k", ReadConsistency::Strong)) {
            Ok(None) | Err(StorageError::WouldBlock) => {}
            other => panic!("unexpected {other:?}"),
        }
        e.commit(WriteBatch {
            ops: vec![Op::Put {
                key: b"k".to_vec(),
                value: b"v".to_vec(),
            }],
            ..WriteBatch::default()
        })
        .expect("commit waits for the store");
        e.wait().expect("created");
        assert!(crate::rocks::store_exists(&path));
        assert_eq!(
            crate::cached_reads_only(|| e.get(b"k", ReadConsistency::Strong)).expect("get"),
            Some(b"v".to_vec())
        );
        drop(e);
        let reopened = RocksEngine::open(&path, Sync::Always).expect("reopen");
        assert_eq!(
            reopened.get(b"k", ReadConsistency::Strong).expect("get"),
            Some(b"v".to_vec())
        );
    }

    #[test]
    fn a_store_that_cannot_be_created_fails_every_call() {
        let dir = tempfile::tempdir().expect("tempdir");
        // A file where the directory should be.
        let path = dir.path().join("file");
        std::fs::write(&path, b"not a directory").expect("write");
        let e = CreatingEngine::start(path, RocksConfig::new(Sync::Always)).expect("start");
        assert!(matches!(e.wait(), Err(StorageError::Open(_))));
        assert!(matches!(
            e.get(b"k", ReadConsistency::Strong),
            Err(StorageError::Open(_))
        ));
        assert!(matches!(
            e.commit(WriteBatch::default()),
            Err(StorageError::Open(_))
        ));
    }
}

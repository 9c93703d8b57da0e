//! The in-memory engine: a `BTreeMap` behind a reader-writer lock.
//!
//! It serves `--in-memory` mode and is the reference the durable engine is
//! tested against. A commit takes the write lock for its whole
//! check-and-apply step, which makes it trivially atomic and serialisable;
//! reads take the read lock, so a multi-key read is one consistent snapshot.

use std::collections::BTreeMap;
use std::ops::Bound;

use parking_lot::RwLock;

mod change_log;
use change_log::{ChangeLogs, Spare};

use crate::{
    CommitInfo, Condition, Direction, Engine, Op, ReadConsistency, Result, ScanPage, ScanRequest,
    Snapshot, WriteBatch,
};

#[derive(Debug, Default)]
struct State {
    data: BTreeMap<Vec<u8>, Vec<u8>>,
    /// Change records by log.
    changes: ChangeLogs,
    next_sequence: u64,
}

/// A non-durable engine; everything is lost when the process exits.
#[derive(Debug, Default)]
pub struct MemoryEngine {
    state: RwLock<State>,
    /// The change logs' next chunk, prepared outside the lock.
    spare: Spare,
}

impl MemoryEngine {
    /// An empty store.
    pub fn new() -> MemoryEngine {
        MemoryEngine::default()
    }
}

impl Engine for MemoryEngine {
    fn get(&self, key: &[u8], _: ReadConsistency) -> Result<Option<Vec<u8>>> {
        Ok(self.state.read().data.get(key).cloned())
    }

    fn multi_get(&self, keys: &[Vec<u8>], _: ReadConsistency) -> Result<Vec<Option<Vec<u8>>>> {
        let state = self.state.read();
        Ok(keys.iter().map(|k| state.data.get(k).cloned()).collect())
    }

    fn scan(&self, req: &ScanRequest<'_>) -> Result<ScanPage> {
        let state = self.state.read();
        if req.start >= req.end {
            return Ok(ScanPage::default());
        }
        let range = state
            .data
            .range::<[u8], _>((Bound::Included(req.start), Bound::Excluded(req.end)));
        let iter: Box<dyn Iterator<Item = (&Vec<u8>, &Vec<u8>)>> = match req.direction {
            Direction::Forward => Box::new(range),
            Direction::Reverse => Box::new(range.rev()),
        };
        Ok(collect_page(
            iter.map(|(k, v)| (k.clone(), v.clone())),
            req.limit_items,
            req.limit_bytes,
        ))
    }

    fn commit(&self, batch: WriteBatch) -> Result<CommitInfo> {
        let mut state = self.state.write();
        for (index, cond) in batch.conditions.iter().enumerate() {
            match cond {
                Condition::ValueIs { key, value } => {
                    if state.data.get(key) != value.as_ref() {
                        return Err(crate::StorageError::ConditionFailed { index });
                    }
                }
            }
        }
        for op in batch.ops {
            match op {
                Op::Put { key, value } => {
                    state.data.insert(key, value);
                }
                Op::Delete { key } => {
                    state.data.remove(&key);
                }
                Op::DeleteRange { start, end } => {
                    let doomed: Vec<Vec<u8>> = state
                        .data
                        .range(start..end)
                        .map(|(k, _)| k.clone())
                        .collect();
                    for k in doomed {
                        state.data.remove(&k);
                    }
                }
                Op::Add { key, delta } => {
                    let old = crate::decode_counter(state.data.get(&key).map(Vec::as_slice));
                    state
                        .data
                        .insert(key, old.wrapping_add(delta).to_le_bytes().to_vec());
                }
            }
        }
        let first_sequence = (!batch.changes.is_empty()).then_some(state.next_sequence);
        for change in batch.changes {
            let seq = state.next_sequence;
            state
                .changes
                .append(change.log, seq, &change.record, &self.spare);
            state.next_sequence += 1;
        }
        drop(state);
        if first_sequence.is_some() {
            self.spare.refill();
        }
        Ok(CommitInfo { first_sequence })
    }

    fn changes(&self, log: &[u8], from: u64, limit: usize) -> Result<Vec<(u64, Vec<u8>)>> {
        Ok(self.state.read().changes.read(log, from, limit))
    }

    fn last_change(&self, log: &[u8]) -> Result<Option<u64>> {
        Ok(self.state.read().changes.last(log))
    }

    fn trim_changes(&self, log: &[u8], before: u64) -> Result<()> {
        self.state.write().changes.trim(log, before);
        Ok(())
    }

    fn snapshot(&self, start: &[u8], end: &[u8]) -> Result<Box<dyn Snapshot>> {
        // A copy of the range, taken under the read lock: consistent, and
        // the lock is released before the copy is read.
        let state = self.state.read();
        let entries: Vec<(Vec<u8>, Vec<u8>)> = if start < end {
            state
                .data
                .range::<[u8], _>((Bound::Included(start), Bound::Excluded(end)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        } else {
            Vec::new()
        };
        let change_horizon = state.next_sequence;
        drop(state);
        Ok(Box::new(CopiedRange {
            entries: entries.into_iter(),
            change_horizon,
        }))
    }

    fn flush(&self) -> Result<()> {
        Ok(())
    }
}

/// A snapshot of the in-memory engine: a copy of its range.
struct CopiedRange {
    entries: std::vec::IntoIter<(Vec<u8>, Vec<u8>)>,
    change_horizon: u64,
}

impl Snapshot for CopiedRange {
    fn next_page(&mut self) -> Result<crate::Entries> {
        Ok(collect_page(
            &mut self.entries,
            crate::SNAPSHOT_PAGE_ENTRIES,
            crate::SNAPSHOT_PAGE_BYTES,
        )
        .entries)
    }

    fn change_horizon(&self) -> u64 {
        self.change_horizon
    }
}

/// Takes entries until either limit is reached, and says whether more remain.
pub(crate) fn collect_page<I>(mut iter: I, limit_items: usize, limit_bytes: usize) -> ScanPage
where
    I: Iterator<Item = (Vec<u8>, Vec<u8>)>,
{
    let mut page = ScanPage::default();
    let mut bytes = 0usize;
    while page.entries.len() < limit_items && bytes < limit_bytes {
        match iter.next() {
            Some((k, v)) => {
                bytes += k.len() + v.len();
                page.entries.push((k, v));
            }
            None => return page,
        }
    }
    page.more = true;
    page
}

#[cfg(test)]
mod tests {
    #[test]
    fn corpus() {
        crate::corpus::run_all(&|| Box::new(super::MemoryEngine::new()));
    }
}

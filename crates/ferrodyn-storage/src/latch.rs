//! Striped key latches: short exclusive locks that serialise commits on a
//! common key while letting commits on different keys run (and share
//! fsyncs) in parallel.
//!
//! A key maps to one of [`LATCH_STRIPES`] mutexes by hash. A commit locks the
//! stripes of all its keys in ascending stripe order, so two commits can
//! never wait for each other in a cycle. A std `Mutex` fits: the critical
//! section is a few reads and one write, never an await point.

use std::sync::{Mutex, MutexGuard};

use xxhash::hash;

/// The number of stripes. Collisions only cost some needless waiting.
pub const LATCH_STRIPES: usize = 4096;

mod xxhash {
    /// FNV-1a: cheap and good enough to spread keys over stripes.
    pub fn hash(bytes: &[u8]) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    }
}

/// The latch table.
#[derive(Debug)]
pub struct Latches {
    stripes: Vec<Mutex<()>>,
}

/// Held latches; released on drop.
#[derive(Debug)]
pub struct LatchGuard<'a> {
    _guards: Vec<MutexGuard<'a, ()>>,
}

impl Latches {
    /// A table of [`LATCH_STRIPES`] unlocked stripes.
    pub fn new() -> Latches {
        Latches {
            stripes: (0..LATCH_STRIPES).map(|_| Mutex::new(())).collect(),
        }
    }

    /// Locks the stripes of all `keys`, in stripe order.
    pub fn lock<'k, I>(&self, keys: I) -> LatchGuard<'_>
    where
        I: IntoIterator<Item = &'k [u8]>,
    {
        let mut idx: Vec<usize> = keys
            .into_iter()
            .map(|k| (hash(k) % LATCH_STRIPES as u64) as usize)
            .collect();
        idx.sort_unstable();
        idx.dedup();
        let guards = idx
            .into_iter()
            // A poisoned stripe only means another commit panicked while
            // holding it; the stripe guards no data, so keep going.
            .map(|i| self.stripes[i].lock().unwrap_or_else(|e| e.into_inner()))
            .collect();
        LatchGuard { _guards: guards }
    }
}

/// The keys a batch must latch: every condition key and every written key.
/// Range deletes and counters are not latched: range deletes are only used
/// on tables no longer visible, and counters commute.
pub fn batch_keys(batch: &crate::WriteBatch) -> Vec<&[u8]> {
    let mut keys = Vec::with_capacity(batch.conditions.len() + batch.ops.len());
    for c in &batch.conditions {
        match c {
            crate::Condition::ValueIs { key, .. } => keys.push(key.as_slice()),
        }
    }
    for op in &batch.ops {
        match op {
            crate::Op::Put { key, .. } | crate::Op::Delete { key } => keys.push(key.as_slice()),
            crate::Op::DeleteRange { .. } | crate::Op::Add { .. } => {}
        }
    }
    keys
}

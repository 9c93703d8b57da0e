//! What transactions share: the set of items that in-flight transactions
//! are working on, and the records that make `ClientRequestToken`
//! idempotent.
//!
//! ## Isolation
//!
//! A transaction never waits for a lock. It claims every item it touches
//! (a try-lock on all of them, all or nothing), reads them from one
//! snapshot, decides, and commits every write in one atomic batch whose
//! conditions say that each item is still what was read. So:
//!
//! * two transactions on a common item: the second fails to claim it and is
//!   cancelled with a `TransactionConflict` reason, as on AWS;
//! * a single-item write on a claimed item fails with
//!   TransactionConflictException (checked in `Database::write_item`);
//! * a single-item write that slips in between the transaction's claim and
//!   its commit makes the commit's condition fail: the transaction is
//!   cancelled with `TransactionConflict` and nothing is written.
//!
//! Serializability rests only on the atomic conditional commit; the claims
//! make conflicts visible the way AWS reports them. Nothing ever waits on a
//! claim, so there are no deadlocks.
//!
//! ## Idempotency records
//!
//! A successful transaction with a `ClientRequestToken` writes, in its own
//! commit, a record under the token (layout in `keyspace.rs` and
//! docs/design.md): the request's fingerprint and the completion time. A
//! later call with the token within [`IDEMPOTENCY_WINDOW_MS`] is answered
//! from it, so a retry after a crash or a lost response never applies twice.
//! Expired records are swept a page at a time, every
//! [`SWEEP_EVERY_TRANSACTIONS`] transactions with a token, by a cursor that
//! walks the records round and round.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use ferrodyn_storage::{
    Condition, Direction, Op, ReadConsistency, ScanRequest, StorageError, WriteBatch, prefix_end,
};

use crate::database::Database;
use crate::error::Result;
use crate::keyspace;

/// How long a `ClientRequestToken` stays bound to its first request: ten
/// minutes after that request completed.
pub const IDEMPOTENCY_WINDOW_MS: i64 = 10 * 60 * 1000;

/// The message of a conflict with an in-flight transaction.
pub const ITEM_IN_TRANSACTION: &str = "Transaction is ongoing for the item";

/// How many independently locked shards the claim set has.
const CLAIM_SHARDS: usize = 64;

/// A sweep of expired idempotency records runs after this many
/// transactions with a token.
pub const SWEEP_EVERY_TRANSACTIONS: usize = 64;

/// How many records one sweep looks at.
pub const SWEEP_RECORDS_MAX: usize = 256;

/// The format version of an idempotency record.
const IDEMPOTENCY_FORMAT_VERSION: u8 = 1;

/// The length of a request fingerprint (SHA-256).
pub const FINGERPRINT_BYTES: usize = 32;

/// Items claimed by in-flight transactions, and tokens being executed.
#[derive(Debug)]
pub(crate) struct Transactions {
    /// How many keys are claimed right now; lets single-item writes skip
    /// the lookup when no transaction is running.
    claimed: AtomicUsize,
    shards: Vec<Mutex<HashSet<Vec<u8>>>>,
    hasher: RandomState,
    /// Tokens whose first call is still running.
    tokens: Mutex<HashSet<Vec<u8>>>,
    /// Transactions with a token since the last sweep.
    since_sweep: AtomicUsize,
    /// Where the next sweep of idempotency records starts.
    sweep_cursor: Mutex<Vec<u8>>,
}

impl Default for Transactions {
    fn default() -> Transactions {
        Transactions {
            claimed: AtomicUsize::new(0),
            shards: (0..CLAIM_SHARDS)
                .map(|_| Mutex::new(HashSet::new()))
                .collect(),
            hasher: RandomState::new(),
            tokens: Mutex::new(HashSet::new()),
            since_sweep: AtomicUsize::new(0),
            sweep_cursor: Mutex::new(Vec::new()),
        }
    }
}

/// Locks a mutex, ignoring poisoning: the sets stay consistent because
/// every critical section is a single insert or remove.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Transactions {
    fn shard(&self, key: &[u8]) -> &Mutex<HashSet<Vec<u8>>> {
        let i = (self.hasher.hash_one(key) as usize) % CLAIM_SHARDS;
        &self.shards[i]
    }

    /// Whether an in-flight transaction has claimed `key`.
    pub(crate) fn is_locked(&self, key: &[u8]) -> bool {
        self.claimed.load(Ordering::Acquire) != 0 && lock(self.shard(key)).contains(key)
    }

    /// Claims every key, or none: on a key already claimed, returns its
    /// index in `keys`.
    pub(crate) fn claim(&self, keys: &[Vec<u8>]) -> std::result::Result<Claim<'_>, usize> {
        let mut claim = Claim {
            owner: self,
            keys: Vec::with_capacity(keys.len()),
        };
        for (i, key) in keys.iter().enumerate() {
            let inserted = lock(self.shard(key)).insert(key.clone());
            if !inserted {
                return Err(i);
            }
            self.claimed.fetch_add(1, Ordering::AcqRel);
            claim.keys.push(key.clone());
        }
        Ok(claim)
    }

    /// Marks `token` as running; `None` if a call with it already is.
    pub(crate) fn start_token(&self, token: Vec<u8>) -> Option<TokenGuard<'_>> {
        if lock(&self.tokens).insert(token.clone()) {
            Some(TokenGuard { owner: self, token })
        } else {
            None
        }
    }
}

impl Database {
    /// Counts a transaction with a token and, every
    /// [`SWEEP_EVERY_TRANSACTIONS`], deletes the expired records among the
    /// next [`SWEEP_RECORDS_MAX`]. A record is deleted only if it is still
    /// the one read, so a token reused meanwhile keeps its new record.
    pub(crate) fn sweep_idempotency_records(&self) -> Result<()> {
        let t = &self.transactions;
        if t.since_sweep.fetch_add(1, Ordering::AcqRel) + 1 < SWEEP_EVERY_TRANSACTIONS {
            return Ok(());
        }
        t.since_sweep.store(0, Ordering::Release);
        let mut cursor = lock(&t.sweep_cursor);
        let prefix = [keyspace::IDEMPOTENCY];
        let start = if cursor.is_empty() {
            prefix.to_vec()
        } else {
            cursor.clone()
        };
        let end = prefix_end(&prefix).unwrap_or_default();
        let page = self.engine.scan(&ScanRequest {
            start: &start,
            end: &end,
            direction: Direction::Forward,
            limit_items: SWEEP_RECORDS_MAX,
            limit_bytes: usize::MAX,
            consistency: ReadConsistency::Strong,
        })?;
        let now = self.clock.now_millis();
        for (key, value) in &page.entries {
            let expired = IdempotencyRecord::decode(value).is_none_or(|r| !r.is_live(now));
            if !expired {
                continue;
            }
            let batch = WriteBatch {
                conditions: vec![Condition::ValueIs {
                    key: key.clone(),
                    value: Some(value.clone()),
                }],
                ops: vec![Op::Delete { key: key.clone() }],
                changes: Vec::new(),
            };
            match self.engine.commit(batch) {
                Ok(_) | Err(StorageError::ConditionFailed { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        *cursor = match page.entries.last() {
            Some((last, _)) if page.more => {
                let mut next = last.clone();
                next.push(0);
                next
            }
            _ => Vec::new(),
        };
        Ok(())
    }
}

/// Keys claimed by one transaction; released when dropped.
#[derive(Debug)]
pub(crate) struct Claim<'a> {
    owner: &'a Transactions,
    keys: Vec<Vec<u8>>,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        for key in self.keys.drain(..) {
            lock(self.owner.shard(&key)).remove(&key);
            self.owner.claimed.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// A running token; released when dropped.
#[derive(Debug)]
pub(crate) struct TokenGuard<'a> {
    owner: &'a Transactions,
    token: Vec<u8>,
}

impl Drop for TokenGuard<'_> {
    fn drop(&mut self) {
        lock(&self.owner.tokens).remove(&self.token);
    }
}

/// A completed request bound to a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct IdempotencyRecord {
    /// The fingerprint of the request.
    pub fingerprint: [u8; FINGERPRINT_BYTES],
    /// When it completed, epoch milliseconds.
    pub completed_millis: i64,
}

impl IdempotencyRecord {
    /// Version 1: `0x01 | fingerprint (32 bytes) | completed_millis i64 BE`.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + FINGERPRINT_BYTES + 8);
        out.push(IDEMPOTENCY_FORMAT_VERSION);
        out.extend_from_slice(&self.fingerprint);
        out.extend_from_slice(&self.completed_millis.to_be_bytes());
        out
    }

    /// Decodes a record; `None` if it is not one this build understands.
    pub(crate) fn decode(bytes: &[u8]) -> Option<IdempotencyRecord> {
        let (&version, rest) = bytes.split_first()?;
        if version != IDEMPOTENCY_FORMAT_VERSION || rest.len() != FINGERPRINT_BYTES + 8 {
            return None;
        }
        let (fingerprint, millis) = rest.split_at(FINGERPRINT_BYTES);
        Some(IdempotencyRecord {
            fingerprint: fingerprint.try_into().ok()?,
            completed_millis: i64::from_be_bytes(millis.try_into().ok()?),
        })
    }

    /// Whether the record still binds its token at `now_millis`.
    pub(crate) fn is_live(&self, now_millis: i64) -> bool {
        now_millis - self.completed_millis < IDEMPOTENCY_WINDOW_MS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_are_all_or_nothing_and_released() {
        let t = Transactions::default();
        let a = t.claim(&[b"a".to_vec(), b"b".to_vec()]).expect("free");
        assert!(t.is_locked(b"a") && t.is_locked(b"b"));
        assert_eq!(t.claim(&[b"c".to_vec(), b"b".to_vec()]).err(), Some(1));
        assert!(!t.is_locked(b"c"), "a failed claim releases what it took");
        drop(a);
        assert!(!t.is_locked(b"a") && !t.is_locked(b"b"));
        assert_eq!(t.claimed.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn tokens_run_once_at_a_time() {
        let t = Transactions::default();
        let g = t.start_token(b"tok".to_vec()).expect("free");
        assert!(t.start_token(b"tok".to_vec()).is_none());
        drop(g);
        assert!(t.start_token(b"tok".to_vec()).is_some());
    }

    #[test]
    fn record_round_trip_and_window() {
        let r = IdempotencyRecord {
            fingerprint: [7; FINGERPRINT_BYTES],
            completed_millis: 1_000,
        };
        assert_eq!(IdempotencyRecord::decode(&r.encode()), Some(r.clone()));
        assert!(IdempotencyRecord::decode(&[2]).is_none());
        assert!(r.is_live(1_000 + IDEMPOTENCY_WINDOW_MS - 1));
        assert!(!r.is_live(1_000 + IDEMPOTENCY_WINDOW_MS));
    }
}

//! The database handle every operation runs against, and the one write
//! path every item write goes through.

use std::sync::Arc;

use ferrodyn_model::Item;
use ferrodyn_model::codec::{decode_item, encode_item};
use ferrodyn_model::value::item_size_bytes;
use ferrodyn_storage::{Condition, Engine, Op, ReadConsistency, StorageError, WriteBatch};

use crate::catalog::Catalog;
use crate::clock::Clock;
use crate::context::RequestContext;
use crate::error::{CoreError, Result};
use crate::table::{TableMeta, parse_table_arn};
use crate::transactions::{self, Transactions};
use crate::{change, keyspace};

/// How many times a write retries after losing a race on its item before
/// giving up with an internal error. Each retry means another writer
/// committed to the same item in between, so this bounds starvation, not
/// correctness.
pub const WRITE_CONFLICT_RETRIES_MAX: usize = 10_000;

/// A database: a storage engine, the catalog over it, and a clock.
#[derive(Debug)]
pub struct Database {
    pub(crate) engine: Arc<dyn Engine>,
    pub(crate) catalog: Catalog,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) transactions: Transactions,
}

/// What a write decided, given the current item.
#[derive(Debug)]
pub enum WriteDecision {
    /// Store this item.
    Put(Item),
    /// Delete the item.
    Delete,
    /// Change nothing and return this error (a failed condition, say).
    Abort(CoreError),
}

/// What a committed write did.
#[derive(Debug, Default)]
pub struct WriteOutcome {
    /// The item before.
    pub old: Option<Item>,
    /// The item after.
    pub new: Option<Item>,
    /// Size of the old item by DynamoDB's rules (0 if absent).
    pub old_size: usize,
    /// Size of the new item (0 if absent).
    pub new_size: usize,
}

impl Database {
    /// Opens a database over `engine`, loading the catalog.
    pub fn open(engine: Arc<dyn Engine>, clock: Arc<dyn Clock>) -> Result<Database> {
        let catalog = Catalog::load(engine.as_ref())?;
        Ok(Database {
            engine,
            catalog,
            clock,
            transactions: Transactions::default(),
        })
    }

    /// Flushes storage; called at shutdown.
    pub fn flush(&self) -> Result<()> {
        Ok(self.engine.flush()?)
    }

    /// Resolves a table name or ARN for the caller. `not_found` gives the
    /// operation's ResourceNotFoundException message for a name.
    pub(crate) fn resolve_table(
        &self,
        ctx: &RequestContext,
        name_or_arn: &str,
        not_found: impl Fn(&str) -> String,
    ) -> Result<Arc<TableMeta>> {
        let (region, account, name) = match parse_table_arn(name_or_arn) {
            Some(parts) => parts,
            None => (ctx.region.as_str(), ctx.account_id.as_str(), name_or_arn),
        };
        // A table in another account or region is invisible to this caller,
        // as on AWS without a resource policy.
        if region != ctx.region || account != ctx.account_id {
            return Err(CoreError::ResourceNotFound(not_found(name)));
        }
        self.catalog
            .get(account, region, name)
            .ok_or_else(|| CoreError::ResourceNotFound(not_found(name)))
    }

    /// Reads and decodes one item.
    pub(crate) fn read_item(&self, key: &[u8], consistent: bool) -> Result<Option<Item>> {
        let consistency = if consistent {
            ReadConsistency::Strong
        } else {
            ReadConsistency::Eventual
        };
        match self.engine.get(key, consistency)? {
            Some(bytes) => Ok(Some(
                decode_item(&bytes).map_err(|e| CoreError::Internal(e.to_string()))?,
            )),
            None => Ok(None),
        }
    }

    /// The one write path for items: read the current item, let `decide`
    /// choose the new state, and commit it only if the item is still what
    /// was read, retrying otherwise. The condition check and the write are
    /// therefore one atomic step, and the change record and table counters
    /// are written in the same commit.
    pub(crate) fn write_item<F>(
        &self,
        table: &TableMeta,
        key: Vec<u8>,
        mut decide: F,
    ) -> Result<WriteOutcome>
    where
        F: FnMut(Option<&Item>) -> Result<WriteDecision>,
    {
        for _ in 0..WRITE_CONFLICT_RETRIES_MAX {
            // A single-item write on an item that a transaction is working
            // on fails rather than waits, as on AWS.
            if self.transactions.is_locked(&key) {
                return Err(CoreError::TransactionConflict(
                    transactions::ITEM_IN_TRANSACTION.into(),
                ));
            }
            let old_bytes = self.engine.get(&key, ReadConsistency::Strong)?;
            let old = match &old_bytes {
                Some(b) => Some(decode_item(b).map_err(|e| CoreError::Internal(e.to_string()))?),
                None => None,
            };
            let new = match decide(old.as_ref())? {
                WriteDecision::Abort(e) => return Err(e),
                WriteDecision::Put(item) => Some(item),
                WriteDecision::Delete => None,
            };
            if old.is_none() && new.is_none() {
                return Ok(WriteOutcome::default());
            }
            let mut batch = WriteBatch::default();
            let (old_size, new_size) = self.stage_write(
                &mut batch,
                table,
                &key,
                old_bytes.as_deref(),
                old.as_ref(),
                new.as_ref(),
            );
            match self.engine.commit(batch) {
                Ok(_) => {
                    return Ok(WriteOutcome {
                        old,
                        new,
                        old_size,
                        new_size,
                    });
                }
                Err(StorageError::ConditionFailed { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(CoreError::Internal(
            "write lost too many races on one item".into(),
        ))
    }

    /// Adds one item's write to `batch`: the condition that the item is
    /// still `old_bytes`, the put or delete, its change record and the
    /// table's counters. Every item write (single, batch, transaction) is
    /// staged here, so what one write carries, all do. Returns the sizes of
    /// the old and new item by DynamoDB's rules.
    pub(crate) fn stage_write(
        &self,
        batch: &mut WriteBatch,
        table: &TableMeta,
        key: &[u8],
        old_bytes: Option<&[u8]>,
        old: Option<&Item>,
        new: Option<&Item>,
    ) -> (usize, usize) {
        let old_size = old.map_or(0, item_size_bytes);
        let new_size = new.map_or(0, item_size_bytes);
        let new_bytes = new.map(encode_item);
        batch.conditions.push(Condition::ValueIs {
            key: key.to_vec(),
            value: old_bytes.map(<[u8]>::to_vec),
        });
        batch.changes.push(change::encode(
            table.id,
            self.clock.now_millis(),
            key,
            old_bytes,
            new_bytes.as_deref(),
        ));
        batch.ops.push(match new_bytes {
            Some(value) => Op::Put {
                key: key.to_vec(),
                value,
            },
            None => Op::Delete { key: key.to_vec() },
        });
        let count_delta = i64::from(new.is_some()) - i64::from(old.is_some());
        if count_delta != 0 {
            batch.ops.push(Op::Add {
                key: keyspace::counter_key(table.id, keyspace::COUNTER_ITEM_COUNT),
                delta: count_delta,
            });
        }
        let size_delta = new_size as i64 - old_size as i64;
        if size_delta != 0 {
            batch.ops.push(Op::Add {
                key: keyspace::counter_key(table.id, keyspace::COUNTER_SIZE_BYTES),
                delta: size_delta,
            });
        }
        (old_size, new_size)
    }

    /// A table's item count and size in bytes.
    pub(crate) fn table_stats(&self, table_id: u64) -> Result<(i64, i64)> {
        let keys = [
            keyspace::counter_key(table_id, keyspace::COUNTER_ITEM_COUNT),
            keyspace::counter_key(table_id, keyspace::COUNTER_SIZE_BYTES),
        ];
        let values = self.engine.multi_get(&keys, ReadConsistency::Strong)?;
        let count = ferrodyn_storage::decode_counter(values.first().and_then(|v| v.as_deref()));
        let size = ferrodyn_storage::decode_counter(values.get(1).and_then(|v| v.as_deref()));
        Ok((count.max(0), size.max(0)))
    }
}

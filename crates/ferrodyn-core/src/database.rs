//! The database handle every operation runs against, and the one write
//! path every item write goes through.

use std::sync::Arc;

use parking_lot::RwLock;

use ferrodyn_model::codec::{decode_item, encode_item};
use ferrodyn_model::limits::ITEM_COLLECTION_SIZE_BYTES_MAX;
use ferrodyn_model::value::item_size_bytes;
use ferrodyn_model::{Item, keycode};
use ferrodyn_storage::{
    ChangeAppend, Condition, Engine, Op, ReadConsistency, StorageError, WriteBatch,
};

use crate::capacity::{self, ConsumedCapacity, IndexCapacity, ReturnConsumedCapacity};
use crate::catalog::Catalog;
use crate::change::Origin;
use crate::clock::Clock;
use crate::context::RequestContext;
use crate::error::{CoreError, Result};
use crate::index::{IndexKind, IndexMeta};
use crate::ops::ItemWriteOutput;
use crate::table::{TableMeta, parse_table_arn};
use crate::transactions::{self, Transactions};
use crate::{change, keyspace};

/// How many times a write retries after losing a race on its item before
/// giving up with an internal error. Each retry means another writer
/// committed to the same item in between, so this bounds starvation, not
/// correctness.
pub const WRITE_CONFLICT_RETRIES_MAX: usize = 10_000;

/// What staging one item write reports.
#[derive(Clone, Debug, Default)]
pub(crate) struct Staged {
    /// Size of the old item by DynamoDB's rules (0 if absent).
    pub old_size: usize,
    /// Size of the new item (0 if absent).
    pub new_size: usize,
    /// Write units consumed by each of the table's indexes that changed.
    pub index_capacity: Vec<IndexCapacity>,
    /// The item's collection after the write (tables with local indexes).
    pub collection: Option<ItemCollection>,
}

impl Staged {
    /// Write units consumed by all the indexes.
    pub fn index_units(&self) -> f64 {
        self.index_capacity.iter().map(|i| i.units).sum()
    }
}

/// An item collection's key and size, for `ItemCollectionMetrics`.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemCollection {
    /// `ItemCollectionKey`: the partition key attribute and its value.
    pub key: Item,
    /// The collection's size after the write, in bytes.
    pub size_bytes: i64,
}

impl ItemCollection {
    /// `SizeEstimateRangeGB`: the whole gigabytes below and above.
    pub fn size_estimate_range_gb(&self) -> [f64; 2] {
        let gb = (self.size_bytes.max(0) as f64 / (1u64 << 30) as f64).floor();
        [gb, gb + 1.0]
    }
}

/// The bytes DynamoDB adds to every index entry when it reports an index's
/// size.
pub const INDEX_ENTRY_OVERHEAD_BYTES: usize = 100;

/// The size an index entry counts for in `IndexSizeBytes`.
pub(crate) fn index_entry_size(projected: &Item) -> usize {
    item_size_bytes(projected) + INDEX_ENTRY_OVERHEAD_BYTES
}

/// Adds the item-count and size deltas of a table or index to `batch`.
pub(crate) fn push_counters(batch: &mut WriteBatch, id: u64, count_delta: i64, size_delta: i64) {
    if count_delta != 0 {
        batch.ops.push(Op::Add {
            key: keyspace::counter_key(id, keyspace::COUNTER_ITEM_COUNT),
            delta: count_delta,
        });
    }
    if size_delta != 0 {
        batch.ops.push(Op::Add {
            key: keyspace::counter_key(id, keyspace::COUNTER_SIZE_BYTES),
            delta: size_delta,
        });
    }
}

/// A database: a storage engine, the catalog over it, and a clock.
#[derive(Debug)]
pub struct Database {
    pub(crate) engine: Arc<dyn Engine>,
    pub(crate) catalog: Catalog,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) transactions: Transactions,
    /// Held shared by every write from the moment it looks its table's
    /// indexes up until it commits, and exclusively while indexes are added
    /// or removed: so no write can commit under a stale list of indexes.
    pub(crate) schema_gate: RwLock<()>,
    /// Where each index being built continues in its table.
    pub(crate) backfill_walks: crate::walk::Walks,
    /// The largest item collection allowed (AWS's 10 GB; lowered by tests).
    pub(crate) item_collection_size_bytes_max: u64,
    /// How long a stream shard stays open before it is rolled over.
    pub(crate) shard_rollover_millis: i64,
    /// How often a table with point-in-time recovery gets a snapshot.
    pub(crate) pitr_snapshot_interval_millis: i64,
    /// How far behind now the latest restorable instant is.
    pub(crate) pitr_restorable_lag_millis: i64,
    /// How long change records (and a disabled stream) are kept.
    pub(crate) stream_retention_millis: i64,
    /// How long a shard iterator can be used.
    pub(crate) iterator_lifetime_millis: i64,
    /// The key that signs shard iterators, loaded on first use.
    pub(crate) iterator_key: std::sync::OnceLock<[u8; 32]>,
    /// Where the TTL sweeper continues in each table.
    pub(crate) ttl_walks: crate::walk::Walks,
    /// Items the TTL sweeper deleted since the database opened.
    pub(crate) ttl_deleted_total: std::sync::atomic::AtomicU64,
    /// How long after a TTL change another is refused.
    pub(crate) ttl_update_cooldown_millis: i64,
    /// Backups being written and restores under way (`backup/`).
    pub(crate) backups: crate::backup::Backups,
    /// Exports being written, and where.
    pub(crate) exports: crate::export::Exports,
}

/// What a write decided, given the current item.
#[derive(Debug)]
pub enum WriteDecision {
    /// Store this item.
    Put(Item),
    /// Delete the item.
    Delete,
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
    /// Write units consumed by each of the table's indexes that changed.
    pub index_capacity: Vec<IndexCapacity>,
    /// The item's collection after the write (tables with local indexes).
    pub collection: Option<ItemCollection>,
}

impl WriteOutcome {
    /// The answer of a single-item write: the `Attributes` that `attributes`
    /// picks from the old and new item, and the capacity report (the item's
    /// write units and every index's) and item collection metrics the
    /// request asked for.
    pub(crate) fn into_output(
        self,
        table_name: &str,
        attributes: impl FnOnce(Option<Item>, Option<Item>) -> Option<Item>,
        mode: ReturnConsumedCapacity,
        return_item_collection_metrics: bool,
    ) -> ItemWriteOutput {
        let units = capacity::write_units(self.old_size, self.new_size);
        let index_capacity = self.index_capacity;
        ItemWriteOutput {
            consumed_capacity: ConsumedCapacity::for_write(table_name, units, mode)
                .map(|c| c.with_indexes(index_capacity)),
            item_collection_metrics: self.collection.filter(|_| return_item_collection_metrics),
            attributes: attributes(self.old, self.new),
        }
    }
}

impl Database {
    /// Opens a database over `engine`, loading the catalog.
    pub fn open(engine: Arc<dyn Engine>, clock: Arc<dyn Clock>) -> Result<Database> {
        let catalog = Catalog::load(engine.as_ref())?;
        let db = Database::with_catalog(engine, clock, catalog);
        db.migrate_first_format_changes()?;
        Ok(db)
    }

    /// Opens a database over a store known to hold nothing (one being
    /// created), without reading it.
    pub fn open_empty(engine: Arc<dyn Engine>, clock: Arc<dyn Clock>) -> Database {
        Database::with_catalog(engine, clock, Catalog::empty())
    }

    fn with_catalog(engine: Arc<dyn Engine>, clock: Arc<dyn Clock>, catalog: Catalog) -> Database {
        Database {
            engine,
            catalog,
            clock,
            transactions: Transactions::default(),
            schema_gate: RwLock::new(()),
            backfill_walks: crate::walk::Walks::default(),
            item_collection_size_bytes_max: ITEM_COLLECTION_SIZE_BYTES_MAX,
            shard_rollover_millis: crate::stream::SHARD_ROLLOVER_MILLIS,
            pitr_snapshot_interval_millis:
                crate::backup::pitr::PITR_SNAPSHOT_INTERVAL_MILLIS_DEFAULT,
            pitr_restorable_lag_millis: crate::backup::pitr::LATEST_RESTORABLE_LAG_MILLIS,
            stream_retention_millis: crate::stream::STREAM_RETENTION_MILLIS,
            iterator_lifetime_millis: crate::ops::streams::ITERATOR_LIFETIME_MILLIS,
            iterator_key: std::sync::OnceLock::new(),
            ttl_walks: crate::walk::Walks::default(),
            ttl_deleted_total: std::sync::atomic::AtomicU64::new(0),
            ttl_update_cooldown_millis: crate::ops::update_time_to_live::TTL_UPDATE_COOLDOWN_MILLIS,
            backups: crate::backup::Backups::default(),
            exports: crate::export::Exports::default(),
        }
    }

    /// Sets how long after a TTL change another is refused (AWS: about 31
    /// minutes; tests shorten it).
    pub fn with_ttl_update_cooldown(mut self, millis: i64) -> Database {
        self.ttl_update_cooldown_millis = millis.max(0);
        self
    }

    /// Sets how long a stream shard stays open before it is closed and a
    /// child opened (AWS: about four hours).
    pub fn with_shard_rollover(mut self, millis: i64) -> Database {
        self.shard_rollover_millis = millis.max(1);
        self
    }

    /// Sets how long change records, and a disabled stream, are kept
    /// (AWS: 24 hours; shortened to test a consumer's handling of trimmed
    /// data).
    pub fn with_stream_retention(mut self, millis: i64) -> Database {
        self.stream_retention_millis = millis.max(1);
        self
    }

    /// Sets how long a shard iterator can be used (AWS: 15 minutes;
    /// shortened to test a consumer's handling of expired iterators).
    pub fn with_iterator_lifetime(mut self, millis: i64) -> Database {
        self.iterator_lifetime_millis = millis.max(1);
        self
    }

    /// Lowers the item collection size limit, so that tests can reach it
    /// without writing 10 GB.
    pub fn with_item_collection_size_limit(mut self, bytes: u64) -> Database {
        self.item_collection_size_bytes_max = bytes;
        self
    }

    /// Flushes storage; called at shutdown.
    pub fn flush(&self) -> Result<()> {
        Ok(self.engine.flush()?)
    }

    /// Whether storage accepts writes now (it may check, and wait for a
    /// sync: call it off the async workers).
    pub fn write_health(&self) -> ferrodyn_storage::WriteHealth {
        self.engine.write_health()
    }

    /// Resolves a table name or ARN for the caller. `not_found` gives the
    /// operation's ResourceNotFoundException message for a name. A table
    /// still being restored is not found yet, as a table that is not yet
    /// ACTIVE is not on AWS.
    pub(crate) fn resolve_table(
        &self,
        ctx: &RequestContext,
        name_or_arn: &str,
        not_found: impl Fn(&str) -> String,
    ) -> Result<Arc<TableMeta>> {
        let table = self.resolve_table_in_any_state(ctx, name_or_arn, &not_found)?;
        if table.is_restoring() {
            return Err(CoreError::ResourceNotFound(not_found(&table.name)));
        }
        Ok(table)
    }

    /// [`Database::resolve_table`], finding a table being restored too
    /// (DescribeTable, DeleteTable).
    pub(crate) fn resolve_table_in_any_state(
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

    /// The table's metadata as the catalog holds it now (its indexes may
    /// have changed since `table` was looked up); not found if the table
    /// was deleted meanwhile.
    pub(crate) fn current_table(&self, table: &TableMeta) -> Result<Arc<TableMeta>> {
        self.catalog
            .get(&table.account_id, &table.region, &table.name)
            .filter(|t| t.id == table.id)
            .ok_or_else(|| CoreError::ResourceNotFound("Requested resource not found".into()))
    }

    /// Every entry whose key starts with `start` (records of one kind:
    /// backups, exports), in key order.
    pub(crate) fn scan_prefix(&self, start: Vec<u8>) -> Result<ferrodyn_storage::Entries> {
        let end = ferrodyn_storage::prefix_end(&start)
            .ok_or_else(|| CoreError::Internal("record prefix has no end".into()))?;
        let mut out = Vec::new();
        let mut from = start;
        loop {
            let page = self.engine.scan(&ferrodyn_storage::ScanRequest {
                start: &from,
                end: &end,
                direction: ferrodyn_storage::Direction::Forward,
                limit_items: 1000,
                limit_bytes: 4 << 20,
                consistency: ReadConsistency::Strong,
            })?;
            let more = page.more;
            let last = page.entries.last().map(|(k, _)| k.clone());
            out.extend(page.entries);
            match last {
                Some(mut k) if more => {
                    k.push(0);
                    from = k;
                }
                _ => return Ok(out),
            }
        }
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
        decide: F,
    ) -> Result<WriteOutcome>
    where
        F: FnMut(Option<&Item>) -> Result<WriteDecision>,
    {
        self.write_item_as(table, key, &Origin::Client, decide)
    }

    /// [`Database::write_item`] for a write made by `origin` (the TTL
    /// sweeper, a replica), which its change record names.
    pub(crate) fn write_item_as<F>(
        &self,
        table: &TableMeta,
        key: Vec<u8>,
        origin: &Origin,
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
            // Decided against the latest accepted write to the item, even
            // one not yet durable: the commit below is then queued behind
            // it instead of failing its condition until that write lands.
            let old_bytes = self.engine.get_for_write(&key)?;
            let old = match &old_bytes {
                Some(b) => Some(decode_item(b).map_err(|e| CoreError::Internal(e.to_string()))?),
                None => None,
            };
            let new = match decide(old.as_ref())? {
                WriteDecision::Put(item) => Some(item),
                WriteDecision::Delete => None,
            };
            if old.is_none() && new.is_none() {
                return Ok(WriteOutcome::default());
            }
            // Recursive: a batch may hold the gate across its writes.
            let _gate = self.schema_gate.read_recursive();
            let table = self.current_table(table)?;
            let mut batch = WriteBatch::default();
            let staged = self.stage_write(
                &mut batch,
                &table,
                &key,
                old_bytes.as_deref(),
                old.as_ref(),
                new.as_ref(),
                origin,
            )?;
            match self.engine.commit(batch) {
                Ok(_) => {
                    return Ok(WriteOutcome {
                        old,
                        new,
                        old_size: staged.old_size,
                        new_size: staged.new_size,
                        index_capacity: staged.index_capacity,
                        collection: staged.collection,
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
    /// still `old_bytes`, the put or delete, its change record (tables with
    /// a stream), the table's counters, and the item's index entries and
    /// their counters. Every item write (single, batch, transaction) is
    /// staged here, so what one write carries, all do. Fails, staging nothing usable, if the new item does
    /// not fit one of the table's indexes.
    #[allow(
        clippy::too_many_arguments,
        reason = "one write's whole state, staged in one place"
    )]
    pub(crate) fn stage_write(
        &self,
        batch: &mut WriteBatch,
        table: &TableMeta,
        key: &[u8],
        old_bytes: Option<&[u8]>,
        old: Option<&Item>,
        new: Option<&Item>,
        origin: &Origin,
    ) -> Result<Staged> {
        if let Some(new) = new {
            for index in &table.indexes {
                index.validate(new)?;
            }
        }
        let old_size = old.map_or(0, item_size_bytes);
        let new_size = new.map_or(0, item_size_bytes);
        let new_bytes = new.map(encode_item);
        batch.conditions.push(Condition::ValueIs {
            key: key.to_vec(),
            value: old_bytes.map(<[u8]>::to_vec),
        });
        // Change records feed streams, Kinesis destinations and
        // point-in-time recovery; a table with no consumer of them does not
        // pay for them. A write
        // that changes nothing records nothing, as on AWS.
        let mut logs = table.change_logs().peekable();
        if logs.peek().is_some()
            && !matches!((old, new), (Some(a), Some(b)) if ferrodyn_model::value::same_item(a, b))
        {
            let keys = new
                .or(old)
                .map(|item| table.key_schema().key_of(item))
                .unwrap_or_default();
            let keys = encode_item(&keys);
            let event = change::Event::of(old.is_some(), new.is_some());
            let now = self.clock.now_millis();
            for (shard, view) in logs {
                batch.changes.push(ChangeAppend {
                    log: change::log_key(table.id, shard),
                    record: change::encode(
                        origin,
                        event,
                        now,
                        &keys,
                        old_bytes.filter(|_| view.keeps_old()),
                        new_bytes.as_deref().filter(|_| view.keeps_new()),
                    ),
                });
            }
        }
        batch.ops.push(match new_bytes {
            Some(value) => Op::Put {
                key: key.to_vec(),
                value,
            },
            None => Op::Delete { key: key.to_vec() },
        });
        push_counters(
            batch,
            table.id,
            i64::from(new.is_some()) - i64::from(old.is_some()),
            new_size as i64 - old_size as i64,
        );
        let mut index_capacity = Vec::new();
        let mut collection_delta = new_size as i64 - old_size as i64;
        for index in &table.indexes {
            let (units, size_delta) = self.stage_index_write(batch, table, index, old, new)?;
            if units > 0.0 {
                index_capacity.push(IndexCapacity {
                    name: index.name.clone(),
                    global: index.kind == IndexKind::Global,
                    units,
                });
            }
            if index.kind == IndexKind::Local {
                collection_delta += size_delta;
            }
        }
        let collection = match new.or(old) {
            Some(item) if table.has_local_indexes() => {
                Some(self.stage_collection(batch, table, item, collection_delta)?)
            }
            _ => None,
        };
        Ok(Staged {
            old_size,
            new_size,
            index_capacity,
            collection,
        })
    }

    /// Adds `delta` to the size of `item`'s collection, refusing to grow
    /// it past the limit.
    fn stage_collection(
        &self,
        batch: &mut WriteBatch,
        table: &TableMeta,
        item: &Item,
        delta: i64,
    ) -> Result<ItemCollection> {
        let schema = table.key_schema();
        let key: Item = item
            .get(&schema.partition.name)
            .map(|v| (schema.partition.name.clone(), v.clone()))
            .into_iter()
            .collect();
        let mut encoded = Vec::with_capacity(32);
        if let Some(value) = key.values().next() {
            keycode::encode_value(value, &mut encoded)
                .map_err(|e| CoreError::Internal(e.to_string()))?;
        }
        let counter = keyspace::collection_counter_key(table.id, &encoded);
        let current = ferrodyn_storage::decode_counter(
            self.engine
                .get(&counter, ReadConsistency::Strong)?
                .as_deref(),
        );
        let size = current + delta;
        if delta > 0 && size > self.item_collection_size_bytes_max as i64 {
            // UNCONFIRMED wording (docs/compatibility.md).
            return Err(CoreError::ItemCollectionSizeLimitExceeded(
                "Item collection size limit exceeded".into(),
            ));
        }
        if delta != 0 {
            batch.ops.push(Op::Add {
                key: counter,
                delta,
            });
        }
        Ok(ItemCollection {
            key,
            size_bytes: size,
        })
    }

    /// Replaces an item's entry in one index; returns the write units the
    /// index consumed and the change of its size in bytes.
    fn stage_index_write(
        &self,
        batch: &mut WriteBatch,
        table: &TableMeta,
        index: &IndexMeta,
        old: Option<&Item>,
        new: Option<&Item>,
    ) -> Result<(f64, i64)> {
        let old_entry = match old {
            Some(item) => index.entry(table, item)?,
            None => None,
        };
        let new_entry = match new {
            Some(item) => index.entry(table, item)?,
            None => None,
        };
        if old_entry == new_entry {
            return Ok((0.0, 0));
        }
        let mut old_present = old_entry.is_some();
        if index.is_backfilling()
            && let Some((old_key, _)) = &old_entry
        {
            // The backfill may not have reached this item yet: count the old
            // entry only if it is there, and commit only if that is still so.
            let current = self.engine.get(old_key, ReadConsistency::Strong)?;
            old_present = current.is_some();
            batch.conditions.push(Condition::ValueIs {
                key: old_key.clone(),
                value: current,
            });
        }
        let mut units = 0.0;
        let mut count_delta = 0;
        let mut size_delta = 0;
        let same_key = matches!((&old_entry, &new_entry), (Some((a, _)), Some((b, _))) if a == b);
        if let Some((old_key, old_item)) = &old_entry {
            if !same_key {
                batch.ops.push(Op::Delete {
                    key: old_key.clone(),
                });
                units += capacity::write_units(index_entry_size(old_item), 0);
            }
            if old_present {
                count_delta -= 1;
                size_delta -= index_entry_size(old_item) as i64;
            }
        }
        if let Some((new_key, new_item)) = new_entry {
            let size = index_entry_size(&new_item);
            units += capacity::write_units(size, 0);
            count_delta += 1;
            size_delta += size as i64;
            batch.ops.push(Op::Put {
                key: new_key,
                value: encode_item(&new_item),
            });
        }
        push_counters(batch, index.id, count_delta, size_delta);
        Ok((units, size_delta))
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

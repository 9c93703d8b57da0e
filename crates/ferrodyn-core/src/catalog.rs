//! The catalog: every table's metadata, persisted in the key space and
//! cached in memory.
//!
//! Reads (every item operation looks its table up) go to the cache, a
//! `BTreeMap` behind a reader-writer lock, ordered by (account, region,
//! name) so ListTables is a range walk. Changes (create, update, delete) are
//! serialised by one DDL mutex: they are rare, and serialising them makes id
//! allocation and "exactly one concurrent CreateTable wins" simple. Each
//! change is committed to storage first and applied to the cache after, so
//! the cache never shows a table that is not durable.
//!
//! Persisted entry: `0x01 (format version) | CBOR(TableMeta)`.

use std::collections::BTreeMap;
use std::sync::Arc;

use ferrodyn_storage::{
    Condition, Direction, Engine, Op, ReadConsistency, ScanRequest, WriteBatch,
};
use parking_lot::{Mutex, MutexGuard, RwLock};

use crate::error::{CoreError, Result};
use crate::keyspace;
use crate::table::TableMeta;

/// The catalog entry format this build writes.
const CATALOG_FORMAT_VERSION: u8 = 1;

type CacheKey = (String, String, String);

/// The table catalog.
#[derive(Debug)]
pub struct Catalog {
    tables: RwLock<BTreeMap<CacheKey, Arc<TableMeta>>>,
    ddl: Mutex<()>,
}

/// Held while changing the catalog.
#[derive(Debug)]
pub struct DdlGuard<'a>(#[allow(dead_code, reason = "held for its Drop")] MutexGuard<'a, ()>);

pub fn encode_meta(meta: &TableMeta) -> Result<Vec<u8>> {
    encode_versioned(CATALOG_FORMAT_VERSION, meta)
}

fn decode_meta(bytes: &[u8]) -> Result<TableMeta> {
    decode_versioned(CATALOG_FORMAT_VERSION, bytes, "catalog entry")
}

/// A persisted record: its format version, then CBOR (which names its
/// fields, so a field added with `#[serde(default)]` still loads old
/// records).
pub(crate) fn encode_versioned<T: serde::Serialize>(version: u8, value: &T) -> Result<Vec<u8>> {
    let mut out = vec![version];
    ciborium::into_writer(value, &mut out).map_err(|e| CoreError::Internal(e.to_string()))?;
    Ok(out)
}

/// Reads a record written by [`encode_versioned`] with `version`; `what`
/// names it in errors.
pub(crate) fn decode_versioned<T: serde::de::DeserializeOwned>(
    version: u8,
    bytes: &[u8],
    what: &str,
) -> Result<T> {
    match bytes.split_first() {
        Some((&v, rest)) if v == version => {
            ciborium::from_reader(rest).map_err(|e| CoreError::Internal(format!("{what}: {e}")))
        }
        Some((v, _)) => Err(CoreError::Internal(format!("{what}: unknown format {v}"))),
        None => Err(CoreError::Internal(format!("{what}: empty"))),
    }
}

/// The operations that remove an index's entries and counters.
pub(crate) fn index_removal(index_id: u64) -> Result<Vec<Op>> {
    let entries = keyspace::index_entries_prefix(index_id);
    let entries_end = ferrodyn_storage::prefix_end(&entries)
        .ok_or_else(|| CoreError::Internal("index prefix has no end".into()))?;
    let (counters, counters_end) = keyspace::counters_range(index_id);
    Ok(vec![
        Op::DeleteRange {
            start: entries,
            end: entries_end,
        },
        Op::DeleteRange {
            start: counters,
            end: counters_end,
        },
    ])
}

/// The operations that remove a table's items, counters and index entries
/// (and the indexes' counters).
pub(crate) fn table_data_removal(meta: &TableMeta) -> Result<Vec<Op>> {
    let items = keyspace::table_items_prefix(meta.id);
    let items_end = ferrodyn_storage::prefix_end(&items)
        .ok_or_else(|| CoreError::Internal("table prefix has no end".into()))?;
    let (counters, counters_end) = keyspace::counters_range(meta.id);
    let mut ops = vec![
        Op::DeleteRange {
            start: items,
            end: items_end,
        },
        Op::DeleteRange {
            start: counters,
            end: counters_end,
        },
    ];
    for index in &meta.indexes {
        ops.extend(index_removal(index.id)?);
    }
    Ok(ops)
}

impl Catalog {
    /// Every table, for background work (index backfills).
    pub fn all(&self) -> Vec<Arc<TableMeta>> {
        self.tables.read().values().cloned().collect()
    }

    /// The catalog of a store that holds nothing.
    pub fn empty() -> Catalog {
        Catalog {
            tables: RwLock::new(BTreeMap::new()),
            ddl: Mutex::new(()),
        }
    }

    /// Loads every table from storage.
    pub fn load(engine: &dyn Engine) -> Result<Catalog> {
        let mut tables = BTreeMap::new();
        let start = vec![keyspace::CATALOG];
        let end = vec![keyspace::CATALOG + 1];
        let mut from = start.clone();
        loop {
            let page = engine.scan(&ScanRequest {
                start: &from,
                end: &end,
                direction: Direction::Forward,
                limit_items: 1000,
                limit_bytes: usize::MAX,
                consistency: ReadConsistency::Strong,
            })?;
            for (_, v) in &page.entries {
                let meta = decode_meta(v)?;
                tables.insert(
                    (
                        meta.account_id.clone(),
                        meta.region.clone(),
                        meta.name.clone(),
                    ),
                    Arc::new(meta),
                );
            }
            match (page.more, page.entries.last()) {
                (true, Some((k, _))) => {
                    from = k.clone();
                    from.push(0);
                }
                _ => break,
            }
        }
        Ok(Catalog {
            tables: RwLock::new(tables),
            ddl: Mutex::new(()),
        })
    }

    /// The table with internal id `id`, in any account and region.
    pub fn by_id(&self, id: u64) -> Option<Arc<TableMeta>> {
        self.tables.read().values().find(|t| t.id == id).cloned()
    }

    /// The table `name` of an account and region.
    pub fn get(&self, account: &str, region: &str, name: &str) -> Option<Arc<TableMeta>> {
        // Building owned keys for a lookup costs three small allocations; a
        // borrowed-key map would avoid them if profiles ever show it.
        self.tables
            .read()
            .get(&(account.to_owned(), region.to_owned(), name.to_owned()))
            .cloned()
    }

    /// The names of an account's tables in a region, in order, starting
    /// after `after` (exclusive), at most `limit` of them.
    pub fn list(
        &self,
        account: &str,
        region: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Vec<String> {
        let tables = self.tables.read();
        tables
            .range((account.to_owned(), region.to_owned(), String::new())..)
            .take_while(|((a, r, _), _)| a == account && r == region)
            .map(|((_, _, n), _)| n)
            .filter(|n| after.is_none_or(|a| n.as_str() > a))
            .take(limit)
            .cloned()
            .collect()
    }

    /// Takes the DDL lock.
    pub fn lock_ddl(&self) -> DdlGuard<'_> {
        DdlGuard(self.ddl.lock())
    }

    /// Persists a new or changed table (under the DDL lock) and updates the
    /// cache. `expect_absent` makes the write fail with `ResourceInUse` if
    /// the name is taken, atomically.
    pub fn put(
        &self,
        engine: &dyn Engine,
        _ddl: &DdlGuard<'_>,
        meta: TableMeta,
        mut batch: WriteBatch,
        expect_absent: bool,
    ) -> Result<Arc<TableMeta>> {
        let key = keyspace::catalog_key(&meta.account_id, &meta.region, &meta.name);
        if expect_absent {
            batch.conditions.push(Condition::ValueIs {
                key: key.clone(),
                value: None,
            });
        }
        batch.ops.push(Op::Put {
            key,
            value: encode_meta(&meta)?,
        });
        match engine.commit(batch) {
            Ok(_) => {}
            Err(ferrodyn_storage::StorageError::ConditionFailed { .. }) => {
                return Err(CoreError::ResourceInUse(format!(
                    "Table already exists: {}",
                    meta.name
                )));
            }
            Err(e) => return Err(e.into()),
        }
        let meta = Arc::new(meta);
        self.tables.write().insert(
            (
                meta.account_id.clone(),
                meta.region.clone(),
                meta.name.clone(),
            ),
            Arc::clone(&meta),
        );
        Ok(meta)
    }

    /// Persists a changed table on its own (under the DDL lock) and updates
    /// the cache.
    pub fn replace(
        &self,
        engine: &dyn Engine,
        ddl: &DdlGuard<'_>,
        meta: TableMeta,
    ) -> Result<Arc<TableMeta>> {
        self.put(engine, ddl, meta, WriteBatch::default(), false)
    }

    /// Removes a table (under the DDL lock): its catalog entry, items,
    /// index entries and counters go in one atomic commit.
    pub fn remove(&self, engine: &dyn Engine, _ddl: &DdlGuard<'_>, meta: &TableMeta) -> Result<()> {
        let mut ops = vec![Op::Delete {
            key: keyspace::catalog_key(&meta.account_id, &meta.region, &meta.name),
        }];
        ops.extend(table_data_removal(meta)?);
        let batch = WriteBatch {
            ops,
            ..WriteBatch::default()
        };
        engine.commit(batch)?;
        self.tables.write().remove(&(
            meta.account_id.clone(),
            meta.region.clone(),
            meta.name.clone(),
        ));
        Ok(())
    }
}

//! Building a new global secondary index from the items already in its
//! table, while the table keeps serving.
//!
//! A new index starts `CREATING` (DescribeTable shows `Backfilling`). From
//! that moment every write maintains it like any other index (see
//! `Database::stage_write`); the backfill adds the entries of the items
//! written before, a page at a time, in table-key order:
//!
//! ```text
//! read a page of items after the cursor
//!   -> for each, the entry it maps to, unless one is already there (a
//!      write got to it first)
//!   -> one commit: those entries and the index counters, on condition that
//!      each item is unchanged and each entry still absent; a lost race
//!      re-reads the page
//!   -> at the end of the table, the index becomes ACTIVE
//! ```
//!
//! Writes count an old entry only if it is there (they read it while the
//! index is building), and the backfill adds only absent entries, so the
//! index's counters stay exact. The cursor lives in memory: after a
//! restart the backfill starts over, skipping what is already there.

use ferrodyn_model::codec::{decode_item, encode_item};
use ferrodyn_storage::{Condition, Op, ReadConsistency, StorageError, WriteBatch};

use crate::database::{Database, index_entry_size, push_counters};
use crate::error::{CoreError, Result};
use crate::index::IndexStatus;

/// How many items one backfill step reads.
pub const BACKFILL_PAGE_ITEMS: usize = 256;

impl Database {
    /// Does one page of work on some index being built; returns whether
    /// there was any (callers loop while it returns `true`, and sleep
    /// otherwise).
    pub fn backfill_step(&self) -> Result<bool> {
        for table in self.catalog.all() {
            for index in table
                .indexes
                .iter()
                .filter(|i| i.status == IndexStatus::Creating)
            {
                let _gate = self.schema_gate.read();
                // The index may have gone (or the table) since the listing.
                let current = match self.current_table(&table) {
                    Ok(t) if t.index(&index.name).is_some_and(|i| i.id == index.id) => t,
                    _ => continue,
                };
                let page = self.backfill_walks.next_page(
                    self.engine.as_ref(),
                    index.id,
                    table.id,
                    BACKFILL_PAGE_ITEMS,
                )?;
                let mut entries = Vec::with_capacity(page.entries.len());
                for (key, bytes) in &page.entries {
                    let item =
                        decode_item(bytes).map_err(|e| CoreError::Internal(e.to_string()))?;
                    // Items that do not fit the index (a wrong type) are
                    // left out, as AWS's backfill does.
                    if let Some(entry) = index.entry(&current, &item)? {
                        entries.push((key, bytes, entry));
                    }
                }
                let entry_keys: Vec<Vec<u8>> =
                    entries.iter().map(|(_, _, (k, _))| k.clone()).collect();
                let present = self
                    .engine
                    .multi_get(&entry_keys, ReadConsistency::Strong)?;
                let mut batch = WriteBatch::default();
                let (mut count, mut size) = (0i64, 0i64);
                for ((key, bytes, (entry_key, projected)), there) in
                    entries.into_iter().zip(present)
                {
                    if there.is_some() {
                        continue;
                    }
                    batch.conditions.push(Condition::ValueIs {
                        key: key.clone(),
                        value: Some(bytes.clone()),
                    });
                    batch.conditions.push(Condition::ValueIs {
                        key: entry_key.clone(),
                        value: None,
                    });
                    count += 1;
                    size += index_entry_size(&projected) as i64;
                    batch.ops.push(Op::Put {
                        key: entry_key,
                        value: encode_item(&projected),
                    });
                }
                push_counters(&mut batch, index.id, count, size);
                match self.engine.commit(batch) {
                    Ok(_) => {}
                    // A write raced with this page: read it again.
                    Err(StorageError::ConditionFailed { .. }) => return Ok(true),
                    Err(e) => return Err(e.into()),
                }
                if !self.backfill_walks.advance(index.id, &page) {
                    drop(_gate);
                    self.finish_backfill(&table.account_id, &table.region, &table.name, index.id)?;
                }
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Marks a built index `ACTIVE`.
    fn finish_backfill(
        &self,
        account: &str,
        region: &str,
        name: &str,
        index_id: u64,
    ) -> Result<()> {
        let ddl = self.catalog.lock_ddl();
        let Some(current) = self.catalog.get(account, region, name) else {
            return Ok(());
        };
        let mut meta = (*current).clone();
        let Some(index) = meta.indexes.iter_mut().find(|i| i.id == index_id) else {
            return Ok(());
        };
        index.status = IndexStatus::Active;
        self.catalog.replace(self.engine.as_ref(), &ddl, meta)?;
        Ok(())
    }
}

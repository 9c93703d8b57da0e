//! Walking a table's items a page at a time, from a cursor kept in memory:
//! the background jobs that visit every item (building an index, sweeping
//! for expired items) share it. A restart begins a walk again, which only
//! reads again what was read.

use std::collections::HashMap;

use ferrodyn_storage::{Direction, Engine, ReadConsistency, ScanPage, ScanRequest, prefix_end};
use parking_lot::Mutex;

use crate::error::{CoreError, Result};
use crate::keyspace;

/// The walks of one job, each keyed by what it walks for (an index id, a
/// table id).
#[derive(Debug, Default)]
pub(crate) struct Walks {
    cursors: Mutex<HashMap<u64, Vec<u8>>>,
}

impl Walks {
    /// The next page, of at most `limit` items of table `table_id`, of the
    /// walk `walk`.
    pub(crate) fn next_page(
        &self,
        engine: &dyn Engine,
        walk: u64,
        table_id: u64,
        limit: usize,
    ) -> Result<ScanPage> {
        let prefix = keyspace::table_items_prefix(table_id);
        let end = prefix_end(&prefix)
            .ok_or_else(|| CoreError::Internal("table prefix has no end".into()))?;
        let start = self.cursors.lock().get(&walk).cloned().unwrap_or(prefix);
        Ok(engine.scan(&ScanRequest {
            start: &start,
            end: &end,
            direction: Direction::Forward,
            limit_items: limit,
            limit_bytes: usize::MAX,
            consistency: ReadConsistency::Strong,
        })?)
    }

    /// Moves walk `walk` past `page`; returns whether there is more. At the
    /// end, the walk forgets its cursor and would start over.
    pub(crate) fn advance(&self, walk: u64, page: &ScanPage) -> bool {
        let mut cursors = self.cursors.lock();
        match page.entries.last() {
            Some((last, _)) if page.more => {
                let mut next = last.clone();
                next.push(0);
                cursors.insert(walk, next);
                true
            }
            _ => {
                cursors.remove(&walk);
                false
            }
        }
    }
}

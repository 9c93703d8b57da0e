//! Time to Live: deleting expired items in the background.
//!
//! An item expires when its TTL attribute (the table's, see
//! `ops/update_time_to_live.rs`) is a Number of epoch seconds that has
//! passed, and is not more than [`TTL_MAX_AGE_SECS`] in the past (a guard
//! AWS documents against malformed values); strings, sets and other types
//! never expire. Expired items stay readable until the sweeper deletes them,
//! as on AWS.
//!
//! The sweeper walks each table with TTL enabled a page at a time
//! (`walk.rs`), and
//! deletes every expired item through the one write path, so indexes,
//! counters and the stream see an ordinary delete, recorded with the TTL
//! origin (the service principal on the wire). The delete is decided on
//! the item as committed: an item whose TTL moved into the future meanwhile
//! is left alone.

use std::sync::atomic::Ordering;

use ferrodyn_model::codec::decode_item;
use ferrodyn_model::{AttributeValue, Item};

use crate::change::Origin;
use crate::database::{Database, WriteDecision};
use crate::error::{CoreError, Result};

/// Expiry times further in the past than this are ignored (AWS: five
/// years).
pub const TTL_MAX_AGE_SECS: f64 = 5.0 * 365.25 * 24.0 * 3600.0;
/// Items examined per table per sweep step.
pub const TTL_SCAN_ITEMS_PER_STEP: usize = 1000;

/// What one sweep step did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TtlStep {
    /// Items examined.
    pub scanned: usize,
    /// Expired items deleted.
    pub deleted: usize,
    /// Whether some table has more items before its pass is complete.
    pub more: bool,
}

/// Whether `item` has expired at `now_secs` by `attribute`.
pub fn is_expired(item: &Item, attribute: &str, now_secs: f64) -> bool {
    let Some(AttributeValue::N(n)) = item.get(attribute) else {
        return false;
    };
    let Ok(expiry) = n.to_string().parse::<f64>() else {
        return false;
    };
    expiry <= now_secs && expiry >= now_secs - TTL_MAX_AGE_SECS
}

impl Database {
    /// One step of the TTL sweeper: at most [`TTL_SCAN_ITEMS_PER_STEP`]
    /// items of each table with TTL enabled, continuing where the last step
    /// stopped.
    pub fn ttl_sweep_step(&self) -> Result<TtlStep> {
        let mut step = TtlStep::default();
        for table in self.catalog.all() {
            let Some(ttl) = table.ttl.as_ref().filter(|t| t.enabled) else {
                continue;
            };
            let page = self.ttl_walks.next_page(
                self.engine.as_ref(),
                table.id,
                table.id,
                TTL_SCAN_ITEMS_PER_STEP,
            )?;
            let now_secs = self.clock.now_millis() as f64 / 1000.0;
            for (key, bytes) in &page.entries {
                step.scanned += 1;
                let item = decode_item(bytes).map_err(|e| CoreError::Internal(e.to_string()))?;
                if !is_expired(&item, &ttl.attribute_name, now_secs) {
                    continue;
                }
                let attribute = ttl.attribute_name.as_str();
                let deleted =
                    self.write_item_as(&table, key.clone(), &Origin::TimeToLive, |current| {
                        match current {
                            Some(item) if is_expired(item, attribute, now_secs) => {
                                Ok(WriteDecision::Delete)
                            }
                            // Gone, or given a later expiry meanwhile.
                            _ => Err(CoreError::ConditionalCheckFailed { item: None }),
                        }
                    });
                match deleted {
                    Ok(_) => step.deleted += 1,
                    // Kept, or busy in a transaction: the next pass sees it.
                    Err(
                        CoreError::ConditionalCheckFailed { .. }
                        | CoreError::TransactionConflict(_),
                    ) => {}
                    // The table went away under the sweep.
                    Err(CoreError::ResourceNotFound(_)) => break,
                    Err(e) => return Err(e),
                }
            }
            step.more |= self.ttl_walks.advance(table.id, &page);
        }
        self.ttl_deleted_total
            .fetch_add(step.deleted as u64, Ordering::Relaxed);
        Ok(step)
    }

    /// Items the TTL sweeper has deleted since the database opened.
    pub fn ttl_deleted_total(&self) -> u64 {
        self.ttl_deleted_total.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrodyn_model::Number;

    fn item(v: AttributeValue) -> Item {
        Item::from([("exp".to_owned(), v)])
    }

    #[test]
    fn what_expires() {
        let n = |s: &str| AttributeValue::N(Number::parse(s).expect("number"));
        let now = 1_700_000_000.0;
        assert!(is_expired(&item(n("1699999999")), "exp", now));
        assert!(is_expired(&item(n("1700000000")), "exp", now));
        assert!(is_expired(&item(n("1.6999999e9")), "exp", now));
        assert!(is_expired(&item(n("1699999999.5")), "exp", now));
        assert!(!is_expired(&item(n("1700000001")), "exp", now), "future");
        assert!(
            !is_expired(&item(n("162777600")), "exp", now),
            "more than five years ago"
        );
        assert!(
            !is_expired(&item(n("1700000000000")), "exp", now),
            "milliseconds: the far future"
        );
        assert!(
            !is_expired(&item(AttributeValue::S("1".into())), "exp", now),
            "a string"
        );
        assert!(
            !is_expired(&item(n("1")), "other", now),
            "another attribute"
        );
    }
}

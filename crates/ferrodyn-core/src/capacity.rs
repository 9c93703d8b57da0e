//! Consumed capacity, computed as DynamoDB does.
//!
//! A write costs one write unit per started KiB of the larger of the old and
//! new item; a strongly consistent read one read unit per started 4 KiB,
//! an eventually consistent read half that. Every operation costs at least
//! one unit (half for an eventually consistent read), even on a missing item.
//!
//! A Scan page also costs at least one read unit for every storage
//! partition it passes through, and DynamoDB splits a table (or index) into
//! [`SCAN_PARTITIONS`] partitions from the start, by hash of the partition
//! key. ferrodyn has no partitions, so it counts the quarters of its own
//! partition-key hash space that the page covered:
//!
//! ```text
//! hash space  |  q0  |  q1  |  q2  |  q3  |
//! full Scan   |<------ 4 quarters ------->|   a tiny table: max(1, 4) = 4 units (2 eventual)
//! segment 1/4        |<q1>|                    one quarter: max(size units, 1)
//! big page    |<-- 1 MB inside q0 -->|         max(257, 1) = 257 units (128.5 eventual)
//! ```
//!
//! UNCONFIRMED rule (docs/compatibility.md): it reproduces AWS's 4.0 / 2.0
//! for a Scan of a one-item on-demand table [alternator
//! test_scan_consumed_capacity, run against AWS] and the size rule for full
//! pages [pachot: 128.5 for a 1 MB eventually consistent page]; AWS documents
//! neither.

use std::collections::BTreeMap;

use ferrodyn_model::limits::{READ_UNIT_BYTES, TRANSACTION_CAPACITY_MULTIPLIER, WRITE_UNIT_BYTES};

/// What a request asked to hear about capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReturnConsumedCapacity {
    /// Nothing.
    #[default]
    None,
    /// The total.
    Total,
    /// The total and a breakdown by table and index.
    Indexes,
}

/// Capacity consumed by one operation on one table.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsumedCapacity {
    /// The table's name.
    pub table_name: String,
    /// Total units.
    pub capacity_units: f64,
    /// Read units, when the operation read.
    pub read_units: Option<f64>,
    /// Write units, when the operation wrote.
    pub write_units: Option<f64>,
    /// Whether to include the per-table breakdown (`INDEXES`).
    pub with_breakdown: bool,
    /// Whether to report `ReadCapacityUnits`/`WriteCapacityUnits` beside
    /// the total, as transactions do.
    pub with_split: bool,
    /// Units consumed by the table itself (the `Table` entry of `INDEXES`).
    pub table_units: f64,
    /// Units consumed by each secondary index (the `GlobalSecondaryIndexes`
    /// and `LocalSecondaryIndexes` entries of `INDEXES`).
    pub indexes: Vec<IndexCapacity>,
}

/// Capacity one secondary index consumed.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexCapacity {
    /// The index's name.
    pub name: String,
    /// Global (or local).
    pub global: bool,
    /// Units.
    pub units: f64,
}

/// What a transaction consumed, summed per table (named as in the request)
/// at two units for every unit a plain read or write would cost.
#[derive(Debug, Default)]
pub(crate) struct TransactionCapacity<'a> {
    units: BTreeMap<&'a str, f64>,
}

impl<'a> TransactionCapacity<'a> {
    /// Charges `units` (of a plain read or write) to `table`.
    pub(crate) fn add(&mut self, table: &'a str, units: f64) {
        *self.units.entry(table).or_default() += units * TRANSACTION_CAPACITY_MULTIPLIER;
    }

    /// One report per table, as reads or as writes, with the read/write
    /// split transactions show.
    pub(crate) fn report(self, reads: bool, mode: ReturnConsumedCapacity) -> Vec<ConsumedCapacity> {
        self.units
            .into_iter()
            .filter_map(|(table, units)| {
                if reads {
                    ConsumedCapacity::for_read(table, units, mode)
                } else {
                    ConsumedCapacity::for_write(table, units, mode)
                }
            })
            .map(ConsumedCapacity::split)
            .collect()
    }
}

/// Adds `more` to `into`, index by index.
pub fn merge_index_capacity(into: &mut Vec<IndexCapacity>, more: Vec<IndexCapacity>) {
    for m in more {
        match into.iter_mut().find(|i| i.name == m.name) {
            Some(i) => i.units += m.units,
            None => into.push(m),
        }
    }
}

/// Write units for an item write, given the sizes before and after.
pub fn write_units(old_size: usize, new_size: usize) -> f64 {
    units(old_size.max(new_size), WRITE_UNIT_BYTES) as f64
}

/// Read units for reading `size` bytes.
pub fn read_units(size: usize, consistent: bool) -> f64 {
    let u = units(size, READ_UNIT_BYTES) as f64;
    if consistent { u } else { u / 2.0 }
}

/// The storage partitions a new DynamoDB table starts with, as its Scan
/// charges reveal (see the module documentation).
pub const SCAN_PARTITIONS: u64 = 4;

/// Read units for a Scan page that read `size` bytes across `partitions` of
/// the [`SCAN_PARTITIONS`] partitions: at least one unit per partition.
pub fn scan_read_units(size: usize, consistent: bool, partitions: u64) -> f64 {
    let u = units(size, READ_UNIT_BYTES).max(partitions as usize) as f64;
    if consistent { u } else { u / 2.0 }
}

/// How many of the [`SCAN_PARTITIONS`] equal parts of the 64-bit hash space
/// the hashes `first..=last` touch (at least one).
pub fn partitions_between(first: u64, last: u64) -> u64 {
    let part = |h: u64| ((u128::from(h) * u128::from(SCAN_PARTITIONS)) >> 64) as u64;
    if last < first {
        return 1;
    }
    part(last) - part(first) + 1
}

fn units(size: usize, unit: usize) -> usize {
    size.div_ceil(unit).max(1)
}

impl ConsumedCapacity {
    /// The same report with what secondary indexes consumed added to the
    /// total (and listed, for `INDEXES`).
    pub fn with_indexes(mut self, indexes: Vec<IndexCapacity>) -> ConsumedCapacity {
        for i in &indexes {
            self.capacity_units += i.units;
            if let Some(w) = self.write_units.as_mut() {
                *w += i.units;
            } else if let Some(r) = self.read_units.as_mut() {
                *r += i.units;
            }
        }
        self.indexes = indexes;
        self
    }

    /// The same report with the read/write split shown.
    pub fn split(mut self) -> ConsumedCapacity {
        self.with_split = true;
        self
    }

    /// The report for a write, if one was asked for.
    pub fn for_write(
        table: &str,
        units: f64,
        mode: ReturnConsumedCapacity,
    ) -> Option<ConsumedCapacity> {
        Self::build(table, None, Some(units), mode)
    }

    /// The report for a read, if one was asked for.
    pub fn for_read(
        table: &str,
        units: f64,
        mode: ReturnConsumedCapacity,
    ) -> Option<ConsumedCapacity> {
        Self::build(table, Some(units), None, mode)
    }

    fn build(
        table: &str,
        read: Option<f64>,
        write: Option<f64>,
        mode: ReturnConsumedCapacity,
    ) -> Option<ConsumedCapacity> {
        if mode == ReturnConsumedCapacity::None {
            return None;
        }
        Some(ConsumedCapacity {
            table_name: table.to_owned(),
            capacity_units: read.unwrap_or(0.0) + write.unwrap_or(0.0),
            read_units: read,
            write_units: write,
            with_breakdown: mode == ReturnConsumedCapacity::Indexes,
            with_split: false,
            table_units: read.unwrap_or(0.0) + write.unwrap_or(0.0),
            indexes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding() {
        assert_eq!(write_units(0, 0), 1.0);
        assert_eq!(write_units(1024, 10), 1.0);
        assert_eq!(write_units(1025, 10), 2.0);
        assert_eq!(write_units(10, 3000), 3.0);
        assert_eq!(read_units(0, false), 0.5);
        assert_eq!(read_units(4096, true), 1.0);
        assert_eq!(read_units(4097, true), 2.0);
        assert_eq!(read_units(4097, false), 1.0);
        assert_eq!(scan_read_units(10, true, 4), 4.0);
        assert_eq!(scan_read_units(10, false, 4), 2.0);
        assert_eq!(scan_read_units(20 * 4096, true, 4), 20.0);
        assert_eq!(scan_read_units(0, false, 1), 0.5);
        assert_eq!(partitions_between(0, u64::MAX), 4);
        assert_eq!(partitions_between(0, (1 << 62) - 1), 1);
        assert_eq!(partitions_between(1 << 62, (1 << 63) + 1), 2);
        assert_eq!(partitions_between(7, 3), 1);
    }
}

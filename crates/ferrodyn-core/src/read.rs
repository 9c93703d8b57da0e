//! The read path shared by Query and Scan: walk a key range in pages,
//! measure what was read, filter, project, and decide where the page ends
//! and what `LastEvaluatedKey` says.
//!
//! ```text
//! key range [start, end) ──engine pages──▶ decode item ──▶ count size read
//!                                                      ├─▶ filter (ScannedCount counts before it)
//!                                                      └─▶ project (unless Select = COUNT)
//! stop at: Limit items evaluated │ 1 MB read │ end of range
//! ```
//!
//! A page that stops on `Limit` or on the size limit returns the key of the
//! last item evaluated as `LastEvaluatedKey`, even when nothing follows it,
//! as DynamoDB does; a page that reaches the end of the range returns none.

use ferrodyn_model::Item;
use ferrodyn_model::codec::decode_item;
use ferrodyn_model::limits::READ_PAGE_SIZE_BYTES_MAX;
use ferrodyn_model::schema::KeySchema;
use ferrodyn_model::value::item_size_bytes;
use ferrodyn_storage::{Direction, ReadConsistency, ScanRequest};

use crate::capacity::{self, ConsumedCapacity, ReturnConsumedCapacity};
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::expressions::Compiled;

/// How many entries to ask the engine for at a time.
const ENGINE_PAGE_ENTRIES: usize = 256;

/// `Select`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Select {
    /// All attributes (the default without a projection).
    #[default]
    AllAttributes,
    /// The attributes projected into the index queried.
    AllProjectedAttributes,
    /// The attributes named by the projection (the default with one).
    SpecificAttributes,
    /// Only the count.
    Count,
}

/// One range read.
pub(crate) struct RangeRead<'a> {
    pub start: Vec<u8>,
    pub end: Vec<u8>,
    pub direction: Direction,
    pub consistent: bool,
    pub limit: Option<usize>,
    pub count_only: bool,
    pub compiled: &'a Compiled,
    pub schema: &'a KeySchema,
}

/// What a range read found.
#[derive(Clone, Debug, Default)]
pub(crate) struct RangePage {
    pub items: Vec<Item>,
    pub count: usize,
    pub scanned_count: usize,
    pub last_evaluated_key: Option<Item>,
    pub bytes_read: usize,
}

/// The output of Query and Scan.
#[derive(Clone, Debug, Default)]
pub struct ReadOutput {
    /// `Items`; `None` for `Select = COUNT`.
    pub items: Option<Vec<Item>>,
    /// `Count`: items that passed the filter.
    pub count: usize,
    /// `ScannedCount`: items evaluated before the filter.
    pub scanned_count: usize,
    /// `LastEvaluatedKey`.
    pub last_evaluated_key: Option<Item>,
    /// `ConsumedCapacity`.
    pub consumed_capacity: Option<ConsumedCapacity>,
}

impl Database {
    /// Reads one page of a key range (possibly empty) and reports it as
    /// Query and Scan answer, with the capacity the page consumed.
    pub(crate) fn read_output(
        &self,
        read: &RangeRead<'_>,
        table_name: &str,
        mode: ReturnConsumedCapacity,
    ) -> Result<ReadOutput> {
        let page = if read.start < read.end {
            self.read_range(read)?
        } else {
            RangePage::default()
        };
        let units = capacity::read_units(page.bytes_read, read.consistent);
        Ok(ReadOutput {
            items: (!read.count_only).then_some(page.items),
            count: page.count,
            scanned_count: page.scanned_count,
            last_evaluated_key: page.last_evaluated_key,
            consumed_capacity: ConsumedCapacity::for_read(table_name, units, mode),
        })
    }

    /// Reads one DynamoDB page of a key range.
    pub(crate) fn read_range(&self, read: &RangeRead<'_>) -> Result<RangePage> {
        let consistency = if read.consistent {
            ReadConsistency::Strong
        } else {
            ReadConsistency::Eventual
        };
        let mut page = RangePage::default();
        let mut start = read.start.clone();
        let mut end = read.end.clone();
        loop {
            let want = match read.limit {
                Some(limit) => (limit - page.scanned_count).min(ENGINE_PAGE_ENTRIES),
                None => ENGINE_PAGE_ENTRIES,
            };
            let batch = self.engine.scan(&ScanRequest {
                start: &start,
                end: &end,
                direction: read.direction,
                limit_items: want,
                limit_bytes: usize::MAX,
                consistency,
            })?;
            for (key, bytes) in &batch.entries {
                let item = decode_item(bytes).map_err(|e| CoreError::Internal(e.to_string()))?;
                page.bytes_read += item_size_bytes(&item);
                page.scanned_count += 1;
                let stop = read.limit.is_some_and(|l| page.scanned_count >= l)
                    || page.bytes_read >= READ_PAGE_SIZE_BYTES_MAX;
                if stop {
                    page.last_evaluated_key = Some(read.schema.key_of(&item));
                }
                if read.compiled.filter_holds(&item) {
                    page.count += 1;
                    if !read.count_only {
                        page.items.push(read.compiled.project(item));
                    }
                }
                if stop {
                    return Ok(page);
                }
                match read.direction {
                    Direction::Forward => {
                        start.clone_from(key);
                        start.push(0);
                    }
                    Direction::Reverse => end.clone_from(key),
                }
            }
            if !batch.more || batch.entries.is_empty() {
                return Ok(page);
            }
        }
    }
}

/// The smallest byte string greater than every string that starts with
/// `prefix`, or `None` if there is none (all bytes 0xFF).
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn prefix_ends() {
        assert_eq!(prefix_end(&[2, 5]), Some(vec![2, 6]));
        assert_eq!(prefix_end(&[2, 0xFF]), Some(vec![3]));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
    }
}

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

use crate::capacity::{self, ConsumedCapacity, IndexCapacity, ReturnConsumedCapacity};
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::expressions::{Compiled, condition_attributes};
use crate::index::{IndexKeySchema, IndexKind, IndexMeta, ProjectionType};
use crate::item::key_from_key;
use crate::table::TableMeta;

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
    /// For a Scan: the length of the key prefix before the partition hash
    /// (the table's or index's), so that the page can be charged for the
    /// partitions it covered (`capacity::scan_read_units`). `None` for a
    /// Query, which reads one partition.
    pub scan_prefix_len: Option<usize>,
    pub start: Vec<u8>,
    pub end: Vec<u8>,
    pub direction: Direction,
    pub consistent: bool,
    pub limit: Option<usize>,
    pub count_only: bool,
    pub compiled: &'a Compiled,
    /// The key schema of the table read.
    pub schema: &'a KeySchema,
    /// When reading an index: the index's key schema (whose attributes
    /// join the table's in `LastEvaluatedKey`), and whether each item must
    /// be fetched whole from the table (an LSI asked for attributes it does
    /// not project).
    pub index: Option<IndexRead<'a>>,
}

/// What a range read over an index needs besides the table's schema.
pub(crate) struct IndexRead<'a> {
    /// The index's name, for capacity reports.
    pub name: &'a str,
    /// Whether it is global.
    pub global: bool,
    /// The index's key schema.
    pub schema: &'a IndexKeySchema,
    /// The table, when items must be fetched from it.
    pub fetch_from: Option<&'a TableMeta>,
}

/// What a range read found.
#[derive(Clone, Debug, Default)]
pub(crate) struct RangePage {
    pub items: Vec<Item>,
    pub count: usize,
    pub scanned_count: usize,
    pub last_evaluated_key: Option<Item>,
    pub bytes_read: usize,
    /// Bytes of whole items fetched from the table for a local index.
    pub fetched_bytes: usize,
    /// The storage key of the last entry read, when the page stopped early
    /// (Limit or size).
    pub last_key: Option<Vec<u8>>,
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
        let units = match read.scan_prefix_len {
            Some(prefix_len) => capacity::scan_read_units(
                page.bytes_read,
                read.consistent,
                scanned_partitions(read, &page, prefix_len),
            ),
            None => capacity::read_units(page.bytes_read, read.consistent),
        };
        // On an index, the page is the index's consumption; the table's is
        // what a local index fetched from it.
        let consumed_capacity = match read.index.as_ref() {
            None => ConsumedCapacity::for_read(table_name, units, mode),
            Some(index) => {
                let fetched = if page.fetched_bytes > 0 {
                    capacity::read_units(page.fetched_bytes, read.consistent)
                } else {
                    0.0
                };
                ConsumedCapacity::for_read(table_name, fetched, mode).map(|c| {
                    c.with_indexes(vec![IndexCapacity {
                        name: index.name.to_owned(),
                        global: index.global,
                        units,
                    }])
                })
            }
        };
        Ok(ReadOutput {
            items: (!read.count_only).then_some(page.items),
            count: page.count,
            scanned_count: page.scanned_count,
            last_evaluated_key: page.last_evaluated_key,
            consumed_capacity,
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
                    page.last_key = Some(key.clone());
                    let mut key = read.schema.key_of(&item);
                    if let Some(index) = &read.index {
                        key.extend(index.schema.key_of(&item));
                    }
                    page.last_evaluated_key = Some(key);
                }
                let on_view = read
                    .compiled
                    .filter_on_index_view
                    .then(|| read.compiled.filter_holds(&item));
                let item = match read.index.as_ref().and_then(|i| i.fetch_from) {
                    Some(table) => {
                        let key = key_from_key(table.id, read.schema, &read.schema.key_of(&item))?;
                        match self.read_item(&key, read.consistent)? {
                            Some(whole) => {
                                page.fetched_bytes += item_size_bytes(&whole);
                                whole
                            }
                            None => item,
                        }
                    }
                    None => item,
                };
                if on_view.unwrap_or_else(|| read.compiled.filter_holds(&item)) {
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

/// How many partitions a Scan page covered: from its start to the last
/// entry it read if it stopped early, to the end of its range otherwise.
fn scanned_partitions(read: &RangeRead<'_>, page: &RangePage, prefix_len: usize) -> u64 {
    if read.start >= read.end {
        return 1;
    }
    // The hash at `key`, its missing bytes taken as zeros.
    let hash_at = |key: &[u8]| -> u128 {
        let mut bytes = [0u8; 8];
        for (b, k) in bytes.iter_mut().zip(key.iter().skip(prefix_len)) {
            *b = *k;
        }
        u128::from(u64::from_be_bytes(bytes))
    };
    let first = hash_at(&read.start);
    let last = match &page.last_key {
        Some(key) => hash_at(key),
        // The end is exclusive; one past the table's prefix ends the space.
        None if read.end.get(..prefix_len) != read.start.get(..prefix_len) => u128::from(u64::MAX),
        None => hash_at(&read.end).saturating_sub(1),
    };
    let clamp = |h: u128| u64::try_from(h).unwrap_or(u64::MAX);
    capacity::partitions_between(clamp(first), clamp(last))
}

/// The index a Query or Scan reads, resolved and checked.
pub(crate) struct ReadIndex<'t> {
    /// The index.
    pub meta: &'t IndexMeta,
    /// Its key schema.
    pub schema: IndexKeySchema,
    /// Whether items must be fetched whole from the table.
    pub fetch: bool,
}

impl<'t> ReadIndex<'t> {
    /// The index named by a request's `IndexName`, if it names one (see
    /// [`resolve_index`]).
    pub(crate) fn resolve(
        table: &'t TableMeta,
        name: Option<&str>,
        consistent: bool,
        select: Option<Select>,
        compiled: &Compiled,
    ) -> Result<Option<ReadIndex<'t>>> {
        let Some(name) = name else { return Ok(None) };
        let (meta, fetch) = resolve_index(table, name, consistent, select, compiled)?;
        Ok(Some(ReadIndex {
            meta,
            schema: meta.key_schema(),
            fetch,
        }))
    }

    /// What the range read needs to know of the index.
    pub(crate) fn read<'a>(&'a self, table: &'a TableMeta) -> IndexRead<'a> {
        IndexRead {
            name: &self.meta.name,
            global: self.meta.kind == IndexKind::Global,
            schema: &self.schema,
            fetch_from: self.fetch.then_some(table),
        }
    }
}

/// Resolves the `IndexName` of a Query or Scan and checks the request
/// against the index, with DynamoDB's messages: consistent reads and
/// `ALL_ATTRIBUTES` only where the index allows them, and projections and
/// filters only over attributes the index projects. Returns the index and
/// whether its items must be fetched whole from the table (a local index
/// asked for attributes it does not project).
fn resolve_index<'t>(
    table: &'t TableMeta,
    index_name: &str,
    consistent: bool,
    select: Option<Select>,
    compiled: &Compiled,
) -> Result<(&'t IndexMeta, bool)> {
    let index = table.index(index_name).ok_or_else(|| {
        CoreError::validation(format!(
            "The table does not have the specified index: {index_name}"
        ))
    })?;
    let global = index.kind == IndexKind::Global;
    if index.is_backfilling() {
        return Err(CoreError::validation(format!(
            "Cannot read from backfilling global secondary index: {}",
            index.name
        )));
    }
    if global && consistent {
        return Err(CoreError::validation(
            "Consistent reads are not supported on global secondary indexes",
        ));
    }
    let partial = index.projection != ProjectionType::All;
    if global && partial && select == Some(Select::AllAttributes) {
        return Err(CoreError::invalid_parameter(format!(
            "Select type ALL_ATTRIBUTES is not supported for global secondary index {} because its projection type is not ALL",
            index.name
        )));
    }
    if let Some(filter) = compiled
        .filter
        .as_ref()
        .filter(|_| !compiled.filter_on_index_view)
    {
        let missing: Vec<&str> = condition_attributes(filter.condition())
            .into_iter()
            .map(|(name, _)| name)
            .filter(|name| !index.projects(table, name))
            .collect();
        if !missing.is_empty() {
            return Err(CoreError::invalid_parameter(format!(
                "Secondary index {} does not project one or more filter attributes: [{}]",
                index.name,
                missing.join(", ")
            )));
        }
    }
    let unprojected: Vec<&str> = compiled
        .projection
        .iter()
        .flat_map(|p| p.paths())
        .map(|p| p.top_level_name())
        .filter(|name| !index.projects(table, name))
        .collect();
    if global && !unprojected.is_empty() {
        return Err(CoreError::invalid_parameter(format!(
            "Global secondary index {} does not project [{}]",
            index.name,
            unprojected.join(", ")
        )));
    }
    let fetch = partial && (select == Some(Select::AllAttributes) || !unprojected.is_empty());
    Ok((index, fetch))
}

/// The storage key of an index entry named by an `ExclusiveStartKey`,
/// which must hold exactly the table's and the index's key attributes.
pub(crate) fn index_start_key(table: &TableMeta, index: &IndexMeta, esk: &Item) -> Result<Vec<u8>> {
    let invalid = || CoreError::validation("The provided starting key is invalid");
    let table_schema = table.key_schema();
    let index_schema = index.key_schema();
    let names: std::collections::HashSet<&str> = table_schema
        .attributes()
        .chain(index_schema.attributes())
        .map(|k| k.name.as_str())
        .collect();
    if esk.len() != names.len() || names.iter().any(|n| !esk.contains_key(*n)) {
        return Err(invalid());
    }
    key_from_key(table.id, &table_schema, &table_schema.key_of(esk))?;
    for attr in index_schema.attributes() {
        if esk
            .get(&attr.name)
            .is_none_or(|v| !attr.scalar_type.matches(v))
        {
            return Err(CoreError::validation(
                "The provided key element does not match the schema",
            ));
        }
    }
    match index.entry(table, esk)? {
        Some((key, _)) => Ok(key),
        None => Err(invalid()),
    }
}

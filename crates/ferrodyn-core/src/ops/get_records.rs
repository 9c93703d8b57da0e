//! DynamoDB Streams' GetRecords: the records of one shard from an
//! iterator's position, at most 1,000 or about 1 MB, and the iterator that
//! continues after them (none at the end of a closed shard).

use ferrodyn_model::Item;

use super::get_shard_iterator::trimmed;
use crate::change::{self, Event, Origin};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::stream::{ViewType, sequence_number};

/// Records per GetRecords call, at most and by default.
pub const GET_RECORDS_LIMIT_MAX: usize = 1000;
/// A GetRecords answer stops once its records' sizes pass this.
pub const GET_RECORDS_BYTES_MAX: usize = 1024 * 1024;

/// GetRecords' input.
#[derive(Clone, Debug)]
pub struct GetRecordsInput {
    /// `ShardIterator`.
    pub shard_iterator: String,
    /// `Limit`.
    pub limit: Option<usize>,
}

/// One stream record.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamRecord {
    /// `eventID`: unique per record.
    pub event_id: String,
    /// `eventName`.
    pub event: Event,
    /// Who made the change (`userIdentity` for TTL deletions).
    pub origin: Origin,
    /// `awsRegion`.
    pub region: String,
    /// `dynamodb.ApproximateCreationDateTime`, epoch seconds (rounded down).
    pub approximate_creation_secs: i64,
    /// `dynamodb.Keys`.
    pub keys: Item,
    /// `dynamodb.NewImage`.
    pub new_image: Option<Item>,
    /// `dynamodb.OldImage`.
    pub old_image: Option<Item>,
    /// `dynamodb.SequenceNumber`.
    pub sequence_number: String,
    /// `dynamodb.SizeBytes`.
    pub size_bytes: u64,
    /// `dynamodb.StreamViewType`.
    pub view_type: ViewType,
}

/// GetRecords' answer.
#[derive(Clone, Debug, PartialEq)]
pub struct GetRecordsOutput {
    /// `Records`.
    pub records: Vec<StreamRecord>,
    /// `NextShardIterator`; `None` once a closed shard has been read to its
    /// end.
    pub next_shard_iterator: Option<String>,
}

fn invalid_iterator() -> CoreError {
    CoreError::validation("Invalid ShardIterator")
}

impl Database {
    /// GetRecords.
    pub fn get_records(
        &self,
        ctx: &RequestContext,
        input: GetRecordsInput,
    ) -> Result<GetRecordsOutput> {
        let limit = input
            .limit
            .unwrap_or(GET_RECORDS_LIMIT_MAX)
            .min(GET_RECORDS_LIMIT_MAX);
        let it = self
            .read_iterator(&input.shard_iterator)?
            .ok_or_else(invalid_iterator)?;
        let now = self.clock.now_millis();
        let lifetime = self.iterator_lifetime_millis;
        if now - it.issued_millis > lifetime {
            // UNCONFIRMED wording: Kinesis Data Streams' message, with
            // DynamoDB Streams' lifetime (docs/compatibility.md).
            return Err(CoreError::ExpiredIterator(format!(
                "Iterator expired. The iterator was created at time {} while right now it is {} which is further in the future than the tolerated delay of {lifetime} milliseconds.",
                iso_millis(it.issued_millis),
                iso_millis(now)
            )));
        }
        let table = self
            .table_by_id(ctx, it.table_id)
            .ok_or_else(|| CoreError::ResourceNotFound("Requested resource not found".into()))?;
        let Some((stream, shard)) = table.streams.iter().find_map(|s| {
            s.shards
                .iter()
                .find(|sh| sh.number == it.shard)
                .map(|sh| (s, sh))
        }) else {
            return Err(super::streams::shard_not_found());
        };
        if it.position < shard.trim_horizon() {
            return Err(trimmed());
        }
        let log = change::log_key(table.id, shard.number);
        let raw = self.engine.changes(&log, it.position, limit)?;
        let read_all = raw.len() < limit;
        let mut records = Vec::with_capacity(raw.len());
        let mut bytes = 0usize;
        let mut next = it.position;
        for (seq, record) in raw {
            if shard.ending_sequence.is_some_and(|end| seq > end) {
                break;
            }
            let c = change::decode_change(seq, &record)?;
            let size = c.size_bytes as usize;
            records.push(StreamRecord {
                event_id: event_id(table.id, seq),
                event: c.event,
                origin: c.origin,
                region: table.region.clone(),
                approximate_creation_secs: c.time_millis.div_euclid(1000),
                keys: c.keys,
                new_image: c.new_image,
                old_image: c.old_image,
                sequence_number: sequence_number(seq),
                size_bytes: c.size_bytes,
                view_type: stream.view_type,
            });
            next = seq + 1;
            bytes += size;
            if bytes >= GET_RECORDS_BYTES_MAX {
                break;
            }
        }
        // A closed shard read to its end has nothing more: no iterator. (A
        // closed shard takes no new records, so having read every record
        // left is reaching its end.)
        let exhausted = read_all && bytes < GET_RECORDS_BYTES_MAX;
        let at_end = shard
            .ending_sequence
            .is_some_and(|end| next > end || exhausted);
        let next_shard_iterator = if at_end {
            None
        } else {
            Some(self.issue_iterator(&table, shard, next)?)
        };
        Ok(GetRecordsOutput {
            records,
            next_shard_iterator,
        })
    }
}

/// An `eventID`: 32 hexadecimal digits, unique per record.
fn event_id(table_id: u64, sequence: u64) -> String {
    let mixed = xxhash_rust::xxh3::xxh3_64(&table_id.to_be_bytes());
    format!("{mixed:016x}{sequence:016x}")
}

/// Epoch milliseconds as `yyyy-mm-ddThh:mm:ss.fffZ`.
fn iso_millis(millis: i64) -> String {
    format!("{}Z", super::create_table::stream_label(millis))
}

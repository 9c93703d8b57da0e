//! DynamoDB Streams' GetShardIterator: a position in one shard, from its
//! oldest record still kept (TRIM_HORIZON), after its newest (LATEST), at or
//! after a sequence number, or at the first record of a time.

use super::streams::shard_not_found;
use crate::change;
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::stream::parse_sequence_number;

/// Records scanned at once when looking for a time (AT_TIMESTAMP).
const TIMESTAMP_SCAN_PAGE: usize = 1000;

/// `ShardIteratorType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardIteratorType {
    /// The oldest record still kept.
    TrimHorizon,
    /// After the newest record.
    Latest,
    /// At a sequence number.
    AtSequenceNumber,
    /// After a sequence number.
    AfterSequenceNumber,
    /// At the first record at or after a time.
    AtTimestamp,
}

/// GetShardIterator's input.
#[derive(Clone, Debug)]
pub struct GetShardIteratorInput {
    /// `StreamArn`.
    pub stream_arn: String,
    /// `ShardId`.
    pub shard_id: String,
    /// `ShardIteratorType`.
    pub iterator_type: ShardIteratorType,
    /// `SequenceNumber`, for the two sequence types.
    pub sequence_number: Option<String>,
    /// `Timestamp` in epoch milliseconds, for AT_TIMESTAMP.
    pub timestamp_millis: Option<i64>,
}

/// The data a reader asked for is gone: a position older than the trim
/// horizon (AWS's text, which names neither).
pub(crate) fn trimmed() -> CoreError {
    CoreError::TrimmedDataAccess("The data you are trying to access has been trimmed".into())
}

impl Database {
    /// GetShardIterator.
    pub fn get_shard_iterator(
        &self,
        ctx: &RequestContext,
        input: GetShardIteratorInput,
    ) -> Result<String> {
        let sequence = match (input.iterator_type, &input.sequence_number) {
            (
                ShardIteratorType::AtSequenceNumber | ShardIteratorType::AfterSequenceNumber,
                None,
            ) => {
                return Err(CoreError::validation(
                    "Must specify a sequence number for AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER shard iterator types",
                ));
            }
            (
                ShardIteratorType::AtSequenceNumber | ShardIteratorType::AfterSequenceNumber,
                Some(s),
            ) => Some((
                s.clone(),
                parse_sequence_number(s)
                    .ok_or_else(|| CoreError::validation(format!("Invalid SequenceNumber: {s}")))?,
            )),
            (_, Some(_)) => {
                return Err(CoreError::validation(
                    "Sequence number must be specified only for AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER shard iterator types",
                ));
            }
            (_, None) => None,
        };
        if input.iterator_type == ShardIteratorType::AtTimestamp && input.timestamp_millis.is_none()
        {
            return Err(CoreError::validation(
                "Must specify a timestamp for AT_TIMESTAMP shard iterator type",
            ));
        }
        let (table, stream) = self.resolve_stream(ctx, &input.stream_arn)?;
        let shard = stream.shard(&input.shard_id).ok_or_else(shard_not_found)?;
        let log = change::log_key(table.id, shard.number);
        let after_newest = || -> Result<u64> {
            Ok(match shard.ending_sequence {
                Some(end) => end + 1,
                None => self
                    .engine
                    .last_change(&log)?
                    .map_or(shard.starting_sequence, |s| s + 1),
            })
        };
        let position = match (input.iterator_type, sequence) {
            (ShardIteratorType::TrimHorizon, _) => shard.trim_horizon(),
            (ShardIteratorType::Latest, _) => after_newest()?,
            (ShardIteratorType::AtTimestamp, _) => {
                let now = self.clock.now_millis();
                let at = input.timestamp_millis.unwrap_or(now);
                if at > now {
                    return Err(CoreError::validation(
                        "The timestamp provided is in the future",
                    ));
                }
                let mut from = shard.trim_horizon();
                loop {
                    let page = self.engine.changes(&log, from, TIMESTAMP_SCAN_PAGE)?;
                    let found = page
                        .iter()
                        .find(|(_, r)| change::decode(r).is_some_and(|r| r.time_millis >= at));
                    match (found, page.last()) {
                        (Some((seq, _)), _) => break *seq,
                        (None, Some((last, _))) if page.len() == TIMESTAMP_SCAN_PAGE => {
                            from = last + 1;
                        }
                        _ => break after_newest()?,
                    }
                }
            }
            (kind, Some((text, seq))) => {
                if seq < shard.trim_horizon() {
                    return Err(trimmed());
                }
                let beyond = match shard.ending_sequence {
                    Some(end) => seq > end,
                    None => seq >= after_newest()?,
                };
                if beyond || seq < shard.starting_sequence {
                    return Err(CoreError::validation(format!(
                        "Invalid SequenceNumber {text} for shard {}",
                        shard.id
                    )));
                }
                if kind == ShardIteratorType::AfterSequenceNumber {
                    seq + 1
                } else {
                    seq
                }
            }
            (_, None) => shard.trim_horizon(),
        };
        self.issue_iterator(&table, shard, position)
    }
}

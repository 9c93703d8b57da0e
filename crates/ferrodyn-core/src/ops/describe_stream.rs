//! DynamoDB Streams' DescribeStream and ListStreams: a stream's status,
//! key schema and shards (with lineage and sequence ranges), paged; and the
//! streams of the caller's tables.

use ferrodyn_model::schema::KeySchema;

use super::streams::shard_not_found;
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::stream::{ViewType, sequence_number};

/// Shards per DescribeStream page, at most and by default.
pub const DESCRIBE_STREAM_LIMIT_MAX: usize = 100;
/// Streams per ListStreams page, at most and by default.
pub const LIST_STREAMS_LIMIT_MAX: usize = 100;

/// DescribeStream's input.
#[derive(Clone, Debug, Default)]
pub struct DescribeStreamInput {
    /// `StreamArn`.
    pub stream_arn: String,
    /// `Limit`: shards per page.
    pub limit: Option<usize>,
    /// `ExclusiveStartShardId`.
    pub exclusive_start_shard_id: Option<String>,
    /// `ShardFilter` of type `CHILD_SHARDS`: only the children of this
    /// shard.
    pub child_shards_of: Option<String>,
}

/// One shard as described.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardDescription {
    /// `ShardId`.
    pub shard_id: String,
    /// `ParentShardId`.
    pub parent_shard_id: Option<String>,
    /// `SequenceNumberRange.StartingSequenceNumber`.
    pub starting_sequence_number: String,
    /// `SequenceNumberRange.EndingSequenceNumber`, once closed.
    pub ending_sequence_number: Option<String>,
}

/// DescribeStream's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamDescription {
    /// `StreamArn`.
    pub stream_arn: String,
    /// `StreamLabel`.
    pub stream_label: String,
    /// `StreamStatus`: `ENABLED` or `DISABLED` (the transitions are
    /// instant here).
    pub stream_status: &'static str,
    /// `StreamViewType`.
    pub stream_view_type: ViewType,
    /// `CreationRequestDateTime`, epoch milliseconds.
    pub creation_request_millis: i64,
    /// `TableName`.
    pub table_name: String,
    /// `KeySchema`: the table's.
    pub key_schema: KeySchema,
    /// `Shards`, this page's.
    pub shards: Vec<ShardDescription>,
    /// `LastEvaluatedShardId`.
    pub last_evaluated_shard_id: Option<String>,
}

/// ListStreams' input.
#[derive(Clone, Debug, Default)]
pub struct ListStreamsInput {
    /// `TableName`: only this table's streams.
    pub table_name: Option<String>,
    /// `Limit`.
    pub limit: Option<usize>,
    /// `ExclusiveStartStreamArn`.
    pub exclusive_start_stream_arn: Option<String>,
}

/// One stream in ListStreams' answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamSummary {
    /// `StreamArn`.
    pub stream_arn: String,
    /// `TableName`.
    pub table_name: String,
    /// `StreamLabel`.
    pub stream_label: String,
}

/// ListStreams' answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListStreamsOutput {
    /// `Streams`.
    pub streams: Vec<StreamSummary>,
    /// `LastEvaluatedStreamArn`.
    pub last_evaluated_stream_arn: Option<String>,
}

impl Database {
    /// DescribeStream.
    pub fn describe_stream(
        &self,
        ctx: &RequestContext,
        input: DescribeStreamInput,
    ) -> Result<StreamDescription> {
        let limit = input
            .limit
            .unwrap_or(DESCRIBE_STREAM_LIMIT_MAX)
            .min(DESCRIBE_STREAM_LIMIT_MAX);
        let (table, stream) = self.resolve_stream(ctx, &input.stream_arn)?;
        if let Some(parent) = &input.child_shards_of
            && stream.shard(parent).is_none()
        {
            return Err(shard_not_found());
        }
        // An unknown start shard yields an empty page, as on AWS.
        let start = match &input.exclusive_start_shard_id {
            Some(id) => stream
                .shards
                .iter()
                .position(|s| &s.id == id)
                .map_or(stream.shards.len(), |at| at + 1),
            None => 0,
        };
        let matching: Vec<_> = stream.shards[start.min(stream.shards.len())..]
            .iter()
            .filter(|s| {
                input
                    .child_shards_of
                    .as_ref()
                    .is_none_or(|p| s.parent.as_ref() == Some(p))
            })
            .collect();
        let shards: Vec<ShardDescription> = matching
            .iter()
            .take(limit)
            .map(|s| ShardDescription {
                shard_id: s.id.clone(),
                parent_shard_id: s.parent.clone(),
                starting_sequence_number: sequence_number(s.starting_sequence),
                ending_sequence_number: s.ending_sequence.map(sequence_number),
            })
            .collect();
        let last_evaluated_shard_id = (matching.len() > limit)
            .then(|| shards.last().map(|s| s.shard_id.clone()))
            .flatten();
        Ok(StreamDescription {
            stream_arn: table.stream_arn(&stream.label),
            stream_label: stream.label.clone(),
            stream_status: if stream.is_enabled() {
                "ENABLED"
            } else {
                "DISABLED"
            },
            stream_view_type: stream.view_type,
            creation_request_millis: stream.created_millis,
            table_name: table.name.clone(),
            key_schema: table.key_schema(),
            shards,
            last_evaluated_shard_id,
        })
    }

    /// ListStreams: the streams of the caller's tables (or of one), in
    /// table-name order, oldest stream first.
    pub fn list_streams(
        &self,
        ctx: &RequestContext,
        input: ListStreamsInput,
    ) -> Result<ListStreamsOutput> {
        let limit = input
            .limit
            .unwrap_or(LIST_STREAMS_LIMIT_MAX)
            .min(LIST_STREAMS_LIMIT_MAX);
        let tables = match &input.table_name {
            // A table without streams, or none at all, has none to list.
            Some(name) => self
                .resolve_table(ctx, name, super::table_not_found)
                .map(|t| vec![t])
                .unwrap_or_default(),
            None => self
                .catalog
                .all()
                .into_iter()
                .filter(|t| t.account_id == ctx.account_id && t.region == ctx.region)
                .collect(),
        };
        let all: Vec<StreamSummary> = tables
            .iter()
            .flat_map(|t| {
                t.streams.iter().map(|s| StreamSummary {
                    stream_arn: t.stream_arn(&s.label),
                    table_name: t.name.clone(),
                    stream_label: s.label.clone(),
                })
            })
            .collect();
        let start = match &input.exclusive_start_stream_arn {
            Some(arn) => {
                if super::streams::parse_stream_arn(arn).is_none() {
                    return Err(CoreError::validation("Invalid StreamArn"));
                }
                // A stream that is gone: continue after where it sorted.
                all.iter().position(|s| &s.stream_arn == arn).map_or_else(
                    || all.iter().filter(|s| s.stream_arn < *arn).count(),
                    |i| i + 1,
                )
            }
            None => 0,
        };
        let rest = &all[start.min(all.len())..];
        let streams: Vec<StreamSummary> = rest.iter().take(limit).cloned().collect();
        let last_evaluated_stream_arn = (rest.len() > limit)
            .then(|| streams.last().map(|s| s.stream_arn.clone()))
            .flatten();
        Ok(ListStreamsOutput {
            streams,
            last_evaluated_stream_arn,
        })
    }
}

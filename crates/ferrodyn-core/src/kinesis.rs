//! Kinesis Data Streams for DynamoDB: a table's destinations, and the change
//! records they are sent.
//!
//! While a destination is `ENABLING` or `ACTIVE`, every item write of the
//! table also appends a record with both images to the destination's
//! capture log (`change::log_key(table id, capture shard)`), in the same
//! commit as the write, as a stream's records are. A publisher outside the
//! core (`ferrodyn-kinesis`) validates the destination (`ENABLING` to
//! `ACTIVE` or `ENABLE_FAILED`), reads each capture log from its cursor,
//! sends the records to the Kinesis stream, and acknowledges them here,
//! which advances the cursor and trims what was sent: every record is sent
//! at least once, and may be sent again after a crash, as AWS documents.
//!
//! The cursor is a meta key per destination (`keyspace::kinesis_cursor_key`),
//! holding the sequence of the next record to send.

use std::sync::Arc;

use ferrodyn_storage::{Op, ReadConsistency, WriteBatch};
use serde::{Deserialize, Serialize};

use crate::change::{self, DecodedChange};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::keyspace;
use crate::ops::table_not_found;
use crate::table::TableMeta;

/// `DestinationStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DestinationStatus {
    /// Being checked by the publisher.
    Enabling,
    /// Records are sent.
    Active,
    /// Turned off.
    Disabled,
    /// The stream could not be used (see the description).
    EnableFailed,
}

impl DestinationStatus {
    /// The wire name.
    pub fn wire_name(self) -> &'static str {
        match self {
            DestinationStatus::Enabling => "ENABLING",
            DestinationStatus::Active => "ACTIVE",
            DestinationStatus::Disabled => "DISABLED",
            DestinationStatus::EnableFailed => "ENABLE_FAILED",
        }
    }

    /// Whether writes are captured for the destination.
    pub fn captures(self) -> bool {
        matches!(
            self,
            DestinationStatus::Enabling | DestinationStatus::Active
        )
    }
}

/// A table's Kinesis destination, as persisted in its metadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KinesisDestination {
    /// The Kinesis stream's ARN.
    pub stream_arn: String,
    /// Its status.
    pub status: DestinationStatus,
    /// `ApproximateCreationDateTimePrecision`, once set (absent means
    /// milliseconds, as on AWS).
    pub precision: Option<String>,
    /// `DestinationStatusDescription` (why enabling failed).
    pub description: Option<String>,
    /// The capture log's shard number (from the table's shard numbers).
    pub capture_shard: u64,
}

/// One record for a destination: its sequence in the capture log, and the
/// change.
#[derive(Clone, Debug, PartialEq)]
pub struct KinesisRecord {
    /// Its sequence in the capture log.
    pub sequence: u64,
    /// The change.
    pub change: DecodedChange,
}

/// What Enable/Disable/UpdateKinesisStreamingDestination answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DestinationChange {
    /// `TableName`.
    pub table_name: String,
    /// `StreamArn`.
    pub stream_arn: String,
    /// `DestinationStatus` reported (the transition's first state).
    pub status: &'static str,
    /// The precision the request set, echoed.
    pub precision: Option<String>,
}

fn invalid_state(detail: &str) -> CoreError {
    CoreError::validation(format!(
        "Table is not in a valid state to enable Kinesis Streaming Destination: {detail}"
    ))
}

impl Database {
    /// EnableKinesisStreamingDestination: the destination starts `ENABLING`
    /// and captures writes from now; the publisher checks the stream.
    pub fn enable_kinesis_destination(
        &self,
        ctx: &RequestContext,
        table_name: &str,
        stream_arn: &str,
        precision: Option<String>,
    ) -> Result<DestinationChange> {
        let ddl = self.catalog.lock_ddl();
        let table = self.resolve_table(ctx, table_name, table_not_found)?;
        if table.kinesis.iter().any(|d| d.status.captures()) {
            return Err(invalid_state(
                "EnableKinesisStreamingDestination must be DISABLED or ENABLE_FAILED to perform ENABLE operation.",
            ));
        }
        let mut meta = (*table).clone();
        let capture_shard = meta.next_shard;
        meta.next_shard += 1;
        let destination = KinesisDestination {
            stream_arn: stream_arn.to_owned(),
            status: DestinationStatus::Enabling,
            precision: precision.clone(),
            description: None,
            capture_shard,
        };
        // Enabling a stream that was disabled or failed replaces its entry.
        meta.kinesis.retain(|d| d.stream_arn != stream_arn);
        meta.kinesis.push(destination);
        self.catalog.replace(self.engine.as_ref(), &ddl, meta)?;
        Ok(DestinationChange {
            table_name: table.name.clone(),
            stream_arn: stream_arn.to_owned(),
            status: "ENABLING",
            precision,
        })
    }

    /// DisableKinesisStreamingDestination.
    pub fn disable_kinesis_destination(
        &self,
        ctx: &RequestContext,
        table_name: &str,
        stream_arn: &str,
    ) -> Result<DestinationChange> {
        let ddl = self.catalog.lock_ddl();
        let table = self.resolve_table(ctx, table_name, table_not_found)?;
        let mut meta = (*table).clone();
        let Some(d) = meta
            .kinesis
            .iter_mut()
            .find(|d| d.stream_arn == stream_arn && d.status == DestinationStatus::Active)
        else {
            return Err(invalid_state(
                "KinesisStreamingDestination must be ACTIVE to perform DISABLE operation.",
            ));
        };
        d.status = DestinationStatus::Disabled;
        let capture = d.capture_shard;
        // No write may append to the capture log once it is off.
        let _gate = self.schema_gate.write();
        self.catalog.replace(self.engine.as_ref(), &ddl, meta)?;
        self.engine
            .trim_changes(&change::log_key(table.id, capture), u64::MAX)?;
        Ok(DestinationChange {
            table_name: table.name.clone(),
            stream_arn: stream_arn.to_owned(),
            status: "DISABLING",
            precision: None,
        })
    }

    /// UpdateKinesisStreamingDestination: the precision of
    /// `ApproximateCreationDateTime`.
    pub fn update_kinesis_destination(
        &self,
        ctx: &RequestContext,
        table_name: &str,
        stream_arn: &str,
        precision: Option<String>,
    ) -> Result<DestinationChange> {
        let Some(precision) = precision else {
            return Err(CoreError::validation(
                "Streaming destination cannot be updated with given parameters: UpdateKinesisStreamingConfiguration cannot be null or contain only null values",
            ));
        };
        let ddl = self.catalog.lock_ddl();
        let table = self.resolve_table(ctx, table_name, table_not_found)?;
        let mut meta = (*table).clone();
        let Some(d) = meta.kinesis.iter_mut().find(|d| d.stream_arn == stream_arn) else {
            return Err(invalid_state(&format!(
                "No streaming destination with streamArn: {stream_arn} found for table: {}",
                table.name
            )));
        };
        if d.status != DestinationStatus::Active {
            return Err(invalid_state(
                "Kinesis streaming is not in ACTIVE state. Updates are only allowed in ACTIVE state.",
            ));
        }
        if d.precision.as_deref().unwrap_or("MILLISECOND") == precision {
            return Err(CoreError::validation(format!(
                "Invalid Request: Precision is already set to the desired value of {precision} for tableId: {}, kdsArn: {stream_arn}",
                table.uuid
            )));
        }
        d.precision = Some(precision.clone());
        self.catalog.replace(self.engine.as_ref(), &ddl, meta)?;
        Ok(DestinationChange {
            table_name: table.name.clone(),
            stream_arn: stream_arn.to_owned(),
            status: "UPDATING",
            precision: Some(precision),
        })
    }

    /// DescribeKinesisStreamingDestination.
    pub fn describe_kinesis_destinations(
        &self,
        ctx: &RequestContext,
        table_name: &str,
    ) -> Result<(String, Vec<KinesisDestination>)> {
        let table = self.resolve_table(ctx, table_name, table_not_found)?;
        Ok((table.name.clone(), table.kinesis.clone()))
    }

    /// Every destination that needs the publisher (`ENABLING` or `ACTIVE`),
    /// with its table.
    pub fn kinesis_destinations(&self) -> Vec<(Arc<TableMeta>, KinesisDestination)> {
        self.catalog
            .all()
            .into_iter()
            .flat_map(|t| {
                let live: Vec<KinesisDestination> = t
                    .kinesis
                    .iter()
                    .filter(|d| d.status.captures())
                    .cloned()
                    .collect();
                live.into_iter().map(move |d| (Arc::clone(&t), d))
            })
            .collect()
    }

    /// Sets a destination's status after the publisher checked its stream.
    pub fn set_kinesis_status(
        &self,
        table: &TableMeta,
        stream_arn: &str,
        status: DestinationStatus,
        description: Option<String>,
    ) -> Result<()> {
        let ddl = self.catalog.lock_ddl();
        let current = self.current_table(table)?;
        let mut meta = (*current).clone();
        let Some(d) = meta.kinesis.iter_mut().find(|d| d.stream_arn == stream_arn) else {
            return Ok(());
        };
        d.status = status;
        d.description = description;
        let capture = d.capture_shard;
        let _gate = (!status.captures()).then(|| self.schema_gate.write());
        self.catalog.replace(self.engine.as_ref(), &ddl, meta)?;
        if !status.captures() {
            self.engine
                .trim_changes(&change::log_key(table.id, capture), u64::MAX)?;
        }
        Ok(())
    }

    /// The next records to send to a destination, at most `limit`.
    pub fn kinesis_pending(
        &self,
        table: &TableMeta,
        destination: &KinesisDestination,
        limit: usize,
    ) -> Result<Vec<KinesisRecord>> {
        let cursor_key = keyspace::kinesis_cursor_key(table.id, destination.capture_shard);
        let from = self
            .engine
            .get(&cursor_key, ReadConsistency::Strong)?
            .as_deref()
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or(0, u64::from_be_bytes);
        let log = change::log_key(table.id, destination.capture_shard);
        self.engine
            .changes(&log, from, limit)?
            .into_iter()
            .map(|(sequence, bytes)| {
                Ok(KinesisRecord {
                    sequence,
                    change: change::decode_change(sequence, &bytes)?,
                })
            })
            .collect()
    }

    /// Records a destination's records up to `through` as sent: the
    /// cursor moves past them and the log forgets them.
    pub fn kinesis_sent(
        &self,
        table: &TableMeta,
        destination: &KinesisDestination,
        through: u64,
    ) -> Result<()> {
        let cursor_key = keyspace::kinesis_cursor_key(table.id, destination.capture_shard);
        self.engine.commit(WriteBatch {
            ops: vec![Op::Put {
                key: cursor_key,
                value: (through + 1).to_be_bytes().to_vec(),
            }],
            ..WriteBatch::default()
        })?;
        self.engine.trim_changes(
            &change::log_key(table.id, destination.capture_shard),
            through + 1,
        )?;
        Ok(())
    }
}

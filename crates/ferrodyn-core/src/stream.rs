//! DynamoDB Streams' model over the change logs: a table's streams, their
//! shards, and the background work that rolls shards over and trims them.
//!
//! A table has at most one enabled stream at a time, and keeps the streams
//! it had for [`STREAM_RETENTION_MILLIS`] after they were disabled, as AWS
//! does. Each stream is a list of shards; the last shard of the enabled
//! stream is *open* and receives the table's change records; every other
//! shard is *closed*. An open shard older than the table's rollover interval
//! (about four hours on AWS; configurable, default
//! [`SHARD_ROLLOVER_MILLIS`]) is closed and a child opened, so no shard
//! grows without bound and a reader follows the lineage (`ParentShardId`).
//!
//! ```text
//! stream 2026-12-07T08:00:00.000 (ENABLED)
//!   shard 1  [seq 0 .. 4711]   closed at 12:00
//!   shard 2  [seq 4712 .. ]    open, parent shard 1
//! ```
//!
//! Each shard's records live in its own engine change log
//! (`change::log_key(table id, shard number)`); shard numbers are never
//! reused within a table, so a shard of a disabled stream keeps its records
//! until they expire. A record older than 24 hours is trimmed (bounded work
//! per pass); a shard is forgotten once closed for 24 hours, a disabled
//! stream once disabled for 24 hours.
//!
//! **Invariant:** a shard is closed, and its ending sequence number fixed,
//! only while `Database::schema_gate` is held exclusively and after every
//! commit accepted before is durable: no write can append to a shard after
//! it is closed, so `EndingSequenceNumber` is exact.

use serde::{Deserialize, Serialize};

/// How long change records, closed shards and disabled streams are kept.
pub const STREAM_RETENTION_MILLIS: i64 = 24 * 60 * 60 * 1000;
/// How long a shard stays open by default before it is closed and a child
/// opened (AWS: about four hours).
pub const SHARD_ROLLOVER_MILLIS: i64 = 4 * 60 * 60 * 1000;
/// Sequence numbers are shown as this plus the engine's sequence, so that
/// every one has the 21 digits AWS's model requires, without leading zeros.
pub const SEQUENCE_NUMBER_BASE: u128 = 100_000_000_000_000_000_000;
/// The most records one trimming pass removes from one shard.
pub const TRIM_RECORDS_PER_PASS_MAX: usize = 10_000;

/// A stream of a table, as persisted in the table's metadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamMeta {
    /// `StreamLabel`: the creation time, `yyyy-mm-ddThh:mm:ss.fff`; the
    /// last part of the stream's ARN.
    pub label: String,
    /// `StreamViewType`.
    pub view_type: ViewType,
    /// When it was enabled, epoch milliseconds.
    pub created_millis: i64,
    /// When it was disabled, if it was.
    #[serde(default)]
    pub disabled_millis: Option<i64>,
    /// Its shards, oldest first.
    #[serde(default)]
    pub shards: Vec<ShardMeta>,
}

/// One shard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardMeta {
    /// The number naming its change log, unique within the table.
    pub number: u64,
    /// `ShardId` as shown to clients.
    pub id: String,
    /// The shard it continues, if any.
    #[serde(default)]
    pub parent: Option<String>,
    /// When it was opened, epoch milliseconds.
    pub created_millis: i64,
    /// No record of the shard has a smaller sequence (its
    /// `StartingSequenceNumber`).
    pub starting_sequence: u64,
    /// Set when closed: its last record's sequence, or, if it had none, the
    /// starting sequence.
    #[serde(default)]
    pub ending_sequence: Option<u64>,
    /// When it was closed.
    #[serde(default)]
    pub closed_millis: Option<i64>,
    /// Records below this sequence have been trimmed.
    #[serde(default)]
    pub trimmed_before: u64,
}

impl ShardMeta {
    /// Whether the shard no longer receives records.
    pub fn is_closed(&self) -> bool {
        self.closed_millis.is_some()
    }

    /// The first sequence a reader may still read.
    pub fn trim_horizon(&self) -> u64 {
        self.trimmed_before.max(self.starting_sequence)
    }
}

/// `StreamViewType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ViewType {
    /// Only the key attributes.
    KeysOnly,
    /// The item after the change.
    NewImage,
    /// The item before the change.
    OldImage,
    /// Both.
    NewAndOldImages,
}

impl ViewType {
    /// The wire name.
    pub fn wire_name(self) -> &'static str {
        match self {
            ViewType::KeysOnly => "KEYS_ONLY",
            ViewType::NewImage => "NEW_IMAGE",
            ViewType::OldImage => "OLD_IMAGE",
            ViewType::NewAndOldImages => "NEW_AND_OLD_IMAGES",
        }
    }

    /// From the wire name.
    pub fn from_wire_name(name: &str) -> Option<ViewType> {
        Some(match name {
            "KEYS_ONLY" => ViewType::KeysOnly,
            "NEW_IMAGE" => ViewType::NewImage,
            "OLD_IMAGE" => ViewType::OldImage,
            "NEW_AND_OLD_IMAGES" => ViewType::NewAndOldImages,
            _ => return None,
        })
    }

    /// Whether records keep the old image.
    pub fn keeps_old(self) -> bool {
        matches!(self, ViewType::OldImage | ViewType::NewAndOldImages)
    }

    /// Whether records keep the new image.
    pub fn keeps_new(self) -> bool {
        matches!(self, ViewType::NewImage | ViewType::NewAndOldImages)
    }
}

impl StreamMeta {
    /// Whether the stream is enabled.
    pub fn is_enabled(&self) -> bool {
        self.disabled_millis.is_none()
    }

    /// The open shard (the last one, while the stream is enabled).
    pub fn open_shard(&self) -> Option<&ShardMeta> {
        self.shards.last().filter(|s| !s.is_closed())
    }

    /// The shard called `id`.
    pub fn shard(&self, id: &str) -> Option<&ShardMeta> {
        self.shards.iter().find(|s| s.id == id)
    }
}

/// A shard's `ShardId`: `shardId-` then its creation time in milliseconds
/// (20 digits) and eight hexadecimal digits that make it unique, the shape
/// of AWS's (`shardId-00000001414562045508-2bac9cd2`).
pub fn shard_id(table_id: u64, number: u64, created_millis: i64) -> String {
    let tag = xxhash_rust::xxh3::xxh3_64(&[table_id.to_be_bytes(), number.to_be_bytes()].concat());
    format!("shardId-{:020}-{:08x}", created_millis.max(0), tag as u32)
}

/// A sequence number as shown to clients.
pub fn sequence_number(sequence: u64) -> String {
    (SEQUENCE_NUMBER_BASE + u128::from(sequence)).to_string()
}

/// The engine sequence a client's sequence number stands for; `None` if it
/// is not one this server could have given.
pub fn parse_sequence_number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u128 = s.parse().ok()?;
    u64::try_from(n.checked_sub(SEQUENCE_NUMBER_BASE)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_have_aws_shapes() {
        let id = shard_id(7, 3, 1_414_562_045_508);
        assert!(id.starts_with("shardId-00000001414562045508-"), "{id}");
        assert_eq!(id.len(), 37);
        assert_ne!(id, shard_id(7, 4, 1_414_562_045_508));
        let s = sequence_number(42);
        assert_eq!(s.len(), 21);
        assert_eq!(parse_sequence_number(&s), Some(42));
        assert_eq!(sequence_number(0), "100000000000000000000");
        assert!(sequence_number(1) > sequence_number(0));
        assert_eq!(parse_sequence_number("99999999999999999999"), None);
        assert_eq!(parse_sequence_number("1000000000000000000x0"), None);
        assert_eq!(parse_sequence_number(""), None);
    }
}

//! Change records: what an item write appends to its table's change log, in
//! the same atomic commit as the write. Streams read them now; TTL deletions
//! are recorded with their origin; point-in-time recovery, export and
//! replication will read the same logs.
//!
//! A table's log is split into shards (a stream's shards, see `stream.rs`):
//! each shard is one engine change log, named by [`log_key`], and the
//! engine numbers its records with one sequence shared by every log, in
//! commit order, so records of a shard are ordered as their writes were.
//!
//! ```text
//! log key   = table id (u64 BE) | shard number (u64 BE)      16 bytes
//! record key = log key | sequence (u64 BE)                  (the engine's)
//! ```
//!
//! Version 2 record layout:
//!
//! ```text
//! 0x02                          format version
//! origin          u8            1 client write, 2 TTL deletion (the service),
//!                               3 replicated write, followed by
//!                               varint len | source region (UTF-8)
//! event           u8            1 INSERT, 2 MODIFY, 3 REMOVE
//! time            i64 BE        commit time, epoch milliseconds (the Clock)
//! keys            varint len | the item's key attributes (item codec)
//! old image       0x00 (absent) | 0x01 varint len | item (codec)
//! new image       0x00 (absent) | 0x01 varint len | item (codec)
//! ```
//!
//! Images are kept as the stream's view type needs them (both for
//! NEW_AND_OLD_IMAGES, none for KEYS_ONLY); a reader that needs both (a
//! replica, point-in-time recovery) will ask for both with its own switch.
//!
//! Version 1 (the first format, written only for tables with a stream,
//! under bare sequence keys: the empty log) is still decoded, and moved
//! into its table's first shard when a database opens (`stream.rs`):
//!
//! ```text
//! 0x01 | table id u64 BE | time i64 BE | varint len | encoded item key
//!      | old image (0x00 | 0x01 varint len | item) | new image (same)
//! ```

use ferrodyn_model::Item;
use ferrodyn_model::codec::decode_item;
use ferrodyn_model::value::item_size_bytes;

use crate::error::{CoreError, Result};

/// The change record format this build writes.
pub const CHANGE_FORMAT_VERSION: u8 = 2;
/// The first format, still read.
pub const CHANGE_FORMAT_VERSION_1: u8 = 1;

/// Who made a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A client's write (any API).
    Client,
    /// An expired item deleted by the TTL sweeper (on the wire, the service
    /// principal `dynamodb.amazonaws.com`).
    TimeToLive,
    /// A write replicated from another region.
    Replicated {
        /// The region it was first made in.
        region: String,
    },
}

/// What a change did to its item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A new item.
    Insert,
    /// An item replaced or updated.
    Modify,
    /// An item deleted.
    Remove,
}

impl Event {
    /// The event of a write from `old` to `new` (at least one present).
    pub fn of(old_present: bool, new_present: bool) -> Event {
        match (old_present, new_present) {
            (false, _) => Event::Insert,
            (true, true) => Event::Modify,
            (true, false) => Event::Remove,
        }
    }

    /// The wire name (`eventName`).
    pub fn wire_name(self) -> &'static str {
        match self {
            Event::Insert => "INSERT",
            Event::Modify => "MODIFY",
            Event::Remove => "REMOVE",
        }
    }
}

/// One decoded change record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRecord {
    /// Who made it.
    pub origin: Origin,
    /// What it did.
    pub event: Event,
    /// Commit time, epoch milliseconds.
    pub time_millis: i64,
    /// The item's key attributes (item codec).
    pub keys: Vec<u8>,
    /// The encoded item before the write, if kept.
    pub old_image: Option<Vec<u8>>,
    /// The encoded item after the write, if kept.
    pub new_image: Option<Vec<u8>>,
}

/// A change record with its items decoded: what every reader of the logs
/// (a stream's GetRecords, a Kinesis destination) starts from.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedChange {
    /// Who made it.
    pub origin: Origin,
    /// What it did.
    pub event: Event,
    /// Commit time, epoch milliseconds.
    pub time_millis: i64,
    /// The item's key attributes.
    pub keys: Item,
    /// The item before, if kept.
    pub old_image: Option<Item>,
    /// The item after, if kept.
    pub new_image: Option<Item>,
    /// `SizeBytes`: the keys' and the images' sizes by DynamoDB's item-size
    /// rules (AWS's figures for stream and Kinesis records agree with it).
    pub size_bytes: u64,
}

/// Decodes record `sequence` and its items.
pub fn decode_change(sequence: u64, bytes: &[u8]) -> Result<DecodedChange> {
    let r = decode(bytes)
        .ok_or_else(|| CoreError::Internal(format!("corrupt change record {sequence}")))?;
    let item = |b: &[u8]| decode_item(b).map_err(|e| CoreError::Internal(e.to_string()));
    let keys = item(&r.keys)?;
    let old_image = r.old_image.as_deref().map(item).transpose()?;
    let new_image = r.new_image.as_deref().map(item).transpose()?;
    let size = item_size_bytes(&keys)
        + old_image.as_ref().map_or(0, item_size_bytes)
        + new_image.as_ref().map_or(0, item_size_bytes);
    Ok(DecodedChange {
        origin: r.origin,
        event: r.event,
        time_millis: r.time_millis,
        keys,
        old_image,
        new_image,
        size_bytes: size as u64,
    })
}

/// A record of the first format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRecordV1 {
    /// Internal table id.
    pub table_id: u64,
    /// Commit time, epoch milliseconds.
    pub time_millis: i64,
    /// The encoded item key.
    pub key: Vec<u8>,
    /// The encoded item before the write.
    pub old_image: Option<Vec<u8>>,
    /// The encoded item after the write.
    pub new_image: Option<Vec<u8>>,
}

/// The engine change log of a table's shard.
pub fn log_key(table_id: u64, shard: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(16);
    k.extend_from_slice(&table_id.to_be_bytes());
    k.extend_from_slice(&shard.to_be_bytes());
    k
}

fn put_varint(mut v: usize, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_bytes(b: &[u8], out: &mut Vec<u8>) {
    put_varint(b.len(), out);
    out.extend_from_slice(b);
}

fn put_image(image: Option<&[u8]>, out: &mut Vec<u8>) {
    match image {
        None => out.push(0),
        Some(b) => {
            out.push(1);
            put_bytes(b, out);
        }
    }
}

/// Encodes a change record.
pub fn encode(
    origin: &Origin,
    event: Event,
    time_millis: i64,
    keys: &[u8],
    old_image: Option<&[u8]>,
    new_image: Option<&[u8]>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        24 + keys.len() + old_image.map_or(0, <[u8]>::len) + new_image.map_or(0, <[u8]>::len),
    );
    out.push(CHANGE_FORMAT_VERSION);
    match origin {
        Origin::Client => out.push(1),
        Origin::TimeToLive => out.push(2),
        Origin::Replicated { region } => {
            out.push(3);
            put_bytes(region.as_bytes(), &mut out);
        }
    }
    out.push(match event {
        Event::Insert => 1,
        Event::Modify => 2,
        Event::Remove => 3,
    });
    out.extend_from_slice(&time_millis.to_be_bytes());
    put_bytes(keys, &mut out);
    put_image(old_image, &mut out);
    put_image(new_image, &mut out);
    out
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }

    fn varint(&mut self) -> Option<usize> {
        let mut v: usize = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= usize::from(b & 0x7F).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.varint()?;
        self.take(n)
    }

    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }

    fn image(&mut self) -> Option<Option<Vec<u8>>> {
        match self.byte()? {
            0 => Some(None),
            1 => Some(Some(self.bytes()?.to_vec())),
            _ => None,
        }
    }
}

/// Decodes a record of the current format; `None` if the bytes are corrupt
/// or of another version.
pub fn decode(bytes: &[u8]) -> Option<ChangeRecord> {
    let mut r = Reader(bytes);
    if r.byte()? != CHANGE_FORMAT_VERSION {
        return None;
    }
    let origin = match r.byte()? {
        1 => Origin::Client,
        2 => Origin::TimeToLive,
        3 => Origin::Replicated {
            region: String::from_utf8(r.bytes()?.to_vec()).ok()?,
        },
        _ => return None,
    };
    let event = match r.byte()? {
        1 => Event::Insert,
        2 => Event::Modify,
        3 => Event::Remove,
        _ => return None,
    };
    let time_millis = r.i64()?;
    let keys = r.bytes()?.to_vec();
    let old_image = r.image()?;
    let new_image = r.image()?;
    r.0.is_empty().then_some(ChangeRecord {
        origin,
        event,
        time_millis,
        keys,
        old_image,
        new_image,
    })
}

/// Decodes a record of the first format.
pub fn decode_v1(bytes: &[u8]) -> Option<ChangeRecordV1> {
    let mut r = Reader(bytes);
    if r.byte()? != CHANGE_FORMAT_VERSION_1 {
        return None;
    }
    let table_id = u64::from_be_bytes(r.take(8)?.try_into().ok()?);
    let time_millis = r.i64()?;
    let key = r.bytes()?.to_vec();
    let old_image = r.image()?;
    let new_image = r.image()?;
    r.0.is_empty().then_some(ChangeRecordV1 {
        table_id,
        time_millis,
        key,
        old_image,
        new_image,
    })
}

/// Encodes a record of the first format (for the tests that prove it
/// still loads).
pub fn encode_v1(
    table_id: u64,
    time_millis: i64,
    key: &[u8],
    old_image: Option<&[u8]>,
    new_image: Option<&[u8]>,
) -> Vec<u8> {
    let mut out = vec![CHANGE_FORMAT_VERSION_1];
    out.extend_from_slice(&table_id.to_be_bytes());
    out.extend_from_slice(&time_millis.to_be_bytes());
    put_bytes(key, &mut out);
    put_image(old_image, &mut out);
    put_image(new_image, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for origin in [
            Origin::Client,
            Origin::TimeToLive,
            Origin::Replicated {
                region: "eu-west-1".into(),
            },
        ] {
            let bytes = encode(
                &origin,
                Event::Modify,
                1_700_000_000_000,
                b"keys",
                Some(b"old"),
                Some(b"new"),
            );
            let r = decode(&bytes).expect("decodes");
            assert_eq!(r.origin, origin);
            assert_eq!(r.event, Event::Modify);
            assert_eq!(r.time_millis, 1_700_000_000_000);
            assert_eq!(r.keys, b"keys");
            assert_eq!(r.old_image.as_deref(), Some(&b"old"[..]));
            assert_eq!(r.new_image.as_deref(), Some(&b"new"[..]));
            for len in 0..bytes.len() {
                assert_eq!(decode(&bytes[..len]), None);
            }
        }
        let keys_only = encode(&Origin::Client, Event::Insert, 5, b"k", None, None);
        let r = decode(&keys_only).expect("decodes");
        assert_eq!((r.old_image, r.new_image), (None, None));
        assert_eq!(Event::of(false, true), Event::Insert);
        assert_eq!(Event::of(true, false), Event::Remove);
        assert_eq!(Event::of(true, true), Event::Modify);
    }

    #[test]
    fn the_first_format_still_decodes() {
        let bytes = encode_v1(3, 1_700_000_000_000, b"key", None, Some(b"new"));
        assert_eq!(bytes[0], 1);
        let r = decode_v1(&bytes).expect("decodes");
        assert_eq!(r.table_id, 3);
        assert_eq!(r.key, b"key");
        assert_eq!(r.new_image, Some(b"new".to_vec()));
        assert_eq!(decode(&bytes), None, "not mistaken for the current format");
        for len in 0..bytes.len() {
            assert_eq!(decode_v1(&bytes[..len]), None);
        }
    }
}

//! What the four DynamoDB Streams operations share: finding a stream by
//! its ARN, and shard iterators.
//!
//! A shard iterator names a position in one shard's log: the next sequence
//! to read. It is opaque to clients and tamper-evident: its bytes carry an
//! HMAC-SHA256 tag under a key kept in the database (so iterators survive a
//! restart), and it expires [`ITERATOR_LIFETIME_MILLIS`] after it was
//! issued, as on AWS.
//!
//! ```text
//! iterator = hex( 0x01 | table id u64 | shard number u64 | position u64
//!                | issued i64 (epoch ms) | tag (first 16 bytes of HMAC) )
//! ```

use std::sync::Arc;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::stream::{ShardMeta, StreamMeta};
use crate::table::TableMeta;

/// How long a shard iterator may be used after it was issued.
pub const ITERATOR_LIFETIME_MILLIS: i64 = 15 * 60 * 1000;
/// The iterator format this build writes.
const ITERATOR_FORMAT_VERSION: u8 = 1;
/// Bytes of the HMAC kept in an iterator.
const ITERATOR_TAG_BYTES: usize = 16;
/// Bytes of an iterator before its tag.
const ITERATOR_BODY_BYTES: usize = 1 + 8 + 8 + 8 + 8;

/// A decoded shard iterator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ShardIterator {
    pub table_id: u64,
    pub shard: u64,
    /// The next sequence to read.
    pub position: u64,
    pub issued_millis: i64,
}

/// The not-found message of a stream.
pub(crate) fn stream_not_found(arn: &str) -> CoreError {
    CoreError::ResourceNotFound(format!(
        "Requested resource not found: Stream: {arn} not found"
    ))
}

/// The not-found error of a shard (AWS's text names neither it nor the
/// stream).
pub(crate) fn shard_not_found() -> CoreError {
    CoreError::ResourceNotFound("Requested resource not found: Shard does not exist".into())
}

/// The parts of a stream ARN:
/// `arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>`.
pub(crate) fn parse_stream_arn(arn: &str) -> Option<(&str, &str, &str, &str)> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let _partition = parts.next()?;
    if parts.next()? != "dynamodb" {
        return None;
    }
    let region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?.strip_prefix("table/")?;
    let (name, label) = resource.split_once("/stream/")?;
    (!name.is_empty() && !label.is_empty()).then_some((region, account, name, label))
}

impl Database {
    /// The table and stream a stream ARN names, as the caller sees them.
    pub(crate) fn resolve_stream(
        &self,
        ctx: &RequestContext,
        arn: &str,
    ) -> Result<(Arc<TableMeta>, StreamMeta)> {
        let (region, account, name, label) =
            parse_stream_arn(arn).ok_or_else(|| CoreError::validation("Invalid StreamArn"))?;
        if region != ctx.region || account != ctx.account_id {
            return Err(stream_not_found(arn));
        }
        let table = self
            .catalog
            .get(account, region, name)
            .ok_or_else(|| stream_not_found(arn))?;
        let stream = table
            .stream_labelled(label)
            .cloned()
            .ok_or_else(|| stream_not_found(arn))?;
        Ok((table, stream))
    }

    /// The table with internal id `id`, if it exists and belongs to the
    /// caller.
    pub(crate) fn table_by_id(&self, ctx: &RequestContext, id: u64) -> Option<Arc<TableMeta>> {
        self.catalog
            .all()
            .into_iter()
            .find(|t| t.id == id && t.account_id == ctx.account_id && t.region == ctx.region)
    }

    /// The key that signs shard iterators; made and stored if `create` and
    /// there is none yet (only issuing an iterator creates it: a database
    /// without one has issued none, so any iterator it is shown is invalid).
    fn iterator_key(&self, create: bool) -> Result<Option<[u8; 32]>> {
        if let Some(k) = self.iterator_key.get() {
            return Ok(Some(*k));
        }
        let key = crate::keyspace::iterator_key_key();
        let stored = self
            .engine
            .get(&key, ferrodyn_storage::ReadConsistency::Strong)?;
        let value = match stored.as_deref().and_then(|b| <[u8; 32]>::try_from(b).ok()) {
            Some(v) => v,
            None if !create => return Ok(None),
            None => {
                let mut fresh = [0u8; 32];
                fresh[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
                fresh[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
                let batch = ferrodyn_storage::WriteBatch {
                    conditions: vec![ferrodyn_storage::Condition::ValueIs {
                        key: key.clone(),
                        value: None,
                    }],
                    ops: vec![ferrodyn_storage::Op::Put {
                        key: key.clone(),
                        value: fresh.to_vec(),
                    }],
                    changes: vec![],
                };
                match self.engine.commit(batch) {
                    Ok(_) => fresh,
                    // Another thread made one first: use it.
                    Err(ferrodyn_storage::StorageError::ConditionFailed { .. }) => self
                        .engine
                        .get(&key, ferrodyn_storage::ReadConsistency::Strong)?
                        .as_deref()
                        .and_then(|b| <[u8; 32]>::try_from(b).ok())
                        .ok_or_else(|| CoreError::Internal("iterator key vanished".into()))?,
                    Err(e) => return Err(e.into()),
                }
            }
        };
        Ok(Some(*self.iterator_key.get_or_init(|| value)))
    }

    fn iterator_tag(&self, key: &[u8; 32], body: &[u8]) -> Result<[u8; ITERATOR_TAG_BYTES]> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(key).map_err(|e| CoreError::Internal(e.to_string()))?;
        mac.update(body);
        let full = mac.finalize().into_bytes();
        let mut tag = [0u8; ITERATOR_TAG_BYTES];
        tag.copy_from_slice(&full[..ITERATOR_TAG_BYTES]);
        Ok(tag)
    }

    /// A new iterator for `position` in `shard` of `table`.
    pub(crate) fn issue_iterator(
        &self,
        table: &TableMeta,
        shard: &ShardMeta,
        position: u64,
    ) -> Result<String> {
        let mut body = Vec::with_capacity(ITERATOR_BODY_BYTES + ITERATOR_TAG_BYTES);
        body.push(ITERATOR_FORMAT_VERSION);
        body.extend_from_slice(&table.id.to_be_bytes());
        body.extend_from_slice(&shard.number.to_be_bytes());
        body.extend_from_slice(&position.to_be_bytes());
        body.extend_from_slice(&self.clock.now_millis().to_be_bytes());
        let key = self
            .iterator_key(true)?
            .ok_or_else(|| CoreError::Internal("no iterator key".into()))?;
        let tag = self.iterator_tag(&key, &body)?;
        body.extend_from_slice(&tag);
        Ok(hex::encode(body))
    }

    /// Decodes and authenticates an iterator; `None` if it is not one this
    /// database issued (malformed or altered).
    pub(crate) fn read_iterator(&self, text: &str) -> Result<Option<ShardIterator>> {
        let Ok(bytes) = hex::decode(text) else {
            return Ok(None);
        };
        if bytes.len() != ITERATOR_BODY_BYTES + ITERATOR_TAG_BYTES
            || bytes.first() != Some(&ITERATOR_FORMAT_VERSION)
        {
            return Ok(None);
        }
        let (body, tag) = bytes.split_at(ITERATOR_BODY_BYTES);
        let Some(key) = self.iterator_key(false)? else {
            return Ok(None);
        };
        let expected = self.iterator_tag(&key, body)?;
        // Compared in constant time: the tag is a secret's output.
        let same = expected
            .iter()
            .zip(tag)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
        if !same {
            return Ok(None);
        }
        let word = |at: usize| -> Option<[u8; 8]> { body.get(at..at + 8)?.try_into().ok() };
        let (Some(t), Some(s), Some(p), Some(i)) = (word(1), word(9), word(17), word(25)) else {
            return Ok(None);
        };
        Ok(Some(ShardIterator {
            table_id: u64::from_be_bytes(t),
            shard: u64::from_be_bytes(s),
            position: u64::from_be_bytes(p),
            issued_millis: i64::from_be_bytes(i),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_arns() {
        assert_eq!(
            parse_stream_arn(
                "arn:aws:dynamodb:us-east-1:000000000000:table/T1/stream/2026-12-07T08:00:00.000"
            ),
            Some(("us-east-1", "000000000000", "T1", "2026-12-07T08:00:00.000"))
        );
        assert_eq!(
            parse_stream_arn("arn:aws:dynamodb:us-east-1:000000000000:table/T1"),
            None
        );
        assert_eq!(
            parse_stream_arn("arn:aws:s3:us-east-1:000000000000:table/T1/stream/x"),
            None
        );
        assert_eq!(parse_stream_arn("garbage"), None);
    }
}

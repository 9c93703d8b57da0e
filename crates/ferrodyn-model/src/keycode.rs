//! The order-preserving binary encoding of primary keys.
//!
//! DynamoDB stores a table's items grouped by partition key, spread over
//! partitions by a hash of that key, and ordered by sort key inside a
//! partition. ferrodyn reproduces that layout in one ordered key space, so
//! that a Query is one range scan and a Scan walks the hash space:
//!
//! ```text
//! item key = table id (u64, big-endian)
//!          | partition hash (u64, big-endian)      <- Scan order, parallel-scan segments
//!          | encoded partition key value
//!          | encoded sort key value (if any)       <- Query order
//! ```
//!
//! Each value encoding is *self-delimiting* (no encoding is a prefix of
//! another) and *order-preserving* (comparing encodings as unsigned bytes
//! gives DynamoDB's order for the type):
//!
//! * `S` and `B`: the bytes, with every `0x00` escaped as `0x00 0xFF`, then
//!   the terminator `0x00 0x00`. Escaping keeps order because `0x00 0xFF`
//!   sorts after the terminator, which ends the shorter string.
//! * `N`: [`Number::encode_key`], a sign tag, a biased exponent and packed
//!   decimal digits (see the `number` module).
//!
//! The partition hash is XXH3-64 of the encoded partition key value. It is a
//! persisted format: changing it would reorder every stored table.

use xxhash_rust::xxh3::xxh3_64;

use crate::number::Number;
use crate::schema::ScalarType;
use crate::value::AttributeValue;

/// Why bytes could not be decoded as a key value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyDecodeError {
    /// The input ended inside a value.
    #[error("key value truncated")]
    Truncated,
    /// A byte sequence that no encoder writes.
    #[error("invalid key escape sequence")]
    BadEscape,
    /// A decoded string was not UTF-8.
    #[error("key string is not UTF-8")]
    NotUtf8,
    /// A number's encoding was corrupt.
    #[error("invalid number in key")]
    BadNumber,
    /// The value's type cannot be a key.
    #[error("attribute type cannot be a key")]
    NotAKeyType,
}

/// Appends the order-preserving encoding of a key value. Values of other
/// types than S, N and B are rejected; callers validate key types first.
pub fn encode_value(value: &AttributeValue, out: &mut Vec<u8>) -> Result<(), KeyDecodeError> {
    match value {
        AttributeValue::S(s) => encode_bytes(s.as_bytes(), out),
        AttributeValue::B(b) => encode_bytes(b, out),
        AttributeValue::N(n) => n.encode_key(out),
        _ => return Err(KeyDecodeError::NotAKeyType),
    }
    Ok(())
}

/// Decodes one value of type `ty` from the front of `input`, returning it and
/// the number of bytes consumed.
pub fn decode_value(
    ty: ScalarType,
    input: &[u8],
) -> Result<(AttributeValue, usize), KeyDecodeError> {
    match ty {
        ScalarType::S => {
            let (bytes, used) = decode_bytes(input)?;
            let s = String::from_utf8(bytes).map_err(|_| KeyDecodeError::NotUtf8)?;
            Ok((AttributeValue::S(s), used))
        }
        ScalarType::B => {
            let (bytes, used) = decode_bytes(input)?;
            Ok((AttributeValue::B(bytes), used))
        }
        ScalarType::N => {
            let (n, used) = Number::decode_key(input).map_err(|_| KeyDecodeError::BadNumber)?;
            Ok((AttributeValue::N(n), used))
        }
    }
}

fn encode_bytes(bytes: &[u8], out: &mut Vec<u8>) {
    out.reserve(bytes.len() + 2);
    for &b in bytes {
        out.push(b);
        if b == 0 {
            out.push(0xFF);
        }
    }
    out.extend_from_slice(&[0, 0]);
}

fn decode_bytes(input: &[u8]) -> Result<(Vec<u8>, usize), KeyDecodeError> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    loop {
        let b = *input.get(i).ok_or(KeyDecodeError::Truncated)?;
        i += 1;
        if b != 0 {
            out.push(b);
            continue;
        }
        match input.get(i) {
            Some(0) => return Ok((out, i + 1)),
            Some(0xFF) => {
                out.push(0);
                i += 1;
            }
            Some(_) => return Err(KeyDecodeError::BadEscape),
            None => return Err(KeyDecodeError::Truncated),
        }
    }
}

/// The hash that places a partition key in the hash space.
pub fn partition_hash(encoded_partition_key: &[u8]) -> u64 {
    xxh3_64(encoded_partition_key)
}

/// Appends `table id | partition hash | partition key` to `out`, the prefix
/// shared by every item of one partition.
pub fn encode_partition_prefix(
    table_id: u64,
    partition: &AttributeValue,
    out: &mut Vec<u8>,
) -> Result<(), KeyDecodeError> {
    let mut pk = Vec::with_capacity(32);
    encode_value(partition, &mut pk)?;
    out.extend_from_slice(&table_id.to_be_bytes());
    out.extend_from_slice(&partition_hash(&pk).to_be_bytes());
    out.extend_from_slice(&pk);
    Ok(())
}

/// The full encoded item key: partition prefix, then the sort key if any.
pub fn encode_item_key(
    table_id: u64,
    partition: &AttributeValue,
    sort: Option<&AttributeValue>,
    out: &mut Vec<u8>,
) -> Result<(), KeyDecodeError> {
    encode_partition_prefix(table_id, partition, out)?;
    if let Some(sort) = sort {
        encode_value(sort, out)?;
    }
    Ok(())
}

/// The decoded parts of an item key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedItemKey {
    /// The table id.
    pub table_id: u64,
    /// The partition hash.
    pub hash: u64,
    /// The partition key value.
    pub partition: AttributeValue,
    /// The sort key value, if the schema has one.
    pub sort: Option<AttributeValue>,
}

/// Decodes a key written by [`encode_item_key`].
pub fn decode_item_key(
    input: &[u8],
    partition_type: ScalarType,
    sort_type: Option<ScalarType>,
) -> Result<DecodedItemKey, KeyDecodeError> {
    let table_id = read_u64(input, 0)?;
    let hash = read_u64(input, 8)?;
    let rest = &input[16..];
    let (partition, used) = decode_value(partition_type, rest)?;
    let sort = match sort_type {
        Some(t) => Some(decode_value(t, &rest[used..])?.0),
        None => None,
    };
    Ok(DecodedItemKey {
        table_id,
        hash,
        partition,
        sort,
    })
}

fn read_u64(input: &[u8], at: usize) -> Result<u64, KeyDecodeError> {
    let bytes: [u8; 8] = input
        .get(at..at + 8)
        .and_then(|s| s.try_into().ok())
        .ok_or(KeyDecodeError::Truncated)?;
    Ok(u64::from_be_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: &AttributeValue) -> Vec<u8> {
        let mut out = Vec::new();
        encode_value(v, &mut out).expect("key type");
        out
    }

    #[test]
    fn strings_sort_by_unsigned_bytes_including_multibyte_and_nul() {
        let values = [
            "", "\0", "\0\0", "\0a", "a", "a\0", "a\0b", "ab", "b", "é", "日本", "😀",
        ];
        let mut sorted_by_bytes: Vec<&str> = values.to_vec();
        sorted_by_bytes.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        let mut sorted_by_code: Vec<&str> = values.to_vec();
        sorted_by_code.sort_by_key(|s| enc(&AttributeValue::S((*s).to_string())));
        assert_eq!(sorted_by_bytes, sorted_by_code);
    }

    #[test]
    fn binary_round_trips_and_sorts() {
        let values: Vec<Vec<u8>> = vec![
            vec![],
            vec![0],
            vec![0, 0],
            vec![0, 0xFF],
            vec![0xFF],
            vec![1, 0, 2],
        ];
        for v in &values {
            let e = enc(&AttributeValue::B(v.clone()));
            let (d, used) = decode_value(ScalarType::B, &e).expect("decode");
            assert_eq!(d, AttributeValue::B(v.clone()));
            assert_eq!(used, e.len());
        }
        let mut by_code = values.clone();
        by_code.sort_by_key(|v| enc(&AttributeValue::B(v.clone())));
        let mut by_bytes = values;
        by_bytes.sort();
        assert_eq!(by_code, by_bytes);
    }

    #[test]
    fn item_key_round_trips() {
        let pk = AttributeValue::S("user\0one".into());
        let sk = AttributeValue::N(Number::parse("-12.5").expect("number"));
        let mut key = Vec::new();
        encode_item_key(7, &pk, Some(&sk), &mut key).expect("encode");
        let d = decode_item_key(&key, ScalarType::S, Some(ScalarType::N)).expect("decode");
        assert_eq!(d.table_id, 7);
        assert_eq!(d.partition, pk);
        assert_eq!(d.sort, Some(sk));
    }

    #[test]
    fn truncated_and_bad_escapes_are_errors_not_panics() {
        assert_eq!(
            decode_value(ScalarType::S, b"ab"),
            Err(KeyDecodeError::Truncated)
        );
        assert_eq!(
            decode_value(ScalarType::S, b"a\0"),
            Err(KeyDecodeError::Truncated)
        );
        assert_eq!(
            decode_value(ScalarType::S, b"a\0\x01"),
            Err(KeyDecodeError::BadEscape)
        );
        assert_eq!(
            decode_value(ScalarType::S, b"\xff\0\0"),
            Err(KeyDecodeError::NotUtf8)
        );
        assert!(decode_item_key(b"short", ScalarType::S, None).is_err());
    }
}

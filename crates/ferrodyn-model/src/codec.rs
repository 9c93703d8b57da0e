//! The versioned binary encoding of items at rest.
//!
//! An item is stored as one value in the key space. The first byte names the
//! format version, so that a database written today still loads after the
//! format changes: a new version gets a new byte and the decoder keeps
//! reading the old ones.
//!
//! Version 1 (all integers are unsigned LEB128 varints unless noted):
//!
//! ```text
//! item   = 0x01 count:varint (name:bytes value){count}
//! bytes  = len:varint byte{len}
//! value  = 0x01 S    bytes                 (UTF-8)
//!        | 0x02 N    bytes                 (the normalised decimal text, ASCII)
//!        | 0x03 B    bytes
//!        | 0x04 BOOL 0x00 | 0x01
//!        | 0x05 NULL
//!        | 0x06 M    count:varint (name:bytes value){count}
//!        | 0x07 L    count:varint value{count}
//!        | 0x08 SS   count:varint bytes{count}
//!        | 0x09 NS   count:varint bytes{count}
//!        | 0x0A BS   count:varint bytes{count}
//! ```
//!
//! Numbers are kept as their normalised text because that is what every read
//! returns on the wire; arithmetic parses them on demand. Decoding checks
//! every length against the input and bounds nesting, so corrupt bytes give
//! an error, never a panic or an unbounded allocation.

use std::collections::BTreeMap;

use crate::limits::DOCUMENT_NESTING_DEPTH_MAX;
use crate::number::Number;
use crate::value::{AttributeValue, Item};

/// The format version this build writes.
pub const ITEM_FORMAT_VERSION: u8 = 1;

const TAG_S: u8 = 0x01;
const TAG_N: u8 = 0x02;
const TAG_B: u8 = 0x03;
const TAG_BOOL: u8 = 0x04;
const TAG_NULL: u8 = 0x05;
const TAG_M: u8 = 0x06;
const TAG_L: u8 = 0x07;
const TAG_SS: u8 = 0x08;
const TAG_NS: u8 = 0x09;
const TAG_BS: u8 = 0x0A;

/// Why stored bytes could not be decoded as an item.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A version byte this build does not know.
    #[error("unknown item format version {0}")]
    UnknownVersion(u8),
    /// The bytes ended early.
    #[error("item encoding truncated")]
    Truncated,
    /// An unknown type tag.
    #[error("unknown attribute tag {0}")]
    BadTag(u8),
    /// Text that is not UTF-8.
    #[error("attribute text is not UTF-8")]
    NotUtf8,
    /// A stored number that does not parse.
    #[error("stored number is invalid")]
    BadNumber,
    /// Deeper nesting than any valid item has.
    #[error("item nesting too deep")]
    TooDeep,
    /// Bytes left over after the item.
    #[error("trailing bytes after item")]
    Trailing,
}

/// Encodes an item in the current format.
pub fn encode_item(item: &Item) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.push(ITEM_FORMAT_VERSION);
    encode_map(item, &mut out);
    out
}

/// Decodes an item in any known format.
pub fn decode_item(input: &[u8]) -> Result<Item, DecodeError> {
    let (&version, rest) = input.split_first().ok_or(DecodeError::Truncated)?;
    if version != ITEM_FORMAT_VERSION {
        return Err(DecodeError::UnknownVersion(version));
    }
    let mut reader = Reader {
        input: rest,
        pos: 0,
    };
    let item = reader.map(0)?;
    if reader.pos != rest.len() {
        return Err(DecodeError::Trailing);
    }
    Ok(item)
}

fn put_varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_bytes(b: &[u8], out: &mut Vec<u8>) {
    put_varint(b.len() as u64, out);
    out.extend_from_slice(b);
}

fn encode_map(map: &BTreeMap<String, AttributeValue>, out: &mut Vec<u8>) {
    put_varint(map.len() as u64, out);
    for (name, value) in map {
        put_bytes(name.as_bytes(), out);
        encode_value(value, out);
    }
}

fn encode_value(value: &AttributeValue, out: &mut Vec<u8>) {
    match value {
        AttributeValue::S(s) => {
            out.push(TAG_S);
            put_bytes(s.as_bytes(), out);
        }
        AttributeValue::N(n) => {
            out.push(TAG_N);
            put_bytes(n.to_string().as_bytes(), out);
        }
        AttributeValue::B(b) => {
            out.push(TAG_B);
            put_bytes(b, out);
        }
        AttributeValue::Bool(b) => {
            out.push(TAG_BOOL);
            out.push(u8::from(*b));
        }
        AttributeValue::Null => out.push(TAG_NULL),
        AttributeValue::M(m) => {
            out.push(TAG_M);
            encode_map(m, out);
        }
        AttributeValue::L(l) => {
            out.push(TAG_L);
            put_varint(l.len() as u64, out);
            for v in l {
                encode_value(v, out);
            }
        }
        AttributeValue::Ss(set) => {
            out.push(TAG_SS);
            put_varint(set.len() as u64, out);
            for s in set {
                put_bytes(s.as_bytes(), out);
            }
        }
        AttributeValue::Ns(set) => {
            out.push(TAG_NS);
            put_varint(set.len() as u64, out);
            for n in set {
                put_bytes(n.to_string().as_bytes(), out);
            }
        }
        AttributeValue::Bs(set) => {
            out.push(TAG_BS);
            put_varint(set.len() as u64, out);
            for b in set {
                put_bytes(b, out);
            }
        }
    }
}

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, DecodeError> {
        let b = *self.input.get(self.pos).ok_or(DecodeError::Truncated)?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<usize, DecodeError> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7F) << shift;
            if b & 0x80 == 0 {
                return usize::try_from(v).map_err(|_| DecodeError::Truncated);
            }
        }
        Err(DecodeError::Truncated)
    }

    /// A count of elements; each element takes at least one byte, so a count
    /// larger than the bytes left is corrupt (and must not size an allocation).
    fn count(&mut self) -> Result<usize, DecodeError> {
        let n = self.varint()?;
        if n > self.input.len() - self.pos {
            return Err(DecodeError::Truncated);
        }
        Ok(n)
    }

    fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = self.varint()?;
        let end = self.pos.checked_add(len).ok_or(DecodeError::Truncated)?;
        let out = self
            .input
            .get(self.pos..end)
            .ok_or(DecodeError::Truncated)?;
        self.pos = end;
        Ok(out)
    }

    fn string(&mut self) -> Result<String, DecodeError> {
        let b = self.bytes()?;
        std::str::from_utf8(b)
            .map(str::to_owned)
            .map_err(|_| DecodeError::NotUtf8)
    }

    fn number(&mut self) -> Result<Number, DecodeError> {
        let b = self.bytes()?;
        let s = std::str::from_utf8(b).map_err(|_| DecodeError::BadNumber)?;
        Number::parse(s).map_err(|_| DecodeError::BadNumber)
    }

    fn map(&mut self, depth: usize) -> Result<BTreeMap<String, AttributeValue>, DecodeError> {
        let n = self.count()?;
        let mut map = BTreeMap::new();
        for _ in 0..n {
            let name = self.string()?;
            let value = self.value(depth)?;
            map.insert(name, value);
        }
        Ok(map)
    }

    fn value(&mut self, depth: usize) -> Result<AttributeValue, DecodeError> {
        Ok(match self.byte()? {
            TAG_S => AttributeValue::S(self.string()?),
            TAG_N => AttributeValue::N(self.number()?),
            TAG_B => AttributeValue::B(self.bytes()?.to_vec()),
            TAG_BOOL => AttributeValue::Bool(self.byte()? != 0),
            TAG_NULL => AttributeValue::Null,
            TAG_M => {
                if depth >= DOCUMENT_NESTING_DEPTH_MAX {
                    return Err(DecodeError::TooDeep);
                }
                AttributeValue::M(self.map(depth + 1)?)
            }
            TAG_L => {
                if depth >= DOCUMENT_NESTING_DEPTH_MAX {
                    return Err(DecodeError::TooDeep);
                }
                let n = self.count()?;
                let mut list = Vec::with_capacity(n);
                for _ in 0..n {
                    list.push(self.value(depth + 1)?);
                }
                AttributeValue::L(list)
            }
            TAG_SS => {
                let n = self.count()?;
                let mut set = Vec::with_capacity(n);
                for _ in 0..n {
                    set.push(self.string()?);
                }
                AttributeValue::Ss(set)
            }
            TAG_NS => {
                let n = self.count()?;
                let mut set = Vec::with_capacity(n);
                for _ in 0..n {
                    set.push(self.number()?);
                }
                AttributeValue::Ns(set)
            }
            TAG_BS => {
                let n = self.count()?;
                let mut set = Vec::with_capacity(n);
                for _ in 0..n {
                    set.push(self.bytes()?.to_vec());
                }
                AttributeValue::Bs(set)
            }
            other => return Err(DecodeError::BadTag(other)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse(s).expect("number")
    }

    fn sample() -> Item {
        let mut inner = BTreeMap::new();
        inner.insert(
            "x".to_string(),
            AttributeValue::L(vec![AttributeValue::Null]),
        );
        let mut item = Item::new();
        item.insert("s".into(), AttributeValue::S("héllo".into()));
        item.insert("n".into(), AttributeValue::N(n("-1.50")));
        item.insert("b".into(), AttributeValue::B(vec![0, 1, 255]));
        item.insert("t".into(), AttributeValue::Bool(true));
        item.insert("z".into(), AttributeValue::Null);
        item.insert("m".into(), AttributeValue::M(inner));
        item.insert(
            "ss".into(),
            AttributeValue::Ss(vec!["a".into(), "b".into()]),
        );
        item.insert("ns".into(), AttributeValue::Ns(vec![n("1"), n("2e3")]));
        item.insert("bs".into(), AttributeValue::Bs(vec![vec![1], vec![]]));
        item
    }

    #[test]
    fn round_trip() {
        let item = sample();
        assert_eq!(decode_item(&encode_item(&item)), Ok(item));
    }

    /// Pins format version 1: these bytes must decode forever.
    #[test]
    fn version_1_golden_bytes() {
        let mut item = Item::new();
        item.insert("a".into(), AttributeValue::S("x".into()));
        item.insert("b".into(), AttributeValue::N(n("10.0")));
        let bytes = encode_item(&item);
        assert_eq!(bytes, b"\x01\x02\x01a\x01\x01x\x01b\x02\x0210".to_vec());
        assert_eq!(decode_item(&bytes), Ok(item));
    }

    #[test]
    fn every_truncation_is_an_error() {
        let bytes = encode_item(&sample());
        for len in 0..bytes.len() {
            assert!(
                decode_item(&bytes[..len]).is_err(),
                "prefix of {len} bytes decoded"
            );
        }
    }

    #[test]
    fn corrupt_input_never_panics() {
        assert_eq!(decode_item(&[9]), Err(DecodeError::UnknownVersion(9)));
        assert!(
            decode_item(&[
                1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F
            ])
            .is_err()
        );
        let mut deep = vec![1, 1, 1, b'a'];
        for _ in 0..100 {
            deep.extend_from_slice(&[TAG_L, 1]);
        }
        deep.push(TAG_NULL);
        assert_eq!(decode_item(&deep), Err(DecodeError::TooDeep));
    }
}

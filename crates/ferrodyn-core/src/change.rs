//! Change records: what every item write appends to the change feed, in the
//! same atomic commit as the write. Streams, TTL, global tables and
//! point-in-time recovery are built on this feed.
//!
//! Version 1 layout (the sequence number is the feed's key, not repeated):
//!
//! ```text
//! 0x01                          format version
//! table id        u64 BE        internal id of the table
//! time            i64 BE        commit time, epoch milliseconds
//! key             varint len | encoded item key (keycode)
//! old image       0x00 (absent) | 0x01 varint len | item (codec)
//! new image       0x00 (absent) | 0x01 varint len | item (codec)
//! ```

/// The change record format this build writes.
pub const CHANGE_FORMAT_VERSION: u8 = 1;

/// One decoded change record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRecord {
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

fn put_varint(mut v: usize, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_image(image: Option<&[u8]>, out: &mut Vec<u8>) {
    match image {
        None => out.push(0),
        Some(b) => {
            out.push(1);
            put_varint(b.len(), out);
            out.extend_from_slice(b);
        }
    }
}

/// Encodes a change record.
pub fn encode(
    table_id: u64,
    time_millis: i64,
    key: &[u8],
    old_image: Option<&[u8]>,
    new_image: Option<&[u8]>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        32 + key.len() + old_image.map_or(0, <[u8]>::len) + new_image.map_or(0, <[u8]>::len),
    );
    out.push(CHANGE_FORMAT_VERSION);
    out.extend_from_slice(&table_id.to_be_bytes());
    out.extend_from_slice(&time_millis.to_be_bytes());
    put_varint(key.len(), &mut out);
    out.extend_from_slice(key);
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

    fn varint(&mut self) -> Option<usize> {
        let mut v: usize = 0;
        for shift in (0..64).step_by(7) {
            let b = *self.take(1)?.first()?;
            v |= usize::from(b & 0x7F).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn image(&mut self) -> Option<Option<Vec<u8>>> {
        match self.take(1)?.first()? {
            0 => Some(None),
            1 => {
                let n = self.varint()?;
                Some(Some(self.take(n)?.to_vec()))
            }
            _ => None,
        }
    }
}

/// Decodes a change record; `None` if the bytes are corrupt or of an
/// unknown version.
pub fn decode(bytes: &[u8]) -> Option<ChangeRecord> {
    let mut r = Reader(bytes);
    if r.take(1)? != [CHANGE_FORMAT_VERSION] {
        return None;
    }
    let table_id = u64::from_be_bytes(r.take(8)?.try_into().ok()?);
    let time_millis = i64::from_be_bytes(r.take(8)?.try_into().ok()?);
    let n = r.varint()?;
    let key = r.take(n)?.to_vec();
    let old_image = r.image()?;
    let new_image = r.image()?;
    r.0.is_empty().then_some(ChangeRecord {
        table_id,
        time_millis,
        key,
        old_image,
        new_image,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let bytes = encode(3, 1_700_000_000_000, b"key", None, Some(b"new"));
        let r = decode(&bytes).expect("decodes");
        assert_eq!(r.table_id, 3);
        assert_eq!(r.time_millis, 1_700_000_000_000);
        assert_eq!(r.key, b"key");
        assert_eq!(r.old_image, None);
        assert_eq!(r.new_image, Some(b"new".to_vec()));
        for len in 0..bytes.len() {
            assert_eq!(decode(&bytes[..len]), None);
        }
    }
}

//! One file's contents in two versions: what was written, and what was
//! durable at the file's last fsync.
//!
//! Both versions are vectors of copy-on-write pages that share every page
//! they have in common, so an fsync copies page pointers, not bytes, and only
//! for the pages written since the previous one:
//!
//! ```text
//!              page 0    page 1    page 2    page 3
//!   current   [ A  ]    [ B' ]    [ C  ]    [ D  ]     len = 4 pages - 100
//!   durable   [ A  ]    [ B  ]    [ C  ]               len = 3 pages
//!               ^ same Arc  ^ copied when written    ^ appended since
//!   dirty     {1, 3}
//! ```
//!
//! A missing page (`None`) is a hole and reads as zeros. Power loss
//! ([`FileData::revert`]) makes `current` a copy of `durable`; fsync
//! ([`FileData::sync`]) makes `durable` a copy of `current`.
//!
//! Invariants, kept by every operation and checked by the model test below:
//! * every byte at or past `len` inside a present page is zero, so growing a
//!   file (by `set_len` or a write past the end) exposes zeros;
//! * a page index that is not in `dirty` holds the same page (the same `Arc`,
//!   or `None` in both) in both versions, wherever both have that index.

use std::collections::BTreeSet;
use std::sync::Arc;

/// The unit of copy-on-write sharing between the two versions.
pub const PAGE_BYTES: usize = 4096;

/// The largest file crashfs keeps (it lives in memory): writes or sizes past
/// it fail with `EFBIG`. ferrodyn's largest files (write-ahead logs, SST
/// files) stay far below it.
pub const FILE_SIZE_BYTES_MAX: u64 = 16 << 30;

type Page = Arc<[u8; PAGE_BYTES]>;

/// The size or range asked for is past [`FILE_SIZE_BYTES_MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge;

/// One version of a file's bytes.
#[derive(Debug, Clone, Default)]
struct Contents {
    pages: Vec<Option<Page>>,
    len: u64,
}

/// The number of pages that hold `len` bytes.
fn pages_for(len: u64) -> usize {
    // `len` is at most FILE_SIZE_BYTES_MAX, so the page count fits a usize.
    len.div_ceil(PAGE_BYTES as u64) as usize
}

/// Checks that `offset + len` stays within the size limit and returns it.
fn checked_end(offset: u64, len: u64) -> Result<u64, TooLarge> {
    match offset.checked_add(len) {
        Some(end) if end <= FILE_SIZE_BYTES_MAX => Ok(end),
        _ => Err(TooLarge),
    }
}

impl Contents {
    fn read(&self, offset: u64, size: usize) -> Vec<u8> {
        if offset >= self.len {
            return Vec::new();
        }
        let end = self.len.min(offset.saturating_add(size as u64));
        let mut out = Vec::with_capacity((end - offset) as usize);
        let mut pos = offset;
        while pos < end {
            let index = (pos / PAGE_BYTES as u64) as usize;
            let within = (pos % PAGE_BYTES as u64) as usize;
            let take = ((PAGE_BYTES - within) as u64).min(end - pos) as usize;
            match self.pages.get(index).and_then(Option::as_ref) {
                Some(page) => out.extend_from_slice(&page[within..within + take]),
                None => out.resize(out.len() + take, 0),
            }
            pos += take as u64;
        }
        out
    }

    /// Writes `data` at `offset`; returns the indices of the pages it touched.
    fn write(&mut self, offset: u64, data: &[u8]) -> Result<std::ops::Range<usize>, TooLarge> {
        let end = checked_end(offset, data.len() as u64)?;
        if data.is_empty() {
            return Ok(0..0);
        }
        if self.pages.len() < pages_for(end) {
            self.pages.resize(pages_for(end), None);
        }
        let first = (offset / PAGE_BYTES as u64) as usize;
        let mut pos = offset;
        let mut rest = data;
        while !rest.is_empty() {
            let index = (pos / PAGE_BYTES as u64) as usize;
            let within = (pos % PAGE_BYTES as u64) as usize;
            let take = (PAGE_BYTES - within).min(rest.len());
            let page = self.pages[index].get_or_insert_with(|| Arc::new([0; PAGE_BYTES]));
            // Copies the page if the durable version still shares it.
            Arc::make_mut(page)[within..within + take].copy_from_slice(&rest[..take]);
            rest = &rest[take..];
            pos += take as u64;
        }
        self.len = self.len.max(end);
        Ok(first..pages_for(end))
    }

    /// Zeroes `[offset, offset + len)` within the current length (the byte
    /// range a hole punch or zero-range covers); returns the touched pages.
    fn zero(&mut self, offset: u64, len: u64) -> std::ops::Range<usize> {
        let end = self.len.min(offset.saturating_add(len));
        if offset >= end {
            return 0..0;
        }
        let first = (offset / PAGE_BYTES as u64) as usize;
        let mut pos = offset;
        while pos < end {
            let index = (pos / PAGE_BYTES as u64) as usize;
            let within = (pos % PAGE_BYTES as u64) as usize;
            let take = ((PAGE_BYTES - within) as u64).min(end - pos) as usize;
            if let Some(page) = self.pages[index].as_mut() {
                if take == PAGE_BYTES {
                    self.pages[index] = None;
                } else {
                    Arc::make_mut(page)[within..within + take].fill(0);
                }
            }
            pos += take as u64;
        }
        first..pages_for(end)
    }

    /// Sets the length; returns the page indices whose contents changed.
    fn set_len(&mut self, len: u64) -> Result<std::ops::Range<usize>, TooLarge> {
        checked_end(len, 0)?;
        let old_pages = self.pages.len();
        if len >= self.len {
            // Bytes past the old length are zero already (invariant), so
            // growing changes no page's contents.
            self.pages.resize(old_pages.max(pages_for(len)), None);
            self.len = len;
            return Ok(0..0);
        }
        let keep = pages_for(len);
        self.pages.truncate(keep);
        let tail = (len % PAGE_BYTES as u64) as usize;
        let mut first_changed = keep;
        if tail != 0
            && let Some(page) = self.pages[keep - 1].as_mut()
        {
            Arc::make_mut(page)[tail..].fill(0);
            first_changed = keep - 1;
        }
        self.len = len;
        Ok(first_changed..old_pages)
    }
}

/// A regular file's data: the version every read sees, and the version that
/// survives power loss.
#[derive(Debug, Default)]
pub struct FileData {
    current: Contents,
    durable: Contents,
    /// Pages whose current and durable versions may differ.
    dirty: BTreeSet<usize>,
    /// The length changed since the last sync (a pure size change touches no
    /// page, but is lost all the same).
    len_changed: bool,
}

impl FileData {
    /// Current length in bytes.
    pub fn len(&self) -> u64 {
        self.current.len
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.current.len == 0
    }

    /// Length in bytes of the durable version.
    pub fn durable_len(&self) -> u64 {
        self.durable.len
    }

    /// Whether anything was changed since the last sync.
    pub fn has_unsynced(&self) -> bool {
        !self.dirty.is_empty() || self.len_changed
    }

    /// Pages that power loss would revert.
    pub fn unsynced_pages(&self) -> usize {
        self.dirty.len()
    }

    /// Number of 512-byte blocks the current version occupies (for `stat`).
    pub fn blocks(&self) -> u64 {
        let present = self
            .current
            .pages
            .iter()
            .filter(|page| page.is_some())
            .count() as u64;
        present * (PAGE_BYTES as u64 / 512)
    }

    /// Up to `size` bytes from `offset` of the current version (shorter at
    /// the end of the file).
    pub fn read(&self, offset: u64, size: usize) -> Vec<u8> {
        self.current.read(offset, size)
    }

    /// Up to `size` bytes from `offset` of the durable version.
    pub fn read_durable(&self, offset: u64, size: usize) -> Vec<u8> {
        self.durable.read(offset, size)
    }

    /// Writes `data` at `offset`, growing the file if it ends past the end.
    pub fn write(&mut self, offset: u64, data: &[u8]) -> Result<(), TooLarge> {
        let old_len = self.current.len;
        let touched = self.current.write(offset, data)?;
        self.dirty.extend(touched);
        self.len_changed |= self.current.len != old_len;
        Ok(())
    }

    /// Sets the length (ftruncate): shrinking drops bytes, growing adds zeros.
    pub fn set_len(&mut self, len: u64) -> Result<(), TooLarge> {
        let old_len = self.current.len;
        let changed = self.current.set_len(len)?;
        self.dirty.extend(changed);
        self.len_changed |= self.current.len != old_len;
        Ok(())
    }

    /// Zeroes a byte range inside the file without changing its length (a
    /// hole punch, or fallocate's zero-range).
    pub fn zero_range(&mut self, offset: u64, len: u64) {
        let touched = self.current.zero(offset, len);
        self.dirty.extend(touched);
    }

    /// fsync/fdatasync: the durable version becomes the current one.
    pub fn sync(&mut self) {
        let pages = self.current.pages.len();
        self.durable.pages.resize(pages, None);
        for &index in &self.dirty {
            if index < pages {
                self.durable.pages[index] = self.current.pages[index].clone();
            }
        }
        self.durable.len = self.current.len;
        self.dirty.clear();
        self.len_changed = false;
    }

    /// Power loss: the current version becomes the durable one. Returns the
    /// number of pages and whether the length were lost, for the report.
    pub fn revert(&mut self) -> Lost {
        let lost = Lost {
            pages: self.dirty.len(),
            length: self.len_changed,
        };
        self.current = self.durable.clone();
        self.dirty.clear();
        self.len_changed = false;
        lost
    }
}

/// What one file lost at power loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lost {
    /// Pages whose unsynced contents were dropped.
    pub pages: usize,
    /// Whether an unsynced length change was dropped.
    pub length: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The simple reference: two byte vectors, cloned at sync and crash.
    #[derive(Debug, Default)]
    struct Model {
        current: Vec<u8>,
        durable: Vec<u8>,
    }

    #[derive(Debug, Clone)]
    enum Op {
        Write(u64, Vec<u8>),
        SetLen(u64),
        Zero(u64, u64),
        Sync,
        Revert,
    }

    fn op() -> impl Strategy<Value = Op> {
        // Offsets around a few pages, so that writes straddle page edges,
        // files shrink into and grow out of partial pages, and holes appear.
        let offset = 0u64..(5 * PAGE_BYTES as u64);
        prop_oneof![
            4 => (offset.clone(), proptest::collection::vec(any::<u8>(), 0..(2 * PAGE_BYTES))).prop_map(|(o, d)| Op::Write(o, d)),
            2 => offset.clone().prop_map(Op::SetLen),
            1 => (offset.clone(), 0u64..(2 * PAGE_BYTES as u64)).prop_map(|(o, l)| Op::Zero(o, l)),
            2 => Just(Op::Sync),
            2 => Just(Op::Revert),
        ]
    }

    fn apply(model: &mut Model, data: &mut FileData, op: &Op) {
        match op {
            Op::Write(offset, bytes) => {
                let start = *offset as usize;
                let end = start + bytes.len();
                if !bytes.is_empty() {
                    if model.current.len() < end {
                        model.current.resize(end, 0);
                    }
                    model.current[start..end].copy_from_slice(bytes);
                }
                data.write(*offset, bytes).expect("within the size limit");
            }
            Op::SetLen(len) => {
                model.current.resize(*len as usize, 0);
                data.set_len(*len).expect("within the size limit");
            }
            Op::Zero(offset, len) => {
                let end = (*offset + *len).min(model.current.len() as u64) as usize;
                if (*offset as usize) < end {
                    model.current[*offset as usize..end].fill(0);
                }
                data.zero_range(*offset, *len);
            }
            Op::Sync => {
                model.durable = model.current.clone();
                data.sync();
            }
            Op::Revert => {
                model.current = model.durable.clone();
                data.revert();
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Every sequence of writes, truncations, hole punches, syncs and
        /// crashes leaves both versions byte-for-byte equal to the model's.
        #[test]
        fn matches_the_two_vector_model(ops in proptest::collection::vec(op(), 1..40)) {
            let mut model = Model::default();
            let mut data = FileData::default();
            for op in &ops {
                apply(&mut model, &mut data, op);
                prop_assert_eq!(data.len(), model.current.len() as u64);
                prop_assert_eq!(data.read(0, usize::MAX >> 1), model.current.clone());
                prop_assert_eq!(data.durable_len(), model.durable.len() as u64);
                prop_assert_eq!(data.read_durable(0, usize::MAX >> 1), model.durable.clone());
                if !data.has_unsynced() {
                    prop_assert_eq!(&model.current, &model.durable);
                }
            }
            // Reads from the middle agree too.
            let mid = model.current.len() as u64 / 3;
            let want: Vec<u8> = model.current.iter().skip(mid as usize).take(PAGE_BYTES + 7).copied().collect();
            prop_assert_eq!(data.read(mid, PAGE_BYTES + 7), want);
        }
    }

    #[test]
    fn unsynced_data_is_lost_and_synced_data_kept() {
        let mut data = FileData::default();
        data.write(0, b"durable").expect("write");
        data.sync();
        data.write(7, b" and volatile").expect("write");
        assert_eq!(data.read(0, 100), b"durable and volatile");
        let lost = data.revert();
        assert_eq!(
            lost,
            Lost {
                pages: 1,
                length: true
            }
        );
        assert_eq!(data.read(0, 100), b"durable");
        assert!(!data.has_unsynced());
    }

    #[test]
    fn a_never_synced_file_reverts_to_empty() {
        let mut data = FileData::default();
        data.write(3 * PAGE_BYTES as u64, b"x").expect("write");
        data.revert();
        assert_eq!(data.len(), 0);
        assert!(data.read(0, 10).is_empty());
    }

    #[test]
    fn an_unsynced_truncation_is_undone() {
        let mut data = FileData::default();
        data.write(0, &[7; 3 * PAGE_BYTES]).expect("write");
        data.sync();
        data.set_len(10).expect("truncate");
        data.set_len(2 * PAGE_BYTES as u64).expect("grow");
        assert_eq!(data.read(PAGE_BYTES as u64, 1), [0]);
        data.revert();
        assert_eq!(data.read(0, 4 * PAGE_BYTES), vec![7; 3 * PAGE_BYTES]);
    }

    #[test]
    fn sync_shares_pages_instead_of_copying() {
        let mut data = FileData::default();
        data.write(0, &[1; 4 * PAGE_BYTES]).expect("write");
        data.sync();
        data.write(PAGE_BYTES as u64, b"changed").expect("write");
        assert_eq!(data.unsynced_pages(), 1);
        for index in [0, 2, 3] {
            let (Some(a), Some(b)) = (&data.current.pages[index], &data.durable.pages[index])
            else {
                panic!("page {index} missing");
            };
            assert!(Arc::ptr_eq(a, b), "page {index} was copied");
        }
    }

    #[test]
    fn sizes_past_the_limit_are_refused() {
        let mut data = FileData::default();
        assert_eq!(data.write(FILE_SIZE_BYTES_MAX, b"x"), Err(TooLarge));
        assert_eq!(data.write(u64::MAX, b"x"), Err(TooLarge));
        assert_eq!(data.set_len(FILE_SIZE_BYTES_MAX + 1), Err(TooLarge));
        assert!(data.is_empty());
    }
}

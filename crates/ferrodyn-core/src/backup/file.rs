//! A backup's items on disk, one file per backup:
//!
//! ```text
//! <dir>/<backup id>.backup     a finished backup
//! <dir>/<backup id>.partial    one being written (removed after a crash)
//!
//! "FDBACKUP" | format (u8) | zstd stream of:
//!     ( length (u32 LE) | stored item bytes ) *
//!     END (u32 LE 0xFFFF_FFFF) | items (u64 LE) | xxh3 of every item's bytes (u64 LE)
//! ```
//!
//! The items are stored as the table holds them (`ferrodyn_model::codec`),
//! in key order. A file is written under its `.partial` name, synced, and
//! only then renamed, so a `.backup` file is always whole; the reader checks
//! the trailer's count and checksum, so a damaged one is refused rather than
//! restored in part.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::Xxh3;

use crate::error::{CoreError, Result};

const MAGIC: &[u8; 8] = b"FDBACKUP";
const FORMAT: u8 = 1;
const END: u32 = u32::MAX;
/// zstd's fastest levels compress at several hundred MB/s a core: a backup
/// is written at about the speed the disk takes it.
const ZSTD_LEVEL: i32 = 1;
/// The largest item record accepted when reading (an item is at most 400 KB).
const RECORD_BYTES_MAX: u32 = 1 << 20;

/// Where a finished backup's file is.
pub(crate) fn finished_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.backup"))
}

fn partial_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.partial"))
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> CoreError {
    CoreError::Internal(format!("backup file {}: {what}: {e}", path.display()))
}

/// Writes one backup's file.
pub(crate) struct BackupWriter {
    dir: PathBuf,
    id: String,
    out: zstd::stream::write::Encoder<'static, BufWriter<File>>,
    hash: Xxh3,
    items: u64,
}

impl std::fmt::Debug for BackupWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackupWriter")
            .field("id", &self.id)
            .field("items", &self.items)
            .finish()
    }
}

impl BackupWriter {
    /// Starts the file of backup `id` in `dir` (created if missing).
    pub(crate) fn create(dir: &Path, id: &str) -> Result<BackupWriter> {
        let path = partial_path(dir, id);
        create_private_dir(dir).map_err(|e| io_err("cannot create its directory", dir, e))?;
        let file = private_file(&path).map_err(|e| io_err("cannot create", &path, e))?;
        let mut buffered = BufWriter::with_capacity(1 << 20, file);
        buffered
            .write_all(MAGIC)
            .and_then(|()| buffered.write_all(&[FORMAT]))
            .map_err(|e| io_err("cannot write", &path, e))?;
        let out = zstd::stream::write::Encoder::new(buffered, ZSTD_LEVEL)
            .map_err(|e| io_err("cannot start compressing", &path, e))?;
        Ok(BackupWriter {
            dir: dir.to_path_buf(),
            id: id.to_owned(),
            out,
            hash: Xxh3::new(),
            items: 0,
        })
    }

    /// Appends one item, as stored.
    pub(crate) fn push(&mut self, item: &[u8]) -> Result<()> {
        let len = u32::try_from(item.len())
            .ok()
            .filter(|&l| l < END)
            .ok_or_else(|| CoreError::Internal("item too large for a backup".into()))?;
        self.out
            .write_all(&len.to_le_bytes())
            .and_then(|()| self.out.write_all(item))
            .map_err(|e| io_err("cannot write", &partial_path(&self.dir, &self.id), e))?;
        self.hash.update(item);
        self.items += 1;
        Ok(())
    }

    /// Ends the file, makes it durable and gives it its finished name.
    pub(crate) fn finish(mut self) -> Result<()> {
        let path = partial_path(&self.dir, &self.id);
        let write = |e| io_err("cannot finish", &path, e);
        self.out.write_all(&END.to_le_bytes()).map_err(write)?;
        self.out
            .write_all(&self.items.to_le_bytes())
            .map_err(write)?;
        self.out
            .write_all(&self.hash.digest().to_le_bytes())
            .map_err(write)?;
        let buffered = self.out.finish().map_err(write)?;
        let file = buffered.into_inner().map_err(|e| write(e.into_error()))?;
        file.sync_all().map_err(write)?;
        let finished = finished_path(&self.dir, &self.id);
        std::fs::rename(&path, &finished).map_err(write)?;
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_err("cannot sync", &self.dir, e))
    }

    /// Abandons the file.
    pub(crate) fn abandon(self) {
        let path = partial_path(&self.dir, &self.id);
        drop(self.out);
        let _ = std::fs::remove_file(path);
    }
}

/// Reads one backup's file, checking it whole at its end.
pub(crate) struct BackupReader {
    path: PathBuf,
    input: zstd::stream::read::Decoder<'static, BufReader<File>>,
    hash: Xxh3,
    items: u64,
    done: bool,
}

impl std::fmt::Debug for BackupReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackupReader")
            .field("path", &self.path)
            .field("items", &self.items)
            .finish()
    }
}

impl BackupReader {
    /// Opens the finished backup `id` in `dir`.
    pub(crate) fn open(dir: &Path, id: &str) -> Result<BackupReader> {
        let path = finished_path(dir, id);
        let file = File::open(&path).map_err(|e| io_err("cannot open", &path, e))?;
        let mut buffered = BufReader::with_capacity(1 << 20, file);
        let mut header = [0u8; 9];
        buffered
            .read_exact(&mut header)
            .map_err(|e| io_err("cannot read", &path, e))?;
        if &header[..8] != MAGIC || header[8] != FORMAT {
            return Err(CoreError::Internal(format!(
                "backup file {}: not a backup of this format",
                path.display()
            )));
        }
        let input = zstd::stream::read::Decoder::with_buffer(buffered)
            .map_err(|e| io_err("cannot decompress", &path, e))?;
        Ok(BackupReader {
            path,
            input,
            hash: Xxh3::new(),
            items: 0,
            done: false,
        })
    }

    fn read_u32(&mut self) -> Result<u32> {
        let mut b = [0u8; 4];
        self.input
            .read_exact(&mut b)
            .map_err(|e| io_err("truncated or damaged", &self.path, e))?;
        Ok(u32::from_le_bytes(b))
    }

    fn read_u64(&mut self) -> Result<u64> {
        let mut b = [0u8; 8];
        self.input
            .read_exact(&mut b)
            .map_err(|e| io_err("truncated or damaged", &self.path, e))?;
        Ok(u64::from_le_bytes(b))
    }

    /// The next item as stored, or `None` at the end once the file has
    /// been checked whole.
    pub(crate) fn next_item(&mut self) -> Result<Option<Vec<u8>>> {
        if self.done {
            return Ok(None);
        }
        let len = self.read_u32()?;
        if len == END {
            let items = self.read_u64()?;
            let hash = self.read_u64()?;
            if items != self.items || hash != self.hash.digest() {
                return Err(CoreError::Internal(format!(
                    "backup file {}: its checksum does not match its items",
                    self.path.display()
                )));
            }
            self.done = true;
            return Ok(None);
        }
        if len > RECORD_BYTES_MAX {
            return Err(CoreError::Internal(format!(
                "backup file {}: damaged (a record of {len} bytes)",
                self.path.display()
            )));
        }
        let mut item = vec![0u8; len as usize];
        self.input
            .read_exact(&mut item)
            .map_err(|e| io_err("truncated or damaged", &self.path, e))?;
        self.hash.update(&item);
        self.items += 1;
        Ok(Some(item))
    }
}

/// Removes a backup's file, finished or not; a missing file is no error.
pub(crate) fn remove(dir: &Path, id: &str) -> Result<()> {
    for path in [finished_path(dir, id), partial_path(dir, id)] {
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err("cannot remove", &path, e)),
        }
    }
    Ok(())
}

/// The ids of the backups whose files were left half-written.
pub(crate) fn partial_ids(dir: &Path) -> Vec<String> {
    ids_with_suffix(dir, ".partial")
}

/// The ids of the backups whose files are whole.
pub(crate) fn finished_ids(dir: &Path) -> Vec<String> {
    ids_with_suffix(dir, ".backup")
}

fn ids_with_suffix(dir: &Path, suffix: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(suffix))
                .map(str::to_owned)
        })
        .collect()
}

/// Creates `dir` (and its parents) readable by its owner only.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Creates (or truncates) `path` readable by its owner only.
fn private_file(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_round_trips_and_damage_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut w = BackupWriter::create(dir.path(), "01-aa").expect("create");
        let items: Vec<Vec<u8>> = (0..1000u32)
            .map(|i| format!("item {i}").repeat(i as usize % 7 + 1).into_bytes())
            .collect();
        for i in &items {
            w.push(i).expect("push");
        }
        assert!(partial_ids(dir.path()).contains(&"01-aa".to_owned()));
        w.finish().expect("finish");
        assert!(partial_ids(dir.path()).is_empty());
        let mut r = BackupReader::open(dir.path(), "01-aa").expect("open");
        let mut read = Vec::new();
        while let Some(i) = r.next_item().expect("item") {
            read.push(i);
        }
        assert_eq!(read, items);

        // Damage one byte in the middle: refused, never read as complete.
        let path = finished_path(dir.path(), "01-aa");
        let mut bytes = std::fs::read(&path).expect("read");
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x55;
        std::fs::write(&path, &bytes).expect("write");
        let mut r = BackupReader::open(dir.path(), "01-aa").expect("open");
        let outcome = loop {
            match r.next_item() {
                Ok(Some(_)) => continue,
                other => break other,
            }
        };
        assert!(outcome.is_err(), "a damaged file read to its end");
        remove(dir.path(), "01-aa").expect("remove");
        assert!(!path.exists());
    }
}

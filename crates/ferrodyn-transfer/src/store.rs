//! Where exports are written: object stores of buckets and keys.
//!
//! [`S3Store`] writes to any S3-compatible store (AWS S3, MinIO, moto, ...)
//! through the `rust-s3` client, path-style.
//!
//! [`LocalStore`] keeps each bucket as a directory of one root (ferrodyn's
//! stand-in for S3 for people without an object store): bucket `b`, key
//! `p/AWSDynamoDB/x/_started` is the file `<root>/b/p/AWSDynamoDB/x/_started`.
//! A bucket exists when its directory does.

use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use md5::{Digest as _, Md5};

use crate::{Result, TransferError};

/// An object store.
pub trait ObjectStore: Send + Sync + std::fmt::Debug {
    /// Writes object `key` of `bucket` whole, durably; returns its ETag
    /// (the hex MD5 of its bytes, as S3 answers a single-part upload).
    fn put(&self, bucket: &str, key: &str, bytes: &[u8]) -> Result<String>;
}

/// Buckets as directories of `root`.
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    /// Buckets are the directories of `root`.
    pub fn new(root: PathBuf) -> LocalStore {
        LocalStore { root }
    }

    /// The file of `key` in `bucket` (one [`LocalStore::bucket_exists`]
    /// accepts): only plain relative names, so that no key reaches outside
    /// its bucket.
    fn path(&self, bucket: &str, key: &str) -> Result<PathBuf> {
        let relative = Path::new(key);
        let plain = !key.is_empty()
            && relative
                .components()
                .all(|c| matches!(c, Component::Normal(_)));
        if !plain {
            return Err(TransferError::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("key {key:?} cannot be written to a directory"),
            )));
        }
        Ok(self.root.join(bucket).join(relative))
    }
}

impl LocalStore {
    /// Whether `bucket` exists: a directory of the root.
    pub fn bucket_exists(&self, bucket: &str) -> bool {
        !bucket.contains(['/', '\\']) && !bucket.starts_with('.') && self.root.join(bucket).is_dir()
    }
}

impl ObjectStore for LocalStore {
    fn put(&self, bucket: &str, key: &str, bytes: &[u8]) -> Result<String> {
        if !self.bucket_exists(bucket) {
            return Err(TransferError::NoSuchBucket);
        }
        let path = self.path(bucket, key)?;
        let bucket_dir = self.root.join(bucket);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // Whole or absent: written aside, synced, renamed; then every
        // directory from the file's up to the bucket is synced, so that
        // the names (new directories included) survive a power loss.
        let partial = path.with_extension("ferrodyn-partial");
        let mut file = std::fs::File::create(&partial)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&partial, &path)?;
        let mut dir = path.parent();
        while let Some(d) = dir {
            std::fs::File::open(d)?.sync_all()?;
            if d == bucket_dir {
                break;
            }
            dir = d.parent();
        }
        Ok(hex_md5(bytes))
    }
}

/// An S3-compatible object store.
#[derive(Debug, Clone)]
pub struct S3Store {
    region: s3::Region,
    credentials: s3::creds::Credentials,
}

impl S3Store {
    /// The store at `endpoint` (`http[s]://host[:port]`), signing for
    /// `region` with the given key.
    pub fn new(
        endpoint: &str,
        region: &str,
        access_key: &str,
        secret_key: &str,
    ) -> Result<S3Store> {
        let credentials =
            s3::creds::Credentials::new(Some(access_key), Some(secret_key), None, None, None)
                .map_err(|e| TransferError::Store(e.to_string()))?;
        Ok(S3Store {
            region: s3::Region::Custom {
                region: region.to_owned(),
                endpoint: endpoint.trim_end_matches('/').to_owned(),
            },
            credentials,
        })
    }
}

impl ObjectStore for S3Store {
    fn put(&self, bucket: &str, key: &str, bytes: &[u8]) -> Result<String> {
        let store_error = |e: s3::error::S3Error| TransferError::Store(e.to_string());
        let bucket = s3::Bucket::new(bucket, self.region.clone(), self.credentials.clone())
            .map_err(store_error)?
            .with_path_style();
        let response = bucket.put_object(key, bytes).map_err(store_error)?;
        let status = response.status_code();
        let body = String::from_utf8_lossy(response.as_slice()).into_owned();
        match status {
            200..=299 => Ok(response
                .headers()
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case("etag"))
                .map(|(_, v)| v.trim_matches('"').to_owned())
                .unwrap_or_else(|| hex_md5(bytes))),
            // A PUT of an object finds nothing else missing (the client
            // does not always hand the error's body over).
            404 => Err(TransferError::NoSuchBucket),
            403 => Err(TransferError::AccessDenied(body)),
            _ => Err(TransferError::Store(format!("HTTP {status}: {body}"))),
        }
    }
}

/// The hex MD5 of `bytes`.
pub fn hex_md5(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_stay_inside_their_bucket() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = LocalStore::new(dir.path().to_path_buf());
        assert!(matches!(
            store.put("b", "k", b"x"),
            Err(TransferError::NoSuchBucket)
        ));
        std::fs::create_dir(dir.path().join("b")).expect("bucket");
        let etag = store
            .put("b", "p/AWSDynamoDB/x/_started", b"")
            .expect("put");
        assert_eq!(etag, "d41d8cd98f00b204e9800998ecf8427e");
        assert!(dir.path().join("b/p/AWSDynamoDB/x/_started").is_file());
        for key in ["../escape", "/abs", "a/../../b", ""] {
            assert!(store.put("b", key, b"x").is_err(), "{key}");
        }
        assert!(!store.bucket_exists(".."));
    }
}

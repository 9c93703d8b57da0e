//! An export's layout, as DynamoDB writes it to S3:
//!
//! ```text
//! [<prefix>/]AWSDynamoDB/<export id>/_started                 empty, written first
//!                                   data/<name>.json.gz (or .ion.gz)  gzip, one item per line
//!                                   manifest-files.json       one JSON line per data file
//!                                   manifest-files.md5        base64 MD5 of manifest-files.json
//!                                   manifest-summary.json     the export's summary
//!                                   manifest-summary.md5      base64 MD5 of manifest-summary.json
//! ```
//!
//! A `manifest-files.json` line is `{"itemCount":N,"md5Checksum":"<base64
//! MD5 of the data file>","etag":"<its ETag>","dataFileS3Key":"<its key>"}`;
//! keys are whole, from the bucket's root, prefix included.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::sync::Arc;

use base64::Engine as _;
use ferrodyn_model::AttributeValue;
use flate2::Compression;
use flate2::write::GzEncoder;
use md5::{Digest as _, Md5};
use serde_json::{Value, json};

use crate::store::ObjectStore;
use crate::{Result, ddb_json, ion};

/// Items per data file at most.
pub const DATA_FILE_ITEMS_MAX: u64 = 100_000;
/// Uncompressed bytes per data file at most (about; the line that crosses
/// it is the file's last).
pub const DATA_FILE_BYTES_MAX: u64 = 64 << 20;
/// `version` of a full export's summary.
const SUMMARY_VERSION: &str = "2020-06-30";

/// `ExportFormat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// `DYNAMODB_JSON`.
    DynamoDbJson,
    /// `ION`.
    Ion,
}

impl ExportFormat {
    /// The wire name.
    pub fn wire_name(self) -> &'static str {
        match self {
            ExportFormat::DynamoDbJson => "DYNAMODB_JSON",
            ExportFormat::Ion => "ION",
        }
    }

    /// The format named `name` on the wire.
    pub fn from_wire_name(name: &str) -> Option<ExportFormat> {
        match name {
            "DYNAMODB_JSON" => Some(ExportFormat::DynamoDbJson),
            "ION" => Some(ExportFormat::Ion),
            _ => None,
        }
    }

    fn extension(self) -> &'static str {
        match self {
            ExportFormat::DynamoDbJson => "json.gz",
            ExportFormat::Ion => "ion.gz",
        }
    }

    fn line(self, item: &BTreeMap<String, AttributeValue>) -> Vec<u8> {
        match self {
            ExportFormat::DynamoDbJson => ddb_json::item_line(item),
            ExportFormat::Ion => ion::item_line(item),
        }
    }
}

/// Where an export goes.
#[derive(Clone, Debug)]
pub struct ExportTarget {
    /// `S3Bucket`.
    pub bucket: String,
    /// `S3Prefix`, as given.
    pub prefix: Option<String>,
    /// The export's id (the last part of its ARN).
    pub export_id: String,
}

impl ExportTarget {
    /// `[<prefix>/]AWSDynamoDB/<export id>`: the prefix joined with one
    /// `/` (a prefix ending in `/` keeps it).
    pub fn root(&self) -> String {
        match self.prefix.as_deref().filter(|p| !p.is_empty()) {
            Some(p) if p.ends_with('/') => format!("{p}AWSDynamoDB/{}", self.export_id),
            Some(p) => format!("{p}/AWSDynamoDB/{}", self.export_id),
            None => format!("AWSDynamoDB/{}", self.export_id),
        }
    }

    /// The key of `manifest-summary.json` (`ExportManifest`).
    pub fn manifest_summary_key(&self) -> String {
        format!("{}/manifest-summary.json", self.root())
    }
}

/// What the summary says besides what the writer counted.
#[derive(Clone, Debug)]
pub struct Summary {
    /// `exportArn`.
    pub export_arn: String,
    /// `startTime`, epoch milliseconds.
    pub start_millis: i64,
    /// `endTime`, epoch milliseconds.
    pub end_millis: i64,
    /// `tableArn`.
    pub table_arn: String,
    /// `tableId`.
    pub table_id: String,
    /// `exportTime`, epoch milliseconds.
    pub export_millis: i64,
    /// `s3SseAlgorithm`.
    pub sse_algorithm: String,
    /// `s3SseKmsKeyId`.
    pub sse_kms_key_id: Option<String>,
    /// `billedSizeBytes`.
    pub billed_size_bytes: u64,
}

/// One data file being filled.
struct DataFile {
    gzip: GzEncoder<Vec<u8>>,
    items: u64,
    bytes: u64,
}

/// Writes one export: `_started` at [`ExportWriter::start`], then data
/// files as items come, then the manifests at [`ExportWriter::finish`].
pub struct ExportWriter {
    store: Arc<dyn ObjectStore>,
    target: ExportTarget,
    format: ExportFormat,
    current: Option<DataFile>,
    /// `manifest-files.json`, so far.
    manifest_files: Vec<u8>,
    files: u64,
    items: u64,
}

impl std::fmt::Debug for ExportWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportWriter")
            .field("target", &self.target)
            .field("files", &self.files)
            .field("items", &self.items)
            .finish()
    }
}

impl ExportWriter {
    /// Writes `_started` (which fails on a missing bucket, as AWS's first
    /// write does).
    pub fn start(
        store: Arc<dyn ObjectStore>,
        target: ExportTarget,
        format: ExportFormat,
    ) -> Result<ExportWriter> {
        store.put(&target.bucket, &format!("{}/_started", target.root()), b"")?;
        Ok(ExportWriter {
            store,
            target,
            format,
            current: None,
            manifest_files: Vec::new(),
            files: 0,
            items: 0,
        })
    }

    /// Adds one item.
    pub fn push(&mut self, item: &BTreeMap<String, AttributeValue>) -> Result<()> {
        let line = self.format.line(item);
        let file = self.current.get_or_insert_with(|| DataFile {
            gzip: GzEncoder::new(Vec::new(), Compression::fast()),
            items: 0,
            bytes: 0,
        });
        file.gzip.write_all(&line)?;
        file.items += 1;
        file.bytes += line.len() as u64;
        self.items += 1;
        if file.items >= DATA_FILE_ITEMS_MAX || file.bytes >= DATA_FILE_BYTES_MAX {
            self.close_file()?;
        }
        Ok(())
    }

    /// Items written so far.
    pub fn items(&self) -> u64 {
        self.items
    }

    /// Writes the current data file (an empty one if the export has none)
    /// and its manifest line.
    fn close_file(&mut self) -> Result<()> {
        let Some(file) = self.current.take() else {
            return Ok(());
        };
        let bytes = file.gzip.finish()?;
        let name =
            crate::store::hex_md5(format!("{}/{}", self.target.export_id, self.files).as_bytes());
        let key = format!(
            "{}/data/{name}.{}",
            self.target.root(),
            self.format.extension()
        );
        let etag = self.store.put(&self.target.bucket, &key, &bytes)?;
        self.files += 1;
        let line = json!({
            "itemCount": file.items,
            "md5Checksum": base64_md5(&bytes),
            "etag": etag,
            "dataFileS3Key": key,
        });
        // Writing a `Value` to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut self.manifest_files, &line);
        self.manifest_files.push(b'\n');
        Ok(())
    }

    /// Writes the last data file, `manifest-files.json`,
    /// `manifest-summary.json` and their checksums; returns the item count.
    pub fn finish(mut self, summary: &Summary) -> Result<u64> {
        if self.files == 0 && self.current.is_none() {
            // At least one data file, empty for an empty table, as AWS
            // writes one per partition.
            self.current = Some(DataFile {
                gzip: GzEncoder::new(Vec::new(), Compression::fast()),
                items: 0,
                bytes: 0,
            });
        }
        self.close_file()?;
        let root = self.target.root();
        let bucket = self.target.bucket.clone();
        let files_key = format!("{root}/manifest-files.json");
        self.store.put(&bucket, &files_key, &self.manifest_files)?;
        self.store.put(
            &bucket,
            &format!("{root}/manifest-files.md5"),
            base64_md5(&self.manifest_files).as_bytes(),
        )?;
        let fields: [(&str, Value); 15] = [
            ("version", json!(SUMMARY_VERSION)),
            ("exportArn", json!(summary.export_arn)),
            ("startTime", json!(iso_millis(summary.start_millis))),
            ("endTime", json!(iso_millis(summary.end_millis))),
            ("tableArn", json!(summary.table_arn)),
            ("tableId", json!(summary.table_id)),
            ("exportTime", json!(iso_millis(summary.export_millis))),
            ("s3Bucket", json!(bucket)),
            ("s3Prefix", json!(self.target.prefix)),
            ("s3SseAlgorithm", json!(summary.sse_algorithm)),
            ("s3SseKmsKeyId", json!(summary.sse_kms_key_id)),
            ("manifestFilesS3Key", json!(files_key)),
            ("billedSizeBytes", json!(summary.billed_size_bytes)),
            ("itemCount", json!(self.items)),
            ("outputFormat", json!(self.format.wire_name())),
        ];
        // In this order, as AWS's documentation shows it.
        let mut text = String::from("{");
        for (i, (name, value)) in fields.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&json!(name).to_string());
            text.push(':');
            text.push_str(&value.to_string());
        }
        text.push('}');
        self.store.put(
            &bucket,
            &self.target.manifest_summary_key(),
            text.as_bytes(),
        )?;
        self.store.put(
            &bucket,
            &format!("{root}/manifest-summary.md5"),
            base64_md5(text.as_bytes()).as_bytes(),
        )?;
        Ok(self.items)
    }
}

/// The base64 MD5 of `bytes` (S3's Content-MD5 form).
pub fn base64_md5(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(bytes))
}

/// Epoch milliseconds as `yyyy-mm-ddThh:mm:ss.fffZ`.
fn iso_millis(millis: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::LocalStore;
    use std::io::Read as _;

    #[test]
    fn instants_are_iso_with_milliseconds() {
        assert_eq!(iso_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_millis(1_791_506_414_432), "2026-10-09T00:40:14.432Z");
        assert_eq!(iso_millis(951_782_400_001), "2000-02-29T00:00:00.001Z");
    }

    #[test]
    fn prefixes_are_joined_with_one_slash() {
        let t = |prefix: Option<&str>| ExportTarget {
            bucket: "b".into(),
            prefix: prefix.map(str::to_owned),
            export_id: "01-ab".into(),
        };
        assert_eq!(t(None).root(), "AWSDynamoDB/01-ab");
        assert_eq!(t(Some("p")).root(), "p/AWSDynamoDB/01-ab");
        assert_eq!(t(Some("p/")).root(), "p/AWSDynamoDB/01-ab");
    }

    #[test]
    fn an_export_is_laid_out_with_checksums_that_hold() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("bucket")).expect("bucket");
        let store = Arc::new(LocalStore::new(dir.path().to_path_buf()));
        let target = ExportTarget {
            bucket: "bucket".into(),
            prefix: Some("pre".into()),
            export_id: "01700000000000-0000abcd".into(),
        };
        let mut w = ExportWriter::start(store, target, ExportFormat::DynamoDbJson).expect("start");
        for i in 0..3 {
            let item = BTreeMap::from([("pk".to_owned(), AttributeValue::S(format!("k{i}")))]);
            w.push(&item).expect("push");
        }
        let summary = Summary {
            export_arn: "arn:x".into(),
            start_millis: 0,
            end_millis: 1,
            table_arn: "arn:t".into(),
            table_id: "id".into(),
            export_millis: 0,
            sse_algorithm: "AES256".into(),
            sse_kms_key_id: None,
            billed_size_bytes: 0,
        };
        assert_eq!(w.finish(&summary).expect("finish"), 3);
        let root = dir
            .path()
            .join("bucket/pre/AWSDynamoDB/01700000000000-0000abcd");
        assert!(root.join("_started").is_file());
        let manifest = std::fs::read(root.join("manifest-files.json")).expect("manifest");
        assert_eq!(
            std::fs::read_to_string(root.join("manifest-files.md5")).expect("md5"),
            base64_md5(&manifest)
        );
        let line: Value =
            serde_json::from_slice(manifest.split(|b| *b == b'\n').next().expect("line"))
                .expect("json");
        assert_eq!(line["itemCount"], 3);
        let key = line["dataFileS3Key"].as_str().expect("key");
        assert!(
            key.starts_with("pre/AWSDynamoDB/01700000000000-0000abcd/data/")
                && key.ends_with(".json.gz"),
            "{key}"
        );
        let gz = std::fs::read(dir.path().join("bucket").join(key)).expect("data");
        assert_eq!(line["md5Checksum"], base64_md5(&gz));
        let mut text = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut text)
            .expect("gunzip");
        assert_eq!(text.lines().count(), 3);
        assert!(
            text.starts_with("{\"Item\":{\"pk\":{\"S\":\"k0\"}}}\n"),
            "{text}"
        );
        let summary: Value = serde_json::from_slice(
            &std::fs::read(root.join("manifest-summary.json")).expect("summary"),
        )
        .expect("json");
        assert_eq!(summary["itemCount"], 3);
        assert_eq!(summary["s3Prefix"], "pre");
        assert_eq!(summary["s3SseKmsKeyId"], Value::Null);
        assert_eq!(summary["outputFormat"], "DYNAMODB_JSON");
    }
}

//! DynamoDB's formats for data leaving and entering tables, free of the
//! database: what an export writes and an import reads.
//!
//! * [`ddb_json`]: items in DynamoDB JSON (`{"pk":{"S":"a"}}`), the wire's
//!   and an export's format;
//! * [`ion`]: items in Amazon Ion text, with DynamoDB's set annotations;
//! * [`store`]: where exports go: an S3-compatible object store, or a
//!   directory of buckets on this machine;
//! * [`export`]: an export's layout (`AWSDynamoDB/<id>/`: `_started`,
//!   `data/*.gz`, `manifest-files.json`, `manifest-summary.json` and their
//!   `.md5` checksums), exactly as DynamoDB writes it to S3.

pub mod ddb_json;
pub mod export;
pub mod ion;
pub mod store;

/// Transfer errors.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The destination bucket does not exist.
    #[error("The specified bucket does not exist")]
    NoSuchBucket,
    /// The object store refused access.
    #[error("Access Denied: {0}")]
    AccessDenied(String),
    /// The object store failed otherwise.
    #[error("the object store answered: {0}")]
    Store(String),
    /// Writing to the destination failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A transfer result.
pub type Result<T> = std::result::Result<T, TransferError>;

//! The core's error type: one variant per DynamoDB exception.
//!
//! Messages are DynamoDB's own text. The wire layer maps each variant to its
//! `__type` and HTTP status in one place (`ferrodyn-api`'s `error.rs`);
//! internal failures become [`CoreError::Internal`], whose detail is logged
//! but never sent to clients.

use ferrodyn_model::Item;
use ferrodyn_storage::StorageError;

/// A DynamoDB exception raised by an operation.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// `ValidationException`.
    #[error("{0}")]
    Validation(String),
    /// `ResourceNotFoundException`.
    #[error("{0}")]
    ResourceNotFound(String),
    /// `ResourceInUseException`.
    #[error("{0}")]
    ResourceInUse(String),
    /// `AccessDeniedException`: the caller may not act on the resource (a
    /// table of another account, named by ARN).
    #[error("{0}")]
    AccessDenied(String),
    /// `ConditionalCheckFailedException`, with the old item when the request
    /// asked for it (`ReturnValuesOnConditionCheckFailure = ALL_OLD`).
    #[error("The conditional request failed")]
    ConditionalCheckFailed {
        /// The item as it was, when requested.
        item: Option<Item>,
    },
    /// `DuplicateItemException`: a PartiQL INSERT of an existing key.
    #[error("{0}")]
    DuplicateItem(String),
    /// `LimitExceededException`.
    #[error("{0}")]
    LimitExceeded(String),
    /// `TableNotFoundException` (backups name a missing table this way).
    #[error("{0}")]
    TableNotFound(String),
    /// `TableAlreadyExistsException` (a restore's target name is taken).
    #[error("{0}")]
    TableAlreadyExists(String),
    /// `TableInUseException` (a restore's target is being restored).
    #[error("{0}")]
    TableInUse(String),
    /// `BackupNotFoundException`.
    #[error("{0}")]
    BackupNotFound(String),
    /// `BackupInUseException`: the backup is being created or restored.
    #[error("{0}")]
    BackupInUse(String),
    /// `PointInTimeRecoveryUnavailableException`: recovery is not enabled
    /// for the source table.
    #[error("{0}")]
    PointInTimeRecoveryUnavailable(String),
    /// `InvalidRestoreTimeException`: the instant is outside the window.
    #[error("{0}")]
    InvalidRestoreTime(String),
    /// `InvalidExportTimeException`.
    #[error("{0}")]
    InvalidExportTime(String),
    /// `ExportNotFoundException`.
    #[error("{0}")]
    ExportNotFound(String),
    /// `ExportConflictException`: a `ClientToken` reused with other
    /// parameters.
    #[error("{0}")]
    ExportConflict(String),
    /// Writing an export failed (reported in its record, never to a
    /// request).
    #[error(transparent)]
    Transfer(#[from] ferrodyn_transfer::TransferError),
    /// `ItemCollectionSizeLimitExceededException`.
    #[error("{0}")]
    ItemCollectionSizeLimitExceeded(String),
    /// `TransactionCanceledException`: one reason per action, in order.
    #[error("{}", transaction_canceled_message(.reasons))]
    TransactionCanceled {
        /// The reasons, one per action of the request.
        reasons: Vec<CancellationReason>,
    },
    /// `TransactionConflictException`: a single-item write met an
    /// in-flight transaction.
    #[error("{0}")]
    TransactionConflict(String),
    /// `IdempotentParameterMismatchException`.
    #[error("{0}")]
    IdempotentParameterMismatch(String),
    /// `TransactionInProgressException`.
    #[error("{0}")]
    TransactionInProgress(String),
    /// `ExpiredIteratorException` (DynamoDB Streams): a shard iterator older
    /// than fifteen minutes.
    #[error("{0}")]
    ExpiredIterator(String),
    /// `TrimmedDataAccessException` (DynamoDB Streams): a position before
    /// the oldest record kept.
    #[error("{0}")]
    TrimmedDataAccess(String),
    /// `InternalServerError`; the detail is for the log only.
    #[error("internal error: {0}")]
    Internal(String),
    /// `InternalServerError` because storage refuses writes for lack of
    /// space (retryable; storage has logged the outage once, so a request
    /// that meets it is not logged again).
    #[error("storage is out of space: {0}")]
    OutOfSpace(String),
    /// Not an answer: inside `ferrodyn_storage::cached_reads_only`, a read
    /// needed the disk. The server runs the operation again on a thread
    /// that may wait (reads change nothing, so running one twice is safe);
    /// should it ever reach a client, it is an `InternalServerError`.
    #[error("the read would wait for the disk")]
    WouldBlock,
}

/// Why one action of a transaction did not go through.
#[derive(Clone, Debug, PartialEq)]
pub struct CancellationReason {
    /// The code.
    pub code: CancellationCode,
    /// The message, for every code but `None`.
    pub message: Option<String>,
    /// The item, for a failed condition with
    /// `ReturnValuesOnConditionCheckFailure = ALL_OLD`.
    pub item: Option<Item>,
}

/// The codes of [`CancellationReason`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancellationCode {
    /// The action was fine; another one cancelled the transaction.
    None,
    /// Its condition did not hold.
    ConditionalCheckFailed,
    /// Another transaction or write was working on the item.
    TransactionConflict,
    /// The action was invalid for the item it met.
    ValidationError,
    /// A PartiQL INSERT met an existing item.
    DuplicateItem,
}

impl CancellationCode {
    /// The code as DynamoDB spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            CancellationCode::None => "None",
            CancellationCode::ConditionalCheckFailed => "ConditionalCheckFailed",
            CancellationCode::TransactionConflict => "TransactionConflict",
            CancellationCode::ValidationError => "ValidationError",
            CancellationCode::DuplicateItem => "DuplicateItem",
        }
    }
}

impl CancellationReason {
    /// The reason of an action that was fine.
    pub fn none() -> CancellationReason {
        CancellationReason {
            code: CancellationCode::None,
            message: None,
            item: None,
        }
    }

    /// A reason with a code and message.
    pub fn new(code: CancellationCode, message: impl Into<String>) -> CancellationReason {
        CancellationReason {
            code,
            message: Some(message.into()),
            item: None,
        }
    }
}

/// Reduces a transaction's reasons to what DynamoDB reports when some
/// action is invalid: the first `ValidationError` (with its message), and
/// `None` (without a message) for every other action, whatever else it met.
/// Reasons without a `ValidationError` are returned unchanged.
///
/// UNCONFIRMED (docs/compatibility.md): no capture of real AWS shows two
/// invalid actions in one transaction; this is issue 12's specification.
pub fn first_validation_error_only(reasons: Vec<CancellationReason>) -> Vec<CancellationReason> {
    let Some(first) = reasons
        .iter()
        .position(|r| r.code == CancellationCode::ValidationError)
    else {
        return reasons;
    };
    reasons
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            if i == first {
                r
            } else {
                CancellationReason::none()
            }
        })
        .collect()
}

/// "Transaction cancelled, please refer cancellation reasons for specific
/// reasons [None, ConditionalCheckFailed]".
fn transaction_canceled_message(reasons: &[CancellationReason]) -> String {
    let codes: Vec<&str> = reasons.iter().map(|r| r.code.as_str()).collect();
    format!(
        "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]",
        codes.join(", ")
    )
}

impl CoreError {
    /// A `ValidationException` with `message`.
    pub fn validation(message: impl Into<String>) -> CoreError {
        CoreError::Validation(message.into())
    }

    /// A `ValidationException` in DynamoDB's "One or more parameter values
    /// were invalid: ..." form.
    pub fn invalid_parameter(detail: impl std::fmt::Display) -> CoreError {
        CoreError::Validation(format!(
            "One or more parameter values were invalid: {detail}"
        ))
    }
}

/// Every expression error is a `ValidationException` with the expression
/// crate's message.
impl From<ferrodyn_expr::ExprError> for CoreError {
    fn from(e: ferrodyn_expr::ExprError) -> CoreError {
        CoreError::Validation(e.to_string())
    }
}

impl From<StorageError> for CoreError {
    fn from(e: StorageError) -> CoreError {
        match e {
            StorageError::WouldBlock => CoreError::WouldBlock,
            StorageError::NoSpace(detail) => CoreError::OutOfSpace(detail),
            e => CoreError::Internal(e.to_string()),
        }
    }
}

/// A core result.
pub type Result<T> = std::result::Result<T, CoreError>;

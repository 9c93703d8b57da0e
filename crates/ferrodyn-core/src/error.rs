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
    /// `ConditionalCheckFailedException`, with the old item when the request
    /// asked for it (`ReturnValuesOnConditionCheckFailure = ALL_OLD`).
    #[error("The conditional request failed")]
    ConditionalCheckFailed {
        /// The item as it was, when requested.
        item: Option<Item>,
    },
    /// `LimitExceededException`.
    #[error("{0}")]
    LimitExceeded(String),
    /// `InternalServerError`; the detail is for the log only.
    #[error("internal error: {0}")]
    Internal(String),
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
        CoreError::Internal(e.to_string())
    }
}

/// A core result.
pub type Result<T> = std::result::Result<T, CoreError>;

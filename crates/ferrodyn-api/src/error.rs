//! The wire layer's error type, and the one place where every error becomes
//! DynamoDB's `__type`, message and HTTP status.

use ferrodyn_core::CoreError;
use serde_json::{Map, Value};

/// An error on its way to the client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// An error from the core.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// `ValidationException` raised while reading the request.
    #[error("{0}")]
    Validation(String),
    /// `SerializationException`: the body is not JSON, or a member has the
    /// wrong JSON type. An empty message is sent as no message, as AWS does
    /// for unparseable bodies.
    #[error("{0}")]
    Serialization(String),
    /// `UnknownOperationException`: the target names no operation.
    #[error("unknown operation")]
    UnknownOperation,
    /// A signature failure; `type_name` is the exception's short name.
    #[error("{message}")]
    Auth {
        /// `MissingAuthenticationTokenException`, `InvalidSignatureException`, ...
        type_name: &'static str,
        /// AWS's message.
        message: String,
    },
    /// A body that does not decode in its `Content-Encoding`: DynamoDB
    /// answers it with InternalServerError (HTTP 500), so ferrodyn does;
    /// it is the client's fault, so it is not logged as an error.
    #[error("{0}")]
    UndecodableBody(crate::encoding::DecodeError),
    /// `InternalServerError`; the detail is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

/// An error as it goes on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct WireError {
    /// HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: Value,
    /// The short exception name, for logs.
    pub type_name: &'static str,
}

const DYNAMODB: &str = "com.amazonaws.dynamodb.v20120810#";
const CORAL_SERVICE: &str = "com.amazon.coral.service#";
const CORAL_VALIDATE: &str = "com.amazon.coral.validate#";

fn body(namespace: &str, name: &str, message_key: &str, message: Option<&str>) -> Value {
    let mut m = Map::new();
    m.insert("__type".into(), Value::String(format!("{namespace}{name}")));
    if let Some(msg) = message {
        m.insert(message_key.into(), Value::String(msg.to_owned()));
    }
    Value::Object(m)
}

/// Maps any error to DynamoDB's wire form. This is the only such mapping.
pub fn to_wire(e: &ApiError) -> WireError {
    let (status, type_name, body) = match e {
        ApiError::Validation(m) | ApiError::Core(CoreError::Validation(m)) => (
            400,
            "ValidationException",
            body(CORAL_VALIDATE, "ValidationException", "message", Some(m)),
        ),
        ApiError::Serialization(m) => (
            400,
            "SerializationException",
            body(
                CORAL_SERVICE,
                "SerializationException",
                "Message",
                (!m.is_empty()).then_some(m.as_str()),
            ),
        ),
        ApiError::UnknownOperation => (
            400,
            "UnknownOperationException",
            body(CORAL_SERVICE, "UnknownOperationException", "message", None),
        ),
        ApiError::Auth { type_name, message } => (
            400,
            *type_name,
            body(CORAL_SERVICE, type_name, "message", Some(message)),
        ),
        ApiError::Core(CoreError::ResourceNotFound(m)) => (
            400,
            "ResourceNotFoundException",
            body(DYNAMODB, "ResourceNotFoundException", "message", Some(m)),
        ),
        ApiError::Core(CoreError::ResourceInUse(m)) => (
            400,
            "ResourceInUseException",
            body(DYNAMODB, "ResourceInUseException", "message", Some(m)),
        ),
        // A coral exception with "Message" [real AWS bodies quoted in public
        // code, e.g. {"__type":"com.amazon.coral.service#AccessDeniedException",
        // "Message":"User: ... is not authorized to perform: dynamodb:GetItem ..."}].
        ApiError::Core(CoreError::AccessDenied(m)) => (
            400,
            "AccessDeniedException",
            body(CORAL_SERVICE, "AccessDeniedException", "Message", Some(m)),
        ),
        // The member is `message`, as the service model's shape has it.
        ApiError::Core(CoreError::DuplicateItem(m)) => (
            400,
            "DuplicateItemException",
            body(DYNAMODB, "DuplicateItemException", "message", Some(m)),
        ),
        ApiError::Core(CoreError::LimitExceeded(m)) => (
            400,
            "LimitExceededException",
            body(DYNAMODB, "LimitExceededException", "message", Some(m)),
        ),
        ApiError::Core(CoreError::TableNotFound(m)) => (
            400,
            "TableNotFoundException",
            body(DYNAMODB, "TableNotFoundException", "message", Some(m)),
        ),
        ApiError::Core(CoreError::TableAlreadyExists(m)) => (
            400,
            "TableAlreadyExistsException",
            body(DYNAMODB, "TableAlreadyExistsException", "message", Some(m)),
        ),
        ApiError::Core(CoreError::TableInUse(m)) => (
            400,
            "TableInUseException",
            body(DYNAMODB, "TableInUseException", "message", Some(m)),
        ),
        ApiError::Core(CoreError::BackupNotFound(m)) => (
            400,
            "BackupNotFoundException",
            body(DYNAMODB, "BackupNotFoundException", "message", Some(m)),
        ),
        ApiError::Core(CoreError::BackupInUse(m)) => (
            400,
            "BackupInUseException",
            body(DYNAMODB, "BackupInUseException", "message", Some(m)),
        ),
        ApiError::Core(CoreError::PointInTimeRecoveryUnavailable(m)) => (
            400,
            "PointInTimeRecoveryUnavailableException",
            body(
                DYNAMODB,
                "PointInTimeRecoveryUnavailableException",
                "message",
                Some(m),
            ),
        ),
        ApiError::Core(CoreError::InvalidRestoreTime(m)) => (
            400,
            "InvalidRestoreTimeException",
            body(DYNAMODB, "InvalidRestoreTimeException", "message", Some(m)),
        ),
        ApiError::Core(CoreError::InvalidExportTime(m)) => (
            400,
            "InvalidExportTimeException",
            body(DYNAMODB, "InvalidExportTimeException", "message", Some(m)),
        ),
        ApiError::Core(CoreError::ExportNotFound(m)) => (
            400,
            "ExportNotFoundException",
            body(DYNAMODB, "ExportNotFoundException", "message", Some(m)),
        ),
        ApiError::Core(CoreError::ExportConflict(m)) => (
            400,
            "ExportConflictException",
            body(DYNAMODB, "ExportConflictException", "message", Some(m)),
        ),
        ApiError::Core(e @ CoreError::ConditionalCheckFailed { item }) => {
            let mut b = body(
                DYNAMODB,
                "ConditionalCheckFailedException",
                "message",
                Some(&e.to_string()),
            );
            if let (Some(item), Value::Object(m)) = (item, &mut b) {
                m.insert("Item".into(), crate::wire::value::item_to_json(item));
            }
            (400, "ConditionalCheckFailedException", b)
        }
        ApiError::Core(e @ CoreError::TransactionCanceled { reasons }) => {
            // This exception spells its message member "Message".
            let mut b = body(
                DYNAMODB,
                "TransactionCanceledException",
                "Message",
                Some(&e.to_string()),
            );
            if let Value::Object(m) = &mut b {
                m.insert(
                    "CancellationReasons".into(),
                    Value::Array(reasons.iter().map(cancellation_reason).collect()),
                );
            }
            (400, "TransactionCanceledException", b)
        }
        ApiError::Core(CoreError::ItemCollectionSizeLimitExceeded(m)) => (
            400,
            "ItemCollectionSizeLimitExceededException",
            body(
                DYNAMODB,
                "ItemCollectionSizeLimitExceededException",
                "message",
                Some(m),
            ),
        ),
        ApiError::Core(CoreError::ExpiredIterator(m)) => (
            400,
            "ExpiredIteratorException",
            body(DYNAMODB, "ExpiredIteratorException", "message", Some(m)),
        ),
        ApiError::Core(CoreError::TrimmedDataAccess(m)) => (
            400,
            "TrimmedDataAccessException",
            body(DYNAMODB, "TrimmedDataAccessException", "message", Some(m)),
        ),
        ApiError::Core(CoreError::TransactionConflict(m)) => (
            400,
            "TransactionConflictException",
            body(DYNAMODB, "TransactionConflictException", "message", Some(m)),
        ),
        ApiError::Core(CoreError::IdempotentParameterMismatch(m)) => (
            400,
            "IdempotentParameterMismatchException",
            body(
                DYNAMODB,
                "IdempotentParameterMismatchException",
                "Message",
                Some(m),
            ),
        ),
        ApiError::Core(CoreError::TransactionInProgress(m)) => (
            400,
            "TransactionInProgressException",
            body(
                DYNAMODB,
                "TransactionInProgressException",
                "Message",
                Some(m),
            ),
        ),
        ApiError::Core(
            CoreError::Internal(_)
            | CoreError::WouldBlock
            | CoreError::OutOfSpace(_)
            | CoreError::Transfer(_),
        )
        | ApiError::Internal(_)
        | ApiError::UndecodableBody(_) => (
            500,
            "InternalServerError",
            body(
                DYNAMODB,
                "InternalServerError",
                "message",
                Some("Internal server error"),
            ),
        ),
    };
    WireError {
        status,
        body,
        type_name,
    }
}

/// One `CancellationReason`: `Code`, and `Message` and `Item` when set.
fn cancellation_reason(r: &ferrodyn_core::CancellationReason) -> Value {
    let mut m = Map::new();
    if let Some(item) = &r.item {
        m.insert("Item".into(), crate::wire::value::item_to_json(item));
    }
    m.insert("Code".into(), Value::String(r.code.as_str().to_owned()));
    if let Some(message) = &r.message {
        m.insert("Message".into(), Value::String(message.clone()));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_of_errors() {
        let w = to_wire(&ApiError::Validation("bad".into()));
        assert_eq!(w.status, 400);
        assert_eq!(
            w.body,
            serde_json::json!({"__type": "com.amazon.coral.validate#ValidationException", "message": "bad"})
        );
        let w = to_wire(&ApiError::Serialization(String::new()));
        assert_eq!(
            w.body,
            serde_json::json!({"__type": "com.amazon.coral.service#SerializationException"})
        );
        let w = to_wire(&ApiError::Core(CoreError::Internal("disk on fire".into())));
        assert_eq!(w.status, 500);
        assert!(
            !w.body.to_string().contains("disk"),
            "internal detail must not leak"
        );
    }
}

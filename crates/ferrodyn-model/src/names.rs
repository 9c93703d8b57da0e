//! The rules for table, index and attribute names.

use crate::limits::{
    ATTRIBUTE_NAME_BYTES_MAX, INDEX_NAME_LENGTH_MAX, INDEX_NAME_LENGTH_MIN, TABLE_NAME_LENGTH_MAX,
    TABLE_NAME_LENGTH_MIN,
};

/// The regular expression DynamoDB quotes in its validation messages.
pub const NAME_PATTERN: &str = "[a-zA-Z0-9_.-]+";

/// Whether every character of `name` is allowed in a table or index name.
pub fn has_valid_name_characters(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Whether `name` is a valid table name.
pub fn is_valid_table_name(name: &str) -> bool {
    (TABLE_NAME_LENGTH_MIN..=TABLE_NAME_LENGTH_MAX).contains(&name.chars().count())
        && has_valid_name_characters(name)
}

/// Whether `name` is a valid index name.
pub fn is_valid_index_name(name: &str) -> bool {
    (INDEX_NAME_LENGTH_MIN..=INDEX_NAME_LENGTH_MAX).contains(&name.chars().count())
        && has_valid_name_characters(name)
}

/// Why an attribute name is refused. The `Display` text is the detail
/// DynamoDB puts in its messages; each caller wraps it as the member that
/// carried the name requires (`One or more parameter values were invalid:
/// ...`, `ExpressionAttributeNames contains invalid value: ... for key #a`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttributeNameError {
    /// The empty name.
    Empty,
    /// A name longer than [`ATTRIBUTE_NAME_BYTES_MAX`] bytes.
    TooLong,
}

impl std::fmt::Display for AttributeNameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AttributeNameError::Empty => f.write_str("Empty attribute name"),
            // DynamoDB Local's wording (its ErrorFactory); AWS's answer is
            // known only to mention 65535 or 65536 [alternator test_limits].
            AttributeNameError::TooLong => write!(
                f,
                "Attribute name is too large, must be less than {} bytes",
                ATTRIBUTE_NAME_BYTES_MAX + 1
            ),
        }
    }
}

/// Checks the name of a top-level attribute (of an item, a key, or one
/// named by a request): at least one byte, at most
/// [`ATTRIBUTE_NAME_BYTES_MAX`] bytes of UTF-8.
pub fn check_attribute_name(name: &str) -> Result<(), AttributeNameError> {
    if name.is_empty() {
        Err(AttributeNameError::Empty)
    } else if name.len() > ATTRIBUTE_NAME_BYTES_MAX {
        Err(AttributeNameError::TooLong)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names() {
        assert!(is_valid_table_name("abc"));
        assert!(is_valid_table_name("a-b_c.d9"));
        assert!(!is_valid_table_name("ab"));
        assert!(!is_valid_table_name("abc!"));
        assert!(!is_valid_table_name(&"a".repeat(256)));
        assert!(is_valid_table_name(&"a".repeat(255)));
    }

    #[test]
    fn attribute_names() {
        assert_eq!(check_attribute_name("a"), Ok(()));
        assert_eq!(check_attribute_name(""), Err(AttributeNameError::Empty));
        assert_eq!(check_attribute_name(&"a".repeat(65_535)), Ok(()));
        assert_eq!(
            check_attribute_name(&"a".repeat(65_536)),
            Err(AttributeNameError::TooLong)
        );
        // Bytes, not characters.
        assert_eq!(
            check_attribute_name(&"é".repeat(32_768)),
            Err(AttributeNameError::TooLong)
        );
        assert_eq!(
            AttributeNameError::TooLong.to_string(),
            "Attribute name is too large, must be less than 65536 bytes"
        );
    }
}

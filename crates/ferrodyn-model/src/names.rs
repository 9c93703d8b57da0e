//! The rules for table and index names.

use crate::limits::{
    INDEX_NAME_LENGTH_MAX, INDEX_NAME_LENGTH_MIN, TABLE_NAME_LENGTH_MAX, TABLE_NAME_LENGTH_MIN,
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
}

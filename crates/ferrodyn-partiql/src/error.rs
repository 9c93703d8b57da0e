//! PartiQL's errors, structured; their `Display` is DynamoDB's message
//! (the wire layer sends it as a ValidationException unless the variant
//! says otherwise, see `ferrodyn-core`'s mapping).

use std::fmt;

/// Where a token starts: line and column, both from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Position {
    /// The line.
    pub line: usize,
    /// The column, in characters.
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[line: {}, column: {}]", self.line, self.column)
    }
}

/// Where a token of the statement is, as DynamoDB quotes it back at the end
/// of some messages: `line:column:length`, length in characters. Spans
/// are not part of what a statement means: any two compare equal, so that
/// a statement parsed from its canonical text equals the original.
#[derive(Clone, Copy, Debug, Default)]
pub struct Span {
    /// Where the token starts.
    pub at: Position,
    /// Its length.
    pub len: usize,
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl Eq for Span {}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.at.line, self.at.column, self.len)
    }
}

/// Why a statement was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PartiqlError {
    /// The statement does not parse; `detail` is the parser's word for why
    /// (empty for a lexical error, as on AWS).
    #[error("Statement wasn't well formed, can't be processed: {detail}")]
    Syntax {
        /// What the parser expected or found.
        detail: &'static str,
        /// Where (not part of the message: AWS gives none).
        at: Option<Position>,
    },
    /// A construct of PartiQL that DynamoDB does not support.
    #[error("Unsupported operation: {0}")]
    Unsupported(String),
    /// More `?` than `Parameters`.
    #[error("Number of parameters in request and statement don't match.")]
    ParameterCount,
    /// A WHERE clause of UPDATE or DELETE without the whole key.
    #[error("Where clause does not contain a mandatory equality on all key attributes")]
    KeyEqualityMissing,
    /// Another semantic problem, with its message.
    #[error("{0}")]
    Invalid(String),
}

impl PartiqlError {
    /// A semantic problem with `message`.
    pub fn invalid(message: impl Into<String>) -> PartiqlError {
        PartiqlError::Invalid(message.into())
    }

    /// A syntax error.
    pub fn syntax(detail: &'static str, at: Option<Position>) -> PartiqlError {
        PartiqlError::Syntax { detail, at }
    }
}

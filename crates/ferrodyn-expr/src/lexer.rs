//! The lexer shared by all five expression kinds.
//!
//! DynamoDB tokenizes every expression with one ANTLR lexer, so a keyword of
//! one kind (`SET`, `BETWEEN`) is a keyword in all of them. The token set,
//! in order of precedence when two rules match the same text:
//!
//! | token              | text                                   |
//! |--------------------|----------------------------------------|
//! | punctuation        | `,` `(` `)` `.` `[` `]` `+` `-`        |
//! | comparators        | `=` `<>` `<` `<=` `>` `>=`             |
//! | keywords           | `IN BETWEEN NOT AND OR SET ADD DELETE REMOVE`, any case |
//! | `Index`            | `0`, or a non-zero digit and digits     |
//! | `Id`               | a letter, then letters, digits, `_`     |
//! | `Name`             | `#` then one or more letters, digits, `_` |
//! | `Value`            | `:` then one or more letters, digits, `_` |
//! | `Unknown`          | any other single character             |
//!
//! The longest match wins, so `index` is an `Id` and `in` a keyword, and
//! `012` lexes as `0` then `12` (an index has no leading zeros). Whitespace
//! (space, tab, CR, LF) separates tokens and is otherwise ignored, except
//! that syntax errors quote it: see [`Tokens::syntax_error`].

use crate::error::Problem;

/// The kinds of token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `,`
    Comma,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `.`
    Dot,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `IN`
    In,
    /// `BETWEEN`
    Between,
    /// `NOT`
    Not,
    /// `AND`
    And,
    /// `OR`
    Or,
    /// `SET`
    Set,
    /// `ADD`
    Add,
    /// `DELETE`
    Delete,
    /// `REMOVE`
    Remove,
    /// A list index: `0` or digits without a leading zero.
    Index,
    /// An identifier: an attribute or function name.
    Id,
    /// A `#name` placeholder.
    Name,
    /// A `:value` placeholder.
    Value,
    /// Any other character.
    Unknown,
    /// The end of the input.
    Eof,
}

impl TokenKind {
    /// Whether the token is a comparison operator.
    pub fn is_comparator(self) -> bool {
        matches!(
            self,
            TokenKind::Eq
                | TokenKind::Ne
                | TokenKind::Lt
                | TokenKind::Le
                | TokenKind::Gt
                | TokenKind::Ge
        )
    }
}

/// One token: its kind and where its text lies in the expression (byte
/// offsets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past its last character.
    pub end: usize,
}

/// The tokens of one expression, ending with [`TokenKind::Eof`].
#[derive(Clone, Debug)]
pub struct Tokens<'a> {
    source: &'a str,
    tokens: Vec<Token>,
}

fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

const KEYWORDS: &[(&str, TokenKind)] = &[
    ("IN", TokenKind::In),
    ("BETWEEN", TokenKind::Between),
    ("NOT", TokenKind::Not),
    ("AND", TokenKind::And),
    ("OR", TokenKind::Or),
    ("SET", TokenKind::Set),
    ("ADD", TokenKind::Add),
    ("DELETE", TokenKind::Delete),
    ("REMOVE", TokenKind::Remove),
];

impl<'a> Tokens<'a> {
    /// Splits `source` into tokens. Lexing never fails: characters outside
    /// the grammar become [`TokenKind::Unknown`] tokens, which the parser
    /// then reports as syntax errors.
    pub fn new(source: &'a str) -> Tokens<'a> {
        let bytes = source.as_bytes();
        let mut tokens = Vec::new();
        let mut chars = source.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            if is_whitespace(c) {
                continue;
            }
            let single = |kind| (kind, start + 1);
            let (kind, end) = match c {
                ',' => single(TokenKind::Comma),
                '(' => single(TokenKind::LParen),
                ')' => single(TokenKind::RParen),
                '.' => single(TokenKind::Dot),
                '[' => single(TokenKind::LBracket),
                ']' => single(TokenKind::RBracket),
                '=' => single(TokenKind::Eq),
                '+' => single(TokenKind::Plus),
                '-' => single(TokenKind::Minus),
                '<' => match bytes.get(start + 1) {
                    Some(b'>') => (TokenKind::Ne, start + 2),
                    Some(b'=') => (TokenKind::Le, start + 2),
                    _ => single(TokenKind::Lt),
                },
                '>' => match bytes.get(start + 1) {
                    Some(b'=') => (TokenKind::Ge, start + 2),
                    _ => single(TokenKind::Gt),
                },
                '0' => single(TokenKind::Index),
                '1'..='9' => {
                    let end = scan(bytes, start + 1, |b| b.is_ascii_digit());
                    (TokenKind::Index, end)
                }
                'a'..='z' | 'A'..='Z' => {
                    let end = scan(bytes, start + 1, |b| is_id_char(char::from(b)));
                    let text = &source[start..end];
                    let kind = KEYWORDS
                        .iter()
                        .find(|(word, _)| word.eq_ignore_ascii_case(text))
                        .map_or(TokenKind::Id, |(_, kind)| *kind);
                    (kind, end)
                }
                '#' | ':' => {
                    let end = scan(bytes, start + 1, |b| is_id_char(char::from(b)));
                    if end == start + 1 {
                        single(TokenKind::Unknown)
                    } else if c == '#' {
                        (TokenKind::Name, end)
                    } else {
                        (TokenKind::Value, end)
                    }
                }
                other => (TokenKind::Unknown, start + other.len_utf8()),
            };
            // Multi-byte tokens are ASCII, so `end` is on a char boundary;
            // skip the characters the token consumed.
            while chars.peek().is_some_and(|(i, _)| *i < end) {
                chars.next();
            }
            tokens.push(Token { kind, start, end });
        }
        tokens.push(Token {
            kind: TokenKind::Eof,
            start: source.len(),
            end: source.len(),
        });
        Tokens { source, tokens }
    }

    /// The expression text.
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// The token at `index`; indexes past the end give the final `Eof`.
    pub fn get(&self, index: usize) -> Token {
        let last = self.tokens.len() - 1;
        self.tokens[index.min(last)]
    }

    /// The number of tokens including the final `Eof`.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether there are no tokens besides `Eof`.
    pub fn is_empty(&self) -> bool {
        self.tokens.len() <= 1
    }

    /// The text of the token at `index`.
    pub fn text(&self, index: usize) -> &'a str {
        let token = self.get(index);
        &self.source[token.start..token.end]
    }

    /// The syntax error DynamoDB reports when the token at `index` cannot
    /// continue the expression.
    ///
    /// `token` is the token's text, or `<EOF>` at the end. `near` is the text
    /// from the start of the previous token (or of the expression, when
    /// there is none) to the end of the next token (or of the expression,
    /// when the offending or next token is the end), whitespace included:
    /// DynamoDB's error listener concatenates the previous token, the hidden
    /// whitespace tokens on either side of the offending one, and the next
    /// token, which always amounts to that one slice of the source.
    pub fn syntax_error(&self, index: usize) -> Problem {
        let token = self.get(index);
        let start = if index == 0 {
            0
        } else {
            self.get(index - 1).start
        };
        let next = self.get(index + 1);
        let end = if token.kind == TokenKind::Eof || next.kind == TokenKind::Eof {
            self.source.len()
        } else {
            next.end
        };
        Problem::Syntax {
            token: if token.kind == TokenKind::Eof {
                "<EOF>".to_string()
            } else {
                self.source[token.start..token.end].to_string()
            },
            near: self.source[start..end].to_string(),
        }
    }
}

/// The end of the run of bytes from `from` that satisfy `accept`.
fn scan(bytes: &[u8], from: usize, accept: impl Fn(u8) -> bool) -> usize {
    let mut end = from;
    while end < bytes.len() && accept(bytes[end]) {
        end += 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<TokenKind> {
        let tokens = Tokens::new(source);
        (0..tokens.len()).map(|i| tokens.get(i).kind).collect()
    }

    #[test]
    fn keywords_are_case_insensitive_whole_words() {
        use TokenKind::*;
        assert_eq!(kinds("set index In"), vec![Set, Id, In, Eof]);
        assert_eq!(kinds("a<>b<=c"), vec![Id, Ne, Id, Le, Id, Eof]);
        assert_eq!(kinds("012"), vec![Index, Index, Eof]);
        assert_eq!(
            kinds("# :x #_1 _a ü"),
            vec![Unknown, Value, Name, Unknown, Id, Unknown, Eof]
        );
    }

    #[test]
    fn near_spans_previous_to_next_token() {
        let near = |s: &str, i: usize| match Tokens::new(s).syntax_error(i) {
            Problem::Syntax { token, near } => (token, near),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            near("SET path = VALUE 1", 4),
            ("1".into(), "VALUE 1".into())
        );
        assert_eq!(near("SET MyStr[ 3 ", 4), ("<EOF>".into(), "3 ".into()));
        assert_eq!(near("   |", 0), ("|".into(), "   |".into()));
        assert_eq!(near("SET #a a = 5", 2), ("a".into(), "#a a =".into()));
        assert_eq!(
            near("REMOVE NoExist + ", 2),
            ("+".into(), "NoExist + ".into())
        );
    }
}

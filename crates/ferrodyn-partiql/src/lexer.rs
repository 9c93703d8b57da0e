//! The lexer of DynamoDB's PartiQL dialect.
//!
//! | token           | text                                                  |
//! |-----------------|-------------------------------------------------------|
//! | punctuation     | `,` `(` `)` `[` `]` `{` `}` `<<` `>>` `.` `*` `:` `?` `;` |
//! | operators       | `=` `<>` `!=` `<` `<=` `>` `>=` `+` `-`               |
//! | `Word`          | a letter or `_`, then letters, digits, `_` (keywords are words, matched without regard to case by the parser) |
//! | `Quoted`        | `"..."`, `""` standing for one `"`: an identifier, case kept |
//! | `Str`           | `'...'`, `''` standing for one `'`                    |
//! | `Number`        | digits with an optional fraction and exponent          |
//!
//! Whitespace (space, tab, CR, LF) separates tokens; `--` starts a comment
//! to the end of the line and `/* ... */` is one. A character no token
//! starts with (`#`, for one), an unterminated quote or comment, is a
//! syntax error with an empty detail, as on AWS. Every token records where it starts (line and
//! column, both from 1), which syntax errors report.

use crate::error::{PartiqlError, Position, Span};

/// The kinds of token, with their text where it matters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    /// A bare word: a keyword or an identifier.
    Word(String),
    /// A double-quoted identifier, unescaped.
    Quoted(String),
    /// A single-quoted string, unescaped.
    Str(String),
    /// A number as written.
    Number(String),
    /// `,`
    Comma,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `<<`
    LBag,
    /// `>>`
    RBag,
    /// `.`
    Dot,
    /// `*`
    Star,
    /// `:`
    Colon,
    /// `?`
    Param,
    /// `;`
    Semicolon,
    /// `=`
    Eq,
    /// `<>` or `!=`
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
}

impl Token {
    /// The token as its error messages name it.
    pub fn describe(&self) -> String {
        match self {
            Token::Word(w) => w.clone(),
            Token::Quoted(q) => format!("\"{q}\""),
            Token::Str(s) => format!("'{s}'"),
            Token::Number(n) => n.clone(),
            other => other.symbol().to_owned(),
        }
    }

    fn symbol(&self) -> &'static str {
        match self {
            Token::Comma => ",",
            Token::LParen => "(",
            Token::RParen => ")",
            Token::LBracket => "[",
            Token::RBracket => "]",
            Token::LBrace => "{",
            Token::RBrace => "}",
            Token::LBag => "<<",
            Token::RBag => ">>",
            Token::Dot => ".",
            Token::Star => "*",
            Token::Colon => ":",
            Token::Param => "?",
            Token::Semicolon => ";",
            Token::Eq => "=",
            Token::Ne => "<>",
            Token::Lt => "<",
            Token::Le => "<=",
            Token::Gt => ">",
            Token::Ge => ">=",
            Token::Plus => "+",
            Token::Minus => "-",
            Token::Word(_) | Token::Quoted(_) | Token::Str(_) | Token::Number(_) => "",
        }
    }

    /// Whether the token is the keyword `keyword` (upper case), in any case.
    pub fn is_keyword(&self, keyword: &str) -> bool {
        matches!(self, Token::Word(w) if w.eq_ignore_ascii_case(keyword))
    }
}

/// A token and where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned {
    /// The token.
    pub token: Token,
    /// Where it starts.
    pub at: Position,
    /// Its length in the text, in characters.
    pub len: usize,
}

impl Spanned {
    /// Where the token is.
    pub fn span(&self) -> Span {
        Span {
            at: self.at,
            len: self.len,
        }
    }
}

/// Splits `text` into tokens.
pub fn tokenize(text: &str) -> Result<Vec<Spanned>, PartiqlError> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut line = 1;
    let mut column = 1;
    // Advances over `n` characters, keeping the position.
    let advance = |i: &mut usize, line: &mut usize, column: &mut usize, n: usize| {
        for _ in 0..n {
            if chars.get(*i) == Some(&'\n') {
                *line += 1;
                *column = 1;
            } else {
                *column += 1;
            }
            *i += 1;
        }
    };
    while let Some(&c) = chars.get(i) {
        let at = Position { line, column };
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            advance(&mut i, &mut line, &mut column, 1);
            continue;
        }
        if c == '-' && next == Some('-') {
            while chars.get(i).is_some_and(|&c| c != '\n') {
                advance(&mut i, &mut line, &mut column, 1);
            }
            continue;
        }
        if c == '/' && next == Some('*') {
            let close = (i + 2..chars.len().saturating_sub(1))
                .find(|&j| chars[j] == '*' && chars[j + 1] == '/')
                .ok_or(PartiqlError::syntax("", Some(at)))?;
            let n = close + 2 - i;
            advance(&mut i, &mut line, &mut column, n);
            continue;
        }
        let (token, len) = match (c, next) {
            ('<', Some('<')) => (Token::LBag, 2),
            ('>', Some('>')) => (Token::RBag, 2),
            ('<', Some('>')) | ('!', Some('=')) => (Token::Ne, 2),
            ('<', Some('=')) => (Token::Le, 2),
            ('>', Some('=')) => (Token::Ge, 2),
            ('<', _) => (Token::Lt, 1),
            ('>', _) => (Token::Gt, 1),
            ('=', _) => (Token::Eq, 1),
            (',', _) => (Token::Comma, 1),
            ('(', _) => (Token::LParen, 1),
            (')', _) => (Token::RParen, 1),
            ('[', _) => (Token::LBracket, 1),
            (']', _) => (Token::RBracket, 1),
            ('{', _) => (Token::LBrace, 1),
            ('}', _) => (Token::RBrace, 1),
            ('*', _) => (Token::Star, 1),
            (':', _) => (Token::Colon, 1),
            ('?', _) => (Token::Param, 1),
            (';', _) => (Token::Semicolon, 1),
            ('+', _) => (Token::Plus, 1),
            ('-', _) => (Token::Minus, 1),
            ('.', Some(d)) if d.is_ascii_digit() => number(&chars, i),
            ('.', _) => (Token::Dot, 1),
            ('\'' | '"', _) => {
                let (content, len) = quoted(&chars, i).ok_or(PartiqlError::syntax("", Some(at)))?;
                let token = if c == '\'' {
                    Token::Str(content)
                } else {
                    Token::Quoted(content)
                };
                (token, len)
            }
            (d, _) if d.is_ascii_digit() => number(&chars, i),
            (w, _) if w.is_ascii_alphabetic() || w == '_' => {
                let len = chars[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                    .count();
                (Token::Word(chars[i..i + len].iter().collect()), len)
            }
            _ => return Err(PartiqlError::syntax("", Some(at))),
        };
        out.push(Spanned { token, at, len });
        advance(&mut i, &mut line, &mut column, len);
    }
    Ok(out)
}

/// A quoted string or identifier starting at `start` (its quote): its
/// content and length in characters, or `None` if it is not closed.
fn quoted(chars: &[char], start: usize) -> Option<(String, usize)> {
    let quote = chars[start];
    let mut content = String::new();
    let mut i = start + 1;
    loop {
        let c = *chars.get(i)?;
        if c == quote {
            if chars.get(i + 1) == Some(&quote) {
                content.push(quote);
                i += 2;
                continue;
            }
            return Some((content, i + 1 - start));
        }
        content.push(c);
        i += 1;
    }
}

/// A number starting at `start`: digits, an optional fraction, an optional
/// exponent.
fn number(chars: &[char], start: usize) -> (Token, usize) {
    let mut i = start;
    let digits = |i: &mut usize| {
        while chars.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
    };
    digits(&mut i);
    if chars.get(i) == Some(&'.') {
        i += 1;
        digits(&mut i);
    }
    if matches!(chars.get(i), Some('e' | 'E')) {
        let mut j = i + 1;
        if matches!(chars.get(j), Some('+' | '-')) {
            j += 1;
        }
        if chars.get(j).is_some_and(char::is_ascii_digit) {
            i = j;
            digits(&mut i);
        }
    }
    (Token::Number(chars[start..i].iter().collect()), i - start)
}

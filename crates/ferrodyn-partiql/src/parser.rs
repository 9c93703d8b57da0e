//! A recursive-descent parser for DynamoDB's PartiQL statements.
//!
//! ```text
//! statement  := select | EXISTS '(' select ')' | insert | update | delete  [';']
//! select     := SELECT ( '*' | path {',' path} ) FROM target [WHERE expr]
//!               [ORDER BY path [ASC|DESC] {',' path [ASC|DESC]}]
//! insert     := INSERT INTO target VALUE expr
//! update     := UPDATE target ( SET path '=' expr {',' path '=' expr}
//!                             | REMOVE path {',' path} )+ WHERE expr [returning]
//! delete     := DELETE FROM target WHERE expr [returning]
//! returning  := RETURNING (ALL|MODIFIED) (OLD|NEW) '*'
//! target     := name ['.' name]            name := word | "quoted"
//! expr       := or;  or := and {OR and};  and := not {AND not};  not := NOT not | predicate
//! predicate  := sum [ comparator sum | [NOT] BETWEEN sum AND sum | [NOT] IN list
//!                   | IS [NOT] (MISSING|NULL) ]
//! sum        := primary {('+'|'-') primary}
//! primary    := literal | '?' | path | word '(' [expr {',' expr}] ')' | '(' expr ')'
//!             | '[' ... ']' | '{' 'str' ':' expr, ... '}' | '<<' ... '>>' | '-' number
//! path       := name { '.' name | '[' digits ']' }
//! ```
//!
//! Keywords are matched without regard to case; a double-quoted name is
//! never a keyword. Nesting deeper than [`NESTING_MAX`] is refused rather
//! than risking the stack.

use ferrodyn_expr::{ArithmeticOp, Comparator};

use crate::ast::{
    Expr, OrderBy, Path, Projection, Returning, Select, Statement, Step, Target, UpdateClause,
};
use crate::error::{PartiqlError, Position, Span};
use crate::lexer::{Spanned, Token, tokenize};

/// How deeply expressions may nest (parentheses, lists, maps, NOT).
pub const NESTING_MAX: usize = 200;

/// The largest list index a path may hold (AWS: a 32-bit signed integer).
pub const LIST_INDEX_MAX: usize = i32::MAX as usize;

/// Words that cannot be a bare attribute or table name (they must be
/// double-quoted to be used as one).
const RESERVED: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "IN",
    "IS",
    "BETWEEN",
    "INSERT",
    "INTO",
    "VALUE",
    "VALUES",
    "UPDATE",
    "SET",
    "REMOVE",
    "DELETE",
    "RETURNING",
    "ORDER",
    "BY",
    "ASC",
    "DESC",
    "NULL",
    "MISSING",
    "TRUE",
    "FALSE",
    "EXISTS",
];

/// Type names `IS` accepts in PartiQL, which DynamoDB refuses as an
/// unsupported operation (`IsType`) rather than as a syntax error.
const TYPE_NAMES: &[&str] = &[
    "BOOLEAN",
    "BOOL",
    "BLOB",
    "STRING",
    "NUMERIC",
    "STRUCT",
    "TUPLE",
    "LIST",
    "INT",
    "INT4",
    "INT8",
    "INTEGER",
    "DECIMAL",
    "FLOAT",
    "REAL",
    "SMALLINT",
    "CHAR",
    "VARCHAR",
    "SEXP",
    "BAG",
    "CLOB",
    "SYMBOL",
    "TIMESTAMP",
    "DATE",
    "TIME",
    "ANY",
];

/// Parses one statement (an optional `;` may end it).
pub fn parse(text: &str) -> Result<Statement, PartiqlError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        next: 0,
        params: Vec::new(),
        depth: 0,
    };
    let statement = parser.statement()?;
    if parser.peek_is(&Token::Semicolon) {
        parser.next += 1;
    }
    if let Some(extra) = parser.tokens.get(parser.next) {
        return Err(PartiqlError::syntax(
            "Unexpected token after expression",
            Some(extra.at),
        ));
    }
    crate::literals::refuse_nested_parameters(&statement, &parser.params)?;
    Ok(statement)
}

/// The error for `set_add` or `set_delete` (`function`, in upper case)
/// given something other than a set to add or delete, `first_argument`
/// being where its first argument is.
pub fn set_elements_error(function: &str, first_argument: Span) -> PartiqlError {
    PartiqlError::invalid(format!(
        "The second argument to {function} must be a value with type SET at {first_argument}"
    ))
}

/// Whether `token` is a reserved word.
fn is_reserved(token: &Token) -> bool {
    matches!(token, Token::Word(w) if RESERVED.iter().any(|k| w.eq_ignore_ascii_case(k)))
}

/// Whether `token` is an operator (a symbol, or a word that is one).
fn is_operator(token: &Token) -> bool {
    matches!(
        token,
        Token::Eq
            | Token::Ne
            | Token::Lt
            | Token::Le
            | Token::Gt
            | Token::Ge
            | Token::Plus
            | Token::Star
    ) || ["IS", "LIKE", "AND", "OR", "IN", "BETWEEN"]
        .iter()
        .any(|k| token.is_keyword(k))
}

struct Parser {
    tokens: Vec<Spanned>,
    next: usize,
    /// Where each `?` of the statement is, in order.
    params: Vec<Position>,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|t| &t.token)
    }

    fn peek_is(&self, token: &Token) -> bool {
        self.peek() == Some(token)
    }

    fn peek_keyword(&self, keyword: &str) -> bool {
        self.peek().is_some_and(|t| t.is_keyword(keyword))
    }

    /// The error for the next token (or the end) where a term (an
    /// operand) or a token of the grammar was expected.
    fn error(&self) -> PartiqlError {
        let Some(token) = self.tokens.get(self.next) else {
            return PartiqlError::syntax("Unexpected term", None);
        };
        let detail = if is_operator(&token.token) {
            "Unexpected operator"
        } else if is_reserved(&token.token) {
            "Unexpected keyword"
        } else {
            "Unexpected token"
        };
        PartiqlError::syntax(detail, Some(token.at))
    }

    fn at(&self) -> Option<Position> {
        self.tokens.get(self.next).map(|t| t.at)
    }

    fn eat(&mut self, token: &Token) -> bool {
        if self.peek_is(token) {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &Token) -> Result<(), PartiqlError> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    fn eat_keyword(&mut self, keyword: &str) -> bool {
        if self.peek_keyword(keyword) {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn expect_keyword(&mut self, keyword: &str) -> Result<(), PartiqlError> {
        if self.eat_keyword(keyword) {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    fn statement(&mut self) -> Result<Statement, PartiqlError> {
        if self.eat_keyword("SELECT") {
            return Ok(Statement::Select(self.select_rest()?));
        }
        if self.eat_keyword("EXISTS") {
            self.expect(&Token::LParen)?;
            self.expect_keyword("SELECT")?;
            let select = self.select_rest()?;
            self.expect(&Token::RParen)?;
            return Ok(Statement::Exists(select));
        }
        if self.eat_keyword("INSERT") {
            self.expect_keyword("INTO")?;
            let target = self.target()?;
            self.expect_keyword("VALUE")?;
            let item = self.expr()?;
            return Ok(Statement::Insert { target, item });
        }
        if self.eat_keyword("UPDATE") {
            return self.update_rest();
        }
        if self.eat_keyword("DELETE") {
            self.expect_keyword("FROM")?;
            let target = self.target()?;
            self.expect_keyword("WHERE")?;
            let condition = self.expr()?;
            let returning = self.returning()?;
            return Ok(Statement::Delete {
                target,
                condition,
                returning,
            });
        }
        Err(PartiqlError::syntax(
            "Expected data manipulation",
            self.at(),
        ))
    }

    fn select_rest(&mut self) -> Result<Select, PartiqlError> {
        let projection = if self.eat(&Token::Star) {
            Projection::All
        } else {
            let mut paths = vec![self.path()?];
            while self.eat(&Token::Comma) {
                paths.push(self.path()?);
            }
            Projection::Paths(paths)
        };
        self.expect_keyword("FROM")?;
        let target = self.target()?;
        let condition = if self.eat_keyword("WHERE") {
            Some(self.expr()?)
        } else {
            None
        };
        let mut order_by = Vec::new();
        if self.eat_keyword("ORDER") {
            self.expect_keyword("BY")?;
            loop {
                let path = self.path()?;
                let descending = if self.eat_keyword("DESC") {
                    true
                } else {
                    self.eat_keyword("ASC");
                    false
                };
                order_by.push(OrderBy { path, descending });
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
        }
        Ok(Select {
            projection,
            target,
            condition,
            order_by,
        })
    }

    fn update_rest(&mut self) -> Result<Statement, PartiqlError> {
        let target = self.target()?;
        let mut clauses = Vec::new();
        loop {
            if self.eat_keyword("SET") {
                loop {
                    let path = self.path()?;
                    self.expect(&Token::Eq)?;
                    let start = self.next;
                    let value = self.sum()?;
                    clauses.push(self.set_clause(path, value, start)?);
                    if !self.eat(&Token::Comma) {
                        break;
                    }
                }
            } else if self.eat_keyword("REMOVE") {
                loop {
                    clauses.push(UpdateClause::Remove(self.path()?));
                    if !self.eat(&Token::Comma) {
                        break;
                    }
                }
            } else {
                break;
            }
        }
        if clauses.is_empty() {
            return Err(self.error());
        }
        self.expect_keyword("WHERE")?;
        let condition = self.expr()?;
        let returning = self.returning()?;
        Ok(Statement::Update {
            target,
            clauses,
            condition,
            returning,
        })
    }

    /// `SET path = value`, the value's first token at `start`: a call of
    /// `set_add` or `set_delete` must name `path` first and give a set,
    /// with AWS's messages (which quote the function's name, or its first
    /// argument, as `line:column:length`).
    fn set_clause(
        &self,
        path: Path,
        value: Expr,
        start: usize,
    ) -> Result<UpdateClause, PartiqlError> {
        let Expr::Call(name, args) = &value else {
            return Ok(UpdateClause::Set(path, value));
        };
        if name != "set_add" && name != "set_delete" {
            return Ok(UpdateClause::Set(path, value));
        }
        // The name follows any opening parentheses; its first argument
        // follows the name and `(`.
        let at = start
            + self.tokens[start..]
                .iter()
                .take_while(|t| t.token == Token::LParen)
                .count();
        let span = |i: usize| self.tokens.get(i).map(Spanned::span).unwrap_or_default();
        let function = name.to_ascii_uppercase();
        let [first, elements] = args.as_slice() else {
            // UNCONFIRMED: the position AWS appends to this message.
            return Err(PartiqlError::invalid(format!(
                "{function} must have exactly two arguments at {}",
                span(at)
            )));
        };
        if !matches!(first, Expr::Path(p) if *p == path) {
            return Err(PartiqlError::invalid(format!(
                "The first argument to {function} must equal the assignment value at {}",
                span(at)
            )));
        }
        if !matches!(elements, Expr::Set(_) | Expr::Param(_)) {
            return Err(set_elements_error(&function, span(at + 2)));
        }
        Ok(UpdateClause::SetElements {
            path,
            delete: name == "set_delete",
            elements: elements.clone(),
            first_argument: span(at + 2),
        })
    }

    fn returning(&mut self) -> Result<Option<Returning>, PartiqlError> {
        if !self.eat_keyword("RETURNING") {
            return Ok(None);
        }
        let all = if self.eat_keyword("ALL") {
            true
        } else {
            self.expect_keyword("MODIFIED")?;
            false
        };
        let old = if self.eat_keyword("OLD") {
            true
        } else {
            self.expect_keyword("NEW")?;
            false
        };
        self.expect(&Token::Star)?;
        Ok(Some(match (all, old) {
            (true, true) => Returning::AllOld,
            (false, true) => Returning::ModifiedOld,
            (true, false) => Returning::AllNew,
            (false, false) => Returning::ModifiedNew,
        }))
    }

    /// A table or attribute name: a non-reserved word or a quoted name.
    fn name(&mut self) -> Result<String, PartiqlError> {
        match self.peek() {
            Some(Token::Quoted(q)) => {
                let q = q.clone();
                self.next += 1;
                Ok(q)
            }
            Some(Token::Word(w)) if !RESERVED.iter().any(|k| w.eq_ignore_ascii_case(k)) => {
                let w = w.clone();
                self.next += 1;
                Ok(w)
            }
            _ => Err(self.error()),
        }
    }

    fn target(&mut self) -> Result<Target, PartiqlError> {
        let simple_path =
            |p: &Parser| PartiqlError::syntax("Expected identifier for simple path", p.at());
        let table = self.name().map_err(|_| simple_path(self))?;
        let index = if self.eat(&Token::Dot) {
            Some(self.name().map_err(|_| simple_path(self))?)
        } else {
            None
        };
        Ok(Target { table, index })
    }

    fn path(&mut self) -> Result<Path, PartiqlError> {
        let first = self.name()?;
        self.path_rest(first)
    }

    fn path_rest(&mut self, first: String) -> Result<Path, PartiqlError> {
        let mut steps = vec![Step::Name(first)];
        loop {
            if self.eat(&Token::Dot) {
                steps.push(Step::Name(self.name()?));
            } else if self.eat(&Token::LBracket) {
                let negative = self.eat(&Token::Minus);
                let (digits, span) = match self.tokens.get(self.next) {
                    Some(t) if matches!(&t.token, Token::Number(n) if n.bytes().all(|b| b.is_ascii_digit())) => {
                        (t.token.describe(), t.span())
                    }
                    _ => return Err(self.error()),
                };
                // `[-0]` is `[0]`; AWS quotes the digits' place.
                let index = digits
                    .parse::<usize>()
                    .ok()
                    .filter(|&i| i <= LIST_INDEX_MAX && (!negative || i == 0))
                    .ok_or_else(|| {
                        let sign = if negative { "-" } else { "" };
                        PartiqlError::invalid(format!(
                            "List index is not within the allowable range; index: [{sign}{digits}] at {span}"
                        ))
                    })?;
                self.next += 1;
                self.expect(&Token::RBracket)?;
                steps.push(Step::Index(index));
            } else {
                return Ok(Path(steps));
            }
        }
    }

    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Parser) -> Result<T, PartiqlError>,
    ) -> Result<T, PartiqlError> {
        if self.depth >= NESTING_MAX {
            return Err(PartiqlError::Unsupported(format!(
                "Expression nesting exceeds {NESTING_MAX} levels"
            )));
        }
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        out
    }

    /// A whole expression.
    pub(crate) fn expr(&mut self) -> Result<Expr, PartiqlError> {
        self.nested(|p| {
            let mut left = p.and()?;
            while p.eat_keyword("OR") {
                p.right_hand_side()?;
                let right = p.and()?;
                left = Expr::Or(Box::new(left), Box::new(right));
            }
            Ok(left)
        })
    }

    fn and(&mut self) -> Result<Expr, PartiqlError> {
        let mut left = self.not()?;
        while self.eat_keyword("AND") {
            self.right_hand_side()?;
            let right = self.not()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    /// After an infix AND or OR: the statement must go on.
    fn right_hand_side(&self) -> Result<(), PartiqlError> {
        match self.peek() {
            None | Some(Token::Semicolon | Token::RParen) => Err(PartiqlError::syntax(
                "Missing right-hand side expression of infix operator",
                self.at(),
            )),
            Some(_) => Ok(()),
        }
    }

    fn not(&mut self) -> Result<Expr, PartiqlError> {
        if self.eat_keyword("NOT") {
            return self.nested(|p| Ok(Expr::Not(Box::new(p.not()?))));
        }
        self.predicate()
    }

    fn predicate(&mut self) -> Result<Expr, PartiqlError> {
        let left = self.sum()?;
        let comparator = match self.peek() {
            Some(Token::Eq) => Some(Comparator::Eq),
            Some(Token::Ne) => Some(Comparator::Ne),
            Some(Token::Lt) => Some(Comparator::Lt),
            Some(Token::Le) => Some(Comparator::Le),
            Some(Token::Gt) => Some(Comparator::Gt),
            Some(Token::Ge) => Some(Comparator::Ge),
            _ => None,
        };
        if let Some(op) = comparator {
            self.next += 1;
            let right = self.sum()?;
            return Ok(Expr::Compare(op, Box::new(left), Box::new(right)));
        }
        if self.eat_keyword("IS") {
            let negated = self.eat_keyword("NOT");
            let null = if self.eat_keyword("NULL") {
                true
            } else if self.eat_keyword("MISSING") {
                false
            } else if self
                .peek()
                .is_some_and(|t| TYPE_NAMES.iter().any(|k| t.is_keyword(k)))
            {
                return Err(PartiqlError::Unsupported("IsType".to_owned()));
            } else {
                return Err(PartiqlError::syntax("Expected type name", self.at()));
            };
            return Ok(Expr::Is {
                operand: Box::new(left),
                null,
                negated,
            });
        }
        let negated = self.eat_keyword("NOT");
        let tested = if self.eat_keyword("BETWEEN") {
            let low = self.sum()?;
            self.expect_keyword("AND")?;
            let high = self.sum()?;
            Expr::Between {
                operand: Box::new(left),
                low: Box::new(low),
                high: Box::new(high),
            }
        } else if self.eat_keyword("IN") {
            let close = if self.eat(&Token::LBracket) {
                Token::RBracket
            } else {
                self.expect(&Token::LParen)?;
                Token::RParen
            };
            let list = self.elements(&close)?;
            Expr::In {
                operand: Box::new(left),
                list,
            }
        } else if negated {
            return Err(self.error());
        } else {
            return Ok(left);
        };
        Ok(if negated {
            Expr::Not(Box::new(tested))
        } else {
            tested
        })
    }

    /// Comma-separated expressions up to `close` (consumed).
    fn elements(&mut self, close: &Token) -> Result<Vec<Expr>, PartiqlError> {
        let mut out = Vec::new();
        if self.eat(close) {
            return Ok(out);
        }
        loop {
            out.push(self.expr()?);
            if self.eat(close) {
                return Ok(out);
            }
            self.expect(&Token::Comma)?;
        }
    }

    fn sum(&mut self) -> Result<Expr, PartiqlError> {
        let mut left = self.primary()?;
        loop {
            let op = if self.eat(&Token::Plus) {
                ArithmeticOp::Plus
            } else if self.eat(&Token::Minus) {
                ArithmeticOp::Minus
            } else {
                return Ok(left);
            };
            let right = self.primary()?;
            left = Expr::Arithmetic(op, Box::new(left), Box::new(right));
        }
    }

    fn primary(&mut self) -> Result<Expr, PartiqlError> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.error());
        };
        match token {
            Token::Str(s) => {
                self.next += 1;
                Ok(Expr::Str(s))
            }
            Token::Number(n) => {
                self.next += 1;
                Ok(Expr::Number(n))
            }
            Token::Minus => {
                self.next += 1;
                match self.peek() {
                    Some(Token::Number(n)) => {
                        let n = format!("-{n}");
                        self.next += 1;
                        Ok(Expr::Number(n))
                    }
                    _ => Err(self.error()),
                }
            }
            Token::Param => {
                self.params.push(self.at().unwrap_or_default());
                self.next += 1;
                Ok(Expr::Param(self.params.len() - 1))
            }
            Token::LParen => {
                self.next += 1;
                let inner = self.expr()?;
                self.expect(&Token::RParen)?;
                Ok(inner)
            }
            Token::LBracket => {
                self.next += 1;
                self.nested(|p| Ok(Expr::List(p.elements(&Token::RBracket)?)))
            }
            Token::LBag => {
                self.next += 1;
                self.nested(|p| Ok(Expr::Set(p.elements(&Token::RBag)?)))
            }
            Token::LBrace => {
                self.next += 1;
                self.nested(Parser::map_rest)
            }
            Token::Quoted(q) => {
                self.next += 1;
                Ok(Expr::Path(self.path_rest(q)?))
            }
            Token::Word(w) => {
                let upper = w.to_ascii_uppercase();
                match upper.as_str() {
                    "TRUE" | "FALSE" => {
                        self.next += 1;
                        Ok(Expr::Bool(upper == "TRUE"))
                    }
                    "NULL" => {
                        self.next += 1;
                        Ok(Expr::Null)
                    }
                    "MISSING" => {
                        self.next += 1;
                        Ok(Expr::Missing)
                    }
                    _ if self
                        .tokens
                        .get(self.next + 1)
                        .is_some_and(|t| t.token == Token::LParen)
                        && !RESERVED.contains(&upper.as_str()) =>
                    {
                        self.next += 2;
                        let args = self.nested(|p| p.elements(&Token::RParen))?;
                        Ok(Expr::Call(w.to_ascii_lowercase(), args))
                    }
                    _ => Ok(Expr::Path(self.path()?)),
                }
            }
            _ => Err(self.error()),
        }
    }

    fn map_rest(&mut self) -> Result<Expr, PartiqlError> {
        let mut entries = Vec::new();
        if self.eat(&Token::RBrace) {
            return Ok(Expr::Map(entries));
        }
        loop {
            let key = match self.peek() {
                Some(Token::Str(s)) => s.clone(),
                _ => return Err(self.error()),
            };
            self.next += 1;
            self.expect(&Token::Colon)?;
            let value = self.expr()?;
            entries.push((key, value));
            if self.eat(&Token::RBrace) {
                return Ok(Expr::Map(entries));
            }
            self.expect(&Token::Comma)?;
        }
    }
}

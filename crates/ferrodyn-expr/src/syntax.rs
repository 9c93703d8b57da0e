//! The syntax tree and the parser: the first of three phases.
//!
//! The grammar is DynamoDB's, one grammar for all five expression kinds
//! (upper-case names are tokens, see [`crate::lexer`]):
//!
//! ```text
//! projection  := path (',' path)*
//! condition   := operand comparator operand
//!              | operand IN '(' operand (',' operand)* ')'
//!              | operand BETWEEN operand AND operand
//!              | function
//!              | '(' condition ')'
//!              | NOT condition            -- binds tighter than AND
//!              | condition AND condition  -- binds tighter than OR
//!              | condition OR condition
//! update      := ( SET set_action (',' set_action)*
//!                | REMOVE path (',' path)*
//!                | ADD path VALUE (',' path VALUE)*
//!                | DELETE path VALUE (',' path VALUE)* )+
//! set_action  := path '=' set_value
//! set_value   := operand | arithmetic
//! arithmetic  := operand ('+' | '-') operand | '(' arithmetic ')'
//! operand     := path | VALUE | function | '(' operand ')'
//! function    := ID '(' operand (',' operand)* ')'
//! path        := (ID | NAME) ('.' (ID | NAME) | '[' INDEX ']' | '.' VALUE)*
//! ```
//!
//! The parser is recursive descent. A syntax error names the first token
//! that no valid expression could continue with, which is what DynamoDB's
//! ANTLR parser reports; where the grammar is ambiguous after a `(` (a
//! grouped condition or a parenthesised operand) the parser parses the
//! common prefix once and decides when the tokens do.
//!
//! Parentheses directly around parentheses are an error ("redundant
//! parentheses"), raised when the outer `)` is matched, as DynamoDB does.
//! Everything else the grammar accepts is checked in the later phases, so
//! `SET a = f(b)` parses (and fails later on the unknown function).

use ferrodyn_model::limits::{EXPRESSION_NESTING_DEPTH_MAX, EXPRESSION_OPERATORS_MAX};

use crate::error::{Problem, UpdateClause};
use crate::lexer::{TokenKind, Tokens};

/// An identifier of a path as written: an attribute name or a `#name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ident {
    /// A literal name, subject to the reserved-word check.
    Literal(String),
    /// A `#name` placeholder, resolved later.
    Placeholder(String),
}

/// One element of a path after the first, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawElement {
    /// `.name` or `.#name`.
    Key(Ident),
    /// `[digits]`.
    Index(String),
    /// `.:value`, which the grammar accepts and validation rejects.
    Value(String),
}

/// A document path as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawPath {
    pub head: Ident,
    pub rest: Vec<RawElement>,
}

/// A function call as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawCall {
    pub name: String,
    pub args: Vec<RawOperand>,
}

/// An operand as written, parentheses dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawOperand {
    // Boxed to keep the parser's frames small: they nest as deeply as the
    // expression does.
    Path(Box<RawPath>),
    Value(String),
    Call(Box<RawCall>),
}

/// The six comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Comparator {
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
}

impl Comparator {
    /// The operator as written (and as messages name it).
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Eq => "=",
            Comparator::Ne => "<>",
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }

    /// The operator with its operands swapped: `a < b` is `b > a`.
    pub fn flipped(self) -> Comparator {
        match self {
            Comparator::Eq => Comparator::Eq,
            Comparator::Ne => Comparator::Ne,
            Comparator::Lt => Comparator::Gt,
            Comparator::Le => Comparator::Ge,
            Comparator::Gt => Comparator::Lt,
            Comparator::Ge => Comparator::Le,
        }
    }

    fn from_token(kind: TokenKind) -> Option<Comparator> {
        Some(match kind {
            TokenKind::Eq => Comparator::Eq,
            TokenKind::Ne => Comparator::Ne,
            TokenKind::Lt => Comparator::Lt,
            TokenKind::Le => Comparator::Le,
            TokenKind::Gt => Comparator::Gt,
            TokenKind::Ge => Comparator::Ge,
            _ => return None,
        })
    }
}

/// A condition as written, parentheses dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawCondition {
    Compare(Comparator, RawOperand, RawOperand),
    In(RawOperand, Vec<RawOperand>),
    Between(RawOperand, RawOperand, RawOperand),
    Call(RawCall),
    Not(Box<RawCondition>),
    And(Box<RawCondition>, Box<RawCondition>),
    Or(Box<RawCondition>, Box<RawCondition>),
}

/// `+` or `-` in a SET value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArithmeticOp {
    /// `+`
    Plus,
    /// `-`
    Minus,
}

impl ArithmeticOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            ArithmeticOp::Plus => "+",
            ArithmeticOp::Minus => "-",
        }
    }
}

/// The right-hand side of a SET action as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawSetValue {
    Operand(RawOperand),
    Arithmetic(ArithmeticOp, RawOperand, RawOperand),
}

/// One update action as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawAction {
    Set(RawPath, RawSetValue),
    Remove(RawPath),
    Add(RawPath, String),
    Delete(RawPath, String),
}

/// One clause of an update as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawSection {
    pub clause: UpdateClause,
    pub actions: Vec<RawAction>,
}

/// What a parenthesised item inside a condition turned out to be.
enum Grouped {
    /// A condition: `(a = b)`.
    Condition(RawCondition, bool),
    /// An operand: `(a)`, `(:v)`.
    Operand(RawOperand, bool),
    /// A function call, which is both until the next token decides: `(f(a))`.
    Call(RawCall, bool),
}

/// What a parenthesised item inside a SET value turned out to be.
enum GroupedValue {
    Operand(RawOperand, bool),
    Arithmetic(ArithmeticOp, RawOperand, RawOperand, bool),
}

/// The parser state: the tokens, a cursor, and the nesting depth.
pub(crate) struct Parser<'a> {
    tokens: Tokens<'a>,
    pos: usize,
    depth: usize,
}

type Parsed<T> = Result<T, Problem>;

impl<'a> Parser<'a> {
    pub fn new(source: &'a str) -> Parser<'a> {
        Parser {
            tokens: Tokens::new(source),
            pos: 0,
            depth: 0,
        }
    }

    fn peek(&self) -> TokenKind {
        self.tokens.get(self.pos).kind
    }

    fn peek_at(&self, offset: usize) -> TokenKind {
        self.tokens.get(self.pos + offset).kind
    }

    fn text(&self) -> &'a str {
        self.tokens.text(self.pos)
    }

    fn bump(&mut self) {
        self.pos += 1;
    }

    fn error(&self) -> Problem {
        self.tokens.syntax_error(self.pos)
    }

    fn expect(&mut self, kind: TokenKind) -> Parsed<()> {
        if self.peek() == kind {
            self.bump();
            Ok(())
        } else {
            Err(self.error())
        }
    }

    /// Enters one level of nesting. The bound keeps recursion off the end
    /// of the stack; see `EXPRESSION_NESTING_DEPTH_MAX` for why reporting
    /// too many operators is what DynamoDB would also say.
    fn enter(&mut self) -> Parsed<()> {
        self.depth += 1;
        if self.depth > EXPRESSION_NESTING_DEPTH_MAX {
            return Err(Problem::TooManyOperators {
                count: EXPRESSION_OPERATORS_MAX + 1,
            });
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Parses a whole projection expression.
    pub fn projection(mut self) -> Parsed<Vec<RawPath>> {
        let mut paths = vec![self.path()?];
        while self.peek() == TokenKind::Comma {
            self.bump();
            paths.push(self.path()?);
        }
        self.expect(TokenKind::Eof)?;
        Ok(paths)
    }

    /// Parses a whole condition (also filter and key condition) expression.
    pub fn condition(mut self) -> Parsed<RawCondition> {
        let condition = self.condition_at()?;
        self.expect(TokenKind::Eof)?;
        Ok(condition)
    }

    /// Parses a whole update expression.
    pub fn update(mut self) -> Parsed<Vec<RawSection>> {
        let mut sections = Vec::new();
        loop {
            let clause = match self.peek() {
                TokenKind::Set => UpdateClause::Set,
                TokenKind::Remove => UpdateClause::Remove,
                TokenKind::Add => UpdateClause::Add,
                TokenKind::Delete => UpdateClause::Delete,
                _ if sections.is_empty() => return Err(self.error()),
                _ => break,
            };
            self.bump();
            let mut actions = vec![self.action(clause)?];
            while self.peek() == TokenKind::Comma {
                self.bump();
                actions.push(self.action(clause)?);
            }
            sections.push(RawSection { clause, actions });
        }
        self.expect(TokenKind::Eof)?;
        Ok(sections)
    }

    fn action(&mut self, clause: UpdateClause) -> Parsed<RawAction> {
        let path = self.path()?;
        Ok(match clause {
            UpdateClause::Set => {
                self.expect(TokenKind::Eq)?;
                RawAction::Set(path, self.set_value()?)
            }
            UpdateClause::Remove => RawAction::Remove(path),
            UpdateClause::Add => RawAction::Add(path, self.value_token()?),
            UpdateClause::Delete => RawAction::Delete(path, self.value_token()?),
        })
    }

    fn value_token(&mut self) -> Parsed<String> {
        if self.peek() != TokenKind::Value {
            return Err(self.error());
        }
        let text = self.text().to_string();
        self.bump();
        Ok(text)
    }

    fn arithmetic_op(&self) -> Option<ArithmeticOp> {
        match self.peek() {
            TokenKind::Plus => Some(ArithmeticOp::Plus),
            TokenKind::Minus => Some(ArithmeticOp::Minus),
            _ => None,
        }
    }

    fn set_value(&mut self) -> Parsed<RawSetValue> {
        if self.peek() == TokenKind::LParen {
            return Ok(match self.grouped_value()? {
                GroupedValue::Operand(operand, _) => self.arithmetic_rest(operand)?,
                GroupedValue::Arithmetic(op, left, right, _) => {
                    RawSetValue::Arithmetic(op, left, right)
                }
            });
        }
        let (operand, _) = self.operand()?;
        self.arithmetic_rest(operand)
    }

    /// After a SET operand: an optional `+ operand` or `- operand`.
    fn arithmetic_rest(&mut self, left: RawOperand) -> Parsed<RawSetValue> {
        match self.arithmetic_op() {
            Some(op) => {
                self.bump();
                let (right, _) = self.operand()?;
                Ok(RawSetValue::Arithmetic(op, left, right))
            }
            None => Ok(RawSetValue::Operand(left)),
        }
    }

    /// A `(` in a SET value: a parenthesised operand or arithmetic.
    fn grouped_value(&mut self) -> Parsed<GroupedValue> {
        self.enter()?;
        self.bump();
        let inner = if self.peek() == TokenKind::LParen {
            match self.grouped_value()? {
                GroupedValue::Operand(operand, parens) => match self.arithmetic_op() {
                    Some(op) => {
                        self.bump();
                        let (right, _) = self.operand()?;
                        GroupedValue::Arithmetic(op, operand, right, false)
                    }
                    None => GroupedValue::Operand(operand, parens),
                },
                arithmetic => arithmetic,
            }
        } else {
            let (operand, parens) = self.operand()?;
            match self.arithmetic_op() {
                Some(op) => {
                    self.bump();
                    let (right, _) = self.operand()?;
                    GroupedValue::Arithmetic(op, operand, right, false)
                }
                None => GroupedValue::Operand(operand, parens),
            }
        };
        self.expect(TokenKind::RParen)?;
        self.leave();
        Ok(match inner {
            GroupedValue::Operand(_, true) | GroupedValue::Arithmetic(.., true) => {
                return Err(Problem::RedundantParentheses);
            }
            GroupedValue::Operand(operand, false) => GroupedValue::Operand(operand, true),
            GroupedValue::Arithmetic(op, left, right, false) => {
                GroupedValue::Arithmetic(op, left, right, true)
            }
        })
    }

    /// A condition: OR of ANDs of primaries. Like DynamoDB's grammar, both
    /// operators associate to the right (`a AND b AND c` is
    /// `a AND (b AND c)`), and AND binds tighter than OR. The chains are
    /// collected in loops and folded afterwards, so a long chain costs no
    /// stack.
    fn condition_at(&mut self) -> Parsed<RawCondition> {
        let first = self.primary_condition()?;
        self.condition_rest(first)
    }

    /// Continues a condition whose first primary is already parsed.
    fn condition_rest(&mut self, first: RawCondition) -> Parsed<RawCondition> {
        let first = self.conjunction(first)?;
        let mut alternatives = Vec::new();
        while self.peek() == TokenKind::Or {
            self.bump();
            let head = self.primary_condition()?;
            alternatives.push(self.conjunction(head)?);
        }
        Ok(fold_right(first, alternatives, RawCondition::Or))
    }

    /// `head AND ...`: the primaries joined by AND after `head`.
    fn conjunction(&mut self, head: RawCondition) -> Parsed<RawCondition> {
        let mut conjuncts = Vec::new();
        while self.peek() == TokenKind::And {
            self.bump();
            conjuncts.push(self.primary_condition()?);
        }
        Ok(fold_right(head, conjuncts, RawCondition::And))
    }

    fn starts_comparison(&self) -> bool {
        let kind = self.peek();
        kind.is_comparator() || kind == TokenKind::In || kind == TokenKind::Between
    }

    fn primary_condition(&mut self) -> Parsed<RawCondition> {
        // A run of NOTs is counted in a loop rather than by recursion, so
        // that `NOT NOT NOT ...` costs no stack.
        let mut nots = 0;
        while self.peek() == TokenKind::Not {
            self.bump();
            self.enter()?;
            nots += 1;
        }
        let mut condition = self.primary_condition_without_not()?;
        for _ in 0..nots {
            self.leave();
            condition = RawCondition::Not(Box::new(condition));
        }
        Ok(condition)
    }

    fn primary_condition_without_not(&mut self) -> Parsed<RawCondition> {
        match self.peek() {
            TokenKind::LParen => match self.grouped_condition()? {
                Grouped::Condition(condition, _) => Ok(condition),
                Grouped::Operand(operand, _) => self.comparison(operand),
                Grouped::Call(call, _) => self.call_condition(call),
            },
            TokenKind::Id if self.peek_at(1) == TokenKind::LParen => {
                let call = self.call()?;
                self.call_condition(call)
            }
            _ => {
                let (operand, _) = self.operand()?;
                self.comparison(operand)
            }
        }
    }

    /// A function call at the start of a condition: an operand if a
    /// comparison follows, otherwise a condition of its own.
    fn call_condition(&mut self, call: RawCall) -> Parsed<RawCondition> {
        if self.starts_comparison() {
            self.comparison(RawOperand::Call(Box::new(call)))
        } else {
            Ok(RawCondition::Call(call))
        }
    }

    /// The rest of a comparison, IN or BETWEEN after its first operand.
    fn comparison(&mut self, left: RawOperand) -> Parsed<RawCondition> {
        let kind = self.peek();
        if let Some(comparator) = Comparator::from_token(kind) {
            self.bump();
            let (right, _) = self.operand()?;
            return Ok(RawCondition::Compare(comparator, left, right));
        }
        match kind {
            TokenKind::In => {
                self.bump();
                self.expect(TokenKind::LParen)?;
                let mut list = vec![self.operand()?.0];
                while self.peek() == TokenKind::Comma {
                    self.bump();
                    list.push(self.operand()?.0);
                }
                self.expect(TokenKind::RParen)?;
                Ok(RawCondition::In(left, list))
            }
            TokenKind::Between => {
                self.bump();
                let (low, _) = self.operand()?;
                self.expect(TokenKind::And)?;
                let (high, _) = self.operand()?;
                Ok(RawCondition::Between(left, low, high))
            }
            _ => Err(self.error()),
        }
    }

    /// A `(` at the start of a condition: a grouped condition or a
    /// parenthesised first operand. The inner item is parsed once; what
    /// follows it decides.
    fn grouped_condition(&mut self) -> Parsed<Grouped> {
        self.enter()?;
        self.bump();
        let inner = match self.peek() {
            TokenKind::LParen => match self.grouped_condition()? {
                Grouped::Condition(condition, parens) => {
                    if matches!(self.peek(), TokenKind::And | TokenKind::Or) {
                        Grouped::Condition(self.condition_rest(condition)?, false)
                    } else {
                        Grouped::Condition(condition, parens)
                    }
                }
                Grouped::Operand(operand, parens) => self.after_grouped_operand(operand, parens)?,
                Grouped::Call(call, parens) => self.after_grouped_call(call, parens)?,
            },
            TokenKind::Not => {
                let condition = self.condition_at()?;
                Grouped::Condition(condition, false)
            }
            TokenKind::Id if self.peek_at(1) == TokenKind::LParen => {
                let call = self.call()?;
                self.after_grouped_call(call, false)?
            }
            _ => {
                let (operand, parens) = self.operand()?;
                self.after_grouped_operand(operand, parens)?
            }
        };
        self.expect(TokenKind::RParen)?;
        self.leave();
        let has_parens = match &inner {
            Grouped::Condition(_, parens) | Grouped::Operand(_, parens) => *parens,
            Grouped::Call(_, parens) => {
                // `((f(x)))` is redundant as either reading, but DynamoDB
                // only decides between the readings at the token after the
                // `)`; when that token fits neither, its syntax error wins.
                if *parens && !self.follows_grouped_call() {
                    return Err(self.error());
                }
                *parens
            }
        };
        if has_parens {
            return Err(Problem::RedundantParentheses);
        }
        Ok(match inner {
            Grouped::Condition(condition, _) => Grouped::Condition(condition, true),
            Grouped::Operand(operand, _) => Grouped::Operand(operand, true),
            Grouped::Call(call, _) => Grouped::Call(call, true),
        })
    }

    /// Whether the current token can follow a parenthesised function call
    /// inside a condition, read either as an operand or as a condition.
    fn follows_grouped_call(&self) -> bool {
        self.starts_comparison()
            || matches!(
                self.peek(),
                TokenKind::And | TokenKind::Or | TokenKind::RParen | TokenKind::Eof
            )
    }

    fn after_grouped_operand(&mut self, operand: RawOperand, parens: bool) -> Parsed<Grouped> {
        if self.starts_comparison() {
            let comparison = self.comparison(operand)?;
            Ok(Grouped::Condition(self.condition_rest(comparison)?, false))
        } else {
            Ok(Grouped::Operand(operand, parens))
        }
    }

    fn after_grouped_call(&mut self, call: RawCall, parens: bool) -> Parsed<Grouped> {
        if self.starts_comparison() {
            let comparison = self.comparison(RawOperand::Call(Box::new(call)))?;
            Ok(Grouped::Condition(self.condition_rest(comparison)?, false))
        } else if matches!(self.peek(), TokenKind::And | TokenKind::Or) {
            let condition = self.condition_rest(RawCondition::Call(call))?;
            Ok(Grouped::Condition(condition, false))
        } else {
            Ok(Grouped::Call(call, parens))
        }
    }

    /// An operand, and whether it was written in parentheses.
    fn operand(&mut self) -> Parsed<(RawOperand, bool)> {
        match self.peek() {
            TokenKind::Id if self.peek_at(1) == TokenKind::LParen => {
                Ok((RawOperand::Call(Box::new(self.call()?)), false))
            }
            TokenKind::Id | TokenKind::Name => {
                Ok((RawOperand::Path(Box::new(self.path()?)), false))
            }
            TokenKind::Value => {
                let text = self.text().to_string();
                self.bump();
                Ok((RawOperand::Value(text), false))
            }
            TokenKind::LParen => {
                self.enter()?;
                self.bump();
                let (inner, parens) = self.operand()?;
                self.expect(TokenKind::RParen)?;
                self.leave();
                if parens {
                    return Err(Problem::RedundantParentheses);
                }
                Ok((inner, true))
            }
            _ => Err(self.error()),
        }
    }

    fn call(&mut self) -> Parsed<RawCall> {
        let name = self.text().to_string();
        self.bump();
        self.expect(TokenKind::LParen)?;
        self.enter()?;
        let mut args = vec![self.operand()?.0];
        while self.peek() == TokenKind::Comma {
            self.bump();
            args.push(self.operand()?.0);
        }
        self.expect(TokenKind::RParen)?;
        self.leave();
        Ok(RawCall { name, args })
    }

    fn ident(&mut self) -> Parsed<Ident> {
        let ident = match self.peek() {
            TokenKind::Id => Ident::Literal(self.text().to_string()),
            TokenKind::Name => Ident::Placeholder(self.text().to_string()),
            _ => return Err(self.error()),
        };
        self.bump();
        Ok(ident)
    }

    fn path(&mut self) -> Parsed<RawPath> {
        let head = self.ident()?;
        let mut rest = Vec::new();
        loop {
            match self.peek() {
                TokenKind::Dot => {
                    self.bump();
                    if self.peek() == TokenKind::Value {
                        rest.push(RawElement::Value(self.text().to_string()));
                        self.bump();
                    } else {
                        rest.push(RawElement::Key(self.ident()?));
                    }
                }
                TokenKind::LBracket => {
                    self.bump();
                    if self.peek() != TokenKind::Index {
                        return Err(self.error());
                    }
                    rest.push(RawElement::Index(self.text().to_string()));
                    self.bump();
                    self.expect(TokenKind::RBracket)?;
                }
                _ => return Ok(RawPath { head, rest }),
            }
        }
    }
}

/// `first, [b, c]` folded as `first op (b op c)`.
fn fold_right(
    first: RawCondition,
    rest: Vec<RawCondition>,
    op: fn(Box<RawCondition>, Box<RawCondition>) -> RawCondition,
) -> RawCondition {
    let mut rest = rest.into_iter().rev();
    let Some(mut acc) = rest.next() else {
        return first;
    };
    for item in rest {
        acc = op(Box::new(item), Box::new(acc));
    }
    op(Box::new(first), Box::new(acc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syntax(result: Result<impl std::fmt::Debug, Problem>) -> String {
        match result {
            Err(problem) => problem.to_string(),
            Ok(parsed) => format!("ok: {parsed:?}"),
        }
    }

    #[test]
    fn update_syntax_errors_match_dynamodb() {
        let cases = [
            (
                "SET attrName = 3",
                "Syntax error; token: \"3\", near: \"= 3\"",
            ),
            (
                "SET MyStr[ 3",
                "Syntax error; token: \"<EOF>\", near: \"3\"",
            ),
            ("SET MyStr[3 )", "Syntax error; token: \")\", near: \"3 )\""),
            ("SET 2", "Syntax error; token: \"2\", near: \"SET 2\""),
            ("SET ) 3", "Syntax error; token: \")\", near: \"SET ) 3\""),
            (
                "SET MyStr = (:_val + (:val2",
                "Syntax error; token: \"<EOF>\", near: \":val2\"",
            ),
            (
                "SET MyStr = [:_val  ",
                "Syntax error; token: \"[\", near: \"= [:_val\"",
            ),
            (
                "  RESET NonExistent value",
                "Syntax error; token: \"RESET\", near: \"  RESET NonExistent\"",
            ),
            (
                "SET a [  [2] ]. b = 5",
                "Syntax error; token: \"[\", near: \"[  [2\"",
            ),
            (
                "SET MyStr = NoExist + - :_val ",
                "Syntax error; token: \"-\", near: \"+ - :_val\"",
            ),
            (
                "REMOVE if_not_exists(a,b)",
                "Syntax error; token: \"(\", near: \"if_not_exists(a\"",
            ),
            (
                "ADD attr val foobar",
                "Syntax error; token: \"val\", near: \"attr val foobar\"",
            ),
            (
                "SET _123 = :val1",
                "Syntax error; token: \"_\", near: \"SET _123\"",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(syntax(Parser::new(input).update()), expected, "{input}");
        }
    }

    #[test]
    fn redundant_parentheses() {
        for input in ["((a = b))", "a > ((b))", "((a=b) AND ((c=d)))"] {
            assert_eq!(
                syntax(Parser::new(input).condition()),
                "The expression has redundant parentheses;",
                "{input}"
            );
        }
        for input in [
            "(a = b)",
            "((a = b) AND c = d)",
            "(a) = b",
            "((a) = b)",
            "(f(a)) = b",
        ] {
            assert!(Parser::new(input).condition().is_ok(), "{input}");
        }
    }

    #[test]
    fn and_binds_tighter_than_or_and_not_tighter_than_and() {
        let parsed = Parser::new("NOT a = b AND c = d OR e = f").condition();
        let Ok(RawCondition::Or(left, _)) = parsed else {
            panic!("{parsed:?}")
        };
        assert!(
            matches!(*left, RawCondition::And(ref not, _) if matches!(**not, RawCondition::Not(_)))
        );
    }
}
#[cfg(test)]
mod size_probe {
    #[test]
    fn sizes() {
        eprintln!(
            "Problem {} RawCondition {} RawOperand {} Grouped {} RawCall {} RawPath {}",
            std::mem::size_of::<crate::error::Problem>(),
            std::mem::size_of::<super::RawCondition>(),
            std::mem::size_of::<super::RawOperand>(),
            std::mem::size_of::<super::Grouped>(),
            std::mem::size_of::<super::RawCall>(),
            std::mem::size_of::<super::RawPath>(),
        );
    }
}

//! The syntax tree of a PartiQL statement, as parsed: literals may still
//! hold `?` parameters, which the planner ([`crate::plan`]) replaces with the request's
//! values.

use ferrodyn_expr::{ArithmeticOp, Comparator};

use crate::error::Span;

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// `.name`, `."name"`, or the first name.
    Name(String),
    /// `[n]`.
    Index(usize),
}

/// A document path: `a`, `"a"`, `a.b[2].c`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path(pub Vec<Step>);

impl Path {
    /// The top-level attribute the path starts at.
    pub fn top(&self) -> &str {
        match self.0.first() {
            Some(Step::Name(name)) => name,
            _ => "",
        }
    }

    /// Whether the path is one top-level attribute.
    pub fn is_attribute(&self) -> bool {
        self.0.len() == 1
    }
}

/// An expression: a value, a path, an operator or a function call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// A path of the item.
    Path(Path),
    /// A string literal.
    Str(String),
    /// A number literal, as written (a leading `-` included).
    Number(String),
    /// `TRUE` or `FALSE`.
    Bool(bool),
    /// `NULL`.
    Null,
    /// `MISSING`.
    Missing,
    /// The `n`-th `?` of the statement (from 0).
    Param(usize),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `{'k': v}`.
    Map(Vec<(String, Expr)>),
    /// `<<a, b>>`.
    Set(Vec<Expr>),
    /// `left op right`.
    Compare(Comparator, Box<Expr>, Box<Expr>),
    /// `operand [NOT] BETWEEN low AND high`.
    Between {
        /// What is tested.
        operand: Box<Expr>,
        /// The lower bound.
        low: Box<Expr>,
        /// The upper bound.
        high: Box<Expr>,
    },
    /// `operand IN [list]`.
    In {
        /// What is tested.
        operand: Box<Expr>,
        /// The candidates.
        list: Vec<Expr>,
    },
    /// `operand IS [NOT] MISSING` or `IS [NOT] NULL`.
    Is {
        /// What is tested.
        operand: Box<Expr>,
        /// `NULL` (true) or `MISSING` (false).
        null: bool,
        /// `IS NOT`.
        negated: bool,
    },
    /// `left + right`, `left - right`.
    Arithmetic(ArithmeticOp, Box<Expr>, Box<Expr>),
    /// `name(args)`, the name in lower case.
    Call(String, Vec<Expr>),
    /// `NOT e`.
    Not(Box<Expr>),
    /// `a AND b`.
    And(Box<Expr>, Box<Expr>),
    /// `a OR b`.
    Or(Box<Expr>, Box<Expr>),
}

/// What a SELECT returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Projection {
    /// `*`.
    All,
    /// A list of paths.
    Paths(Vec<Path>),
}

/// `FROM "Table"` or `FROM "Table"."Index"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The table.
    pub table: String,
    /// The index, if any.
    pub index: Option<String>,
}

/// `ORDER BY path [ASC|DESC]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderBy {
    /// The path ordered by.
    pub path: Path,
    /// `DESC`.
    pub descending: bool,
}

/// `SELECT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Select {
    /// What it returns.
    pub projection: Projection,
    /// Where from.
    pub target: Target,
    /// `WHERE`.
    pub condition: Option<Expr>,
    /// `ORDER BY`.
    pub order_by: Vec<OrderBy>,
}

/// `RETURNING ... *`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Returning {
    /// `ALL OLD *`.
    AllOld,
    /// `MODIFIED OLD *`.
    ModifiedOld,
    /// `ALL NEW *`.
    AllNew,
    /// `MODIFIED NEW *`.
    ModifiedNew,
}

/// One clause of an UPDATE, in statement order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UpdateClause {
    /// `SET path = value`.
    Set(Path, Expr),
    /// `SET path = set_add(path, elements)` or `set_delete(path, elements)`:
    /// elements added to or deleted from the set at `path`.
    SetElements {
        /// The set.
        path: Path,
        /// `set_delete` (else `set_add`).
        delete: bool,
        /// A set literal, or a `?` that must be bound to a set.
        elements: Expr,
        /// Where the function's first argument is: AWS's message quotes it
        /// when `elements` is not a set.
        first_argument: Span,
    },
    /// `REMOVE path`.
    Remove(Path),
}

/// A statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Statement {
    /// `SELECT ... FROM ... [WHERE ...] [ORDER BY ...]`.
    Select(Select),
    /// `EXISTS(SELECT ...)`: a condition check, only in transactions.
    Exists(Select),
    /// `INSERT INTO target VALUE item`.
    Insert {
        /// The table.
        target: Target,
        /// The item: a map literal or a parameter.
        item: Expr,
    },
    /// `UPDATE target SET ... REMOVE ... WHERE ... [RETURNING ...]`.
    Update {
        /// The table.
        target: Target,
        /// SET and REMOVE clauses in order.
        clauses: Vec<UpdateClause>,
        /// `WHERE`.
        condition: Expr,
        /// `RETURNING`.
        returning: Option<Returning>,
    },
    /// `DELETE FROM target WHERE ... [RETURNING ALL OLD *]`.
    Delete {
        /// The table.
        target: Target,
        /// `WHERE`.
        condition: Expr,
        /// `RETURNING`.
        returning: Option<Returning>,
    },
}

impl Statement {
    /// Whether the statement reads (SELECT, EXISTS) rather than writes.
    pub fn is_read(&self) -> bool {
        matches!(self, Statement::Select(_) | Statement::Exists(_))
    }

    /// The table the statement addresses.
    pub fn target(&self) -> &Target {
        match self {
            Statement::Select(s) | Statement::Exists(s) => &s.target,
            Statement::Insert { target, .. }
            | Statement::Update { target, .. }
            | Statement::Delete { target, .. } => target,
        }
    }
}

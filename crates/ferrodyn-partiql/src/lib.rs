//! DynamoDB's PartiQL dialect: ExecuteStatement's, BatchExecuteStatement's
//! and ExecuteTransaction's statements.
//!
//! ```text
//!  text ──lexer──▶ tokens ──parser──▶ Statement ──plan (key schema, ?values)──▶ expr trees
//! ```
//!
//! The planner never evaluates anything: conditions, updates and
//! projections become `ferrodyn-expr`'s trees, which the core runs through
//! the same operations as GetItem, Query, Scan, PutItem, UpdateItem and
//! DeleteItem. See docs/partiql.md for the statements supported.

pub mod ast;
mod display;
pub mod error;
pub mod lexer;
mod literals;
pub mod parser;
pub mod plan;
pub mod values;

pub use ast::{Returning, Statement, Target};
pub use error::{PartiqlError, Position, Span};
pub use parser::parse;
pub use plan::{KeyNames, ReadPlan, SelectPlan, WritePlan};

/// The number of `?` parameters in `statement`.
pub fn parameter_count(statement: &Statement) -> usize {
    use ast::{Expr, UpdateClause};
    fn count(e: &Expr) -> usize {
        match e {
            Expr::Param(_) => 1,
            Expr::List(v) | Expr::Set(v) | Expr::Call(_, v) => v.iter().map(count).sum(),
            Expr::Map(v) => v.iter().map(|(_, e)| count(e)).sum(),
            Expr::Compare(_, a, b)
            | Expr::Arithmetic(_, a, b)
            | Expr::And(a, b)
            | Expr::Or(a, b) => count(a) + count(b),
            Expr::Between { operand, low, high } => count(operand) + count(low) + count(high),
            Expr::In { operand, list } => count(operand) + list.iter().map(count).sum::<usize>(),
            Expr::Is { operand, .. } | Expr::Not(operand) => count(operand),
            Expr::Path(_)
            | Expr::Str(_)
            | Expr::Number(_)
            | Expr::Bool(_)
            | Expr::Null
            | Expr::Missing => 0,
        }
    }
    match statement {
        Statement::Select(s) | Statement::Exists(s) => s.condition.as_ref().map_or(0, count),
        Statement::Insert { item, .. } => count(item),
        Statement::Update {
            clauses, condition, ..
        } => {
            clauses
                .iter()
                .map(|c| match c {
                    UpdateClause::Set(_, e) | UpdateClause::SetElements { elements: e, .. } => {
                        count(e)
                    }
                    UpdateClause::Remove(_) => 0,
                })
                .sum::<usize>()
                + count(condition)
        }
        Statement::Delete { condition, .. } => count(condition),
    }
}

/// Whether `text` is a SELECT (its first token is the keyword), without
/// parsing it: the server runs reads where they need not wait for a disk
/// write to be made durable.
pub fn starts_with_select(text: &str) -> bool {
    lexer::tokenize(text)
        .ok()
        .and_then(|tokens| tokens.into_iter().next())
        .is_some_and(|t| t.token.is_keyword("SELECT"))
}

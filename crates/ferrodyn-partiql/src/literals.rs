//! Where a `?` may stand: for a whole value (an attribute's value, an
//! operand, an IN candidate, INSERT's item), never inside a list, map or set
//! literal. DynamoDB refuses `SET x = [?]` and `INSERT ... {'m': {'k': ?}}`
//! naming the parameter's place in the literal (`root` being the literal:
//! `root[0]`, `root.k`) and its position as `line:column:length`; a whole
//! list, map or set is passed as one parameter instead.

use crate::ast::{Expr, Statement, UpdateClause};
use crate::error::{PartiqlError, Position};

/// Refuses the first `?` (in statement order) inside a collection literal.
/// `at` holds the position of each `?` of `statement`, in order.
pub(crate) fn refuse_nested_parameters(
    statement: &Statement,
    at: &[Position],
) -> Result<(), PartiqlError> {
    let found = match statement {
        Statement::Select(s) | Statement::Exists(s) => s.condition.as_ref().and_then(operand),
        // The item's own attributes may be parameters; their values are
        // literals like any other.
        Statement::Insert { item, .. } => match item {
            Expr::Map(entries) => entries.iter().find_map(|(_, value)| operand(value)),
            other => operand(other),
        },
        Statement::Update {
            clauses, condition, ..
        } => clauses
            .iter()
            .find_map(|c| match c {
                UpdateClause::Set(_, value)
                | UpdateClause::SetElements {
                    elements: value, ..
                } => operand(value),
                UpdateClause::Remove(_) => None,
            })
            .or_else(|| operand(condition)),
        Statement::Delete { condition, .. } => operand(condition),
    };
    match found {
        None => Ok(()),
        Some((index, path)) => {
            let position = at.get(index).copied().unwrap_or_default();
            Err(PartiqlError::invalid(format!(
                "Unsupported data type: Parameter under key {path} at {}:{}:1",
                position.line, position.column
            )))
        }
    }
}

/// The first `?` inside a collection literal within `expr`, an operand or
/// condition: the parameter's number and its path in its literal.
fn operand(expr: &Expr) -> Option<(usize, String)> {
    match expr {
        Expr::List(_) | Expr::Set(_) | Expr::Map(_) => inside(expr, "root".to_owned()),
        Expr::In { operand: o, list } => operand(o).or_else(|| list.iter().find_map(operand)),
        Expr::Call(_, args) => args.iter().find_map(operand),
        Expr::Compare(_, a, b) | Expr::Arithmetic(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) => {
            operand(a).or_else(|| operand(b))
        }
        Expr::Between {
            operand: o,
            low,
            high,
        } => operand(o)
            .or_else(|| operand(low))
            .or_else(|| operand(high)),
        Expr::Is { operand: o, .. } | Expr::Not(o) => operand(o),
        Expr::Path(_)
        | Expr::Str(_)
        | Expr::Number(_)
        | Expr::Bool(_)
        | Expr::Null
        | Expr::Missing
        | Expr::Param(_) => None,
    }
}

/// The first `?` among the elements of the literal `expr`, which sits at
/// `path`.
fn inside(expr: &Expr, path: String) -> Option<(usize, String)> {
    match expr {
        Expr::Param(i) => Some((*i, path)),
        Expr::List(elements) | Expr::Set(elements) => elements
            .iter()
            .enumerate()
            .find_map(|(i, e)| inside(e, format!("{path}[{i}]"))),
        Expr::Map(entries) => entries
            .iter()
            .find_map(|(k, e)| inside(e, format!("{path}.{k}"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::parse;

    #[test]
    fn the_position_counts_lines_and_characters() {
        let e = parse("UPDATE \"T\"\n  SET x = ['é', ?] WHERE pk = 'a' AND sk = 1").unwrap_err();
        assert_eq!(
            e.to_string(),
            "Unsupported data type: Parameter under key root[1] at 2:17:1"
        );
    }

    #[test]
    fn parameters_in_function_arguments_and_conditions_are_checked_too() {
        let e = parse("UPDATE \"T\" SET s = set_add(s, <<?>>) WHERE pk = 'a'").unwrap_err();
        assert!(e.to_string().contains("under key root[0] at 1:33:1"), "{e}");
        let e = parse("SELECT * FROM \"T\" WHERE l = [1, ?]").unwrap_err();
        assert!(e.to_string().contains("under key root[1] at 1:33:1"), "{e}");
        assert!(parse("SELECT * FROM \"T\" WHERE l = ? AND pk IN [?, 'b']").is_ok());
    }
}

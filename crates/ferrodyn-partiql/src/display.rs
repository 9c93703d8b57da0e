//! A canonical text for statements: every name double-quoted, every
//! operator parenthesised, keywords upper case. Golden tests compare
//! parsed statements by it, and it parses back to the same tree.

use std::fmt::{self, Display, Formatter, Write};

use crate::ast::{
    Expr, Path, Projection, Returning, Select, Statement, Step, Target, UpdateClause,
};

fn quoted(f: &mut Formatter<'_>, name: &str, quote: char) -> fmt::Result {
    f.write_char(quote)?;
    for c in name.chars() {
        if c == quote {
            f.write_char(quote)?;
        }
        f.write_char(c)?;
    }
    f.write_char(quote)
}

fn list(f: &mut Formatter<'_>, items: &[Expr]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl Display for Path {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Name(name) => {
                    if i > 0 {
                        f.write_char('.')?;
                    }
                    quoted(f, name, '"')?;
                }
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl Display for Target {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        quoted(f, &self.table, '"')?;
        if let Some(index) = &self.index {
            f.write_char('.')?;
            quoted(f, index, '"')?;
        }
        Ok(())
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Path(p) => write!(f, "{p}"),
            Expr::Str(s) => quoted(f, s, '\''),
            Expr::Number(n) => f.write_str(n),
            Expr::Bool(b) => f.write_str(if *b { "TRUE" } else { "FALSE" }),
            Expr::Null => f.write_str("NULL"),
            Expr::Missing => f.write_str("MISSING"),
            Expr::Param(_) => f.write_char('?'),
            Expr::List(items) => {
                f.write_char('[')?;
                list(f, items)?;
                f.write_char(']')
            }
            Expr::Set(items) => {
                f.write_str("<<")?;
                list(f, items)?;
                f.write_str(">>")
            }
            Expr::Map(entries) => {
                f.write_char('{')?;
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    quoted(f, key, '\'')?;
                    write!(f, ": {value}")?;
                }
                f.write_char('}')
            }
            Expr::Compare(op, a, b) => write!(f, "({a} {} {b})", op.symbol()),
            Expr::Between { operand, low, high } => {
                write!(f, "({operand} BETWEEN {low} AND {high})")
            }
            Expr::In {
                operand,
                list: items,
            } => {
                write!(f, "({operand} IN [")?;
                list(f, items)?;
                f.write_str("])")
            }
            Expr::Is {
                operand,
                null,
                negated,
            } => write!(
                f,
                "({operand} IS {}{})",
                if *negated { "NOT " } else { "" },
                if *null { "NULL" } else { "MISSING" }
            ),
            Expr::Arithmetic(op, a, b) => write!(f, "({a} {} {b})", op.symbol()),
            Expr::Call(name, args) => {
                write!(f, "{name}(")?;
                list(f, args)?;
                f.write_char(')')
            }
            Expr::Not(e) => write!(f, "(NOT {e})"),
            Expr::And(a, b) => write!(f, "({a} AND {b})"),
            Expr::Or(a, b) => write!(f, "({a} OR {b})"),
        }
    }
}

impl Display for Select {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("SELECT ")?;
        match &self.projection {
            Projection::All => f.write_char('*')?,
            Projection::Paths(paths) => {
                for (i, p) in paths.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{p}")?;
                }
            }
        }
        write!(f, " FROM {}", self.target)?;
        if let Some(c) = &self.condition {
            write!(f, " WHERE {c}")?;
        }
        for (i, o) in self.order_by.iter().enumerate() {
            f.write_str(if i == 0 { " ORDER BY " } else { ", " })?;
            write!(
                f,
                "{} {}",
                o.path,
                if o.descending { "DESC" } else { "ASC" }
            )?;
        }
        Ok(())
    }
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let returning = |f: &mut Formatter<'_>, r: &Option<Returning>| match r {
            None => Ok(()),
            Some(Returning::AllOld) => f.write_str(" RETURNING ALL OLD *"),
            Some(Returning::ModifiedOld) => f.write_str(" RETURNING MODIFIED OLD *"),
            Some(Returning::AllNew) => f.write_str(" RETURNING ALL NEW *"),
            Some(Returning::ModifiedNew) => f.write_str(" RETURNING MODIFIED NEW *"),
        };
        match self {
            Statement::Select(s) => write!(f, "{s}"),
            Statement::Exists(s) => write!(f, "EXISTS({s})"),
            Statement::Insert { target, item } => write!(f, "INSERT INTO {target} VALUE {item}"),
            Statement::Update {
                target,
                clauses,
                condition,
                returning: r,
            } => {
                write!(f, "UPDATE {target}")?;
                for clause in clauses {
                    match clause {
                        UpdateClause::Set(p, v) => write!(f, " SET {p} = {v}")?,
                        UpdateClause::SetElements {
                            path,
                            delete,
                            elements,
                            ..
                        } => {
                            let function = if *delete { "set_delete" } else { "set_add" };
                            write!(f, " SET {path} = {function}({path}, {elements})")?
                        }
                        UpdateClause::Remove(p) => write!(f, " REMOVE {p}")?,
                    }
                }
                write!(f, " WHERE {condition}")?;
                returning(f, r)
            }
            Statement::Delete {
                target,
                condition,
                returning: r,
            } => {
                write!(f, "DELETE FROM {target} WHERE {condition}")?;
                returning(f, r)
            }
        }
    }
}

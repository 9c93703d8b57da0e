//! DynamoDB's expression language: condition, filter, key condition,
//! projection and update expressions.
//!
//! An expression goes through three phases, each of which can reject it
//! with DynamoDB's exact message (see [`error`]):
//!
//! ```text
//!  text ──lexer──▶ tokens ──parser──▶ syntax tree ──walk──▶ ──validate──▶ typed tree
//!        (one for all kinds)  syntax errors,      reserved words,  #names/:values,
//!                             redundant parens    function names   operand types,
//!                                                 and placement    path overlaps
//! ```
//!
//! then evaluation or application against an item:
//!
//! * [`ConditionExpression::evaluate`] (also filters and key conditions),
//! * [`UpdateExpression::apply`], which also lists the updated paths,
//! * [`ProjectionExpression::apply`] and [`project`],
//! * [`KeyConditionExpression::bind`], which matches a key condition to a
//!   key schema for a Query's index lookup.
//!
//! The order of the phases, and of the checks within them, decides which
//! error a request with several problems receives; it follows DynamoDB's
//! (the module docs of [`syntax`] and `check` give the details).
//!
//! Placeholders are shared by all expressions of a request. Each parsed
//! expression records its [`Usage`]; after parsing all of them, call
//! [`check_unused`] with the request's maps.
//!
//! The legacy parameters that predate expressions (`Expected` with
//! `ConditionalOperator`, `AttributeUpdates`, `AttributesToGet`) are
//! converted by [`legacy`] into the same typed trees, so one evaluator serves
//! both generations of the API.

pub mod ast;
mod check;
pub mod error;
mod eval;
pub mod key_condition;
pub mod legacy;
pub mod lexer;
pub mod path;
pub mod placeholders;
pub mod projection;
pub mod reserved;
mod stack;
pub mod syntax;
pub mod update;
pub mod value;

use ferrodyn_model::limits::{EXPRESSION_LENGTH_MAX, EXPRESSION_TREE_SIZE_BYTES_MAX};
use ferrodyn_model::{AttributeValue, Item};

pub use ast::{Condition, Operand, SetOperand, SetValue, UpdateAction};
pub use error::{ExprError, ExpressionKind, LegacyProblem, PlaceholderMap, Problem, UpdateClause};
pub use key_condition::{KeyCondition, KeyConditionExpression, KeyPredicate, SortKeyCondition};
pub use legacy::{
    AttributeAction, AttributeUpdate, ComparisonOperator, ConditionalOperator, ExpectedAttribute,
    attribute_updates, attributes_to_get, expected_condition,
};
pub use path::{DocumentPath, PathElement, PathTree};
pub use placeholders::{
    NameMap, Placeholders, Usage, ValueMap, check_unused, validate_names, validate_values,
};
pub use projection::{ProjectionExpression, project};
pub use syntax::{ArithmeticOp, Comparator};
pub use update::{UpdateExpression, UpdateOutcome};

use check::{Category, Validator, Walk};
use placeholders::utf16_len;
use syntax::{Parser, RawAction};
use update::UpdateSource;

/// A validated condition or filter expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionExpression {
    condition: Condition,
    usage: Usage,
}

impl ConditionExpression {
    /// The condition.
    pub fn condition(&self) -> &Condition {
        &self.condition
    }

    /// The placeholders the expression used.
    pub fn usage(&self) -> &Usage {
        &self.usage
    }

    /// Whether `item` satisfies the condition (an empty item stands for a
    /// missing one).
    pub fn evaluate(&self, item: &Item) -> bool {
        self.condition.evaluate(item)
    }
}

/// Parses and validates a `ConditionExpression`.
pub fn parse_condition(
    text: &str,
    placeholders: Placeholders<'_>,
) -> Result<ConditionExpression, ExprError> {
    stack::run(text, || {
        parse_condition_kind(ExpressionKind::Condition, text, placeholders)
    })
}

/// Parses and validates a `FilterExpression` (the condition grammar).
pub fn parse_filter(
    text: &str,
    placeholders: Placeholders<'_>,
) -> Result<ConditionExpression, ExprError> {
    stack::run(text, || {
        parse_condition_kind(ExpressionKind::Filter, text, placeholders)
    })
}

/// Parses and validates a `KeyConditionExpression`, including the checks
/// that need no key schema. Finish with [`KeyConditionExpression::bind`].
pub fn parse_key_condition(
    text: &str,
    placeholders: Placeholders<'_>,
) -> Result<KeyConditionExpression, ExprError> {
    stack::run(text, || {
        let parsed = parse_condition_kind(ExpressionKind::KeyCondition, text, placeholders)?;
        let terms = key_condition::key_terms(&parsed.condition)?;
        Ok(KeyConditionExpression {
            condition: parsed.condition,
            terms,
            usage: parsed.usage,
        })
    })
}

/// Parses and validates a `ProjectionExpression`.
pub fn parse_projection(
    text: &str,
    placeholders: Placeholders<'_>,
) -> Result<ProjectionExpression, ExprError> {
    // Projections have no parentheses, so they never need a helper thread.
    let kind = ExpressionKind::Projection;
    let invalid = |problem| ExprError::invalid(kind, problem);
    check_text(kind, text)?;
    let raw = Parser::new(text).projection().map_err(invalid)?;
    let walk = Walk::new(Category::Condition);
    raw.iter()
        .try_for_each(|path| walk.path(path))
        .map_err(invalid)?;
    let mut validator = Validator::new(placeholders);
    // DynamoDB checks the paths last to first; the order decides which pair
    // an overlap message names.
    let mut tree = PathTree::new();
    let mut paths = Vec::with_capacity(raw.len());
    for raw_path in raw.iter().rev() {
        let path = validator.path(raw_path).map_err(invalid)?;
        tree.insert(&path).map_err(invalid)?;
        paths.push(path);
    }
    paths.reverse();
    check_size(kind, text, &validator.usage, &placeholders)?;
    Ok(ProjectionExpression {
        paths,
        usage: validator.usage,
    })
}

/// Parses and validates an `UpdateExpression`.
pub fn parse_update(
    text: &str,
    placeholders: Placeholders<'_>,
) -> Result<UpdateExpression, ExprError> {
    stack::run(text, || parse_update_here(text, placeholders))
}

fn parse_update_here(
    text: &str,
    placeholders: Placeholders<'_>,
) -> Result<UpdateExpression, ExprError> {
    let kind = ExpressionKind::Update;
    let invalid = |problem| ExprError::invalid(kind, problem);
    check_text(kind, text)?;
    let sections = Parser::new(text).update().map_err(invalid)?;

    let walk = Walk::new(Category::Update);
    let mut seen: Vec<UpdateClause> = Vec::new();
    for section in &sections {
        for action in &section.actions {
            match action {
                RawAction::Set(path, value) => {
                    walk.path(path).map_err(invalid)?;
                    walk.set_value(value).map_err(invalid)?;
                }
                RawAction::Remove(path) | RawAction::Add(path, _) | RawAction::Delete(path, _) => {
                    walk.path(path).map_err(invalid)?;
                }
            }
        }
        if seen.contains(&section.clause) {
            return Err(invalid(Problem::DuplicateSection {
                clause: section.clause,
            }));
        }
        seen.push(section.clause);
    }

    // DynamoDB validates the actions last to first: first every target
    // path (resolving it and checking overlaps), then every value.
    let raw_actions: Vec<&RawAction> = sections.iter().flat_map(|s| &s.actions).collect();
    let mut validator = Validator::new(placeholders);
    let mut tree = PathTree::new();
    let mut targets = Vec::with_capacity(raw_actions.len());
    for action in raw_actions.iter().rev() {
        let raw_path = match action {
            RawAction::Set(path, _)
            | RawAction::Remove(path)
            | RawAction::Add(path, _)
            | RawAction::Delete(path, _) => path,
        };
        let path = validator.path(raw_path).map_err(invalid)?;
        tree.insert(&path).map_err(invalid)?;
        targets.push(path);
    }
    let mut actions = Vec::with_capacity(raw_actions.len());
    for (action, path) in raw_actions.iter().rev().zip(targets) {
        actions.push(match action {
            RawAction::Set(_, value) => UpdateAction::Set {
                path,
                value: validator.set_value(value).map_err(invalid)?,
            },
            RawAction::Remove(_) => UpdateAction::Remove { path },
            RawAction::Add(_, key) | RawAction::Delete(_, key) => {
                let value: AttributeValue = validator.value(key).map_err(invalid)?;
                let clause = if matches!(action, RawAction::Add(..)) {
                    UpdateClause::Add
                } else {
                    UpdateClause::Delete
                };
                Validator::update_value_type(clause, &value).map_err(invalid)?;
                if clause == UpdateClause::Add {
                    UpdateAction::Add { path, value }
                } else {
                    UpdateAction::Delete { path, value }
                }
            }
        });
    }
    actions.reverse();
    check_size(kind, text, &validator.usage, &placeholders)?;
    Ok(UpdateExpression {
        actions,
        usage: validator.usage,
        source: UpdateSource::Expression,
    })
}

fn parse_condition_kind(
    kind: ExpressionKind,
    text: &str,
    placeholders: Placeholders<'_>,
) -> Result<ConditionExpression, ExprError> {
    let invalid = |problem| ExprError::invalid(kind, problem);
    check_text(kind, text)?;
    let raw = Parser::new(text).condition().map_err(invalid)?;
    Walk::new(Category::Condition)
        .condition(&raw)
        .map_err(invalid)?;
    let mut validator = Validator::new(placeholders);
    let condition = validator.condition(&raw).map_err(invalid)?;
    check_size(kind, text, &validator.usage, &placeholders)?;
    Ok(ConditionExpression {
        condition,
        usage: validator.usage,
    })
}

/// The checks before parsing: not empty, not too long. DynamoDB counts the
/// length in UTF-16 code units and reports it for the condition grammar
/// only.
fn check_text(kind: ExpressionKind, text: &str) -> Result<(), ExprError> {
    if text.is_empty() {
        return Err(ExprError::invalid(kind, Problem::Empty));
    }
    let length = utf16_len(text);
    if length > EXPRESSION_LENGTH_MAX {
        let length = kind.is_condition().then_some(length);
        return Err(ExprError::invalid(kind, Problem::TooLong { length }));
    }
    Ok(())
}

/// The check after validation: the expression with its placeholders
/// substituted stays within [`EXPRESSION_TREE_SIZE_BYTES_MAX`].
fn check_size(
    kind: ExpressionKind,
    text: &str,
    usage: &Usage,
    placeholders: &Placeholders<'_>,
) -> Result<(), ExprError> {
    let size = utf16_len(text) + usage.substituted_size(placeholders);
    if size > EXPRESSION_TREE_SIZE_BYTES_MAX {
        return Err(ExprError::invalid(kind, Problem::TooLarge));
    }
    Ok(())
}

/// Expressions built from trees rather than parsed from text: PartiQL's
/// statements (crate `ferrodyn-partiql`) compile into them, so that one
/// evaluator serves both dialects. The caller has checked what the parser
/// would have (paths of an update do not overlap).
impl ConditionExpression {
    /// A condition from its tree.
    pub fn from_tree(condition: Condition) -> ConditionExpression {
        ConditionExpression {
            condition,
            usage: Usage::default(),
        }
    }
}

impl UpdateExpression {
    /// An update from its actions, whose paths must not overlap or conflict
    /// (check them with a [`PathTree`]).
    pub fn from_actions(actions: Vec<UpdateAction>) -> UpdateExpression {
        UpdateExpression {
            actions,
            usage: Usage::default(),
            source: UpdateSource::Expression,
        }
    }
}

impl ProjectionExpression {
    /// A projection onto `paths`.
    pub fn from_paths(paths: Vec<DocumentPath>) -> ProjectionExpression {
        ProjectionExpression {
            paths,
            usage: Usage::default(),
        }
    }
}

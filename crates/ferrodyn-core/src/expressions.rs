//! The expression members of an item request, compiled once before the
//! operation touches storage.
//!
//! A request carries its expressions as text plus two placeholder maps
//! shared by all of them, or the legacy members that predate expressions
//! (`Expected`, `AttributeUpdates`, `AttributesToGet`, ...). Compiling
//! checks them in DynamoDB's order and turns either form into the same
//! trees of `ferrodyn-expr`, so one evaluator serves both:
//!
//! ```text
//! 1. legacy and expression members mixed        -> "Can not use both ..."
//! 2. placeholder maps without any expression     -> "... can only be specified when using expressions"
//! 3. maps empty or with malformed keys           -> "... must not be empty" / "contains invalid key"
//! 4. each expression parsed and validated        -> "Invalid <Kind>Expression: ..."
//! 5. placeholders no expression used             -> "Value provided in ... unused in expressions"
//! 6. legacy members converted                    -> "One or more parameter values were invalid: ..."
//! ```
//!
//! All of this happens before the table is looked up, as on AWS: a request
//! with a malformed expression is rejected even if its table is missing.

use std::collections::BTreeMap;

// The legacy members' types are part of the core's input types.
pub use ferrodyn_expr::legacy::{
    AttributeAction, AttributeUpdate, ComparisonOperator, ConditionalOperator, ExpectedAttribute,
};
use ferrodyn_expr::{
    ConditionExpression, NameMap, Placeholders, ProjectionExpression, UpdateExpression, Usage,
    ValueMap, check_unused, legacy, parse_condition, parse_projection, parse_update,
    validate_names, validate_values,
};
use ferrodyn_model::{AttributeValue, Item};

use crate::error::{CoreError, Result};

/// The expression members of a request, as sent.
#[derive(Clone, Debug, Default)]
pub struct ExpressionInput {
    /// `ConditionExpression`.
    pub condition: Option<String>,
    /// `UpdateExpression`.
    pub update: Option<String>,
    /// `ProjectionExpression`.
    pub projection: Option<String>,
    /// `ExpressionAttributeNames`.
    pub names: Option<BTreeMap<String, String>>,
    /// `ExpressionAttributeValues`.
    pub values: Option<BTreeMap<String, AttributeValue>>,
}

/// The legacy members of a request, as sent (each in request order).
#[derive(Clone, Debug, Default)]
pub struct LegacyInput {
    /// `AttributesToGet`.
    pub attributes_to_get: Option<Vec<String>>,
    /// `AttributeUpdates`.
    pub attribute_updates: Option<Vec<(String, AttributeUpdate)>>,
    /// `Expected`.
    pub expected: Option<Vec<(String, ExpectedAttribute)>>,
    /// `ConditionalOperator`.
    pub conditional_operator: Option<ConditionalOperator>,
}

/// Which expression members an operation takes, in the order DynamoDB
/// names them in its messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operation {
    /// GetItem: a projection.
    Get,
    /// PutItem and DeleteItem: a condition.
    Write,
    /// UpdateItem: an update and a condition.
    Update,
}

impl Operation {
    fn expression_members(self) -> &'static [&'static str] {
        match self {
            Operation::Get => &["ProjectionExpression"],
            Operation::Write => &["ConditionExpression"],
            Operation::Update => &["UpdateExpression", "ConditionExpression"],
        }
    }
}

/// A request's compiled expressions.
#[derive(Clone, Debug, Default)]
pub(crate) struct Compiled {
    /// The write condition (`ConditionExpression` or `Expected`).
    pub condition: Option<ConditionExpression>,
    /// The update (`UpdateExpression` or `AttributeUpdates`).
    pub update: Option<UpdateExpression>,
    /// The projection (`ProjectionExpression` or `AttributesToGet`).
    pub projection: Option<ProjectionExpression>,
}

impl Compiled {
    /// Whether `item` (absent: `None`) satisfies the write condition.
    pub(crate) fn condition_holds(&self, item: Option<&Item>) -> bool {
        let Some(condition) = &self.condition else {
            return true;
        };
        match item {
            Some(item) => condition.evaluate(item),
            None => condition.evaluate(&Item::new()),
        }
    }

    /// Checks the write condition against the current item, failing with
    /// ConditionalCheckFailedException (carrying the item when
    /// `return_item` asks for it, as `ReturnValuesOnConditionCheckFailure =
    /// ALL_OLD` does).
    pub(crate) fn check_condition(&self, item: Option<&Item>, return_item: bool) -> Result<()> {
        if self.condition_holds(item) {
            return Ok(());
        }
        Err(CoreError::ConditionalCheckFailed {
            item: if return_item { item.cloned() } else { None },
        })
    }

    /// `item` projected, when the request asked for a projection.
    pub(crate) fn project(&self, item: Item) -> Item {
        match &self.projection {
            Some(projection) => projection.apply(&item),
            None => item,
        }
    }
}

/// Compiles a request's expression and legacy members for `operation`.
pub(crate) fn compile(
    operation: Operation,
    expressions: &ExpressionInput,
    legacy: &LegacyInput,
) -> Result<Compiled> {
    check_mixing(operation, expressions, legacy)?;
    let used_expressions: Vec<&str> = operation
        .expression_members()
        .iter()
        .copied()
        .filter(|member| expression_text(expressions, member).is_some())
        .collect();
    if used_expressions.is_empty() {
        if expressions.names.is_some() {
            return Err(CoreError::validation(
                "ExpressionAttributeNames can only be specified when using expressions",
            ));
        }
        if expressions.values.is_some() {
            let members = operation.expression_members();
            let verb = if members.len() == 1 { "is" } else { "are" };
            return Err(CoreError::validation(format!(
                "ExpressionAttributeValues can only be specified when using expressions: {} {verb} null",
                members.join(" and ")
            )));
        }
    }
    if let Some(names) = &expressions.names {
        validate_names(names.keys().map(String::as_str))?;
    }
    if let Some(values) = &expressions.values {
        validate_values(values.keys().map(String::as_str))?;
    }

    let placeholders = Placeholders::new(
        expressions.names.as_ref().map(|m| m as &dyn NameMap),
        expressions.values.as_ref().map(|m| m as &dyn ValueMap),
    );
    let mut compiled = Compiled::default();
    let mut usages: Vec<Usage> = Vec::new();
    if let Some(text) = &expressions.update {
        let update = parse_update(text, placeholders)?;
        usages.push(update.usage().clone());
        compiled.update = Some(update);
    }
    if let Some(text) = &expressions.condition {
        let condition = parse_condition(text, placeholders)?;
        usages.push(condition.usage().clone());
        compiled.condition = Some(condition);
    }
    if let Some(text) = &expressions.projection {
        let projection = parse_projection(text, placeholders)?;
        usages.push(projection.usage().clone());
        compiled.projection = Some(projection);
    }
    let usage_refs: Vec<&Usage> = usages.iter().collect();
    check_unused(
        expressions
            .names
            .iter()
            .flat_map(|m| m.keys().map(String::as_str)),
        expressions
            .values
            .iter()
            .flat_map(|m| m.keys().map(String::as_str)),
        &usage_refs,
    )?;

    if legacy.expected.is_some() || legacy.conditional_operator.is_some() {
        compiled.condition = legacy::expected_condition(
            legacy.expected.as_deref().unwrap_or_default(),
            legacy.conditional_operator,
        )?;
    }
    if let Some(updates) = &legacy.attribute_updates {
        compiled.update = Some(legacy::attribute_updates(updates)?);
    }
    if let Some(names) = &legacy.attributes_to_get {
        compiled.projection = Some(legacy::attributes_to_get(names)?);
    }
    Ok(compiled)
}

fn expression_text<'a>(expressions: &'a ExpressionInput, member: &str) -> Option<&'a str> {
    match member {
        "ConditionExpression" => expressions.condition.as_deref(),
        "UpdateExpression" => expressions.update.as_deref(),
        "ProjectionExpression" => expressions.projection.as_deref(),
        _ => None,
    }
}

/// Rejects a request that mixes the two forms, naming the members of each
/// it used, as DynamoDB does.
fn check_mixing(
    operation: Operation,
    expressions: &ExpressionInput,
    legacy: &LegacyInput,
) -> Result<()> {
    let mut old_style: Vec<&str> = Vec::new();
    if legacy.attributes_to_get.is_some() {
        old_style.push("AttributesToGet");
    }
    if legacy.attribute_updates.is_some() {
        old_style.push("AttributeUpdates");
    }
    if legacy.expected.is_some() {
        old_style.push("Expected");
    }
    if legacy.conditional_operator.is_some() {
        old_style.push("ConditionalOperator");
    }
    let new_style: Vec<&str> = operation
        .expression_members()
        .iter()
        .copied()
        .filter(|member| expression_text(expressions, member).is_some())
        .collect();
    if old_style.is_empty() || new_style.is_empty() {
        return Ok(());
    }
    Err(CoreError::validation(format!(
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {{{}}} Expression parameters: {{{}}}",
        old_style.join(", "),
        new_style.join(", ")
    )))
}

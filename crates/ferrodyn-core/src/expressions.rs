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
    Condition, ConditionExpression, ExprError, KeyCondition, KeyConditionExpression, KeyPredicate,
    NameMap, Operand, Placeholders, ProjectionExpression, SortKeyCondition, UpdateExpression,
    Usage, ValueMap, check_unused, legacy, parse_condition, parse_filter, parse_key_condition,
    parse_projection, parse_update, validate_names, validate_values,
};
use ferrodyn_model::names::check_attribute_name;
use ferrodyn_model::schema::KeySchema;
use ferrodyn_model::{AttributeValue, Item};

use crate::error::{CoreError, Result};
use crate::index::IndexKeySchema;

/// The expression members of a request, as sent.
#[derive(Clone, Debug, Default)]
pub struct ExpressionInput {
    /// `ConditionExpression`.
    pub condition: Option<String>,
    /// `UpdateExpression`.
    pub update: Option<String>,
    /// `ProjectionExpression`.
    pub projection: Option<String>,
    /// `FilterExpression`.
    pub filter: Option<String>,
    /// `KeyConditionExpression`.
    pub key_condition: Option<String>,
    /// `ExpressionAttributeNames`.
    pub names: Option<BTreeMap<String, String>>,
    /// `ExpressionAttributeValues`.
    pub values: Option<BTreeMap<String, AttributeValue>>,
    /// Trees compiled from another dialect (PartiQL), used as they are in
    /// place of the members above; only the core makes them.
    pub compiled: Option<Box<CompiledExpressions>>,
}

/// Expressions already compiled into trees (opaque outside the core).
#[derive(Clone, Debug, Default)]
pub struct CompiledExpressions(pub(crate) Compiled);

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
    /// `KeyConditions`: each attribute's operator and values.
    pub key_conditions: Option<Vec<(String, ExpectedAttribute)>>,
    /// `QueryFilter` or `ScanFilter` (entries with an operator and values).
    pub filter: Option<Vec<(String, ExpectedAttribute)>>,
}

/// A key condition on a table (or an index with one partition-key and at
/// most one sort-key attribute) names at most the partition and sort key.
const KEY_CONDITIONS_MAX: usize = 2;

/// A key condition names at most this many attributes: four partition-key
/// and four sort-key attributes of a multi-attribute global index.
const KEY_CONDITION_TERMS_MAX: usize = 8;

/// The message for a key condition on zero or more than two attributes.
const KEY_CONDITIONS_COUNT: &str = "Conditions can be of length 1 or 2 only";

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
    /// Query: a projection, a filter and a key condition.
    Query,
    /// Scan: a projection and a filter.
    Scan,
}

impl Operation {
    /// The expression members, in the order of the "Can not use both"
    /// message.
    fn expression_members(self) -> &'static [&'static str] {
        match self {
            Operation::Get => &["ProjectionExpression"],
            Operation::Write => &["ConditionExpression"],
            Operation::Update => &["UpdateExpression", "ConditionExpression"],
            Operation::Query => &[
                "ProjectionExpression",
                "FilterExpression",
                "KeyConditionExpression",
            ],
            Operation::Scan => &["ProjectionExpression", "FilterExpression"],
        }
    }

    /// The members that may use `:values`, as the message about values
    /// without expressions names them.
    fn value_members(self) -> &'static [&'static str] {
        match self {
            Operation::Get => &[],
            Operation::Write => &["ConditionExpression"],
            Operation::Update => &["UpdateExpression", "ConditionExpression"],
            Operation::Query => &["FilterExpression", "KeyConditionExpression"],
            Operation::Scan => &["FilterExpression"],
        }
    }
}

/// A Query's key condition, before it is matched to the key schema of the
/// table or index queried.
#[derive(Clone, Debug)]
pub(crate) enum KeySource {
    /// `KeyConditionExpression`.
    Expression(KeyConditionExpression),
    /// Legacy `KeyConditions`, checked and in request order.
    Legacy(Vec<(String, KeyPredicate)>),
}

impl KeySource {
    /// The condition's terms, in request order.
    fn terms(&self) -> &[(String, KeyPredicate)] {
        match self {
            KeySource::Expression(expression) => expression.terms(),
            KeySource::Legacy(terms) => terms,
        }
    }

    /// Matches the key condition to a table's (or simple index's) `schema`.
    pub(crate) fn bind(&self, schema: &KeySchema) -> Result<BoundKey> {
        if self.terms().len() > KEY_CONDITIONS_MAX {
            return Err(CoreError::validation(KEY_CONDITIONS_COUNT));
        }
        let condition = match self {
            KeySource::Expression(expression) => expression.bind(schema)?,
            KeySource::Legacy(terms) => bind_legacy(terms, schema)?,
        };
        Ok(BoundKey {
            partition: vec![condition.partition],
            sort_prefix: Vec::new(),
            last: condition.sort.map(|s| (s.name, s.predicate)),
        })
    }

    /// Matches the key condition to an index's key schema, which may have
    /// several partition-key and sort-key attributes: every partition-key
    /// attribute by equality; sort-key attributes from the first, without
    /// gaps, all by equality but the last one named, which may take any
    /// key operator. The order of the terms in the request does not matter.
    pub(crate) fn bind_index(&self, schema: &IndexKeySchema) -> Result<BoundKey> {
        if let Some(simple) = schema.simple() {
            return self.bind(&simple);
        }
        let terms = self.terms();
        let find = |name: &str| terms.iter().find(|(attr, _)| attr == name);
        if terms.iter().any(|(name, _)| !schema.is_key_attribute(name)) {
            return Err(ExprError::KeyConditionNotSupported.into());
        }
        let check_type = |attr: &ferrodyn_model::schema::KeyAttribute, p: &KeyPredicate| {
            if p.values().iter().all(|v| attr.scalar_type.matches(v)) {
                Ok(())
            } else {
                Err(CoreError::from(ExprError::KeyConditionTypeMismatch))
            }
        };
        let mut bound = BoundKey::default();
        for attr in &schema.partition {
            let hash_needs_equality = || ExprError::KeyConditionHashNeedsEquality {
                name: attr.name.clone(),
            };
            let Some((_, predicate)) = find(&attr.name) else {
                return Err(hash_needs_equality().into());
            };
            let KeyPredicate::Eq(value) = predicate else {
                return Err(hash_needs_equality().into());
            };
            check_type(attr, predicate)?;
            bound.partition.push((attr.name.clone(), value.clone()));
        }
        // The sort-key attributes used must be a prefix of the key schema's:
        // the last one named decides how far the prefix reaches.
        let used = schema
            .sort
            .iter()
            .rposition(|a| find(&a.name).is_some())
            .map_or(0, |last| last + 1);
        // A later sort-key attribute is named but this one is not.
        if let Some(skipped) = schema.sort[..used].iter().find(|a| find(&a.name).is_none()) {
            return Err(ExprError::KeyConditionRangeGap {
                name: skipped.name.clone(),
            }
            .into());
        }
        for (i, attr) in schema.sort.iter().enumerate().take(used) {
            let Some((_, predicate)) = find(&attr.name) else {
                return Err(CoreError::Internal("sort-key prefix checked above".into()));
            };
            check_type(attr, predicate)?;
            if i + 1 < used {
                let KeyPredicate::Eq(value) = predicate else {
                    return Err(ExprError::KeyConditionRangeNotLast {
                        name: attr.name.clone(),
                        next: schema.sort[i + 1].name.clone(),
                    }
                    .into());
                };
                bound.sort_prefix.push((attr.name.clone(), value.clone()));
            } else {
                bound.last = Some((attr.name.clone(), predicate.clone()));
            }
        }
        Ok(bound)
    }
}

/// A key condition matched to a key schema: the partition it selects and
/// the range of sort keys inside it.
#[derive(Clone, Debug, Default)]
pub(crate) struct BoundKey {
    /// The partition-key attributes and the values they must equal, in
    /// key-schema order.
    pub partition: Vec<(String, AttributeValue)>,
    /// Leading sort-key attributes pinned by equality, in key-schema order.
    pub sort_prefix: Vec<(String, AttributeValue)>,
    /// The condition on the next sort-key attribute, if any.
    pub last: Option<(String, KeyPredicate)>,
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
    /// The filter (`FilterExpression`, `QueryFilter` or `ScanFilter`).
    pub filter: Option<ConditionExpression>,
    /// The key condition (`KeyConditionExpression` or `KeyConditions`).
    pub key_condition: Option<KeySource>,
    /// The filter is evaluated on the index entry as it is, even over
    /// attributes the index does not project (which are then absent), where
    /// a Query or Scan refuses such a filter: PartiQL's SELECT of an index
    /// without its key.
    pub filter_on_index_view: bool,
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

    /// Whether `item` passes the filter (all items do without one).
    pub(crate) fn filter_holds(&self, item: &Item) -> bool {
        self.filter.as_ref().is_none_or(|f| f.evaluate(item))
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
    if let Some(compiled) = &expressions.compiled {
        return Ok(compiled.0.clone());
    }
    check_mixing(operation, expressions, legacy)?;
    let used_expressions: Vec<&str> = operation
        .expression_members()
        .iter()
        .copied()
        .filter(|member| expression_text(expressions, member).is_some())
        .collect();
    if used_expressions.is_empty() && expressions.names.is_some() {
        return Err(CoreError::validation(
            "ExpressionAttributeNames can only be specified when using expressions",
        ));
    }
    let value_members = operation.value_members();
    if expressions.values.is_some()
        && !value_members
            .iter()
            .any(|member| expression_text(expressions, member).is_some())
    {
        let verb = if value_members.len() == 1 {
            "is"
        } else {
            "are"
        };
        return Err(CoreError::validation(format!(
            "ExpressionAttributeValues can only be specified when using expressions: {} {verb} null",
            value_members.join(" and ")
        )));
    }
    if let Some(names) = &expressions.names {
        validate_names(names.keys().map(String::as_str))?;
        // A placeholder must stand for a usable attribute name: AWS answers
        // "ExpressionAttributeNames contains invalid value: Empty attribute
        // name for key #a" [extenddb test_name_empty_mapped_value, captured].
        for (key, name) in names {
            if let Err(e) = check_attribute_name(name) {
                return Err(CoreError::validation(format!(
                    "ExpressionAttributeNames contains invalid value: {e} for key {key}"
                )));
            }
        }
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
    if let Some(text) = &expressions.key_condition {
        let key_condition = parse_key_condition(text, placeholders)?;
        if key_condition.terms().len() > KEY_CONDITION_TERMS_MAX {
            return Err(CoreError::validation(KEY_CONDITIONS_COUNT));
        }
        usages.push(key_condition.usage().clone());
        compiled.key_condition = Some(KeySource::Expression(key_condition));
    }
    if let Some(text) = &expressions.filter {
        let filter = parse_filter(text, placeholders)?;
        usages.push(filter.usage().clone());
        compiled.filter = Some(filter);
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

    check_legacy_names(legacy)?;
    let filters = matches!(operation, Operation::Query | Operation::Scan);
    if filters && (legacy.filter.is_some() || legacy.conditional_operator.is_some()) {
        compiled.filter = legacy::expected_condition(
            legacy.filter.as_deref().unwrap_or_default(),
            legacy.conditional_operator,
        )?;
    } else if legacy.expected.is_some() || legacy.conditional_operator.is_some() {
        compiled.condition = legacy::expected_condition(
            legacy.expected.as_deref().unwrap_or_default(),
            legacy.conditional_operator,
        )?;
    }
    if let Some(entries) = &legacy.key_conditions {
        compiled.key_condition = Some(KeySource::Legacy(key_conditions(entries)?));
    }
    if let Some(updates) = &legacy.attribute_updates {
        compiled.update = Some(legacy::attribute_updates(updates)?);
    }
    if let Some(names) = &legacy.attributes_to_get {
        compiled.projection = Some(legacy::attributes_to_get(names)?);
    }
    Ok(compiled)
}

/// Checks every attribute name the legacy members carry (AttributesToGet,
/// the keys of AttributeUpdates, Expected, KeyConditions and the filter):
/// each must be 1 to 65,535 bytes, as item attribute names are.
/// UNCONFIRMED wording (docs/compatibility.md): DynamoDB Local's texts in
/// the "One or more parameter values were invalid" form AWS gives other item
/// validation errors.
fn check_legacy_names(legacy: &LegacyInput) -> Result<()> {
    fn keyed(entries: &Option<Vec<(String, ExpectedAttribute)>>) -> impl Iterator<Item = &str> {
        entries.iter().flatten().map(|(name, _)| name.as_str())
    }
    let names = legacy
        .attributes_to_get
        .iter()
        .flatten()
        .map(String::as_str)
        .chain(
            legacy
                .attribute_updates
                .iter()
                .flatten()
                .map(|(name, _)| name.as_str()),
        )
        .chain(keyed(&legacy.expected))
        .chain(keyed(&legacy.key_conditions))
        .chain(keyed(&legacy.filter));
    for name in names {
        check_attribute_name(name).map_err(CoreError::invalid_parameter)?;
    }
    Ok(())
}

fn expression_text<'a>(expressions: &'a ExpressionInput, member: &str) -> Option<&'a str> {
    match member {
        "ConditionExpression" => expressions.condition.as_deref(),
        "UpdateExpression" => expressions.update.as_deref(),
        "ProjectionExpression" => expressions.projection.as_deref(),
        "FilterExpression" => expressions.filter.as_deref(),
        "KeyConditionExpression" => expressions.key_condition.as_deref(),
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
    // DynamoDB lists the members in this order. `KeyConditions` counts as
    // mixing only beside `KeyConditionExpression` (a Query may combine the
    // legacy key conditions with, say, a ProjectionExpression's rejection
    // naming only the other members).
    let mut old_style: Vec<&str> = Vec::new();
    if legacy.attributes_to_get.is_some() {
        old_style.push("AttributesToGet");
    }
    if legacy.attribute_updates.is_some() {
        old_style.push("AttributeUpdates");
    }
    if legacy.filter.is_some() {
        old_style.push(if operation == Operation::Scan {
            "ScanFilter"
        } else {
            "QueryFilter"
        });
    }
    if legacy.expected.is_some() {
        old_style.push("Expected");
    }
    if legacy.conditional_operator.is_some() {
        old_style.push("ConditionalOperator");
    }
    if legacy.key_conditions.is_some() && expressions.key_condition.is_some() {
        old_style.push("KeyConditions");
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

/// Checks legacy `KeyConditions` entries (operator arity and value types,
/// as for any legacy comparison) and turns them into key predicates.
fn key_conditions(entries: &[(String, ExpectedAttribute)]) -> Result<Vec<(String, KeyPredicate)>> {
    if entries.is_empty() || entries.len() > KEY_CONDITION_TERMS_MAX {
        return Err(CoreError::validation(KEY_CONDITIONS_COUNT));
    }
    let mut terms = Vec::with_capacity(entries.len());
    for (name, entry) in entries {
        let Some(operator) = entry.comparison_operator else {
            return Err(CoreError::invalid_parameter(format!(
                "Value or AttributeValueList must be used with ComparisonOperator: null for Attribute: {name}"
            )));
        };
        let values = entry.attribute_value_list.clone().unwrap_or_default();
        legacy::comparison(name, operator, &values)?;
        let value = |i: usize| {
            values
                .get(i)
                .cloned()
                .ok_or(ExprError::KeyConditionNotSupported)
        };
        let predicate = match operator {
            ComparisonOperator::Eq => KeyPredicate::Eq(value(0)?),
            ComparisonOperator::Lt => KeyPredicate::Lt(value(0)?),
            ComparisonOperator::Le => KeyPredicate::Le(value(0)?),
            ComparisonOperator::Gt => KeyPredicate::Gt(value(0)?),
            ComparisonOperator::Ge => KeyPredicate::Ge(value(0)?),
            ComparisonOperator::BeginsWith => KeyPredicate::BeginsWith(value(0)?),
            ComparisonOperator::Between => KeyPredicate::Between(value(0)?, value(1)?),
            _ => {
                return Err(CoreError::validation(
                    "Attempted conditional constraint is not an indexable operation",
                ));
            }
        };
        terms.push((name.clone(), predicate));
    }
    Ok(terms)
}

/// Matches legacy key conditions to a key schema, with the messages of
/// key condition expressions.
fn bind_legacy(terms: &[(String, KeyPredicate)], schema: &KeySchema) -> Result<KeyCondition> {
    let find = |name: &str| terms.iter().find(|(attr, _)| attr == name);
    let partition_name = &schema.partition.name;
    let Some((_, partition)) = find(partition_name) else {
        return Err(ExprError::KeyConditionMissingKey {
            name: partition_name.clone(),
        }
        .into());
    };
    let KeyPredicate::Eq(partition_value) = partition else {
        return Err(ExprError::KeyConditionNotSupported.into());
    };
    let sort = match &schema.sort {
        Some(key) => match find(&key.name) {
            Some((_, predicate)) => Some(SortKeyCondition {
                name: key.name.clone(),
                predicate: predicate.clone(),
            }),
            None if terms.len() > 1 => {
                return Err(ExprError::KeyConditionMissingKey {
                    name: key.name.clone(),
                }
                .into());
            }
            None => None,
        },
        None => None,
    };
    if terms.len() != 1 + usize::from(sort.is_some()) {
        return Err(ExprError::KeyConditionNotSupported.into());
    }
    let type_ok = |key: &ferrodyn_model::schema::KeyAttribute, value: &AttributeValue| {
        key.scalar_type.matches(value)
    };
    if !type_ok(&schema.partition, partition_value) {
        return Err(ExprError::KeyConditionTypeMismatch.into());
    }
    if let (Some(key), Some(condition)) = (&schema.sort, &sort)
        && condition
            .predicate
            .values()
            .iter()
            .any(|v| !type_ok(key, v))
    {
        return Err(ExprError::KeyConditionTypeMismatch.into());
    }
    Ok(KeyCondition {
        partition: (partition_name.clone(), partition_value.clone()),
        sort,
    })
}

/// The top-level attributes a condition reads, each with whether some path
/// descends into it (a map key or list index below it).
pub(crate) fn condition_attributes(condition: &Condition) -> Vec<(&str, bool)> {
    fn operand<'a>(o: &'a Operand, out: &mut Vec<(&'a str, bool)>) {
        match o {
            Operand::Path(p) => out.push((p.top_level_name(), p.is_nested())),
            Operand::Value(_) => {}
            Operand::Size(inner) => operand(inner, out),
        }
    }
    fn walk<'a>(c: &'a Condition, out: &mut Vec<(&'a str, bool)>) {
        match c {
            Condition::Compare { left, right, .. } => {
                operand(left, out);
                operand(right, out);
            }
            Condition::Between {
                operand: o,
                low,
                high,
            } => {
                operand(o, out);
                operand(low, out);
                operand(high, out);
            }
            Condition::In { operand: o, list } => {
                operand(o, out);
                list.iter().for_each(|l| operand(l, out));
            }
            Condition::AttributeExists(p) | Condition::AttributeNotExists(p) => {
                out.push((p.top_level_name(), p.is_nested()));
            }
            Condition::AttributeType { operand: o, .. } => operand(o, out),
            Condition::BeginsWith { operand: o, prefix } => {
                operand(o, out);
                operand(prefix, out);
            }
            Condition::Contains {
                operand: o,
                element,
            } => {
                operand(o, out);
                operand(element, out);
            }
            Condition::Not(inner) => walk(inner, out),
            Condition::And(a, b) | Condition::Or(a, b) => {
                walk(a, out);
                walk(b, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(condition, &mut out);
    out
}

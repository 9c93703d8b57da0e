//! ExecuteStatement: one PartiQL statement, compiled by `ferrodyn-partiql`
//! into the expression crate's trees and run through the operations of the
//! expression API (Query, Scan, PutItem, UpdateItem, DeleteItem), so that
//! every rule of theirs (conditions, indexes, streams, capacity) holds for
//! PartiQL too.
//!
//! | statement | runs as | notes |
//! |-----------|---------|-------|
//! | SELECT with `pk =` or `pk IN` | Query, one per partition | sort-key term as key condition, ORDER BY as direction |
//! | other SELECT | Scan | the WHERE clause as filter |
//! | INSERT | PutItem, condition `attribute_not_exists(pk)` | DuplicateItemException |
//! | UPDATE | UpdateItem, condition `attribute_exists(pk) AND rest` | the item must exist |
//! | DELETE | DeleteItem, condition `attribute_not_exists(pk) OR rest` | a missing item is no error |
//!
//! A read's page ends where Query's or Scan's would (Limit items evaluated,
//! or 1 MB); its `NextToken` carries the partition reached and the last key
//! evaluated, bound to the request by a hash of the statement and its
//! parameters.

use ferrodyn_expr::{
    Condition, ConditionExpression, DocumentPath, PathElement, ProjectionExpression,
    UpdateExpression,
};
use ferrodyn_model::codec::{decode_item, encode_item};
use ferrodyn_model::schema::KeyAttribute;
use ferrodyn_model::{AttributeValue, Item};
use ferrodyn_partiql::ast::{Select as SelectStatement, Statement};
use ferrodyn_partiql::{KeyNames, PartiqlError, ReadPlan, Returning, plan};

use super::ReturnValues;
use super::delete_item::DeleteItemInput;
use super::put_item::PutItemInput;
use super::query::QueryInput;
use super::scan::ScanInput;
use super::update_item::UpdateItemInput;
use crate::capacity::{ConsumedCapacity, ReturnConsumedCapacity, merge_index_capacity};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::expressions::{Compiled, CompiledExpressions, ExpressionInput};
use crate::index::IndexKind;
use crate::table::TableMeta;

/// ExecuteStatement's input.
#[derive(Clone, Debug, Default)]
pub struct ExecuteStatementInput {
    /// `Statement`.
    pub statement: String,
    /// `Parameters`.
    pub parameters: Vec<AttributeValue>,
    /// `ConsistentRead`.
    pub consistent_read: bool,
    /// `NextToken`.
    pub next_token: Option<String>,
    /// `Limit`.
    pub limit: Option<usize>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: ReturnConsumedCapacity,
    /// `ReturnValuesOnConditionCheckFailure = ALL_OLD`.
    pub return_old_on_condition_failure: bool,
}

/// ExecuteStatement's output.
#[derive(Clone, Debug, Default)]
pub struct ExecuteStatementOutput {
    /// `Items`.
    pub items: Vec<Item>,
    /// `NextToken`.
    pub next_token: Option<String>,
    /// `ConsumedCapacity`.
    pub consumed_capacity: Option<ConsumedCapacity>,
}

/// The largest number of partitions an `IN` on the partition key may name.
pub const IN_PARTITIONS_MAX: usize = 50;

/// The version byte that starts every NextToken.
const TOKEN_VERSION: u8 = 1;

impl From<PartiqlError> for CoreError {
    fn from(e: PartiqlError) -> CoreError {
        CoreError::Validation(e.to_string())
    }
}

/// The key names of a table, as the planner wants them.
pub(crate) fn table_keys(table: &TableMeta) -> KeyNames {
    let schema = table.key_schema();
    KeyNames {
        partition: vec![schema.partition.name.clone()],
        sort: schema.sort.iter().map(|s| s.name.clone()).collect(),
    }
}

/// Checks that the key values a statement names have their attributes'
/// declared types.
pub(crate) fn check_key_types<'a>(
    attributes: impl IntoIterator<Item = &'a KeyAttribute>,
    value: impl Fn(&str) -> Vec<&'a AttributeValue>,
) -> Result<()> {
    for attr in attributes {
        if value(&attr.name)
            .iter()
            .any(|v| !attr.scalar_type.matches(v))
        {
            return Err(CoreError::validation(format!(
                "Key attribute's data type should match its data type in table's schema: Key {}",
                attr.name
            )));
        }
    }
    Ok(())
}

/// The condition `attribute_exists(pk)` (or its negation).
pub(crate) fn key_exists(table: &TableMeta, exists: bool) -> Condition {
    let path = DocumentPath::attribute(table.key_schema().partition.name.as_str());
    if exists {
        Condition::AttributeExists(path)
    } else {
        Condition::AttributeNotExists(path)
    }
}

/// Expressions already compiled into trees.
pub(crate) fn compiled(
    condition: Option<Condition>,
    update: Option<UpdateExpression>,
    filter: Option<Condition>,
) -> ExpressionInput {
    ExpressionInput {
        compiled: Some(Box::new(CompiledExpressions(Compiled {
            condition: condition.map(ConditionExpression::from_tree),
            update,
            filter: filter.map(ConditionExpression::from_tree),
            ..Compiled::default()
        }))),
        ..ExpressionInput::default()
    }
}

impl Database {
    /// ExecuteStatement.
    pub fn execute_statement(
        &self,
        ctx: &RequestContext,
        input: ExecuteStatementInput,
    ) -> Result<ExecuteStatementOutput> {
        let statement = ferrodyn_partiql::parse(&input.statement)?;
        if ferrodyn_partiql::parameter_count(&statement) != input.parameters.len() {
            return Err(PartiqlError::ParameterCount.into());
        }
        let params = &input.parameters;
        match &statement {
            Statement::Select(select) => self.partiql_select(ctx, &input, select),
            Statement::Exists(_) => Err(CoreError::validation(
                "EXISTS can only be used in ExecuteTransaction write requests.",
            )),
            Statement::Insert { target, item } => {
                let table = self.partiql_write_table(ctx, target)?;
                let item = plan::insert_item(item, &table_keys(&table), params)?;
                let out = self.put_item(
                    ctx,
                    PutItemInput {
                        table_name: table.name.clone(),
                        item,
                        return_values: ReturnValues::None,
                        return_consumed_capacity: input.return_consumed_capacity,
                        expressions: compiled(Some(key_exists(&table, false)), None, None),
                        return_old_on_condition_failure: false,
                        ..PutItemInput::default()
                    },
                );
                match out {
                    Err(CoreError::ConditionalCheckFailed { .. }) => Err(CoreError::DuplicateItem(
                        "Duplicate primary key exists in table".into(),
                    )),
                    Err(e) => Err(e),
                    Ok(out) => Ok(ExecuteStatementOutput {
                        consumed_capacity: out.consumed_capacity,
                        ..ExecuteStatementOutput::default()
                    }),
                }
            }
            Statement::Update {
                target,
                clauses,
                condition,
                returning,
            } => {
                let table = self.partiql_write_table(ctx, target)?;
                let write = plan::write_target(condition, &table_keys(&table), params)?;
                check_write_key(&table, &write.key)?;
                let actions = plan::update_actions(clauses, params)?;
                let condition = match write.condition {
                    Some(c) => Condition::And(Box::new(key_exists(&table, true)), Box::new(c)),
                    None => key_exists(&table, true),
                };
                let out = self.update_item(
                    ctx,
                    UpdateItemInput {
                        table_name: table.name.clone(),
                        key: write.key,
                        return_values: return_values(*returning),
                        return_consumed_capacity: input.return_consumed_capacity,
                        expressions: compiled(
                            Some(condition),
                            Some(UpdateExpression::from_actions(actions)),
                            None,
                        ),
                        return_old_on_condition_failure: input.return_old_on_condition_failure,
                        ..UpdateItemInput::default()
                    },
                )?;
                Ok(write_output(out))
            }
            Statement::Delete {
                target,
                condition,
                returning,
            } => {
                if let Some(r) = returning.filter(|r| *r != Returning::AllOld) {
                    let text = match r {
                        Returning::ModifiedOld => "MODIFIED OLD",
                        Returning::AllNew => "ALL NEW",
                        Returning::ModifiedNew | Returning::AllOld => "MODIFIED NEW",
                    };
                    return Err(CoreError::validation(format!(
                        "Invalid returning clause: RETURNING {text} *. Only RETURNING ALL OLD * is allowed in DELETE statements."
                    )));
                }
                let table = self.partiql_write_table(ctx, target)?;
                let write = plan::write_target(condition, &table_keys(&table), params)?;
                check_write_key(&table, &write.key)?;
                // A missing item is deleted without error; one that exists
                // must meet the rest of the WHERE clause.
                let condition = write
                    .condition
                    .map(|c| Condition::Or(Box::new(key_exists(&table, false)), Box::new(c)));
                let out = self.delete_item(
                    ctx,
                    DeleteItemInput {
                        table_name: table.name.clone(),
                        key: write.key,
                        return_values: return_values(*returning),
                        return_consumed_capacity: input.return_consumed_capacity,
                        expressions: compiled(condition, None, None),
                        return_old_on_condition_failure: input.return_old_on_condition_failure,
                        ..DeleteItemInput::default()
                    },
                )?;
                Ok(write_output(out))
            }
        }
    }

    /// The table an INSERT, UPDATE or DELETE writes: never an index.
    pub(crate) fn partiql_write_table(
        &self,
        ctx: &RequestContext,
        target: &ferrodyn_partiql::Target,
    ) -> Result<std::sync::Arc<TableMeta>> {
        if target.index.is_some() {
            return Err(CoreError::validation(
                "This operation is not supported on an index",
            ));
        }
        self.resolve_table(ctx, &target.table, super::resource_not_found)
    }

    /// A SELECT: Query per partition or one Scan, one page.
    fn partiql_select(
        &self,
        ctx: &RequestContext,
        input: &ExecuteStatementInput,
        select: &SelectStatement,
    ) -> Result<ExecuteStatementOutput> {
        let params = &input.parameters;
        let table = self.resolve_table(ctx, &select.target.table, super::resource_not_found)?;
        let key_attributes: Vec<KeyAttribute> = match &select.target.index {
            None => table.key_schema().attributes().cloned().collect(),
            Some(name) => table
                .index(name)
                .map(|i| i.key_schema().attributes().cloned().collect())
                .unwrap_or_default(),
        };
        let keys = match &select.target.index {
            None => table_keys(&table),
            Some(name) => {
                let index = table.index(name).ok_or_else(|| {
                    CoreError::validation("The table does not have the specified index")
                })?;
                if index.kind == IndexKind::Global && input.consistent_read {
                    return Err(CoreError::validation(
                        "Strongly consistent read is not supported on Global Secondary Indexes",
                    ));
                }
                let schema = index.key_schema();
                KeyNames {
                    partition: schema.partition.iter().map(|k| k.name.clone()).collect(),
                    sort: schema.sort.iter().map(|k| k.name.clone()).collect(),
                }
            }
        };
        let plan = plan::select(select, &keys, params)?;
        if let ReadPlan::Query {
            partitions, sort, ..
        } = &plan.read
        {
            check_key_types(&key_attributes, |name| {
                if keys.partition.first().is_some_and(|p| p == name) {
                    partitions.iter().collect()
                } else {
                    sort.iter()
                        .filter(|(n, _)| n == name)
                        .flat_map(|(_, p)| p.values())
                        .collect()
                }
            })?;
        }
        let binding = request_hash(&input.statement, params);
        let (mut partition, mut start) = match &input.next_token {
            Some(token) => decode_token(token, binding)?,
            None => (0, None),
        };
        // The read returns the top-level attributes the projection starts
        // at (so that an index checks it projects them, with Query's
        // message); the paths are picked out of them below.
        let mut fetch_all = compiled(None, None, plan.filter.clone());
        if let (Some(paths), Some(c)) = (&plan.projection, fetch_all.compiled.as_mut()) {
            let mut tops: Vec<DocumentPath> = Vec::new();
            for p in paths {
                let top = DocumentPath::attribute(p.top_level_name());
                if !tops.contains(&top) {
                    tops.push(top);
                }
            }
            c.0.projection = Some(ProjectionExpression::from_paths(tops));
        }
        let mut items = Vec::new();
        let mut capacity: Option<ConsumedCapacity> = None;
        let mut remaining = input.limit;
        let mut next = None;
        match &plan.read {
            ReadPlan::Scan => {
                // Without its key, a SELECT of an index filters what the
                // index holds: a condition on an attribute it does not
                // project sees that attribute absent (AWS), where a keyed
                // one is refused as a Query's filter is.
                let mut expressions = fetch_all;
                if let Some(c) = expressions.compiled.as_mut() {
                    c.0.filter_on_index_view = select.target.index.is_some();
                }
                let out = self.scan(
                    ctx,
                    ScanInput {
                        table_name: table.name.clone(),
                        index_name: select.target.index.clone(),
                        select: None,
                        limit: input.limit,
                        consistent_read: input.consistent_read,
                        segment: None,
                        total_segments: None,
                        exclusive_start_key: start,
                        return_consumed_capacity: input.return_consumed_capacity,
                        expressions,
                        legacy: Default::default(),
                    },
                )?;
                items.extend(out.items.unwrap_or_default());
                capacity = out.consumed_capacity;
                next = out.last_evaluated_key.map(|k| (0, Some(k)));
            }
            ReadPlan::Query {
                partitions,
                sort,
                descending,
            } => {
                if partitions.len() > IN_PARTITIONS_MAX {
                    return Err(CoreError::validation(
                        "Too many decomposed read operations for a given query.",
                    ));
                }
                let partition_key = &keys.partition[0];
                while partition < partitions.len() {
                    if remaining == Some(0) {
                        next = Some((partition, None));
                        break;
                    }
                    let mut terms = vec![(
                        partition_key.clone(),
                        ferrodyn_expr::KeyPredicate::Eq(partitions[partition].clone()),
                    )];
                    if let Some(s) = sort {
                        terms.push(s.clone());
                    }
                    let mut expressions = fetch_all.clone();
                    if let Some(c) = expressions.compiled.as_mut() {
                        c.0.key_condition = Some(crate::expressions::KeySource::Legacy(terms));
                    }
                    let out = self.query(
                        ctx,
                        QueryInput {
                            table_name: table.name.clone(),
                            index_name: select.target.index.clone(),
                            select: None,
                            limit: remaining,
                            consistent_read: input.consistent_read,
                            scan_index_forward: !descending,
                            exclusive_start_key: start.take(),
                            return_consumed_capacity: input.return_consumed_capacity,
                            expressions,
                            legacy: Default::default(),
                        },
                    )?;
                    items.extend(out.items.unwrap_or_default());
                    capacity = merge_capacity(capacity, out.consumed_capacity);
                    remaining = remaining.map(|r| r.saturating_sub(out.scanned_count));
                    if let Some(key) = out.last_evaluated_key {
                        next = Some((partition, Some(key)));
                        break;
                    }
                    partition += 1;
                }
            }
        }
        let items = match &plan.projection {
            None => items,
            Some(paths) => items.iter().map(|item| project(item, paths)).collect(),
        };
        Ok(ExecuteStatementOutput {
            items,
            next_token: next.map(|(p, key)| encode_token(binding, p, key.as_ref())),
            consumed_capacity: capacity,
        })
    }
}

/// Checks the types of a write's key values.
pub(crate) fn check_write_key(table: &TableMeta, key: &Item) -> Result<()> {
    let schema = table.key_schema();
    check_key_types(schema.attributes(), |name| {
        key.get(name).into_iter().collect()
    })
}

/// An UPDATE's or DELETE's answer: RETURNING's item, if it has any
/// attribute, as the one entry of `Items`.
fn write_output(out: super::ItemWriteOutput) -> ExecuteStatementOutput {
    ExecuteStatementOutput {
        items: out
            .attributes
            .into_iter()
            .filter(|i| !i.is_empty())
            .collect(),
        consumed_capacity: out.consumed_capacity,
        next_token: None,
    }
}

/// `ReturnValues` for a RETURNING clause.
fn return_values(returning: Option<Returning>) -> ReturnValues {
    match returning {
        None => ReturnValues::None,
        Some(Returning::AllOld) => ReturnValues::AllOld,
        Some(Returning::ModifiedOld) => ReturnValues::UpdatedOld,
        Some(Returning::AllNew) => ReturnValues::AllNew,
        Some(Returning::ModifiedNew) => ReturnValues::UpdatedNew,
    }
}

/// Sums the capacity of two reads of one table.
fn merge_capacity(
    into: Option<ConsumedCapacity>,
    more: Option<ConsumedCapacity>,
) -> Option<ConsumedCapacity> {
    match (into, more) {
        (Some(mut a), Some(b)) => {
            a.capacity_units += b.capacity_units;
            a.table_units += b.table_units;
            a.read_units = match (a.read_units, b.read_units) {
                (None, None) => None,
                (x, y) => Some(x.unwrap_or(0.0) + y.unwrap_or(0.0)),
            };
            merge_index_capacity(&mut a.indexes, b.indexes);
            Some(a)
        }
        (a, b) => a.or(b),
    }
}

/// A SELECT's projection: each path's value under the name of its last
/// step (with the list indexes after it), as DynamoDB answers
/// `SELECT a.b[1]` with an attribute named `b[1]`.
pub(crate) fn project(item: &Item, paths: &[DocumentPath]) -> Item {
    if paths.iter().all(|p| !p.is_nested()) {
        return ProjectionExpression::from_paths(paths.to_vec()).apply(item);
    }
    let mut out = Item::new();
    for path in paths {
        let Some(value) = path.resolve(item) else {
            continue;
        };
        let elements = path.elements();
        let last_name = elements
            .iter()
            .rposition(|e| matches!(e, PathElement::Key(_)))
            .unwrap_or(0);
        let mut name = String::new();
        for element in &elements[last_name..] {
            match element {
                PathElement::Key(k) => name.push_str(k),
                PathElement::Index(i) => name.push_str(&format!("[{i}]")),
            }
        }
        out.insert(name, value.clone());
    }
    out
}

/// What binds a NextToken to its request: a hash of the statement and its
/// parameters.
fn request_hash(statement: &str, params: &[AttributeValue]) -> u64 {
    let mut bytes = statement.as_bytes().to_vec();
    let params: Item = params
        .iter()
        .enumerate()
        .map(|(i, p)| (i.to_string(), p.clone()))
        .collect();
    bytes.extend(encode_item(&params));
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

/// A NextToken: version, binding, partition, and the last key evaluated.
fn encode_token(binding: u64, partition: usize, key: Option<&Item>) -> String {
    let mut bytes = vec![TOKEN_VERSION];
    bytes.extend(binding.to_be_bytes());
    bytes.extend(u32::try_from(partition).unwrap_or(u32::MAX).to_be_bytes());
    if let Some(key) = key {
        bytes.extend(encode_item(key));
    }
    hex::encode(bytes)
}

/// The partition and start key a NextToken carries.
fn decode_token(token: &str, binding: u64) -> Result<(usize, Option<Item>)> {
    let invalid = || CoreError::validation("Invalid NextToken");
    let bytes = hex::decode(token).map_err(|_| invalid())?;
    if bytes.len() < 13 || bytes[0] != TOKEN_VERSION {
        return Err(invalid());
    }
    let hash = u64::from_be_bytes(bytes[1..9].try_into().map_err(|_| invalid())?);
    let partition = u32::from_be_bytes(bytes[9..13].try_into().map_err(|_| invalid())?);
    let key = match &bytes[13..] {
        [] => None,
        rest => Some(decode_item(rest).map_err(|_| invalid())?),
    };
    if hash != binding {
        return Err(CoreError::validation("NextToken does not match request"));
    }
    Ok((partition as usize, key))
}

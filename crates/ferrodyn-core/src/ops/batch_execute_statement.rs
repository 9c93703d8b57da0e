//! BatchExecuteStatement: up to 25 PartiQL statements, all reads (each a
//! GetItem of one whole key) or all writes (each run as ExecuteStatement
//! runs it), each answered on its own: a statement's failure is its
//! response's `Error`, not the call's.

use ferrodyn_model::{AttributeValue, Item};
use ferrodyn_partiql::ast::Statement;
use ferrodyn_partiql::plan;

use super::execute_statement::{ExecuteStatementInput, project, table_keys};
use super::execute_transaction::full_key_only;
use super::get_item::GetItemInput;
use crate::capacity::{ConsumedCapacity, ReturnConsumedCapacity};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};

/// One of `Statements`.
#[derive(Clone, Debug, Default)]
pub struct BatchStatementRequest {
    /// `Statement`.
    pub statement: String,
    /// `Parameters`.
    pub parameters: Vec<AttributeValue>,
    /// `ConsistentRead`.
    pub consistent_read: bool,
    /// `ReturnValuesOnConditionCheckFailure = ALL_OLD`.
    pub return_old_on_condition_failure: bool,
}

/// A statement's failure.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchStatementError {
    /// `Code`, one of BatchStatementErrorCodeEnum.
    pub code: &'static str,
    /// `Message`.
    pub message: String,
}

/// One of `Responses`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BatchStatementResponse {
    /// `TableName`: the table of a statement that ran.
    pub table_name: Option<String>,
    /// `Item`: what a read found, or what RETURNING returned.
    pub item: Option<Item>,
    /// `Error`.
    pub error: Option<BatchStatementError>,
}

/// BatchExecuteStatement's input.
#[derive(Clone, Debug, Default)]
pub struct BatchExecuteStatementInput {
    /// `Statements`.
    pub statements: Vec<BatchStatementRequest>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: ReturnConsumedCapacity,
}

/// BatchExecuteStatement's output.
#[derive(Clone, Debug, Default)]
pub struct BatchExecuteStatementOutput {
    /// `Responses`, in request order.
    pub responses: Vec<BatchStatementResponse>,
    /// `ConsumedCapacity`, one entry per table.
    pub consumed_capacity: Vec<ConsumedCapacity>,
}

/// The message for reads and writes in one batch. UNCONFIRMED wording
/// (docs/compatibility.md): DynamoDB Local's.
const MIXED: &str = "Read and write requests together in the same batch is not supported.";

/// The message for a read that is not one whole key.
const READ_NEEDS_KEY: &str = "Select statements within BatchExecuteStatement must specify the primary key in the where clause.";

/// A statement's error as its response carries it; whether it ran (and so
/// names its table).
fn statement_error(e: &CoreError) -> (BatchStatementError, bool) {
    let (code, ran) = match e {
        CoreError::Validation(_) => ("ValidationError", false),
        CoreError::ResourceNotFound(_) => ("ResourceNotFound", false),
        CoreError::AccessDenied(_) => ("AccessDenied", false),
        CoreError::ConditionalCheckFailed { .. } => ("ConditionalCheckFailed", true),
        CoreError::DuplicateItem(_) => ("DuplicateItem", true),
        CoreError::TransactionConflict(_) => ("TransactionConflict", true),
        CoreError::ItemCollectionSizeLimitExceeded(_) => ("ItemCollectionSizeLimitExceeded", true),
        _ => ("InternalServerError", true),
    };
    let message = match e {
        CoreError::Internal(_) | CoreError::OutOfSpace(_) => "Internal server error".to_owned(),
        other => other.to_string(),
    };
    (BatchStatementError { code, message }, ran)
}

/// Adds one statement's capacity to the per-table list.
fn add_capacity(list: &mut Vec<ConsumedCapacity>, c: Option<ConsumedCapacity>) {
    let Some(c) = c else { return };
    match list.iter_mut().find(|e| e.table_name == c.table_name) {
        Some(e) => {
            e.capacity_units += c.capacity_units;
            e.table_units += c.table_units;
            e.read_units = e
                .read_units
                .zip(c.read_units)
                .map(|(a, b)| a + b)
                .or(c.read_units);
            e.write_units = e
                .write_units
                .zip(c.write_units)
                .map(|(a, b)| a + b)
                .or(c.write_units);
        }
        None => list.push(c),
    }
}

impl Database {
    /// BatchExecuteStatement.
    pub fn batch_execute_statement(
        &self,
        ctx: &RequestContext,
        input: BatchExecuteStatementInput,
    ) -> Result<BatchExecuteStatementOutput> {
        let parsed: Vec<_> = input
            .statements
            .iter()
            .map(|s| ferrodyn_partiql::parse(&s.statement))
            .collect();
        let reads = parsed
            .iter()
            .filter(|p| matches!(p, Ok(Statement::Select(_))))
            .count();
        let writes = parsed
            .iter()
            .filter(|p| matches!(p, Ok(s) if !s.is_read()))
            .count();
        if reads > 0 && writes > 0 {
            return Err(CoreError::validation(MIXED));
        }
        let mut out = BatchExecuteStatementOutput::default();
        for (request, statement) in input.statements.iter().zip(parsed) {
            let result = match statement {
                Err(e) => Err((CoreError::from(e), None)),
                Ok(Statement::Select(select)) => self
                    .batch_read(ctx, request, &select, input.return_consumed_capacity)
                    .map(|(table, item, capacity)| {
                        add_capacity(&mut out.consumed_capacity, capacity);
                        (table, item)
                    }),
                Ok(statement) => {
                    let table = statement.target().table.clone();
                    self.execute_statement(
                        ctx,
                        ExecuteStatementInput {
                            statement: request.statement.clone(),
                            parameters: request.parameters.clone(),
                            consistent_read: request.consistent_read,
                            next_token: None,
                            limit: None,
                            return_consumed_capacity: input.return_consumed_capacity,
                            return_old_on_condition_failure: request
                                .return_old_on_condition_failure,
                        },
                    )
                    .map(|r| {
                        add_capacity(&mut out.consumed_capacity, r.consumed_capacity);
                        (table.clone(), r.items.into_iter().next())
                    })
                    .map_err(|e| (e, Some(table)))
                }
            };
            out.responses.push(match result {
                Ok((table, item)) => BatchStatementResponse {
                    table_name: Some(table),
                    item,
                    error: None,
                },
                Err((e, table)) => {
                    let (error, ran) = statement_error(&e);
                    BatchStatementResponse {
                        table_name: table.filter(|_| ran),
                        item: None,
                        error: Some(error),
                    }
                }
            });
        }
        Ok(out)
    }

    /// One read of a batch: a GetItem of the whole key the WHERE clause
    /// names, and nothing else.
    #[allow(clippy::type_complexity)]
    fn batch_read(
        &self,
        ctx: &RequestContext,
        request: &BatchStatementRequest,
        select: &ferrodyn_partiql::ast::Select,
        return_consumed_capacity: ReturnConsumedCapacity,
    ) -> std::result::Result<
        (String, Option<Item>, Option<ConsumedCapacity>),
        (CoreError, Option<String>),
    > {
        let params = &request.parameters;
        let fail = |e: CoreError| (e, None);
        if ferrodyn_partiql::parameter_count(&Statement::Select(select.clone())) != params.len() {
            return Err(fail(ferrodyn_partiql::PartiqlError::ParameterCount.into()));
        }
        if select.target.index.is_some() {
            return Err(fail(CoreError::validation(READ_NEEDS_KEY)));
        }
        let table = self
            .resolve_table(ctx, &select.target.table, super::resource_not_found)
            .map_err(fail)?;
        let read = plan::select(select, &table_keys(&table), params).map_err(|e| fail(e.into()))?;
        let key = full_key_only(select.condition.as_ref(), &table, params)
            .ok_or_else(|| fail(CoreError::validation(READ_NEEDS_KEY)))?;
        let out = self
            .get_item(
                ctx,
                GetItemInput {
                    table_name: table.name.clone(),
                    key,
                    consistent_read: request.consistent_read,
                    return_consumed_capacity,
                    ..GetItemInput::default()
                },
            )
            .map_err(|e| (e, Some(table.name.clone())))?;
        let item = match (out.item, read.projection) {
            (Some(item), Some(paths)) => Some(project(&item, &paths)),
            (item, _) => item,
        };
        Ok((table.name.clone(), item, out.consumed_capacity))
    }
}

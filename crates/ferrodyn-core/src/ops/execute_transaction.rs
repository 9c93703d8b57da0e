//! ExecuteTransaction: PartiQL statements run as one TransactWriteItems
//! (INSERT, UPDATE, DELETE, and EXISTS as a condition check) or one
//! TransactGetItems (SELECTs of whole keys), never a mix of the two.

use ferrodyn_expr::{Condition, UpdateExpression};
use ferrodyn_model::codec::encode_item;
use ferrodyn_model::{AttributeValue, Item};
use ferrodyn_partiql::ast::Statement;
use ferrodyn_partiql::{PartiqlError, plan};
use sha2::{Digest, Sha256};

use super::execute_statement::{compiled, key_exists, project, table_keys};
use super::transact_get_items::{TransactGetItem, TransactGetItemsInput};
use super::transact_write_items::{TransactWriteItem, TransactWriteItemsInput, TransactWriteKind};
use crate::capacity::{ConsumedCapacity, ReturnConsumedCapacity};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CancellationCode, CancellationReason, CoreError, Result};

/// One of `TransactStatements`.
#[derive(Clone, Debug, Default)]
pub struct ParameterizedStatement {
    /// `Statement`.
    pub statement: String,
    /// `Parameters`.
    pub parameters: Vec<AttributeValue>,
    /// `ReturnValuesOnConditionCheckFailure = ALL_OLD`.
    pub return_old_on_condition_failure: bool,
}

/// ExecuteTransaction's input.
#[derive(Clone, Debug, Default)]
pub struct ExecuteTransactionInput {
    /// `TransactStatements`.
    pub statements: Vec<ParameterizedStatement>,
    /// `ClientRequestToken`.
    pub client_request_token: Option<String>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: ReturnConsumedCapacity,
}

/// ExecuteTransaction's output.
#[derive(Clone, Debug, Default)]
pub struct ExecuteTransactionOutput {
    /// `Responses`: one per statement for reads (`None` for a missing
    /// item), none for writes.
    pub responses: Vec<Option<Item>>,
    /// `ConsumedCapacity`, one entry per table.
    pub consumed_capacity: Vec<ConsumedCapacity>,
}

/// The message for reads and writes in one transaction.
const MIXED: &str =
    "ExecuteTransaction API does not support both read and write operations in the same request.";

/// A statement's problem, as the transaction reports it.
fn in_statement(index: usize, e: impl std::fmt::Display) -> CoreError {
    CoreError::validation(format!(
        "Validation failed in TransactStatements[{index}]: {e}"
    ))
}

impl Database {
    /// ExecuteTransaction.
    pub fn execute_transaction(
        &self,
        ctx: &RequestContext,
        input: ExecuteTransactionInput,
    ) -> Result<ExecuteTransactionOutput> {
        let mut parsed = Vec::with_capacity(input.statements.len());
        for (i, s) in input.statements.iter().enumerate() {
            let statement =
                ferrodyn_partiql::parse(&s.statement).map_err(|e| in_statement(i, e))?;
            if ferrodyn_partiql::parameter_count(&statement) != s.parameters.len() {
                return Err(in_statement(i, PartiqlError::ParameterCount));
            }
            parsed.push(statement);
        }
        let reads = parsed
            .iter()
            .filter(|s| matches!(s, Statement::Select(_)))
            .count();
        if reads > 0 && reads < parsed.len() {
            return Err(CoreError::validation(MIXED));
        }
        if reads > 0 {
            self.partiql_transact_get(ctx, &input, &parsed)
        } else {
            self.partiql_transact_write(ctx, &input, &parsed)
        }
    }

    fn partiql_transact_get(
        &self,
        ctx: &RequestContext,
        input: &ExecuteTransactionInput,
        parsed: &[Statement],
    ) -> Result<ExecuteTransactionOutput> {
        let mut items = Vec::with_capacity(parsed.len());
        let mut projections = Vec::with_capacity(parsed.len());
        for (i, (statement, s)) in parsed.iter().zip(&input.statements).enumerate() {
            let Statement::Select(select) = statement else {
                return Err(CoreError::validation(MIXED));
            };
            if select.target.index.is_some() {
                return Err(in_statement(
                    i,
                    "Reads on indices are not supported within transactions.",
                ));
            }
            let table = self.resolve_table(ctx, &select.target.table, super::resource_not_found)?;
            let read = plan::select(select, &table_keys(&table), &s.parameters)
                .map_err(|e| in_statement(i, e))?;
            let key = full_key_only(select.condition.as_ref(), &table, &s.parameters).ok_or_else(|| {
                in_statement(
                    i,
                    "Select statements within ExecuteTransaction must specify the primary key in the where clause.",
                )
            })?;
            projections.push(read.projection);
            items.push(TransactGetItem {
                table_name: table.name.clone(),
                key,
                expressions: Default::default(),
            });
        }
        let out = self.transact_get_items(
            ctx,
            TransactGetItemsInput {
                items,
                return_consumed_capacity: input.return_consumed_capacity,
            },
        )?;
        let responses = out
            .responses
            .into_iter()
            .zip(projections)
            .map(|(item, paths)| match (item, paths) {
                (Some(item), Some(paths)) => Some(project(&item, &paths)),
                (item, None) => item,
                (None, _) => None,
            })
            .collect();
        Ok(ExecuteTransactionOutput {
            responses,
            consumed_capacity: out.consumed_capacity,
        })
    }

    fn partiql_transact_write(
        &self,
        ctx: &RequestContext,
        input: &ExecuteTransactionInput,
        parsed: &[Statement],
    ) -> Result<ExecuteTransactionOutput> {
        let mut actions = Vec::with_capacity(parsed.len());
        let mut key_faults = vec![CancellationReason::none(); parsed.len()];
        let mut inserts = vec![false; parsed.len()];
        for (i, (statement, s)) in parsed.iter().zip(&input.statements).enumerate() {
            let params = &s.parameters;
            let returning = match statement {
                Statement::Update { returning, .. } | Statement::Delete { returning, .. } => {
                    returning.is_some()
                }
                _ => false,
            };
            if returning {
                return Err(in_statement(
                    i,
                    "RETURNING clause is not supported in ExecuteTransaction.",
                ));
            }
            let table = self
                .partiql_write_table(ctx, statement.target())
                .map_err(|e| match e {
                    CoreError::Validation(m) => in_statement(i, m),
                    other => other,
                })?;
            let keys = table_keys(&table);
            let key_fault = |e: PartiqlError| match e {
                PartiqlError::KeyEqualityMissing => Ok(None),
                other => Err(in_statement(i, other)),
            };
            let (kind, condition, update) = match statement {
                Statement::Insert { item, .. } => {
                    inserts[i] = true;
                    let item =
                        plan::insert_item(item, &keys, params).map_err(|e| in_statement(i, e))?;
                    (
                        Some(TransactWriteKind::Put { item }),
                        Some(key_exists(&table, false)),
                        None,
                    )
                }
                Statement::Update {
                    clauses, condition, ..
                } => {
                    let actions =
                        plan::update_actions(clauses, params).map_err(|e| in_statement(i, e))?;
                    match plan::write_target(condition, &keys, params)
                        .map_or_else(key_fault, |w| Ok(Some(w)))?
                    {
                        Some(w) => (
                            Some(TransactWriteKind::Update { key: w.key }),
                            Some(match w.condition {
                                Some(c) => {
                                    Condition::And(Box::new(key_exists(&table, true)), Box::new(c))
                                }
                                None => key_exists(&table, true),
                            }),
                            Some(UpdateExpression::from_actions(actions)),
                        ),
                        None => (None, None, None),
                    }
                }
                Statement::Delete { condition, .. } => {
                    match plan::write_target(condition, &keys, params)
                        .map_or_else(key_fault, |w| Ok(Some(w)))?
                    {
                        Some(w) => (
                            Some(TransactWriteKind::Delete { key: w.key }),
                            w.condition.map(|c| {
                                Condition::Or(Box::new(key_exists(&table, false)), Box::new(c))
                            }),
                            None,
                        ),
                        None => (None, None, None),
                    }
                }
                Statement::Exists(select) => {
                    if select.target.index.is_some() {
                        return Err(in_statement(
                            i,
                            "This operation is not supported on an index",
                        ));
                    }
                    let condition = select.condition.as_ref().ok_or_else(|| {
                        in_statement(
                            i,
                            "EXISTS() must contain a single item read with additional condition",
                        )
                    })?;
                    match plan::write_target(condition, &keys, params)
                        .map_or_else(key_fault, |w| Ok(Some(w)))?
                    {
                        Some(w) => {
                            let Some(c) = w.condition else {
                                return Err(in_statement(
                                    i,
                                    "EXISTS() must contain a single item read with additional condition",
                                ));
                            };
                            (
                                Some(TransactWriteKind::ConditionCheck { key: w.key }),
                                Some(Condition::And(
                                    Box::new(key_exists(&table, true)),
                                    Box::new(c),
                                )),
                                None,
                            )
                        }
                        None => (None, None, None),
                    }
                }
                Statement::Select(_) => return Err(CoreError::validation(MIXED)),
            };
            let Some(kind) = kind else {
                key_faults[i] = CancellationReason::new(
                    CancellationCode::ValidationError,
                    "The provided key element does not match the schema",
                );
                continue;
            };
            actions.push(TransactWriteItem {
                kind,
                table_name: table.name.clone(),
                expressions: compiled(condition, update, None),
                return_old_on_condition_failure: s.return_old_on_condition_failure,
            });
        }
        if key_faults.iter().any(|r| r.code != CancellationCode::None) {
            return Err(CoreError::TransactionCanceled {
                reasons: key_faults,
            });
        }
        let out = self
            .transact_write_items(
                ctx,
                TransactWriteItemsInput {
                    items: actions,
                    return_consumed_capacity: input.return_consumed_capacity,
                    client_request_token: input.client_request_token.clone(),
                    fingerprint: fingerprint(&input.statements),
                },
            )
            .map_err(|e| match e {
                // An INSERT's condition is its key's absence: its failure
                // is a duplicate item.
                CoreError::TransactionCanceled { mut reasons } => {
                    for (reason, insert) in reasons.iter_mut().zip(&inserts) {
                        if *insert && reason.code == CancellationCode::ConditionalCheckFailed {
                            *reason = CancellationReason::new(
                                CancellationCode::DuplicateItem,
                                "Duplicate primary key exists in table",
                            );
                        }
                    }
                    CoreError::TransactionCanceled { reasons }
                }
                other => other,
            })?;
        Ok(ExecuteTransactionOutput {
            responses: Vec::new(),
            consumed_capacity: out.consumed_capacity,
        })
    }
}

/// The key of a WHERE clause that is nothing but equalities on the whole
/// key (a transaction's or batch's read), or `None`.
pub(crate) fn full_key_only(
    condition: Option<&ferrodyn_partiql::ast::Expr>,
    table: &crate::table::TableMeta,
    params: &[AttributeValue],
) -> Option<Item> {
    let w = plan::write_target(condition?, &table_keys(table), params).ok()?;
    w.condition.is_none().then_some(w.key)
}

/// What two calls with one ClientRequestToken must agree on: the
/// statements and their parameters.
fn fingerprint(statements: &[ParameterizedStatement]) -> [u8; 32] {
    let mut digest = Sha256::new();
    for s in statements {
        digest.update((s.statement.len() as u64).to_be_bytes());
        digest.update(s.statement.as_bytes());
        let params: Item = s
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (i.to_string(), p.clone()))
            .collect();
        let encoded = encode_item(&params);
        digest.update((encoded.len() as u64).to_be_bytes());
        digest.update(encoded);
        digest.update([u8::from(s.return_old_on_condition_failure)]);
    }
    digest.finalize().into()
}

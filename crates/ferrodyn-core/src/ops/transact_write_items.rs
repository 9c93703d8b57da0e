//! TransactWriteItems: up to 100 puts, updates, deletes and condition
//! checks on distinct items, possibly across tables, applied all or
//! nothing, with `ClientRequestToken` idempotency.
//!
//! ```text
//! validate every action (expressions, sizes, tables, keys, duplicates)
//!   -> token: replay a completed call / mismatch / in progress
//!   -> claim every item (a conflict cancels: TransactionConflict)
//!   -> read every item from one snapshot
//!   -> decide each action (a failed condition or invalid update cancels)
//!   -> one atomic commit: every write, change record and counter, the
//!      idempotency record, and a condition per item that it is unchanged
//!      (a write that slipped in cancels: TransactionConflict)
//! ```
//!
//! See `transactions.rs` for why this is serializable and deadlock-free.

use std::collections::HashSet;
use std::sync::Arc;

use ferrodyn_expr::{UpdateAction, UpdateExpression};
use ferrodyn_model::Item;
use ferrodyn_model::codec::decode_item;
use ferrodyn_model::limits::{
    ITEM_SIZE_BYTES_MAX, TRANSACTION_ACTIONS_MAX, TRANSACTION_SIZE_BYTES_MAX,
};
use ferrodyn_model::value::item_size_bytes;
use ferrodyn_storage::{Condition, Op, ReadConsistency, StorageError, WriteBatch};

use super::put_item::ITEM_TOO_LARGE;
use super::resource_not_found;
use super::update_item::check_update_targets;
use crate::capacity::{self, ConsumedCapacity, ReturnConsumedCapacity, TransactionCapacity};
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{
    CancellationCode, CancellationReason, CoreError, Result, first_validation_error_only,
};
use crate::expressions::{Compiled, ExpressionInput, LegacyInput, Operation, compile};
use crate::item::{key_from_item, key_from_key};
use crate::keyspace;
use crate::table::TableMeta;
use crate::transactions::{FINGERPRINT_BYTES, ITEM_IN_TRANSACTION, IdempotencyRecord};

/// What one action does.
#[derive(Clone, Debug, PartialEq)]
pub enum TransactWriteKind {
    /// `ConditionCheck` on the item with this key.
    ConditionCheck {
        /// `Key`.
        key: Item,
    },
    /// `Put` of this item.
    Put {
        /// `Item`.
        item: Item,
    },
    /// `Delete` of the item with this key.
    Delete {
        /// `Key`.
        key: Item,
    },
    /// `Update` of the item with this key (`UpdateExpression` is in the
    /// action's expressions).
    Update {
        /// `Key`.
        key: Item,
    },
}

/// One action (`TransactWriteItem`).
#[derive(Clone, Debug)]
pub struct TransactWriteItem {
    /// What it does.
    pub kind: TransactWriteKind,
    /// `TableName` (or ARN).
    pub table_name: String,
    /// `ConditionExpression`, `UpdateExpression` and their placeholders.
    pub expressions: ExpressionInput,
    /// `ReturnValuesOnConditionCheckFailure = ALL_OLD`.
    pub return_old_on_condition_failure: bool,
}

/// TransactWriteItems' input.
#[derive(Clone, Debug)]
pub struct TransactWriteItemsInput {
    /// `TransactItems`, in order.
    pub items: Vec<TransactWriteItem>,
    /// `ReturnConsumedCapacity`.
    pub return_consumed_capacity: ReturnConsumedCapacity,
    /// `ClientRequestToken`.
    pub client_request_token: Option<String>,
    /// A digest of every member of the request but the token (and
    /// `ReturnConsumedCapacity`): two calls with one token must agree on it.
    pub fingerprint: [u8; FINGERPRINT_BYTES],
}

/// TransactWriteItems' output.
#[derive(Clone, Debug, Default)]
pub struct TransactWriteItemsOutput {
    /// `ConsumedCapacity`, one entry per table.
    pub consumed_capacity: Vec<ConsumedCapacity>,
}

/// The message for two actions on one item.
pub(crate) const MULTIPLE_OPERATIONS_ON_ONE_ITEM: &str =
    "Transaction request cannot include multiple operations on one item";

/// The message for a transaction whose items add up to more than 4 MB.
/// UNCONFIRMED wording (docs/compatibility.md): AWS's answer is known to be a
/// ValidationException [conformance transactionLimits] but its text was
/// never captured; this one states the documented limit ("the aggregate
/// size of the items in the transaction cannot exceed 4 MB", API reference).
pub(crate) const TRANSACTION_TOO_LARGE: &str = "Transaction request cannot be processed: the aggregate item size cannot exceed 4 MB (4194304 bytes)";

/// An action, validated and bound to its table and storage key.
struct Planned<'a> {
    action: &'a TransactWriteItem,
    compiled: Compiled,
    table: Arc<TableMeta>,
    key: Vec<u8>,
}

impl Database {
    /// TransactWriteItems.
    pub fn transact_write_items(
        &self,
        ctx: &RequestContext,
        input: TransactWriteItemsInput,
    ) -> Result<TransactWriteItemsOutput> {
        let plan = self.plan_transaction(ctx, &input.items)?;

        let token = match &input.client_request_token {
            Some(token) => {
                let record_key = keyspace::idempotency_key(&ctx.account_id, token);
                let Some(guard) = self.transactions.start_token(record_key.clone()) else {
                    return Err(CoreError::TransactionInProgress(
                        "Transaction from previous request is still in progress".into(),
                    ));
                };
                if let Some(bytes) = self.engine.get(&record_key, ReadConsistency::Strong)? {
                    let record = IdempotencyRecord::decode(&bytes);
                    match record {
                        Some(r) if r.is_live(self.clock.now_millis()) => {
                            if r.fingerprint != input.fingerprint {
                                return Err(CoreError::IdempotentParameterMismatch(
                                    "Request token is already used with a different request".into(),
                                ));
                            }
                            // Completed before: answer without applying again,
                            // billed as reading the items.
                            let keys: Vec<Vec<u8>> = plan.iter().map(|p| p.key.clone()).collect();
                            let items = self.engine.multi_get(&keys, ReadConsistency::Strong)?;
                            return Ok(replay_output(
                                &plan,
                                &items,
                                input.return_consumed_capacity,
                            ));
                        }
                        _ => {}
                    }
                }
                Some((record_key, guard))
            }
            None => None,
        };

        let keys: Vec<Vec<u8>> = plan.iter().map(|p| p.key.clone()).collect();
        let _claim = self
            .transactions
            .claim(&keys)
            .map_err(|index| conflict_at(plan.len(), index))?;
        let olds_bytes = self.engine.multi_get(&keys, ReadConsistency::Strong)?;

        let mut reasons = vec![CancellationReason::none(); plan.len()];
        let mut cancelled = false;
        let mut decided = Vec::with_capacity(plan.len());
        for (i, (p, old_bytes)) in plan.iter().zip(&olds_bytes).enumerate() {
            let old = match old_bytes {
                Some(b) => Some(decode_item(b).map_err(|e| CoreError::Internal(e.to_string()))?),
                None => None,
            };
            match decide(p, old.as_ref()) {
                Ok(new) => decided.push((old, new)),
                Err(reason) => {
                    reasons[i] = reason;
                    cancelled = true;
                    decided.push((old, None));
                }
            }
        }
        if cancelled {
            return Err(CoreError::TransactionCanceled {
                reasons: first_validation_error_only(reasons),
            });
        }

        let _gate = self.schema_gate.read();
        let mut batch = WriteBatch::default();
        let mut consumed = TransactionCapacity::default();
        // Which action each commit condition belongs to.
        let mut condition_owner = Vec::with_capacity(plan.len());
        for (i, ((p, old_bytes), (old, new))) in
            plan.iter().zip(&olds_bytes).zip(&decided).enumerate()
        {
            let is_check = matches!(p.action.kind, TransactWriteKind::ConditionCheck { .. });
            let cost = if is_check || (old.is_none() && new.is_none()) {
                // Nothing to write: the commit still requires the item to
                // be unchanged, which is what makes the check serializable.
                batch.conditions.push(Condition::ValueIs {
                    key: p.key.clone(),
                    value: old_bytes.clone(),
                });
                // A check is billed as a write of the item it read.
                capacity::write_units(old.as_ref().map_or(0, item_size_bytes), 0)
            } else {
                let table = self.current_table(&p.table)?;
                let staged = self.stage_write(
                    &mut batch,
                    &table,
                    &p.key,
                    old_bytes.as_deref(),
                    old.as_ref(),
                    new.as_ref(),
                    &crate::change::Origin::Client,
                )?;
                capacity::write_units(staged.old_size, staged.new_size) + staged.index_units()
            };
            condition_owner.resize(batch.conditions.len(), i);
            consumed.add(&p.action.table_name, cost);
        }
        if let Some((record_key, _)) = &token {
            batch.ops.push(Op::Put {
                key: record_key.clone(),
                value: IdempotencyRecord {
                    fingerprint: input.fingerprint,
                    completed_millis: self.clock.now_millis(),
                }
                .encode(),
            });
        }
        match self.engine.commit(batch) {
            Ok(_) => {}
            // The item (or one of its index entries) changed after it was
            // read.
            Err(StorageError::ConditionFailed { index }) => {
                let action = condition_owner.get(index).copied().unwrap_or(0);
                return Err(conflict_at(plan.len(), action));
            }
            Err(e) => return Err(e.into()),
        }
        if token.is_some() {
            self.sweep_idempotency_records()?;
        }
        Ok(TransactWriteItemsOutput {
            consumed_capacity: consumed.report(false, input.return_consumed_capacity),
        })
    }

    /// Validates every action before anything is read: expressions (all
    /// of them, in order), item sizes, the transaction's size, tables,
    /// keys, and that no item is named twice.
    fn plan_transaction<'a>(
        &self,
        ctx: &RequestContext,
        items: &'a [TransactWriteItem],
    ) -> Result<Vec<Planned<'a>>> {
        if items.len() > TRANSACTION_ACTIONS_MAX {
            return Err(CoreError::validation(format!(
                "1 validation error detected: Value '{}' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to {TRANSACTION_ACTIONS_MAX}",
                items.len()
            )));
        }
        let mut compiled = Vec::with_capacity(items.len());
        for action in items {
            let operation = match action.kind {
                TransactWriteKind::Update { .. } => Operation::Update,
                _ => Operation::Write,
            };
            compiled.push(compile(
                operation,
                &without_idle_placeholders(&action.expressions),
                &LegacyInput::default(),
            )?);
        }
        let mut total_bytes = 0usize;
        for action in items {
            let size = match &action.kind {
                TransactWriteKind::Put { item } => item_size_bytes(item),
                TransactWriteKind::ConditionCheck { key }
                | TransactWriteKind::Delete { key }
                | TransactWriteKind::Update { key } => item_size_bytes(key),
            };
            if matches!(action.kind, TransactWriteKind::Put { .. }) && size > ITEM_SIZE_BYTES_MAX {
                return Err(CoreError::validation(ITEM_TOO_LARGE));
            }
            total_bytes += size;
        }
        if total_bytes > TRANSACTION_SIZE_BYTES_MAX {
            return Err(CoreError::validation(TRANSACTION_TOO_LARGE));
        }

        let mut plan = Vec::with_capacity(items.len());
        let mut seen = HashSet::with_capacity(items.len());
        let mut key_faults = vec![CancellationReason::none(); items.len()];
        let mut faulty = false;
        for (i, (action, compiled)) in items.iter().zip(compiled).enumerate() {
            let table = self.resolve_table(ctx, &action.table_name, resource_not_found)?;
            let schema = table.key_schema();
            let key = match &action.kind {
                TransactWriteKind::Put { item } => key_from_item(table.id, &schema, item),
                TransactWriteKind::ConditionCheck { key }
                | TransactWriteKind::Delete { key }
                | TransactWriteKind::Update { key } => key_from_key(table.id, &schema, key),
            };
            let key = match key_fault(key)? {
                Ok(key) => key,
                Err(reason) => {
                    key_faults[i] = reason;
                    faulty = true;
                    continue;
                }
            };
            if let Some(update) = &compiled.update {
                check_update_targets(update, &table)?;
            }
            if !seen.insert(key.clone()) {
                return Err(CoreError::validation(MULTIPLE_OPERATIONS_ON_ONE_ITEM));
            }
            plan.push(Planned {
                action,
                compiled,
                table,
                key,
            });
        }
        if faulty {
            return Err(CoreError::TransactionCanceled {
                reasons: first_validation_error_only(key_faults),
            });
        }
        Ok(plan)
    }
}

/// Decides one action against the item as read: the new item (`None` for
/// a delete or a check), or why the transaction must be cancelled.
fn decide(
    p: &Planned<'_>,
    old: Option<&Item>,
) -> std::result::Result<Option<Item>, CancellationReason> {
    if !p.compiled.condition_holds(old) {
        let mut reason = CancellationReason::new(
            CancellationCode::ConditionalCheckFailed,
            "The conditional request failed",
        );
        if p.action.return_old_on_condition_failure {
            reason.item = old.cloned();
        }
        return Err(reason);
    }
    let new = match &p.action.kind {
        TransactWriteKind::ConditionCheck { .. } | TransactWriteKind::Delete { .. } => None,
        TransactWriteKind::Put { item } => Some(item.clone()),
        TransactWriteKind::Update { key } => match &p.compiled.update {
            Some(update) => apply_update(update, key, old)?,
            None => Some(old.cloned().unwrap_or_else(|| key.clone())),
        },
    };
    // An item that does not fit one of the table's indexes (a wrong type,
    // an empty value, a key over the size limits) cancels the transaction
    // with the index's message as this action's ValidationError, as an
    // oversized table key does [extenddb transaction_key_size_validation].
    if let Some(item) = &new {
        for index in &p.table.indexes {
            index.validate(item).map_err(|e| {
                CancellationReason::new(CancellationCode::ValidationError, e.to_string())
            })?;
        }
    }
    Ok(new)
}

/// Applies an update as UpdateItem does; errors that depend on the item
/// become a `ValidationError` reason.
fn apply_update(
    update: &UpdateExpression,
    key: &Item,
    old: Option<&Item>,
) -> std::result::Result<Option<Item>, CancellationReason> {
    // Removing from a missing item leaves it missing, as in UpdateItem.
    if old.is_none()
        && !update.actions().is_empty()
        && update
            .actions()
            .iter()
            .all(|a| matches!(a, UpdateAction::Remove { .. } | UpdateAction::Delete { .. }))
    {
        return Ok(None);
    }
    let base = old.cloned().unwrap_or_else(|| key.clone());
    let applied = update
        .apply(&base)
        .map_err(|e| CancellationReason::new(CancellationCode::ValidationError, e.to_string()))?;
    if item_size_bytes(&applied.item) > ITEM_SIZE_BYTES_MAX {
        return Err(CancellationReason::new(
            CancellationCode::ValidationError,
            "Item size to update has exceeded the maximum allowed size",
        ));
    }
    Ok(Some(applied.item))
}

/// Sorts a key's validation result: a key of the wrong type or shape, or
/// one over the key size limits [extenddb transaction_key_size_validation,
/// "matching real DynamoDB"], is a `ValidationError` reason of its action (as
/// AWS reports it); any other fault (an empty value, a missing key) fails
/// the whole request.
pub(crate) fn key_fault(
    key: Result<Vec<u8>>,
) -> Result<std::result::Result<Vec<u8>, CancellationReason>> {
    match key {
        Ok(key) => Ok(Ok(key)),
        Err(CoreError::Validation(message))
            if message.contains("Type mismatch for key")
                || message == "The provided key element does not match the schema"
                || message.contains("Size of hashkey has exceeded")
                || message.contains("Aggregated size of all range keys has exceeded") =>
        {
            Ok(Err(CancellationReason::new(
                CancellationCode::ValidationError,
                message,
            )))
        }
        Err(e) => Err(e),
    }
}

/// A transaction's action may carry `ExpressionAttributeNames` and
/// `ExpressionAttributeValues` without any expression (AWS ignores them
/// there, unlike in single-item operations).
pub(crate) fn without_idle_placeholders(expressions: &ExpressionInput) -> ExpressionInput {
    let idle = expressions.condition.is_none()
        && expressions.update.is_none()
        && expressions.projection.is_none();
    if !idle {
        return expressions.clone();
    }
    ExpressionInput {
        names: None,
        values: None,
        ..expressions.clone()
    }
}

/// A cancellation whose only reason is a conflict on action `index`.
fn conflict_at(actions: usize, index: usize) -> CoreError {
    let mut reasons = vec![CancellationReason::none(); actions];
    if let Some(r) = reasons.get_mut(index) {
        *r = CancellationReason::new(CancellationCode::TransactionConflict, ITEM_IN_TRANSACTION);
    }
    CoreError::TransactionCanceled { reasons }
}

/// The answer to a call whose token already completed: success, with the
/// capacity of reading the items (AWS charges a replay as reads).
fn replay_output(
    plan: &[Planned<'_>],
    items: &[Option<Vec<u8>>],
    mode: ReturnConsumedCapacity,
) -> TransactWriteItemsOutput {
    let mut consumed = TransactionCapacity::default();
    for (p, bytes) in plan.iter().zip(items) {
        let size = bytes
            .as_deref()
            .and_then(|b| decode_item(b).ok())
            .map_or(0, |i| item_size_bytes(&i));
        consumed.add(&p.action.table_name, capacity::read_units(size, true));
    }
    TransactWriteItemsOutput {
        consumed_capacity: consumed.report(true, mode),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ferrodyn_model::{AttributeValue, Item};
    use ferrodyn_storage::memory::MemoryEngine;

    use super::*;
    use crate::clock::ManualClock;
    use crate::ops::create_table::{
        AttributeDefinition, CreateTableInput, KeySchemaElement, KeyType,
    };
    use crate::table::BillingMode;

    fn ctx() -> RequestContext {
        RequestContext {
            account_id: "000000000000".into(),
            region: "us-east-1".into(),
        }
    }

    fn db_with_table() -> Database {
        let db = Database::open(
            Arc::new(MemoryEngine::new()),
            Arc::new(ManualClock::new(1_700_000_000_000)),
        )
        .expect("open");
        db.create_table(
            &ctx(),
            CreateTableInput {
                table_name: "one".into(),
                attribute_definitions: vec![AttributeDefinition {
                    name: "pk".into(),
                    scalar_type: ferrodyn_model::schema::ScalarType::S,
                }],
                key_schema: vec![KeySchemaElement {
                    name: "pk".into(),
                    key_type: KeyType::Hash,
                }],
                billing_mode: Some(BillingMode::PayPerRequest),
                ..CreateTableInput::default()
            },
        )
        .expect("create");
        db
    }

    fn put(db: &Database, pk: &str) -> Result<TransactWriteItemsOutput> {
        let item: Item = [("pk".to_owned(), AttributeValue::S(pk.into()))]
            .into_iter()
            .collect();
        db.transact_write_items(
            &ctx(),
            TransactWriteItemsInput {
                items: vec![TransactWriteItem {
                    kind: TransactWriteKind::Put { item },
                    table_name: "one".into(),
                    expressions: ExpressionInput::default(),
                    return_old_on_condition_failure: false,
                }],
                return_consumed_capacity: ReturnConsumedCapacity::None,
                client_request_token: None,
                fingerprint: [0; FINGERPRINT_BYTES],
            },
        )
    }

    /// While a transaction holds an item, a single-item write on it gets
    /// TransactionConflictException and another transaction is cancelled
    /// with a TransactionConflict reason; neither waits, and both succeed
    /// once the item is released.
    #[test]
    fn conflicts_with_an_in_flight_transaction() {
        let db = db_with_table();
        let table = db
            .catalog
            .get("000000000000", "us-east-1", "one")
            .expect("table");
        let item: Item = [("pk".to_owned(), AttributeValue::S("a".into()))]
            .into_iter()
            .collect();
        let key = crate::item::key_from_item(table.id, &table.key_schema(), &item).expect("key");
        let claim = db
            .transactions
            .claim(std::slice::from_ref(&key))
            .expect("free");
        let single = db.put_item(
            &ctx(),
            crate::ops::put_item::PutItemInput {
                table_name: "one".into(),
                item: item.clone(),
                ..Default::default()
            },
        );
        match single {
            Err(CoreError::TransactionConflict(m)) => assert_eq!(m, ITEM_IN_TRANSACTION),
            other => panic!("expected TransactionConflictException, got {other:?}"),
        }
        match put(&db, "a") {
            Err(CoreError::TransactionCanceled { reasons }) => {
                assert_eq!(reasons.len(), 1);
                assert_eq!(reasons[0].code, CancellationCode::TransactionConflict);
                assert_eq!(reasons[0].message.as_deref(), Some(ITEM_IN_TRANSACTION));
            }
            other => panic!("expected a TransactionConflict cancellation, got {other:?}"),
        }
        put(&db, "b").expect("other items are free");
        drop(claim);
        put(&db, "a").expect("released");
    }

    /// A second call with a token whose first call is still running is
    /// refused, and applies nothing.
    #[test]
    fn a_running_token_refuses_a_second_call() {
        let db = db_with_table();
        let item: Item = [("pk".to_owned(), AttributeValue::S("a".into()))]
            .into_iter()
            .collect();
        let call = || {
            db.transact_write_items(
                &ctx(),
                TransactWriteItemsInput {
                    items: vec![TransactWriteItem {
                        kind: TransactWriteKind::Put { item: item.clone() },
                        table_name: "one".into(),
                        expressions: ExpressionInput::default(),
                        return_old_on_condition_failure: false,
                    }],
                    return_consumed_capacity: ReturnConsumedCapacity::None,
                    client_request_token: Some("tok".into()),
                    fingerprint: [1; FINGERPRINT_BYTES],
                },
            )
        };
        let running = db
            .transactions
            .start_token(keyspace::idempotency_key("000000000000", "tok"))
            .expect("free");
        match call() {
            Err(CoreError::TransactionInProgress(m)) => {
                assert_eq!(m, "Transaction from previous request is still in progress");
            }
            other => panic!("expected TransactionInProgressException, got {other:?}"),
        }
        assert_eq!(
            db.engine
                .get(
                    &keyspace::idempotency_key("000000000000", "tok"),
                    ReadConsistency::Strong
                )
                .expect("get"),
            None
        );
        drop(running);
        call().expect("the token is free once the first call ends");
    }
}

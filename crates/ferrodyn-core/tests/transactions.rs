//! TransactWriteItems and TransactGetItems against a `Database`, over each
//! storage engine: all or nothing, cancellation reasons, idempotency with
//! an injected clock, and serializability under concurrent transfers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ferrodyn_core::capacity::ReturnConsumedCapacity;
use ferrodyn_core::clock::ManualClock;
use ferrodyn_core::expressions::ExpressionInput;
use ferrodyn_core::ops::get_item::GetItemInput;
use ferrodyn_core::ops::transact_get_items::{TransactGetItem, TransactGetItemsInput};
use ferrodyn_core::ops::transact_write_items::{
    TransactWriteItem, TransactWriteItemsInput, TransactWriteKind,
};
use ferrodyn_core::ops::update_item::UpdateItemInput;
use ferrodyn_core::transactions::IDEMPOTENCY_WINDOW_MS;
use ferrodyn_core::{CancellationCode, CoreError, Database};
use ferrodyn_model::{AttributeValue, Item};

mod support;

use support::*;

fn action(table: &str, kind: TransactWriteKind) -> TransactWriteItem {
    TransactWriteItem {
        kind,
        table_name: table.into(),
        expressions: ExpressionInput::default(),
        return_old_on_condition_failure: false,
    }
}

fn update(
    table: &str,
    k: &str,
    expression: &str,
    condition: Option<&str>,
    v: &str,
) -> TransactWriteItem {
    TransactWriteItem {
        kind: TransactWriteKind::Update { key: key(k) },
        table_name: table.into(),
        expressions: ExpressionInput {
            update: Some(expression.into()),
            condition: condition.map(str::to_owned),
            values: values(&[(":v", n(v))]),
            ..ExpressionInput::default()
        },
        return_old_on_condition_failure: false,
    }
}

fn write(items: Vec<TransactWriteItem>) -> TransactWriteItemsInput {
    TransactWriteItemsInput {
        items,
        return_consumed_capacity: ReturnConsumedCapacity::Total,
        client_request_token: None,
        fingerprint: [0; 32],
    }
}

fn get(db: &Database, table: &str, k: &str) -> Option<Item> {
    db.get_item(
        &ctx(),
        GetItemInput {
            table_name: table.into(),
            key: key(k),
            consistent_read: true,
            ..GetItemInput::default()
        },
    )
    .expect("get")
    .item
}

fn codes(e: CoreError) -> Vec<CancellationCode> {
    match e {
        CoreError::TransactionCanceled { reasons } => reasons.iter().map(|r| r.code).collect(),
        other => panic!("expected TransactionCanceledException, got {other:?}"),
    }
}

#[test]
fn all_or_nothing_with_reasons_in_order() {
    for (name, engine, _dir) in engines() {
        let db = open(engine);
        db.create_table(&ctx(), create_input("one", false))
            .expect(name);
        db.create_table(&ctx(), create_input("two", false))
            .expect(name);
        db.transact_write_items(
            &ctx(),
            write(vec![
                action(
                    "one",
                    TransactWriteKind::Put {
                        item: item(&[("pk", s("a")), ("n", n("1"))]),
                    },
                ),
                action(
                    "two",
                    TransactWriteKind::Put {
                        item: item(&[("pk", s("gone")), ("n", n("9"))]),
                    },
                ),
            ]),
        )
        .expect(name);

        let mut check = action("one", TransactWriteKind::ConditionCheck { key: key("a") });
        check.expressions.condition = Some("n = :v".into());
        check.expressions.values = values(&[(":v", n("2"))]);
        check.return_old_on_condition_failure = true;
        let e = db
            .transact_write_items(
                &ctx(),
                write(vec![
                    action(
                        "one",
                        TransactWriteKind::Put {
                            item: item(&[("pk", s("b"))]),
                        },
                    ),
                    update("two", "c", "ADD n :v", None, "5"),
                    check.clone(),
                    action("two", TransactWriteKind::Delete { key: key("gone") }),
                ]),
            )
            .expect_err(name);
        assert_eq!(
            e.to_string(),
            "Transaction cancelled, please refer cancellation reasons for specific reasons [None, None, ConditionalCheckFailed, None]"
        );
        match &e {
            CoreError::TransactionCanceled { reasons } => {
                assert_eq!(
                    reasons[2].item.as_ref(),
                    get(&db, "one", "a").as_ref(),
                    "{name}: ALL_OLD item"
                );
                assert_eq!(
                    reasons[2].message.as_deref(),
                    Some("The conditional request failed")
                );
                assert!(reasons[0].message.is_none() && reasons[0].item.is_none());
            }
            other => panic!("{other:?}"),
        }
        assert!(get(&db, "one", "b").is_none(), "{name}: nothing applied");
        assert!(get(&db, "two", "c").is_none(), "{name}: nothing applied");
        assert!(get(&db, "two", "gone").is_some(), "{name}: nothing applied");

        // The same transaction with a condition that holds applies whole.
        check.expressions.values = values(&[(":v", n("1"))]);
        let out = db
            .transact_write_items(
                &ctx(),
                write(vec![
                    action(
                        "one",
                        TransactWriteKind::Put {
                            item: item(&[("pk", s("b"))]),
                        },
                    ),
                    update("two", "c", "ADD n :v", None, "5"),
                    check,
                    action("two", TransactWriteKind::Delete { key: key("gone") }),
                ]),
            )
            .expect(name);
        assert!(get(&db, "one", "b").is_some());
        assert_eq!(
            get(&db, "two", "c"),
            Some(item(&[("pk", s("c")), ("n", n("5"))]))
        );
        assert!(get(&db, "two", "gone").is_none());
        // Two units per started KB written, two per started 4 KB checked.
        let units: Vec<(String, f64)> = out
            .consumed_capacity
            .iter()
            .map(|c| (c.table_name.clone(), c.capacity_units))
            .collect();
        assert_eq!(
            units,
            [("one".to_owned(), 4.0), ("two".to_owned(), 4.0)],
            "{name}"
        );
    }
}

#[test]
fn validation_rejects_the_whole_request() {
    for (name, engine, _dir) in engines() {
        let db = open(engine);
        db.create_table(&ctx(), create_input("one", false))
            .expect(name);
        let put = |k: &str| action("one", TransactWriteKind::Put { item: key(k) });
        let e = db
            .transact_write_items(
                &ctx(),
                write(vec![put("a"), update("one", "a", "ADD n :v", None, "1")]),
            )
            .expect_err(name);
        assert_eq!(
            validation(e),
            "Transaction request cannot include multiple operations on one item"
        );
        let e = db
            .transact_write_items(
                &ctx(),
                write(vec![
                    put("a"),
                    action("nope", TransactWriteKind::Put { item: key("b") }),
                ]),
            )
            .expect_err(name);
        assert!(matches!(e, CoreError::ResourceNotFound(_)), "{name}: {e:?}");
        let e = db
            .transact_write_items(
                &ctx(),
                write(vec![update("one", "a", "SET pk = :v", None, "1")]),
            )
            .expect_err(name);
        assert_eq!(
            validation(e),
            "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"
        );
        let e = db
            .transact_write_items(
                &ctx(),
                write((0..101).map(|i| put(&i.to_string())).collect()),
            )
            .expect_err(name);
        assert!(validation(e).contains("less than or equal to 100"));
        assert!(get(&db, "one", "a").is_none(), "{name}: nothing applied");

        // An update that fails on the item it meets is a ValidationError
        // reason, and still nothing is applied.
        db.transact_write_items(
            &ctx(),
            write(vec![action(
                "one",
                TransactWriteKind::Put {
                    item: item(&[("pk", s("s")), ("n", s("text"))]),
                },
            )]),
        )
        .expect(name);
        let e = db
            .transact_write_items(
                &ctx(),
                write(vec![put("x"), update("one", "s", "ADD n :v", None, "1")]),
            )
            .expect_err(name);
        assert_eq!(
            codes(e),
            [CancellationCode::None, CancellationCode::ValidationError]
        );
        assert!(get(&db, "one", "x").is_none(), "{name}");
    }
}

#[test]
fn client_request_token_is_idempotent_for_ten_minutes() {
    for (name, engine, _dir) in engines() {
        let clock = Arc::new(ManualClock::new(1_700_000_000_000));
        let db = Database::open(engine, clock.clone()).expect("open");
        db.create_table(&ctx(), create_input("one", false))
            .expect(name);
        let call = |fingerprint: u8, v: &str| {
            db.transact_write_items(
                &ctx(),
                TransactWriteItemsInput {
                    items: vec![update("one", "c", "ADD n :v", None, v)],
                    return_consumed_capacity: ReturnConsumedCapacity::None,
                    client_request_token: Some("token-1".into()),
                    fingerprint: [fingerprint; 32],
                },
            )
        };
        let counter = |db: &Database| get(db, "one", "c").and_then(|i| i.get("n").cloned());
        call(1, "1").expect(name);
        call(1, "1").expect(name);
        clock.advance(IDEMPOTENCY_WINDOW_MS - 1);
        call(1, "1").expect(name);
        assert_eq!(
            counter(&db),
            Some(n("1")),
            "{name}: applied once within the window"
        );
        let e = call(2, "7").expect_err(name);
        assert!(
            matches!(e, CoreError::IdempotentParameterMismatch(_)),
            "{name}: {e:?}"
        );
        clock.advance(1);
        call(1, "1").expect(name);
        assert_eq!(
            counter(&db),
            Some(n("2")),
            "{name}: a new request after the window"
        );
        // The token now binds the second call; a different request is
        // rejected again, until that window ends too.
        assert!(call(2, "7").is_err());
        clock.advance(IDEMPOTENCY_WINDOW_MS);
        call(2, "7").expect(name);
        assert_eq!(counter(&db), Some(n("9")), "{name}");
    }
}

#[test]
fn a_cancelled_call_does_not_bind_its_token() {
    let (_, engine, _dir) = engines().remove(0);
    let db = open(engine);
    db.create_table(&ctx(), create_input("one", false))
        .expect("create");
    let call = |condition: &str| {
        db.transact_write_items(
            &ctx(),
            TransactWriteItemsInput {
                items: vec![update("one", "c", "ADD n :v", Some(condition), "1")],
                return_consumed_capacity: ReturnConsumedCapacity::None,
                client_request_token: Some("t".into()),
                fingerprint: [3; 32],
            },
        )
    };
    assert!(matches!(
        call("attribute_exists(n)"),
        Err(CoreError::TransactionCanceled { .. })
    ));
    call("attribute_not_exists(n)").expect("the token is free after a cancellation");
}

/// Money moves between accounts in transactions while snapshot readers
/// check the total and single-item writers touch the same items: the total
/// never changes, no balance goes negative, and every conflict is reported
/// as one rather than interleaved.
#[test]
fn transfers_are_serializable() {
    const ACCOUNTS: usize = 20;
    const START: i64 = 100;
    const WRITERS: usize = 6;
    const TRANSFERS: usize = 150;
    for (name, engine, _dir) in engines() {
        let db = open(engine);
        db.create_table(&ctx(), create_input("bank", false))
            .expect(name);
        let accounts: Vec<String> = (0..ACCOUNTS).map(|i| format!("acct{i}")).collect();
        for chunk in accounts.chunks(25) {
            db.transact_write_items(
                &ctx(),
                write(
                    chunk
                        .iter()
                        .map(|a| {
                            action(
                                "bank",
                                TransactWriteKind::Put {
                                    item: item(&[("pk", s(a)), ("balance", n(&START.to_string()))]),
                                },
                            )
                        })
                        .collect(),
                ),
            )
            .expect(name);
        }
        let conflicts = AtomicUsize::new(0);
        let cancelled_for_funds = AtomicUsize::new(0);
        let snapshots = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for w in 0..WRITERS {
                let (db, accounts, conflicts, cancelled_for_funds, done) =
                    (&db, &accounts, &conflicts, &cancelled_for_funds, &done);
                scope.spawn(move || {
                    let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ (w as u64 + 1);
                    let mut next = || {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        seed
                    };
                    for _ in 0..TRANSFERS {
                        let from = (next() as usize) % ACCOUNTS;
                        let to = (from + 1 + (next() as usize) % (ACCOUNTS - 1)) % ACCOUNTS;
                        let amount = (1 + next() % 60).to_string();
                        loop {
                            let r = db.transact_write_items(
                                &ctx(),
                                write(vec![
                                    update(
                                        "bank",
                                        &accounts[from],
                                        "SET balance = balance - :v",
                                        Some("balance >= :v"),
                                        &amount,
                                    ),
                                    update(
                                        "bank",
                                        &accounts[to],
                                        "SET balance = balance + :v",
                                        None,
                                        &amount,
                                    ),
                                ]),
                            );
                            match r {
                                Ok(_) => break,
                                Err(e) => {
                                    let c = codes(e);
                                    if c.contains(&CancellationCode::TransactionConflict) {
                                        conflicts.fetch_add(1, Ordering::Relaxed);
                                        continue;
                                    }
                                    assert_eq!(c[0], CancellationCode::ConditionalCheckFailed);
                                    cancelled_for_funds.fetch_add(1, Ordering::Relaxed);
                                    break;
                                }
                            }
                        }
                    }
                    done.fetch_add(1, Ordering::SeqCst);
                });
            }
            // A single-item writer that adds zero: it either succeeds or
            // meets a transaction, and must never disturb the total.
            {
                let (db, accounts, done) = (&db, &accounts, &done);
                scope.spawn(move || {
                    let mut i = 0;
                    while done.load(Ordering::SeqCst) < WRITERS {
                        let r = db.update_item(
                            &ctx(),
                            UpdateItemInput {
                                table_name: "bank".into(),
                                key: key(&accounts[i % ACCOUNTS]),
                                expressions: ExpressionInput {
                                    update: Some("ADD balance :z".into()),
                                    values: values(&[(":z", n("0"))]),
                                    ..ExpressionInput::default()
                                },
                                ..UpdateItemInput::default()
                            },
                        );
                        match r {
                            Ok(_) | Err(CoreError::TransactionConflict(_)) => {}
                            Err(e) => panic!("single write: {e:?}"),
                        }
                        i += 1;
                    }
                });
            }
            for _ in 0..2 {
                let (db, accounts, snapshots, done) = (&db, &accounts, &snapshots, &done);
                scope.spawn(move || {
                    while done.load(Ordering::SeqCst) < WRITERS {
                        let r = db.transact_get_items(
                            &ctx(),
                            TransactGetItemsInput {
                                items: accounts
                                    .iter()
                                    .map(|a| TransactGetItem {
                                        table_name: "bank".into(),
                                        key: key(a),
                                        ..TransactGetItem::default()
                                    })
                                    .collect(),
                                return_consumed_capacity: ReturnConsumedCapacity::None,
                            },
                        );
                        let out = match r {
                            Ok(out) => out,
                            Err(e) => {
                                assert!(codes(e).contains(&CancellationCode::TransactionConflict));
                                continue;
                            }
                        };
                        let balances: Vec<i64> = out.responses.iter().map(balance).collect();
                        assert!(
                            balances.iter().all(|&b| b >= 0),
                            "negative balance in {balances:?}"
                        );
                        assert_eq!(
                            balances.iter().sum::<i64>(),
                            START * ACCOUNTS as i64,
                            "snapshot total"
                        );
                        snapshots.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
        });
        let finals: Vec<i64> = accounts
            .iter()
            .map(|a| balance(&get(&db, "bank", a)))
            .collect();
        assert_eq!(
            finals.iter().sum::<i64>(),
            START * ACCOUNTS as i64,
            "{name}: final total"
        );
        assert!(finals.iter().all(|&b| b >= 0), "{name}");
        eprintln!(
            "{name}: {} conflicts retried, {} transfers refused for funds, {} consistent snapshots",
            conflicts.load(Ordering::Relaxed),
            cancelled_for_funds.load(Ordering::Relaxed),
            snapshots.load(Ordering::Relaxed)
        );
    }
}

fn balance(item: &Option<Item>) -> i64 {
    match item.as_ref().and_then(|i| i.get("balance")) {
        Some(AttributeValue::N(v)) => v.to_string().parse().expect("integer balance"),
        other => panic!("no balance: {other:?}"),
    }
}

#[test]
fn expired_idempotency_records_are_swept() {
    use ferrodyn_core::transactions::SWEEP_EVERY_TRANSACTIONS;
    use ferrodyn_storage::{Direction, ReadConsistency, ScanRequest};
    for (name, engine, _dir) in engines() {
        let clock = Arc::new(ManualClock::new(1_700_000_000_000));
        let db = Database::open(engine.clone(), clock.clone()).expect("open");
        db.create_table(&ctx(), create_input("one", false))
            .expect(name);
        let records = || {
            engine
                .scan(&ScanRequest {
                    start: &[ferrodyn_core::keyspace::IDEMPOTENCY],
                    end: &[ferrodyn_core::keyspace::IDEMPOTENCY + 1],
                    direction: Direction::Forward,
                    limit_items: usize::MAX,
                    limit_bytes: usize::MAX,
                    consistency: ReadConsistency::Strong,
                })
                .expect("scan")
                .entries
                .len()
        };
        let mut token = 0;
        let mut run = |count: usize| {
            for _ in 0..count {
                token += 1;
                db.transact_write_items(
                    &ctx(),
                    TransactWriteItemsInput {
                        items: vec![update("one", "c", "ADD n :v", None, "1")],
                        return_consumed_capacity: ReturnConsumedCapacity::None,
                        client_request_token: Some(format!("token-{token}")),
                        fingerprint: [0; 32],
                    },
                )
                .expect(name);
            }
        };
        run(SWEEP_EVERY_TRANSACTIONS + 6);
        assert_eq!(records(), SWEEP_EVERY_TRANSACTIONS + 6, "{name}: all live");
        clock.advance(IDEMPOTENCY_WINDOW_MS);
        run(SWEEP_EVERY_TRANSACTIONS - 6);
        assert_eq!(
            records(),
            SWEEP_EVERY_TRANSACTIONS - 6,
            "{name}: the expired ones swept"
        );
    }
}

/// A transaction's writes reach the change feed in one commit: one record
/// per written item, with consecutive sequence numbers, and nothing for a
/// condition check.
#[test]
fn a_transaction_writes_its_change_records_together() {
    for (name, engine, _dir) in engines() {
        let db = open(engine.clone());
        db.create_table(&ctx(), streamed(create_input("one", false)))
            .expect(name);
        db.create_table(&ctx(), streamed(create_input("two", false)))
            .expect(name);
        db.transact_write_items(
            &ctx(),
            write(vec![
                action("one", TransactWriteKind::Put { item: key("seed") }),
                action("one", TransactWriteKind::Put { item: key("kept") }),
            ]),
        )
        .expect(name);
        let all = |db: &Database| {
            let mut both = change_records(db, engine.as_ref(), "one");
            both.extend(change_records(db, engine.as_ref(), "two"));
            both.sort_by_key(|(seq, _)| *seq);
            both
        };
        let next = all(&db).last().map_or(0, |(seq, _)| seq + 1);
        let mut check = action(
            "one",
            TransactWriteKind::ConditionCheck { key: key("kept") },
        );
        check.expressions.condition = Some("attribute_exists(pk)".into());
        db.transact_write_items(
            &ctx(),
            write(vec![
                action("one", TransactWriteKind::Put { item: key("a") }),
                check,
                update("two", "b", "ADD n :v", None, "1"),
                action("one", TransactWriteKind::Delete { key: key("seed") }),
            ]),
        )
        .expect(name);
        let after: Vec<_> = all(&db)
            .into_iter()
            .filter(|(seq, _)| *seq >= next)
            .collect();
        let seqs: Vec<u64> = after.iter().map(|(seq, _)| *seq).collect();
        assert_eq!(seqs.len(), 3, "{name}: one record per written item");
        assert!(
            seqs.windows(2).all(|w| w[1] == w[0] + 1),
            "{name}: consecutive {seqs:?}"
        );
        let records: Vec<_> = after.into_iter().map(|(_, r)| r).collect();
        assert!(
            records
                .iter()
                .all(|r| r.time_millis == records[0].time_millis),
            "{name}"
        );
        assert_eq!(
            records.iter().filter(|r| r.new_image.is_none()).count(),
            1,
            "{name}: the delete"
        );
    }
}

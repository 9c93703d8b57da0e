//! TransactWriteItems and TransactGetItems through the Rust SDK: the typed
//! TransactionCanceledException with its reasons, idempotent retries with
//! one ClientRequestToken, and concurrent transfers that keep a total.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Get, Put, ReturnValuesOnConditionCheckFailure,
    ScalarAttributeType, TransactGetItem, TransactWriteItem, Update,
};
use ferrodyn_e2e::{ErrorParts, Server, create_on_demand, expect_service_error, ok};

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn n(v: &str) -> AttributeValue {
    AttributeValue::N(v.to_owned())
}

fn add(table: &str, key: &str, amount: &str, condition: Option<&str>) -> TransactWriteItem {
    let mut update = Update::builder()
        .table_name(table)
        .key("pk", s(key))
        .update_expression("SET balance = balance + :a")
        .expression_attribute_values(":a", n(amount));
    if let Some(c) = condition {
        update = update
            .condition_expression(c)
            .expression_attribute_values(":min", n(amount.trim_start_matches('-')));
    }
    TransactWriteItem::builder()
        .update(ok(update.build()))
        .build()
}

async fn balance(client: &Client, table: &str, key: &str) -> i64 {
    let out = ok(client
        .get_item()
        .table_name(table)
        .key("pk", s(key))
        .consistent_read(true)
        .send()
        .await);
    match out.item().and_then(|i| i.get("balance")) {
        Some(AttributeValue::N(v)) => v.parse().expect("integer"),
        other => panic!("no balance: {other:?}"),
    }
}

#[tokio::test]
async fn cancellation_reasons_and_idempotency() {
    let server = Server::start();
    let client = server.client();
    create_on_demand(&client, "Accounts", ("pk", ScalarAttributeType::S), None).await;
    for (k, v) in [("alice", "10"), ("bob", "0")] {
        ok(client
            .put_item()
            .table_name("Accounts")
            .item("pk", s(k))
            .item("balance", n(v))
            .send()
            .await);
    }

    // A check that fails cancels the whole transaction; the reasons come
    // in action order, the failed one with the item it met.
    let check = ok(ConditionCheck::builder()
        .table_name("Accounts")
        .key("pk", s("alice"))
        .condition_expression("balance >= :need")
        .expression_attribute_values(":need", n("50"))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build());
    let result = client
        .transact_write_items()
        .transact_items(add("Accounts", "bob", "50", None))
        .transact_items(TransactWriteItem::builder().condition_check(check).build())
        .send()
        .await;
    match result.map_err(|e| e.into_service_error()) {
        Err(TransactWriteItemsError::TransactionCanceledException(e)) => {
            assert_eq!(
                e.message(),
                Some(
                    "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]"
                )
            );
            let reasons = e.cancellation_reasons();
            assert_eq!(reasons.len(), 2);
            assert_eq!(reasons[0].code(), Some("None"));
            assert_eq!(reasons[1].code(), Some("ConditionalCheckFailed"));
            assert_eq!(reasons[1].message(), Some("The conditional request failed"));
            let item = reasons[1].item().expect("ALL_OLD item");
            assert_eq!(item.get("balance"), Some(&n("10")));
        }
        other => panic!("expected TransactionCanceledException, got {other:?}"),
    }
    assert_eq!(
        balance(&client, "Accounts", "bob").await,
        0,
        "nothing applied"
    );

    // One token, sent twice: applied once. The same token with another
    // request is refused.
    for _ in 0..2 {
        ok(client
            .transact_write_items()
            .client_request_token("transfer-0001")
            .transact_items(add("Accounts", "alice", "-4", Some("balance >= :min")))
            .transact_items(add("Accounts", "bob", "4", None))
            .send()
            .await);
    }
    assert_eq!(balance(&client, "Accounts", "alice").await, 6);
    assert_eq!(balance(&client, "Accounts", "bob").await, 4);
    let e = expect_service_error(
        client
            .transact_write_items()
            .client_request_token("transfer-0001")
            .transact_items(add("Accounts", "bob", "1", None))
            .send()
            .await,
    );
    assert_eq!(e.code, "IdempotentParameterMismatchException");
    assert_eq!(e.status, 400);

    // Two actions on one item are one ValidationException.
    let e = expect_service_error(
        client
            .transact_write_items()
            .transact_items(add("Accounts", "bob", "1", None))
            .transact_items(add("Accounts", "bob", "1", None))
            .send()
            .await,
    );
    assert_eq!(
        e,
        ErrorParts::new(
            "ValidationException",
            "Transaction request cannot include multiple operations on one item",
            400
        )
    );

    // TransactGetItems: one entry per action, empty for a missing item.
    let get = |k: &str| {
        TransactGetItem::builder()
            .get(ok(Get::builder()
                .table_name("Accounts")
                .key("pk", s(k))
                .projection_expression("balance")
                .build()))
            .build()
    };
    let out = ok(client
        .transact_get_items()
        .transact_items(get("alice"))
        .transact_items(get("nobody"))
        .transact_items(get("bob"))
        .send()
        .await);
    let responses = out.responses();
    assert_eq!(responses.len(), 3);
    assert_eq!(
        responses[0].item().and_then(|i| i.get("balance")),
        Some(&n("6"))
    );
    assert!(responses[1].item().is_none());
    assert_eq!(responses[2].item().map(|i| i.len()), Some(1));
}

#[tokio::test]
async fn concurrent_transfers_keep_the_total() {
    const ACCOUNTS: usize = 10;
    const CLIENTS: usize = 8;
    const TRANSFERS: usize = 25;
    let server = Server::start();
    let client = server.client();
    create_on_demand(&client, "Bank", ("pk", ScalarAttributeType::S), None).await;
    for i in 0..ACCOUNTS {
        let put = ok(Put::builder()
            .table_name("Bank")
            .item("pk", s(&format!("a{i}")))
            .item("balance", n("100"))
            .build());
        ok(client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().put(put).build())
            .send()
            .await);
    }
    let conflicts = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let client = client.clone();
        let conflicts = conflicts.clone();
        tasks.push(tokio::spawn(async move {
            for t in 0..TRANSFERS {
                let from = (c * 7 + t * 3) % ACCOUNTS;
                let to = (from + 1 + t % (ACCOUNTS - 1)) % ACCOUNTS;
                let amount = ((c + t) % 30 + 1).to_string();
                loop {
                    let r = client
                        .transact_write_items()
                        .transact_items(add(
                            "Bank",
                            &format!("a{from}"),
                            &format!("-{amount}"),
                            Some("balance >= :min"),
                        ))
                        .transact_items(add("Bank", &format!("a{to}"), &amount, None))
                        .send()
                        .await;
                    match r.map_err(|e| e.into_service_error()) {
                        Ok(_) => break,
                        Err(TransactWriteItemsError::TransactionCanceledException(e)) => {
                            let codes: Vec<&str> = e
                                .cancellation_reasons()
                                .iter()
                                .filter_map(|r| r.code())
                                .collect();
                            if codes.contains(&"TransactionConflict") {
                                conflicts.fetch_add(1, Ordering::Relaxed);
                                continue;
                            }
                            assert_eq!(codes[0], "ConditionalCheckFailed");
                            break;
                        }
                        Err(other) => panic!("transfer failed: {other:?}"),
                    }
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let mut total = 0;
    for i in 0..ACCOUNTS {
        let b = balance(&client, "Bank", &format!("a{i}")).await;
        assert!(b >= 0, "negative balance {b}");
        total += b;
    }
    assert_eq!(total, 100 * ACCOUNTS as i64);
    eprintln!("{} conflicts retried", conflicts.load(Ordering::Relaxed));
}

//! Conditional writes and UpdateItem through the Rust SDK, including the
//! typed `ConditionalCheckFailedException` with its old item.

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure, ScalarAttributeType,
};
use ferrodyn_e2e::{ErrorParts, Server, create_on_demand, expect_service_error, ok};

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn n(v: &str) -> AttributeValue {
    AttributeValue::N(v.to_owned())
}

#[tokio::test]
async fn update_item_and_conditions() {
    let server = Server::start();
    let client = server.client();
    create_on_demand(&client, "Counters", ("pk", ScalarAttributeType::S), None).await;

    // UpdateItem creates the item and returns the updated attributes.
    for expected in ["1", "2"] {
        let out = ok(client
            .update_item()
            .table_name("Counters")
            .key("pk", s("c"))
            .update_expression("SET #n = if_not_exists(#n, :zero) + :one, tags = :t")
            .expression_attribute_names("#n", "count")
            .expression_attribute_values(":zero", n("0"))
            .expression_attribute_values(":one", n("1"))
            .expression_attribute_values(":t", AttributeValue::Ss(vec!["x".into()]))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await);
        let attributes = out.attributes().expect("attributes");
        assert_eq!(attributes.get("count"), Some(&n(expected)));
        assert!(!attributes.contains_key("pk"));
    }

    // A failed condition is the typed exception, carrying the old item.
    let result = client
        .put_item()
        .table_name("Counters")
        .item("pk", s("c"))
        .condition_expression("attribute_not_exists(pk)")
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .send()
        .await;
    match result {
        Err(err) => match err.into_service_error() {
            PutItemError::ConditionalCheckFailedException(e) => {
                assert_eq!(e.message(), Some("The conditional request failed"));
                let old = e.item().expect("old item");
                assert_eq!(old.get("count"), Some(&n("2")));
            }
            other => panic!("expected ConditionalCheckFailedException, got {other:?}"),
        },
        Ok(out) => panic!("the condition should have failed: {out:?}"),
    }

    // Validation errors reach the SDK with AWS's text.
    let err = expect_service_error(
        client
            .update_item()
            .table_name("Counters")
            .key("pk", s("c"))
            .update_expression("SET a = :v")
            .send()
            .await,
    );
    assert_eq!(
        err,
        ErrorParts::new(
            "ValidationException",
            "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :v",
            400
        )
    );

    // ProjectionExpression on GetItem.
    let got = ok(client
        .get_item()
        .table_name("Counters")
        .key("pk", s("c"))
        .projection_expression("tags")
        .send()
        .await);
    let item = got.item().expect("item");
    assert_eq!(item.len(), 1);
    assert_eq!(
        item.get("tags"),
        Some(&AttributeValue::Ss(vec!["x".into()]))
    );
}

/// 32 clients each send 500 `SET c = c + :one` to one item: no increment
/// may be lost, so the count ends at exactly 16,000.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_increments_end_exact() {
    const CLIENTS: usize = 32;
    const PER_CLIENT: usize = 500;
    let server = Server::start();
    let client = server.client();
    create_on_demand(&client, "Hot", ("pk", ScalarAttributeType::S), None).await;
    ok(client
        .put_item()
        .table_name("Hot")
        .item("pk", s("c"))
        .item("c", n("0"))
        .send()
        .await);
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                for _ in 0..PER_CLIENT {
                    ok(client
                        .update_item()
                        .table_name("Hot")
                        .key("pk", s("c"))
                        .update_expression("SET c = c + :one")
                        .expression_attribute_values(":one", n("1"))
                        .send()
                        .await);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("client task");
    }
    let got = ok(client
        .get_item()
        .table_name("Hot")
        .key("pk", s("c"))
        .consistent_read(true)
        .send()
        .await);
    let expected = (CLIENTS * PER_CLIENT).to_string();
    assert_eq!(got.item().and_then(|i| i.get("c")), Some(&n(&expected)));
}

/// 32 clients each make 20 optimistic-locking updates (read the version,
/// write `version + 1` on condition that it is unchanged, retry on
/// ConditionalCheckFailedException): every update lands exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn optimistic_locking_loses_nothing() {
    const CLIENTS: usize = 32;
    const UPDATES: usize = 20;
    let server = Server::start();
    let client = server.client();
    create_on_demand(&client, "Locks", ("pk", ScalarAttributeType::S), None).await;
    ok(client
        .put_item()
        .table_name("Locks")
        .item("pk", s("doc"))
        .item("version", n("0"))
        .send()
        .await);
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|id| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut conflicts = 0usize;
                for update in 0..UPDATES {
                    loop {
                        let current = ok(client
                            .get_item()
                            .table_name("Locks")
                            .key("pk", s("doc"))
                            .consistent_read(true)
                            .send()
                            .await);
                        let version: u64 = match current.item().and_then(|i| i.get("version")) {
                            Some(AttributeValue::N(v)) => v.parse().expect("version"),
                            other => panic!("bad version {other:?}"),
                        };
                        let result = client
                            .update_item()
                            .table_name("Locks")
                            .key("pk", s("doc"))
                            .update_expression("SET version = :next, #w = list_append(if_not_exists(#w, :empty), :me)")
                            .condition_expression("version = :expected")
                            .expression_attribute_names("#w", "writes")
                            .expression_attribute_values(":expected", n(&version.to_string()))
                            .expression_attribute_values(":next", n(&(version + 1).to_string()))
                            .expression_attribute_values(":empty", AttributeValue::L(vec![]))
                            .expression_attribute_values(":me", AttributeValue::L(vec![s(&format!("{id}/{update}"))]))
                            .send()
                            .await;
                        match result {
                            Ok(_) => break,
                            Err(e) if e.as_service_error().is_some_and(|se| se.is_conditional_check_failed_exception()) => {
                                conflicts += 1;
                            }
                            Err(e) => panic!("update failed: {e:?}"),
                        }
                    }
                }
                conflicts
            })
        })
        .collect();
    let mut conflicts = 0;
    for task in tasks {
        conflicts += task.await.expect("client task");
    }
    let got = ok(client
        .get_item()
        .table_name("Locks")
        .key("pk", s("doc"))
        .consistent_read(true)
        .send()
        .await);
    let item = got.item().expect("item");
    let total = CLIENTS * UPDATES;
    assert_eq!(item.get("version"), Some(&n(&total.to_string())));
    let Some(AttributeValue::L(writes)) = item.get("writes") else {
        panic!("no writes list");
    };
    let mut names: Vec<String> = writes
        .iter()
        .map(|w| match w {
            AttributeValue::S(v) => v.clone(),
            other => panic!("bad entry {other:?}"),
        })
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), total, "every update recorded exactly once");
    // With 32 clients racing, some updates must have lost a race and
    // retried; otherwise the test exercised nothing.
    assert!(conflicts > 0);
}

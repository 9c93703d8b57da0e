//! Secondary indexes through the Rust SDK: a table created with a GSI and an
//! LSI, queried with the SDK's paginator, and a GSI added later with
//! UpdateTable and waited for until it is ACTIVE.

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, CreateGlobalSecondaryIndexAction,
    GlobalSecondaryIndex, GlobalSecondaryIndexUpdate, IndexStatus, KeySchemaElement, KeyType,
    LocalSecondaryIndex, Projection, ProjectionType, ScalarAttributeType,
};
use ferrodyn_e2e::{Server, ok};

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn key(name: &str, key_type: KeyType) -> KeySchemaElement {
    ok(KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build())
}

fn def(name: &str, ty: ScalarAttributeType) -> AttributeDefinition {
    ok(AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ty)
        .build())
}

fn projection(ty: ProjectionType) -> Projection {
    Projection::builder().projection_type(ty).build()
}

#[tokio::test]
async fn indexes_are_maintained_and_queried() {
    let server = Server::start();
    let client = server.client();
    ok(client
        .create_table()
        .table_name("Orders")
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(def("customer", ScalarAttributeType::S))
        .attribute_definitions(def("order", ScalarAttributeType::N))
        .attribute_definitions(def("status", ScalarAttributeType::S))
        .attribute_definitions(def("amount", ScalarAttributeType::N))
        .key_schema(key("customer", KeyType::Hash))
        .key_schema(key("order", KeyType::Range))
        .global_secondary_indexes(ok(GlobalSecondaryIndex::builder()
            .index_name("by_status")
            .key_schema(key("status", KeyType::Hash))
            .key_schema(key("order", KeyType::Range))
            .projection(projection(ProjectionType::KeysOnly))
            .build()))
        .local_secondary_indexes(ok(LocalSecondaryIndex::builder()
            .index_name("by_total")
            .key_schema(key("customer", KeyType::Hash))
            .key_schema(key("amount", KeyType::Range))
            .projection(projection(ProjectionType::All))
            .build()))
        .send()
        .await);

    for order in 0..30 {
        let mut put = client
            .put_item()
            .table_name("Orders")
            .item("customer", s(if order % 2 == 0 { "alice" } else { "bob" }))
            .item("order", n(order))
            .item("amount", n(100 - order));
        // Every third order has no status, so it is not in by_status.
        if order % 3 != 0 {
            put = put.item("status", s(if order % 5 == 0 { "open" } else { "shipped" }));
        }
        ok(put.send().await);
    }

    // The GSI through the paginator, two items a page, in sort-key order.
    let pages: Vec<_> = client
        .query()
        .table_name("Orders")
        .index_name("by_status")
        .key_condition_expression("#s = :s")
        .expression_attribute_names("#s", "status")
        .expression_attribute_values(":s", s("shipped"))
        .limit(2)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("pages");
    let orders: Vec<i64> = pages
        .iter()
        .flat_map(|p| p.items())
        .map(|item| match item.get("order") {
            Some(AttributeValue::N(v)) => v.parse().expect("number"),
            other => panic!("no order: {other:?}"),
        })
        .collect();
    let expected: Vec<i64> = (0..30).filter(|o| o % 3 != 0 && o % 5 != 0).collect();
    assert_eq!(orders, expected);
    for item in pages.iter().flat_map(|p| p.items()) {
        // KEYS_ONLY: the table's and the index's keys, nothing else.
        let mut names: Vec<&str> = item.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["customer", "order", "status"]);
    }

    // The LSI, strongly consistent, by amount descending.
    let out = ok(client
        .query()
        .table_name("Orders")
        .index_name("by_total")
        .key_condition_expression("customer = :c AND amount >= :t")
        .expression_attribute_values(":c", s("bob"))
        .expression_attribute_values(":t", n(90))
        .scan_index_forward(false)
        .consistent_read(true)
        .send()
        .await);
    let totals: Vec<&AttributeValue> = out.items().iter().filter_map(|i| i.get("amount")).collect();
    assert_eq!(totals, [&n(99), &n(97), &n(95), &n(93), &n(91)]);

    // A GSI added later is built from the items already there.
    ok(client
        .update_table()
        .table_name("Orders")
        .attribute_definitions(def("amount", ScalarAttributeType::N))
        .global_secondary_index_updates(
            GlobalSecondaryIndexUpdate::builder()
                .create(ok(CreateGlobalSecondaryIndexAction::builder()
                    .index_name("by_total_global")
                    .key_schema(key("amount", KeyType::Hash))
                    .projection(projection(ProjectionType::All))
                    .build()))
                .build(),
        )
        .send()
        .await);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let table = ok(client.describe_table().table_name("Orders").send().await);
        let status = table
            .table()
            .and_then(|t| {
                t.global_secondary_indexes()
                    .iter()
                    .find(|i| i.index_name() == Some("by_total_global"))
            })
            .and_then(|i| i.index_status().cloned());
        if status == Some(IndexStatus::Active) {
            break;
        }
        assert!(Instant::now() < deadline, "index not ACTIVE: {status:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let out = ok(client
        .query()
        .table_name("Orders")
        .index_name("by_total_global")
        .key_condition_expression("amount = :t")
        .expression_attribute_values(":t", n(100 - 7))
        .send()
        .await);
    assert_eq!(out.count(), 1);
    assert_eq!(out.items()[0].get("order"), Some(&n(7)));
}

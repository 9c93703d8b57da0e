//! Query and Scan through the Rust SDK, including its paginators, which
//! follow `LastEvaluatedKey` until a page has none.

use aws_sdk_dynamodb::types::{AttributeValue, ScalarAttributeType};
use ferrodyn_e2e::{Server, create_on_demand, ok};

#[tokio::test]
async fn paginators_read_everything_once() {
    let server = Server::start();
    let client = server.client();
    create_on_demand(
        &client,
        "Events",
        ("user", ScalarAttributeType::S),
        Some(("ts", ScalarAttributeType::N)),
    )
    .await;
    for user in 0..5 {
        for ts in 0..30 {
            ok(client
                .put_item()
                .table_name("Events")
                .item("user", AttributeValue::S(format!("u{user}")))
                .item("ts", AttributeValue::N(ts.to_string()))
                .item("even", AttributeValue::Bool(ts % 2 == 0))
                .send()
                .await);
        }
    }

    // Newest first, 7 per page, only even timestamps after 10.
    let pages: Vec<_> = client
        .query()
        .table_name("Events")
        .key_condition_expression("#u = :u AND ts > :t")
        .filter_expression("even = :yes")
        .expression_attribute_names("#u", "user")
        .expression_attribute_values(":u", AttributeValue::S("u3".into()))
        .expression_attribute_values(":t", AttributeValue::N("10".into()))
        .expression_attribute_values(":yes", AttributeValue::Bool(true))
        .scan_index_forward(false)
        .limit(7)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("query pages");
    let timestamps: Vec<String> = pages
        .iter()
        .flat_map(|p| p.items())
        .map(|i| match i.get("ts") {
            Some(AttributeValue::N(n)) => n.clone(),
            other => panic!("bad ts {other:?}"),
        })
        .collect();
    let expected: Vec<String> = (11..30)
        .rev()
        .filter(|t| t % 2 == 0)
        .map(|t| t.to_string())
        .collect();
    assert_eq!(timestamps, expected);
    let scanned: i32 = pages.iter().map(|p| p.scanned_count()).sum();
    assert_eq!(scanned, 19);

    // A parallel scan in 3 segments sees every item exactly once.
    let mut seen = Vec::new();
    for segment in 0..3 {
        let pages: Vec<_> = client
            .scan()
            .table_name("Events")
            .segment(segment)
            .total_segments(3)
            .limit(11)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .expect("scan pages");
        for item in pages.iter().flat_map(|p| p.items()) {
            seen.push(format!("{:?}/{:?}", item.get("user"), item.get("ts")));
        }
    }
    let total = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!((total, seen.len()), (150, 150));
}

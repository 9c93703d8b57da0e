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

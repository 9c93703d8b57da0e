//! Item operations through the Rust SDK: PutItem, GetItem and DeleteItem
//! with every attribute type, number normalisation, ReturnValues, consumed
//! capacity, table ARNs, and key validation messages.
//!
//! Capacity follows AWS's rules (Developer Guide, "Read/write capacity
//! mode"): a write costs 1 unit per started KB of the larger of the old and
//! new item, a strongly consistent read 1 unit per started 4 KB, an
//! eventually consistent read half that. Item size is the sum of UTF-8
//! attribute-name lengths and value sizes.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConsumedCapacity, ReturnConsumedCapacity, ReturnValue, ScalarAttributeType,
};
use ferrodyn_e2e::{
    ErrorParts, Server, Storage, create_on_demand, create_provisioned, expect_service_error, ok,
    table_arn,
};

type Item = HashMap<String, AttributeValue>;

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn n(v: &str) -> AttributeValue {
    AttributeValue::N(v.to_owned())
}

fn item(pairs: &[(&str, AttributeValue)]) -> Item {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// Sorts the members of every set, recursively: DynamoDB does not promise
/// the order of set members.
fn sort_sets(v: &AttributeValue) -> AttributeValue {
    match v {
        AttributeValue::Ss(m) => AttributeValue::Ss(sorted(m)),
        AttributeValue::Ns(m) => AttributeValue::Ns(sorted(m)),
        AttributeValue::Bs(m) => {
            let mut m = m.clone();
            m.sort_by(|a, b| a.as_ref().cmp(b.as_ref()));
            AttributeValue::Bs(m)
        }
        AttributeValue::L(l) => AttributeValue::L(l.iter().map(sort_sets).collect()),
        AttributeValue::M(m) => AttributeValue::M(sort_item_sets(m)),
        other => other.clone(),
    }
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v
}

fn sort_item_sets(item: &Item) -> Item {
    item.iter()
        .map(|(k, v)| (k.clone(), sort_sets(v)))
        .collect()
}

/// A strongly consistent GetItem.
async fn get(client: &Client, table: &str, key: Item) -> Option<Item> {
    ok(client
        .get_item()
        .table_name(table)
        .set_key(Some(key))
        .consistent_read(true)
        .send()
        .await)
    .item()
    .cloned()
}

async fn hash_table(client: &Client, name: &str) {
    create_on_demand(client, name, ("pk", ScalarAttributeType::S), None).await;
}

#[tokio::test]
async fn every_attribute_type_round_trips() {
    let server = Server::start();
    let client = server.client();
    hash_table(&client, "Items").await;

    let sent = item(&[
        ("pk", s("every-type")),
        ("s", s("héllo wörld ✓ 😀")),
        ("empty", s("")),
        ("n", n("-56.789")),
        ("big", n("12345678901234567890123456789012345678")),
        (
            "b",
            AttributeValue::B(Blob::new((0..=255u8).collect::<Vec<_>>())),
        ),
        ("t", AttributeValue::Bool(true)),
        ("f", AttributeValue::Bool(false)),
        ("nul", AttributeValue::Null(true)),
        (
            "ss",
            AttributeValue::Ss(vec!["b".into(), "a".into(), "c".into()]),
        ),
        (
            "ns",
            AttributeValue::Ns(vec!["10".into(), "1".into(), "2.5".into()]),
        ),
        (
            "bs",
            AttributeValue::Bs(vec![Blob::new(vec![2, 3]), Blob::new(vec![1])]),
        ),
        (
            "l",
            AttributeValue::L(vec![
                s("a"),
                n("2"),
                AttributeValue::Bool(false),
                AttributeValue::Null(true),
            ]),
        ),
        ("emptyl", AttributeValue::L(vec![])),
        ("emptym", AttributeValue::M(HashMap::new())),
        (
            "m",
            AttributeValue::M(item(&[
                ("inner", s("x")),
                (
                    "deep",
                    AttributeValue::M(item(&[
                        (
                            "list",
                            AttributeValue::L(vec![AttributeValue::M(item(&[("z", n("0"))]))]),
                        ),
                        ("set", AttributeValue::Ss(vec!["only".into()])),
                    ])),
                ),
            ])),
        ),
    ]);
    let put = ok(client
        .put_item()
        .table_name("Items")
        .set_item(Some(sent.clone()))
        .send()
        .await);
    assert!(
        put.attributes().is_none(),
        "ReturnValues NONE returns no Attributes"
    );

    let got = get(&client, "Items", item(&[("pk", s("every-type"))])).await;
    let got = got.unwrap_or_else(|| panic!("item not found"));
    assert_eq!(sort_item_sets(&got), sort_item_sets(&sent));

    // An eventually consistent read sees it too (ferrodyn has one replica).
    let eventual = ok(client
        .get_item()
        .table_name("Items")
        .key("pk", s("every-type"))
        .send()
        .await);
    assert_eq!(
        eventual.item().map(sort_item_sets),
        Some(sort_item_sets(&sent))
    );

    server.shutdown();
}

#[tokio::test]
async fn numbers_are_normalised() {
    let server = Server::start_with(Storage::InMemory, None);
    let client = server.client();
    hash_table(&client, "Numbers").await;

    // 1e-130 and 1e125, the smallest and largest magnitudes, written out.
    let tiny = format!("0.{}1", "0".repeat(129));
    let huge = format!("1{}", "0".repeat(125));
    // (sent, returned), as AWS returns them: the boto3 suite cites the sources.
    let cases: [(&str, &str); 12] = [
        ("1.0", "1"),
        ("3.1400", "3.14"),
        ("1e2", "100"),
        ("1.5E2", "150"),
        ("-0", "0"),
        ("00042", "42"),
        ("0042.1200", "42.12"),
        ("-0015.789e6", "-15789000"),
        (
            "12345678901234567890123456789012345678",
            "12345678901234567890123456789012345678",
        ),
        (
            "-00001.23456789012345678901234567890123456780000",
            "-1.2345678901234567890123456789012345678",
        ),
        ("0001.000e-130", &tiny),
        ("1E125", &huge),
    ];
    for (i, (literal, expected)) in cases.iter().enumerate() {
        let pk = format!("num-{i}");
        ok(client
            .put_item()
            .table_name("Numbers")
            .item("pk", s(&pk))
            .item("n", n(literal))
            .item(
                "ns",
                AttributeValue::Ns(vec![(*literal).to_owned(), "7".to_owned()]),
            )
            .item("l", AttributeValue::L(vec![n(literal)]))
            .send()
            .await);
        let got = get(&client, "Numbers", item(&[("pk", s(&pk))]))
            .await
            .unwrap_or_else(|| panic!("{pk} missing"));
        assert_eq!(got.get("n"), Some(&n(expected)), "N {literal}");
        assert_eq!(
            got.get("ns").map(sort_sets),
            Some(sort_sets(&AttributeValue::Ns(vec![
                (*expected).to_owned(),
                "7".to_owned()
            ]))),
            "NS with {literal}"
        );
        assert_eq!(
            got.get("l"),
            Some(&AttributeValue::L(vec![n(expected)])),
            "L with {literal}"
        );
    }

    // Number keys are normalised too: "1.50" and "1.5" are the same key.
    create_on_demand(&client, "NumKeys", ("id", ScalarAttributeType::N), None).await;
    ok(client
        .put_item()
        .table_name("NumKeys")
        .item("id", n("1.50"))
        .item("v", s("first"))
        .send()
        .await);
    let got = get(&client, "NumKeys", item(&[("id", n("1.5"))])).await;
    assert_eq!(got, Some(item(&[("id", n("1.5")), ("v", s("first"))])));

    let err = expect_service_error(
        client
            .put_item()
            .table_name("Numbers")
            .item("pk", s("bad"))
            .item("n", n("123456789012345678901234567890123456789"))
            .send()
            .await,
    );
    assert_eq!(
        (err.code.as_str(), err.status),
        ("ValidationException", 400)
    );
    assert!(
        err.message
            .contains("Attempting to store more than 38 significant digits in a Number"),
        "{err:?}"
    );

    server.shutdown();
}

#[tokio::test]
async fn return_values_all_old() {
    let server = Server::start();
    let client = server.client();
    hash_table(&client, "Returns").await;

    let first = ok(client
        .put_item()
        .table_name("Returns")
        .item("pk", s("k"))
        .item("v", n("-0015.789e6"))
        .item("c", s("a"))
        .return_values(ReturnValue::AllOld)
        .send()
        .await);
    assert!(
        first.attributes().is_none(),
        "no old item: no Attributes, got {:?}",
        first.attributes()
    );

    let second = ok(client
        .put_item()
        .table_name("Returns")
        .item("pk", s("k"))
        .item("v", s("b"))
        .return_values(ReturnValue::AllOld)
        .send()
        .await);
    assert_eq!(
        second.attributes(),
        Some(&item(&[
            ("pk", s("k")),
            ("v", n("-15789000")),
            ("c", s("a"))
        ]))
    );

    let none = ok(client
        .put_item()
        .table_name("Returns")
        .item("pk", s("k"))
        .item("v", s("c"))
        .return_values(ReturnValue::None)
        .send()
        .await);
    assert!(none.attributes().is_none());

    let gone = ok(client
        .delete_item()
        .table_name("Returns")
        .key("pk", s("k"))
        .return_values(ReturnValue::AllOld)
        .send()
        .await);
    assert_eq!(
        gone.attributes(),
        Some(&item(&[("pk", s("k")), ("v", s("c"))]))
    );
    assert_eq!(get(&client, "Returns", item(&[("pk", s("k"))])).await, None);

    let missing = ok(client
        .delete_item()
        .table_name("Returns")
        .key("pk", s("k"))
        .return_values(ReturnValue::AllOld)
        .send()
        .await);
    assert!(
        missing.attributes().is_none(),
        "deleting a missing item returns no Attributes"
    );

    // PutItem takes only NONE and ALL_OLD. The wording is AWS's as quoted
    // from AmazonServiceException in taoensso/faraday#64 (2015) and by
    // DynamoDB Local 2.6.0 in boto/boto3#4499 (2025); dynalite's older
    // "ReturnValues can only be ALL_OLD or NONE" is not what AWS says today.
    let err = expect_service_error(
        client
            .put_item()
            .table_name("Returns")
            .item("pk", s("k"))
            .return_values(ReturnValue::AllNew)
            .send()
            .await,
    );
    assert_eq!(
        err,
        ErrorParts::new(
            "ValidationException",
            "Return values set to invalid value",
            400
        )
    );

    server.shutdown();
}

fn units(c: Option<&ConsumedCapacity>) -> f64 {
    c.and_then(ConsumedCapacity::capacity_units)
        .unwrap_or_else(|| panic!("no ConsumedCapacity.CapacityUnits in {c:?}"))
}

/// An item of exactly `size_bytes`: key `pk` = `id`, plus a `pad` string.
fn sized_item(id: &str, size_bytes: usize) -> Item {
    let fixed = "pk".len() + id.len() + "pad".len();
    item(&[("pk", s(id)), ("pad", s(&"x".repeat(size_bytes - fixed)))])
}

#[tokio::test]
async fn consumed_capacity() {
    let server = Server::start();
    let client = server.client();
    // Provisioned, so that capacity is what a user would budget against.
    create_provisioned(&client, "Cap", ("pk", ScalarAttributeType::S), None, 5, 5).await;
    let key = || item(&[("pk", s("big"))]);

    // 1.5 KB: two write units.
    let put = ok(client
        .put_item()
        .table_name("Cap")
        .set_item(Some(sized_item("big", 1536)))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await);
    let cc = put
        .consumed_capacity()
        .unwrap_or_else(|| panic!("no ConsumedCapacity"));
    assert_eq!(cc.table_name(), Some("Cap"));
    assert_eq!(cc.capacity_units(), Some(2.0));
    assert!(
        cc.table().is_none(),
        "TOTAL has no per-table breakdown: {cc:?}"
    );

    // INDEXES adds the table's share.
    let put = ok(client
        .put_item()
        .table_name("Cap")
        .set_item(Some(sized_item("big", 1536)))
        .return_consumed_capacity(ReturnConsumedCapacity::Indexes)
        .send()
        .await);
    let cc = put
        .consumed_capacity()
        .unwrap_or_else(|| panic!("no ConsumedCapacity"));
    assert_eq!(cc.capacity_units(), Some(2.0));
    assert_eq!(cc.table().and_then(|t| t.capacity_units()), Some(2.0));

    // NONE, and no ReturnConsumedCapacity at all, return none.
    let put = ok(client
        .put_item()
        .table_name("Cap")
        .set_item(Some(sized_item("big", 1536)))
        .return_consumed_capacity(ReturnConsumedCapacity::None)
        .send()
        .await);
    assert!(put.consumed_capacity().is_none());

    // Reads: 0.5 eventually consistent, 1 strongly consistent, for up to 4 KB.
    let eventual = ok(client
        .get_item()
        .table_name("Cap")
        .set_key(Some(key()))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await);
    assert!(eventual.item().is_some());
    assert_eq!(units(eventual.consumed_capacity()), 0.5);
    let strong = ok(client
        .get_item()
        .table_name("Cap")
        .set_key(Some(key()))
        .consistent_read(true)
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await);
    assert_eq!(units(strong.consumed_capacity()), 1.0);

    // Overwriting a big item with a small one costs the larger of the two.
    let small = item(&[("pk", s("big"))]);
    let put = ok(client
        .put_item()
        .table_name("Cap")
        .set_item(Some(small.clone()))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await);
    assert_eq!(units(put.consumed_capacity()), 2.0);
    let put = ok(client
        .put_item()
        .table_name("Cap")
        .set_item(Some(small))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await);
    assert_eq!(units(put.consumed_capacity()), 1.0);

    // Exactly 1 KB is one unit, one byte more is two.
    for (size, expected) in [(1024, 1.0), (1025, 2.0), (4096, 4.0), (4097, 5.0)] {
        let put = ok(client
            .put_item()
            .table_name("Cap")
            .set_item(Some(sized_item(&format!("s{size}"), size)))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await);
        assert_eq!(
            units(put.consumed_capacity()),
            expected,
            "write of a {size}-byte item"
        );
    }
    // 4 KB reads as one unit strongly consistent; 4 KB + 1 byte as two.
    for (size, strong_units) in [(4096, 1.0), (4097, 2.0)] {
        let get = ok(client
            .get_item()
            .table_name("Cap")
            .key("pk", s(&format!("s{size}")))
            .consistent_read(true)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await);
        assert_eq!(
            units(get.consumed_capacity()),
            strong_units,
            "strong read of a {size}-byte item"
        );
        let get = ok(client
            .get_item()
            .table_name("Cap")
            .key("pk", s(&format!("s{size}")))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await);
        assert_eq!(
            units(get.consumed_capacity()),
            strong_units / 2.0,
            "eventual read of a {size}-byte item"
        );
    }

    // Deleting costs the deleted item's size; a missing item costs 1.
    let del = ok(client
        .delete_item()
        .table_name("Cap")
        .key("pk", s("s1025"))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await);
    assert_eq!(units(del.consumed_capacity()), 2.0);
    let del = ok(client
        .delete_item()
        .table_name("Cap")
        .key("pk", s("s1025"))
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await);
    assert_eq!(units(del.consumed_capacity()), 1.0);

    // Reading a missing item still costs the minimum.
    let get = ok(client
        .get_item()
        .table_name("Cap")
        .key("pk", s("nothing"))
        .consistent_read(true)
        .return_consumed_capacity(ReturnConsumedCapacity::Total)
        .send()
        .await);
    assert!(get.item().is_none());
    assert_eq!(units(get.consumed_capacity()), 1.0);

    server.shutdown();
}

#[tokio::test]
async fn table_arn_as_table_name() {
    let server = Server::start();
    let client = server.client();
    create_on_demand(
        &client,
        "ByArn",
        ("pk", ScalarAttributeType::S),
        Some(("sk", ScalarAttributeType::N)),
    )
    .await;
    let arn = table_arn("ByArn");

    ok(client
        .put_item()
        .table_name(&arn)
        .item("pk", s("a"))
        .item("sk", n("1"))
        .item("v", s("x"))
        .send()
        .await);
    let by_name = get(&client, "ByArn", item(&[("pk", s("a")), ("sk", n("1"))])).await;
    assert_eq!(
        by_name,
        Some(item(&[("pk", s("a")), ("sk", n("1")), ("v", s("x"))]))
    );
    let by_arn = get(&client, &arn, item(&[("pk", s("a")), ("sk", n("1"))])).await;
    assert_eq!(by_arn, by_name);

    let gone = ok(client
        .delete_item()
        .table_name(&arn)
        .key("pk", s("a"))
        .key("sk", n("1"))
        .return_values(ReturnValue::AllOld)
        .send()
        .await);
    assert_eq!(gone.attributes(), by_name.as_ref());
    assert_eq!(
        get(&client, "ByArn", item(&[("pk", s("a")), ("sk", n("1"))])).await,
        None
    );

    // Items operations on a missing table say only "Requested resource not found".
    let err = expect_service_error(
        client
            .get_item()
            .table_name("NoSuchTable")
            .key("pk", s("a"))
            .send()
            .await,
    );
    assert_eq!(
        err,
        ErrorParts::new(
            "ResourceNotFoundException",
            "Requested resource not found",
            400
        )
    );

    server.shutdown();
}

#[tokio::test]
async fn key_validation_messages() {
    let server = Server::start();
    let client = server.client();
    hash_table(&client, "Keys").await;
    create_on_demand(
        &client,
        "Composite",
        ("pk", ScalarAttributeType::S),
        Some(("sk", ScalarAttributeType::S)),
    )
    .await;
    let invalid = |message: &str| ErrorParts::new("ValidationException", message, 400);
    let schema = invalid("The provided key element does not match the schema");

    // PutItem: missing key attributes.
    assert_eq!(
        expect_service_error(
            client
                .put_item()
                .table_name("Keys")
                .item("other", s("a"))
                .send()
                .await
        ),
        invalid("One or more parameter values were invalid: Missing the key pk in the item")
    );
    assert_eq!(
        expect_service_error(
            client
                .put_item()
                .table_name("Composite")
                .item("pk", s("a"))
                .send()
                .await
        ),
        invalid("One or more parameter values were invalid: Missing the key sk in the item")
    );
    // PutItem: key of the wrong type.
    assert_eq!(
        expect_service_error(
            client
                .put_item()
                .table_name("Keys")
                .item("pk", n("1"))
                .send()
                .await
        ),
        invalid(
            "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"
        )
    );
    assert_eq!(
        expect_service_error(
            client
                .put_item()
                .table_name("Keys")
                .item("pk", AttributeValue::Ss(vec!["a".into()]))
                .send()
                .await
        ),
        invalid(
            "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: SS"
        )
    );

    // GetItem and DeleteItem: wrong type, missing range key, extra attribute.
    assert_eq!(
        expect_service_error(
            client
                .get_item()
                .table_name("Keys")
                .key("pk", n("1"))
                .send()
                .await
        ),
        schema
    );
    assert_eq!(
        expect_service_error(
            client
                .delete_item()
                .table_name("Keys")
                .key("pk", n("1"))
                .send()
                .await
        ),
        schema
    );
    assert_eq!(
        expect_service_error(
            client
                .get_item()
                .table_name("Composite")
                .key("pk", s("a"))
                .send()
                .await
        ),
        schema
    );
    assert_eq!(
        expect_service_error(
            client
                .delete_item()
                .table_name("Composite")
                .key("pk", s("a"))
                .send()
                .await
        ),
        schema
    );
    assert_eq!(
        expect_service_error(
            client
                .get_item()
                .table_name("Keys")
                .key("pk", s("a"))
                .key("extra", s("b"))
                .send()
                .await
        ),
        schema
    );
    assert_eq!(
        expect_service_error(
            client
                .get_item()
                .table_name("Keys")
                .key("other", s("a"))
                .send()
                .await
        ),
        schema
    );

    // Nothing was written by the failed calls.
    assert!(
        ok(client.describe_table().table_name("Keys").send().await)
            .table()
            .and_then(|t| t.item_count())
            == Some(0)
    );

    server.shutdown();
}

//! Issue 12's data-plane details, where the core decides them: index key
//! size limits on every write path, the first-ValidationError rule of
//! transactions, attribute names in requests, multi-attribute key condition
//! messages, Scan's per-partition capacity, and a few table operations.
//! The wire forms are covered by tests/e2e/test_exactness.py.

use std::collections::BTreeMap;

use ferrodyn_core::capacity::ReturnConsumedCapacity;
use ferrodyn_core::expressions::{ExpressionInput, LegacyInput};
use ferrodyn_core::index::ProjectionType;
use ferrodyn_core::ops::batch_write_item::WriteRequest;
use ferrodyn_core::ops::create_table::{
    AttributeDefinition, CreateTableInput, IndexDefinition, KeySchemaElement, KeyType,
    ProvisionedThroughput,
};
use ferrodyn_core::ops::get_item::GetItemInput;
use ferrodyn_core::ops::query::QueryInput;
use ferrodyn_core::ops::scan::ScanInput;
use ferrodyn_core::ops::transact_write_items::TransactWriteKind;
use ferrodyn_core::ops::update_item::UpdateItemInput;
use ferrodyn_core::ops::update_table::UpdateTableInput;
use ferrodyn_core::table::{BillingMode, Tag};
use ferrodyn_core::{CancellationCode, CoreError, Database};
use ferrodyn_model::schema::ScalarType;
use ferrodyn_model::{AttributeValue, Item};

mod index_support;
mod support;

use index_support::{action, batch_write, transact};
use support::*;

fn memory_db() -> Database {
    open(std::sync::Arc::new(
        ferrodyn_storage::memory::MemoryEngine::new(),
    ))
}

fn def(name: &str, scalar_type: ScalarType) -> AttributeDefinition {
    AttributeDefinition {
        name: name.into(),
        scalar_type,
    }
}

fn key_element(name: &str, key_type: KeyType) -> KeySchemaElement {
    KeySchemaElement {
        name: name.into(),
        key_type,
    }
}

fn gsi(name: &str, keys: &[(&str, KeyType)]) -> IndexDefinition {
    IndexDefinition {
        name: name.into(),
        key_schema: keys.iter().map(|(n, t)| key_element(n, *t)).collect(),
        projection_type: Some(ProjectionType::All),
        non_key_attributes: None,
        provisioned_throughput: None,
    }
}

/// Table `t` (pk S) with GSI `g` (gk S HASH, gs S RANGE).
fn indexed(db: &Database) {
    let mut input = create_input("t", false);
    input
        .attribute_definitions
        .extend([def("gk", ScalarType::S), def("gs", ScalarType::S)]);
    input.global_secondary_indexes = Some(vec![gsi(
        "g",
        &[("gk", KeyType::Hash), ("gs", KeyType::Range)],
    )]);
    db.create_table(&ctx(), input).expect("create");
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

fn text(len: usize) -> AttributeValue {
    s(&"x".repeat(len))
}

fn size_message(attr: &str, actual: usize, max: usize) -> String {
    format!(
        "One or more parameter values were invalid: Size limit exceeded for Index Key {attr} Actual Size: {actual} bytes Max Size: {max} bytes IndexName: g"
    )
}

#[test]
fn index_key_size_limits_on_every_write_path() {
    let db = memory_db();
    indexed(&db);
    // At the limits: accepted.
    put(
        &db,
        "t",
        item(&[("pk", s("ok")), ("gk", text(2048)), ("gs", text(1024))]),
    )
    .expect("at the limits");
    // One byte over: refused, nothing written.
    for (attr, len, max) in [("gk", 2049, 2048), ("gs", 1025, 1024)] {
        let it = item(&[("pk", s("big")), (attr, text(len))]);
        assert_eq!(
            validation(put(&db, "t", it.clone()).expect_err("put")),
            size_message(attr, len, max)
        );
        assert_eq!(
            validation(
                batch_write(&db, "t", vec![WriteRequest::Put(it.clone())]).expect_err("batch")
            ),
            size_message(attr, len, max)
        );
        let update = db.update_item(
            &ctx(),
            UpdateItemInput {
                table_name: "t".into(),
                key: key("big"),
                expressions: ExpressionInput {
                    update: Some("SET #a = :v".into()),
                    names: Some(BTreeMap::from([("#a".to_owned(), attr.to_owned())])),
                    values: values(&[(":v", text(len))]),
                    ..ExpressionInput::default()
                },
                ..UpdateItemInput::default()
            },
        );
        assert_eq!(
            validation(update.expect_err("update")),
            size_message(attr, len, max)
        );
        // In a transaction, the action's ValidationError reason.
        match transact(
            &db,
            vec![action(
                "t",
                TransactWriteKind::Put { item: it },
                ExpressionInput::default(),
            )],
        ) {
            Err(CoreError::TransactionCanceled { reasons }) => {
                assert_eq!(reasons[0].code, CancellationCode::ValidationError);
                assert_eq!(
                    reasons[0].message.as_deref(),
                    Some(size_message(attr, len, max).as_str())
                );
            }
            other => panic!("expected a cancellation, got {other:?}"),
        }
        assert_eq!(get(&db, "t", "big"), None);
    }
    // Numbers are sized as table keys are: no N value reaches 1,024 bytes.
}

#[test]
fn a_transaction_reports_only_its_first_validation_error() {
    let db = memory_db();
    db.create_table(&ctx(), create_input("h", false))
        .expect("create");
    let oversized = item(&[("pk", text(2049))]);
    let wrong_type = item(&[("pk", n("1"))]);
    let fine = item(&[("pk", s("fine"))]);
    let puts = |items: Vec<Item>| {
        items
            .into_iter()
            .map(|item| {
                action(
                    "h",
                    TransactWriteKind::Put { item },
                    ExpressionInput::default(),
                )
            })
            .collect()
    };
    match transact(
        &db,
        puts(vec![fine.clone(), oversized.clone(), wrong_type, oversized]),
    ) {
        Err(CoreError::TransactionCanceled { reasons }) => {
            let codes: Vec<CancellationCode> = reasons.iter().map(|r| r.code).collect();
            assert_eq!(
                codes,
                [
                    CancellationCode::None,
                    CancellationCode::ValidationError,
                    CancellationCode::None,
                    CancellationCode::None
                ]
            );
            // An oversized table key is a reason, not a top-level error
            // [extenddb transaction_key_size_validation].
            assert_eq!(
                reasons[1].message.as_deref(),
                Some(
                    "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"
                )
            );
            assert!(
                reasons
                    .iter()
                    .enumerate()
                    .all(|(i, r)| i == 1 || r.message.is_none())
            );
        }
        other => panic!("expected a cancellation, got {other:?}"),
    }
    assert_eq!(get(&db, "h", "fine"), None);
}

#[test]
fn attribute_names_in_requests() {
    let db = memory_db();
    db.create_table(&ctx(), create_input("h", false))
        .expect("create");
    let get_with = |expressions: ExpressionInput, legacy: LegacyInput| {
        db.get_item(
            &ctx(),
            GetItemInput {
                table_name: "h".into(),
                key: key("a"),
                expressions,
                legacy,
                ..GetItemInput::default()
            },
        )
        .map(drop)
    };
    let names = |name: &str| ExpressionInput {
        projection: Some("#a".into()),
        names: Some(BTreeMap::from([("#a".to_owned(), name.to_owned())])),
        ..ExpressionInput::default()
    };
    assert_eq!(
        validation(get_with(names(""), LegacyInput::default()).expect_err("empty")),
        "ExpressionAttributeNames contains invalid value: Empty attribute name for key #a"
    );
    assert_eq!(
        validation(get_with(names(&"n".repeat(65_536)), LegacyInput::default()).expect_err("long")),
        "ExpressionAttributeNames contains invalid value: Attribute name is too large, must be less than 65536 bytes for key #a"
    );
    get_with(names(&"n".repeat(65_535)), LegacyInput::default()).expect("65,535 bytes");
    let to_get = |name: &str| LegacyInput {
        attributes_to_get: Some(vec!["ok".into(), name.to_owned()]),
        ..LegacyInput::default()
    };
    assert_eq!(
        validation(get_with(ExpressionInput::default(), to_get("")).expect_err("empty")),
        "One or more parameter values were invalid: Empty attribute name"
    );
    assert_eq!(
        validation(
            get_with(ExpressionInput::default(), to_get(&"é".repeat(32_768))).expect_err("bytes")
        ),
        "One or more parameter values were invalid: Attribute name is too large, must be less than 65536 bytes"
    );
}

/// Table `m` (pk S) with GSI `multi` (m1, m2 HASH; r1, r2, r3 RANGE), all S.
fn multi(db: &Database) {
    let mut input = create_input("m", false);
    for a in ["m1", "m2", "r1", "r2", "r3"] {
        input.attribute_definitions.push(def(a, ScalarType::S));
    }
    input.global_secondary_indexes = Some(vec![gsi(
        "multi",
        &[
            ("m1", KeyType::Hash),
            ("m2", KeyType::Hash),
            ("r1", KeyType::Range),
            ("r2", KeyType::Range),
            ("r3", KeyType::Range),
        ],
    )]);
    db.create_table(&ctx(), input).expect("create");
}

fn query_multi(db: &Database, condition: &str) -> Result<usize, CoreError> {
    let mut vals = Vec::new();
    for p in [":a", ":b", ":c", ":d", ":e", ":f"] {
        if condition.contains(p) {
            vals.push((p, s("v")));
        }
    }
    db.query(
        &ctx(),
        QueryInput {
            table_name: "m".into(),
            index_name: Some("multi".into()),
            expressions: ExpressionInput {
                key_condition: Some(condition.into()),
                values: values(&vals),
                ..ExpressionInput::default()
            },
            ..QueryInput::default()
        },
    )
    .map(|out| out.count)
}

#[test]
fn multi_attribute_key_conditions() {
    let db = memory_db();
    multi(&db);
    put(
        &db,
        "m",
        item(&[
            ("pk", s("1")),
            ("m1", s("v")),
            ("m2", s("v")),
            ("r1", s("v")),
            ("r2", s("v")),
            ("r3", s("v")),
        ]),
    )
    .expect("put");
    // Any order of the terms; a prefix of the RANGE attributes.
    for ok in [
        "m1 = :a AND m2 = :b",
        "m2 = :b AND m1 = :a",
        "r1 = :c AND m2 = :b AND m1 = :a",
        "m1 = :a AND m2 = :b AND r1 = :c AND r2 >= :d",
        "m1 = :a AND m2 = :b AND r1 = :c AND r2 = :d AND begins_with(r3, :e)",
        "r2 BETWEEN :d AND :e AND m1 = :a AND r1 = :c AND m2 = :b",
    ] {
        assert_eq!(query_multi(&db, ok).expect(ok), 1, "{ok}");
    }
    let hash = |a: &str| {
        format!(
            "Query condition missed key schema element: {a}: every HASH attribute of the index key needs an equality condition"
        )
    };
    let gap = |a: &str| {
        format!(
            "Query condition missed key schema element: {a}: RANGE key attributes must be used in order, from the first, without gaps"
        )
    };
    let not_last = |a: &str, next: &str| {
        format!(
            "Query key condition not supported: only the last RANGE key attribute used may have an inequality, BETWEEN or begins_with condition; {a} is followed by {next}"
        )
    };
    for (bad, message) in [
        ("m1 = :a", hash("m2")),
        ("m1 = :a AND m2 > :b", hash("m2")),
        ("begins_with(m1, :a) AND m2 = :b", hash("m1")),
        ("m1 = :a AND m2 = :b AND r2 = :d", gap("r1")),
        ("m1 = :a AND m2 = :b AND r1 = :c AND r3 = :e", gap("r2")),
        (
            "m1 = :a AND m2 = :b AND r1 > :c AND r2 = :d",
            not_last("r1", "r2"),
        ),
        (
            "m1 = :a AND m2 = :b AND r1 = :c AND r2 BETWEEN :d AND :e AND r3 = :f",
            not_last("r2", "r3"),
        ),
    ] {
        assert_eq!(
            validation(query_multi(&db, bad).map(drop).expect_err(bad)),
            message,
            "{bad}"
        );
    }
}

fn scan_units(db: &Database, table: &str, consistent: bool, segment: Option<(u32, u32)>) -> f64 {
    db.scan(
        &ctx(),
        ScanInput {
            table_name: table.into(),
            consistent_read: consistent,
            segment: segment.map(|s| s.0),
            total_segments: segment.map(|s| s.1),
            return_consumed_capacity: ReturnConsumedCapacity::Total,
            ..ScanInput::default()
        },
    )
    .expect("scan")
    .consumed_capacity
    .expect("asked")
    .capacity_units
}

#[test]
fn scan_capacity_counts_partitions() {
    let db = memory_db();
    db.create_table(&ctx(), create_input("h", false))
        .expect("create");
    // An empty table and a tiny one: one unit per partition of four
    // [alternator test_scan_consumed_capacity: 4.0 / 2.0 on AWS].
    assert_eq!(scan_units(&db, "h", true, None), 4.0);
    put(&db, "h", item(&[("pk", s("p")), ("animal", s("cat"))])).expect("put");
    assert_eq!(scan_units(&db, "h", true, None), 4.0);
    assert_eq!(scan_units(&db, "h", false, None), 2.0);
    // A segment covers its share of the partitions.
    assert_eq!(scan_units(&db, "h", true, Some((0, 2))), 2.0);
    assert_eq!(scan_units(&db, "h", true, Some((3, 4))), 1.0);
    assert_eq!(scan_units(&db, "h", false, Some((5, 64))), 0.5);
    // Past the minimum, the size rule: 40 items of ~2 KB = ~80 KB.
    for i in 0..40 {
        put(
            &db,
            "h",
            item(&[("pk", s(&format!("k{i:02}"))), ("pad", text(2000))]),
        )
        .expect("put");
    }
    let units = scan_units(&db, "h", true, None);
    assert!((20.0..=21.0).contains(&units), "{units}");
}

#[test]
fn table_operations() {
    let db = memory_db();
    db.create_table(&ctx(), create_input("h", false))
        .expect("create");
    // PAY_PER_REQUEST on an on-demand table is accepted and changes nothing.
    let d = db
        .update_table(
            &ctx(),
            UpdateTableInput {
                table_name: "h".into(),
                billing_mode: Some(BillingMode::PayPerRequest),
                ..UpdateTableInput::default()
            },
        )
        .expect("same mode");
    assert_eq!(d.meta.billing_mode, BillingMode::PayPerRequest);
    // Three key schema elements [conformance tier3 createTable, exact].
    let mut input: CreateTableInput = create_input("three", true);
    input
        .attribute_definitions
        .push(def("extra", ScalarType::S));
    input.key_schema.push(key_element("extra", KeyType::Range));
    input.billing_mode = None;
    input.provisioned_throughput = Some(ProvisionedThroughput { read: 5, write: 5 });
    assert_eq!(
        validation(
            db.create_table(&ctx(), input.clone())
                .expect_err("three keys")
        ),
        "1 validation error detected: Value '[KeySchemaElement(attributeName=pk, keyType=HASH), KeySchemaElement(attributeName=sk, keyType=RANGE), KeySchemaElement(attributeName=extra, keyType=RANGE)]' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2"
    );
    // Without throughput, the billing message comes first [conformance
    // captures/2026-06-09 probe c_ct_3keys].
    input.provisioned_throughput = None;
    assert_eq!(
        validation(db.create_table(&ctx(), input).expect_err("no throughput")),
        "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"
    );
    // Tags of another account's table: access denied, whatever exists.
    let arn = "arn:aws:dynamodb:us-east-1:111111111111:table/h";
    match db.tag_resource(
        &ctx(),
        arn,
        vec![Tag {
            key: "k".into(),
            value: "v".into(),
        }],
    ) {
        Err(CoreError::AccessDenied(m)) => assert_eq!(
            m,
            format!(
                "User: arn:aws:iam::000000000000:root is not authorized to perform: dynamodb:TagResource on resource: {arn} because no resource-based policy allows the dynamodb:TagResource action"
            )
        ),
        other => panic!("expected AccessDenied, got {other:?}"),
    }
    assert!(matches!(
        db.list_tags_of_resource(&ctx(), arn),
        Err(CoreError::AccessDenied(_))
    ));
}

//! Operations against a `Database`, run once over each storage engine.

use std::sync::Arc;

use ferrodyn_core::capacity::ReturnConsumedCapacity;
use ferrodyn_core::change;
use ferrodyn_core::ops::ReturnValues;
use ferrodyn_core::ops::create_table::{AttributeDefinition, ProvisionedThroughput};
use ferrodyn_core::ops::delete_item::DeleteItemInput;
use ferrodyn_core::ops::get_item::GetItemInput;
use ferrodyn_core::ops::put_item::PutItemInput;
use ferrodyn_core::ops::update_table::UpdateTableInput;
use ferrodyn_core::table::{BillingMode, TableStatus, Tag};
use ferrodyn_core::{CoreError, RequestContext};
use ferrodyn_model::schema::ScalarType;
use ferrodyn_model::{AttributeValue, Item};
use ferrodyn_storage::Engine;
use ferrodyn_storage::memory::MemoryEngine;
use ferrodyn_storage::rocks::{RocksEngine, Sync};

mod support;

use support::*;

#[test]
fn table_lifecycle() {
    for (name, engine, _dir) in engines() {
        let db = open(engine);
        let d = db
            .create_table(&ctx(), create_input("t1", true))
            .expect(name);
        assert_eq!(d.status, TableStatus::Creating);
        assert_eq!(
            d.meta.arn(),
            "arn:aws:dynamodb:us-east-1:000000000000:table/t1"
        );
        let d = db.describe_table(&ctx(), "t1").expect(name);
        assert_eq!(d.status, TableStatus::Active);
        // By ARN too.
        db.describe_table(&ctx(), "arn:aws:dynamodb:us-east-1:000000000000:table/t1")
            .expect(name);
        // Another region or account does not see it.
        let other = RequestContext {
            region: "eu-west-1".into(),
            ..ctx()
        };
        assert!(matches!(
            db.describe_table(&other, "t1"),
            Err(CoreError::ResourceNotFound(_))
        ));
        match db.create_table(&ctx(), create_input("t1", false)) {
            Err(CoreError::ResourceInUse(m)) => assert_eq!(m, "Table already exists: t1"),
            other => panic!("{name}: {other:?}"),
        }
        for t in ["t2", "t3", "t0"] {
            db.create_table(&ctx(), create_input(t, false)).expect(name);
        }
        let page = db.list_tables(&ctx(), None, 2).expect(name);
        assert_eq!(page.table_names, vec!["t0", "t1"]);
        assert_eq!(page.last_evaluated_table_name.as_deref(), Some("t1"));
        let page = db.list_tables(&ctx(), Some("t1"), 2).expect(name);
        assert_eq!(page.table_names, vec!["t2", "t3"]);
        assert_eq!(page.last_evaluated_table_name.as_deref(), Some("t3"));
        let page = db.list_tables(&ctx(), Some("t3"), 2).expect(name);
        assert!(page.table_names.is_empty() && page.last_evaluated_table_name.is_none());

        let d = db.delete_table(&ctx(), "t1").expect(name);
        assert_eq!(d.status, TableStatus::Deleting);
        match db.describe_table(&ctx(), "t1") {
            Err(CoreError::ResourceNotFound(m)) => {
                assert_eq!(m, "Requested resource not found: Table: t1 not found");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn key_schema_validation_messages() {
    let db = open(Arc::new(MemoryEngine::new()));
    let mut bad = create_input("t", false);
    bad.attribute_definitions.push(AttributeDefinition {
        name: "extra".into(),
        scalar_type: ScalarType::S,
    });
    assert_eq!(
        validation(db.create_table(&ctx(), bad).unwrap_err()),
        "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"
    );
    let mut bad = create_input("t", false);
    bad.attribute_definitions[0].name = "other".into();
    assert_eq!(
        validation(db.create_table(&ctx(), bad).unwrap_err()),
        "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [pk], AttributeDefinitions: [other]"
    );
    let mut bad = create_input("t", true);
    bad.key_schema.swap(0, 1);
    assert_eq!(
        validation(db.create_table(&ctx(), bad).unwrap_err()),
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
    );
    let mut bad = create_input("t", false);
    bad.billing_mode = None;
    assert_eq!(
        validation(db.create_table(&ctx(), bad).unwrap_err()),
        "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"
    );
    let mut bad = create_input("t", false);
    bad.provisioned_throughput = Some(ProvisionedThroughput { read: 1, write: 1 });
    assert_eq!(
        validation(db.create_table(&ctx(), bad).unwrap_err()),
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
    );
    // Nothing was created by the failures.
    assert!(
        db.list_tables(&ctx(), None, 100)
            .expect("list")
            .table_names
            .is_empty()
    );
}

#[test]
fn items_round_trip_with_capacity_and_counters() {
    for (name, engine, _dir) in engines() {
        let db = open(engine);
        db.create_table(&ctx(), create_input("t", true))
            .expect(name);
        let big = "x".repeat(1500);
        let it = item(&[
            ("pk", s("a")),
            ("sk", n("1.50")),
            ("body", s(&big)),
            ("list", AttributeValue::L(vec![AttributeValue::Null])),
        ]);
        let out = db
            .put_item(
                &ctx(),
                PutItemInput {
                    table_name: "t".into(),
                    item: it.clone(),
                    return_values: ReturnValues::AllOld,
                    return_consumed_capacity: ReturnConsumedCapacity::Total,
                    ..PutItemInput::default()
                },
            )
            .expect(name);
        assert!(out.attributes.is_none(), "{name}: no old item");
        assert_eq!(
            out.consumed_capacity.expect("asked").capacity_units,
            2.0,
            "{name}: 1.5 KB is 2 WCU"
        );

        let key = item(&[("pk", s("a")), ("sk", n("1.5"))]);
        let got = db
            .get_item(
                &ctx(),
                GetItemInput {
                    table_name: "t".into(),
                    key: key.clone(),
                    consistent_read: false,
                    return_consumed_capacity: ReturnConsumedCapacity::Total,
                    ..GetItemInput::default()
                },
            )
            .expect(name);
        assert_eq!(got.item.as_ref(), Some(&it), "{name}");
        assert_eq!(
            got.consumed_capacity.expect("asked").capacity_units,
            0.5,
            "{name}"
        );

        let d = db.describe_table(&ctx(), "t").expect(name);
        assert_eq!(d.item_count, 1, "{name}");
        assert_eq!(
            d.size_bytes as usize,
            ferrodyn_model::value::item_size_bytes(&it),
            "{name}"
        );

        // Replace, then delete with ALL_OLD.
        let it2 = item(&[("pk", s("a")), ("sk", n("1.5")), ("v", n("2"))]);
        let out = db
            .put_item(
                &ctx(),
                PutItemInput {
                    table_name: "t".into(),
                    item: it2.clone(),
                    return_values: ReturnValues::AllOld,
                    ..PutItemInput::default()
                },
            )
            .expect(name);
        assert_eq!(out.attributes.as_ref(), Some(&it), "{name}");
        let out = db
            .delete_item(
                &ctx(),
                DeleteItemInput {
                    table_name: "t".into(),
                    key: key.clone(),
                    return_values: ReturnValues::AllOld,
                    ..DeleteItemInput::default()
                },
            )
            .expect(name);
        assert_eq!(out.attributes.as_ref(), Some(&it2), "{name}");
        let d = db.describe_table(&ctx(), "t").expect(name);
        assert_eq!((d.item_count, d.size_bytes), (0, 0), "{name}");
        // Deleting again is fine and costs one unit.
        let out = db
            .delete_item(
                &ctx(),
                DeleteItemInput {
                    table_name: "t".into(),
                    key,
                    return_consumed_capacity: ReturnConsumedCapacity::Total,
                    ..DeleteItemInput::default()
                },
            )
            .expect(name);
        assert_eq!(out.consumed_capacity.expect("asked").capacity_units, 1.0);
    }
}

#[test]
fn every_write_appends_one_change_record() {
    let engine: Arc<dyn Engine> = Arc::new(MemoryEngine::new());
    let db = open(Arc::clone(&engine));
    db.create_table(&ctx(), streamed(create_input("t", false)))
        .expect("create");
    let put = |v: &str| {
        db.put_item(
            &ctx(),
            PutItemInput {
                table_name: "t".into(),
                item: item(&[("pk", s("k")), ("v", s(v))]),
                ..PutItemInput::default()
            },
        )
        .expect("put");
    };
    put("1");
    put("2");
    db.delete_item(
        &ctx(),
        DeleteItemInput {
            table_name: "t".into(),
            key: item(&[("pk", s("k"))]),
            ..DeleteItemInput::default()
        },
    )
    .expect("delete");
    let records: Vec<_> = change_records(&db, engine.as_ref(), "t")
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    assert_eq!(records.len(), 3);
    assert!(records[0].old_image.is_none() && records[0].new_image.is_some());
    assert_eq!(records[1].old_image, records[0].new_image);
    assert_eq!(records[2].old_image, records[1].new_image);
    assert!(records[2].new_image.is_none());
    assert_eq!(
        records.iter().map(|r| r.event).collect::<Vec<_>>(),
        [
            change::Event::Insert,
            change::Event::Modify,
            change::Event::Remove
        ]
    );
    assert!(
        records
            .iter()
            .all(|r| r.keys == records[0].keys && r.time_millis == 1_700_000_000_000)
    );
}

/// Without a stream, writes leave no change records.
#[test]
fn tables_without_a_stream_record_no_changes() {
    let engine: Arc<dyn Engine> = Arc::new(MemoryEngine::new());
    let db = open(Arc::clone(&engine));
    db.create_table(&ctx(), create_input("t", false))
        .expect("create");
    put(&db, "t", key("k")).expect("put");
    assert!(change_records(&db, engine.as_ref(), "t").is_empty());
    assert!(
        db.describe_table(&ctx(), "t")
            .expect("describe")
            .meta
            .streams
            .is_empty(),
        "no stream, no shards"
    );
}

#[test]
fn key_validation_messages() {
    let db = open(Arc::new(MemoryEngine::new()));
    db.create_table(&ctx(), create_input("t", true))
        .expect("create");
    let put = |it: Item| {
        db.put_item(
            &ctx(),
            PutItemInput {
                table_name: "t".into(),
                item: it,
                ..PutItemInput::default()
            },
        )
    };
    assert_eq!(
        validation(put(item(&[("pk", s("a"))])).unwrap_err()),
        "One or more parameter values were invalid: Missing the key sk in the item"
    );
    assert_eq!(
        validation(put(item(&[("pk", n("1")), ("sk", n("1"))])).unwrap_err()),
        "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"
    );
    assert_eq!(
        validation(put(item(&[("pk", s("")), ("sk", n("1"))])).unwrap_err()),
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"
    );
    assert_eq!(
        validation(put(item(&[("pk", s(&"p".repeat(2049))), ("sk", n("1"))])).unwrap_err()),
        "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"
    );
    put(item(&[("pk", s(&"p".repeat(2048))), ("sk", n("1"))])).expect("2048 bytes is allowed");
    // 400 KB, counted with names: exactly at the limit passes, one more byte fails.
    let overhead = "pk".len() + 1 + "sk".len() + n("1").size_bytes() + "body".len();
    let at_limit = item(&[
        ("pk", s("a")),
        ("sk", n("1")),
        ("body", s(&"x".repeat(400 * 1024 - overhead))),
    ]);
    put(at_limit).expect("exactly 400 KB");
    let over = item(&[
        ("pk", s("a")),
        ("sk", n("1")),
        ("body", s(&"x".repeat(400 * 1024 - overhead + 1))),
    ]);
    assert_eq!(
        validation(put(over).unwrap_err()),
        "Item size has exceeded the maximum allowed size"
    );
    let get = |key: Item| {
        db.get_item(
            &ctx(),
            GetItemInput {
                table_name: "t".into(),
                key,
                ..GetItemInput::default()
            },
        )
    };
    for key in [
        item(&[("pk", s("a"))]),
        item(&[("pk", s("a")), ("sk", n("1")), ("x", n("1"))]),
        item(&[("pk", s("a")), ("sk", s("1"))]),
    ] {
        assert_eq!(
            validation(get(key).unwrap_err()),
            "The provided key element does not match the schema"
        );
    }
    match get(item(&[("pk", s("a")), ("sk", n("1"))])) {
        Ok(out) => assert!(out.item.is_some()),
        Err(e) => panic!("{e:?}"),
    }
    match db.get_item(
        &ctx(),
        GetItemInput {
            table_name: "nope".into(),
            ..GetItemInput::default()
        },
    ) {
        Err(CoreError::ResourceNotFound(m)) => assert_eq!(m, "Requested resource not found"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn update_table_and_tags() {
    let db = open(Arc::new(MemoryEngine::new()));
    db.create_table(&ctx(), create_input("t", false))
        .expect("create");
    let arn = "arn:aws:dynamodb:us-east-1:000000000000:table/t";
    let d = db
        .update_table(
            &ctx(),
            UpdateTableInput {
                table_name: "t".into(),
                billing_mode: Some(BillingMode::Provisioned),
                provisioned_throughput: Some(ProvisionedThroughput { read: 5, write: 5 }),
                deletion_protection_enabled: Some(true),
                ..UpdateTableInput::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        validation(d),
        "One or more parameter values were invalid: DeletionProtection modification must be the only operation in the request"
    );
    let d = db
        .update_table(
            &ctx(),
            UpdateTableInput {
                table_name: "t".into(),
                billing_mode: Some(BillingMode::Provisioned),
                provisioned_throughput: Some(ProvisionedThroughput { read: 5, write: 5 }),
                ..UpdateTableInput::default()
            },
        )
        .expect("update");
    assert_eq!(d.status, TableStatus::Updating);
    // The response still shows the throughput from before the update.
    assert_eq!(
        (d.meta.throughput.read_units, d.meta.billing_mode),
        (0, BillingMode::Provisioned)
    );
    let d = db.describe_table(&ctx(), "t").expect("describe");
    assert_eq!(
        (d.meta.throughput.read_units, d.meta.billing_mode),
        (5, BillingMode::Provisioned)
    );
    db.update_table(
        &ctx(),
        UpdateTableInput {
            table_name: "t".into(),
            deletion_protection_enabled: Some(true),
            ..UpdateTableInput::default()
        },
    )
    .expect("protect");
    let msg = validation(db.delete_table(&ctx(), "t").unwrap_err());
    assert!(
        msg.starts_with("Resource cannot be deleted as it is currently protected against deletion"),
        "{msg}"
    );
    let d = db
        .update_table(
            &ctx(),
            UpdateTableInput {
                table_name: "t".into(),
                provisioned_throughput: Some(ProvisionedThroughput { read: 1, write: 5 }),
                ..UpdateTableInput::default()
            },
        )
        .expect("decrease");
    assert_eq!(d.meta.throughput.decreases_today, 1);
    assert!(d.meta.throughput.last_decrease_millis.is_some());

    db.tag_resource(
        &ctx(),
        arn,
        vec![
            Tag {
                key: "a".into(),
                value: "1".into(),
            },
            Tag {
                key: "b".into(),
                value: "2".into(),
            },
        ],
    )
    .expect("tag");
    db.tag_resource(
        &ctx(),
        arn,
        vec![Tag {
            key: "a".into(),
            value: "3".into(),
        }],
    )
    .expect("retag");
    let tags = db.list_tags_of_resource(&ctx(), arn).expect("list");
    assert_eq!(tags.len(), 2);
    assert!(tags.contains(&Tag {
        key: "a".into(),
        value: "3".into()
    }));
    db.untag_resource(&ctx(), arn, &["b".into(), "missing".into()])
        .expect("untag");
    assert_eq!(
        db.list_tags_of_resource(&ctx(), arn).expect("list").len(),
        1
    );
    let too_many: Vec<Tag> = (0..50)
        .map(|i| Tag {
            key: format!("k{i}"),
            value: String::new(),
        })
        .collect();
    assert_eq!(
        validation(db.tag_resource(&ctx(), arn, too_many).unwrap_err()),
        "Number of Tags exceed the current limit for the provided ResourceArn"
    );
}

#[test]
fn tables_and_items_survive_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let db = open(Arc::new(
            RocksEngine::open(dir.path(), Sync::Always).expect("open"),
        ));
        db.create_table(&ctx(), create_input("keep", false))
            .expect("create");
        db.create_table(&ctx(), create_input("drop", false))
            .expect("create");
        db.put_item(
            &ctx(),
            PutItemInput {
                table_name: "keep".into(),
                item: item(&[("pk", s("k")), ("v", n("7"))]),
                ..PutItemInput::default()
            },
        )
        .expect("put");
        db.put_item(
            &ctx(),
            PutItemInput {
                table_name: "drop".into(),
                item: item(&[("pk", s("k"))]),
                ..PutItemInput::default()
            },
        )
        .expect("put");
        db.delete_table(&ctx(), "drop").expect("delete");
    }
    let db = open(Arc::new(
        RocksEngine::open(dir.path(), Sync::Always).expect("reopen"),
    ));
    assert_eq!(
        db.list_tables(&ctx(), None, 100).expect("list").table_names,
        vec!["keep"]
    );
    let got = db
        .get_item(
            &ctx(),
            GetItemInput {
                table_name: "keep".into(),
                key: item(&[("pk", s("k"))]),
                ..GetItemInput::default()
            },
        )
        .expect("get");
    assert_eq!(got.item.and_then(|i| i.get("v").cloned()), Some(n("7")));
    // A new table of a dropped name starts empty: ids are never reused.
    db.create_table(&ctx(), create_input("drop", false))
        .expect("recreate");
    let got = db
        .get_item(
            &ctx(),
            GetItemInput {
                table_name: "drop".into(),
                key: item(&[("pk", s("k"))]),
                ..GetItemInput::default()
            },
        )
        .expect("get");
    assert!(got.item.is_none());
    assert_eq!(
        db.describe_table(&ctx(), "drop")
            .expect("describe")
            .item_count,
        0
    );
}

#[test]
fn concurrent_create_table_has_one_winner() {
    for (name, engine, _dir) in engines() {
        let db = Arc::new(open(engine));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let db = Arc::clone(&db);
                std::thread::spawn(move || db.create_table(&ctx(), create_input("race", false)))
            })
            .collect();
        let results: Vec<_> = handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect();
        let won = results.iter().filter(|r| r.is_ok()).count();
        let in_use = results
            .iter()
            .filter(|r| matches!(r, Err(CoreError::ResourceInUse(_))))
            .count();
        assert_eq!((won, in_use), (1, 7), "{name}");
    }
}

#[test]
fn concurrent_puts_to_one_item_keep_counters_exact() {
    for (name, engine, _dir) in engines() {
        let db = Arc::new(open(engine));
        db.create_table(&ctx(), create_input("t", false))
            .expect(name);
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let db = Arc::clone(&db);
                std::thread::spawn(move || {
                    for i in 0..50 {
                        let key = if i % 2 == 0 {
                            "shared".to_owned()
                        } else {
                            format!("own-{t}-{i}")
                        };
                        db.put_item(
                            &ctx(),
                            PutItemInput {
                                table_name: "t".into(),
                                item: item(&[("pk", s(&key)), ("v", n(&i.to_string()))]),
                                ..PutItemInput::default()
                            },
                        )
                        .expect("put");
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().expect("thread");
        }
        // 8 threads x 25 own keys, plus the one shared key.
        assert_eq!(
            db.describe_table(&ctx(), "t").expect(name).item_count,
            201,
            "{name}"
        );
    }
}

//! BatchWriteItem and BatchGetItem against a `Database`, over each storage
//! engine.

use ferrodyn_core::CoreError;
use ferrodyn_core::capacity::ReturnConsumedCapacity;
use ferrodyn_core::expressions::ExpressionInput;
use ferrodyn_core::ops::batch_get_item::{BatchGetItemInput, KeysAndAttributes};
use ferrodyn_core::ops::batch_write_item::{BatchWriteItemInput, WriteRequest};

mod support;

use support::*;

#[test]
fn batch_write_validates_everything_before_writing() {
    for (name, engine, _dir) in engines() {
        let db = open(engine);
        db.create_table(&ctx(), create_input("one", false))
            .expect(name);
        db.create_table(&ctx(), create_input("two", false))
            .expect(name);
        let write = |items: Vec<(String, Vec<WriteRequest>)>| {
            db.batch_write_item(
                &ctx(),
                BatchWriteItemInput {
                    request_items: items,
                    return_consumed_capacity: ReturnConsumedCapacity::Total,
                    return_item_collection_metrics: false,
                },
            )
        };
        let puts = |prefix: &str, n: usize| -> Vec<WriteRequest> {
            (0..n)
                .map(|i| {
                    WriteRequest::Put(item(&[("pk", s(&format!("{prefix}{i}"))), ("v", n_(i))]))
                })
                .collect()
        };
        fn n_(i: usize) -> ferrodyn_model::AttributeValue {
            n(&i.to_string())
        }
        let out = write(vec![
            ("one".into(), puts("a", 20)),
            ("two".into(), puts("b", 5)),
        ])
        .expect(name);
        assert!(out.unprocessed_items.is_empty());
        let units: Vec<f64> = out
            .consumed_capacity
            .iter()
            .map(|c| c.capacity_units)
            .collect();
        assert_eq!(units, [20.0, 5.0], "{name}");

        // 26 requests, a duplicate key, a bad item: each rejected whole.
        let e = write(vec![
            ("one".into(), puts("c", 20)),
            ("two".into(), puts("d", 6)),
        ])
        .unwrap_err();
        assert_eq!(
            validation(e),
            "Too many items requested for the BatchWriteItem call"
        );
        let mut dup = puts("e", 3);
        dup.push(WriteRequest::Delete(key("e1")));
        let e = write(vec![("one".into(), dup)]).unwrap_err();
        assert_eq!(
            validation(e),
            "Provided list of item keys contains duplicates"
        );
        let mut bad = puts("f", 3);
        bad.push(WriteRequest::Put(item(&[("nokey", s("x"))])));
        let e = write(vec![("one".into(), bad)]).unwrap_err();
        assert_eq!(
            validation(e),
            "The provided key element does not match the schema"
        );
        assert!(matches!(
            write(vec![("nope".into(), puts("g", 1))]),
            Err(CoreError::ResourceNotFound(_))
        ));
        for k in ["c0", "e0", "f0", "g0"] {
            let found = db
                .batch_get_item(
                    &ctx(),
                    BatchGetItemInput {
                        request_items: vec![(
                            "one".into(),
                            KeysAndAttributes {
                                keys: vec![key(k)],
                                ..KeysAndAttributes::default()
                            },
                        )],
                        ..BatchGetItemInput::default()
                    },
                )
                .expect(name);
            assert_eq!(
                found.responses[0].1.len(),
                0,
                "{name}: {k} must not have been written"
            );
        }

        // Deletes.
        write(vec![(
            "one".into(),
            vec![
                WriteRequest::Delete(key("a0")),
                WriteRequest::Delete(key("a1")),
            ],
        )])
        .expect(name);
        let got = db
            .batch_get_item(
                &ctx(),
                BatchGetItemInput {
                    request_items: vec![(
                        "one".into(),
                        KeysAndAttributes {
                            keys: vec![key("a0"), key("a1"), key("a2")],
                            consistent_read: true,
                            expressions: ExpressionInput {
                                projection: Some("v".into()),
                                ..ExpressionInput::default()
                            },
                            ..KeysAndAttributes::default()
                        },
                    )],
                    return_consumed_capacity: ReturnConsumedCapacity::Total,
                },
            )
            .expect(name);
        assert_eq!(
            got.responses,
            vec![("one".to_owned(), vec![item(&[("v", n("2"))])])],
            "{name}"
        );
        assert_eq!(got.consumed_capacity[0].capacity_units, 3.0, "{name}");
    }
}

#[test]
fn batch_get_returns_at_most_16_mb_and_the_rest_as_unprocessed() {
    for (name, engine, _dir) in engines() {
        let db = open(engine);
        db.create_table(&ctx(), create_input("big", false))
            .expect(name);
        let pad = "x".repeat(300_000);
        for chunk in 0..4 {
            let requests = (0..25)
                .map(|i| {
                    WriteRequest::Put(item(&[
                        ("pk", s(&format!("k{:03}", chunk * 25 + i))),
                        ("x", s(&pad)),
                    ]))
                })
                .collect();
            db.batch_write_item(
                &ctx(),
                BatchWriteItemInput {
                    request_items: vec![("big".into(), requests)],
                    ..BatchWriteItemInput::default()
                },
            )
            .expect(name);
        }
        let mut keys: Vec<_> = (0..100).map(|i| key(&format!("k{i:03}"))).collect();
        let mut seen = 0;
        let mut calls = 0;
        while !keys.is_empty() {
            calls += 1;
            let out = db
                .batch_get_item(
                    &ctx(),
                    BatchGetItemInput {
                        request_items: vec![(
                            "big".into(),
                            KeysAndAttributes {
                                keys: keys.clone(),
                                ..KeysAndAttributes::default()
                            },
                        )],
                        ..BatchGetItemInput::default()
                    },
                )
                .expect(name);
            let got = out.responses[0].1.len();
            assert!(
                got * 300_000 <= 16 * 1024 * 1024 + 400 * 1024,
                "{name}: {got} items in one response"
            );
            seen += got;
            keys = out
                .unprocessed_keys
                .into_iter()
                .flat_map(|(_, k)| k.keys)
                .collect();
        }
        assert_eq!((seen, calls > 1), (100, true), "{name}");
        let too_many: Vec<_> = (0..101).map(|i| key(&format!("k{i:03}"))).collect();
        let e = db
            .batch_get_item(
                &ctx(),
                BatchGetItemInput {
                    request_items: vec![(
                        "big".into(),
                        KeysAndAttributes {
                            keys: too_many,
                            ..KeysAndAttributes::default()
                        },
                    )],
                    ..BatchGetItemInput::default()
                },
            )
            .unwrap_err();
        assert_eq!(
            validation(e),
            "Too many items requested for the BatchGetItem call"
        );
    }
}

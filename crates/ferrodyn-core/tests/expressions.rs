//! Conditional writes, UpdateItem and projections against a `Database`,
//! over each storage engine, including races between writers.

use std::sync::{Arc, Barrier};
use std::thread;

use ferrodyn_core::CoreError;
use ferrodyn_core::capacity::ReturnConsumedCapacity;
use ferrodyn_core::expressions::{
    AttributeAction, AttributeUpdate, ComparisonOperator, ExpectedAttribute, ExpressionInput,
    LegacyInput,
};
use ferrodyn_core::ops::ReturnValues;
use ferrodyn_core::ops::delete_item::DeleteItemInput;
use ferrodyn_core::ops::get_item::GetItemInput;
use ferrodyn_core::ops::put_item::PutItemInput;
use ferrodyn_core::ops::update_item::UpdateItemInput;
use ferrodyn_model::{AttributeValue, Item};

mod support;

use support::*;

fn update(key: &str, expression: &str, vals: &[(&str, AttributeValue)]) -> UpdateItemInput {
    UpdateItemInput {
        table_name: "tbl".into(),
        key: item(&[("pk", s(key))]),
        expressions: ExpressionInput {
            update: Some(expression.into()),
            values: if vals.is_empty() { None } else { values(vals) },
            ..ExpressionInput::default()
        },
        ..UpdateItemInput::default()
    }
}

fn get(db: &ferrodyn_core::Database, key: &str) -> Option<Item> {
    db.get_item(
        &ctx(),
        GetItemInput {
            table_name: "tbl".into(),
            key: item(&[("pk", s(key))]),
            consistent_read: true,
            ..GetItemInput::default()
        },
    )
    .expect("get")
    .item
}

#[test]
fn conditional_put_and_delete() {
    for (name, engine, _dir) in engines() {
        let db = open(engine);
        db.create_table(&ctx(), create_input("tbl", false))
            .expect(name);
        let put = |condition: &str, v: &str, return_old: bool| {
            db.put_item(
                &ctx(),
                PutItemInput {
                    table_name: "tbl".into(),
                    item: item(&[("pk", s("a")), ("v", n(v))]),
                    expressions: ExpressionInput {
                        condition: Some(condition.into()),
                        values: if condition.contains(":v") {
                            values(&[(":v", n("1"))])
                        } else {
                            None
                        },
                        ..ExpressionInput::default()
                    },
                    return_old_on_condition_failure: return_old,
                    ..PutItemInput::default()
                },
            )
        };
        put("attribute_not_exists(pk)", "1", false).expect(name);
        match put("attribute_not_exists(pk)", "2", true) {
            Err(CoreError::ConditionalCheckFailed { item: Some(old) }) => {
                assert_eq!(old, item(&[("pk", s("a")), ("v", n("1"))]), "{name}");
            }
            other => panic!("{name}: {other:?}"),
        }
        match put("v > :v", "3", false) {
            Err(CoreError::ConditionalCheckFailed { item: None }) => {}
            other => panic!("{name}: {other:?}"),
        }
        assert_eq!(
            get(&db, "a"),
            Some(item(&[("pk", s("a")), ("v", n("1"))])),
            "{name}"
        );
        put("v = :v", "2", false).expect(name);

        // Legacy Expected on DeleteItem: NE holds for a missing attribute.
        let delete = |entries: Vec<(String, ExpectedAttribute)>| {
            db.delete_item(
                &ctx(),
                DeleteItemInput {
                    table_name: "tbl".into(),
                    key: item(&[("pk", s("a"))]),
                    legacy: LegacyInput {
                        expected: Some(entries),
                        ..LegacyInput::default()
                    },
                    return_values: ReturnValues::AllOld,
                    ..DeleteItemInput::default()
                },
            )
        };
        let eq = |attr: &str, v: AttributeValue| {
            (
                attr.to_owned(),
                ExpectedAttribute {
                    comparison_operator: Some(ComparisonOperator::Eq),
                    attribute_value_list: Some(vec![v]),
                    ..ExpectedAttribute::default()
                },
            )
        };
        assert!(matches!(
            delete(vec![eq("v", n("1"))]),
            Err(CoreError::ConditionalCheckFailed { .. })
        ));
        let ne_missing = (
            "nope".to_owned(),
            ExpectedAttribute {
                comparison_operator: Some(ComparisonOperator::Ne),
                attribute_value_list: Some(vec![n("1")]),
                ..ExpectedAttribute::default()
            },
        );
        let out = delete(vec![eq("v", n("2")), ne_missing]).expect(name);
        assert_eq!(
            out.attributes,
            Some(item(&[("pk", s("a")), ("v", n("2"))])),
            "{name}"
        );
        assert_eq!(get(&db, "a"), None, "{name}");
    }
}

#[test]
fn update_item_semantics_and_return_values() {
    for (name, engine, _dir) in engines() {
        let db = open(engine);
        db.create_table(&ctx(), create_input("tbl", false))
            .expect(name);
        // Creates the item; operands read the item as it was.
        let mut input = update(
            "a",
            "SET x = :one, y = :two ADD s :s",
            &[
                (":one", n("1")),
                (":two", n("2")),
                (":s", AttributeValue::Ss(vec!["p".into()])),
            ],
        );
        input.return_values = ReturnValues::AllNew;
        input.return_consumed_capacity = ReturnConsumedCapacity::Total;
        let out = db.update_item(&ctx(), input).expect(name);
        let created = item(&[
            ("pk", s("a")),
            ("x", n("1")),
            ("y", n("2")),
            ("s", AttributeValue::Ss(vec!["p".into()])),
        ]);
        assert_eq!(out.attributes, Some(created.clone()), "{name}");
        assert_eq!(
            out.consumed_capacity.map(|c| c.capacity_units),
            Some(1.0),
            "{name}"
        );

        let mut input = update("a", "SET x = y, y = x REMOVE s", &[]);
        input.return_values = ReturnValues::UpdatedOld;
        let out = db.update_item(&ctx(), input).expect(name);
        assert_eq!(
            out.attributes,
            Some(item(&[
                ("x", n("1")),
                ("y", n("2")),
                ("s", AttributeValue::Ss(vec!["p".into()]))
            ])),
            "{name}"
        );
        assert_eq!(
            get(&db, "a"),
            Some(item(&[("pk", s("a")), ("x", n("2")), ("y", n("1"))])),
            "{name}"
        );

        let mut input = update("a", "SET z = :z", &[(":z", s("new"))]);
        input.return_values = ReturnValues::UpdatedNew;
        assert_eq!(
            db.update_item(&ctx(), input).expect(name).attributes,
            Some(item(&[("z", s("new"))]))
        );

        // Removing from a missing item creates nothing; an empty update
        // creates the key-only item.
        let mut input = update("gone", "REMOVE a.b, c", &[]);
        input.return_values = ReturnValues::AllNew;
        assert_eq!(
            db.update_item(&ctx(), input).expect(name).attributes,
            None,
            "{name}"
        );
        assert_eq!(get(&db, "gone"), None, "{name}");
        let empty = UpdateItemInput {
            table_name: "tbl".into(),
            key: item(&[("pk", s("bare"))]),
            ..UpdateItemInput::default()
        };
        db.update_item(&ctx(), empty).expect(name);
        assert_eq!(get(&db, "bare"), Some(item(&[("pk", s("bare"))])), "{name}");

        // Type errors and key updates change nothing.
        let e = db
            .update_item(&ctx(), update("a", "SET z = z + :one", &[(":one", n("1"))]))
            .unwrap_err();
        assert_eq!(
            validation(e),
            "An operand in the update expression has an incorrect data type",
            "{name}"
        );
        let e = db
            .update_item(&ctx(), update("a", "SET pk = :v", &[(":v", s("b"))]))
            .unwrap_err();
        assert_eq!(
            validation(e),
            "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"
        );

        // Legacy AttributeUpdates: ADD to a number, DELETE an attribute.
        let out = db
            .update_item(
                &ctx(),
                UpdateItemInput {
                    table_name: "tbl".into(),
                    key: item(&[("pk", s("a"))]),
                    legacy: LegacyInput {
                        attribute_updates: Some(vec![
                            (
                                "x".into(),
                                AttributeUpdate {
                                    action: Some(AttributeAction::Add),
                                    value: Some(n("40")),
                                },
                            ),
                            (
                                "z".into(),
                                AttributeUpdate {
                                    action: Some(AttributeAction::Delete),
                                    value: None,
                                },
                            ),
                        ]),
                        ..LegacyInput::default()
                    },
                    return_values: ReturnValues::AllNew,
                    ..UpdateItemInput::default()
                },
            )
            .expect(name);
        assert_eq!(
            out.attributes,
            Some(item(&[("pk", s("a")), ("x", n("42")), ("y", n("1"))])),
            "{name}"
        );

        // Over 400 KB after the update: rejected, item unchanged.
        let big = s(&"x".repeat(400 * 1024));
        let e = db
            .update_item(&ctx(), update("a", "SET big = :b", &[(":b", big)]))
            .unwrap_err();
        assert_eq!(
            validation(e),
            "Item size to update has exceeded the maximum allowed size",
            "{name}"
        );
        assert_eq!(
            get(&db, "a"),
            Some(item(&[("pk", s("a")), ("x", n("42")), ("y", n("1"))])),
            "{name}"
        );
    }
}

#[test]
fn expressions_are_validated_before_the_table_is_looked_up() {
    let (_, engine, _dir) = engines().remove(0);
    let db = open(engine);
    let mut input = update("a", "SET a = :v", &[(":v", n("1")), (":unused", n("2"))]);
    input.table_name = "missing".into();
    assert_eq!(
        validation(db.update_item(&ctx(), input).unwrap_err()),
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"
    );
    let input = PutItemInput {
        table_name: "missing".into(),
        item: item(&[("pk", s("a"))]),
        expressions: ExpressionInput {
            condition: Some("a = ".into()),
            ..ExpressionInput::default()
        },
        ..PutItemInput::default()
    };
    assert_eq!(
        validation(db.put_item(&ctx(), input).unwrap_err()),
        "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"= \""
    );
    let input = GetItemInput {
        table_name: "missing".into(),
        key: item(&[("pk", s("a"))]),
        expressions: ExpressionInput {
            projection: Some("a".into()),
            ..ExpressionInput::default()
        },
        legacy: LegacyInput {
            attributes_to_get: Some(vec!["a".into()]),
            ..LegacyInput::default()
        },
        ..GetItemInput::default()
    };
    assert_eq!(
        validation(db.get_item(&ctx(), input).unwrap_err()),
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"
    );
}

#[test]
fn concurrent_increments_are_never_lost() {
    const THREADS: usize = 8;
    const PER_THREAD: usize = 100;
    for (name, engine, _dir) in engines() {
        let db = Arc::new(open(engine));
        db.create_table(&ctx(), create_input("tbl", false))
            .expect(name);
        let barrier = Arc::new(Barrier::new(THREADS));
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                let db = Arc::clone(&db);
                let barrier = Arc::clone(&barrier);
                thread::spawn(move || {
                    barrier.wait();
                    for _ in 0..PER_THREAD {
                        db.update_item(&ctx(), update("c", "ADD n :one", &[(":one", n("1"))]))
                            .expect("update");
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().expect("worker");
        }
        let total = (THREADS * PER_THREAD).to_string();
        assert_eq!(
            get(&db, "c"),
            Some(item(&[("pk", s("c")), ("n", n(&total))])),
            "{name}"
        );
    }
}

#[test]
fn racing_conditional_creates_have_one_winner() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 25;
    for (name, engine, _dir) in engines() {
        let db = Arc::new(open(engine));
        db.create_table(&ctx(), create_input("tbl", false))
            .expect(name);
        for round in 0..ROUNDS {
            let key = format!("k{round}");
            let barrier = Arc::new(Barrier::new(THREADS));
            let workers: Vec<_> = (0..THREADS)
                .map(|t| {
                    let db = Arc::clone(&db);
                    let barrier = Arc::clone(&barrier);
                    let key = key.clone();
                    thread::spawn(move || {
                        barrier.wait();
                        let result = db.put_item(
                            &ctx(),
                            PutItemInput {
                                table_name: "tbl".into(),
                                item: item(&[("pk", s(&key)), ("owner", n(&t.to_string()))]),
                                expressions: ExpressionInput {
                                    condition: Some("attribute_not_exists(pk)".into()),
                                    ..ExpressionInput::default()
                                },
                                ..PutItemInput::default()
                            },
                        );
                        match result {
                            Ok(_) => Some(t),
                            Err(CoreError::ConditionalCheckFailed { .. }) => None,
                            Err(e) => panic!("{e:?}"),
                        }
                    })
                })
                .collect();
            let winners: Vec<usize> = workers
                .into_iter()
                .filter_map(|w| w.join().expect("worker"))
                .collect();
            assert_eq!(winners.len(), 1, "{name} round {round}: {winners:?}");
            let stored = get(&db, &key).expect("item");
            assert_eq!(
                stored.get("owner"),
                Some(&n(&winners[0].to_string())),
                "{name}"
            );
        }
    }
}

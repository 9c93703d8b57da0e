//! Secondary indexes against a model, over each storage engine: two global
//! indexes and a local one under random PutItem, UpdateItem, DeleteItem,
//! BatchWriteItem and TransactWriteItems (items entering, moving within and
//! leaving each index), every index compared after each step with the same
//! reads computed from an in-memory model of the table: Query in both
//! directions, paged and not, with sort-key conditions; Scan; the per-index
//! item counts and sizes.

use std::collections::BTreeSet;

use ferrodyn_core::expressions::ExpressionInput;
use ferrodyn_core::ops::batch_write_item::WriteRequest;
use ferrodyn_core::ops::transact_write_items::TransactWriteKind;
use ferrodyn_core::{CoreError, Database};
use ferrodyn_model::schema::ScalarType;
use ferrodyn_model::{AttributeValue, Item};

mod index_support;
mod support;

use index_support::*;
use support::*;

const G1: Spec = Spec {
    name: "g1",
    global: true,
    hash: ("ga", ScalarType::S),
    range: Some(("gb", ScalarType::N)),
    projection: Proj::All,
};
const G2: Spec = Spec {
    name: "g2",
    global: true,
    hash: ("gc", ScalarType::S),
    range: None,
    projection: Proj::KeysOnly,
};
const L1: Spec = Spec {
    name: "l1",
    global: false,
    hash: ("pk", ScalarType::S),
    range: Some(("la", ScalarType::S)),
    projection: Proj::Include(&["x"]),
};

const PKS: [&str; 4] = ["p0", "p1", "p2", "p3"];
const SORT_KEYS: usize = 8;
const GA: [&str; 3] = ["a0", "a1", "a2"];
/// Numbers whose numeric order is not their text order, and two spellings
/// of one number.
const GB: [&str; 4] = ["-1.5", "9", "10", "1E1"];
const GC: [&str; 3] = ["c0", "c1", "c2"];
/// Strings where one is a prefix of another, for `begins_with`.
const LA: [&str; 3] = ["m", "m0", "n"];
const ATTRS: [&str; 6] = ["ga", "gb", "gc", "la", "x", "y"];
const MODEL_STEPS: usize = 600;

fn random_key(rng: &mut Rng) -> TableKey {
    (
        rng.pick(&PKS).to_owned(),
        Some(num(&rng.below(SORT_KEYS).to_string())),
    )
}

fn random_value(rng: &mut Rng, attr: &str) -> AttributeValue {
    match attr {
        "ga" => s(rng.pick(&GA)),
        "gb" => n(rng.pick(&GB)),
        "gc" => s(rng.pick(&GC)),
        "la" => s(rng.pick(&LA)),
        "x" if rng.percent(50) => s(&"x".repeat(rng.below(30))),
        "x" => n(&rng.below(1000).to_string()),
        _ => n(&rng.below(100).to_string()),
    }
}

fn random_item(rng: &mut Rng, key: &TableKey) -> Item {
    let mut item = key_item(key);
    for attr in ATTRS {
        if rng.percent(70) {
            item.insert(attr.into(), random_value(rng, attr));
        }
    }
    item
}

/// 1 to 4 SET or REMOVE actions on distinct attributes.
fn random_actions(rng: &mut Rng) -> Actions {
    let mut attrs = ATTRS.to_vec();
    let count = 1 + rng.below(4);
    let mut actions = Vec::new();
    for _ in 0..count {
        let attr = attrs.remove(rng.below(attrs.len()));
        let value = rng.percent(60).then(|| random_value(rng, attr));
        actions.push((attr, value));
    }
    actions
}

fn distinct_keys(rng: &mut Rng, count: usize) -> Vec<TableKey> {
    let mut keys = BTreeSet::new();
    while keys.len() < count {
        keys.insert(random_key(rng));
    }
    let mut keys: Vec<TableKey> = keys.into_iter().collect();
    // Not in key order.
    for i in (1..keys.len()).rev() {
        keys.swap(i, rng.below(i + 1));
    }
    keys
}

/// Items that must be refused: an index key attribute of the wrong type or
/// empty.
fn invalid_attribute(rng: &mut Rng) -> (&'static str, AttributeValue) {
    match rng.below(5) {
        0 => ("ga", n("1")),
        1 => ("gb", s("9")),
        2 => ("gc", s("")),
        3 => ("la", n("2")),
        _ => ("la", s("")),
    }
}

fn invalid_item(rng: &mut Rng, key: &TableKey) -> Item {
    let mut item = random_item(rng, key);
    let (name, value) = invalid_attribute(rng);
    item.insert(name.into(), value);
    item
}

/// One random write, applied to the database and to the model.
fn model_step(db: &Database, rng: &mut Rng, model: &mut Model, label: &str) {
    const T: &str = "t";
    match rng.below(100) {
        0..=21 => {
            let key = random_key(rng);
            let item = random_item(rng, &key);
            put(db, T, item.clone()).unwrap_or_else(|e| panic!("{label}: put: {e:?}"));
            model.insert(key, item);
        }
        22..=51 => {
            let key = random_key(rng);
            let actions = random_actions(rng);
            let old = model.get(&key);
            if rng.percent(20) {
                let result = update(db, T, &key, &actions, Some("attribute_exists(pk)"));
                if old.is_none() {
                    expect_condition_failed(label, result);
                    return;
                }
                result.unwrap_or_else(|e| panic!("{label}: update: {e:?}"));
            } else {
                update(db, T, &key, &actions, None)
                    .unwrap_or_else(|e| panic!("{label}: update {actions:?}: {e:?}"));
            }
            match apply_update(old, &key, &actions) {
                Some(new) => model.insert(key, new),
                None => model.remove(&key),
            };
        }
        52..=63 => {
            let key = random_key(rng);
            if rng.percent(30) {
                let result = delete(db, T, &key, Some("attribute_not_exists(ga)"));
                if model.get(&key).is_some_and(|i| i.contains_key("ga")) {
                    expect_condition_failed(label, result);
                    return;
                }
                result.unwrap_or_else(|e| panic!("{label}: delete: {e:?}"));
            } else {
                delete(db, T, &key, None).unwrap_or_else(|e| panic!("{label}: delete: {e:?}"));
            }
            model.remove(&key);
        }
        64..=77 => {
            let count = 1 + rng.below(6);
            let mut requests = Vec::new();
            let mut after = Vec::new();
            for key in distinct_keys(rng, count) {
                if rng.percent(65) {
                    let item = random_item(rng, &key);
                    requests.push(WriteRequest::Put(item.clone()));
                    after.push((key, Some(item)));
                } else {
                    requests.push(WriteRequest::Delete(key_item(&key)));
                    after.push((key, None));
                }
            }
            batch_write(db, T, requests).unwrap_or_else(|e| panic!("{label}: batch: {e:?}"));
            for (key, item) in after {
                match item {
                    Some(item) => model.insert(key, item),
                    None => model.remove(&key),
                };
            }
        }
        78..=91 => {
            let count = 1 + rng.below(4);
            let mut actions = Vec::new();
            let mut after = Vec::new();
            let mut cancelled = false;
            for key in distinct_keys(rng, count) {
                let old = model.get(&key);
                match rng.below(10) {
                    0..=2 => {
                        let item = random_item(rng, &key);
                        actions.push(action(
                            T,
                            TransactWriteKind::Put { item: item.clone() },
                            ExpressionInput::default(),
                        ));
                        after.push((key, Some(item)));
                    }
                    3..=5 => {
                        let updates = random_actions(rng);
                        let new = apply_update(old, &key, &updates);
                        actions.push(action(
                            T,
                            TransactWriteKind::Update {
                                key: key_item(&key),
                            },
                            update_expressions(&updates, None),
                        ));
                        after.push((key, new));
                    }
                    6 | 7 => {
                        actions.push(action(
                            T,
                            TransactWriteKind::Delete {
                                key: key_item(&key),
                            },
                            ExpressionInput::default(),
                        ));
                        after.push((key, None));
                    }
                    _ => {
                        cancelled |= old.is_none();
                        actions.push(action(
                            T,
                            TransactWriteKind::ConditionCheck {
                                key: key_item(&key),
                            },
                            ExpressionInput {
                                condition: Some("attribute_exists(pk)".into()),
                                ..ExpressionInput::default()
                            },
                        ));
                    }
                }
            }
            let result = transact(db, actions);
            if cancelled {
                match result {
                    Err(CoreError::TransactionCanceled { .. }) => return,
                    other => panic!("{label}: expected a cancelled transaction, got {other:?}"),
                }
            }
            result.unwrap_or_else(|e| panic!("{label}: transaction: {e:?}"));
            for (key, item) in after {
                match item {
                    Some(item) => model.insert(key, item),
                    None => model.remove(&key),
                };
            }
        }
        roll => {
            // Writes every index must refuse, leaving everything as it was.
            let key = random_key(rng);
            match roll % 4 {
                0 => expect_validation(label, put(db, T, invalid_item(rng, &key))),
                1 => {
                    let (name, value) = invalid_attribute(rng);
                    let mut actions = random_actions(rng);
                    actions.retain(|(a, _)| *a != name);
                    actions.push((name, Some(value)));
                    expect_validation(label, update(db, T, &key, &actions, None));
                }
                2 => {
                    // A valid put first: nothing of the batch may be written.
                    let keys = distinct_keys(rng, 2);
                    let requests = vec![
                        WriteRequest::Put(random_item(rng, &keys[0])),
                        WriteRequest::Put(invalid_item(rng, &keys[1])),
                    ];
                    expect_validation(label, batch_write(db, T, requests));
                }
                _ => {
                    let keys = distinct_keys(rng, 2);
                    let actions = vec![
                        action(
                            T,
                            TransactWriteKind::Put {
                                item: random_item(rng, &keys[0]),
                            },
                            ExpressionInput::default(),
                        ),
                        action(
                            T,
                            TransactWriteKind::Put {
                                item: invalid_item(rng, &keys[1]),
                            },
                            ExpressionInput::default(),
                        ),
                    ];
                    let result = transact(db, actions);
                    assert!(result.is_err(), "{label}: a transaction with a bad item");
                }
            }
        }
    }
}

fn model_table(db: &Database) {
    let mut input = create_input("t", true);
    for spec in [G1, G2, L1] {
        for def in spec.attribute_definitions() {
            if !input
                .attribute_definitions
                .iter()
                .any(|d| d.name == def.name)
            {
                input.attribute_definitions.push(def);
            }
        }
    }
    input.global_secondary_indexes = Some(vec![G1.definition(), G2.definition()]);
    input.local_secondary_indexes = Some(vec![L1.definition()]);
    db.create_table(&ctx(), input).expect("create");
}

#[test]
fn indexes_match_a_model_under_random_writes() {
    let ga: Vec<AttributeValue> = GA.iter().chain(&["zz"]).map(|v| s(v)).collect();
    let gb: Vec<AttributeValue> = GB
        .iter()
        .chain(&["0", "9.5", "-100"])
        .map(|v| n(v))
        .collect();
    let gc: Vec<AttributeValue> = GC.iter().chain(&["c9"]).map(|v| s(v)).collect();
    let pks: Vec<AttributeValue> = PKS.iter().chain(&["p9"]).map(|v| s(v)).collect();
    let la: Vec<AttributeValue> = LA.iter().chain(&["l", "m00", "o"]).map(|v| s(v)).collect();
    let domains = [
        (
            G1,
            Domain {
                hashes: &ga,
                ranges: &gb,
            },
        ),
        (
            G2,
            Domain {
                hashes: &gc,
                ranges: &[],
            },
        ),
        (
            L1,
            Domain {
                hashes: &pks,
                ranges: &la,
            },
        ),
    ];
    for (name, engine, _dir) in engines() {
        let db = open(engine);
        model_table(&db);
        let mut rng = Rng::new(0x1de5);
        let mut model = Model::new();
        for step in 0..MODEL_STEPS {
            let label = format!("{name} step {step}");
            model_step(&db, &mut rng, &mut model, &label);
            for (spec, domain) in &domains {
                check_index(&db, "t", spec, domain, &model, &mut rng, &label);
            }
            check_stats(&db, "t", &[G1, G2, L1], &model, &label);
        }
        // The run must have exercised every index with items in it.
        for spec in [G1, G2, L1] {
            assert!(
                !model_entries(&spec, &model).is_empty(),
                "{name}: {} ended empty",
                spec.name
            );
        }
    }
}

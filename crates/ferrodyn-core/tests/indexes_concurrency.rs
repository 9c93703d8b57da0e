//! The atomicity of index maintenance, over each storage engine: concurrent
//! writers move items between index partitions while concurrent readers
//! check that no entry is ever missing, doubled or stale.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use ferrodyn_core::ops::batch_write_item::WriteRequest;
use ferrodyn_core::ops::scan::ScanInput;
use ferrodyn_core::ops::transact_write_items::TransactWriteKind;
use ferrodyn_core::{CoreError, Database};
use ferrodyn_model::AttributeValue;
use ferrodyn_model::schema::ScalarType;

mod index_support;
mod support;

use index_support::*;
use support::*;

const MOVES: Spec = Spec {
    name: "g",
    global: true,
    hash: ("gp", ScalarType::S),
    range: Some(("gs", ScalarType::N)),
    projection: Proj::All,
};
const GP: [&str; 4] = ["q0", "q1", "q2", "q3"];
/// Items always in the index, moved between its partitions.
const STABLE: usize = 200;
/// Items that leave and enter the index. With the stable ones, fewer than
/// the engine's page of 256 entries, so that one Scan call without a Limit
/// reads the whole index at one point in time.
const TOGGLING: usize = 40;
const MOVE_WRITES: usize = 2_500;

fn move_actions(rng: &mut Rng) -> Actions {
    vec![
        ("gp", Some(s(rng.pick(&GP)))),
        ("gs", Some(n(&rng.below(7).to_string()))),
        ("c", Some(n(&rng.below(1000).to_string()))),
    ]
}

#[test]
fn index_moves_are_atomic_under_concurrent_writers() {
    for (name, engine, _dir) in engines() {
        let db = open(engine);
        let mut input = create_input("mv", false);
        input
            .attribute_definitions
            .extend(MOVES.attribute_definitions());
        input.global_secondary_indexes = Some(vec![MOVES.definition()]);
        db.create_table(&ctx(), input).expect("create");
        let stable: Vec<TableKey> = (0..STABLE).map(|i| (format!("s{i:03}"), None)).collect();
        let toggling: Vec<TableKey> = (0..TOGGLING).map(|i| (format!("t{i:02}"), None)).collect();
        let mut requests = Vec::new();
        for (i, key) in stable.iter().chain(&toggling).enumerate() {
            let mut item = key_item(key);
            if key.0.starts_with('s') || i % 2 == 0 {
                item.insert("gp".into(), s(GP[i % GP.len()]));
                item.insert("gs".into(), n(&(i % 7).to_string()));
            }
            requests.push(WriteRequest::Put(item));
            if requests.len() == 25 {
                batch_write(&db, "mv", std::mem::take(&mut requests)).expect("preload");
            }
        }
        batch_write(&db, "mv", requests).expect("preload");

        let writers_done = AtomicUsize::new(0);
        let (written, rounds) = std::thread::scope(|scope| {
            let writers: Vec<_> = (0..4u64)
                .map(|t| {
                    let (db, stable, toggling, writers_done) =
                        (&db, &stable, &toggling, &writers_done);
                    scope.spawn(move || {
                        let mut rng = Rng::new(7 + t);
                        let mut written = 0;
                        for _ in 0..MOVE_WRITES {
                            let result = match rng.below(10) {
                                0..=5 => {
                                    let key = rng.pick(stable);
                                    update(db, "mv", &key, &move_actions(&mut rng), None)
                                }
                                6 | 7 => {
                                    let key = rng.pick(toggling);
                                    let actions = if rng.percent(50) {
                                        vec![("gp", None)]
                                    } else {
                                        move_actions(&mut rng)
                                    };
                                    update(db, "mv", &key, &actions, None)
                                }
                                _ => {
                                    // Two moves in one transaction.
                                    let a = rng.below(STABLE);
                                    let b = (a + 1 + rng.below(STABLE - 1)) % STABLE;
                                    let actions = [a, b]
                                        .into_iter()
                                        .map(|k| {
                                            action(
                                                "mv",
                                                TransactWriteKind::Update {
                                                    key: key_item(&stable[k]),
                                                },
                                                update_expressions(&move_actions(&mut rng), None),
                                            )
                                        })
                                        .collect();
                                    transact(db, actions)
                                }
                            };
                            match result {
                                Ok(()) => written += 1,
                                // Single writes and transactions on one
                                // item may conflict; nothing is written.
                                Err(CoreError::TransactionConflict(_))
                                | Err(CoreError::TransactionCanceled { .. }) => {}
                                Err(e) => panic!("{name}: writer {t}: {e:?}"),
                            }
                        }
                        writers_done.fetch_add(1, Ordering::SeqCst);
                        written
                    })
                })
                .collect();
            let readers: Vec<_> = (0..2u64)
                .map(|r| {
                    let (db, writers_done) = (&db, &writers_done);
                    scope.spawn(move || {
                        let mut rng = Rng::new(70 + r);
                        let mut rounds = 0;
                        while writers_done.load(Ordering::SeqCst) < 4 || rounds < 3 {
                            rounds += 1;
                            check_snapshot(db, &mut rng, &format!("{name} reader {r}"));
                        }
                        rounds
                    })
                })
                .collect();
            let written: usize = writers.into_iter().map(|w| w.join().expect("writer")).sum();
            let rounds: usize = readers.into_iter().map(|r| r.join().expect("reader")).sum();
            (written, rounds)
        });
        eprintln!("{name}: {written} writes, {rounds} reader rounds");
        assert!(
            written > MOVE_WRITES,
            "{name}: only {written} writes succeeded"
        );

        // At rest, the index is exactly the table's projection.
        let mut model = Model::new();
        let mut input = ScanInput {
            table_name: "mv".into(),
            consistent_read: true,
            ..ScanInput::default()
        };
        loop {
            let out = db.scan(&ctx(), input.clone()).expect("scan table");
            for item in out.items.expect("items") {
                model.insert(table_key(&item), item);
            }
            match out.last_evaluated_key {
                Some(k) => input.exclusive_start_key = Some(k),
                None => break,
            }
        }
        assert_eq!(model.len(), STABLE + TOGGLING, "{name}");
        let hashes: Vec<AttributeValue> = GP.iter().chain(&["q9"]).map(|v| s(v)).collect();
        let ranges: Vec<AttributeValue> = (0..8).map(|i| n(&i.to_string())).collect();
        let domain = Domain {
            hashes: &hashes,
            ranges: &ranges,
        };
        let mut rng = Rng::new(0xa70);
        let label = format!("{name} at rest");
        check_index(&db, "mv", &MOVES, &domain, &model, &mut rng, &label);
        check_stats(&db, "mv", &[MOVES], &model, &label);
    }
}

/// What a reader checks while writers move items: one Scan call reads the
/// whole index at one point in time, so every stable item is in it exactly
/// once and no item twice; every page of a paged Scan or Query (also one
/// point in time) holds no item twice; a Query returns only items of its
/// partition, in sort-key order.
fn check_snapshot(db: &Database, rng: &mut Rng, label: &str) {
    let whole = db
        .scan(
            &ctx(),
            ScanInput {
                table_name: "mv".into(),
                index_name: Some(MOVES.name.into()),
                ..ScanInput::default()
            },
        )
        .expect("scan");
    assert!(whole.last_evaluated_key.is_none(), "{label}");
    let items = whole.items.expect("items");
    let keys: Vec<TableKey> = items.iter().map(table_key).collect();
    let unique: BTreeSet<&TableKey> = keys.iter().collect();
    assert_eq!(
        unique.len(),
        keys.len(),
        "{label}: an item twice in one scan"
    );
    let stable = unique.iter().filter(|k| k.0.starts_with('s')).count();
    assert_eq!(
        stable, STABLE,
        "{label}: stable items missing from one scan"
    );
    for item in &items {
        assert!(
            MOVES.entry(item).is_some(),
            "{label}: {item:?} has no index key"
        );
    }

    let limit = 1 + rng.below(40);
    let mut input = ScanInput {
        table_name: "mv".into(),
        index_name: Some(MOVES.name.into()),
        limit: Some(limit),
        ..ScanInput::default()
    };
    loop {
        let out = db.scan(&ctx(), input.clone()).expect("scan");
        let page = check_page(label, &MOVES, &out, Some(limit), false);
        let unique: BTreeSet<TableKey> = page.iter().map(table_key).collect();
        assert_eq!(unique.len(), page.len(), "{label}: an item twice in a page");
        match out.last_evaluated_key {
            Some(k) => input.exclusive_start_key = Some(k),
            None => break,
        }
    }

    for gp in GP {
        let q = Q {
            hash: &s(gp),
            pred: None,
            forward: rng.percent(50),
            limit: None,
            select: None,
            consistent: false,
        };
        let (items, _) = query_all(db, "mv", &MOVES, &q, label);
        let unique: BTreeSet<TableKey> = items.iter().map(table_key).collect();
        assert_eq!(unique.len(), items.len(), "{label}: an item twice in {gp}");
        let mut sorts = Vec::new();
        for item in &items {
            let (hash, sort) = MOVES.entry(item).expect("index keys");
            assert_eq!(hash, Scalar::S(gp.into()), "{label}: {item:?} in {gp}");
            sorts.push(sort);
        }
        if !q.forward {
            sorts.reverse();
        }
        assert!(sorts.is_sorted(), "{label}: {gp} out of order: {sorts:?}");
    }
}

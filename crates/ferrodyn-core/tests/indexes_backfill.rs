//! The backfill of a global index added by UpdateTable, over each storage
//! engine: with writes interleaved between its steps (the partial index
//! checked after each), concurrent with it, and across a restart.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Barrier, Mutex};

use ferrodyn_core::Database;
use ferrodyn_core::database::INDEX_ENTRY_OVERHEAD_BYTES;
use ferrodyn_core::index::IndexStatus;
use ferrodyn_core::keyspace;
use ferrodyn_core::ops::batch_write_item::WriteRequest;
use ferrodyn_core::ops::transact_write_items::TransactWriteKind;
use ferrodyn_core::ops::update_table::{GlobalSecondaryIndexUpdate, UpdateTableInput};
use ferrodyn_model::codec::decode_item;
use ferrodyn_model::schema::ScalarType;
use ferrodyn_model::value::item_size_bytes;
use ferrodyn_model::{AttributeValue, Item};
use ferrodyn_storage::{Direction, Engine, ReadConsistency, ScanRequest, prefix_end};

mod index_support;
mod support;

use index_support::*;
use support::*;

/// The index added to a table that already has items.
const GNEW: Spec = Spec {
    name: "gnew",
    global: true,
    hash: ("gk", ScalarType::S),
    range: Some(("gs", ScalarType::N)),
    projection: Proj::Include(&["v"]),
};
const GK: [&str; 5] = ["k0", "k1", "k2", "k3", "k4"];
const GS: [&str; 5] = ["-3", "0", "0.5", "12", "100"];
const BACKFILL_ITEMS: usize = 2_000;
const BACKFILL_PARTITIONS: usize = 50;
const BACKFILL_ATTRS: [&str; 3] = ["gk", "gs", "v"];

/// A partition-key value one byte over the index key limit: the table
/// accepts it (its `gk` is no key yet), the future index cannot.
fn oversized_gk(i: usize) -> AttributeValue {
    let mut text = format!("big{i}-");
    text.extend(std::iter::repeat_n('x', 2049 - text.len()));
    s(&text)
}

/// Creates table `bf` with `BACKFILL_ITEMS` items: some without the future
/// index's key attributes, some with them of the wrong type, empty, or over
/// the index key size limit (which the backfill must leave out).
fn backfill_table(db: &Database, rng: &mut Rng) -> Model {
    db.create_table(&ctx(), create_input("bf", true))
        .expect("create");
    let mut model = Model::new();
    let mut requests = Vec::new();
    for i in 0..BACKFILL_ITEMS {
        let key = (
            format!("p{:02}", i % BACKFILL_PARTITIONS),
            Some(num(&(i / BACKFILL_PARTITIONS).to_string())),
        );
        let mut item = key_item(&key);
        match rng.below(10) {
            0..=2 => {}
            3 => {
                item.insert("gk".into(), n(&i.to_string()));
            }
            4 => {
                item.insert("gk".into(), s(""));
            }
            5 => {
                item.insert("gk".into(), oversized_gk(i));
            }
            _ => {
                item.insert("gk".into(), s(rng.pick(&GK)));
            }
        }
        match rng.below(10) {
            0 => {}
            1 => {
                item.insert("gs".into(), s("twelve"));
            }
            _ => {
                item.insert("gs".into(), n(rng.pick(&GS)));
            }
        }
        item.insert("v".into(), n(&i.to_string()));
        item.insert("w".into(), s(&format!("w{i}")));
        requests.push(WriteRequest::Put(item.clone()));
        model.insert(key, item);
        if requests.len() == 25 {
            batch_write(db, "bf", std::mem::take(&mut requests)).expect("preload");
        }
    }
    if !requests.is_empty() {
        batch_write(db, "bf", requests).expect("preload");
    }
    model
}

fn index_status(db: &Database, table: &str, index: &str) -> IndexStatus {
    db.describe_table(&ctx(), table)
        .expect("describe")
        .meta
        .index(index)
        .unwrap_or_else(|| panic!("no index {index}"))
        .status
}

fn add_index(db: &Database, table: &str, spec: &Spec) {
    let d = db
        .update_table(
            &ctx(),
            UpdateTableInput {
                table_name: table.into(),
                attribute_definitions: Some(spec.attribute_definitions()),
                global_secondary_index_updates: Some(vec![GlobalSecondaryIndexUpdate {
                    create: Some(spec.definition()),
                    ..GlobalSecondaryIndexUpdate::default()
                }]),
                ..UpdateTableInput::default()
            },
        )
        .expect("add index");
    let index = d.meta.index(spec.name).expect("the new index");
    assert_eq!(index.status, IndexStatus::Creating);
    assert_eq!(index_status(db, table, spec.name), IndexStatus::Creating);
}

/// A key of `bf`: the preloaded ones and some new; with an owner, only
/// keys whose partition number has that parity.
fn backfill_key(rng: &mut Rng, owner: Option<usize>) -> TableKey {
    let mut p = rng.below(BACKFILL_PARTITIONS + 10);
    if let Some(t) = owner {
        p = p - p % 2 + t;
    }
    (
        format!("p{p:02}"),
        Some(num(&rng
            .below(BACKFILL_ITEMS / BACKFILL_PARTITIONS + 5)
            .to_string())),
    )
}

fn backfill_value(rng: &mut Rng, attr: &str) -> AttributeValue {
    match attr {
        "gk" => s(rng.pick(&GK)),
        "gs" => n(rng.pick(&GS)),
        _ => n(&rng.below(1_000_000).to_string()),
    }
}

/// One random write on `key`, whose item is `old`, touching the index's
/// key attributes; returns the item after it. A write that would leave an
/// index key attribute of the wrong type (on an item preloaded so) must be
/// refused.
fn backfill_write(
    db: &Database,
    rng: &mut Rng,
    key: &TableKey,
    old: Option<&Item>,
    label: &str,
) -> Option<Item> {
    match rng.below(10) {
        0..=2 => {
            let mut item = key_item(key);
            for attr in BACKFILL_ATTRS {
                if rng.percent(75) {
                    item.insert(attr.into(), backfill_value(rng, attr));
                }
            }
            put(db, "bf", item.clone()).unwrap_or_else(|e| panic!("{label}: put: {e:?}"));
            Some(item)
        }
        3..=7 => {
            let mut attrs = BACKFILL_ATTRS.to_vec();
            let mut actions = Actions::new();
            for _ in 0..1 + rng.below(3) {
                let attr = attrs.remove(rng.below(attrs.len()));
                let value = rng.percent(70).then(|| backfill_value(rng, attr));
                actions.push((attr, value));
            }
            let new = apply_update(old, key, &actions);
            let valid = new.as_ref().is_none_or(|i| GNEW.accepts(i));
            if rng.percent(25) {
                // The same update as a transaction.
                let result = transact(
                    db,
                    vec![action(
                        "bf",
                        TransactWriteKind::Update { key: key_item(key) },
                        update_expressions(&actions, None),
                    )],
                );
                if valid {
                    result.unwrap_or_else(|e| panic!("{label}: transaction {actions:?}: {e:?}"));
                    return new;
                }
                assert!(
                    result.is_err(),
                    "{label}: transaction {actions:?} on {old:?}"
                );
                return old.cloned();
            }
            let result = update(db, "bf", key, &actions, None);
            if valid {
                result.unwrap_or_else(|e| panic!("{label}: update {actions:?}: {e:?}"));
                new
            } else {
                expect_validation(label, result);
                old.cloned()
            }
        }
        _ => {
            delete(db, "bf", key, None).unwrap_or_else(|e| panic!("{label}: delete: {e:?}"));
            None
        }
    }
}

/// The entries of an index as stored, read through the engine (whatever
/// the index's status), decoded.
fn stored_entries(engine: &dyn Engine, index_id: u64) -> Vec<Item> {
    let start = keyspace::index_entries_prefix(index_id);
    let end = prefix_end(&start).expect("prefix end");
    let page = engine
        .scan(&ScanRequest {
            start: &start,
            end: &end,
            direction: Direction::Forward,
            limit_items: usize::MAX,
            limit_bytes: usize::MAX,
            consistency: ReadConsistency::Strong,
        })
        .expect("engine scan");
    assert!(!page.more);
    page.entries
        .iter()
        .map(|(_, v)| decode_item(v).expect("entry"))
        .collect()
}

/// While the index is being built: every entry present is the current
/// projection of an item that belongs in the index (none stale, none
/// twice), and the index's counters count exactly the entries present.
fn check_partial_index(db: &Database, engine: &dyn Engine, model: &Model, label: &str) -> usize {
    let d = db.describe_table(&ctx(), "bf").expect("describe");
    let pos = d
        .meta
        .indexes
        .iter()
        .position(|i| i.name == GNEW.name)
        .expect("the index");
    let entries = stored_entries(engine, d.meta.indexes[pos].id);
    let mut seen = BTreeSet::new();
    let mut size = 0;
    for entry in &entries {
        let key = table_key(entry);
        assert!(seen.insert(key.clone()), "{label}: two entries for {key:?}");
        let current = model
            .get(&key)
            .filter(|i| GNEW.entry(i).is_some())
            .unwrap_or_else(|| panic!("{label}: an entry for {key:?}, which is not in the index"));
        assert_eq!(*entry, GNEW.project(current), "{label}: a stale entry");
        size += item_size_bytes(entry) + INDEX_ENTRY_OVERHEAD_BYTES;
    }
    assert_eq!(
        d.index_stats[pos],
        (entries.len() as i64, size as i64),
        "{label}: the counters of a partial index"
    );
    entries.len()
}

fn backfill_domain_check(db: &Database, model: &Model, rng: &mut Rng, label: &str) {
    let hashes: Vec<AttributeValue> = GK.iter().chain(&["k9"]).map(|v| s(v)).collect();
    let ranges: Vec<AttributeValue> = GS.iter().chain(&["1", "-100"]).map(|v| n(v)).collect();
    let domain = Domain {
        hashes: &hashes,
        ranges: &ranges,
    };
    check_index(db, "bf", &GNEW, &domain, model, rng, label);
    check_stats(db, "bf", &[GNEW], model, label);
}

#[test]
fn backfill_builds_a_new_index_under_interleaved_writes() {
    for (name, engine, _dir) in engines() {
        let db = open(engine.clone());
        let mut rng = Rng::new(0xbac4);
        let mut model = backfill_table(&db, &mut rng);
        // Items the index must leave out are there to be left out.
        assert!(
            model
                .values()
                .any(|i| matches!(i.get("gk"), Some(AttributeValue::N(_))))
        );
        assert!(model.values().any(|i| i.get("gk") == Some(&s(""))));
        add_index(&db, "bf", &GNEW);
        let mut steps = 0;
        while db.backfill_step().expect("backfill step") {
            steps += 1;
            assert!(steps < 10_000, "{name}: the backfill does not end");
            if steps == 1 {
                assert_eq!(
                    index_status(&db, "bf", GNEW.name),
                    IndexStatus::Creating,
                    "{name}: done after one page of {BACKFILL_ITEMS} items"
                );
            }
            let label = format!("{name} backfill step {steps}");
            check_partial_index(&db, engine.as_ref(), &model, &label);
            for _ in 0..40 {
                let key = backfill_key(&mut rng, None);
                let new = backfill_write(&db, &mut rng, &key, model.get(&key), &label);
                match new {
                    Some(item) => model.insert(key, item),
                    None => model.remove(&key),
                };
            }
            check_partial_index(&db, engine.as_ref(), &model, &label);
        }
        assert!(steps > 1, "{name}: the backfill took {steps} steps");
        assert_eq!(
            index_status(&db, "bf", GNEW.name),
            IndexStatus::Active,
            "{name}"
        );
        assert!(!db.backfill_step().expect("backfill step"), "{name}");
        backfill_domain_check(&db, &model, &mut rng, &format!("{name} after backfill"));
        // The active index is maintained by writes as any other.
        for round in 0..5 {
            for _ in 0..40 {
                let key = backfill_key(&mut rng, None);
                let new = backfill_write(&db, &mut rng, &key, model.get(&key), name);
                match new {
                    Some(item) => model.insert(key, item),
                    None => model.remove(&key),
                };
            }
            backfill_domain_check(&db, &model, &mut rng, &format!("{name} round {round}"));
        }
    }
}

#[test]
fn backfill_resumes_after_a_restart() {
    for (name, engine, _dir) in engines() {
        let mut rng = Rng::new(0x5e7);
        let db = open(engine.clone());
        let mut model = backfill_table(&db, &mut rng);
        add_index(&db, "bf", &GNEW);
        for step in 0..3 {
            assert!(db.backfill_step().expect("backfill step"), "{name}");
            for _ in 0..20 {
                let key = backfill_key(&mut rng, None);
                let label = format!("{name} step {step}");
                let new = backfill_write(&db, &mut rng, &key, model.get(&key), &label);
                match new {
                    Some(item) => model.insert(key, item),
                    None => model.remove(&key),
                };
            }
        }
        let built = check_partial_index(&db, engine.as_ref(), &model, name);
        assert!(built > 0, "{name}: nothing built in three pages");
        // A new process over the same storage: the index is still being
        // built, and the backfill starts over, skipping what is there.
        drop(db);
        let db = open(engine.clone());
        assert_eq!(
            index_status(&db, "bf", GNEW.name),
            IndexStatus::Creating,
            "{name}"
        );
        check_partial_index(&db, engine.as_ref(), &model, name);
        let mut steps = 0;
        while db.backfill_step().expect("backfill step") {
            steps += 1;
            assert!(steps < 10_000, "{name}: the backfill does not end");
        }
        assert_eq!(
            index_status(&db, "bf", GNEW.name),
            IndexStatus::Active,
            "{name}"
        );
        backfill_domain_check(&db, &model, &mut rng, &format!("{name} after a restart"));
    }
}

const CONCURRENT_WRITES: usize = 1_500;

#[test]
fn backfill_builds_a_new_index_under_concurrent_writes() {
    for (name, engine, _dir) in engines() {
        let db = open(engine);
        let mut rng = Rng::new(0xc0c0);
        let model = Mutex::new(backfill_table(&db, &mut rng));
        add_index(&db, "bf", &GNEW);
        let done = AtomicBool::new(false);
        let start = Barrier::new(3);
        let (steps, during) = std::thread::scope(|scope| {
            let backfill = scope.spawn(|| {
                start.wait();
                let mut steps = 0usize;
                while db.backfill_step().expect("backfill step") {
                    steps += 1;
                }
                done.store(true, Ordering::SeqCst);
                steps
            });
            let writers: Vec<_> = (0..2)
                .map(|t| {
                    let (db, model, done, start) = (&db, &model, &done, &start);
                    scope.spawn(move || {
                        start.wait();
                        let mut rng = Rng::new(100 + t as u64);
                        let mut during = 0;
                        for i in 0..CONCURRENT_WRITES {
                            let key = backfill_key(&mut rng, Some(t));
                            let old = model.lock().expect("model").get(&key).cloned();
                            let label = format!("{name} writer {t} write {i}");
                            let new = backfill_write(db, &mut rng, &key, old.as_ref(), &label);
                            let mut model = model.lock().expect("model");
                            match new {
                                Some(item) => model.insert(key, item),
                                None => model.remove(&key),
                            };
                            during += usize::from(!done.load(Ordering::SeqCst));
                        }
                        during
                    })
                })
                .collect();
            let steps = backfill.join().expect("backfill thread");
            let during: usize = writers
                .into_iter()
                .map(|w| w.join().expect("writer thread"))
                .sum();
            (steps, during)
        });
        eprintln!("{name}: {steps} backfill steps, {during} writes while it ran");
        assert_eq!(
            index_status(&db, "bf", GNEW.name),
            IndexStatus::Active,
            "{name}"
        );
        assert!(!db.backfill_step().expect("backfill step"), "{name}");
        let model = model.into_inner().expect("model");
        backfill_domain_check(
            &db,
            &model,
            &mut rng,
            &format!("{name} concurrent backfill"),
        );
    }
}

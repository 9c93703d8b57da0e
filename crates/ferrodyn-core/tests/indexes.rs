//! Secondary indexes against a `Database`, over each storage engine:
//!
//! - a model-based test: two global indexes and a local one under random
//!   PutItem, UpdateItem, DeleteItem, BatchWriteItem and TransactWriteItems
//!   (items entering, moving within and leaving each index), every index
//!   compared after each step with the same reads computed from an
//!   in-memory model of the table: Query in both directions, paged and
//!   not, with sort-key conditions; Scan; the per-index item counts and
//!   sizes;
//! - the backfill of a global index added by UpdateTable, with writes
//!   interleaved between its steps (the partial index checked after each),
//!   concurrent with it, and across a restart;
//! - the atomicity of index maintenance under concurrent writers that move
//!   items between index partitions, checked by concurrent readers.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex};

use ferrodyn_core::capacity::ReturnConsumedCapacity;
use ferrodyn_core::database::INDEX_ENTRY_OVERHEAD_BYTES;
use ferrodyn_core::expressions::ExpressionInput;
use ferrodyn_core::index::{IndexStatus, ProjectionType};
use ferrodyn_core::keyspace;
use ferrodyn_core::ops::batch_write_item::{BatchWriteItemInput, WriteRequest};
use ferrodyn_core::ops::create_table::{
    AttributeDefinition, IndexDefinition, KeySchemaElement, KeyType,
};
use ferrodyn_core::ops::delete_item::DeleteItemInput;
use ferrodyn_core::ops::put_item::PutItemInput;
use ferrodyn_core::ops::query::{QueryInput, ReadOutput};
use ferrodyn_core::ops::scan::ScanInput;
use ferrodyn_core::ops::transact_write_items::{
    TransactWriteItem, TransactWriteItemsInput, TransactWriteKind,
};
use ferrodyn_core::ops::update_item::UpdateItemInput;
use ferrodyn_core::ops::update_table::{GlobalSecondaryIndexUpdate, UpdateTableInput};
use ferrodyn_core::read::Select;
use ferrodyn_core::{CoreError, Database};
use ferrodyn_model::codec::decode_item;
use ferrodyn_model::schema::ScalarType;
use ferrodyn_model::value::item_size_bytes;
use ferrodyn_model::{AttributeValue, Item, Number};
use ferrodyn_storage::{Direction, Engine, ReadConsistency, ScanRequest, prefix_end};

mod support;

use support::*;

// ---------------------------------------------------------------------------
// Deterministic randomness.

/// xorshift64*: small, deterministic, and no new dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn percent(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }

    fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())].clone()
    }
}

// ---------------------------------------------------------------------------
// The model: the table as a map from table key to item, and what each index
// must hold, derived from it.

/// A table key: the partition key (S) and the sort key (N), if the table
/// has one.
type TableKey = (String, Option<Number>);

type Model = BTreeMap<TableKey, Item>;

fn table_key(item: &Item) -> TableKey {
    let pk = match item.get("pk") {
        Some(AttributeValue::S(p)) => p.clone(),
        other => panic!("item without an S pk: {other:?} in {item:?}"),
    };
    let sk = match item.get("sk") {
        Some(AttributeValue::N(k)) => Some(k.clone()),
        None => None,
        other => panic!("item with a non-N sk: {other:?}"),
    };
    (pk, sk)
}

fn key_item(key: &TableKey) -> Item {
    let mut k = item(&[("pk", s(&key.0))]);
    if let Some(sk) = &key.1 {
        k.insert("sk".into(), AttributeValue::N(sk.clone()));
    }
    k
}

fn num(text: &str) -> Number {
    Number::parse(text).expect("number")
}

/// A key attribute value, ordered as DynamoDB orders index sort keys.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Scalar {
    S(String),
    N(Number),
    B(Vec<u8>),
}

fn scalar(v: &AttributeValue) -> Scalar {
    match v {
        AttributeValue::S(x) => Scalar::S(x.clone()),
        AttributeValue::N(x) => Scalar::N(x.clone()),
        AttributeValue::B(x) => Scalar::B(x.clone()),
        other => panic!("not a scalar key value: {other:?}"),
    }
}

#[derive(Clone, Copy, Debug)]
enum Proj {
    All,
    KeysOnly,
    Include(&'static [&'static str]),
}

/// An index as the tests define it (and model it).
#[derive(Clone, Copy, Debug)]
struct Spec {
    name: &'static str,
    global: bool,
    hash: (&'static str, ScalarType),
    range: Option<(&'static str, ScalarType)>,
    projection: Proj,
}

impl Spec {
    fn usable<'a>(item: &'a Item, (name, ty): (&str, ScalarType)) -> Option<&'a AttributeValue> {
        item.get(name).filter(|v| {
            ty.matches(v)
                && !matches!(v, AttributeValue::S(x) if x.is_empty())
                && !matches!(v, AttributeValue::B(x) if x.is_empty())
        })
    }

    /// The index key `item` is filed under, if it is in the index at all.
    fn entry(&self, item: &Item) -> Option<(Scalar, Option<Scalar>)> {
        let hash = Spec::usable(item, self.hash)?;
        let range = match self.range {
            Some(r) => Some(scalar(Spec::usable(item, r)?)),
            None => None,
        };
        Some((scalar(hash), range))
    }

    /// Whether a write of `item` must be accepted: every index key
    /// attribute present has the declared type and is not empty.
    fn accepts(&self, item: &Item) -> bool {
        std::iter::once(self.hash)
            .chain(self.range)
            .all(|attr| !item.contains_key(attr.0) || Spec::usable(item, attr).is_some())
    }

    fn projects(&self, name: &str) -> bool {
        name == "pk"
            || name == "sk"
            || name == self.hash.0
            || self.range.is_some_and(|r| r.0 == name)
            || matches!(self.projection, Proj::All)
            || matches!(self.projection, Proj::Include(names) if names.contains(&name))
    }

    fn project(&self, item: &Item) -> Item {
        item.iter()
            .filter(|(name, _)| self.projects(name))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The attributes of `LastEvaluatedKey` for an index entry holding
    /// `item`: the table's key and the index's key.
    fn start_key_of(&self, item: &Item) -> Item {
        let mut names = vec!["pk", "sk", self.hash.0];
        names.extend(self.range.map(|r| r.0));
        names
            .into_iter()
            .filter_map(|n| item.get(n).map(|v| (n.to_owned(), v.clone())))
            .collect()
    }

    fn definition(&self) -> IndexDefinition {
        let mut key_schema = vec![KeySchemaElement {
            name: self.hash.0.into(),
            key_type: KeyType::Hash,
        }];
        if let Some(r) = self.range {
            key_schema.push(KeySchemaElement {
                name: r.0.into(),
                key_type: KeyType::Range,
            });
        }
        let (projection_type, non_key_attributes) = match self.projection {
            Proj::All => (ProjectionType::All, None),
            Proj::KeysOnly => (ProjectionType::KeysOnly, None),
            Proj::Include(names) => (
                ProjectionType::Include,
                Some(names.iter().map(|n| (*n).to_owned()).collect()),
            ),
        };
        IndexDefinition {
            name: self.name.into(),
            key_schema,
            projection_type: Some(projection_type),
            non_key_attributes,
            provisioned_throughput: None,
        }
    }

    fn attribute_definitions(&self) -> Vec<AttributeDefinition> {
        std::iter::once(self.hash)
            .chain(self.range)
            .map(|(name, scalar_type)| AttributeDefinition {
                name: name.into(),
                scalar_type,
            })
            .collect()
    }
}

/// One entry the model says an index holds.
struct Entry {
    hash: Scalar,
    sort: Option<Scalar>,
    key: TableKey,
    item: Item,
}

fn model_entries(spec: &Spec, model: &Model) -> Vec<Entry> {
    model
        .iter()
        .filter_map(|(key, item)| {
            spec.entry(item).map(|(hash, sort)| Entry {
                hash,
                sort,
                key: key.clone(),
                item: item.clone(),
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Reads, and their comparison with the model.

/// A condition on an index's sort key.
#[derive(Clone, Debug)]
enum Pred {
    Eq(AttributeValue),
    Lt(AttributeValue),
    Le(AttributeValue),
    Gt(AttributeValue),
    Ge(AttributeValue),
    Between(AttributeValue, AttributeValue),
    BeginsWith(AttributeValue),
}

impl Pred {
    fn random(rng: &mut Rng, ty: ScalarType, domain: &[AttributeValue]) -> Pred {
        let a = rng.pick(domain);
        let b = rng.pick(domain);
        let kinds = if ty == ScalarType::N { 6 } else { 7 };
        match rng.below(kinds) {
            0 => Pred::Eq(a),
            1 => Pred::Lt(a),
            2 => Pred::Le(a),
            3 => Pred::Gt(a),
            4 => Pred::Ge(a),
            5 if scalar(&a) <= scalar(&b) => Pred::Between(a, b),
            5 => Pred::Between(b, a),
            _ => Pred::BeginsWith(a),
        }
    }

    /// The condition's text on `#r`, and its values.
    fn expression(&self) -> (String, Vec<(&'static str, AttributeValue)>) {
        match self {
            Pred::Eq(a) => ("#r = :a".into(), vec![(":a", a.clone())]),
            Pred::Lt(a) => ("#r < :a".into(), vec![(":a", a.clone())]),
            Pred::Le(a) => ("#r <= :a".into(), vec![(":a", a.clone())]),
            Pred::Gt(a) => ("#r > :a".into(), vec![(":a", a.clone())]),
            Pred::Ge(a) => ("#r >= :a".into(), vec![(":a", a.clone())]),
            Pred::Between(a, b) => (
                "#r BETWEEN :a AND :b".into(),
                vec![(":a", a.clone()), (":b", b.clone())],
            ),
            Pred::BeginsWith(a) => ("begins_with(#r, :a)".into(), vec![(":a", a.clone())]),
        }
    }

    fn holds(&self, v: &Scalar) -> bool {
        match self {
            Pred::Eq(a) => *v == scalar(a),
            Pred::Lt(a) => *v < scalar(a),
            Pred::Le(a) => *v <= scalar(a),
            Pred::Gt(a) => *v > scalar(a),
            Pred::Ge(a) => *v >= scalar(a),
            Pred::Between(a, b) => scalar(a) <= *v && *v <= scalar(b),
            Pred::BeginsWith(a) => match (v, scalar(a)) {
                (Scalar::S(v), Scalar::S(p)) => v.starts_with(&p),
                (Scalar::B(v), Scalar::B(p)) => v.starts_with(&p),
                _ => false,
            },
        }
    }
}

/// One Query on an index.
struct Q<'a> {
    hash: &'a AttributeValue,
    pred: Option<Pred>,
    forward: bool,
    limit: Option<usize>,
    select: Option<Select>,
    consistent: bool,
}

/// Checks one page's `Count`, `Items` and `LastEvaluatedKey` against its
/// `Limit`; returns its items.
fn check_page(
    label: &str,
    spec: &Spec,
    out: &ReadOutput,
    limit: Option<usize>,
    count_only: bool,
) -> Vec<Item> {
    let items = if count_only {
        assert!(out.items.is_none(), "{label}: items with Select COUNT");
        Vec::new()
    } else {
        let items = out.items.clone().expect("items");
        assert_eq!(items.len(), out.count, "{label}: Count");
        items
    };
    assert_eq!(out.count, out.scanned_count, "{label}: no filter");
    match (limit, &out.last_evaluated_key) {
        (Some(l), Some(lek)) => {
            assert_eq!(out.count, l, "{label}: LastEvaluatedKey before the Limit");
            if let Some(last) = items.last() {
                assert_eq!(
                    *lek,
                    spec.start_key_of(last),
                    "{label}: LastEvaluatedKey is not the last item's key"
                );
            }
        }
        (Some(l), None) => assert!(out.count < l, "{label}: full page without LEK"),
        (None, Some(lek)) => panic!("{label}: LastEvaluatedKey {lek:?} without a Limit"),
        (None, None) => {}
    }
    items
}

/// Runs a Query through all its pages; returns the items and the count.
fn query_all(
    db: &Database,
    table: &str,
    spec: &Spec,
    q: &Q<'_>,
    label: &str,
) -> (Vec<Item>, usize) {
    let mut names = BTreeMap::from([("#h".to_owned(), spec.hash.0.to_owned())]);
    let mut values = BTreeMap::from([(":h".to_owned(), q.hash.clone())]);
    let mut condition = "#h = :h".to_owned();
    if let Some(pred) = &q.pred {
        let range = spec.range.expect("a sort key to condition on");
        names.insert("#r".into(), range.0.into());
        let (text, vals) = pred.expression();
        condition.push_str(" AND ");
        condition.push_str(&text);
        values.extend(vals.into_iter().map(|(k, v)| (k.to_owned(), v)));
    }
    let mut input = QueryInput {
        table_name: table.into(),
        index_name: Some(spec.name.into()),
        select: q.select,
        limit: q.limit,
        consistent_read: q.consistent,
        scan_index_forward: q.forward,
        expressions: ExpressionInput {
            key_condition: Some(condition),
            names: Some(names),
            values: Some(values),
            ..ExpressionInput::default()
        },
        ..QueryInput::default()
    };
    let count_only = q.select == Some(Select::Count);
    let (mut items, mut count) = (Vec::new(), 0);
    for _ in 0..10_000 {
        let out = db
            .query(&ctx(), input.clone())
            .unwrap_or_else(|e| panic!("{label}: query failed: {e:?}"));
        count += out.count;
        items.extend(check_page(label, spec, &out, q.limit, count_only));
        match out.last_evaluated_key {
            Some(key) => input.exclusive_start_key = Some(key),
            None => return (items, count),
        }
    }
    panic!("{label}: query does not end");
}

/// Scans an index (or one segment of it) through all its pages.
fn scan_all(
    db: &Database,
    table: &str,
    spec: &Spec,
    limit: Option<usize>,
    segment: Option<(u32, u32)>,
    label: &str,
) -> Vec<Item> {
    let mut input = ScanInput {
        table_name: table.into(),
        index_name: Some(spec.name.into()),
        limit,
        segment: segment.map(|s| s.0),
        total_segments: segment.map(|s| s.1),
        ..ScanInput::default()
    };
    let mut items = Vec::new();
    for _ in 0..10_000 {
        let out = db
            .scan(&ctx(), input.clone())
            .unwrap_or_else(|e| panic!("{label}: scan failed: {e:?}"));
        items.extend(check_page(label, spec, &out, limit, false));
        match out.last_evaluated_key {
            Some(key) => input.exclusive_start_key = Some(key),
            None => return items,
        }
    }
    panic!("{label}: scan does not end");
}

fn sorted_by_key(mut items: Vec<Item>) -> Vec<Item> {
    items.sort_by_key(table_key);
    items
}

/// Compares a Query's items with the model's: the sequence of index sort
/// keys must be the model's, in the direction asked; items with equal
/// index sort keys may come in any order.
fn compare_query(
    label: &str,
    spec: &Spec,
    actual: Vec<Item>,
    mut expected: Vec<(Option<Scalar>, TableKey, Item)>,
    forward: bool,
) {
    let sort_of = |i: &Item| {
        spec.range
            .map(|r| scalar(i.get(r.0).expect("index sort key in a result")))
    };
    expected.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let mut expected_sorts: Vec<Option<Scalar>> = expected.iter().map(|e| e.0.clone()).collect();
    if !forward {
        expected_sorts.reverse();
    }
    let actual_sorts: Vec<Option<Scalar>> = actual.iter().map(sort_of).collect();
    assert_eq!(
        actual_sorts, expected_sorts,
        "{label}: index sort-key order"
    );
    let mut actual: Vec<(Option<Scalar>, TableKey, Item)> = actual
        .into_iter()
        .map(|i| (sort_of(&i), table_key(&i), i))
        .collect();
    actual.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let actual: Vec<Item> = actual.into_iter().map(|e| e.2).collect();
    let expected: Vec<Item> = expected.into_iter().map(|e| e.2).collect();
    assert_eq!(actual, expected, "{label}: items");
}

/// Everything the index must answer, compared with the model.
struct Domain<'a> {
    /// Every index partition value worth querying (including some no item
    /// has).
    hashes: &'a [AttributeValue],
    /// Values to build sort-key conditions from.
    ranges: &'a [AttributeValue],
}

fn check_index(
    db: &Database,
    table: &str,
    spec: &Spec,
    domain: &Domain<'_>,
    model: &Model,
    rng: &mut Rng,
    label: &str,
) {
    let entries = model_entries(spec, model);
    for hash in domain.hashes {
        let h = scalar(hash);
        let in_partition: Vec<&Entry> = entries.iter().filter(|e| e.hash == h).collect();
        let mut queries = vec![
            Q {
                hash,
                pred: None,
                forward: true,
                limit: None,
                select: None,
                consistent: false,
            },
            Q {
                hash,
                pred: None,
                forward: false,
                limit: Some(1 + rng.below(3)),
                select: None,
                consistent: false,
            },
            Q {
                hash,
                pred: None,
                forward: true,
                limit: Some(1 + rng.below(3)),
                select: None,
                consistent: false,
            },
        ];
        let pred = spec
            .range
            .map(|(_, ty)| Pred::random(rng, ty, domain.ranges));
        let select = match rng.below(4) {
            0 => Some(Select::Count),
            1 if !spec.global => Some(Select::AllAttributes),
            2 => Some(Select::AllProjectedAttributes),
            _ => None,
        };
        queries.push(Q {
            hash,
            pred,
            forward: rng.percent(50),
            limit: rng.percent(50).then(|| 1 + rng.below(4)),
            select,
            consistent: !spec.global && rng.percent(50),
        });
        for q in &queries {
            let what = format!(
                "{label}: {} = {hash:?} {:?} forward={} limit={:?} select={:?}",
                spec.name, q.pred, q.forward, q.limit, q.select
            );
            let (items, count) = query_all(db, table, spec, q, &what);
            let expected: Vec<(Option<Scalar>, TableKey, Item)> = in_partition
                .iter()
                .filter(|e| match (&q.pred, &e.sort) {
                    (Some(p), Some(v)) => p.holds(v),
                    _ => true,
                })
                .map(|e| {
                    let item = if q.select == Some(Select::AllAttributes) {
                        e.item.clone()
                    } else {
                        spec.project(&e.item)
                    };
                    (e.sort.clone(), e.key.clone(), item)
                })
                .collect();
            assert_eq!(count, expected.len(), "{what}: Count");
            if q.select != Some(Select::Count) {
                compare_query(&what, spec, items, expected, q.forward);
            }
        }
    }
    // Scan: the whole index, as a set of items, in one piece or in
    // parallel segments.
    let limit = rng.percent(50).then(|| 1 + rng.below(7));
    let total = rng.percent(50).then(|| 1 + rng.below(4) as u32);
    let what = format!(
        "{label}: scan {} limit={limit:?} segments={total:?}",
        spec.name
    );
    let scanned: Vec<Item> = match total {
        None => scan_all(db, table, spec, limit, None, &what),
        Some(total) => (0..total)
            .flat_map(|segment| scan_all(db, table, spec, limit, Some((segment, total)), &what))
            .collect(),
    };
    let keys: BTreeSet<TableKey> = scanned.iter().map(table_key).collect();
    assert_eq!(keys.len(), scanned.len(), "{what}: an item twice");
    let expected: Vec<Item> = entries.iter().map(|e| spec.project(&e.item)).collect();
    assert_eq!(sorted_by_key(scanned), sorted_by_key(expected), "{what}");
}

/// DescribeTable's counters: the table's, and each index's `ItemCount` and
/// `IndexSizeBytes`.
fn check_stats(db: &Database, table: &str, specs: &[Spec], model: &Model, label: &str) {
    let d = db.describe_table(&ctx(), table).expect("describe");
    assert_eq!(d.item_count, model.len() as i64, "{label}: table ItemCount");
    let size: usize = model.values().map(item_size_bytes).sum();
    assert_eq!(d.size_bytes, size as i64, "{label}: TableSizeBytes");
    assert_eq!(d.index_stats.len(), d.meta.indexes.len(), "{label}");
    for spec in specs {
        let pos = d
            .meta
            .indexes
            .iter()
            .position(|i| i.name == spec.name)
            .unwrap_or_else(|| panic!("{label}: no index {}", spec.name));
        let entries = model_entries(spec, model);
        let size: usize = entries
            .iter()
            .map(|e| item_size_bytes(&spec.project(&e.item)) + INDEX_ENTRY_OVERHEAD_BYTES)
            .sum();
        assert_eq!(
            d.index_stats[pos],
            (entries.len() as i64, size as i64),
            "{label}: {} (ItemCount, IndexSizeBytes)",
            spec.name
        );
    }
}

// ---------------------------------------------------------------------------
// Writes.

fn put(db: &Database, table: &str, item: Item) -> Result<(), CoreError> {
    db.put_item(
        &ctx(),
        PutItemInput {
            table_name: table.into(),
            item,
            ..PutItemInput::default()
        },
    )
    .map(drop)
}

/// SET (`Some`) and REMOVE (`None`) actions on top-level attributes.
type Actions = Vec<(&'static str, Option<AttributeValue>)>;

fn update_expressions(actions: &Actions, condition: Option<&str>) -> ExpressionInput {
    let (mut sets, mut removes) = (Vec::new(), Vec::new());
    let mut names = BTreeMap::new();
    let mut values = BTreeMap::new();
    for (i, (name, value)) in actions.iter().enumerate() {
        names.insert(format!("#n{i}"), (*name).to_owned());
        match value {
            Some(v) => {
                sets.push(format!("#n{i} = :v{i}"));
                values.insert(format!(":v{i}"), v.clone());
            }
            None => removes.push(format!("#n{i}")),
        }
    }
    let mut update = Vec::new();
    if !sets.is_empty() {
        update.push(format!("SET {}", sets.join(", ")));
    }
    if !removes.is_empty() {
        update.push(format!("REMOVE {}", removes.join(", ")));
    }
    ExpressionInput {
        update: Some(update.join(" ")),
        condition: condition.map(str::to_owned),
        names: Some(names),
        values: (!values.is_empty()).then_some(values),
        ..ExpressionInput::default()
    }
}

fn update(
    db: &Database,
    table: &str,
    key: &TableKey,
    actions: &Actions,
    condition: Option<&str>,
) -> Result<(), CoreError> {
    db.update_item(
        &ctx(),
        UpdateItemInput {
            table_name: table.into(),
            key: key_item(key),
            expressions: update_expressions(actions, condition),
            ..UpdateItemInput::default()
        },
    )
    .map(drop)
}

/// What an update makes of an item: as on AWS, an update of only REMOVEs
/// does not create a missing item.
fn apply_update(old: Option<&Item>, key: &TableKey, actions: &Actions) -> Option<Item> {
    if old.is_none() && actions.iter().all(|(_, v)| v.is_none()) {
        return None;
    }
    let mut item = old.cloned().unwrap_or_else(|| key_item(key));
    for (name, value) in actions {
        match value {
            Some(v) => item.insert((*name).to_owned(), v.clone()),
            None => item.remove(*name),
        };
    }
    Some(item)
}

fn delete(
    db: &Database,
    table: &str,
    key: &TableKey,
    condition: Option<&str>,
) -> Result<(), CoreError> {
    db.delete_item(
        &ctx(),
        DeleteItemInput {
            table_name: table.into(),
            key: key_item(key),
            expressions: ExpressionInput {
                condition: condition.map(str::to_owned),
                ..ExpressionInput::default()
            },
            ..DeleteItemInput::default()
        },
    )
    .map(drop)
}

fn batch_write(db: &Database, table: &str, requests: Vec<WriteRequest>) -> Result<(), CoreError> {
    db.batch_write_item(
        &ctx(),
        BatchWriteItemInput {
            request_items: vec![(table.into(), requests)],
            return_consumed_capacity: ReturnConsumedCapacity::None,
            return_item_collection_metrics: false,
        },
    )
    .map(|out| assert!(out.unprocessed_items.is_empty()))
}

fn transact(db: &Database, items: Vec<TransactWriteItem>) -> Result<(), CoreError> {
    db.transact_write_items(
        &ctx(),
        TransactWriteItemsInput {
            items,
            return_consumed_capacity: ReturnConsumedCapacity::None,
            client_request_token: None,
            fingerprint: [0; 32],
        },
    )
    .map(drop)
}

fn action(table: &str, kind: TransactWriteKind, expressions: ExpressionInput) -> TransactWriteItem {
    TransactWriteItem {
        kind,
        table_name: table.into(),
        expressions,
        return_old_on_condition_failure: false,
    }
}

fn expect_validation(label: &str, result: Result<(), CoreError>) {
    match result {
        Err(CoreError::Validation(_)) => {}
        other => panic!("{label}: expected a ValidationException, got {other:?}"),
    }
}

fn expect_condition_failed(label: &str, result: Result<(), CoreError>) {
    match result {
        Err(CoreError::ConditionalCheckFailed { .. }) => {}
        other => panic!("{label}: expected ConditionalCheckFailedException, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// 1. The model-based test.

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

// ---------------------------------------------------------------------------
// 2. Backfill.

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

/// Creates table `bf` with `BACKFILL_ITEMS` items: some without the future
/// index's key attributes, some with them of the wrong type or empty (which
/// the backfill must leave out).
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

// ---------------------------------------------------------------------------
// 3. Atomicity of index maintenance under concurrency.

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

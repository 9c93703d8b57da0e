//! What the index tests share: deterministic randomness, a model of a
//! table and of what each of its indexes must hold, reads of an index
//! compared with the model, and writes applied to both.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use ferrodyn_core::capacity::ReturnConsumedCapacity;
use ferrodyn_core::database::INDEX_ENTRY_OVERHEAD_BYTES;
use ferrodyn_core::expressions::ExpressionInput;
use ferrodyn_core::index::ProjectionType;
use ferrodyn_core::ops::batch_write_item::{BatchWriteItemInput, WriteRequest};
use ferrodyn_core::ops::create_table::{
    AttributeDefinition, IndexDefinition, KeySchemaElement, KeyType,
};
use ferrodyn_core::ops::delete_item::DeleteItemInput;
use ferrodyn_core::ops::query::{QueryInput, ReadOutput};
use ferrodyn_core::ops::scan::ScanInput;
use ferrodyn_core::ops::transact_write_items::{
    TransactWriteItem, TransactWriteItemsInput, TransactWriteKind,
};
use ferrodyn_core::ops::update_item::UpdateItemInput;
use ferrodyn_core::read::Select;
use ferrodyn_core::{CoreError, Database};
use ferrodyn_model::schema::ScalarType;
use ferrodyn_model::value::item_size_bytes;
use ferrodyn_model::{AttributeValue, Item, Number};

use crate::support::*;

// ---------------------------------------------------------------------------
// Deterministic randomness.

/// xorshift64*: small, deterministic, and no new dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn percent(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }

    pub fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())].clone()
    }
}

// ---------------------------------------------------------------------------
// The model: the table as a map from table key to item, and what each index
// must hold, derived from it.

/// A table key: the partition key (S) and the sort key (N), if the table
/// has one.
pub type TableKey = (String, Option<Number>);

pub type Model = BTreeMap<TableKey, Item>;

pub fn table_key(item: &Item) -> TableKey {
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

pub fn key_item(key: &TableKey) -> Item {
    let mut k = item(&[("pk", s(&key.0))]);
    if let Some(sk) = &key.1 {
        k.insert("sk".into(), AttributeValue::N(sk.clone()));
    }
    k
}

pub fn num(text: &str) -> Number {
    Number::parse(text).expect("number")
}

/// A key attribute value, ordered as DynamoDB orders index sort keys.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scalar {
    S(String),
    N(Number),
    B(Vec<u8>),
}

pub fn scalar(v: &AttributeValue) -> Scalar {
    match v {
        AttributeValue::S(x) => Scalar::S(x.clone()),
        AttributeValue::N(x) => Scalar::N(x.clone()),
        AttributeValue::B(x) => Scalar::B(x.clone()),
        other => panic!("not a scalar key value: {other:?}"),
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Proj {
    All,
    KeysOnly,
    Include(&'static [&'static str]),
}

/// An index as the tests define it (and model it).
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub name: &'static str,
    pub global: bool,
    pub hash: (&'static str, ScalarType),
    pub range: Option<(&'static str, ScalarType)>,
    pub projection: Proj,
}

impl Spec {
    /// `item`'s value of an index key attribute, if it can be filed under:
    /// the declared type, not empty, and within the index key size limit
    /// (2,048 bytes for the partition key, 1,024 for the sort key).
    pub fn usable<'a>(
        item: &'a Item,
        (name, ty): (&str, ScalarType),
        is_sort: bool,
    ) -> Option<&'a AttributeValue> {
        let max = if is_sort {
            ferrodyn_model::limits::INDEX_SORT_KEY_BYTES_MAX
        } else {
            ferrodyn_model::limits::INDEX_PARTITION_KEY_BYTES_MAX
        };
        item.get(name).filter(|v| {
            ty.matches(v)
                && !matches!(v, AttributeValue::S(x) if x.is_empty())
                && !matches!(v, AttributeValue::B(x) if x.is_empty())
                && v.size_bytes() <= max
        })
    }

    /// The index key `item` is filed under, if it is in the index at all.
    pub fn entry(&self, item: &Item) -> Option<(Scalar, Option<Scalar>)> {
        let hash = Spec::usable(item, self.hash, false)?;
        let range = match self.range {
            Some(r) => Some(scalar(Spec::usable(item, r, true)?)),
            None => None,
        };
        Some((scalar(hash), range))
    }

    /// Whether a write of `item` must be accepted: every index key
    /// attribute present has the declared type, is not empty, and fits.
    pub fn accepts(&self, item: &Item) -> bool {
        std::iter::once((self.hash, false))
            .chain(self.range.map(|r| (r, true)))
            .all(|(attr, is_sort)| {
                !item.contains_key(attr.0) || Spec::usable(item, attr, is_sort).is_some()
            })
    }

    pub fn projects(&self, name: &str) -> bool {
        name == "pk"
            || name == "sk"
            || name == self.hash.0
            || self.range.is_some_and(|r| r.0 == name)
            || matches!(self.projection, Proj::All)
            || matches!(self.projection, Proj::Include(names) if names.contains(&name))
    }

    pub fn project(&self, item: &Item) -> Item {
        item.iter()
            .filter(|(name, _)| self.projects(name))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The attributes of `LastEvaluatedKey` for an index entry holding
    /// `item`: the table's key and the index's key.
    pub fn start_key_of(&self, item: &Item) -> Item {
        let mut names = vec!["pk", "sk", self.hash.0];
        names.extend(self.range.map(|r| r.0));
        names
            .into_iter()
            .filter_map(|n| item.get(n).map(|v| (n.to_owned(), v.clone())))
            .collect()
    }

    pub fn definition(&self) -> IndexDefinition {
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

    pub fn attribute_definitions(&self) -> Vec<AttributeDefinition> {
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
pub struct Entry {
    pub hash: Scalar,
    pub sort: Option<Scalar>,
    pub key: TableKey,
    pub item: Item,
}

pub fn model_entries(spec: &Spec, model: &Model) -> Vec<Entry> {
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
pub enum Pred {
    Eq(AttributeValue),
    Lt(AttributeValue),
    Le(AttributeValue),
    Gt(AttributeValue),
    Ge(AttributeValue),
    Between(AttributeValue, AttributeValue),
    BeginsWith(AttributeValue),
}

impl Pred {
    pub fn random(rng: &mut Rng, ty: ScalarType, domain: &[AttributeValue]) -> Pred {
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
    pub fn expression(&self) -> (String, Vec<(&'static str, AttributeValue)>) {
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

    pub fn holds(&self, v: &Scalar) -> bool {
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
pub struct Q<'a> {
    pub hash: &'a AttributeValue,
    pub pred: Option<Pred>,
    pub forward: bool,
    pub limit: Option<usize>,
    pub select: Option<Select>,
    pub consistent: bool,
}

/// Checks one page's `Count`, `Items` and `LastEvaluatedKey` against its
/// `Limit`; returns its items.
pub fn check_page(
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
pub fn query_all(
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
pub fn scan_all(
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

pub fn sorted_by_key(mut items: Vec<Item>) -> Vec<Item> {
    items.sort_by_key(table_key);
    items
}

/// Compares a Query's items with the model's: the sequence of index sort
/// keys must be the model's, in the direction asked; items with equal
/// index sort keys may come in any order.
pub fn compare_query(
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
pub struct Domain<'a> {
    /// Every index partition value worth querying (including some no item
    /// has).
    pub hashes: &'a [AttributeValue],
    /// Values to build sort-key conditions from.
    pub ranges: &'a [AttributeValue],
}

pub fn check_index(
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
pub fn check_stats(db: &Database, table: &str, specs: &[Spec], model: &Model, label: &str) {
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

/// SET (`Some`) and REMOVE (`None`) actions on top-level attributes.
pub type Actions = Vec<(&'static str, Option<AttributeValue>)>;

pub fn update_expressions(actions: &Actions, condition: Option<&str>) -> ExpressionInput {
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

pub fn update(
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
pub fn apply_update(old: Option<&Item>, key: &TableKey, actions: &Actions) -> Option<Item> {
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

pub fn delete(
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

pub fn batch_write(
    db: &Database,
    table: &str,
    requests: Vec<WriteRequest>,
) -> Result<(), CoreError> {
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

pub fn transact(db: &Database, items: Vec<TransactWriteItem>) -> Result<(), CoreError> {
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

pub fn action(
    table: &str,
    kind: TransactWriteKind,
    expressions: ExpressionInput,
) -> TransactWriteItem {
    TransactWriteItem {
        kind,
        table_name: table.into(),
        expressions,
        return_old_on_condition_failure: false,
    }
}

pub fn expect_validation(label: &str, result: Result<(), CoreError>) {
    match result {
        Err(CoreError::Validation(_)) => {}
        other => panic!("{label}: expected a ValidationException, got {other:?}"),
    }
}

pub fn expect_condition_failed(label: &str, result: Result<(), CoreError>) {
    match result {
        Err(CoreError::ConditionalCheckFailed { .. }) => {}
        other => panic!("{label}: expected ConditionalCheckFailedException, got {other:?}"),
    }
}

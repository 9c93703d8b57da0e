//! Helpers shared by the core's integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;

use ferrodyn_core::clock::ManualClock;
use ferrodyn_core::expressions::ExpressionInput;
use ferrodyn_core::index::ProjectionType;
use ferrodyn_core::ops::create_table::{
    AttributeDefinition, CreateTableInput, IndexDefinition, KeySchemaElement, KeyType,
};
use ferrodyn_core::ops::query::QueryInput;
use ferrodyn_core::ops::scan::ScanInput;
use ferrodyn_core::table::BillingMode;
use ferrodyn_core::{CoreError, Database, RequestContext};
use ferrodyn_model::schema::ScalarType;
use ferrodyn_model::{AttributeValue, Item, Number};
use ferrodyn_storage::Engine;
use ferrodyn_storage::memory::MemoryEngine;
use ferrodyn_storage::rocks::{RocksEngine, Sync};

pub fn ctx() -> RequestContext {
    RequestContext {
        account_id: "000000000000".into(),
        region: "us-east-1".into(),
    }
}

pub fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub fn n(v: &str) -> AttributeValue {
    AttributeValue::N(Number::parse(v).expect("number"))
}

pub fn item(pairs: &[(&str, AttributeValue)]) -> Item {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

pub fn create_input(name: &str, sort: bool) -> CreateTableInput {
    let mut key_schema = vec![KeySchemaElement {
        name: "pk".into(),
        key_type: KeyType::Hash,
    }];
    let mut defs = vec![AttributeDefinition {
        name: "pk".into(),
        scalar_type: ScalarType::S,
    }];
    if sort {
        key_schema.push(KeySchemaElement {
            name: "sk".into(),
            key_type: KeyType::Range,
        });
        defs.push(AttributeDefinition {
            name: "sk".into(),
            scalar_type: ScalarType::N,
        });
    }
    CreateTableInput {
        table_name: name.into(),
        attribute_definitions: defs,
        key_schema,
        billing_mode: Some(BillingMode::PayPerRequest),
        ..CreateTableInput::default()
    }
}

pub fn engines() -> Vec<(&'static str, Arc<dyn Engine>, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let rocks = RocksEngine::open(dir.path(), Sync::Never).expect("open");
    vec![
        ("memory", Arc::new(MemoryEngine::new()), None),
        ("rocksdb", Arc::new(rocks), Some(dir)),
    ]
}

pub fn open(engine: Arc<dyn Engine>) -> Database {
    Database::open(engine, Arc::new(ManualClock::new(1_700_000_000_000))).expect("open db")
}

pub fn validation(e: CoreError) -> String {
    match e {
        CoreError::Validation(m) => m,
        other => panic!("expected a ValidationException, got {other:?}"),
    }
}

/// The table with a stream enabled (so that its writes record changes).
pub fn streamed(mut input: CreateTableInput) -> CreateTableInput {
    input.stream_specification = Some(ferrodyn_core::ops::create_table::StreamSpecification {
        enabled: true,
        view_type: Some("NEW_AND_OLD_IMAGES".into()),
    });
    input
}

/// PutItem of `item` into `table`.
pub fn put(db: &Database, table: &str, item: Item) -> Result<(), CoreError> {
    db.put_item(
        &ctx(),
        ferrodyn_core::ops::put_item::PutItemInput {
            table_name: table.into(),
            item,
            ..Default::default()
        },
    )
    .map(drop)
}

/// The key of an item of a table whose only key is `pk` (S).
pub fn key(k: &str) -> Item {
    item(&[("pk", s(k))])
}

/// `ExpressionAttributeValues` from pairs.
pub fn values(
    pairs: &[(&str, AttributeValue)],
) -> Option<std::collections::BTreeMap<String, AttributeValue>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

/// Every change record of `table`'s streams, in sequence order, read from
/// the engine's logs.
pub fn change_records(
    db: &Database,
    engine: &dyn Engine,
    table: &str,
) -> Vec<(u64, ferrodyn_core::change::ChangeRecord)> {
    let d = db.describe_table(&ctx(), table).expect("describe");
    let mut out: Vec<_> = d
        .meta
        .streams
        .iter()
        .flat_map(|s| &s.shards)
        .flat_map(|shard| {
            engine
                .changes(
                    &ferrodyn_core::change::log_key(d.meta.id, shard.number),
                    0,
                    usize::MAX,
                )
                .expect("changes")
        })
        .map(|(seq, bytes)| (seq, ferrodyn_core::change::decode(&bytes).expect("record")))
        .collect();
    out.sort_by_key(|(seq, _)| *seq);
    out
}

pub fn element(name: &str, key_type: KeyType) -> KeySchemaElement {
    KeySchemaElement {
        name: name.into(),
        key_type,
    }
}

pub fn index(name: &str, keys: &[(&str, KeyType)]) -> IndexDefinition {
    IndexDefinition {
        name: name.into(),
        key_schema: keys.iter().map(|(n, t)| element(n, *t)).collect(),
        projection_type: Some(ProjectionType::All),
        non_key_attributes: None,
        provisioned_throughput: None,
    }
}

/// Table `name`: pk (S), sk (N), a global index on g (S) and a local one
/// on l (N).
pub fn create_indexed(db: &Database, name: &str) {
    let mut input = create_input(name, true);
    input.attribute_definitions.extend([
        AttributeDefinition {
            name: "g".into(),
            scalar_type: ScalarType::S,
        },
        AttributeDefinition {
            name: "l".into(),
            scalar_type: ScalarType::N,
        },
    ]);
    input.global_secondary_indexes = Some(vec![index("by_g", &[("g", KeyType::Hash)])]);
    input.local_secondary_indexes = Some(vec![index(
        "by_l",
        &[("pk", KeyType::Hash), ("l", KeyType::Range)],
    )]);
    db.create_table(&ctx(), input).expect("create");
}

/// Every item of `table`, by (pk, sk).
pub fn all_items(db: &Database, table: &str) -> BTreeMap<String, Item> {
    let mut out = BTreeMap::new();
    let mut input = ScanInput {
        table_name: table.into(),
        consistent_read: true,
        ..ScanInput::default()
    };
    loop {
        let page = db.scan(&ctx(), input.clone()).expect("scan");
        for i in page.items.unwrap_or_default() {
            out.insert(item_key(&i), i);
        }
        match page.last_evaluated_key {
            Some(k) => input.exclusive_start_key = Some(k),
            None => return out,
        }
    }
}

pub fn query_count(
    db: &Database,
    table: &str,
    index: &str,
    condition: &str,
    v: AttributeValue,
) -> usize {
    let mut count = 0;
    let mut input = QueryInput {
        table_name: table.into(),
        index_name: Some(index.into()),
        expressions: ExpressionInput {
            key_condition: Some(condition.into()),
            values: values(&[(":v", v)]),
            ..ExpressionInput::default()
        },
        ..QueryInput::default()
    };
    loop {
        let page = db.query(&ctx(), input.clone()).expect("query");
        count += page.items.map_or(0, |i| i.len());
        match page.last_evaluated_key {
            Some(k) => input.exclusive_start_key = Some(k),
            None => return count,
        }
    }
}

/// An item's key in [`all_items`]'s map: its pk and sk, as text.
pub fn item_key(i: &Item) -> String {
    format!("{:?}|{:?}", i.get("pk"), i.get("sk"))
}

//! Helpers shared by the core's integration tests.
#![allow(dead_code)]

use std::sync::Arc;

use ferrodyn_core::clock::ManualClock;
use ferrodyn_core::ops::create_table::{
    AttributeDefinition, CreateTableInput, KeySchemaElement, KeyType,
};
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

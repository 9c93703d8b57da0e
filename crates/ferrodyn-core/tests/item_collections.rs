//! Item collections of tables with local secondary indexes: their size as
//! ReturnItemCollectionMetrics reports it, and the size limit (lowered here
//! from AWS's 10 GB so that a test can reach it).

use ferrodyn_core::CoreError;
use ferrodyn_core::index::ProjectionType;
use ferrodyn_core::ops::create_table::{
    AttributeDefinition, IndexDefinition, KeySchemaElement, KeyType,
};
use ferrodyn_core::ops::delete_item::DeleteItemInput;
use ferrodyn_core::ops::put_item::PutItemInput;
use ferrodyn_model::schema::ScalarType;
use ferrodyn_model::value::item_size_bytes;

mod support;

use support::*;

/// The collection limit the test sets.
const LIMIT_BYTES: u64 = 4_000;

#[test]
fn collections_are_measured_and_capped() {
    for (name, engine, _dir) in engines() {
        let db = open(engine).with_item_collection_size_limit(LIMIT_BYTES);
        let mut input = create_input("coll", true);
        input.attribute_definitions.push(AttributeDefinition {
            name: "l".into(),
            scalar_type: ScalarType::S,
        });
        input.local_secondary_indexes = Some(vec![IndexDefinition {
            name: "by_l".into(),
            key_schema: vec![
                KeySchemaElement {
                    name: "pk".into(),
                    key_type: KeyType::Hash,
                },
                KeySchemaElement {
                    name: "l".into(),
                    key_type: KeyType::Range,
                },
            ],
            projection_type: Some(ProjectionType::KeysOnly),
            ..IndexDefinition::default()
        }]);
        db.create_table(&ctx(), input).expect(name);
        let put = |pk: &str, sk: usize| {
            let it = item(&[
                ("pk", s(pk)),
                ("sk", n(&sk.to_string())),
                ("l", s("x")),
                ("pad", s(&"p".repeat(900))),
            ]);
            let size = item_size_bytes(&it);
            let out = db.put_item(
                &ctx(),
                PutItemInput {
                    table_name: "coll".into(),
                    item: it,
                    return_item_collection_metrics: true,
                    ..PutItemInput::default()
                },
            );
            (size, out)
        };
        // Each item counts with its index entry (keys plus 100 bytes).
        let mut expected = 0i64;
        let mut written = 0;
        loop {
            let (size, out) = put("a", written);
            match out {
                Ok(out) => {
                    let metrics = out.item_collection_metrics.expect("metrics asked for");
                    assert_eq!(metrics.key, item(&[("pk", s("a"))]));
                    assert!(metrics.size_bytes > expected, "{name}: grows");
                    assert!(metrics.size_bytes as usize > size * (written + 1));
                    assert_eq!(metrics.size_estimate_range_gb(), [0.0, 1.0]);
                    expected = metrics.size_bytes;
                    written += 1;
                }
                Err(CoreError::ItemCollectionSizeLimitExceeded(_)) => break,
                Err(e) => panic!("{name}: {e:?}"),
            }
        }
        assert!(written >= 3, "{name}: {written} items fit");
        assert!(
            expected as u64 <= LIMIT_BYTES,
            "{name}: never past the limit"
        );
        // Another partition key is another collection.
        put("b", 0).1.expect("another collection");
        // Deleting frees room.
        let out = db
            .delete_item(
                &ctx(),
                DeleteItemInput {
                    table_name: "coll".into(),
                    key: item(&[("pk", s("a")), ("sk", n("0"))]),
                    return_item_collection_metrics: true,
                    ..DeleteItemInput::default()
                },
            )
            .expect(name);
        assert!(out.item_collection_metrics.expect("metrics").size_bytes < expected);
        put("a", 1000).1.expect("room again");
        // Without local indexes there are no collections to report.
        db.create_table(&ctx(), create_input("plain", true))
            .expect(name);
        let out = db
            .put_item(
                &ctx(),
                PutItemInput {
                    table_name: "plain".into(),
                    item: item(&[("pk", s("a")), ("sk", n("1"))]),
                    return_item_collection_metrics: true,
                    ..PutItemInput::default()
                },
            )
            .expect(name);
        assert!(out.item_collection_metrics.is_none());
    }
}

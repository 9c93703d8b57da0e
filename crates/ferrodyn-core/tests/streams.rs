//! Streams and Time to Live in the core, on both engines: records for every
//! write path and view type, none for a write that changes nothing, shard
//! rollover and lineage, retention, iterators, TTL deletions, and records
//! of the first change format still readable. Time is a manual clock.

mod support;

use std::sync::Arc;

use ferrodyn_core::change::{self, Event, Origin};
use ferrodyn_core::clock::ManualClock;
use ferrodyn_core::jobs::Jobs;
use ferrodyn_core::ops::batch_write_item::{BatchWriteItemInput, WriteRequest};
use ferrodyn_core::ops::create_table::{CreateTableInput, StreamSpecification};
use ferrodyn_core::ops::delete_item::DeleteItemInput;
use ferrodyn_core::ops::describe_stream::{DescribeStreamInput, ListStreamsInput};
use ferrodyn_core::ops::get_item::GetItemInput;
use ferrodyn_core::ops::get_records::{GetRecordsInput, GetRecordsOutput};
use ferrodyn_core::ops::get_shard_iterator::{GetShardIteratorInput, ShardIteratorType};
use ferrodyn_core::ops::put_item::PutItemInput;
use ferrodyn_core::ops::transact_write_items::{
    TransactWriteItem, TransactWriteItemsInput, TransactWriteKind,
};
use ferrodyn_core::ops::update_item::UpdateItemInput;
use ferrodyn_core::ops::update_table::UpdateTableInput;
use ferrodyn_core::ops::update_time_to_live::TimeToLiveSpecification;
use ferrodyn_core::stream::{SHARD_ROLLOVER_MILLIS, STREAM_RETENTION_MILLIS, ViewType};
use ferrodyn_core::{CoreError, Database};
use ferrodyn_model::{AttributeValue, Item};
use ferrodyn_storage::{ChangeAppend, Condition, Engine, Op, WriteBatch};

use support::*;

const START: i64 = 1_700_000_000_000;

fn open_with_clock(engine: Arc<dyn Engine>) -> (Database, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(START));
    let db = Database::open(engine, clock.clone())
        .expect("open")
        .with_ttl_update_cooldown(0);
    (db, clock)
}

fn with_stream(mut input: CreateTableInput, view: &str) -> CreateTableInput {
    input.stream_specification = Some(StreamSpecification {
        enabled: true,
        view_type: Some(view.into()),
    });
    input
}

fn stream_arn(db: &Database, table: &str) -> String {
    let d = db.describe_table(&ctx(), table).expect("describe");
    let label = &d.meta.streams.last().expect("a stream").label;
    d.meta.stream_arn(label)
}

fn shards(db: &Database, arn: &str) -> Vec<ferrodyn_core::ops::describe_stream::ShardDescription> {
    db.describe_stream(
        &ctx(),
        DescribeStreamInput {
            stream_arn: arn.into(),
            ..DescribeStreamInput::default()
        },
    )
    .expect("describe stream")
    .shards
}

fn iterator(
    db: &Database,
    arn: &str,
    shard: &str,
    kind: ShardIteratorType,
    seq: Option<&str>,
) -> String {
    db.get_shard_iterator(
        &ctx(),
        GetShardIteratorInput {
            stream_arn: arn.into(),
            shard_id: shard.into(),
            iterator_type: kind,
            sequence_number: seq.map(str::to_owned),
            timestamp_millis: None,
        },
    )
    .expect("iterator")
}

fn records(db: &Database, it: &str) -> GetRecordsOutput {
    db.get_records(
        &ctx(),
        GetRecordsInput {
            shard_iterator: it.into(),
            limit: None,
        },
    )
    .expect("records")
}

/// Every record of a stream, following shard lineage to the open shard.
fn read_all(db: &Database, arn: &str) -> Vec<ferrodyn_core::ops::get_records::StreamRecord> {
    let mut out = Vec::new();
    for shard in shards(db, arn) {
        let mut it = iterator(
            db,
            arn,
            &shard.shard_id,
            ShardIteratorType::TrimHorizon,
            None,
        );
        loop {
            let page = records(db, &it);
            let empty = page.records.is_empty();
            out.extend(page.records);
            match page.next_shard_iterator {
                Some(next) if !empty => it = next,
                _ => break,
            }
        }
    }
    out
}

fn put_item(db: &Database, table: &str, it: Item) {
    db.put_item(
        &ctx(),
        PutItemInput {
            table_name: table.into(),
            item: it,
            ..PutItemInput::default()
        },
    )
    .expect("put");
}

fn update(db: &Database, table: &str, pk: &str, expression: &str, value: AttributeValue) {
    let mut input = UpdateItemInput {
        table_name: table.into(),
        key: item(&[("pk", s(pk))]),
        ..UpdateItemInput::default()
    };
    input.expressions.update = Some(expression.into());
    input.expressions.values = Some(Item::from([(":v".to_owned(), value)]));
    db.update_item(&ctx(), input).expect("update");
}

fn delete(db: &Database, table: &str, pk: &str) {
    db.delete_item(
        &ctx(),
        DeleteItemInput {
            table_name: table.into(),
            key: item(&[("pk", s(pk))]),
            ..DeleteItemInput::default()
        },
    )
    .expect("delete");
}

#[test]
fn every_write_path_records_its_change_as_the_view_type_says() {
    for (name, engine, _dir) in engines() {
        let (db, _) = open_with_clock(engine);
        for view in ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"] {
            let table = format!("t_{view}");
            db.create_table(&ctx(), with_stream(create_input(&table, false), view))
                .expect(name);
            put_item(&db, &table, item(&[("pk", s("a")), ("v", n("1"))]));
            update(&db, &table, "a", "SET v = :v", n("2"));
            db.batch_write_item(
                &ctx(),
                BatchWriteItemInput {
                    request_items: vec![(
                        table.clone(),
                        vec![WriteRequest::Put(item(&[("pk", s("b"))]))],
                    )],
                    ..BatchWriteItemInput::default()
                },
            )
            .expect(name);
            db.transact_write_items(
                &ctx(),
                TransactWriteItemsInput {
                    items: vec![TransactWriteItem {
                        table_name: table.clone(),
                        kind: TransactWriteKind::Delete {
                            key: item(&[("pk", s("b"))]),
                        },
                        expressions: Default::default(),
                        return_old_on_condition_failure: false,
                    }],
                    return_consumed_capacity: Default::default(),
                    client_request_token: None,
                    fingerprint: [0; 32],
                },
            )
            .expect(name);
            delete(&db, &table, "a");
            let got = read_all(&db, &stream_arn(&db, &table));
            let events: Vec<Event> = got.iter().map(|r| r.event).collect();
            assert_eq!(
                events,
                [
                    Event::Insert,
                    Event::Modify,
                    Event::Insert,
                    Event::Remove,
                    Event::Remove
                ],
                "{name} {view}"
            );
            let v = ViewType::from_wire_name(view).expect("view");
            for r in &got {
                assert_eq!(r.view_type, v);
                assert_eq!(r.keys.len(), 1, "{name} {view}: keys only the key");
                let has_new = r.event != Event::Remove;
                let has_old = r.event != Event::Insert;
                assert_eq!(
                    r.new_image.is_some(),
                    v.keeps_new() && has_new,
                    "{name} {view} {r:?}"
                );
                assert_eq!(
                    r.old_image.is_some(),
                    v.keeps_old() && has_old,
                    "{name} {view} {r:?}"
                );
                assert_eq!(r.origin, Origin::Client);
                assert_eq!(r.approximate_creation_secs, START / 1000);
            }
            // Sequence numbers grow within the shard, as strings and as numbers.
            assert!(
                got.windows(2)
                    .all(|w| w[0].sequence_number < w[1].sequence_number)
            );
            if v == ViewType::NewAndOldImages {
                assert_eq!(
                    got[1].old_image,
                    Some(item(&[("pk", s("a")), ("v", n("1"))]))
                );
                assert_eq!(
                    got[1].new_image,
                    Some(item(&[("pk", s("a")), ("v", n("2"))]))
                );
                // SizeBytes: keys + old + new, by DynamoDB's item sizes.
                let size = ferrodyn_model::value::item_size_bytes;
                assert_eq!(
                    got[1].size_bytes as usize,
                    size(&got[1].keys) + size(got[1].old_image.as_ref().expect("old")) * 2
                );
                assert_eq!(size(&got[1].keys), 3, "pk + 'a'");
            }
        }
    }
}

#[test]
fn a_write_that_changes_nothing_records_nothing() {
    for (name, engine, _dir) in engines() {
        let (db, _) = open_with_clock(engine);
        db.create_table(
            &ctx(),
            with_stream(create_input("t", false), "NEW_AND_OLD_IMAGES"),
        )
        .expect(name);
        let it = item(&[
            ("pk", s("a")),
            ("tags", AttributeValue::Ss(vec!["x".into(), "y".into()])),
        ]);
        put_item(&db, "t", it.clone());
        put_item(&db, "t", it);
        // The same set in another order is the same value.
        update(
            &db,
            "t",
            "a",
            "SET tags = :v",
            AttributeValue::Ss(vec!["y".into(), "x".into()]),
        );
        delete(&db, "t", "missing");
        let got = read_all(&db, &stream_arn(&db, "t"));
        assert_eq!(got.len(), 1, "{name}: {got:?}");
    }
}

#[test]
fn shards_roll_over_with_lineage_and_exact_ends() {
    for (name, engine, _dir) in engines() {
        let (db, clock) = open_with_clock(engine);
        let db = db.with_shard_rollover(SHARD_ROLLOVER_MILLIS);
        db.create_table(&ctx(), with_stream(create_input("t", false), "KEYS_ONLY"))
            .expect(name);
        let arn = stream_arn(&db, "t");
        let mut jobs = Jobs::new(1_000);
        for round in 0..3 {
            for i in 0..5 {
                put_item(&db, "t", item(&[("pk", s(&format!("k{round}-{i}")))]));
            }
            clock.advance(SHARD_ROLLOVER_MILLIS);
            jobs.run_once(&db).expect("jobs");
        }
        let list = shards(&db, &arn);
        assert_eq!(list.len(), 4, "{name}: three closed, one open");
        assert!(list[0].parent_shard_id.is_none());
        for w in list.windows(2) {
            assert_eq!(
                w[1].parent_shard_id.as_deref(),
                Some(w[0].shard_id.as_str())
            );
            assert!(w[0].ending_sequence_number.is_some(), "closed");
            assert!(
                w[1].starting_sequence_number > *w[0].ending_sequence_number.as_ref().expect("end")
            );
        }
        assert!(list[3].ending_sequence_number.is_none(), "the last is open");
        // Each closed shard holds its five records, ends at the last, and
        // its reader gets no iterator after it.
        for shard in &list[..3] {
            let it = iterator(
                &db,
                &arn,
                &shard.shard_id,
                ShardIteratorType::TrimHorizon,
                None,
            );
            let page = records(&db, &it);
            assert_eq!(page.records.len(), 5, "{name}");
            assert_eq!(
                page.records.last().map(|r| r.sequence_number.clone()),
                shard.ending_sequence_number
            );
            assert!(
                page.next_shard_iterator.is_none(),
                "{name}: closed shard read to its end"
            );
        }
        assert_eq!(read_all(&db, &arn).len(), 15);
        // CHILD_SHARDS lists the children of one shard.
        let children = db
            .describe_stream(
                &ctx(),
                DescribeStreamInput {
                    stream_arn: arn.clone(),
                    child_shards_of: Some(list[1].shard_id.clone()),
                    ..DescribeStreamInput::default()
                },
            )
            .expect("children")
            .shards;
        assert_eq!(children.len(), 1);
        assert_eq!(children[0].shard_id, list[2].shard_id);
        // Pages of shards.
        let first = db
            .describe_stream(
                &ctx(),
                DescribeStreamInput {
                    stream_arn: arn.clone(),
                    limit: Some(3),
                    ..DescribeStreamInput::default()
                },
            )
            .expect("page");
        assert_eq!(first.shards.len(), 3);
        assert_eq!(
            first.last_evaluated_shard_id.as_deref(),
            Some(list[2].shard_id.as_str())
        );
    }
}

#[test]
fn records_expire_after_24_hours_and_old_positions_are_trimmed() {
    for (name, engine, _dir) in engines() {
        let (db, clock) = open_with_clock(engine);
        db.create_table(&ctx(), with_stream(create_input("t", false), "KEYS_ONLY"))
            .expect(name);
        let arn = stream_arn(&db, "t");
        put_item(&db, "t", item(&[("pk", s("old"))]));
        let shard = shards(&db, &arn)[0].shard_id.clone();
        let at_old = iterator(&db, &arn, &shard, ShardIteratorType::TrimHorizon, None);
        let old_seq = records(&db, &at_old).records[0].sequence_number.clone();
        clock.advance(STREAM_RETENTION_MILLIS / 2);
        put_item(&db, "t", item(&[("pk", s("new"))]));
        clock.advance(STREAM_RETENTION_MILLIS / 2 + 1);
        let mut jobs = Jobs::new(1_000);
        jobs.run_once(&db).expect("jobs");
        let got = read_all(&db, &arn);
        assert_eq!(got.len(), 1, "{name}: the old record is gone");
        assert_eq!(got[0].keys, item(&[("pk", s("new"))]));
        let err = db
            .get_shard_iterator(
                &ctx(),
                GetShardIteratorInput {
                    stream_arn: arn.clone(),
                    shard_id: shard.clone(),
                    iterator_type: ShardIteratorType::AtSequenceNumber,
                    sequence_number: Some(old_seq),
                    timestamp_millis: None,
                },
            )
            .expect_err("trimmed");
        assert!(
            matches!(err, CoreError::TrimmedDataAccess(_)),
            "{name}: {err:?}"
        );
        // Iterators live fifteen minutes.
        let it = iterator(&db, &arn, &shard, ShardIteratorType::Latest, None);
        clock.advance(15 * 60 * 1000 + 1);
        let err = db
            .get_records(
                &ctx(),
                GetRecordsInput {
                    shard_iterator: it,
                    limit: None,
                },
            )
            .expect_err("expired");
        assert!(
            matches!(err, CoreError::ExpiredIterator(_)),
            "{name}: {err:?}"
        );
    }
}

#[test]
fn iterators_are_tamper_evident_and_positions_exact() {
    for (name, engine, _dir) in engines() {
        let (db, _) = open_with_clock(engine);
        db.create_table(&ctx(), with_stream(create_input("t", false), "KEYS_ONLY"))
            .expect(name);
        let arn = stream_arn(&db, "t");
        for k in ["a", "b", "c"] {
            put_item(&db, "t", item(&[("pk", s(k))]));
        }
        let shard = shards(&db, &arn)[0].shard_id.clone();
        let all = records(
            &db,
            &iterator(&db, &arn, &shard, ShardIteratorType::TrimHorizon, None),
        )
        .records;
        let second = all[1].sequence_number.clone();
        let at = records(
            &db,
            &iterator(
                &db,
                &arn,
                &shard,
                ShardIteratorType::AtSequenceNumber,
                Some(&second),
            ),
        );
        assert_eq!(at.records[0].keys, item(&[("pk", s("b"))]), "{name}");
        let after = records(
            &db,
            &iterator(
                &db,
                &arn,
                &shard,
                ShardIteratorType::AfterSequenceNumber,
                Some(&second),
            ),
        );
        assert_eq!(after.records.len(), 1);
        assert_eq!(after.records[0].keys, item(&[("pk", s("c"))]));
        let latest = iterator(&db, &arn, &shard, ShardIteratorType::Latest, None);
        let empty = records(&db, &latest);
        assert!(empty.records.is_empty());
        put_item(&db, "t", item(&[("pk", s("d"))]));
        let next = records(&db, &empty.next_shard_iterator.expect("open shard"));
        assert_eq!(
            next.records.len(),
            1,
            "{name}: LATEST sees what comes after"
        );
        // A changed byte makes the iterator invalid.
        let mut forged = latest.into_bytes();
        let last = forged.len() - 1;
        forged[last] = if forged[last] == b'0' { b'1' } else { b'0' };
        let err = db
            .get_records(
                &ctx(),
                GetRecordsInput {
                    shard_iterator: String::from_utf8(forged).expect("utf8"),
                    limit: None,
                },
            )
            .expect_err("forged");
        assert!(matches!(err, CoreError::Validation(_)), "{name}: {err:?}");
        // Limit pages the records.
        let first = db
            .get_records(
                &ctx(),
                GetRecordsInput {
                    shard_iterator: iterator(
                        &db,
                        &arn,
                        &shard,
                        ShardIteratorType::TrimHorizon,
                        None,
                    ),
                    limit: Some(2),
                },
            )
            .expect("page");
        assert_eq!(first.records.len(), 2);
        let rest = records(&db, &first.next_shard_iterator.expect("more"));
        assert_eq!(rest.records.len(), 2);
    }
}

#[test]
fn disabling_and_enabling_again_makes_a_new_stream_and_keeps_the_old_readable() {
    for (name, engine, _dir) in engines() {
        let (db, clock) = open_with_clock(engine);
        db.create_table(&ctx(), with_stream(create_input("t", false), "KEYS_ONLY"))
            .expect(name);
        let first = stream_arn(&db, "t");
        put_item(&db, "t", item(&[("pk", s("a"))]));
        let toggle = |enabled: bool| {
            db.update_table(
                &ctx(),
                UpdateTableInput {
                    table_name: "t".into(),
                    stream_specification: Some(StreamSpecification {
                        enabled,
                        view_type: enabled.then(|| "NEW_IMAGE".into()),
                    }),
                    ..UpdateTableInput::default()
                },
            )
        };
        toggle(false).expect(name);
        put_item(&db, "t", item(&[("pk", s("unrecorded"))]));
        clock.advance(1000);
        toggle(true).expect(name);
        put_item(&db, "t", item(&[("pk", s("b"))]));
        let second = stream_arn(&db, "t");
        assert_ne!(first, second, "{name}: a new stream");
        let old = db
            .describe_stream(
                &ctx(),
                DescribeStreamInput {
                    stream_arn: first.clone(),
                    ..DescribeStreamInput::default()
                },
            )
            .expect("old stream");
        assert_eq!(old.stream_status, "DISABLED");
        assert!(
            old.shards
                .iter()
                .all(|s| s.ending_sequence_number.is_some())
        );
        assert_eq!(read_all(&db, &first).len(), 1);
        let new: Vec<_> = read_all(&db, &second);
        assert_eq!(new.len(), 1);
        assert_eq!(new[0].keys, item(&[("pk", s("b"))]));
        let listed = db
            .list_streams(&ctx(), ListStreamsInput::default())
            .expect("list");
        assert_eq!(listed.streams.len(), 2, "{name}: both listed");
        // After 24 hours the disabled stream is forgotten.
        clock.advance(STREAM_RETENTION_MILLIS + 1);
        Jobs::new(1_000).run_once(&db).expect("jobs");
        let listed = db
            .list_streams(&ctx(), ListStreamsInput::default())
            .expect("list");
        assert_eq!(listed.streams.len(), 1, "{name}");
        assert_eq!(listed.streams[0].stream_arn, second);
    }
}

fn ttl_on(db: &Database, table: &str) {
    db.update_time_to_live(
        &ctx(),
        table,
        TimeToLiveSpecification {
            enabled: true,
            attribute_name: "exp".into(),
        },
    )
    .expect("ttl");
}

#[test]
fn ttl_deletes_expired_items_through_the_write_path() {
    for (name, engine, _dir) in engines() {
        let (db, clock) = open_with_clock(engine);
        db.create_table(
            &ctx(),
            with_stream(create_input("t", false), "NEW_AND_OLD_IMAGES"),
        )
        .expect(name);
        let now = START / 1000;
        let exp = |secs: i64| n(&secs.to_string());
        put_item(&db, "t", item(&[("pk", s("past")), ("exp", exp(now - 10))]));
        put_item(
            &db,
            "t",
            item(&[("pk", s("future")), ("exp", exp(now + 100))]),
        );
        put_item(&db, "t", item(&[("pk", s("string")), ("exp", s("0"))]));
        put_item(
            &db,
            "t",
            item(&[("pk", s("ancient")), ("exp", exp(now - 6 * 365 * 86_400))]),
        );
        put_item(&db, "t", item(&[("pk", s("none"))]));
        ttl_on(&db, "t");
        let mut jobs = Jobs::new(1_000);
        let round = jobs.run_once(&db).expect("jobs");
        assert_eq!(round.ttl_deleted, 1, "{name}");
        let get = |k: &str| {
            db.get_item(
                &ctx(),
                GetItemInput {
                    table_name: "t".into(),
                    key: item(&[("pk", s(k))]),
                    consistent_read: true,
                    ..GetItemInput::default()
                },
            )
            .expect("get")
            .item
        };
        assert!(get("past").is_none());
        for k in ["future", "string", "ancient", "none"] {
            assert!(get(k).is_some(), "{name}: {k} kept");
        }
        // An item whose expiry moves into the future before the sweep is
        // kept; one whose time comes is deleted on a later pass.
        update(&db, "t", "future", "SET exp = :v", exp(now + 10_000));
        clock.advance(200 * 1000);
        jobs.run_once(&db).expect("jobs");
        assert!(get("future").is_some(), "{name}");
        clock.advance(10_000 * 1000);
        jobs.run_once(&db).expect("jobs");
        assert!(get("future").is_none(), "{name}");
        assert_eq!(db.ttl_deleted_total(), 2);
        let removed: Vec<_> = read_all(&db, &stream_arn(&db, "t"))
            .into_iter()
            .filter(|r| r.event == Event::Remove)
            .collect();
        assert_eq!(removed.len(), 2);
        assert!(
            removed
                .iter()
                .all(|r| r.origin == Origin::TimeToLive && r.old_image.is_some())
        );
        assert_eq!(db.describe_table(&ctx(), "t").expect("d").item_count, 3);
    }
}

#[test]
fn ttl_settings_follow_aws_rules() {
    let (db, clock) = open_with_clock(Arc::new(ferrodyn_storage::memory::MemoryEngine::new()));
    let db = db.with_ttl_update_cooldown(31 * 60 * 1000);
    db.create_table(&ctx(), create_input("t", false))
        .expect("create");
    let set = |enabled: bool, attribute: &str| {
        db.update_time_to_live(
            &ctx(),
            "t",
            TimeToLiveSpecification {
                enabled,
                attribute_name: attribute.into(),
            },
        )
    };
    let message = |r: Result<TimeToLiveSpecification, CoreError>| match r {
        Err(CoreError::Validation(m)) => m,
        other => panic!("expected a ValidationException, got {other:?}"),
    };
    assert_eq!(message(set(false, "exp")), "TimeToLive is already disabled");
    assert_eq!(
        db.describe_time_to_live(&ctx(), "t").expect("d").status,
        "DISABLED"
    );
    set(true, "exp").expect("enable");
    let d = db.describe_time_to_live(&ctx(), "t").expect("d");
    assert_eq!(
        (d.status, d.attribute_name.as_deref()),
        ("ENABLED", Some("exp"))
    );
    assert_eq!(message(set(true, "exp")), "TimeToLive is already enabled");
    assert_eq!(
        message(set(true, "other")),
        "TimeToLive is active on a different AttributeName: current AttributeName is exp"
    );
    assert_eq!(
        message(set(false, "exp")),
        "Time to live has been modified multiple times within a fixed interval"
    );
    clock.advance(31 * 60 * 1000);
    set(false, "exp").expect("disable after the cool-down");
    let d = db.describe_time_to_live(&ctx(), "t").expect("d");
    assert_eq!((d.status, d.attribute_name), ("DISABLED", None));
}

/// A database written by the first change format (bare sequence keys, no
/// shards) opens, and its records are read through the new stream shards.
#[test]
fn records_of_the_first_format_are_moved_into_shards() {
    for (name, engine, _dir) in engines() {
        let table_id = {
            let (db, _) = open_with_clock(Arc::clone(&engine));
            db.create_table(
                &ctx(),
                with_stream(create_input("t", false), "NEW_AND_OLD_IMAGES"),
            )
            .expect(name);
            let meta = db.describe_table(&ctx(), "t").expect("d").meta;
            // Make the table look as the first format stored it: stream
            // settings without shards.
            let mut old = meta.clone();
            old.streams.clear();
            old.next_shard = 0;
            let key = ferrodyn_core::keyspace::catalog_key(&old.account_id, &old.region, &old.name);
            engine
                .commit(WriteBatch {
                    // The first format had no marker of the log's format.
                    ops: vec![
                        Op::Put {
                            key,
                            value: ferrodyn_core::catalog::encode_meta(&old).expect("encode"),
                        },
                        Op::Delete {
                            key: ferrodyn_core::keyspace::change_format_key(),
                        },
                    ],
                    conditions: Vec::<Condition>::new(),
                    changes: vec![],
                })
                .expect("commit");
            meta.id
        };
        // Records as the first format wrote them.
        let new_item = ferrodyn_model::codec::encode_item(&item(&[("pk", s("a")), ("v", n("1"))]));
        engine
            .commit(WriteBatch {
                changes: vec![ChangeAppend {
                    log: Vec::new(),
                    record: change::encode_v1(table_id, START, b"key", None, Some(&new_item)),
                }],
                ..WriteBatch::default()
            })
            .expect("v1 record");
        let (db, _) = open_with_clock(Arc::clone(&engine));
        let got = read_all(&db, &stream_arn(&db, "t"));
        assert_eq!(got.len(), 1, "{name}");
        assert_eq!(got[0].event, Event::Insert);
        assert_eq!(got[0].keys, item(&[("pk", s("a"))]));
        assert_eq!(
            got[0].new_image,
            Some(item(&[("pk", s("a")), ("v", n("1"))]))
        );
        assert!(
            engine.changes(&[], 0, 10).expect("changes").is_empty(),
            "{name}: moved"
        );
        // New writes follow in the same shard.
        put_item(&db, "t", item(&[("pk", s("b"))]));
        assert_eq!(read_all(&db, &stream_arn(&db, "t")).len(), 2);
    }
}

#[test]
fn kinesis_destinations_capture_both_images_and_keep_a_cursor() {
    use ferrodyn_core::kinesis::DestinationStatus;
    for (name, engine, _dir) in engines() {
        let (db, _) = open_with_clock(engine);
        // No DynamoDB stream: Kinesis capture is independent of it.
        db.create_table(&ctx(), create_input("t", false))
            .expect(name);
        let arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
        put_item(&db, "t", item(&[("pk", s("before"))]));
        db.enable_kinesis_destination(&ctx(), "t", arn, None)
            .expect(name);
        let (table, destination) = db.kinesis_destinations().pop().expect("one");
        assert_eq!(destination.status, DestinationStatus::Enabling);
        put_item(&db, "t", item(&[("pk", s("a")), ("v", n("1"))]));
        put_item(&db, "t", item(&[("pk", s("a")), ("v", n("2"))]));
        let pending = db
            .kinesis_pending(&table, &destination, 10)
            .expect("pending");
        assert_eq!(pending.len(), 2, "{name}: only writes after enabling");
        assert_eq!(pending[1].change.event, Event::Modify);
        assert!(
            pending[1].change.old_image.is_some() && pending[1].change.new_image.is_some(),
            "both images"
        );
        db.kinesis_sent(&table, &destination, pending[0].sequence)
            .expect("sent");
        let rest = db
            .kinesis_pending(&table, &destination, 10)
            .expect("pending");
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].sequence, pending[1].sequence);
        db.set_kinesis_status(&table, arn, DestinationStatus::Active, None)
            .expect("active");
        db.disable_kinesis_destination(&ctx(), "t", arn)
            .expect("disable");
        put_item(&db, "t", item(&[("pk", s("after"))]));
        assert!(
            db.kinesis_destinations().is_empty(),
            "{name}: nothing to publish"
        );
        assert!(
            db.kinesis_pending(&table, &destination, 10)
                .expect("pending")
                .is_empty()
        );
    }
}

//! Query and Scan against a `Database`, over each storage engine: key
//! ranges, sort orders of every key type, paging by Limit and by size, and
//! parallel-scan segments.

use std::collections::BTreeSet;

use ferrodyn_core::Database;
use ferrodyn_core::expressions::ExpressionInput;
use ferrodyn_core::ops::create_table::{AttributeDefinition, KeySchemaElement, KeyType};
use ferrodyn_core::ops::query::{QueryInput, ReadOutput};
use ferrodyn_core::ops::scan::ScanInput;
use ferrodyn_core::read::Select;
use ferrodyn_model::schema::ScalarType;
use ferrodyn_model::{AttributeValue, Item};

mod support;

use support::*;

fn table(db: &Database, name: &str, sort_type: ScalarType) {
    let mut input = create_input(name, true);
    input.attribute_definitions[1] = AttributeDefinition {
        name: "sk".into(),
        scalar_type: sort_type,
    };
    input.key_schema[1] = KeySchemaElement {
        name: "sk".into(),
        key_type: KeyType::Range,
    };
    db.create_table(&ctx(), input).expect("create");
}

fn put(db: &Database, table: &str, item: Item) {
    support::put(db, table, item).expect("put");
}

fn query(table: &str, key_condition: &str, values: &[(&str, AttributeValue)]) -> QueryInput {
    QueryInput {
        table_name: table.into(),
        consistent_read: true,
        expressions: ExpressionInput {
            key_condition: Some(key_condition.into()),
            values: Some(
                values
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.clone()))
                    .collect(),
            ),
            ..ExpressionInput::default()
        },
        ..QueryInput::default()
    }
}

fn sort_keys(out: &ReadOutput) -> Vec<AttributeValue> {
    out.items
        .as_ref()
        .expect("items")
        .iter()
        .map(|i| i.get("sk").cloned().expect("sk"))
        .collect()
}

/// Reads every page of a query, returning the sort keys in order.
fn all_pages(db: &Database, mut input: QueryInput) -> Vec<AttributeValue> {
    let mut keys = Vec::new();
    loop {
        let out = db.query(&ctx(), input.clone()).expect("query");
        keys.extend(sort_keys(&out));
        match out.last_evaluated_key {
            Some(key) => input.exclusive_start_key = Some(key),
            None => return keys,
        }
    }
}

#[test]
fn number_sort_keys_order_numerically_both_ways() {
    for (name, engine, _dir) in engines() {
        let db = open(engine);
        table(&db, "nums", ScalarType::N);
        let texts = [
            "-1e125",
            "-99999999999999999999999999999999999999",
            "-10",
            "-2.5",
            "-1",
            "-0.001",
            "0",
            "1e-130",
            "0.5",
            "1",
            "1.0000000000000000000000000000000000001",
            "2",
            "1E1",
            "99.9",
            "1e2",
            "12345678901234567890123456789012345678",
            "9.9999999999999999999999999999999999999E+125",
        ];
        for t in texts {
            put(&db, "nums", item(&[("pk", s("p")), ("sk", n(t))]));
        }
        let mut expected: Vec<AttributeValue> = texts.iter().map(|t| n(t)).collect();
        let forward = all_pages(
            &db,
            QueryInput {
                limit: Some(4),
                ..query("nums", "pk = :p", &[(":p", s("p"))])
            },
        );
        assert_eq!(forward, expected, "{name}");
        expected.reverse();
        let backward = all_pages(
            &db,
            QueryInput {
                limit: Some(3),
                scan_index_forward: false,
                ..query("nums", "pk = :p", &[(":p", s("p"))])
            },
        );
        assert_eq!(backward, expected, "{name}");
        let out = db
            .query(
                &ctx(),
                query(
                    "nums",
                    "pk = :p AND sk BETWEEN :a AND :b",
                    &[(":p", s("p")), (":a", n("-2.5")), (":b", n("1"))],
                ),
            )
            .expect("between");
        assert_eq!(
            sort_keys(&out),
            ["-2.5", "-1", "-0.001", "0", "1e-130", "0.5", "1"].map(n),
            "{name}"
        );
        let out = db
            .query(
                &ctx(),
                query(
                    "nums",
                    "pk = :p AND sk > :a",
                    &[(":p", s("p")), (":a", n("99.9"))],
                ),
            )
            .expect("gt");
        assert_eq!(out.count, 3, "{name}");
    }
}

#[test]
fn string_and_binary_sort_keys_order_by_bytes() {
    for (name, engine, _dir) in engines() {
        let db = open(engine);
        table(&db, "strs", ScalarType::S);
        // UTF-8 byte order: U+FFFF (EF BF BF) sorts before U+10000 (F0 90 80 80).
        let texts = [
            "",
            "A",
            "Z",
            "a",
            "a\u{0}",
            "ab",
            "abc",
            "é",
            "\u{FFFF}",
            "\u{10000}",
        ];
        for t in texts.iter().rev() {
            if !t.is_empty() {
                put(&db, "strs", item(&[("pk", s("p")), ("sk", s(t))]));
            }
        }
        let expected: Vec<AttributeValue> = texts
            .iter()
            .filter(|t| !t.is_empty())
            .map(|t| s(t))
            .collect();
        assert_eq!(
            all_pages(&db, query("strs", "pk = :p", &[(":p", s("p"))])),
            expected,
            "{name}"
        );
        let out = db
            .query(
                &ctx(),
                query(
                    "strs",
                    "pk = :p AND begins_with(sk, :b)",
                    &[(":p", s("p")), (":b", s("a"))],
                ),
            )
            .expect("begins_with");
        assert_eq!(
            sort_keys(&out),
            ["a", "a\u{0}", "ab", "abc"].map(s),
            "{name}"
        );
        let out = db
            .query(
                &ctx(),
                query(
                    "strs",
                    "pk = :p AND sk < :b",
                    &[(":p", s("p")), (":b", s("a"))],
                ),
            )
            .expect("lt");
        assert_eq!(sort_keys(&out), ["A", "Z"].map(s), "{name}");

        table(&db, "bins", ScalarType::B);
        let blobs: Vec<Vec<u8>> = vec![
            vec![0],
            vec![0, 0],
            vec![0, 1],
            vec![1],
            vec![0x7F],
            vec![0x80],
            vec![0xFF],
            vec![0xFF, 0],
        ];
        for b in blobs.iter().rev() {
            put(
                &db,
                "bins",
                item(&[("pk", s("p")), ("sk", AttributeValue::B(b.clone()))]),
            );
        }
        let expected: Vec<AttributeValue> =
            blobs.iter().map(|b| AttributeValue::B(b.clone())).collect();
        assert_eq!(
            all_pages(&db, query("bins", "pk = :p", &[(":p", s("p"))])),
            expected,
            "{name}"
        );
        let out = db
            .query(
                &ctx(),
                query(
                    "bins",
                    "pk = :p AND begins_with(sk, :b)",
                    &[(":p", s("p")), (":b", AttributeValue::B(vec![0]))],
                ),
            )
            .expect("begins_with");
        assert_eq!(out.count, 3, "{name}");
    }
}

#[test]
fn limit_filter_and_last_evaluated_key() {
    for (name, engine, _dir) in engines() {
        let db = open(engine);
        table(&db, "tbl", ScalarType::N);
        for i in 0..10 {
            put(
                &db,
                "tbl",
                item(&[
                    ("pk", s("p")),
                    ("sk", n(&i.to_string())),
                    ("v", n(&(i % 3).to_string())),
                ]),
            );
        }
        put(&db, "tbl", item(&[("pk", s("other")), ("sk", n("1"))]));
        let base = query("tbl", "pk = :p", &[(":p", s("p"))]);
        // Limit equal to the matches still returns a LastEvaluatedKey; the
        // next page is empty and has none.
        let out = db
            .query(
                &ctx(),
                QueryInput {
                    limit: Some(10),
                    ..base.clone()
                },
            )
            .expect(name);
        assert_eq!((out.count, out.scanned_count), (10, 10));
        let lek = out
            .last_evaluated_key
            .expect("LastEvaluatedKey at the limit");
        assert_eq!(lek, item(&[("pk", s("p")), ("sk", n("9"))]));
        let out = db
            .query(
                &ctx(),
                QueryInput {
                    exclusive_start_key: Some(lek),
                    ..base.clone()
                },
            )
            .expect(name);
        assert_eq!((out.count, out.last_evaluated_key), (0, None), "{name}");
        // A filter that drops everything still pages.
        let mut filtered = base.clone();
        filtered.expressions.filter = Some("v = :none".into());
        filtered
            .expressions
            .values
            .as_mut()
            .expect("values")
            .insert(":none".into(), n("7"));
        filtered.limit = Some(4);
        let out = db.query(&ctx(), filtered.clone()).expect(name);
        assert_eq!((out.count, out.scanned_count), (0, 4), "{name}");
        assert_eq!(out.items.as_ref().map(Vec::len), Some(0));
        assert!(out.last_evaluated_key.is_some(), "{name}");
        // COUNT returns no items.
        let out = db
            .query(
                &ctx(),
                QueryInput {
                    select: Some(Select::Count),
                    ..base.clone()
                },
            )
            .expect(name);
        assert_eq!(
            (out.items, out.count, out.last_evaluated_key),
            (None, 10, None),
            "{name}"
        );
    }
}

#[test]
fn pages_stop_after_one_megabyte_read() {
    for (name, engine, _dir) in engines() {
        let db = open(engine);
        table(&db, "big", ScalarType::N);
        // Items of exactly 100,000 bytes: 'pk' + 'p' (3), 'sk' + 1 byte
        // number (3 bytes for one digit), 'x' + padding.
        let pad = 100_000 - 3 - 4 - 1;
        for i in 0..25 {
            put(
                &db,
                "big",
                item(&[
                    ("pk", s("p")),
                    ("sk", n(&i.to_string())),
                    ("x", s(&"x".repeat(pad))),
                ]),
            );
        }
        let mut input = query("big", "pk = :p", &[(":p", s("p"))]);
        input.expressions.filter = Some("attribute_not_exists(x)".into());
        let out = db.query(&ctx(), input.clone()).expect(name);
        // 1 MiB = 1,048,576 bytes: the eleventh item crosses it.
        assert_eq!((out.count, out.scanned_count), (0, 11), "{name}");
        let mut total = out.scanned_count;
        let mut lek = out.last_evaluated_key;
        while let Some(key) = lek {
            let out = db
                .query(
                    &ctx(),
                    QueryInput {
                        exclusive_start_key: Some(key),
                        ..input.clone()
                    },
                )
                .expect(name);
            total += out.scanned_count;
            lek = out.last_evaluated_key;
        }
        assert_eq!(total, 25, "{name}");
    }
}

#[test]
fn parallel_scan_segments_partition_the_table() {
    for (name, engine, _dir) in engines() {
        let db = open(engine);
        table(&db, "tbl", ScalarType::N);
        let mut all = BTreeSet::new();
        for p in 0..150 {
            for s_ in 0..2 {
                put(
                    &db,
                    "tbl",
                    item(&[("pk", s(&format!("p{p}"))), ("sk", n(&s_.to_string()))]),
                );
                all.insert(format!("p{p}/{s_}"));
            }
        }
        for total in [1u32, 2, 7, 64] {
            let mut seen = Vec::new();
            for segment in 0..total {
                let mut input = ScanInput {
                    table_name: "tbl".into(),
                    segment: Some(segment),
                    total_segments: Some(total),
                    limit: Some(13),
                    ..ScanInput::default()
                };
                loop {
                    let out = db.scan(&ctx(), input.clone()).expect(name);
                    for i in out.items.expect("items") {
                        let (Some(AttributeValue::S(p)), Some(AttributeValue::N(k))) =
                            (i.get("pk"), i.get("sk"))
                        else {
                            panic!("bad item");
                        };
                        seen.push(format!("{p}/{k}"));
                    }
                    match out.last_evaluated_key {
                        Some(key) => input.exclusive_start_key = Some(key),
                        None => break,
                    }
                }
            }
            let unique: BTreeSet<String> = seen.iter().cloned().collect();
            assert_eq!(
                unique.len(),
                seen.len(),
                "{name}: segments of {total} overlap"
            );
            assert_eq!(unique, all, "{name}: segments of {total} miss items");
        }
        let e = db
            .scan(
                &ctx(),
                ScanInput {
                    table_name: "tbl".into(),
                    segment: Some(3),
                    total_segments: Some(3),
                    ..ScanInput::default()
                },
            )
            .unwrap_err();
        assert_eq!(
            validation(e),
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than TotalSegments: 3"
        );
    }
}

//! The test corpus every [`Engine`] must pass, run once per engine.

use std::sync::Arc;

use crate::{
    ChangeAppend, Condition, Direction, Engine, Op, ReadConsistency, ScanRequest, StorageError,
    WriteBatch, decode_counter,
};

type Factory<'a> = &'a dyn Fn() -> Box<dyn Engine>;

pub fn run_all(make: Factory<'_>) {
    put_get_delete(&*make());
    conditions_are_atomic(&*make());
    scans_are_ordered_and_paged(&*make());
    delete_range(&*make());
    counters_add(&*make());
    change_logs_share_one_ordered_sequence(&*make());
    multi_get(&*make());
    snapshots_see_one_instant(&*make());
    snapshots_know_their_change_horizon(&*make());
    concurrent_increments_lose_nothing(Arc::from(make()));
}

fn put(key: &[u8], value: &[u8]) -> Op {
    Op::Put {
        key: key.to_vec(),
        value: value.to_vec(),
    }
}

fn ops(ops: Vec<Op>) -> WriteBatch {
    WriteBatch {
        ops,
        ..WriteBatch::default()
    }
}

fn get(e: &dyn Engine, key: &[u8]) -> Option<Vec<u8>> {
    e.get(key, ReadConsistency::Strong).expect("get")
}

/// Every entry of a snapshot, page by page, and the number of pages.
fn read_snapshot(snapshot: &mut dyn crate::Snapshot) -> (crate::Entries, usize) {
    let mut all = Vec::new();
    let mut pages = 0;
    loop {
        let page = snapshot.next_page().expect("snapshot page");
        if page.is_empty() {
            return (all, pages);
        }
        assert!(page.len() <= crate::SNAPSHOT_PAGE_ENTRIES);
        pages += 1;
        all.extend(page);
    }
}

fn snapshots_see_one_instant(e: &dyn Engine) {
    let key = |i: u32| format!("s{i:05}").into_bytes();
    let n = 3000u32;
    e.commit(ops((0..n).map(|i| put(&key(i), b"before")).collect()))
        .expect("commit");
    e.commit(ops(vec![put(b"r", b"outside"), put(b"t", b"outside")]))
        .expect("commit");
    let mut snapshot = e.snapshot(b"s", b"t").expect("snapshot");
    // Writes after the snapshot: changed, deleted and new keys, all unseen.
    e.commit(ops(vec![
        put(&key(0), b"after"),
        Op::Delete { key: key(1) },
        put(&key(n), b"new"),
        Op::DeleteRange {
            start: key(10),
            end: key(20),
        },
    ]))
    .expect("commit");
    let (entries, pages) = read_snapshot(&mut *snapshot);
    assert_eq!(entries.len(), n as usize);
    assert!(pages >= 3, "{n} entries in {pages} pages");
    for (i, (k, v)) in entries.iter().enumerate() {
        assert_eq!(k, &key(i as u32), "in key order, inside the range");
        assert_eq!(v, b"before");
    }
    assert!(snapshot.next_page().expect("after the end").is_empty());
    // A new snapshot sees the writes; an empty range is empty.
    let (entries, _) = read_snapshot(&mut *e.snapshot(b"s", b"t").expect("snapshot"));
    assert_eq!(entries.len(), n as usize - 1 - 10 + 1);
    assert_eq!(entries[0], (key(0), b"after".to_vec()));
    let (entries, _) = read_snapshot(&mut *e.snapshot(b"t", b"s").expect("snapshot"));
    assert!(entries.is_empty());
    // A snapshot dropped before it is read releases what it holds.
    drop(e.snapshot(b"s", b"t").expect("snapshot"));
}

fn snapshots_know_their_change_horizon(e: &dyn Engine) {
    let change = |record: &[u8]| crate::ChangeAppend {
        log: b"L".to_vec(),
        record: record.to_vec(),
    };
    let empty = e.snapshot(b"s", b"t").expect("snapshot");
    assert_eq!(empty.change_horizon(), 0, "no record yet");
    drop(empty);
    let first = e
        .commit(WriteBatch {
            ops: vec![put(b"s1", b"1")],
            changes: vec![change(b"a"), change(b"b")],
            ..WriteBatch::default()
        })
        .expect("commit");
    // A commit without records moves nothing.
    e.commit(ops(vec![put(b"s2", b"2")])).expect("commit");
    let snapshot = e.snapshot(b"s", b"t").expect("snapshot");
    let later = e
        .commit(WriteBatch {
            ops: vec![put(b"s3", b"3")],
            changes: vec![change(b"c")],
            ..WriteBatch::default()
        })
        .expect("commit");
    let horizon = snapshot.change_horizon();
    assert_eq!(first.first_sequence.map(|s| s + 2), Some(horizon));
    assert_eq!(later.first_sequence, Some(horizon));
    let before: Vec<Vec<u8>> = e
        .changes(b"L", 0, 10)
        .expect("changes")
        .into_iter()
        .filter(|(seq, _)| *seq < horizon)
        .map(|(_, r)| r)
        .collect();
    assert_eq!(before, vec![b"a".to_vec(), b"b".to_vec()]);
}

fn put_get_delete(e: &dyn Engine) {
    assert_eq!(get(e, b"a"), None);
    e.commit(ops(vec![put(b"a", b"1"), put(b"b", b"2")]))
        .expect("commit");
    assert_eq!(get(e, b"a"), Some(b"1".to_vec()));
    e.commit(ops(vec![
        Op::Delete { key: b"a".to_vec() },
        put(b"b", b"3"),
    ]))
    .expect("commit");
    assert_eq!(get(e, b"a"), None);
    assert_eq!(get(e, b"b"), Some(b"3".to_vec()));
}

fn conditions_are_atomic(e: &dyn Engine) {
    e.commit(ops(vec![put(b"x", b"1")])).expect("commit");
    let failing = WriteBatch {
        conditions: vec![
            Condition::ValueIs {
                key: b"x".to_vec(),
                value: Some(b"1".to_vec()),
            },
            Condition::ValueIs {
                key: b"y".to_vec(),
                value: Some(b"0".to_vec()),
            },
        ],
        ops: vec![put(b"x", b"2"), put(b"z", b"new")],
        changes: vec![append(b"log-0001", b"never")],
    };
    match e.commit(failing) {
        Err(StorageError::ConditionFailed { index: 1 }) => {}
        other => panic!("expected condition 1 to fail, got {other:?}"),
    }
    assert_eq!(get(e, b"x"), Some(b"1".to_vec()), "nothing applied");
    assert_eq!(get(e, b"z"), None);
    assert!(e.changes(b"log-0001", 0, 10).expect("changes").is_empty());
    let ok = WriteBatch {
        conditions: vec![
            Condition::ValueIs {
                key: b"x".to_vec(),
                value: Some(b"1".to_vec()),
            },
            Condition::ValueIs {
                key: b"y".to_vec(),
                value: None,
            },
        ],
        ops: vec![put(b"x", b"2")],
        changes: vec![],
    };
    e.commit(ok).expect("conditions hold");
    assert_eq!(get(e, b"x"), Some(b"2".to_vec()));
}

fn scan(
    e: &dyn Engine,
    start: &[u8],
    end: &[u8],
    dir: Direction,
    items: usize,
    bytes: usize,
) -> (Vec<Vec<u8>>, bool) {
    let page = e
        .scan(&ScanRequest {
            start,
            end,
            direction: dir,
            limit_items: items,
            limit_bytes: bytes,
            consistency: ReadConsistency::Strong,
        })
        .expect("scan");
    (
        page.entries.into_iter().map(|(k, _)| k).collect(),
        page.more,
    )
}

fn scans_are_ordered_and_paged(e: &dyn Engine) {
    let keys: Vec<Vec<u8>> = vec![
        vec![1],
        vec![1, 0],
        vec![1, 0xFF],
        vec![2],
        vec![0x80],
        vec![0xFF, 0xFF],
    ];
    e.commit(ops(keys.iter().rev().map(|k| put(k, b"v")).collect()))
        .expect("commit");
    let (all, more) = scan(
        e,
        &[0],
        &[0xFF, 0xFF, 0xFF],
        Direction::Forward,
        100,
        usize::MAX,
    );
    assert_eq!(all, keys);
    assert!(!more);
    let (rev, _) = scan(
        e,
        &[0],
        &[0xFF, 0xFF, 0xFF],
        Direction::Reverse,
        100,
        usize::MAX,
    );
    assert_eq!(rev, keys.iter().rev().cloned().collect::<Vec<_>>());
    // The end bound is exclusive, the start inclusive.
    let (mid, _) = scan(e, &[1, 0], &[0x80], Direction::Forward, 100, usize::MAX);
    assert_eq!(mid, vec![vec![1, 0], vec![1, 0xFF], vec![2]]);
    let (mid_rev, _) = scan(e, &[1, 0], &[0x80], Direction::Reverse, 100, usize::MAX);
    assert_eq!(mid_rev, vec![vec![2], vec![1, 0xFF], vec![1, 0]]);
    // Item limit.
    let (two, more) = scan(e, &[0], &[0xFF], Direction::Forward, 2, usize::MAX);
    assert_eq!(two, keys[..2].to_vec());
    assert!(more);
    // Byte limit: each entry is key + "v"; the entry crossing the limit is included.
    let (by_bytes, more) = scan(e, &[0], &[0xFF], Direction::Forward, 100, 3);
    assert_eq!(by_bytes, keys[..2].to_vec());
    assert!(more);
    // Empty and inverted ranges.
    assert_eq!(
        scan(e, &[3], &[4], Direction::Forward, 10, 10).0,
        Vec::<Vec<u8>>::new()
    );
    assert_eq!(
        scan(e, &[4], &[3], Direction::Reverse, 10, 10).0,
        Vec::<Vec<u8>>::new()
    );
}

fn delete_range(e: &dyn Engine) {
    e.commit(ops((0u8..10).map(|i| put(&[5, i], b"v")).collect()))
        .expect("commit");
    e.commit(ops(vec![Op::DeleteRange {
        start: vec![5, 2],
        end: vec![5, 8],
    }]))
    .expect("commit");
    let (left, _) = scan(e, &[5], &[6], Direction::Forward, 100, usize::MAX);
    assert_eq!(left, vec![vec![5, 0], vec![5, 1], vec![5, 8], vec![5, 9]]);
}

fn counters_add(e: &dyn Engine) {
    e.commit(ops(vec![Op::Add {
        key: b"c".to_vec(),
        delta: 5,
    }]))
    .expect("commit");
    e.commit(ops(vec![Op::Add {
        key: b"c".to_vec(),
        delta: -7,
    }]))
    .expect("commit");
    assert_eq!(decode_counter(get(e, b"c").as_deref()), -2);
}

fn append(log: &[u8], record: &[u8]) -> ChangeAppend {
    ChangeAppend {
        log: log.to_vec(),
        record: record.to_vec(),
    }
}

fn change_logs_share_one_ordered_sequence(e: &dyn Engine) {
    let (l1, l2) = (b"log-0001".as_slice(), b"log-0002".as_slice());
    let first = e
        .commit(WriteBatch {
            changes: vec![append(l1, b"a"), append(l2, b"x"), append(l1, b"b")],
            ..WriteBatch::default()
        })
        .expect("commit")
        .first_sequence
        .expect("sequence");
    let second = e
        .commit(WriteBatch {
            changes: vec![append(l1, b"c")],
            ..WriteBatch::default()
        })
        .expect("commit")
        .first_sequence
        .expect("sequence");
    assert_eq!(second, first + 3);
    assert_eq!(
        e.changes(l1, 0, 10).expect("changes"),
        vec![
            (first, b"a".to_vec()),
            (first + 2, b"b".to_vec()),
            (second, b"c".to_vec())
        ]
    );
    assert_eq!(
        e.changes(l2, 0, 10).expect("changes"),
        vec![(first + 1, b"x".to_vec())]
    );
    assert_eq!(
        e.changes(l1, first + 1, 1).expect("changes"),
        vec![(first + 2, b"b".to_vec())]
    );
    assert_eq!(e.last_change(l1).expect("last"), Some(second));
    assert_eq!(e.last_change(l2).expect("last"), Some(first + 1));
    assert_eq!(e.last_change(b"log-0003").expect("last"), None);
    e.trim_changes(l1, second).expect("trim");
    assert_eq!(
        e.changes(l1, 0, 10).expect("changes"),
        vec![(second, b"c".to_vec())]
    );
    assert_eq!(
        e.changes(l2, 0, 10).expect("changes").len(),
        1,
        "other logs untouched"
    );
    // Records of the empty log (the first format: bare sequence keys) are
    // told apart from longer logs' by their length.
    let bare = e
        .commit(WriteBatch {
            changes: vec![append(b"", b"legacy")],
            ..WriteBatch::default()
        })
        .expect("commit")
        .first_sequence
        .expect("sequence");
    assert_eq!(
        e.changes(b"", 0, 10).expect("changes"),
        vec![(bare, b"legacy".to_vec())]
    );
    assert_eq!(e.last_change(b"").expect("last"), Some(bare));
    e.trim_changes(b"", bare + 1).expect("trim");
    assert!(e.changes(b"", 0, 10).expect("changes").is_empty());
    assert_eq!(
        e.changes(l1, 0, 10).expect("changes").len(),
        1,
        "other logs untouched"
    );
}

fn multi_get(e: &dyn Engine) {
    e.commit(ops(vec![put(b"m1", b"1"), put(b"m2", b"2")]))
        .expect("commit");
    let got = e
        .multi_get(
            &[b"m1".to_vec(), b"nope".to_vec(), b"m2".to_vec()],
            ReadConsistency::Strong,
        )
        .expect("multi_get");
    assert_eq!(got, vec![Some(b"1".to_vec()), None, Some(b"2".to_vec())]);
}

/// Read-modify-write with a value condition, retried on conflict, from
/// several threads: no increment may be lost.
fn concurrent_increments_lose_nothing(e: Arc<dyn Engine>) {
    const THREADS: usize = 4;
    const EACH: usize = 50;
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let e = Arc::clone(&e);
            std::thread::spawn(move || {
                for _ in 0..EACH {
                    loop {
                        let old = e.get(b"ctr", ReadConsistency::Strong).expect("get");
                        let n: u64 = old
                            .as_deref()
                            .map(|v| String::from_utf8_lossy(v).parse().expect("number"))
                            .unwrap_or(0);
                        let batch = WriteBatch {
                            conditions: vec![Condition::ValueIs {
                                key: b"ctr".to_vec(),
                                value: old,
                            }],
                            ops: vec![put(b"ctr", (n + 1).to_string().as_bytes())],
                            changes: vec![],
                        };
                        match e.commit(batch) {
                            Ok(_) => break,
                            Err(StorageError::ConditionFailed { .. }) => continue,
                            Err(other) => panic!("{other}"),
                        }
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    let v = e
        .get(b"ctr", ReadConsistency::Strong)
        .expect("get")
        .expect("present");
    assert_eq!(String::from_utf8_lossy(&v), (THREADS * EACH).to_string());
}

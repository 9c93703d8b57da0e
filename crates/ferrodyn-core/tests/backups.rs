//! On-demand backups against a `Database`, over each storage engine: a
//! backup holds exactly the items of its instant, a restore brings them
//! back with their indexes, and a backup taken while writers run is one
//! consistent snapshot (a transfer invariant holds in the restored table).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use ferrodyn_core::backup::BackupStatus;
use ferrodyn_core::expressions::ExpressionInput;
use ferrodyn_core::ops::create_backup::CreateBackupInput;
use ferrodyn_core::ops::delete_item::DeleteItemInput;
use ferrodyn_core::ops::get_item::GetItemInput;
use ferrodyn_core::ops::list_backups::ListBackupsInput;
use ferrodyn_core::ops::restore_table_from_backup::RestoreTableFromBackupInput;
use ferrodyn_core::ops::transact_write_items::{
    TransactWriteItem, TransactWriteItemsInput, TransactWriteKind,
};
use ferrodyn_core::table::TableStatus;
use ferrodyn_core::{CoreError, Database};
use ferrodyn_model::{AttributeValue, Item};

mod support;

use support::*;

fn row(i: u32) -> Item {
    item(&[
        ("pk", s(&format!("p{}", i % 30))),
        ("sk", n(&i.to_string())),
        ("g", s(&format!("g{}", i % 7))),
        ("l", n(&(i * 2).to_string())),
        ("v", s(&"x".repeat(i as usize % 50))),
    ])
}

/// Runs the backup jobs until they have nothing left to do.
fn drain(db: &Database) {
    for _ in 0..100_000 {
        if !db.backup_step().expect("backup step") {
            return;
        }
    }
    panic!("backup work never finished");
}

fn backup_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[test]
fn a_backup_holds_its_instant_and_restores_with_its_indexes() {
    for (name, engine, _dir) in engines() {
        let files = backup_dir();
        let db = open(engine).with_backup_dir(files.path().to_path_buf());
        create_indexed(&db, "src");
        for i in 0..600 {
            put(&db, "src", row(i)).expect("put");
        }
        let before = all_items(&db, "src");
        let backup = db
            .create_backup(
                &ctx(),
                CreateBackupInput {
                    table_name: "src".into(),
                    backup_name: "first".into(),
                },
            )
            .expect("create backup");
        assert_eq!(backup.status, BackupStatus::Creating, "{name}");
        let arn = backup.arn();
        assert!(
            arn.starts_with("arn:aws:dynamodb:us-east-1:000000000000:table/src/backup/0"),
            "{arn}"
        );
        // Writes after the backup's instant are not in it.
        for i in 0..10 {
            db.delete_item(
                &ctx(),
                DeleteItemInput {
                    table_name: "src".into(),
                    key: item(&[
                        ("pk", s(&format!("p{}", i % 30))),
                        ("sk", n(&i.to_string())),
                    ]),
                    ..DeleteItemInput::default()
                },
            )
            .expect("delete");
        }
        for i in 600..620 {
            put(&db, "src", row(i)).expect("put");
        }
        drain(&db);
        let described = db.describe_backup(&ctx(), &arn).expect("describe");
        assert_eq!(described.status, BackupStatus::Available, "{name}");
        assert_eq!(described.item_count, 600, "{name}");
        assert!(described.size_bytes > 600 * 20, "{name}");

        let restored = db
            .restore_table_from_backup(
                &ctx(),
                RestoreTableFromBackupInput {
                    target_table_name: "dst".into(),
                    backup_arn: arn.clone(),
                    ..RestoreTableFromBackupInput::default()
                },
            )
            .expect("restore");
        assert_eq!(restored.status, TableStatus::Creating, "{name}");
        assert!(restored.meta.restore.is_some(), "{name}");
        // Until its items are written the table serves no item operation.
        let early = db.get_item(
            &ctx(),
            GetItemInput {
                table_name: "dst".into(),
                key: item(&[("pk", s("p1")), ("sk", n("1"))]),
                ..GetItemInput::default()
            },
        );
        assert!(
            matches!(early, Err(CoreError::ResourceNotFound(_))),
            "{name}: {early:?}"
        );
        let tags = db.list_tags_of_resource(&ctx(), &restored.meta.arn());
        assert!(
            matches!(tags, Err(CoreError::ResourceNotFound(ref m)) if m == "Requested resource not found: Table: dst not found"),
            "{name}: {tags:?}"
        );
        let create = db.create_table(&ctx(), create_input("dst", false));
        assert!(
            matches!(create, Err(CoreError::ResourceInUse(ref m)) if m == "Table is being used: dst"),
            "{name}: {create:?}"
        );
        // Nor can the backup be deleted or feed a second restore meanwhile.
        assert!(matches!(
            db.delete_backup(&ctx(), &arn),
            Err(CoreError::BackupInUse(_))
        ));
        let second = db.restore_table_from_backup(
            &ctx(),
            RestoreTableFromBackupInput {
                target_table_name: "dst2".into(),
                backup_arn: arn.clone(),
                ..RestoreTableFromBackupInput::default()
            },
        );
        assert!(
            matches!(second, Err(CoreError::BackupInUse(_))),
            "{second:?}"
        );
        drain(&db);
        let d = db.describe_table(&ctx(), "dst").expect("describe restored");
        assert_eq!(d.status, TableStatus::Active, "{name}");
        assert!(d.meta.restore.is_none(), "{name}");
        assert_eq!(d.item_count, 600, "{name}");
        let after: Vec<Item> = all_items(&db, "dst").into_values().collect();
        let expected: Vec<Item> = before.into_values().collect();
        assert_eq!(
            after, expected,
            "{name}: the restored items are the backup's"
        );
        // Its indexes were built as the items were written.
        for g in 0..7 {
            let want = (0..600).filter(|i| i % 7 == g).count();
            let got = query_count(&db, "dst", "by_g", "g = :v", s(&format!("g{g}")));
            assert_eq!(got, want, "{name}: global index g{g}");
        }
        let want = (0..600).filter(|i| i % 30 == 4).count();
        assert_eq!(
            query_count(&db, "dst", "by_l", "pk = :v", s("p4")),
            want,
            "{name}: local index"
        );

        // The backup outlives its table and still restores.
        db.delete_table(&ctx(), "src").expect("delete source");
        assert_eq!(
            db.describe_backup(&ctx(), &arn).expect("describe").status,
            BackupStatus::Available
        );
        let again = db.restore_table_from_backup(
            &ctx(),
            RestoreTableFromBackupInput {
                target_table_name: "dst".into(),
                backup_arn: arn.clone(),
                ..RestoreTableFromBackupInput::default()
            },
        );
        assert!(
            matches!(again, Err(CoreError::TableAlreadyExists(ref m)) if m == "Table already exists: dst")
        );
        let listed = db
            .list_backups(
                &ctx(),
                ListBackupsInput {
                    table_name: Some("src".into()),
                    ..ListBackupsInput::default()
                },
            )
            .expect("list");
        assert_eq!(listed.backups.len(), 1);
        let deleted = db.delete_backup(&ctx(), &arn).expect("delete backup");
        assert_eq!(deleted.status, BackupStatus::Deleted);
        assert!(matches!(
            db.describe_backup(&ctx(), &arn),
            Err(CoreError::BackupNotFound(ref m)) if *m == format!("Backup not found: {arn}")
        ));
        assert!(
            std::fs::read_dir(files.path())
                .expect("dir")
                .next()
                .is_none(),
            "{name}: the file went with the backup"
        );
    }
}

fn transfer(from: u32, to: u32, amount: u32) -> TransactWriteItemsInput {
    let update = |k: u32, expression: &str, condition: Option<&str>| TransactWriteItem {
        kind: TransactWriteKind::Update {
            key: key(&format!("acct{k}")),
        },
        table_name: "bank".into(),
        expressions: ExpressionInput {
            update: Some(expression.into()),
            condition: condition.map(str::to_owned),
            values: values(&[(":a", n(&amount.to_string()))]),
            ..ExpressionInput::default()
        },
        return_old_on_condition_failure: false,
    };
    TransactWriteItemsInput {
        items: vec![
            update(from, "SET balance = balance - :a", Some("balance >= :a")),
            update(to, "SET balance = balance + :a", None),
        ],
        return_consumed_capacity: Default::default(),
        client_request_token: None,
        fingerprint: [0; 32],
    }
}

fn total(items: &BTreeMap<String, Item>) -> i64 {
    items
        .values()
        .map(|i| match i.get("balance") {
            Some(AttributeValue::N(n)) => n.to_string().parse::<i64>().expect("integer"),
            other => panic!("balance {other:?}"),
        })
        .sum()
}

#[test]
fn a_backup_taken_under_concurrent_transfers_is_one_instant() {
    const ACCOUNTS: u32 = 20;
    const WRITERS: u32 = 8;
    for (name, engine, _dir) in engines() {
        let files = backup_dir();
        let db = Arc::new(open(engine).with_backup_dir(files.path().to_path_buf()));
        db.create_table(&ctx(), create_input("bank", false))
            .expect("create");
        for a in 0..ACCOUNTS {
            put(
                &db,
                "bank",
                item(&[("pk", s(&format!("acct{a}"))), ("balance", n("1000"))]),
            )
            .expect("put");
        }
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let db = Arc::clone(&db);
                let stop = Arc::clone(&stop);
                std::thread::spawn(move || {
                    let mut done = 0u32;
                    let mut i = w;
                    while !stop.load(Ordering::Relaxed) {
                        i = i.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                        let from = i % ACCOUNTS;
                        let to = (from + 1 + (i >> 8) % (ACCOUNTS - 1)) % ACCOUNTS;
                        match db
                            .transact_write_items(&ctx(), transfer(from, to, 1 + (i >> 16) % 50))
                        {
                            Ok(_) => done += 1,
                            Err(CoreError::TransactionCanceled { .. })
                            | Err(CoreError::TransactionConflict(_)) => {}
                            Err(e) => panic!("transfer: {e:?}"),
                        }
                    }
                    done
                })
            })
            .collect();
        std::thread::sleep(std::time::Duration::from_millis(50));
        let mut arns = Vec::new();
        for b in 0..3 {
            let backup = db
                .create_backup(
                    &ctx(),
                    CreateBackupInput {
                        table_name: "bank".into(),
                        backup_name: format!("during-{b}"),
                    },
                )
                .expect("backup");
            arns.push(backup.arn());
            drain(&db);
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        stop.store(true, Ordering::Relaxed);
        let transfers: u32 = writers.into_iter().map(|w| w.join().expect("writer")).sum();
        assert!(transfers > 0, "{name}: no transfer ran");
        for (b, arn) in arns.iter().enumerate() {
            let target = format!("bank-restored-{b}");
            db.restore_table_from_backup(
                &ctx(),
                RestoreTableFromBackupInput {
                    target_table_name: target.clone(),
                    backup_arn: arn.clone(),
                    ..RestoreTableFromBackupInput::default()
                },
            )
            .expect("restore");
            drain(&db);
            let items = all_items(&db, &target);
            assert_eq!(items.len(), ACCOUNTS as usize, "{name}");
            assert_eq!(
                total(&items),
                1000 * i64::from(ACCOUNTS),
                "{name}: backup {b} is not one instant"
            );
        }
    }
}

#[test]
fn a_backup_unfinished_when_the_process_stopped_is_removed_never_listed_available() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = backup_dir();
    let arn = {
        let engine = ferrodyn_storage::rocks::RocksEngine::open(
            dir.path(),
            ferrodyn_storage::rocks::Sync::Always,
        )
        .expect("open");
        let db = open(Arc::new(engine)).with_backup_dir(files.path().to_path_buf());
        db.create_table(&ctx(), create_input("t", false))
            .expect("create");
        for i in 0..3000 {
            put(&db, "t", item(&[("pk", s(&format!("k{i}")))])).expect("put");
        }
        let backup = db
            .create_backup(
                &ctx(),
                CreateBackupInput {
                    table_name: "t".into(),
                    backup_name: "cut-short".into(),
                },
            )
            .expect("backup");
        // One page is written, then the process "stops".
        assert!(db.backup_step().expect("step"));
        assert!(db.backup_step().expect("step"));
        backup.arn()
    };
    let engine = ferrodyn_storage::rocks::RocksEngine::open(
        dir.path(),
        ferrodyn_storage::rocks::Sync::Always,
    )
    .expect("reopen");
    let db = open(Arc::new(engine)).with_backup_dir(files.path().to_path_buf());
    drain(&db);
    assert!(matches!(
        db.describe_backup(&ctx(), &arn),
        Err(CoreError::BackupNotFound(_))
    ));
    assert!(
        std::fs::read_dir(files.path())
            .expect("dir")
            .next()
            .is_none(),
        "the partial file is gone"
    );
}

#[test]
fn point_in_time_recovery_has_its_window_on_the_clock() {
    use ferrodyn_core::clock::ManualClock;
    use ferrodyn_core::ops::update_continuous_backups::UpdateContinuousBackupsInput;
    const MINUTE: i64 = 60_000;
    const DAY: i64 = 24 * 60 * MINUTE;
    let start = 1_700_000_000_000;
    let clock = Arc::new(ManualClock::new(start));
    let files = backup_dir();
    let db = Database::open(
        Arc::new(ferrodyn_storage::memory::MemoryEngine::new()),
        clock.clone(),
    )
    .expect("open")
    .with_backup_dir(files.path().to_path_buf());
    db.create_table(&ctx(), create_input("t", false))
        .expect("create");
    assert_eq!(
        db.describe_continuous_backups(&ctx(), "t")
            .expect("describe")
            .pitr,
        None
    );
    let enable = |days: Option<u32>| UpdateContinuousBackupsInput {
        table_name: "t".into(),
        enabled: true,
        recovery_period_days: days,
    };
    let w = db
        .update_continuous_backups(&ctx(), enable(None))
        .expect("enable")
        .pitr
        .expect("enabled");
    // Right after enabling, both ends are the enable time.
    assert_eq!(
        (w.earliest_millis, w.latest_millis, w.recovery_period_days),
        (start, start, 35)
    );
    clock.advance(3 * MINUTE);
    let w = db
        .describe_continuous_backups(&ctx(), "t")
        .expect("describe")
        .pitr
        .expect("on");
    assert_eq!(
        w.latest_millis, start,
        "the latest instant trails now by five minutes"
    );
    clock.advance(10 * MINUTE);
    let w = db
        .describe_continuous_backups(&ctx(), "t")
        .expect("describe")
        .pitr
        .expect("on");
    assert_eq!(w.latest_millis, start + 8 * MINUTE);
    // Enabling again keeps the window and changes the period; the window
    // then slides with it.
    let w = db
        .update_continuous_backups(&ctx(), enable(Some(1)))
        .expect("again")
        .pitr
        .expect("on");
    assert_eq!((w.earliest_millis, w.recovery_period_days), (start, 1));
    clock.advance(2 * DAY);
    let w = db
        .describe_continuous_backups(&ctx(), "t")
        .expect("describe")
        .pitr
        .expect("on");
    assert_eq!(w.earliest_millis, start + 13 * MINUTE + 2 * DAY - DAY);
    // A period is refused when disabling; disabling forgets the window.
    let refused = db.update_continuous_backups(
        &ctx(),
        UpdateContinuousBackupsInput {
            table_name: "t".into(),
            enabled: false,
            recovery_period_days: Some(35),
        },
    );
    assert!(
        matches!(refused, Err(CoreError::Validation(ref m)) if m == "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.")
    );
    let off = db
        .update_continuous_backups(
            &ctx(),
            UpdateContinuousBackupsInput {
                table_name: "t".into(),
                enabled: false,
                recovery_period_days: None,
            },
        )
        .expect("disable");
    assert_eq!(off.pitr, None);
    assert!(matches!(
        db.describe_continuous_backups(&ctx(), "missing"),
        Err(CoreError::TableNotFound(ref m)) if m == "Table not found: missing"
    ));
}

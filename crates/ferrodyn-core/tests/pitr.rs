//! Point-in-time recovery against a `Database`, over each storage engine,
//! with a clock moved by hand: random puts, deletes, updates, batches and
//! transactions; a restore to any instant of the window gives exactly the
//! model's items at that instant (and their index entries and count),
//! including instants before a snapshot lost to a restart and after the
//! window has been trimmed.

use std::collections::BTreeMap;
use std::sync::Arc;

use ferrodyn_core::clock::{Clock, ManualClock};
use ferrodyn_core::expressions::ExpressionInput;
use ferrodyn_core::jobs::Jobs;
use ferrodyn_core::ops::batch_write_item::{BatchWriteItemInput, WriteRequest};
use ferrodyn_core::ops::delete_item::DeleteItemInput;
use ferrodyn_core::ops::restore_table_to_point_in_time::RestoreTableToPointInTimeInput;
use ferrodyn_core::ops::transact_write_items::{
    TransactWriteItem, TransactWriteItemsInput, TransactWriteKind,
};
use ferrodyn_core::ops::update_continuous_backups::UpdateContinuousBackupsInput;
use ferrodyn_core::ops::update_item::UpdateItemInput;
use ferrodyn_core::table::TableStatus;
use ferrodyn_core::{CoreError, Database};
use ferrodyn_model::Item;
use ferrodyn_storage::Engine;

mod support;

use support::*;

const START_MILLIS: i64 = 1_700_000_000_000;
const KEYS: u64 = 40;

/// A small deterministic generator (xorshift), so failures repeat.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn key_of(k: u64) -> Item {
    item(&[("pk", s(&format!("p{}", k % 7))), ("sk", n(&k.to_string()))])
}

fn row(k: u64, rng: &mut Rng) -> Item {
    let mut i = key_of(k);
    i.insert("g".into(), s(&format!("g{}", rng.below(3))));
    i.insert("l".into(), n(&rng.below(100).to_string()));
    i.insert("v".into(), s(&"x".repeat(rng.below(30) as usize)));
    i
}

/// Runs the background jobs until they have nothing left to do.
fn drain(db: &Database, jobs: &mut Jobs) {
    for _ in 0..100_000 {
        if !jobs.run_once(db).expect("jobs").busy {
            return;
        }
    }
    panic!("background work never finished");
}

fn enable(db: &Database, table: &str, days: Option<u32>) {
    db.update_continuous_backups(
        &ctx(),
        UpdateContinuousBackupsInput {
            table_name: table.into(),
            enabled: true,
            recovery_period_days: days,
        },
    )
    .expect("enable");
}

fn restore_to(db: &Database, target: &str, instant: i64) -> Result<(), CoreError> {
    db.restore_table_to_point_in_time(
        &ctx(),
        RestoreTableToPointInTimeInput {
            source_table_name: Some("src".into()),
            target_table_name: target.into(),
            restore_date_time_millis: Some(instant),
            ..RestoreTableToPointInTimeInput::default()
        },
    )
    .map(drop)
}

/// Restores `src` as of `instant` into `target` and checks it against
/// `expected`: items, item count, and both indexes.
fn check_restore(
    db: &Database,
    jobs: &mut Jobs,
    engine: &str,
    target: &str,
    instant: i64,
    expected: &BTreeMap<String, Item>,
) {
    restore_to(db, target, instant).expect("restore");
    drain(db, jobs);
    let d = db.describe_table(&ctx(), target).expect("describe");
    assert_eq!(d.status, TableStatus::Active, "{engine} {target}");
    let got = all_items(db, target);
    assert_eq!(&got, expected, "{engine}: {target} restored to {instant}");
    assert_eq!(d.item_count, expected.len() as i64, "{engine} {target}");
    for g in 0..3 {
        let g = format!("g{g}");
        let want = expected
            .values()
            .filter(|i| i.get("g") == Some(&s(&g)))
            .count();
        assert_eq!(
            query_count(db, target, "by_g", "g = :v", s(&g)),
            want,
            "{engine} {target} by_g {g}"
        );
    }
    let want = expected
        .values()
        .filter(|i| i.get("pk") == Some(&s("p3")) && i.contains_key("l"))
        .count();
    assert_eq!(
        query_count(db, target, "by_l", "pk = :v", s("p3")),
        want,
        "{engine} {target} by_l"
    );
}

/// One random write (or a batch, or a transaction), applied to `model`.
fn random_write(db: &Database, rng: &mut Rng, model: &mut BTreeMap<String, Item>) {
    match rng.below(10) {
        0..=3 => {
            let i = row(rng.below(KEYS), rng);
            put(db, "src", i.clone()).expect("put");
            model.insert(item_key(&i), i);
        }
        4..=5 => {
            let k = key_of(rng.below(KEYS));
            db.delete_item(
                &ctx(),
                DeleteItemInput {
                    table_name: "src".into(),
                    key: k.clone(),
                    ..DeleteItemInput::default()
                },
            )
            .expect("delete");
            model.remove(&item_key(&k));
        }
        6 => {
            let k = key_of(rng.below(KEYS));
            let v = rng.below(1000).to_string();
            db.update_item(
                &ctx(),
                UpdateItemInput {
                    table_name: "src".into(),
                    key: k.clone(),
                    expressions: ExpressionInput {
                        update: Some("SET w = :v".into()),
                        values: values(&[(":v", n(&v))]),
                        ..ExpressionInput::default()
                    },
                    ..UpdateItemInput::default()
                },
            )
            .expect("update");
            model
                .entry(item_key(&k))
                .or_insert_with(|| k.clone())
                .insert("w".into(), n(&v));
        }
        7..=8 => {
            let mut requests = Vec::new();
            let mut seen = Vec::new();
            for _ in 0..1 + rng.below(6) {
                let k = rng.below(KEYS);
                if seen.contains(&k) {
                    continue;
                }
                seen.push(k);
                if rng.below(3) == 0 {
                    model.remove(&item_key(&key_of(k)));
                    requests.push(WriteRequest::Delete(key_of(k)));
                } else {
                    let i = row(k, rng);
                    model.insert(item_key(&i), i.clone());
                    requests.push(WriteRequest::Put(i));
                }
            }
            db.batch_write_item(
                &ctx(),
                BatchWriteItemInput {
                    request_items: vec![("src".into(), requests)],
                    ..BatchWriteItemInput::default()
                },
            )
            .expect("batch");
        }
        _ => {
            let a = rng.below(KEYS);
            let b = (a + 1 + rng.below(KEYS - 1)) % KEYS;
            let put = row(a, rng);
            let action = |kind| TransactWriteItem {
                kind,
                table_name: "src".into(),
                expressions: ExpressionInput::default(),
                return_old_on_condition_failure: false,
            };
            db.transact_write_items(
                &ctx(),
                TransactWriteItemsInput {
                    items: vec![
                        action(TransactWriteKind::Put { item: put.clone() }),
                        action(TransactWriteKind::Delete { key: key_of(b) }),
                    ],
                    return_consumed_capacity: Default::default(),
                    client_request_token: None,
                    fingerprint: [0; 32],
                },
            )
            .expect("transaction");
            model.insert(item_key(&put), put);
            model.remove(&item_key(&key_of(b)));
        }
    }
}

/// The model's items at `instant`: those after the last write made at or
/// before it.
fn state_at(history: &[(i64, BTreeMap<String, Item>)], instant: i64) -> &BTreeMap<String, Item> {
    &history
        .iter()
        .rev()
        .find(|(t, _)| *t <= instant)
        .expect("an instant inside the window")
        .1
}

fn database(
    engine: Arc<dyn Engine>,
    clock: &Arc<ManualClock>,
    files: &tempfile::TempDir,
) -> Database {
    Database::open(
        engine,
        Arc::clone(clock) as Arc<dyn ferrodyn_core::clock::Clock>,
    )
    .expect("open db")
    .with_backup_dir(files.path().to_path_buf())
    .with_pitr_snapshot_interval_millis(37_000)
}

fn snapshot_files(files: &tempfile::TempDir) -> usize {
    std::fs::read_dir(files.path())
        .expect("backup dir")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().starts_with("pitr-"))
        })
        .count()
}

#[test]
fn a_restore_to_any_instant_gives_the_items_of_that_instant() {
    for (name, engine, _dir) in engines() {
        let clock = Arc::new(ManualClock::new(START_MILLIS));
        let files = tempfile::tempdir().expect("tempdir");
        let db = database(engine, &clock, &files);
        let mut jobs = Jobs::new(1_000);
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        create_indexed(&db, "src");
        let mut model = BTreeMap::new();
        for _ in 0..30 {
            random_write(&db, &mut rng, &mut model);
        }
        clock.advance(1_000);
        enable(&db, "src", Some(1));
        let enabled = clock.now_millis();
        let mut history = vec![(enabled, model.clone())];
        for step in 0..400 {
            // Several writes may share a millisecond.
            clock.advance(rng.below(3) as i64 * 700);
            random_write(&db, &mut rng, &mut model);
            history.push((clock.now_millis(), model.clone()));
            if step % 5 == 0 {
                drain(&db, &mut jobs);
            }
        }
        let last_write = clock.now_millis();
        drain(&db, &mut jobs);
        assert!(snapshot_files(&files) > 3, "{name}: snapshots were taken");
        // Everything written is inside the window five minutes on.
        clock.advance(5 * 60 * 1000);
        let mut instants = vec![enabled, last_write, enabled + 1];
        for _ in 0..9 {
            instants.push(enabled + rng.below((last_write - enabled + 1) as u64) as i64);
        }
        // The instant of a write, and the millisecond before it.
        let (t, _) = history[history.len() / 2];
        instants.extend([t, t - 1]);
        for (i, instant) in instants.iter().enumerate() {
            check_restore(
                &db,
                &mut jobs,
                name,
                &format!("r{i}"),
                *instant,
                state_at(&history, *instant),
            );
        }

        // A day later the window has moved: older snapshots and records
        // are gone, and its first instant still restores exactly.
        clock.advance(24 * 60 * 60 * 1000);
        let files_before = snapshot_files(&files);
        drain(&db, &mut jobs);
        clock.advance(2_000);
        drain(&db, &mut jobs);
        assert!(
            snapshot_files(&files) < files_before,
            "{name}: {files_before} snapshot files before trimming, {} after",
            snapshot_files(&files)
        );
        let earliest = db
            .describe_continuous_backups(&ctx(), "src")
            .expect("describe")
            .pitr
            .expect("enabled")
            .earliest_millis;
        assert!(earliest > last_write, "{name}");
        check_restore(&db, &mut jobs, name, "late", earliest, &model);
        let too_early = restore_to(&db, "early", last_write);
        assert!(
            matches!(too_early, Err(CoreError::InvalidRestoreTime(_))),
            "{name}: {too_early:?}"
        );
    }
}

#[test]
fn an_instant_before_a_snapshot_lost_to_a_restart_restores_from_a_later_one() {
    for (name, engine, _dir) in engines() {
        let clock = Arc::new(ManualClock::new(START_MILLIS));
        let files = tempfile::tempdir().expect("tempdir");
        let mut rng = Rng(0x1234_5678_9ABC_DEF1);
        let mut model = BTreeMap::new();
        let mut history;
        {
            let db = database(Arc::clone(&engine), &clock, &files);
            create_indexed(&db, "src");
            for _ in 0..50 {
                random_write(&db, &mut rng, &mut model);
            }
            enable(&db, "src", None);
            history = vec![(clock.now_millis(), model.clone())];
            for _ in 0..60 {
                clock.advance(500);
                random_write(&db, &mut rng, &mut model);
                history.push((clock.now_millis(), model.clone()));
            }
            // The process stops before its first snapshot is written.
        }
        let db = database(engine, &clock, &files);
        let mut jobs = Jobs::new(1_000);
        drain(&db, &mut jobs);
        let table = db.describe_table(&ctx(), "src").expect("describe");
        let bases = &table.meta.pitr.as_ref().expect("enabled").bases;
        assert_eq!(bases.len(), 1, "{name}: a new snapshot");
        assert!(bases[0].taken_millis >= clock.now_millis(), "{name}");
        for _ in 0..20 {
            clock.advance(500);
            random_write(&db, &mut rng, &mut model);
            history.push((clock.now_millis(), model.clone()));
        }
        clock.advance(5 * 60 * 1000);
        let enabled = history[0].0;
        for (i, instant) in [
            enabled,
            enabled + 10_250,
            enabled + 29_999,
            enabled + 40_000,
        ]
        .into_iter()
        .enumerate()
        {
            check_restore(
                &db,
                &mut jobs,
                name,
                &format!("r{i}"),
                instant,
                state_at(&history, instant),
            );
        }
    }
}

#[test]
fn a_deleted_table_leaves_a_system_backup_that_expires_and_its_history_goes() {
    use ferrodyn_core::backup::{BackupStatus, BackupType};
    use ferrodyn_core::ops::list_backups::ListBackupsInput;
    for (name, engine, _dir) in engines() {
        let clock = Arc::new(ManualClock::new(START_MILLIS));
        let files = tempfile::tempdir().expect("tempdir");
        let db = database(engine, &clock, &files);
        let mut jobs = Jobs::new(1_000);
        let mut rng = Rng(0x0F0F_1234_5678_9ABC);
        let mut model = BTreeMap::new();
        create_indexed(&db, "src");
        enable(&db, "src", None);
        for _ in 0..40 {
            clock.advance(100);
            random_write(&db, &mut rng, &mut model);
        }
        drain(&db, &mut jobs);
        assert!(snapshot_files(&files) >= 1, "{name}");
        db.delete_table(&ctx(), "src").expect("delete");
        // Upkeep runs every second.
        clock.advance(1_000);
        drain(&db, &mut jobs);
        let listed = |kind: &str| {
            db.list_backups(
                &ctx(),
                ListBackupsInput {
                    backup_type: Some(kind.into()),
                    ..ListBackupsInput::default()
                },
            )
            .expect("list")
            .backups
        };
        assert!(listed("USER").is_empty(), "{name}");
        let system = listed("SYSTEM");
        assert_eq!(system.len(), 1, "{name}");
        let backup = &system[0];
        assert_eq!(backup.backup_type, BackupType::System);
        assert_eq!(backup.status, BackupStatus::Available);
        assert_eq!(backup.name, "src$DeletedTableBackup");
        assert_eq!(backup.item_count, model.len() as i64, "{name}");
        // The deleted table's recovery snapshots and log are gone.
        assert_eq!(snapshot_files(&files), 0, "{name}");
        assert!(matches!(
            db.delete_backup(&ctx(), &backup.arn()),
            Err(CoreError::Validation(_))
        ));
        // 35 days on, the backup expires.
        clock.advance(35 * 24 * 60 * 60 * 1000 - 2_000);
        drain(&db, &mut jobs);
        assert_eq!(listed("ALL").len(), 1, "{name}: not yet");
        clock.advance(3_000);
        drain(&db, &mut jobs);
        assert!(listed("ALL").is_empty(), "{name}: expired");
        assert_eq!(
            std::fs::read_dir(files.path()).expect("dir").count(),
            0,
            "{name}: its file too"
        );
    }
}

//! Point-in-time recovery: a table's recovery log, its snapshots, and the
//! state a restore rebuilds from them.
//!
//! ```text
//! enable      recovery log (a shard of the table: every write appends a
//!             record with both images, in its own commit) + a snapshot
//! upkeep      a snapshot every interval (a backup file of its own, with
//!             the engine's change horizon); snapshots and records older
//!             than the window are dropped
//! restore T   a snapshot's items, with each key the log changed replaced
//!             by its item at T
//! ```
//!
//! The state at `T` from snapshot `B` (items of every commit whose change
//! sequence is below `B.horizon`, none from it on) is, key by key:
//! the new image of the last record from `B.horizon` on made at or before
//! `T`; else, if `B` holds a write made after `T`, the old image of the
//! first record below `B.horizon` made after `T`; else `B`'s item. A
//! key's records are in the order of its writes, and so are their times
//! (each write reads the clock after the one before it on the same item
//! committed), which is all this needs. A restore reads the last
//! snapshot taken at or before `T`, so usually only the forward rule
//! applies; the backward one serves an instant before the first snapshot
//! (one lost to a crash while it was being written).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use ferrodyn_storage::{ReadConsistency, Snapshot, WriteBatch};

use super::{BackupMeta, BackupStatus, BackupType, Writing, file, timed_id};
use crate::catalog::DdlGuard;
use crate::change;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::keyspace;
use crate::table::{PitrBase, PitrSettings, PointInTimeSource, TableMeta};

/// How often a table with recovery enabled gets a new snapshot: a restore
/// replays at most this much of the log.
pub const PITR_SNAPSHOT_INTERVAL_MILLIS_DEFAULT: i64 = 24 * 60 * 60 * 1000;
/// How many log records one read takes.
const LOG_PAGE_RECORDS: usize = 4096;
/// How far behind now the latest restorable instant is by default (AWS:
/// "typically 5 minutes before the current time", and not before the
/// enable time).
pub const LATEST_RESTORABLE_LAG_MILLIS: i64 = 5 * 60 * 1000;
/// One day.
const DAY_MILLIS: i64 = 24 * 60 * 60 * 1000;
/// How long the SYSTEM backup of a deleted table is kept (AWS's 35 days).
pub const DELETED_TABLE_BACKUP_RETENTION_MILLIS: i64 = 35 * DAY_MILLIS;
/// The prefix of a recovery snapshot's file id.
const BASE_ID_PREFIX: &str = "pitr-";

/// The state of the keys a point-in-time restore takes from the log: by
/// encoded key attributes, the item at the instant (`None`: absent).
pub(crate) type KeyStates = HashMap<Vec<u8>, Option<Vec<u8>>>;

impl Database {
    /// Sets how far behind now the latest restorable instant is.
    pub fn with_pitr_restorable_lag_millis(mut self, millis: i64) -> Database {
        self.pitr_restorable_lag_millis = millis.max(0);
        self
    }

    /// `(EarliestRestorableDateTime, LatestRestorableDateTime)` of `pitr`
    /// now, epoch milliseconds: from the enable time or the recovery
    /// period's start, to the lag before now (never before the enable
    /// time).
    pub(crate) fn restorable_window(&self, pitr: &PitrSettings) -> (i64, i64) {
        let now = self.clock.now_millis();
        let earliest = pitr
            .enabled_millis
            .max(now - i64::from(pitr.recovery_period_days) * DAY_MILLIS);
        let latest = pitr
            .enabled_millis
            .max(now - self.pitr_restorable_lag_millis);
        (earliest, latest)
    }

    /// Sets how often recovery snapshots are taken.
    pub fn with_pitr_snapshot_interval_millis(mut self, millis: i64) -> Database {
        self.pitr_snapshot_interval_millis = millis.max(1);
        self
    }

    /// Turns point-in-time recovery on for `meta` now (under the DDL
    /// lock): every write from here on appends to a new recovery log, and
    /// the first snapshot is taken.
    pub(crate) fn enable_pitr(
        &self,
        ddl: &DdlGuard<'_>,
        mut meta: TableMeta,
        recovery_period_days: u32,
    ) -> Result<Arc<TableMeta>> {
        let meta = {
            // No write may commit under the settings without the log once
            // the snapshot is taken: writes hold the gate shared until they
            // commit, and every commit accepted before the empty one is
            // durable (so in the snapshot) when it is.
            let _gate = self.schema_gate.write();
            self.engine.commit(WriteBatch::default())?;
            meta.pitr = Some(PitrSettings {
                enabled_millis: self.clock.now_millis(),
                recovery_period_days,
                log_shard: Some(meta.next_shard),
                bases: Vec::new(),
            });
            meta.next_shard += 1;
            self.catalog.replace(self.engine.as_ref(), ddl, meta)?
        };
        self.start_pitr_base(&meta)?;
        Ok(meta)
    }

    /// Turns point-in-time recovery off for `meta` (under the DDL lock):
    /// its log goes now unless a restore reads it; its snapshots go with
    /// the next upkeep.
    pub(crate) fn disable_pitr(
        &self,
        ddl: &DdlGuard<'_>,
        mut meta: TableMeta,
    ) -> Result<Arc<TableMeta>> {
        let shard = meta.pitr.take().and_then(|p| p.log_shard);
        let meta = {
            let _gate = self.schema_gate.write();
            self.catalog.replace(self.engine.as_ref(), ddl, meta)?
        };
        if let Some(shard) = shard
            && !self.recovery_data_in_use(meta.id)
        {
            self.engine
                .trim_changes(&change::log_key(meta.id, shard), u64::MAX)?;
        }
        Ok(meta)
    }

    /// Starts writing a recovery snapshot of `table` (taken now).
    fn start_pitr_base(&self, table: &TableMeta) -> Result<()> {
        let Some(shard) = table.pitr.as_ref().and_then(|p| p.log_shard) else {
            return Ok(());
        };
        self.backup_dir()?;
        let snapshot = self.table_snapshot(table.id)?;
        // Read after the snapshot is taken: every write in it was made at
        // or before this instant.
        let taken = self.clock.now_millis();
        let id = format!("{BASE_ID_PREFIX}{}-{shard}-{}", table.id, timed_id(taken));
        let base = PitrBase {
            id: id.clone(),
            taken_millis: taken,
            horizon: snapshot.change_horizon(),
        };
        let meta = BackupMeta {
            id: id.clone(),
            name: String::new(),
            table: table.clone(),
            created_millis: taken,
            status: BackupStatus::Creating,
            item_count: 0,
            size_bytes: 0,
            backup_type: BackupType::User,
            expiry_millis: None,
        };
        self.backups
            .writing
            .lock()
            .insert(id, Writing::new(meta, snapshot, Some(base)));
        Ok(())
    }

    /// Lists a finished recovery snapshot in its table's settings, or
    /// removes its file if recovery was turned off (or on again) meanwhile.
    pub(super) fn pitr_base_written(&self, table_id: u64, base: PitrBase) -> Result<()> {
        let ddl = self.catalog.lock_ddl();
        let current = self.catalog.by_id(table_id);
        match current {
            Some(table)
                if table
                    .pitr
                    .as_ref()
                    .is_some_and(|p| p.log_shard == base_log_shard(&base.id)) =>
            {
                let mut meta = (*table).clone();
                if let Some(p) = meta.pitr.as_mut() {
                    p.bases.push(base);
                }
                self.catalog.replace(self.engine.as_ref(), &ddl, meta)?;
            }
            _ => file::remove(self.backup_dir()?, &base.id)?,
        }
        Ok(())
    }

    /// The snapshot the SYSTEM backup of `meta` is written from, taken
    /// before DeleteTable removes its items: for a table with recovery
    /// enabled (AWS keeps `<name>$DeletedTableBackup` then).
    pub(crate) fn deleted_table_snapshot(
        &self,
        meta: &TableMeta,
    ) -> Result<Option<Box<dyn Snapshot>>> {
        if meta.pitr.is_none() || self.backups.dir.is_none() {
            return Ok(None);
        }
        self.table_snapshot(meta.id).map(Some)
    }

    /// Starts writing the SYSTEM backup of `meta`, just deleted, from
    /// `snapshot`: `<name>$DeletedTableBackup`, id `<millis>-00000000` as
    /// on AWS, expiring in 35 days.
    pub(crate) fn start_deleted_table_backup(
        &self,
        meta: &TableMeta,
        snapshot: Box<dyn Snapshot>,
    ) -> Result<()> {
        let mut now = self.clock.now_millis();
        // Two tables deleted in one millisecond: the second waits its turn.
        let id = loop {
            let id = format!("{now:014}-00000000");
            let key = keyspace::backup_key(&meta.account_id, &meta.region, &id);
            if self.engine.get(&key, ReadConsistency::Strong)?.is_none() {
                break id;
            }
            now += 1;
        };
        let mut table = meta.clone();
        table.pitr = None;
        self.start_backup(
            BackupMeta {
                id,
                name: format!("{}$DeletedTableBackup", meta.name),
                table,
                created_millis: now,
                status: BackupStatus::Creating,
                item_count: 0,
                size_bytes: 0,
                backup_type: BackupType::System,
                expiry_millis: Some(now + DELETED_TABLE_BACKUP_RETENTION_MILLIS),
            },
            snapshot,
        )
    }

    /// Removes the SYSTEM backups whose time is up (unless a restore reads
    /// one).
    fn expire_system_backups(&self) -> Result<()> {
        let now = self.clock.now_millis();
        for meta in self.backup_records_under(vec![keyspace::BACKUPS])? {
            let expired = meta.backup_type == BackupType::System
                && meta.status == BackupStatus::Available
                && meta.expiry_millis.is_some_and(|e| e <= now);
            if expired && !self.backup_being_restored(&meta.id) {
                tracing::info!(backup = %meta.arn(), "system backup expired");
                self.delete_backup_record(&meta)?;
                file::remove(self.backup_dir()?, &meta.id)?;
            }
        }
        Ok(())
    }

    /// Whether a restore or an export under way reads table `table_id`'s
    /// recovery data.
    fn recovery_data_in_use(&self, table_id: u64) -> bool {
        self.export_reads(table_id)
            || self.catalog.all().iter().any(|t| {
                t.restore
                    .as_ref()
                    .and_then(|r| r.point_in_time.as_ref())
                    .is_some_and(|s| s.table_id == table_id)
            })
    }

    /// One pass of recovery upkeep over every table: a log for settings
    /// written before there was one, a snapshot where the last is older
    /// than the interval, snapshots and records no instant of the window
    /// needs dropped, the files of snapshots no table lists removed, and
    /// expired SYSTEM backups deleted.
    /// Returns whether a snapshot was started (work for the backup jobs).
    pub fn pitr_maintenance(&self) -> Result<bool> {
        if self.backups.dir.is_none() {
            return Ok(false);
        }
        let mut started = false;
        let being_written: HashSet<u64> = self
            .backups
            .writing
            .lock()
            .values()
            .filter(|w| w.base.is_some())
            .map(|w| w.meta.table.id)
            .collect();
        let now = self.clock.now_millis();
        for table in self.catalog.all() {
            let Some(pitr) = &table.pitr else {
                continue;
            };
            if pitr.log_shard.is_none() {
                let ddl = self.catalog.lock_ddl();
                if let Ok(current) = self.current_table(&table)
                    && let Some(p) = &current.pitr
                    && p.log_shard.is_none()
                {
                    tracing::warn!(table = %table.name, "point-in-time recovery restarted: settings of an earlier version had no recovery log");
                    let period = p.recovery_period_days;
                    self.enable_pitr(&ddl, (*current).clone(), period)?;
                    started = true;
                }
                continue;
            }
            let due = pitr
                .bases
                .last()
                .is_none_or(|b| now - b.taken_millis >= self.pitr_snapshot_interval_millis);
            if due && !being_written.contains(&table.id) {
                self.start_pitr_base(&table)?;
                started = true;
            }
            self.trim_pitr(&table)?;
        }
        self.remove_unlisted_bases()?;
        self.expire_system_backups()?;
        Ok(started)
    }

    /// Drops the snapshots older than the last one at or before the
    /// window's start, and the log records below that one's horizon.
    fn trim_pitr(&self, table: &TableMeta) -> Result<()> {
        let Some(pitr) = &table.pitr else {
            return Ok(());
        };
        let (earliest, _) = self.restorable_window(pitr);
        let keep_from = pitr.bases.iter().rposition(|b| b.taken_millis <= earliest);
        let (Some(keep_from), Some(shard)) = (keep_from, pitr.log_shard) else {
            return Ok(());
        };
        if keep_from == 0 || self.recovery_data_in_use(table.id) {
            return Ok(());
        }
        let ddl = self.catalog.lock_ddl();
        let Ok(current) = self.current_table(table) else {
            return Ok(());
        };
        let mut meta = (*current).clone();
        let Some(p) = meta.pitr.as_mut().filter(|p| p.log_shard == Some(shard)) else {
            return Ok(());
        };
        let Some(keep_from) = p.bases.iter().rposition(|b| b.taken_millis <= earliest) else {
            return Ok(());
        };
        let dropped: Vec<PitrBase> = p.bases.drain(..keep_from).collect();
        let horizon = p.bases.first().map_or(0, |b| b.horizon);
        self.catalog.replace(self.engine.as_ref(), &ddl, meta)?;
        drop(ddl);
        self.engine
            .trim_changes(&change::log_key(table.id, shard), horizon)?;
        let dir = self.backup_dir()?;
        for base in dropped {
            file::remove(dir, &base.id)?;
        }
        Ok(())
    }

    /// Removes the files of recovery snapshots that no table lists and no
    /// restore reads (recovery turned off, the table deleted), with the
    /// recovery logs no table uses any more.
    fn remove_unlisted_bases(&self) -> Result<()> {
        let dir = self.backup_dir()?.to_path_buf();
        let tables = self.catalog.all();
        let writing: HashSet<String> = self.backups.writing.lock().keys().cloned().collect();
        for id in file::finished_ids(&dir) {
            let Some((table_id, shard)) = parse_base_id(&id) else {
                continue;
            };
            let owner = tables.iter().find(|t| t.id == table_id);
            let pitr = owner.and_then(|t| t.pitr.as_ref());
            let listed = pitr.is_some_and(|p| p.bases.iter().any(|b| b.id == id));
            if listed || writing.contains(&id) || self.recovery_data_in_use(table_id) {
                continue;
            }
            file::remove(&dir, &id)?;
            if pitr.is_none_or(|p| p.log_shard != Some(shard)) {
                self.engine
                    .trim_changes(&change::log_key(table_id, shard), u64::MAX)?;
            }
        }
        Ok(())
    }

    /// The recovery settings of `source`'s table, while they still keep
    /// that log (not once recovery was turned off or the table deleted).
    pub(crate) fn recovery_source(&self, source: &PointInTimeSource) -> Option<PitrSettings> {
        self.catalog
            .by_id(source.table_id)?
            .pitr
            .clone()
            .filter(|p| p.log_shard == Some(source.log_shard))
    }

    /// Where a point-in-time restore (or export) for `reader` starts: the
    /// snapshot file to read and the state of the keys the log changed,
    /// at `instant`. `None` while the source has no snapshot yet.
    pub(crate) fn point_in_time_state(
        &self,
        reader: &str,
        source: &PointInTimeSource,
        instant: i64,
    ) -> Result<Option<(String, KeyStates)>> {
        let Some(pitr) = self.recovery_source(source) else {
            return Err(CoreError::Internal(format!(
                "{reader}: the source table's recovery log is gone"
            )));
        };
        let base = pitr
            .bases
            .iter()
            .rev()
            .find(|b| b.taken_millis <= instant)
            .or_else(|| pitr.bases.first());
        let Some(base) = base else {
            return Ok(None);
        };
        let states = self.key_states(source, base, instant)?;
        Ok(Some((base.id.clone(), states)))
    }

    /// The state at `instant` of each key the log changed, relative to
    /// `base` (the rules at the top of this file).
    fn key_states(
        &self,
        source: &PointInTimeSource,
        base: &PitrBase,
        instant: i64,
    ) -> Result<KeyStates> {
        let log = change::log_key(source.table_id, source.log_shard);
        let backward = base.taken_millis > instant;
        let mut from = if backward { 0 } else { base.horizon };
        let mut states = KeyStates::new();
        let mut undone: HashSet<Vec<u8>> = HashSet::new();
        loop {
            let page = self.engine.changes(&log, from, LOG_PAGE_RECORDS)?;
            let Some((last, _)) = page.last() else {
                return Ok(states);
            };
            from = last + 1;
            for (sequence, bytes) in page {
                let r = change::decode(&bytes).ok_or_else(|| {
                    CoreError::Internal(format!("corrupt recovery record {sequence}"))
                })?;
                if sequence < base.horizon {
                    if r.time_millis > instant && undone.insert(r.keys.clone()) {
                        states.insert(r.keys, r.old_image);
                    }
                } else if r.time_millis <= instant {
                    states.insert(r.keys, r.new_image);
                }
            }
        }
    }
}

/// The log shard a snapshot's id names.
fn base_log_shard(id: &str) -> Option<u64> {
    parse_base_id(id).map(|(_, shard)| shard)
}

/// `(table id, log shard)` of a recovery snapshot's id, or `None` for a
/// backup's.
fn parse_base_id(id: &str) -> Option<(u64, u64)> {
    let mut parts = id.strip_prefix(BASE_ID_PREFIX)?.split('-');
    let table_id = parts.next()?.parse().ok()?;
    let shard = parts.next()?.parse().ok()?;
    Some((table_id, shard))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_ids_name_their_table_and_log() {
        assert_eq!(
            parse_base_id("pitr-12-3-01700000000000-0abc1234"),
            Some((12, 3))
        );
        assert_eq!(parse_base_id("01700000000000-0abc1234"), None);
        assert_eq!(base_log_shard("pitr-1-7-01-0"), Some(7));
    }
}

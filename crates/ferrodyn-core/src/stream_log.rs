//! A table's streams over time: enabling and disabling them, rolling their
//! shards over, trimming records past the retention period, and moving
//! records of the first change format into shards. See `stream.rs` for the
//! model and its invariant.

use std::sync::Arc;

use ferrodyn_storage::{ChangeAppend, WriteBatch};

use crate::catalog::DdlGuard;
use crate::change;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::keyspace;
use crate::stream::{ShardMeta, StreamMeta, TRIM_RECORDS_PER_PASS_MAX, ViewType, shard_id};
use crate::table::TableMeta;

/// What one maintenance pass did, for the log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamMaintenance {
    /// Shards closed and continued by a child.
    pub shards_rolled_over: usize,
    /// Records trimmed.
    pub records_trimmed: usize,
    /// Shards and streams forgotten after the retention period.
    pub forgotten: usize,
}

impl Database {
    /// Adds a new enabled stream with its first shard to `meta` (which the
    /// caller persists). `starting_sequence` bounds the sequences its
    /// records will have from below.
    pub(crate) fn open_stream(
        meta: &mut TableMeta,
        label: String,
        view_type: ViewType,
        now_millis: i64,
        starting_sequence: u64,
    ) {
        let number = meta.next_shard;
        meta.next_shard += 1;
        meta.streams.push(StreamMeta {
            label,
            view_type,
            created_millis: now_millis,
            disabled_millis: None,
            shards: vec![ShardMeta {
                number,
                id: shard_id(meta.id, number, now_millis),
                parent: None,
                created_millis: now_millis,
                starting_sequence,
                ending_sequence: None,
                closed_millis: None,
                trimmed_before: 0,
            }],
        });
    }

    /// Closes the open shard of `meta`'s enabled stream, fixing its ending
    /// sequence, and opens a child if `continue_with_child`; otherwise
    /// marks the stream disabled. Call with the DDL lock held; persists the
    /// change. Holds the schema gate exclusively and waits for every
    /// accepted commit to be durable first, so that no record can land in
    /// the shard after it is closed.
    pub(crate) fn close_open_shard(
        &self,
        ddl: &DdlGuard<'_>,
        mut meta: TableMeta,
        continue_with_child: bool,
        now_millis: i64,
    ) -> Result<Arc<TableMeta>> {
        let _gate = self.schema_gate.write();
        // Every commit accepted before is durable once this empty one is
        // (the engine keeps commit order), so the shard's last record is
        // readable now and no later one can join it.
        self.engine.commit(WriteBatch::default())?;
        let table_id = meta.id;
        let next_number = meta.next_shard;
        let Some(stream) = meta.streams.last_mut().filter(|s| s.is_enabled()) else {
            return Err(CoreError::Internal("no enabled stream to close".into()));
        };
        let Some(open) = stream.shards.last_mut().filter(|s| !s.is_closed()) else {
            return Err(CoreError::Internal("the stream has no open shard".into()));
        };
        let last = self
            .engine
            .last_change(&change::log_key(table_id, open.number))?;
        let ending = last.unwrap_or(open.starting_sequence);
        open.ending_sequence = Some(ending);
        open.closed_millis = Some(now_millis);
        let parent = open.id.clone();
        if continue_with_child {
            stream.shards.push(ShardMeta {
                number: next_number,
                id: shard_id(table_id, next_number, now_millis),
                parent: Some(parent),
                created_millis: now_millis,
                starting_sequence: last.map_or(ending, |l| l + 1),
                ending_sequence: None,
                closed_millis: None,
                trimmed_before: 0,
            });
            meta.next_shard += 1;
        } else {
            stream.disabled_millis = Some(now_millis);
        }
        self.catalog.replace(self.engine.as_ref(), ddl, meta)
    }

    /// One pass of stream upkeep over every table, bounded in work: rolls
    /// over open shards older than the rollover interval, trims records
    /// older than the retention period (at most
    /// [`TRIM_RECORDS_PER_PASS_MAX`] per shard), and forgets shards closed
    /// and streams disabled longer than the retention period.
    pub fn stream_maintenance(&self) -> Result<StreamMaintenance> {
        let mut done = StreamMaintenance::default();
        for table in self.catalog.all() {
            if table.streams.is_empty() {
                continue;
            }
            let now = self.clock.now_millis();
            if let Some((open, _)) = table.change_log()
                && now - open.created_millis >= self.shard_rollover_millis
            {
                let ddl = self.catalog.lock_ddl();
                if let Ok(current) = self.current_table(&table)
                    && current
                        .change_log()
                        .is_some_and(|(s, _)| s.number == open.number)
                {
                    self.close_open_shard(&ddl, (*current).clone(), true, now)?;
                    done.shards_rolled_over += 1;
                }
            }
            self.trim_and_forget(&table, now, &mut done)?;
        }
        Ok(done)
    }

    /// Trims one table's old records and forgets what has expired.
    fn trim_and_forget(
        &self,
        table: &TableMeta,
        now: i64,
        done: &mut StreamMaintenance,
    ) -> Result<()> {
        let cutoff = now - self.stream_retention_millis;
        let mut horizons = Vec::new();
        for stream in &table.streams {
            for shard in &stream.shards {
                let log = change::log_key(table.id, shard.number);
                // The oldest record first: most passes find it young and
                // read nothing more.
                let oldest = self.engine.changes(&log, shard.trim_horizon(), 1)?;
                let young = oldest
                    .first()
                    .and_then(|(_, r)| change::decode(r))
                    .is_none_or(|r| r.time_millis >= cutoff);
                if young {
                    continue;
                }
                let records =
                    self.engine
                        .changes(&log, shard.trim_horizon(), TRIM_RECORDS_PER_PASS_MAX)?;
                // Records are in commit order, so their times only grow
                // (but for clock steps, which at worst keep one longer).
                let expired = records
                    .iter()
                    .take_while(|(_, r)| change::decode(r).is_some_and(|r| r.time_millis < cutoff))
                    .count();
                if let Some((seq, _)) = expired.checked_sub(1).and_then(|i| records.get(i)) {
                    self.engine.trim_changes(&log, seq + 1)?;
                    done.records_trimmed += expired;
                    horizons.push((shard.number, seq + 1));
                }
            }
        }
        let forget_shard = |s: &ShardMeta| s.closed_millis.is_some_and(|c| c < cutoff);
        let forget_stream = |s: &StreamMeta| s.disabled_millis.is_some_and(|d| d < cutoff);
        let expired = table
            .streams
            .iter()
            .map(|s| {
                usize::from(forget_stream(s))
                    + s.shards.iter().filter(|sh| forget_shard(sh)).count()
            })
            .sum::<usize>();
        if horizons.is_empty() && expired == 0 {
            return Ok(());
        }
        let ddl = self.catalog.lock_ddl();
        let Ok(current) = self.current_table(table) else {
            return Ok(());
        };
        let mut meta = (*current).clone();
        for stream in &mut meta.streams {
            for shard in &mut stream.shards {
                if let Some((_, h)) = horizons.iter().find(|(n, _)| *n == shard.number) {
                    shard.trimmed_before = shard.trimmed_before.max(*h);
                }
            }
        }
        let mut gone = Vec::new();
        for stream in &mut meta.streams {
            if forget_stream(stream) {
                gone.extend(stream.shards.iter().map(|s| s.number));
                stream.shards.clear();
            } else {
                gone.extend(
                    stream
                        .shards
                        .iter()
                        .filter(|s| forget_shard(s))
                        .map(|s| s.number),
                );
                stream.shards.retain(|s| !forget_shard(s));
            }
        }
        meta.streams.retain(|s| !forget_stream(s));
        self.catalog.replace(self.engine.as_ref(), &ddl, meta)?;
        for number in gone {
            self.engine
                .trim_changes(&change::log_key(table.id, number), u64::MAX)?;
        }
        done.forgotten += expired;
        Ok(())
    }

    /// Moves records of the first change format (bare sequence keys, one
    /// feed for every table) into the open shard of their table's stream,
    /// creating that stream's record of shards if the table predates them.
    /// Runs once when a database opens; cheap when there is nothing to move.
    pub(crate) fn migrate_first_format_changes(&self) -> Result<()> {
        // Done once per database: the marker spares every later start a
        // walk over the change logs looking for first-format keys.
        let marker = keyspace::change_format_key();
        if self
            .engine
            .get(&marker, ferrodyn_storage::ReadConsistency::Strong)?
            .is_some()
        {
            return Ok(());
        }
        // Tables whose stream was enabled before streams had shards.
        let ddl = self.catalog.lock_ddl();
        for table in self.catalog.all() {
            let legacy = table.stream.as_ref().filter(|s| s.enabled);
            if let (Some(settings), true) = (legacy, table.streams.is_empty()) {
                let view = settings
                    .view_type
                    .as_deref()
                    .and_then(ViewType::from_wire_name)
                    .unwrap_or(ViewType::NewAndOldImages);
                let label = settings.label.clone().unwrap_or_else(|| {
                    crate::ops::create_table::stream_label(table.created_millis)
                });
                let mut meta = (*table).clone();
                Database::open_stream(&mut meta, label, view, self.clock.now_millis(), 0);
                self.catalog.replace(self.engine.as_ref(), &ddl, meta)?;
            }
        }
        drop(ddl);
        loop {
            let old = self.engine.changes(&[], 0, TRIM_RECORDS_PER_PASS_MAX)?;
            let Some((last, _)) = old.last() else {
                self.engine.commit(WriteBatch {
                    ops: vec![ferrodyn_storage::Op::Put {
                        key: marker,
                        value: vec![change::CHANGE_FORMAT_VERSION],
                    }],
                    ..WriteBatch::default()
                })?;
                return Ok(());
            };
            let last = *last;
            let tables: std::collections::HashMap<u64, Arc<TableMeta>> =
                self.catalog.all().into_iter().map(|t| (t.id, t)).collect();
            let mut batch = WriteBatch::default();
            for (_, bytes) in &old {
                let Some(r) = change::decode_v1(bytes) else {
                    continue;
                };
                let Some(table) = tables.get(&r.table_id) else {
                    continue;
                };
                let Some((shard, view)) = table.change_log() else {
                    continue;
                };
                let old_item = r.old_image.as_deref().map(decode_image).transpose()?;
                let new_item = r.new_image.as_deref().map(decode_image).transpose()?;
                if old_item.is_none() && new_item.is_none() {
                    continue;
                }
                let keys = new_item
                    .as_ref()
                    .or(old_item.as_ref())
                    .map(|item| table.key_schema().key_of(item))
                    .unwrap_or_default();
                batch.changes.push(ChangeAppend {
                    log: change::log_key(table.id, shard.number),
                    record: change::encode(
                        &change::Origin::Client,
                        change::Event::of(old_item.is_some(), new_item.is_some()),
                        r.time_millis,
                        &ferrodyn_model::codec::encode_item(&keys),
                        r.old_image.as_deref().filter(|_| view.keeps_old()),
                        r.new_image.as_deref().filter(|_| view.keeps_new()),
                    ),
                });
            }
            // The moved records are durable before the old ones go.
            self.engine.commit(batch)?;
            self.engine.trim_changes(&[], last + 1)?;
            tracing::info!(
                records = old.len(),
                "moved change records of the first format into stream shards"
            );
        }
    }
}

fn decode_image(bytes: &[u8]) -> Result<ferrodyn_model::Item> {
    ferrodyn_model::codec::decode_item(bytes).map_err(|e| CoreError::Internal(e.to_string()))
}

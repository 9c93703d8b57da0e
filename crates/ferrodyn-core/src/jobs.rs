//! The background jobs of a database, in one place: building new indexes
//! (`backfill.rs`), writing and restoring backups (`backup/`), writing
//! exports (`export.rs`), deleting
//! expired items (`ttl.rs`), stream upkeep (`stream_log.rs`: shard
//! rollover, trimming, forgetting) and point-in-time recovery's upkeep
//! (`backup/pitr.rs`: snapshots, trimming).
//!
//! [`Jobs::run_once`] does a bounded amount of each job that is due and
//! says whether more work is waiting; the caller (the server's background
//! thread, or a test) runs it in a loop and sleeps when nothing is. Time is
//! the database's clock, so a test that moves a manual clock makes jobs
//! due without sleeping. When several nodes share one database, this is the
//! piece that will take a lease per job.

use crate::database::Database;
use crate::error::Result;

/// How often the TTL sweeper starts a pass by default (AWS takes hours;
/// people testing TTL want seconds).
pub const TTL_SWEEP_INTERVAL_MILLIS: i64 = 1_000;
/// How often streams and point-in-time recovery are looked after
/// (rollover, snapshots, trimming).
pub const STREAM_MAINTENANCE_INTERVAL_MILLIS: i64 = 1_000;

/// The schedule of the background jobs.
#[derive(Debug)]
pub struct Jobs {
    ttl_interval_millis: i64,
    next_ttl_millis: i64,
    /// A TTL pass is under way (more pages to sweep).
    ttl_in_pass: bool,
    next_maintenance_millis: i64,
}

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Round {
    /// More work is waiting: run again at once.
    pub busy: bool,
    /// Expired items deleted.
    pub ttl_deleted: usize,
    /// Stream records trimmed.
    pub records_trimmed: usize,
    /// Shards rolled over.
    pub shards_rolled_over: usize,
}

impl Jobs {
    /// Jobs that sweep for expired items every `ttl_interval_millis`.
    pub fn new(ttl_interval_millis: i64) -> Jobs {
        Jobs {
            ttl_interval_millis: ttl_interval_millis.max(1),
            next_ttl_millis: i64::MIN,
            ttl_in_pass: false,
            next_maintenance_millis: i64::MIN,
        }
    }

    /// Runs a bounded step of every job that is due.
    pub fn run_once(&mut self, db: &Database) -> Result<Round> {
        let mut round = Round {
            busy: db.backfill_step()? | db.backup_step()? | db.export_step()?,
            ..Round::default()
        };
        let now = db.clock.now_millis();
        if self.ttl_in_pass || now >= self.next_ttl_millis {
            let step = db.ttl_sweep_step()?;
            round.ttl_deleted = step.deleted;
            self.ttl_in_pass = step.more;
            round.busy |= step.more;
            if !step.more {
                self.next_ttl_millis = now + self.ttl_interval_millis;
            }
            if step.deleted > 0 {
                tracing::info!(
                    deleted = step.deleted,
                    total = db.ttl_deleted_total(),
                    "TTL: deleted expired items"
                );
            }
        }
        if now >= self.next_maintenance_millis {
            let done = db.stream_maintenance()?;
            round.records_trimmed = done.records_trimmed;
            round.shards_rolled_over = done.shards_rolled_over;
            round.busy |= db.pitr_maintenance()?;
            self.next_maintenance_millis = now + STREAM_MAINTENANCE_INTERVAL_MILLIS;
            if done.shards_rolled_over + done.records_trimmed + done.forgotten > 0 {
                tracing::debug!(?done, "streams maintained");
            }
        }
        Ok(round)
    }
}

//! `ferrodyn bench engine`: the durable storage engine alone, without
//! HTTP, JSON or DynamoDB semantics. Writer threads commit one durable
//! put each (a 1 KB value under a random 16-byte key) as fast as the
//! engine acknowledges them: through ferrodyn's storage layer (the same
//! commit call PutItem makes, its commit queue joining concurrent commits
//! into one fsync), or with `--raw` through RocksDB's own write path
//! (`sync = true`; RocksDB's write groups join concurrent writers into one
//! fsync). Their rates are what durable PutItem is compared with.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Args;
use ferrodyn_storage::rocks::{RocksEngine, Sync};
use ferrodyn_storage::{Engine, Op, WriteBatch};
use hdrhistogram::Histogram;

use crate::error::BenchError;
use crate::parse_duration;
use crate::sample::Rng;

/// Bytes of each committed key.
const KEY_BYTES: usize = 16;
/// The longest commit latency recorded exactly, in microseconds (a minute).
const LATENCY_US_MAX: u64 = 60_000_000;
/// Writer threads at most.
pub const WRITERS_MAX: usize = 1024;

/// `ferrodyn bench engine` flags.
#[derive(Clone, Debug, Args)]
pub struct EngineArgs {
    /// Directory for the store; it must not exist and is removed at the
    /// end (default: a new directory under the system's temporary one).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Concurrent writer threads, each with one commit in flight.
    #[arg(long, default_value_t = 64)]
    pub writers: usize,
    /// Bytes of each committed value.
    #[arg(long, default_value_t = 1024)]
    pub value_size: usize,
    /// The measured interval, e.g. `10s`.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Commits before measuring, not counted.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    pub warmup: Duration,
    /// Write with RocksDB itself (its default options, `sync = true`)
    /// instead of ferrodyn's storage layer.
    #[arg(long)]
    pub raw: bool,
}

/// One durable write of `value` under `key`; whether it succeeded.
type Commit = Arc<dyn Fn(Vec<u8>, Vec<u8>) -> bool + Send + std::marker::Sync>;

fn open(args: &EngineArgs, dir: &std::path::Path) -> Result<Commit, BenchError> {
    let io = |e: String| BenchError::Io(std::io::Error::other(e));
    if args.raw {
        let mut opts = rocksdb::Options::default();
        opts.create_if_missing(true);
        let db = rocksdb::DB::open(&opts, dir).map_err(|e| io(e.into_string()))?;
        let mut sync = rocksdb::WriteOptions::default();
        sync.set_sync(true);
        return Ok(Arc::new(move |key, value| {
            db.put_opt(key, value, &sync).is_ok()
        }));
    }
    let engine = RocksEngine::open(dir, Sync::Always).map_err(|e| io(e.to_string()))?;
    Ok(Arc::new(move |key, value| {
        engine
            .commit(WriteBatch {
                ops: vec![Op::Put { key, value }],
                ..WriteBatch::default()
            })
            .is_ok()
    }))
}

/// Removes the store's directory when the run ends, however it ends.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the writers and prints one JSON line (see [`measure`]).
pub fn run(args: &EngineArgs) -> Result<(), BenchError> {
    println!("{}", measure(args)?);
    Ok(())
}

/// Runs the writers: commits per second and commit latency percentiles in
/// microseconds.
pub fn measure(args: &EngineArgs) -> Result<serde_json::Value, BenchError> {
    if !(1..=WRITERS_MAX).contains(&args.writers) {
        return Err(BenchError::InvalidArgument {
            flag: "writers",
            reason: format!("must be 1 to {WRITERS_MAX}"),
        });
    }
    let dir = args.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("ferrodyn-bench-engine-{}", std::process::id()))
    });
    if dir.exists() {
        return Err(BenchError::InvalidArgument {
            flag: "dir",
            reason: format!("{} already exists", dir.display()),
        });
    }
    let _remove = RemoveOnDrop(dir.clone());
    let commit = open(args, &dir)?;
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let failed = Arc::new(AtomicU64::new(0));
    let writers: Vec<_> = (0..args.writers)
        .map(|w| {
            let commit = Arc::clone(&commit);
            let measuring = Arc::clone(&measuring);
            let stop = Arc::clone(&stop);
            let failed = Arc::clone(&failed);
            let value = vec![b'v'; args.value_size];
            std::thread::spawn(move || {
                let mut rng = Rng::new(0x5eed ^ w as u64);
                let mut latency = Histogram::<u64>::new_with_bounds(1, LATENCY_US_MAX, 3).ok();
                let mut committed = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let mut key = Vec::with_capacity(KEY_BYTES);
                    key.extend_from_slice(&rng.next_u64().to_be_bytes());
                    key.extend_from_slice(&rng.next_u64().to_be_bytes());
                    let start = Instant::now();
                    let ok = commit(key, value.clone());
                    if !ok {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                    if ok && measuring.load(Ordering::Relaxed) {
                        committed += 1;
                        if let Some(h) = latency.as_mut() {
                            let us = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX);
                            h.saturating_record(us);
                        }
                    }
                }
                (committed, latency)
            })
        })
        .collect();
    std::thread::sleep(args.warmup);
    measuring.store(true, Ordering::Relaxed);
    let started = Instant::now();
    std::thread::sleep(args.duration);
    measuring.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let mut committed = 0;
    let mut latency =
        Histogram::<u64>::new(3).map_err(|e| BenchError::Io(std::io::Error::other(e)))?;
    for writer in writers {
        let (n, h) = writer
            .join()
            .map_err(|_| BenchError::Io(std::io::Error::other("a writer panicked")))?;
        committed += n;
        if let Some(h) = h {
            let _ = latency.add(h);
        }
    }
    let failed = failed.load(Ordering::Relaxed);
    if failed > 0 {
        return Err(BenchError::Io(std::io::Error::other(format!(
            "{failed} commits failed"
        ))));
    }
    // Every writer has ended: the store closes here, before its directory
    // is removed.
    drop(commit);
    Ok(serde_json::json!({
        "engine": if args.raw { "rocksdb" } else { "ferrodyn-storage" },
        "writers": args.writers,
        "value_size": args.value_size,
        "seconds": elapsed,
        "commits": committed,
        "commits_per_second": committed as f64 / elapsed.max(f64::EPSILON),
        "latency_us": {
            "p50": latency.value_at_quantile(0.5),
            "p99": latency.value_at_quantile(0.99),
            "max": latency.max(),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_durably_and_cleans_up() {
        let dir =
            std::env::temp_dir().join(format!("ferrodyn-bench-engine-test-{}", std::process::id()));
        let args = EngineArgs {
            dir: Some(dir.clone()),
            writers: 2,
            value_size: 100,
            duration: Duration::from_millis(200),
            warmup: Duration::ZERO,
            raw: false,
        };
        for raw in [false, true] {
            let args = EngineArgs {
                raw,
                ..args.clone()
            };
            let report = measure(&args).expect("runs");
            assert!(report["commits"].as_u64().expect("commits") > 0);
            assert_eq!(report["writers"], 2);
            let engine = if raw { "rocksdb" } else { "ferrodyn-storage" };
            assert_eq!(report["engine"], engine);
            assert!(!dir.exists(), "the store is removed");
        }
        let args = EngineArgs { writers: 0, ..args };
        assert!(matches!(
            measure(&args),
            Err(BenchError::InvalidArgument {
                flag: "writers",
                ..
            })
        ));
    }
}

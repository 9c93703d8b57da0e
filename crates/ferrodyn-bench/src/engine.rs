//! `ferrodyn bench engine`: the durable storage engine alone, without
//! HTTP, JSON or DynamoDB semantics. Writer threads commit one durable
//! put each (a 1 KB value under a random 16-byte key, `sync = true`, the
//! same commit call PutItem makes) as fast as the engine acknowledges them;
//! RocksDB's group commit joins concurrent writers into one fsync. Its rate
//! is what durable PutItem is compared with.

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
#[derive(Debug, Args)]
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
    let engine = Arc::new(
        RocksEngine::open(&dir, Sync::Always)
            .map_err(|e| BenchError::Io(std::io::Error::other(e)))?,
    );
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let failed = Arc::new(AtomicU64::new(0));
    let writers: Vec<_> = (0..args.writers)
        .map(|w| {
            let engine = Arc::clone(&engine);
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
                    let batch = WriteBatch {
                        ops: vec![Op::Put {
                            key,
                            value: value.clone(),
                        }],
                        ..WriteBatch::default()
                    };
                    let start = Instant::now();
                    let ok = engine.commit(batch).is_ok();
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
    Ok(serde_json::json!({
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
        };
        let report = measure(&args).expect("runs");
        assert!(report["commits"].as_u64().expect("commits") > 0);
        assert_eq!(report["writers"], 2);
        assert!(!dir.exists(), "the store is removed");
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

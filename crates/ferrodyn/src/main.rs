//! `ferrodyn`: a DynamoDB-compatible database server.
//!
//! `ferrodyn serve` opens the store (RocksDB in `--data-dir`, or memory with
//! `--in-memory`), listens for the DynamoDB wire protocol, and shuts down
//! gracefully on SIGINT or SIGTERM: it stops accepting, lets in-flight
//! requests finish, flushes storage and exits 0. `ferrodyn bench` is the
//! load generator of the `ferrodyn-bench` crate.

mod config;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand};
use ferrodyn_api::auth::{Auth, Credential};
use ferrodyn_api::service::Service;
use ferrodyn_core::clock::SystemClock;
use ferrodyn_core::jobs::Jobs;
use ferrodyn_core::{CoreError, Database};
use ferrodyn_storage::StorageError;
use ferrodyn_storage::creating::CreatingEngine;
use ferrodyn_storage::memory::MemoryEngine;
use ferrodyn_storage::rocks::{RocksConfig, RocksEngine, Sync, store_exists};
use tracing_subscriber::EnvFilter;

use crate::config::{ServeArgs, Settings};

/// mimalloc: the request path allocates many small, short-lived buffers
/// (JSON values, keys, items), and profiles showed glibc's malloc and free
/// taking about a sixth of the CPU of a GetItem; with mimalloc a GetItem or
/// PutItem costs 20-30 % less server CPU (BENCHMARKS.md). It is built
/// without transparent huge pages (`no_thp`), which otherwise raised the
/// idle resident set from about 17 MB to 25 MB.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "ferrodyn",
    version,
    about = "A DynamoDB-compatible database server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Measure a DynamoDB endpoint under load (or run the ceiling server).
    Bench(ferrodyn_bench::BenchArgs),
    /// DynamoDB Streams tools.
    #[command(subcommand)]
    Streams(StreamsCommand),
    /// Back up a table of a running server, or list its backups.
    #[command(subcommand)]
    Backup(ferrodyn_bench::backup::BackupCommand),
    /// Restore a backup, or a table as of an instant, into a new table of
    /// a running server, and wait until it is ACTIVE.
    Restore(ferrodyn_bench::backup::RestoreArgs),
    /// Export a table of a running server (as of an instant) in DynamoDB's
    /// S3 export format, and wait until it is COMPLETED; prints the key of
    /// its manifest-summary.json.
    Export(ferrodyn_bench::backup::ExportArgs),
}

#[derive(Debug, Subcommand)]
enum StreamsCommand {
    /// Print a table's stream records as they arrive, one JSON object per
    /// line, following shard lineage.
    Tail(ferrodyn_bench::tail::TailArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => match serve(args) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ferrodyn: {e}");
                std::process::ExitCode::FAILURE
            }
        },
        Command::Bench(args) => match ferrodyn_bench::run(args) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ferrodyn bench: {e}");
                std::process::ExitCode::FAILURE
            }
        },
        Command::Streams(StreamsCommand::Tail(args)) => match ferrodyn_bench::tail::run(args) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ferrodyn streams tail: {e}");
                std::process::ExitCode::FAILURE
            }
        },
        Command::Backup(command) => match ferrodyn_bench::backup::run_backup(command) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ferrodyn backup: {e}");
                std::process::ExitCode::FAILURE
            }
        },
        Command::Restore(args) => match ferrodyn_bench::backup::run_restore(args) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ferrodyn restore: {e}");
                std::process::ExitCode::FAILURE
            }
        },
        Command::Export(args) => match ferrodyn_bench::backup::run_export(args) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ferrodyn export: {e}");
                std::process::ExitCode::FAILURE
            }
        },
    }
}

fn serve(args: ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    // What ferrodyn creates (the data directory, the store's files) is the
    // owner's alone: 0700 directories, 0600 files.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let raised = raise_file_limit();
    let settings = Settings::resolve(args)?;
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(&settings.log)?)
        .with_writer(std::io::stderr)
        .init();
    if let Some(files) = raised {
        tracing::debug!(files, "raised the open-file limit");
    }
    if let Some(dir) = &settings.data_dir {
        warn_if_shared(dir);
    }

    let rocks_config = RocksConfig {
        sync: Sync::Always,
        block_cache_bytes: usize::try_from(settings.cache_bytes).unwrap_or(usize::MAX),
    };
    // A new store holds nothing: the server answers while it is created.
    let mut creating = None;
    let db = match &settings.data_dir {
        Some(dir) if !store_exists(dir) => {
            let engine = Arc::new(CreatingEngine::start(dir.clone(), rocks_config)?);
            creating = Some(Arc::clone(&engine));
            Database::open_empty(engine, Arc::new(SystemClock))
        }
        Some(dir) => Database::open(
            Arc::new(RocksEngine::open_with(dir, rocks_config)?),
            Arc::new(SystemClock),
        )?,
        None => Database::open(Arc::new(MemoryEngine::new()), Arc::new(SystemClock))?,
    };
    // In memory without a backup directory, backups live as long as the
    // process, in a private temporary directory.
    let temporary_backups = match &settings.backup_dir {
        Some(_) => None,
        None => Some(
            tempfile::Builder::new()
                .prefix("ferrodyn-backups")
                .tempdir()?,
        ),
    };
    let backup_dir = settings
        .backup_dir
        .clone()
        .or_else(|| temporary_backups.as_ref().map(|t| t.path().to_path_buf()))
        .ok_or("no backup directory")?;
    let export_store: Arc<dyn ferrodyn_transfer::store::ObjectStore> = match &settings.export_s3 {
        Some(s3) => {
            tracing::info!(endpoint = %s3.endpoint, "exports go to this S3-compatible store");
            Arc::new(ferrodyn_transfer::store::S3Store::new(
                &s3.endpoint,
                &s3.region,
                &s3.access_key_id,
                &s3.secret_access_key,
            )?)
        }
        None => {
            let dir = match &settings.export_dir {
                Some(dir) => dir.clone(),
                None => backup_dir.join(config::EXPORT_SUBDIR),
            };
            // Not created here: a bucket is a directory someone made (and
            // the data directory is the store's to create, and to sync).
            tracing::info!(dir = %dir.display(), "exports go to the buckets (subdirectories) of this directory");
            Arc::new(ferrodyn_transfer::store::LocalStore::new(dir))
        }
    };
    let db = Arc::new(
        db.with_backup_dir(backup_dir)
            .with_export_store(export_store)
            .with_shard_rollover(settings.stream_shard_rollover_ms)
            .with_stream_retention(settings.stream_retention_ms)
            .with_iterator_lifetime(settings.stream_iterator_lifetime_ms)
            .with_pitr_restorable_lag_millis(settings.pitr_restorable_lag_ms)
            .with_pitr_snapshot_interval_millis(settings.pitr_snapshot_interval_ms),
    );
    let credentials = settings
        .credentials
        .iter()
        .map(|c| Credential {
            access_key_id: c.access_key_id.clone(),
            secret_access_key: c.secret_access_key.clone(),
            account_id: c
                .account_id
                .clone()
                .unwrap_or_else(|| settings.account_id.clone()),
        })
        .collect();
    let auth = Auth::new(credentials, settings.account_id.clone());
    let local_mode = auth.is_local_mode();
    let service = Arc::new(Service::with_body_limits(
        Arc::clone(&db),
        auth,
        settings.data_dir.is_some(),
        settings.bodies,
    ));

    let stop = Arc::new(AtomicBool::new(false));
    let jobs = spawn_jobs_worker(
        Arc::clone(&db),
        Arc::clone(&stop),
        settings.ttl_sweep_interval_ms,
    )?;
    // Kinesis destinations publish with the environment's credentials (a
    // server such as kinesalite checks none).
    let publisher = match &settings.kinesis_endpoint {
        Some(endpoint) => Some(ferrodyn_kinesis::spawn_publisher(
            Arc::clone(&db),
            ferrodyn_kinesis::KinesisConfig {
                endpoint: endpoint.clone(),
                access_key_id: std::env::var("AWS_ACCESS_KEY_ID")
                    .unwrap_or_else(|_| "ferrodyn".into()),
                secret_access_key: std::env::var("AWS_SECRET_ACCESS_KEY")
                    .unwrap_or_else(|_| "ferrodyn".into()),
            },
            Arc::clone(&stop),
        )?),
        None => None,
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let creation_failed = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind((settings.bind, settings.port)).await?;
        let addr = listener.local_addr()?;
        if local_mode {
            tracing::info!("local development mode: no credentials configured, any well-formed signature is accepted");
        }
        match &settings.data_dir {
            Some(dir) => tracing::info!(%addr, data_dir = %dir.display(), region = %settings.region, "ferrodyn listening"),
            None => tracing::info!(%addr, region = %settings.region, "ferrodyn listening (in memory)"),
        }
        let mut creation_failed = None;
        let shutdown = async {
            tokio::select! {
                () = shutdown_signal() => {}
                e = creation_failure(creating) => creation_failed = Some(e),
            }
        };
        ferrodyn_api::server::serve_with(listener, service, settings.connections, shutdown).await;
        Ok::<_, std::io::Error>(creation_failed)
    })?;
    stop.store(true, Ordering::Release);
    if jobs.join().is_err() {
        tracing::error!("the background jobs worker panicked");
    }
    if publisher.is_some_and(|p| p.join().is_err()) {
        tracing::error!("the Kinesis publisher panicked");
    }
    if let Some(e) = creation_failed {
        // Nothing was written: every call failed with this.
        return Err(e.into());
    }
    match db.flush() {
        Ok(()) => {}
        // Every acknowledged write is in the synced log, which the next
        // start replays: the memtables could not be written for lack of
        // space, and nothing is lost by stopping anyway.
        Err(CoreError::OutOfSpace(detail)) => tracing::warn!(
            %detail,
            "could not flush the memtables for lack of space; every acknowledged write is in the synced log and is replayed at the next start"
        ),
        Err(e) => return Err(e.into()),
    }
    tracing::info!("ferrodyn stopped");
    Ok(())
}

/// Raises the soft limit on open files to the hard limit (connections and
/// the store's files both need descriptors); returns the new limit.
fn raise_file_limit() -> Option<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    let hard = limit.maximum?;
    if limit.current.is_some_and(|soft| soft >= hard) {
        return None;
    }
    limit.current = Some(hard);
    setrlimit(Resource::Nofile, limit).ok()?;
    Some(hard)
}

/// Warns if the data directory, or a file directly in it, may be read or
/// written by users other than its owner.
fn warn_if_shared(dir: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let shared = |p: &std::path::Path| {
        std::fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
    };
    let mut found: Vec<std::path::PathBuf> = Vec::new();
    if shared(dir) {
        found.push(dir.to_owned());
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        found.extend(
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| shared(p)),
        );
    }
    if let Some(first) = found.first() {
        tracing::warn!(
            path = %first.display(),
            count = found.len(),
            "the data directory or its files are accessible to other users; consider chmod -R go-rwx"
        );
    }
}

/// How long the background worker sleeps when no job has work waiting.
const JOBS_IDLE_MS: u64 = 100;

/// How long it waits after a storage error before trying again.
const JOBS_ERROR_BACKOFF_MS: u64 = 1_000;

/// Runs the database's background jobs (index builds, the TTL sweeper,
/// stream upkeep: `ferrodyn_core::jobs`) until `stop` is set.
fn spawn_jobs_worker(
    db: Arc<Database>,
    stop: Arc<AtomicBool>,
    ttl_interval_millis: i64,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("background-jobs".into())
        .spawn(move || {
            let mut jobs = Jobs::new(ttl_interval_millis);
            while !stop.load(Ordering::Acquire) {
                let pause = match jobs.run_once(&db) {
                    Ok(round) if round.busy => continue,
                    Ok(_) => JOBS_IDLE_MS,
                    Err(e) => {
                        tracing::error!(error = %e, "a background job failed; retrying");
                        JOBS_ERROR_BACKOFF_MS
                    }
                };
                std::thread::sleep(std::time::Duration::from_millis(pause));
            }
        })
}

/// Resolves if the store being created could not be; never otherwise.
async fn creation_failure(creating: Option<Arc<CreatingEngine>>) -> StorageError {
    if let Some(engine) = creating
        && let Ok(Err(e)) = tokio::task::spawn_blocking(move || engine.wait()).await
    {
        tracing::error!(error = %e, "cannot create the store; stopping");
        return e;
    }
    std::future::pending().await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutting down");
}

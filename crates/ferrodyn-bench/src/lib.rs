//! `ferrodyn bench`: a load generator for any DynamoDB endpoint that speaks
//! plain HTTP (ferrodyn, DynamoDB Local, dynalite, moto), and the "ceiling"
//! server it is compared against.
//!
//! ```text
//! ferrodyn bench --endpoint http://127.0.0.1:8000 --workload get \
//!     --concurrency 16 --duration 10s --warmup 2s --create-table --preload
//! ferrodyn bench ceiling --port 8001
//! ```
//!
//! How a run is measured:
//!
//! * each of `--concurrency` workers owns one keep-alive HTTP/1.1
//!   connection and has one request in flight (a closed loop), so the
//!   offered load adapts to the server: throughput and latency are those of
//!   N clients waiting for their answers;
//! * every request is signed with SigV4, as an SDK would, so the server's
//!   signature check is part of what is measured;
//! * only requests that complete in the measured interval count, after a
//!   warm-up that fills connections and caches;
//! * the generator's own CPU time (and, with `--server-pid`, the server's)
//!   is sampled at both ends of the interval, so that each request's CPU
//!   cost is reported and a saturated generator is visible.
//!
//! The modules: [`sigv4`] signs, [`workload`] writes request bodies,
//! [`sample`] chooses keys, `conn` drives a connection, `setup` creates
//! and loads the table, `run` measures, [`report`] prints, [`ceiling`] is
//! the trivial server, and `cpu` reads `/proc`.

pub mod backup;
pub mod ceiling;
mod client;
mod conn;
mod cpu;
pub mod engine;
pub mod error;
pub mod report;
mod run;
pub mod sample;
mod setup;
pub mod sigv4;
pub mod tail;
pub mod workload;

use std::io::{IsTerminal as _, Write as _};
use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand, ValueEnum};

pub use crate::conn::Endpoint;
pub use crate::error::BenchError;
pub use crate::report::Report;
pub use crate::run::bench;
use crate::sample::{Chooser, ZIPF_THETA, Zipfian};
use crate::workload::ITEMS_PER_PARTITION;

/// The most connections a run may open.
pub const CONCURRENCY_MAX: u32 = 4096;
/// The largest key space: the Zipfian set-up sums over every key once.
pub const ITEMS_MAX: u64 = 100_000_000;
/// DynamoDB's item size limit.
pub const ITEM_SIZE_BYTES_MAX: u32 = 400 * 1024;
/// The most generator threads.
pub const THREADS_MAX: usize = 256;

/// `ferrodyn bench` flags.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    /// Run something other than the load generator.
    #[command(subcommand)]
    pub command: Option<BenchCommand>,
    /// The load generator's flags.
    #[command(flatten)]
    pub load: LoadArgs,
}

/// `ferrodyn bench` subcommands.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Run the ceiling server: HTTP/1.1 on hyper, answering every request
    /// with `{}`, to measure what the generator and the HTTP stack alone
    /// can do.
    Ceiling(CeilingArgs),
    /// Measure the durable storage engine alone: writer threads committing
    /// one durable 1 KB put each, the rate durable PutItem is compared with.
    Engine(engine::EngineArgs),
}

/// `ferrodyn bench ceiling` flags.
#[derive(Debug, Args)]
pub struct CeilingArgs {
    /// Port to listen on.
    #[arg(long, default_value_t = 8001)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Runtime threads (default: one per core, as `ferrodyn serve`).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// The load generator's flags.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The endpoint: `http://host[:port]`.
    #[arg(long, default_value = "http://127.0.0.1:8000")]
    pub endpoint: String,
    /// What to send.
    #[arg(long, value_enum, default_value_t = Workload::Get)]
    pub workload: Workload,
    /// Connections, each with one request in flight.
    #[arg(long, default_value_t = 16)]
    pub concurrency: u32,
    /// The measured interval, e.g. `10s`, `500ms`, `2m`.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Load before measuring, not counted.
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    pub warmup: Duration,
    /// The key space: items `0..items`, ten per partition.
    #[arg(long, default_value_t = 10_000)]
    pub items: u64,
    /// About how large each item is, in bytes (DynamoDB's item size).
    #[arg(long, default_value_t = 1024)]
    pub item_size: u32,
    /// How keys are chosen.
    #[arg(long, value_enum, default_value_t = Skew::Uniform)]
    pub skew: Skew,
    /// The table (primary key `pk` S, `sk` N).
    #[arg(long, default_value = "bench")]
    pub table: String,
    /// Create the table (PAY_PER_REQUEST) if it does not exist.
    #[arg(long)]
    pub create_table: bool,
    /// Write all items before the run.
    #[arg(long)]
    pub preload: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Region in the signature's scope.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// Access key id to sign with.
    #[arg(long, default_value = "ferrodyn-bench")]
    pub access_key: String,
    /// Secret access key to sign with.
    #[arg(long, default_value = "ferrodyn-bench")]
    pub secret_key: String,
    /// Also report the CPU time of this process (the server) per request.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// The generator's runtime threads. One keeps the generator's cost low
    /// and predictable on a machine it shares with the server.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Seed of the key and value choices (default: from the clock).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Send at most this many requests per second in all (each worker
    /// paces itself to its share); default: as fast as answers come.
    #[arg(long)]
    pub rate: Option<u32>,
    /// With --create-table, give the table a DynamoDB stream of this view
    /// type (KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES), to
    /// measure what streams cost.
    #[arg(long)]
    pub stream: Option<String>,
}

/// What the workers send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Workload {
    /// GetItem of a random key.
    Get,
    /// PutItem of a random key with a fresh value.
    Put,
    /// UpdateItem `SET #v = :v` of a random key.
    Update,
    /// Query of a random partition (ten items).
    Query,
    /// ExecuteStatement `SELECT * ... WHERE pk = ?` of a random partition:
    /// the same read as `query`, in PartiQL.
    Select,
    /// Scan pages of 100 items, each worker following `LastEvaluatedKey`.
    Scan,
    /// Half GetItem, half UpdateItem.
    Mix,
    /// A production-like mix for soaks, on a table with a global secondary
    /// index (`g-index` on `g`) that every write changes: 40 % GetItem,
    /// 15 % UpdateItem, 15 % PutItem, 15 % Query, 10 % TransactWriteItems
    /// updating two items, 5 % Query on the index.
    Soak,
}

impl Workload {
    /// The workload's name.
    pub fn name(self) -> &'static str {
        match self {
            Workload::Get => "get",
            Workload::Put => "put",
            Workload::Update => "update",
            Workload::Query => "query",
            Workload::Select => "select",
            Workload::Scan => "scan",
            Workload::Mix => "mix",
            Workload::Soak => "soak",
        }
    }
}

/// How keys are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Skew {
    /// Every key equally likely.
    Uniform,
    /// YCSB's scrambled Zipfian, theta 0.99.
    Zipfian,
}

impl Skew {
    /// The skew's name.
    pub fn name(self) -> &'static str {
        match self {
            Skew::Uniform => "uniform",
            Skew::Zipfian => "zipfian",
        }
    }

    /// A chooser of an index in `0..n`.
    pub fn chooser(self, n: u64) -> Chooser {
        match self {
            Skew::Uniform => Chooser::Uniform(n.max(1)),
            Skew::Zipfian => Chooser::Zipfian(Zipfian::new(n, ZIPF_THETA)),
        }
    }
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for people.
    Table,
    /// One JSON object.
    Json,
}

/// A validated run configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where requests go.
    pub endpoint: Endpoint,
    /// What to send.
    pub workload: Workload,
    /// Connections.
    pub concurrency: u32,
    /// The measured interval.
    pub duration: Duration,
    /// The warm-up.
    pub warmup: Duration,
    /// The key space.
    pub items: u64,
    /// Item size.
    pub item_size: u32,
    /// Key choice.
    pub skew: Skew,
    /// The table.
    pub table: String,
    /// Create the table first.
    pub create_table: bool,
    /// Load the items first.
    pub preload: bool,
    /// Signing region.
    pub region: String,
    /// Signing access key id.
    pub access_key: String,
    /// Signing secret.
    pub secret_key: String,
    /// The server's process, for its CPU time.
    pub server_pid: Option<u32>,
    /// Generator threads.
    pub threads: usize,
    /// Random seed.
    pub seed: u64,
    /// Draw a progress line on stderr.
    pub progress: bool,
    /// Requests per second in all, if paced.
    pub rate: Option<u32>,
    /// The stream view type of a table the generator creates.
    pub stream: Option<String>,
}

impl Config {
    /// Checks the flags; the progress line is drawn only on a terminal.
    pub fn from_args(a: LoadArgs) -> Result<Config, BenchError> {
        let invalid =
            |flag: &'static str, reason: String| BenchError::InvalidArgument { flag, reason };
        if !(1..=CONCURRENCY_MAX).contains(&a.concurrency) {
            return Err(invalid(
                "concurrency",
                format!("must be 1 to {CONCURRENCY_MAX}"),
            ));
        }
        if !(1..=ITEMS_MAX).contains(&a.items) {
            return Err(invalid("items", format!("must be 1 to {ITEMS_MAX}")));
        }
        if !(1..=ITEM_SIZE_BYTES_MAX).contains(&a.item_size) {
            return Err(invalid(
                "item-size",
                format!("must be 1 to {ITEM_SIZE_BYTES_MAX}"),
            ));
        }
        if !(1..=THREADS_MAX).contains(&a.threads) {
            return Err(invalid("threads", format!("must be 1 to {THREADS_MAX}")));
        }
        if a.duration.is_zero() {
            return Err(invalid("duration", "must be positive".to_owned()));
        }
        // DynamoDB's table name rule; it also means the name needs no
        // escaping in the bodies.
        if !(3..=255).contains(&a.table.len())
            || !a
                .table
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
        {
            return Err(invalid(
                "table",
                "3 to 255 letters, digits, '_', '.' or '-'".to_owned(),
            ));
        }
        if a.region.is_empty()
            || !a
                .region
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(invalid("region", "letters, digits, '-' or '_'".to_owned()));
        }
        // The access key goes into the credential scope, `key/day/region/...`.
        if a.access_key.is_empty()
            || !a
                .access_key
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'/' && b != b',')
        {
            return Err(invalid(
                "access-key",
                "printable ASCII without '/' or ','".to_owned(),
            ));
        }
        if a.secret_key.is_empty() {
            return Err(invalid("secret-key", "must not be empty".to_owned()));
        }
        if a.workload == Workload::Soak && a.items < 2 {
            return Err(invalid(
                "items",
                "the soak workload's transactions need at least 2".to_owned(),
            ));
        }
        if let Some(view) = &a.stream
            && !["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]
                .contains(&view.as_str())
        {
            return Err(invalid(
                "stream",
                "KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES".to_owned(),
            ));
        }
        if a.rate == Some(0) {
            return Err(invalid("rate", "must be positive".to_owned()));
        }
        let seed = a.seed.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
        });
        Ok(Config {
            endpoint: Endpoint::parse(&a.endpoint)?,
            workload: a.workload,
            concurrency: a.concurrency,
            duration: a.duration,
            warmup: a.warmup,
            items: a.items,
            item_size: a.item_size,
            skew: a.skew,
            table: a.table,
            create_table: a.create_table,
            preload: a.preload,
            region: a.region,
            access_key: a.access_key,
            secret_key: a.secret_key,
            server_pid: a.server_pid,
            threads: a.threads,
            seed,
            progress: std::io::stderr().is_terminal(),
            rate: a.rate,
            stream: a.stream,
        })
    }
}

/// The number of partitions `items` items fill.
pub fn partitions(items: u64) -> u64 {
    items.div_ceil(ITEMS_PER_PARTITION).max(1)
}

/// `ferrodyn bench`: runs the generator (printing its report on stdout) or
/// the ceiling server.
pub fn run(args: BenchArgs) -> Result<(), BenchError> {
    match args.command {
        Some(BenchCommand::Ceiling(c)) => run_ceiling(c),
        Some(BenchCommand::Engine(e)) => engine::run(&e),
        None => {
            let format = args.load.format;
            let config = Config::from_args(args.load)?;
            let report = runtime(config.threads)?.block_on(bench(&config))?;
            let text = match format {
                Format::Table => report.to_table(),
                Format::Json => format!("{}\n", report.to_json()),
            };
            std::io::stdout().write_all(text.as_bytes())?;
            Ok(())
        }
    }
}

fn runtime(threads: usize) -> std::io::Result<tokio::runtime::Runtime> {
    if threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
    }
}

fn run_ceiling(args: CeilingArgs) -> Result<(), BenchError> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.threads {
        builder.worker_threads(n.clamp(1, THREADS_MAX));
    }
    builder.enable_all().build()?.block_on(async {
        let listener = tokio::net::TcpListener::bind((args.bind, args.port)).await?;
        eprintln!(
            "ceiling server listening on {} (pid {})",
            listener.local_addr()?,
            std::process::id()
        );
        ceiling::serve(listener, shutdown_signal()).await;
        Ok(())
    })
}

async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        r = tokio::signal::ctrl_c() => {
            if r.is_err() {
                std::future::pending::<()>().await;
            }
        }
        () = term => {}
    }
}

/// Parses `10s`, `500ms`, `2m`, `1.5s` or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 10s, 500ms or 2m"))?;
    let secs = match unit.trim() {
        "" | "s" => value,
        "ms" => value / 1000.0,
        "m" | "min" => value * 60.0,
        other => return Err(format!("unknown unit {other:?}; use ms, s or m")),
    };
    Duration::try_from_secs_f64(secs).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        bench: BenchArgs,
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert!(parse_duration("10h").is_err());
        assert!(parse_duration("s").is_err());
    }

    #[test]
    fn flags_parse_and_validate() {
        let cli = Cli::try_parse_from([
            "bench",
            "--endpoint",
            "http://127.0.0.1:8000",
            "--workload",
            "mix",
            "--skew",
            "zipfian",
            "--duration",
            "3s",
            "--format",
            "json",
        ])
        .expect("parses");
        assert!(cli.bench.command.is_none());
        let config = Config::from_args(cli.bench.load).expect("valid");
        assert_eq!(config.workload, Workload::Mix);
        assert_eq!(config.duration, Duration::from_secs(3));
        assert_eq!(config.warmup, Duration::from_secs(2));

        let cli = Cli::try_parse_from(["bench", "ceiling", "--port", "9001"]).expect("parses");
        assert!(matches!(
            cli.bench.command,
            Some(BenchCommand::Ceiling(CeilingArgs { port: 9001, .. }))
        ));

        let cli = Cli::try_parse_from(["bench", "--table", "x"]).expect("parses");
        assert!(matches!(
            Config::from_args(cli.bench.load),
            Err(BenchError::InvalidArgument { flag: "table", .. })
        ));
    }
}

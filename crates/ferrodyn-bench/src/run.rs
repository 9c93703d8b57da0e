//! The measured run: `--concurrency` workers, each with one connection and
//! one request in flight, through a warm-up and a measured interval.
//!
//! ```text
//!  spawn workers --- warm-up ---|--------- measured ---------|--- drain
//!                               t0, CPU sampled              t1, CPU sampled
//! ```
//!
//! A request counts if it *completes* inside the measured interval, so that
//! operations per second are completions per second. Each worker keeps its
//! own histogram and error counts, merged at the end; the only shared state
//! on the hot path is the phase and two counters for the progress line.

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::Config;
use crate::conn::{Endpoint, Requests, Sender, call, error_of, with_connection};
use crate::cpu::{Process, cpu_time};
use crate::error::{BenchError, TransportError};
use crate::report::{Latency, Report};
use crate::sample::Rng;
use crate::sigv4::Signer;
use crate::workload::{Bodies, Op};
use crate::{Workload, setup};

/// Items per Scan page.
pub const SCAN_PAGE_ITEMS: u32 = 100;
/// The histogram's range: 100 ns to 60 s, three significant digits.
const LATENCY_NS_MIN: u64 = 100;
const LATENCY_NS_MAX: u64 = 60_000_000_000;
const LATENCY_SIGNIFICANT_DIGITS: u8 = 3;
/// How long a worker waits before reconnecting after a transport error.
const RECONNECT_DELAY_MS: u64 = 20;
/// How long the workers may take to stop after the measured interval.
const DRAIN_TIMEOUT_MS: u64 = 10_000;
/// How often the progress line is redrawn.
const PROGRESS_INTERVAL_MS: u64 = 1_000;

const PHASE_WARMUP: u8 = 0;
const PHASE_MEASURE: u8 = 1;
const PHASE_DONE: u8 = 2;

/// What all workers see.
#[derive(Debug)]
struct Shared {
    phase: AtomicU8,
    /// Responses so far, successful and not, for the progress line.
    ok: AtomicU64,
    failed: AtomicU64,
}

impl Shared {
    fn phase(&self) -> u8 {
        self.phase.load(Ordering::Relaxed)
    }
}

/// What a worker needs to know about the workload.
#[derive(Debug)]
pub(crate) struct Context {
    pub(crate) endpoint: Endpoint,
    pub(crate) workload: Workload,
    pub(crate) bodies: Bodies,
    /// Chooses an item (GetItem, PutItem, UpdateItem, a Scan's start).
    pub(crate) items: crate::sample::Chooser,
    /// Chooses a partition (Query).
    pub(crate) partitions: crate::sample::Chooser,
}

/// What a worker measured.
#[derive(Debug)]
struct Outcome {
    ok: u64,
    latency: Histogram<u64>,
    errors: HashMap<String, u64>,
}

/// Runs the whole benchmark: set-up, warm-up, measurement.
pub async fn bench(config: &Config) -> Result<Report, BenchError> {
    let endpoint = &config.endpoint;
    with_connection(endpoint, async |_| ())
        .await
        .map_err(|source| BenchError::Connect {
            endpoint: endpoint.url.clone(),
            source,
        })?;
    let signer = Signer::new(
        &config.access_key,
        &config.secret_key,
        &config.region,
        &endpoint.host,
    );
    let ctx = Arc::new(Context {
        endpoint: endpoint.clone(),
        workload: config.workload,
        bodies: if config.workload == Workload::Soak {
            Bodies::new(&config.table, config.item_size).with_index()
        } else {
            Bodies::new(&config.table, config.item_size)
        }
        .with_stream(config.stream.clone()),
        items: config.skew.chooser(config.items),
        partitions: config.skew.chooser(crate::partitions(config.items)),
    });
    if config.create_table {
        setup::create_table(&ctx, &signer, config.progress).await?;
    }
    if config.preload {
        setup::preload(&ctx, &signer, config).await?;
    }
    measure(config, ctx, signer).await
}

async fn measure(config: &Config, ctx: Arc<Context>, signer: Signer) -> Result<Report, BenchError> {
    let shared = Arc::new(Shared {
        phase: AtomicU8::new(PHASE_WARMUP),
        ok: AtomicU64::new(0),
        failed: AtomicU64::new(0),
    });
    let (stop, stopped) = watch::channel(false);
    let mut workers = JoinSet::new();
    for id in 0..config.concurrency {
        let worker = Worker {
            ctx: Arc::clone(&ctx),
            shared: Arc::clone(&shared),
            requests: Requests::new(&ctx.endpoint, signer.clone())?,
            rng: Rng::new(config.seed ^ (u64::from(id) + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
            outcome: Outcome {
                ok: 0,
                latency: new_histogram(),
                errors: HashMap::new(),
            },
            scan_start: None,
            stopped: stopped.clone(),
            in_flight: false,
            answered_on_connection: 0,
            owner: (config.workload == Workload::Soak).then_some((id, config.concurrency)),
            pace: config.rate.map(|rate| {
                // Each worker sends its share, starting at a different
                // moment so that the workers do not send in bursts.
                let interval =
                    Duration::from_secs_f64(f64::from(config.concurrency) / f64::from(rate));
                Pace {
                    interval,
                    next: tokio::time::Instant::now()
                        + interval.mul_f64(f64::from(id) / f64::from(config.concurrency)),
                }
            }),
        };
        workers.spawn(worker.run());
    }

    wait(&shared, config.warmup, "warm-up", config.progress).await;
    let cpu_before = cpu_time(Process::Myself)?;
    let server_before = config
        .server_pid
        .map(|p| cpu_time(Process::Pid(p)))
        .transpose()?;
    let started = Instant::now();
    shared.phase.store(PHASE_MEASURE, Ordering::Relaxed);
    wait(&shared, config.duration, "measure", config.progress).await;
    shared.phase.store(PHASE_DONE, Ordering::Relaxed);
    let elapsed = started.elapsed();
    // Requests still in flight are abandoned: they would not count.
    let _ = stop.send(true);
    let cpu = cpu_time(Process::Myself)?.saturating_sub(cpu_before);
    let server_cpu = match (config.server_pid, server_before) {
        (Some(p), Some(before)) => Some(cpu_time(Process::Pid(p))?.saturating_sub(before)),
        _ => None,
    };
    if config.progress {
        eprint!("\r\x1b[K");
    }

    let mut ok = 0;
    let mut latency = new_histogram();
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    let drain = tokio::time::sleep(Duration::from_millis(DRAIN_TIMEOUT_MS));
    tokio::pin!(drain);
    loop {
        tokio::select! {
            joined = workers.join_next() => match joined {
                Some(Ok(outcome)) => {
                    ok += outcome.ok;
                    // Every histogram has the same bounds, so adding cannot fail.
                    let _ = latency.add(&outcome.latency);
                    for (t, n) in outcome.errors {
                        *errors.entry(t).or_default() += n;
                    }
                }
                // A worker that panicked has lost its counts; the others stand.
                Some(Err(_)) => {}
                None => break,
            },
            () = &mut drain => {
                // Only a worker that never yields could get here.
                workers.abort_all();
                break;
            }
        }
    }

    Ok(Report::new(
        config,
        elapsed,
        ok,
        Latency::of(&latency),
        errors,
        cpu,
        server_cpu,
    ))
}

fn new_histogram() -> Histogram<u64> {
    match Histogram::new_with_bounds(LATENCY_NS_MIN, LATENCY_NS_MAX, LATENCY_SIGNIFICANT_DIGITS) {
        Ok(h) => h,
        Err(_) => unreachable!("the histogram's bounds are valid constants"),
    }
}

/// Waits `span`, redrawing the progress line every second if asked to.
async fn wait(shared: &Shared, span: Duration, phase: &str, progress: bool) {
    let end = tokio::time::Instant::now() + span;
    if !progress {
        tokio::time::sleep_until(end).await;
        return;
    }
    let start = Instant::now();
    let mut last = (
        shared.ok.load(Ordering::Relaxed),
        shared.failed.load(Ordering::Relaxed),
    );
    let mut last_at = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(PROGRESS_INTERVAL_MS));
    tick.tick().await;
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(end) => return,
            _ = tick.tick() => {
                let now = (shared.ok.load(Ordering::Relaxed), shared.failed.load(Ordering::Relaxed));
                let secs = last_at.elapsed().as_secs_f64().max(1e-9);
                eprint!(
                    "\r\x1b[K{phase} {:>4.0}s  {:>9.0} ops/s  {:>7.0} errors/s",
                    start.elapsed().as_secs_f64(),
                    (now.0 - last.0) as f64 / secs,
                    (now.1 - last.1) as f64 / secs,
                );
                let _ = std::io::stderr().flush();
                last = now;
                last_at = Instant::now();
            }
        }
    }
}

/// One connection's worth of load.
#[derive(Debug)]
struct Worker {
    ctx: Arc<Context>,
    shared: Arc<Shared>,
    requests: Requests,
    rng: Rng,
    outcome: Outcome,
    /// Where this worker's next Scan page starts: a `LastEvaluatedKey` as
    /// received, or `None` for the start of the table.
    scan_start: Option<Vec<u8>>,
    /// Becomes `true` at the end of the measured interval.
    stopped: watch::Receiver<bool>,
    /// Whether a request has been sent and its answer not yet read.
    in_flight: bool,
    /// Answers read on the current connection.
    answered_on_connection: u64,
    /// When to send the next request, if the run is paced.
    pace: Option<Pace>,
    /// In the soak, this worker's number and the number of workers: it
    /// writes only the items whose number is its own modulo the count, so
    /// that writes never contend (no transaction conflicts), as in an
    /// application whose writers own their keys.
    owner: Option<(u32, u32)>,
}

/// A worker's schedule under `--rate`.
#[derive(Debug)]
struct Pace {
    interval: Duration,
    next: tokio::time::Instant,
}

impl Worker {
    async fn run(mut self) -> Outcome {
        if self.ctx.workload == Workload::Scan {
            // Workers start at different places, so that they do not all
            // read the same pages.
            let item = self.ctx.items.next(&mut self.rng);
            self.scan_start = Some(self.ctx.bodies.key_json(item));
        }
        while self.shared.phase() != PHASE_DONE {
            self.in_flight = false;
            self.answered_on_connection = 0;
            let ctx = Arc::clone(&self.ctx);
            let mut stopped = self.stopped.clone();
            let sent = tokio::select! {
                _ = stopped.wait_for(|&s| s) => break,
                sent = with_connection(&ctx.endpoint, async |sender| {
                    self.send_until_done(sender).await
                }) => sent,
            };
            match sent {
                Ok(Ok(())) => break,
                // A server may close a connection it has answered on (an
                // idle timeout, a request limit per connection, or no
                // keep-alive at all): reconnecting is what any client does,
                // and no request was lost.
                Ok(Err(_)) | Err(_) if !self.in_flight && self.answered_on_connection > 0 => {}
                Ok(Err(e)) | Err(e) => {
                    if self.shared.phase() == PHASE_MEASURE {
                        *self.outcome.errors.entry(e.kind().to_owned()).or_default() += 1;
                    }
                    self.shared.failed.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(RECONNECT_DELAY_MS)).await;
                }
            }
        }
        self.outcome
    }

    async fn send_until_done(&mut self, sender: &mut Sender) -> Result<(), TransportError> {
        loop {
            if self.shared.phase() == PHASE_DONE {
                return Ok(());
            }
            if let Some(pace) = &mut self.pace {
                // A fixed schedule: a late answer does not push the next
                // sends back (it is caught up), so the offered rate holds.
                tokio::time::sleep_until(pace.next).await;
                pace.next += pace.interval;
            }
            let op = self.next_op();
            let req = self.build(op)?;
            sender.ready().await?;
            self.in_flight = true;
            let start = Instant::now();
            let (status, body) = call(sender, req).await?;
            let latency = start.elapsed();
            self.in_flight = false;
            self.answered_on_connection += 1;
            let measuring = self.shared.phase() == PHASE_MEASURE;
            if status.is_success() {
                if op == Op::Scan {
                    self.advance_scan(&body);
                }
                if measuring {
                    self.outcome.ok += 1;
                    let ns = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
                    self.outcome.latency.saturating_record(ns);
                }
                self.shared.ok.fetch_add(1, Ordering::Relaxed);
            } else {
                if measuring {
                    let (error_type, _) = error_of(status, &body);
                    *self.outcome.errors.entry(error_type).or_default() += 1;
                }
                self.shared.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn next_op(&mut self) -> Op {
        match self.ctx.workload {
            Workload::Get => Op::GetItem,
            Workload::Put => Op::PutItem,
            Workload::Update => Op::UpdateItem,
            Workload::Query => Op::Query,
            Workload::Select => Op::ExecuteStatement,
            Workload::Scan => Op::Scan,
            Workload::Mix => {
                if self.rng.next_u64() & 1 == 0 {
                    Op::GetItem
                } else {
                    Op::UpdateItem
                }
            }
            Workload::Soak => match self.rng.next_u64() % 100 {
                0..40 => Op::GetItem,
                40..55 => Op::UpdateItem,
                55..70 => Op::PutItem,
                70..85 => Op::Query,
                85..95 => Op::TransactWriteItems,
                _ => Op::QueryIndex,
            },
        }
    }

    /// An item for this worker to write.
    fn write_item(&mut self) -> u64 {
        let item = self.ctx.items.next(&mut self.rng);
        match self.owner {
            Some((id, workers)) => {
                let (id, workers) = (u64::from(id), u64::from(workers));
                let n = self.ctx.items.count();
                let owned = item - item % workers + id;
                if owned < n { owned } else { id.min(n - 1) }
            }
            None => item,
        }
    }

    fn build(
        &mut self,
        op: Op,
    ) -> Result<hyper::Request<http_body_util::Full<Bytes>>, TransportError> {
        let write_items = match op {
            Op::PutItem | Op::UpdateItem => (self.write_item(), 0),
            Op::TransactWriteItems => {
                let a = self.write_item();
                let mut b = self.write_item();
                // Two distinct items: a transaction may not name one twice.
                for _ in 0..8 {
                    if b != a {
                        break;
                    }
                    b = self.write_item();
                }
                (a, b)
            }
            _ => (0, 0),
        };
        let ctx = &self.ctx;
        let rng = &mut self.rng;
        let bodies = &ctx.bodies;
        let hint = bodies.item_body_len_max();
        match op {
            Op::GetItem => {
                let item = ctx.items.next(rng);
                self.requests.build(op, hint, |b| bodies.get(b, item))
            }
            Op::PutItem => {
                let item = write_items.0;
                self.requests.build(op, hint, |b| bodies.put(b, item, rng))
            }
            Op::UpdateItem => {
                let item = write_items.0;
                self.requests
                    .build(op, hint, |b| bodies.update(b, item, rng))
            }
            Op::Query => {
                let partition = ctx.partitions.next(rng);
                self.requests
                    .build(op, hint, |b| bodies.query(b, partition))
            }
            Op::ExecuteStatement => {
                let partition = ctx.partitions.next(rng);
                self.requests
                    .build(op, hint, |b| bodies.select(b, partition))
            }
            Op::QueryIndex => {
                let g = rng.next_u64() % crate::workload::GSI_PARTITIONS;
                self.requests.build(op, hint, |b| bodies.query_index(b, g))
            }
            Op::TransactWriteItems => {
                let (a, b) = write_items;
                self.requests
                    .build(op, 2 * hint, |buf| bodies.transact(buf, a, b, rng))
            }
            _ => {
                let start = self.scan_start.as_deref();
                let hint = hint + start.map_or(0, <[u8]>::len);
                self.requests
                    .build(Op::Scan, hint, |b| bodies.scan(b, SCAN_PAGE_ITEMS, start))
            }
        }
    }

    /// Continues this worker's scan after the page in `body`, or from the
    /// start of the table after the last page.
    fn advance_scan(&mut self, body: &[u8]) {
        match last_evaluated_key(body) {
            Some(key) => {
                let start = self.scan_start.get_or_insert_with(Vec::new);
                start.clear();
                start.extend_from_slice(key);
            }
            None => self.scan_start = None,
        }
    }
}

/// The raw JSON of a Scan response's `LastEvaluatedKey`, found without
/// parsing the items before it (a page is ~100 KB and the key ~60 bytes).
/// Item values the generator writes contain no `"`, so the member name can
/// only be the member.
fn last_evaluated_key(body: &[u8]) -> Option<&[u8]> {
    const NAME: &[u8] = b"\"LastEvaluatedKey\"";
    let at = body.windows(NAME.len()).rposition(|w| w == NAME)? + NAME.len();
    let rest = &body[at..];
    let colon = rest.iter().position(|&b| !b.is_ascii_whitespace())?;
    if rest[colon] != b':' {
        return None;
    }
    let value = &rest[colon + 1..];
    let mut stream = serde_json::Deserializer::from_slice(value).into_iter::<serde_json::Value>();
    match stream.next() {
        Some(Ok(serde_json::Value::Object(_))) => Some(value[..stream.byte_offset()].trim_ascii()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_last_evaluated_key() {
        let body = br#"{"Items":[{"pk":{"S":"p1"}}],"Count":1,"LastEvaluatedKey": {"pk":{"S":"p0000000001"},"sk":{"N":"9"}},"ScannedCount":1}"#;
        assert_eq!(
            last_evaluated_key(body),
            Some(&br#"{"pk":{"S":"p0000000001"},"sk":{"N":"9"}}"#[..])
        );
        assert_eq!(last_evaluated_key(br#"{"Items":[],"Count":0}"#), None);
    }
}

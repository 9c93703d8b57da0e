//! Before the run: creating the table (`--create-table`) and loading its
//! items (`--preload`).
//!
//! Preloading writes items `0..items` in BatchWriteItem requests of 25 on
//! `--concurrency` connections, resending what DynamoDB returns as
//! `UnprocessedItems`. A server that answers BatchWriteItem with
//! `UnknownOperationException` is loaded with PutItem instead.
//! Throttling and server errors are retried with a growing delay; any other
//! error stops the run, since measuring an unloaded table would mislead.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::{BufMut, Bytes, BytesMut};
use tokio::task::JoinSet;

use crate::Config;
use crate::conn::{Reconnecting, Requests, error_of};
use crate::error::{BenchError, TransportError};
use crate::run::Context;
use crate::sample::Rng;
use crate::sigv4::Signer;
use crate::workload::{BATCH_WRITE_ITEMS_MAX, Op};

/// How long to wait for a new table to become `ACTIVE`.
const TABLE_ACTIVE_WAIT_SECS_MAX: u64 = 120;
/// How often to ask whether it is.
const TABLE_POLL_INTERVAL_MS: u64 = 250;
/// How many times a throttled or failed set-up request is retried.
const SETUP_RETRIES_MAX: u32 = 10;
/// The first retry delay; it doubles up to [`RETRY_DELAY_MS_MAX`].
const RETRY_DELAY_MS_FIRST: u64 = 25;
const RETRY_DELAY_MS_MAX: u64 = 2_000;

/// A failed request's `__type` and message.
type Refusal = (String, String);

/// Creates the table unless it exists, and waits until it is `ACTIVE`.
pub async fn create_table(
    ctx: &Context,
    signer: &Signer,
    progress: bool,
) -> Result<(), BenchError> {
    let mut requests = Requests::new(&ctx.endpoint, signer.clone())?;
    let bodies = &ctx.bodies;
    let s = &mut Reconnecting::new(&ctx.endpoint);
    let req = requests.build(Op::CreateTable, 512, |b| bodies.create_table(b))?;
    let (status, body) = s.call(req).await?;
    if !status.is_success() {
        let (error_type, message) = error_of(status, &body);
        if error_type != "ResourceInUseException" {
            return Err(setup_error(Op::CreateTable, (error_type, message)));
        }
        if progress {
            eprintln!("table exists; using it");
        }
    }
    let started = Instant::now();
    loop {
        let req = requests.build(Op::DescribeTable, 256, |b| bodies.describe_table(b))?;
        let (status, body) = s.call(req).await?;
        if !status.is_success() {
            return Err(setup_error(Op::DescribeTable, error_of(status, &body)));
        }
        let described: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        match described
            .pointer("/Table/TableStatus")
            .and_then(|v| v.as_str())
        {
            Some("ACTIVE") => return Ok(()),
            Some(_) => {}
            None => {
                return Err(setup_error(
                    Op::DescribeTable,
                    (
                        "HTTP 200".to_owned(),
                        "no Table.TableStatus in the answer".to_owned(),
                    ),
                ));
            }
        }
        if started.elapsed() > Duration::from_secs(TABLE_ACTIVE_WAIT_SECS_MAX) {
            return Err(BenchError::TableNotActive {
                table: bodies.table().to_owned(),
                waited_secs: TABLE_ACTIVE_WAIT_SECS_MAX,
            });
        }
        tokio::time::sleep(Duration::from_millis(TABLE_POLL_INTERVAL_MS)).await;
    }
}

/// What the preloading connections share.
#[derive(Debug)]
struct Loader {
    ctx: Arc<Context>,
    items: u64,
    /// The next batch of 25 to write.
    next_batch: AtomicU64,
    /// Set once BatchWriteItem turns out to be unsupported.
    use_put: AtomicBool,
    /// Items written so far.
    loaded: AtomicU64,
}

/// Writes items `0..items`.
pub async fn preload(
    ctx: &Arc<Context>,
    signer: &Signer,
    config: &Config,
) -> Result<(), BenchError> {
    let loader = Arc::new(Loader {
        ctx: Arc::clone(ctx),
        items: config.items,
        next_batch: AtomicU64::new(0),
        use_put: AtomicBool::new(false),
        loaded: AtomicU64::new(0),
    });
    let started = Instant::now();
    let batches = config.items.div_ceil(BATCH_WRITE_ITEMS_MAX);
    let mut tasks = JoinSet::new();
    for id in 0..u64::from(config.concurrency).min(batches) {
        let requests = Requests::new(&ctx.endpoint, signer.clone())?;
        let rng = Rng::new(config.seed ^ id.wrapping_mul(0xd1b5_4a32_d192_ed03));
        tasks.spawn(load(Arc::clone(&loader), requests, rng));
    }
    let second = Duration::from_secs(1);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + second, second);
    let mut result = Ok(());
    loop {
        tokio::select! {
            joined = tasks.join_next() => match joined {
                Some(Ok(Ok(()))) => {}
                Some(Ok(Err(e))) => {
                    // Stop the others: the run is over.
                    tasks.abort_all();
                    result = result.and(Err(e));
                }
                Some(Err(e)) if e.is_cancelled() => {}
                Some(Err(e)) => {
                    tasks.abort_all();
                    result = result.and(Err(BenchError::Setup {
                        operation: "preload",
                        error_type: "panic".to_owned(),
                        message: e.to_string(),
                    }));
                }
                None => break,
            },
            _ = tick.tick(), if config.progress => {
                eprint!(
                    "\r\x1b[Kpreload {}/{} items",
                    loader.loaded.load(Ordering::Relaxed),
                    config.items
                );
                let _ = std::io::stderr().flush();
            }
        }
    }
    if config.progress {
        let how = if loader.use_put.load(Ordering::Relaxed) {
            "PutItem; BatchWriteItem is not supported"
        } else {
            "BatchWriteItem"
        };
        eprintln!(
            "\r\x1b[Kpreloaded {} items in {:.1} s ({how})",
            loader.loaded.load(Ordering::Relaxed),
            started.elapsed().as_secs_f64()
        );
    }
    result
}

/// One preloading connection: takes batches until none are left.
async fn load(loader: Arc<Loader>, mut requests: Requests, mut rng: Rng) -> Result<(), BenchError> {
    let ctx = Arc::clone(&loader.ctx);
    let s = &mut Reconnecting::new(&ctx.endpoint);
    loop {
        let batch = loader.next_batch.fetch_add(1, Ordering::Relaxed);
        let first = batch.saturating_mul(BATCH_WRITE_ITEMS_MAX);
        if first >= loader.items {
            return Ok(());
        }
        let end = (first + BATCH_WRITE_ITEMS_MAX).min(loader.items);
        if !loader.use_put.load(Ordering::Relaxed)
            && write_batch(s, &mut requests, &ctx, first, end, &mut rng).await?
        {
            loader.loaded.fetch_add(end - first, Ordering::Relaxed);
            continue;
        }
        loader.use_put.store(true, Ordering::Relaxed);
        for item in first..end {
            let hint = ctx.bodies.item_body_len_max();
            let sent = send(s, &mut requests, Op::PutItem, hint, |b| {
                ctx.bodies.put(b, item, &mut rng);
            })
            .await?;
            sent.map_err(|refusal| setup_error(Op::PutItem, refusal))?;
            loader.loaded.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Writes items `first..end` with BatchWriteItem, resending unprocessed
/// items; `false` if the server does not implement BatchWriteItem.
async fn write_batch(
    s: &mut Reconnecting<'_>,
    requests: &mut Requests,
    ctx: &Context,
    first: u64,
    end: u64,
    rng: &mut Rng,
) -> Result<bool, BenchError> {
    let hint = ctx.bodies.item_body_len_max() * (end - first) as usize;
    let sent = send(s, requests, Op::BatchWriteItem, hint, |b| {
        ctx.bodies.batch_put(b, first, end, rng);
    })
    .await?;
    let mut answer = match sent {
        Ok(body) => body,
        Err((error_type, _)) if error_type == "UnknownOperationException" => return Ok(false),
        Err(refusal) => return Err(setup_error(Op::BatchWriteItem, refusal)),
    };
    let mut delay = RETRY_DELAY_MS_FIRST;
    for _ in 0..SETUP_RETRIES_MAX {
        let Some(unprocessed) = unprocessed_items(&answer) else {
            return Ok(true);
        };
        tokio::time::sleep(Duration::from_millis(delay)).await;
        delay = (delay * 2).min(RETRY_DELAY_MS_MAX);
        let sent = send(
            s,
            requests,
            Op::BatchWriteItem,
            unprocessed.len() + 32,
            |b| {
                b.put_slice(br#"{"RequestItems":"#);
                b.put_slice(&unprocessed);
                b.put_u8(b'}');
            },
        )
        .await?;
        answer = sent.map_err(|refusal| setup_error(Op::BatchWriteItem, refusal))?;
    }
    Err(setup_error(
        Op::BatchWriteItem,
        (
            "UnprocessedItems".to_owned(),
            format!("items still unprocessed after {SETUP_RETRIES_MAX} retries"),
        ),
    ))
}

/// A BatchWriteItem answer's non-empty `UnprocessedItems`, as JSON.
fn unprocessed_items(answer: &[u8]) -> Option<Vec<u8>> {
    let value: serde_json::Value = serde_json::from_slice(answer).ok()?;
    let unprocessed = value.get("UnprocessedItems")?.as_object()?;
    let pending = unprocessed
        .values()
        .any(|v| v.as_array().is_some_and(|a| !a.is_empty()));
    if !pending {
        return None;
    }
    serde_json::to_vec(unprocessed).ok()
}

/// Sends a request, retrying throttling and server errors with a growing
/// delay; the body of a success, or the refusal.
async fn send(
    s: &mut Reconnecting<'_>,
    requests: &mut Requests,
    op: Op,
    hint: usize,
    mut fill: impl FnMut(&mut BytesMut),
) -> Result<Result<Bytes, Refusal>, TransportError> {
    let mut delay = RETRY_DELAY_MS_FIRST;
    let mut tries = 0;
    loop {
        let req = requests.build(op, hint, &mut fill)?;
        let (status, body) = s.call(req).await?;
        if status.is_success() {
            return Ok(Ok(body));
        }
        let refusal = error_of(status, &body);
        tries += 1;
        if tries > SETUP_RETRIES_MAX || !(status.is_server_error() || is_throttling(&refusal.0)) {
            return Ok(Err(refusal));
        }
        tokio::time::sleep(Duration::from_millis(delay)).await;
        delay = (delay * 2).min(RETRY_DELAY_MS_MAX);
    }
}

fn is_throttling(error_type: &str) -> bool {
    matches!(
        error_type,
        "ThrottlingException"
            | "ProvisionedThroughputExceededException"
            | "RequestLimitExceeded"
            | "LimitExceededException"
    )
}

fn setup_error(op: Op, (error_type, message): Refusal) -> BenchError {
    BenchError::Setup {
        operation: op.name(),
        error_type,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unprocessed_items_are_found() {
        assert_eq!(unprocessed_items(br#"{"UnprocessedItems":{}}"#), None);
        assert_eq!(unprocessed_items(br#"{"UnprocessedItems":{"t":[]}}"#), None);
        let left = unprocessed_items(br#"{"UnprocessedItems":{"t":[{"PutRequest":{"Item":{}}}]}}"#)
            .expect("pending");
        assert_eq!(left, br#"{"t":[{"PutRequest":{"Item":{}}}]}"#);
    }
}

//! The accept loop: HTTP/1.1 with keep-alive and HTTP/2 cleartext on one
//! port, connections that cannot be held forever, and graceful shutdown
//! (stop accepting, finish in-flight requests).
//!
//! Every connection is bounded ([`ConnectionLimits`]):
//!
//! * at most `connections_max` are open at once: beyond that the loop stops
//!   accepting until one closes, so new clients wait in the kernel's
//!   backlog instead of costing a file descriptor each;
//! * a request head must arrive within `header_read_ms` (hyper's timer);
//!   its body is bounded by the service ([`crate::body`]);
//! * a connection with no request in flight for `idle_ms` is closed, as
//!   DynamoDB closes idle connections (clients reconnect transparently);
//! * an HTTP/2 connection carries at most `streams_per_connection_max`
//!   requests at once.
//!
//! When `accept` fails (most often: no file descriptors left), the loop
//! backs off, from [`ACCEPT_BACKOFF_MIN_MS`] doubling to
//! [`ACCEPT_BACKOFF_MAX_MS`], and logs at most one line a second, so that
//! running out of descriptors neither spins a core nor floods the log.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::time::Instant;

use crate::service::{Service, handle};

/// How long shutdown waits for in-flight requests before giving up on them.
pub const SHUTDOWN_GRACE_MS: u64 = 10_000;
/// The first pause after a failed `accept`.
pub const ACCEPT_BACKOFF_MIN_MS: u64 = 5;
/// The longest pause after failed `accept`s in a row.
pub const ACCEPT_BACKOFF_MAX_MS: u64 = 1_000;
/// Failed `accept`s are logged at most once per this interval.
const ACCEPT_ERROR_LOG_INTERVAL_MS: u64 = 1_000;

/// Bounds on connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// The most connections open at once.
    pub connections_max: usize,
    /// A request head must arrive within this time.
    pub header_read_ms: u64,
    /// A connection with no request in flight for this long is closed.
    pub idle_ms: u64,
    /// The most requests in flight on one HTTP/2 connection.
    pub streams_per_connection_max: u32,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            connections_max: 4096,
            header_read_ms: 10_000,
            idle_ms: 60_000,
            streams_per_connection_max: 128,
        }
    }
}

/// Serves connections from `listener` until `shutdown` completes, then
/// waits for open connections to finish their requests.
pub async fn serve(
    listener: TcpListener,
    service: Arc<Service>,
    shutdown: impl Future<Output = ()>,
) {
    serve_with(listener, service, ConnectionLimits::default(), shutdown).await;
}

/// [`serve`] with explicit connection limits.
pub async fn serve_with(
    listener: TcpListener,
    service: Arc<Service>,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_millis(limits.header_read_ms));
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(limits.streams_per_connection_max);
    let slots = Arc::new(Semaphore::new(limits.connections_max.max(1)));
    let (stop_tx, stop_rx) = watch::channel(false);
    // Every connection task holds a sender; when the last is gone, every
    // connection has closed.
    let (open_tx, mut open_rx) = mpsc::channel::<()>(1);
    let mut backoff_ms = 0u64;
    let mut failures_unlogged = 0u64;
    let mut last_log: Option<Instant> = None;
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(s) => s,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(a) => {
                backoff_ms = 0;
                a
            }
            Err(e) => {
                failures_unlogged += 1;
                let now = Instant::now();
                if last_log.is_none_or(|t| {
                    now.duration_since(t) >= Duration::from_millis(ACCEPT_ERROR_LOG_INTERVAL_MS)
                }) {
                    tracing::warn!(error = %e, failures = failures_unlogged, "accept failed; backing off");
                    failures_unlogged = 0;
                    last_log = Some(now);
                }
                backoff_ms = (backoff_ms * 2).clamp(ACCEPT_BACKOFF_MIN_MS, ACCEPT_BACKOFF_MAX_MS);
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(backoff_ms)) => {}
                    () = &mut shutdown => break,
                }
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::new());
        let svc = {
            let service = Arc::clone(&service);
            let activity = Arc::clone(&activity);
            service_fn(move |req| {
                let service = Arc::clone(&service);
                let activity = Arc::clone(&activity);
                async move {
                    let _busy = activity.begin();
                    handle(service, req).await
                }
            })
        };
        let conn = builder
            .serve_connection(TokioIo::new(stream), svc)
            .into_owned();
        let mut stop = stop_rx.clone();
        let open = open_tx.clone();
        let idle = Duration::from_millis(limits.idle_ms);
        tokio::spawn(async move {
            let _slot = slot;
            let _open = open;
            tokio::pin!(conn);
            let mut closing = false;
            loop {
                let idle_check = activity.next_check(idle);
                tokio::select! {
                    result = conn.as_mut() => {
                        if let Err(e) = result {
                            tracing::debug!(%peer, error = %e, "connection ended with an error");
                        }
                        break;
                    }
                    _ = stop.changed(), if !closing => {
                        closing = true;
                        conn.as_mut().graceful_shutdown();
                    }
                    () = tokio::time::sleep_until(idle_check), if !closing => {
                        if activity.is_idle_for(idle) {
                            tracing::debug!(%peer, "closing an idle connection");
                            closing = true;
                            conn.as_mut().graceful_shutdown();
                        }
                    }
                }
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(open_tx);
    tokio::select! {
        _ = open_rx.recv() => {}
        () = tokio::time::sleep(Duration::from_millis(SHUTDOWN_GRACE_MS)) => {
            tracing::warn!("shutdown grace period over; dropping open connections");
        }
    }
}

/// What one connection is doing: requests in flight, and when the last one
/// ended.
#[derive(Debug)]
struct Activity {
    opened: Instant,
    in_flight: AtomicUsize,
    /// Milliseconds after `opened` at which a request last began or ended.
    last_ms: AtomicU64,
}

/// Marks a request in flight until dropped.
struct Busy<'a>(&'a Activity);

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Activity {
    fn new() -> Activity {
        Activity {
            opened: Instant::now(),
            in_flight: AtomicUsize::new(0),
            last_ms: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        let ms = self.opened.elapsed().as_millis() as u64;
        self.last_ms.store(ms, Ordering::Release);
    }

    fn begin(&self) -> Busy<'_> {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.touch();
        Busy(self)
    }

    /// When to look again whether the connection has been idle for
    /// `idle`: when it will have been, if nothing happens meanwhile; with a
    /// request in flight, `idle` from now.
    fn next_check(&self, idle: Duration) -> Instant {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return Instant::now() + idle;
        }
        self.idle_deadline(idle)
    }

    fn idle_deadline(&self, idle: Duration) -> Instant {
        self.opened + Duration::from_millis(self.last_ms.load(Ordering::Acquire)) + idle
    }

    fn is_idle_for(&self, idle: Duration) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0 && Instant::now() >= self.idle_deadline(idle)
    }
}

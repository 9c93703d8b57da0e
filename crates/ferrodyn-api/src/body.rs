//! Reading request bodies with bounded time and memory.
//!
//! A body is read only as fast as the server allows and only into memory
//! the server has budgeted:
//!
//! * **Time.** The whole body must arrive within a deadline set when it
//!   starts: a grace period plus its length at a minimum rate
//!   ([`BodyLimits`]); and no gap between two pieces may exceed the grace
//!   period. A client that sends a byte a second, or promises more bytes
//!   than it sends, is dropped instead of holding a connection and memory
//!   forever.
//! * **Memory.** Every body in memory holds permits from one budget shared
//!   by all connections, one permit per KiB, for as long as its request
//!   runs. A body declared with `Content-Length` takes its permits before
//!   the first byte is read; a chunked body takes them piece by piece.
//!   When the budget is spent, new bodies wait (within their deadline) and
//!   their senders are held back by TCP, so many large requests at once
//!   cannot exhaust the server's memory.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use ferrodyn_model::limits::REQUEST_BODY_BYTES_MAX;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};
use tokio::time::Instant;

/// The memory budget's unit.
const PERMIT_BYTES: usize = 1024;

/// How bodies may be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyLimits {
    /// The time a body gets beyond what its length needs at the minimum
    /// rate, and the longest gap allowed between two of its pieces.
    pub grace_ms: u64,
    /// The slowest a body may arrive, on average.
    pub min_rate_bytes_per_sec: u64,
    /// The most bytes of request bodies held in memory at once, over every
    /// connection.
    pub in_flight_bytes_max: usize,
}

impl Default for BodyLimits {
    fn default() -> BodyLimits {
        BodyLimits {
            grace_ms: 10_000,
            min_rate_bytes_per_sec: 64 * 1024,
            in_flight_bytes_max: 256 * 1024 * 1024,
        }
    }
}

/// Why a body was not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyError {
    /// Larger than the request limit.
    TooLarge,
    /// The connection broke, or the body came too slowly.
    Broken,
}

/// A body in memory, with the budget it holds until dropped.
#[derive(Debug)]
pub struct Body {
    /// The bytes as sent.
    pub bytes: Bytes,
    _permit: Option<OwnedSemaphorePermit>,
}

/// The reader of every body of one server.
#[derive(Debug)]
pub struct Bodies {
    limits: BodyLimits,
    budget: Arc<Semaphore>,
    budget_permits: usize,
}

fn permits_for(bytes: usize) -> usize {
    bytes.div_ceil(PERMIT_BYTES)
}

impl Bodies {
    /// A reader with `limits`.
    pub fn new(limits: BodyLimits) -> Bodies {
        // A budget smaller than one largest body would make such a body
        // wait forever.
        let budget_permits = permits_for(limits.in_flight_bytes_max.max(REQUEST_BODY_BYTES_MAX));
        Bodies {
            limits,
            budget: Arc::new(Semaphore::new(budget_permits)),
            budget_permits,
        }
    }

    /// Bytes of bodies in memory now (for tests and metrics).
    pub fn in_flight_bytes(&self) -> usize {
        (self.budget_permits - self.budget.available_permits()) * PERMIT_BYTES
    }

    /// Reads `body`, declared as `declared` bytes long if it said so.
    pub async fn read(&self, mut body: Incoming, declared: Option<u64>) -> Result<Body, BodyError> {
        let start = Instant::now();
        let grace = Duration::from_millis(self.limits.grace_ms);
        let expected = declared.map_or(REQUEST_BODY_BYTES_MAX as u64, |n| {
            n.min(REQUEST_BODY_BYTES_MAX as u64)
        });
        let rate = self.limits.min_rate_bytes_per_sec.max(1);
        let deadline = start + grace + Duration::from_millis(expected.saturating_mul(1000) / rate);

        let mut held = Held::default();
        if let Some(n) = declared {
            held.grow(&self.budget, permits_for(n as usize), deadline)
                .await?;
        }
        let mut buf = BytesMut::with_capacity(declared.map_or(0, |n| n as usize));
        loop {
            // Most pieces are already in hyper's buffer: only a piece that
            // is not yet there needs a timer.
            let mut next = body.frame();
            let ready = std::future::poll_fn(|cx| Poll::Ready(Pin::new(&mut next).poll(cx))).await;
            let piece = match ready {
                Poll::Ready(piece) => piece,
                Poll::Pending => {
                    tokio::time::timeout_at(deadline.min(Instant::now() + grace), next)
                        .await
                        .map_err(|_| BodyError::Broken)?
                }
            };
            let frame = match piece {
                None => break,
                Some(Err(_)) => return Err(BodyError::Broken),
                Some(Ok(frame)) => frame,
            };
            let Ok(data) = frame.into_data() else {
                continue;
            };
            if buf.len() + data.len() > REQUEST_BODY_BYTES_MAX {
                return Err(BodyError::TooLarge);
            }
            held.grow(&self.budget, permits_for(buf.len() + data.len()), deadline)
                .await?;
            buf.extend_from_slice(&data);
        }
        Ok(Body {
            bytes: buf.freeze(),
            _permit: held.permit,
        })
    }
}

/// The permits one body holds.
#[derive(Default)]
struct Held {
    permit: Option<OwnedSemaphorePermit>,
    count: usize,
}

impl Held {
    /// Holds at least `want` permits, waiting for them until `deadline`.
    async fn grow(
        &mut self,
        budget: &Arc<Semaphore>,
        want: usize,
        deadline: Instant,
    ) -> Result<(), BodyError> {
        let more = want.saturating_sub(self.count);
        if more == 0 {
            return Ok(());
        }
        let n = u32::try_from(more).map_err(|_| BodyError::TooLarge)?;
        // Only a budget that is spent needs a timer.
        let p = match Arc::clone(budget).try_acquire_many_owned(n) {
            Ok(p) => p,
            Err(TryAcquireError::Closed) => return Err(BodyError::Broken),
            Err(TryAcquireError::NoPermits) => {
                tokio::time::timeout_at(deadline, Arc::clone(budget).acquire_many_owned(n))
                    .await
                    .map_err(|_| BodyError::Broken)?
                    .map_err(|_| BodyError::Broken)?
            }
        };
        match &mut self.permit {
            Some(existing) => existing.merge(p),
            None => self.permit = Some(p),
        }
        self.count += more;
        Ok(())
    }
}

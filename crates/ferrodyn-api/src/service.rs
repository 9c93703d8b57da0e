//! The HTTP service: one POST route carrying DynamoDB's JSON 1.0 protocol,
//! plus the health check and CORS preflight.
//!
//! A request goes through these steps, in the order DynamoDB applies its
//! checks (so that a request with several faults gets AWS's answer):
//!
//! ```text
//! head over 16 KB (400) -> method and path -> size limit (413)
//!   -> body read within time and memory bounds (crate::body)
//!   -> signature (auth errors; for an unsigned request, first the errors
//!      AWS reports before it: content type, JSON syntax, X-Amz-Target)
//!   -> decompress (500 if the body does not decode) -> content type
//!   -> JSON parse (SerializationException) -> X-Amz-Target (UnknownOperationException)
//!   -> shape check against the service model -> operation -> response
//! ```
//!
//! Every response carries `Server`, `x-amzn-RequestId` and `x-amz-crc32`
//! (the CRC32 of the bytes sent, which boto3 and the AWS CLI verify); CORS
//! headers only when the request has an `Origin`; a body over 4 KB is
//! compressed when the client accepts gzip or deflate (crate::encoding).
//!
//! On durable storage no operation may make one of tokio's few workers wait
//! for the disk. Reads run inline limited to what storage holds in memory
//! ([`cached_reads_only`]), which is the common case and costs no thread
//! hand-off; a read that needs the disk gives up before touching it and
//! runs again on the blocking pool, where many can wait on the disk at once.
//! Single-item writes run inline the same way, with their durability
//! deferred ([`deferred_durability`]): the commit is queued and the task
//! awaits its fsync, shared with every other commit queued meanwhile, while
//! the worker serves other requests. Other writes run on the blocking pool;
//! BatchWriteItem's independent item commits are deferred there too and
//! awaited once, so that a batch waits for one fsync, not one per item.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use ferrodyn_core::{
    CoreError, Database, RequestContext, WriteHealth, cached_reads_only, deferred_durability,
};

use ferrodyn_model::limits::{REQUEST_BODY_BYTES_MAX, REQUEST_HEAD_BYTES_MAX};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::Value;

use crate::auth::Auth;
use crate::body::{Bodies, BodyError, BodyLimits};
use crate::encoding::{self, COMPRESS_BODY_BYTES_MIN, Coding, DecodeError};
use crate::error::{ApiError, to_wire};
use crate::ops::{Call, commits_independently, dispatch, is_write, writes_one_item};
use crate::sigv4::SignedRequest;
use crate::wire::shapes;

/// The JSON protocol's content type.
pub const AMZ_JSON: &str = "application/x-amz-json-1.0";
/// Target prefixes of the two services ferrodyn answers.
const TARGET_DYNAMODB: &str = "DynamoDB_20120810.";
const TARGET_STREAMS: &str = "DynamoDBStreams_20120810.";
/// CORS preflight answers may be cached this long.
const CORS_MAX_AGE_SECS: &str = "172800";
/// The `Server` header of every response: DynamoDB sends the word itself.
const SERVER_NAME: &str = "Server";

/// Shared state of the service.
#[derive(Debug)]
pub struct Service {
    db: Arc<Database>,
    auth: Auth,
    /// Whether storage may wait for the disk (true for durable storage):
    /// then writes, and reads that need the disk, run on the blocking pool.
    storage_waits: bool,
    /// The reader of request bodies, with its time and memory bounds.
    bodies: Bodies,
}

impl Service {
    /// A service over `db`; `storage_waits` tells whether its storage may
    /// wait for a disk. Bodies are read with the default [`BodyLimits`].
    pub fn new(db: Arc<Database>, auth: Auth, storage_waits: bool) -> Service {
        Service::with_body_limits(db, auth, storage_waits, BodyLimits::default())
    }

    /// A service that reads bodies within `limits`.
    pub fn with_body_limits(
        db: Arc<Database>,
        auth: Auth,
        storage_waits: bool,
        limits: BodyLimits,
    ) -> Service {
        Service {
            db,
            auth,
            storage_waits,
            bodies: Bodies::new(limits),
        }
    }

    /// Bytes of request bodies in memory now.
    pub fn body_bytes_in_flight(&self) -> usize {
        self.bodies.in_flight_bytes()
    }
}

fn request_id() -> String {
    // DynamoDB's request ids are 52 characters of [A-Z0-9]. They must be
    // unique, not secret: a per-thread SplitMix64 stream, seeded once from
    // the OS's randomness, spares a getrandom call per request.
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const LENGTH: usize = 52;
    thread_local! {
        static STATE: std::cell::Cell<u64> =
            std::cell::Cell::new(uuid::Uuid::new_v4().as_u64_pair().0);
    }
    let mut id = String::with_capacity(LENGTH);
    STATE.with(|state| {
        let mut bits = 0u64;
        for i in 0..LENGTH {
            // Twelve 5-bit characters per 64-bit draw.
            if i % 12 == 0 {
                let mut z = state.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
                state.set(z);
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                bits = z ^ (z >> 31);
            }
            id.push(char::from(ALPHABET[(bits & 31) as usize]));
            bits >>= 5;
        }
    });
    id
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// How a response is sent: its request id, whether the request came from
/// a browser (`Origin`, so CORS headers are added) and the coding the
/// client accepts.
struct Reply {
    id: String,
    cors: bool,
    coding: Option<Coding>,
}

impl Reply {
    /// A response with `body`, compressed if it is large enough and the
    /// client accepts a coding. `x-amz-crc32` is the CRC32 of the bytes
    /// sent, compressed or not, as AWS computes it.
    fn send(
        &self,
        status: StatusCode,
        body: Vec<u8>,
        content_type: &'static str,
    ) -> Response<Full<Bytes>> {
        let compressed = match self.coding {
            Some(coding) if body.len() > COMPRESS_BODY_BYTES_MIN => {
                encoding::encode_response(coding, &body).map(|z| (coding, z))
            }
            _ => None,
        };
        let (body, coding) = match compressed {
            Some((coding, z)) => (z, Some(coding)),
            None => (body, None),
        };
        let crc = crc32fast::hash(&body);
        let mut resp = Response::new(Full::new(Bytes::from(body)));
        *resp.status_mut() = status;
        let h = resp.headers_mut();
        h.insert("server", HeaderValue::from_static(SERVER_NAME));
        h.insert("content-type", HeaderValue::from_static(content_type));
        if let Ok(v) = HeaderValue::from_str(&self.id) {
            h.insert("x-amzn-requestid", v);
        }
        if let Ok(v) = HeaderValue::from_str(&crc.to_string()) {
            h.insert("x-amz-crc32", v);
        }
        if let Some(coding) = coding {
            h.insert("content-encoding", HeaderValue::from_static(coding.token()));
        }
        if self.cors {
            // DynamoDB allows every origin: a browser's credentials travel
            // in the SigV4 signature, not in cookies, so `*` is safe.
            h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
            h.insert(
                "access-control-expose-headers",
                HeaderValue::from_static("x-amzn-RequestId,x-amzn-ErrorType,x-amz-crc32,Date"),
            );
        }
        resp
    }

    fn plain(&self, status: StatusCode, text: String) -> Response<Full<Bytes>> {
        self.send(status, text.into_bytes(), "text/plain")
    }

    /// What DynamoDB's front end answers to a request that is not a POST of
    /// its protocol.
    fn not_found(&self) -> Response<Full<Bytes>> {
        self.send(
            StatusCode::NOT_FOUND,
            b"<UnknownOperationException/>\n".to_vec(),
            "application/xml",
        )
    }

    fn error(&self, e: &ApiError, content_type: &'static str) -> Response<Full<Bytes>> {
        let w = to_wire(e);
        match e {
            ApiError::Core(CoreError::Internal(detail)) | ApiError::Internal(detail) => {
                tracing::error!(request_id = self.id, detail = %detail, "internal error");
            }
            ApiError::Core(e @ CoreError::WouldBlock) => {
                tracing::error!(request_id = self.id, detail = %e, "internal error");
            }
            ApiError::Core(e @ CoreError::OutOfSpace(_)) => {
                tracing::debug!(request_id = self.id, detail = %e, "write refused");
            }
            _ => tracing::debug!(request_id = self.id, error = w.type_name, "client error"),
        }
        let body = serde_json::to_vec(&w.body).unwrap_or_default();
        let status = StatusCode::from_u16(w.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        self.send(status, body, content_type)
    }
}

/// The size of a request's head: its request line and headers as HTTP/1.1
/// writes them.
fn head_bytes(parts: &hyper::http::request::Parts) -> usize {
    // A request target is almost always a path (`/`); only an absolute
    // one needs writing out to be measured.
    let target = match (parts.uri.scheme(), parts.uri.path_and_query()) {
        (None, Some(p)) => p.as_str().len(),
        _ => parts.uri.to_string().len(),
    };
    let line = parts.method.as_str().len() + 1 + target + " HTTP/1.1\r\n".len();
    parts
        .headers
        .iter()
        .map(|(k, v)| k.as_str().len() + 2 + v.len() + 2)
        .sum::<usize>()
        + line
}

/// Handles one HTTP request. Never fails: every error becomes a response.
pub async fn handle(
    service: Arc<Service>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let reply = Reply {
        id: request_id(),
        cors: parts.headers.contains_key("origin"),
        // Only the last Accept-Encoding header counts, as on AWS.
        coding: encoding::negotiate(
            parts
                .headers
                .get_all("accept-encoding")
                .iter()
                .next_back()
                .and_then(|v| v.to_str().ok()),
        ),
    };
    // DynamoDB refuses a head over 16 KB before anything else, signature
    // included.
    if head_bytes(&parts) > REQUEST_HEAD_BYTES_MAX {
        return Ok(reply.plain(StatusCode::BAD_REQUEST, String::new()));
    }

    match parts.method {
        Method::GET if parts.uri.path() == "/" => {
            let host = header(&parts.headers, "host").unwrap_or("localhost");
            return Ok(health(&service, &reply, host).await);
        }
        Method::OPTIONS => {
            let mut resp = reply.plain(StatusCode::OK, String::new());
            if reply.cors {
                // The preflight allows what the browser asks to send.
                let h = resp.headers_mut();
                for (asked, allowed) in [
                    (
                        "access-control-request-method",
                        "access-control-allow-methods",
                    ),
                    (
                        "access-control-request-headers",
                        "access-control-allow-headers",
                    ),
                ] {
                    if let Some(v) = parts.headers.get(asked) {
                        h.insert(allowed, v.clone());
                    }
                }
                h.insert(
                    "access-control-max-age",
                    HeaderValue::from_static(CORS_MAX_AGE_SECS),
                );
            }
            return Ok(resp);
        }
        Method::POST => {}
        _ => return Ok(reply.not_found()),
    }

    let declared = header(&parts.headers, "content-length").and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > REQUEST_BODY_BYTES_MAX as u64) {
        return Ok(reply.plain(StatusCode::PAYLOAD_TOO_LARGE, String::new()));
    }
    let held = match service.bodies.read(body, declared).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            return Ok(reply.plain(StatusCode::PAYLOAD_TOO_LARGE, String::new()));
        }
        Err(BodyError::Broken) => return Ok(reply.plain(StatusCode::BAD_REQUEST, String::new())),
    };

    let content_type = header(&parts.headers, "content-type").unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    // DynamoDB answers in the media type it was asked in.
    let reply_type = if media == "application/json" {
        "application/json"
    } else {
        AMZ_JSON
    };
    let result = process(&service, &parts, &held.bytes, media).await;
    drop(held);
    Ok(match result {
        Ok((op, body)) => {
            tracing::debug!(request_id = %reply.id, operation = op, "ok");
            // An operation that answers nothing (TagResource,
            // UntagResource) sends an empty body, not `{}`.
            let out = if body.is_null() {
                Vec::new()
            } else {
                crate::wire::json_out::to_vec(&body)
            };
            reply.send(StatusCode::OK, out, reply_type)
        }
        Err(Refusal::NotFound) => reply.not_found(),
        Err(Refusal::Status(status)) => reply.plain(status, String::new()),
        Err(Refusal::Api(e)) => reply.error(&e, reply_type),
    })
}

/// The health check: DynamoDB's answer (`healthy: <host> `) while storage
/// takes writes; 503 with the reason while it does not (reads still work),
/// so that a load balancer or an operator sees a store that is full or has
/// failed.
async fn health(service: &Arc<Service>, reply: &Reply, host: &str) -> Response<Full<Bytes>> {
    let health = if service.storage_waits {
        let db = Arc::clone(&service.db);
        on_blocking_pool(move || db.write_health())
            .await
            .unwrap_or(WriteHealth::Failed)
    } else {
        service.db.write_health()
    };
    match health {
        WriteHealth::Writable => reply.plain(StatusCode::OK, format!("healthy: {host} ")),
        WriteHealth::NoSpace => reply.plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "unhealthy: storage is out of space; writes fail until space is available, reads work\n".into(),
        ),
        WriteHealth::Failed => reply.plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "unhealthy: a storage write failed; writes are refused until a restart, reads work\n".into(),
        ),
    }
}

/// Why a request got no answer from an operation.
enum Refusal {
    /// Not DynamoDB's protocol (a body of another media type).
    NotFound,
    /// A bare HTTP status (a body that expands past the request limit).
    Status(StatusCode),
    /// A DynamoDB error.
    Api(ApiError),
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Refusal {
        Refusal::Api(e)
    }
}

impl From<CoreError> for Refusal {
    fn from(e: CoreError) -> Refusal {
        Refusal::Api(e.into())
    }
}

/// Runs `f` on tokio's blocking pool, where it may wait for the disk.
async fn on_blocking_pool<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("storage task failed: {e}")))
}

/// The operation an `X-Amz-Target` names: a DynamoDB operation by its
/// name, a DynamoDB Streams operation by its whole target. Each service
/// answers only its own operations: a DynamoDB operation under the Streams
/// prefix, or the reverse, is unknown.
fn operation_of(parts: &hyper::http::request::Parts) -> Result<String, ApiError> {
    let target = header(&parts.headers, "x-amz-target").unwrap_or("");
    let operation = match target.strip_prefix(TARGET_DYNAMODB) {
        // DynamoDB's own operations have plain names.
        Some(op) => Some(op).filter(|op| !op.contains('.')),
        None => target
            .strip_prefix(TARGET_STREAMS)
            .filter(|op| !op.contains('.'))
            .map(|_| target),
    };
    operation
        .filter(|op| shapes::is_known_operation(op))
        .map(str::to_owned)
        .ok_or(ApiError::UnknownOperation)
}

/// Who signed the request; the signature covers the body as sent, before
/// any decompression.
fn authenticate(
    service: &Service,
    parts: &hyper::http::request::Parts,
    raw: &[u8],
) -> Result<RequestContext, ApiError> {
    let mut headers: Vec<(&str, &[u8])> = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_bytes()))
        .collect();
    // HTTP/2 carries the host as `:authority`; clients sign it as `host`.
    let authority = parts.uri.authority().map(|a| a.as_str().to_owned());
    if !parts.headers.contains_key("host")
        && let Some(a) = authority.as_deref()
    {
        headers.push(("host", a.as_bytes()));
    }
    let signed = SignedRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &headers,
        body: raw,
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    service.auth.authenticate(&signed, now)
}

/// Whether a body's media type is one DynamoDB's protocol uses.
fn is_protocol_media(media: &str) -> bool {
    media == AMZ_JSON || media == "application/json"
}

/// Bodies at least this large (compressed) are decompressed on the
/// blocking pool, so that expanding one never stalls an async worker.
const DECODE_INLINE_BYTES_MAX: usize = 64 * 1024;

/// Decodes the body of an authenticated request.
async fn decode_body(content_encoding: Option<&str>, raw: &Bytes) -> Result<Bytes, Refusal> {
    if !encoding::is_encoded(content_encoding) {
        return Ok(raw.clone());
    }
    let decoded = if raw.len() <= DECODE_INLINE_BYTES_MAX {
        encoding::decode_request(content_encoding, raw)
    } else {
        let coding = content_encoding.map(str::to_owned);
        let raw = raw.clone();
        on_blocking_pool(move || encoding::decode_request(coding.as_deref(), &raw)).await?
    };
    match decoded {
        Ok(b) => Ok(Bytes::from(b)),
        Err(DecodeError::TooLarge) => Err(Refusal::Status(StatusCode::PAYLOAD_TOO_LARGE)),
        Err(e @ (DecodeError::Corrupt | DecodeError::UnsupportedCoding)) => {
            Err(ApiError::UndecodableBody(e).into())
        }
    }
}

/// From the signature to the operation's answer.
///
/// The signature is checked first, so that a caller who is not known can
/// make the server spend no more than the bytes it sent: its body is not
/// decompressed, and not parsed into anything. The errors that DynamoDB
/// reports before the signature's (a body of another media type, a body
/// that is not JSON, an unknown target) are still reported first, found
/// without building anything; for a compressed body, whose JSON cannot be
/// checked without expanding it, the signature's error comes first
/// (docs/compatibility.md).
async fn process(
    service: &Arc<Service>,
    parts: &hyper::http::request::Parts,
    raw: &Bytes,
    media: &str,
) -> Result<(String, Value), Refusal> {
    let content_encoding = header(&parts.headers, "content-encoding");
    let ctx = match authenticate(service, parts, raw) {
        Ok(ctx) => ctx,
        Err(refused) => {
            if !raw.is_empty() && !is_protocol_media(media) {
                return Err(Refusal::NotFound);
            }
            if !encoding::is_encoded(content_encoding)
                && !raw.is_empty()
                && serde_json::from_slice::<serde::de::IgnoredAny>(raw).is_err()
            {
                return Err(ApiError::Serialization(String::new()).into());
            }
            operation_of(parts)?;
            return Err(refused.into());
        }
    };
    let bytes = decode_body(content_encoding, raw).await?;
    if !bytes.is_empty() && !is_protocol_media(media) {
        return Err(Refusal::NotFound);
    }
    let body: Value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).map_err(|_| ApiError::Serialization(String::new()))?
    };
    drop(bytes);
    let operation = operation_of(parts)?;
    if !body.is_object() {
        return Err(ApiError::Serialization(String::new()).into());
    }
    shapes::check_request(&operation, &body)?;
    let host = header(&parts.headers, "host")
        .or_else(|| parts.uri.authority().map(|a| a.as_str()))
        .unwrap_or("localhost")
        .to_owned();

    let writes = is_write(&operation, &body);
    let run = {
        let service = Arc::clone(service);
        let host = host.to_owned();
        let operation = operation.clone();
        move || {
            let call = Call {
                db: &service.db,
                ctx: &ctx,
                body: &body,
                host: &host,
            };
            dispatch(&operation, &call).unwrap_or(Err(ApiError::UnknownOperation))
        }
    };
    let out = if !service.storage_waits {
        run()?
    } else if writes_one_item(&operation) {
        let (out, durable) = cached_reads_only(|| deferred_durability(&run));
        match out {
            // Nothing was committed (the commit is the operation's last
            // use of storage): run it again where reads may wait.
            Err(ApiError::Core(CoreError::WouldBlock)) if durable.is_empty() => {
                on_blocking_pool(run).await??
            }
            out => {
                // Acknowledged only once on disk; if the write failed, the
                // answer is that failure, whatever the operation decided.
                durable.await.map_err(CoreError::from)?;
                out?
            }
        }
    } else if commits_independently(&operation) {
        let (out, durable) = on_blocking_pool(move || deferred_durability(run)).await?;
        durable.await.map_err(CoreError::from)?;
        out?
    } else if writes {
        on_blocking_pool(run).await??
    } else {
        match cached_reads_only(&run) {
            Err(ApiError::Core(CoreError::WouldBlock)) => on_blocking_pool(run).await??,
            out => out?,
        }
    };
    Ok((operation, out))
}

//! The HTTP service: one POST route carrying DynamoDB's JSON 1.0 protocol,
//! plus the health check and CORS preflight.
//!
//! A request goes through these steps, in the order DynamoDB applies its
//! checks (so that a request with several faults gets AWS's answer):
//!
//! ```text
//! size limit (413) -> decompress -> content type -> JSON parse (SerializationException)
//!   -> X-Amz-Target (UnknownOperationException) -> signature (auth errors)
//!   -> shape check against the service model -> operation -> response
//! ```
//!
//! Every response carries `x-amzn-RequestId` and `x-amz-crc32` (the CRC32 of
//! the uncompressed body, which boto3 and the AWS CLI verify).
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
use std::io::Read;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use ferrodyn_core::{CoreError, Database, cached_reads_only, deferred_durability};
use ferrodyn_model::limits::REQUEST_BODY_BYTES_MAX;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::Value;

use crate::auth::Auth;
use crate::error::{ApiError, to_wire};
use crate::ops::{Call, commits_independently, dispatch, is_write, writes_one_item};
use crate::sigv4::SignedRequest;
use crate::wire::shapes;

/// The JSON protocol's content type.
pub const AMZ_JSON: &str = "application/x-amz-json-1.0";
/// Target prefixes of the two services ferrodyn answers.
const TARGET_DYNAMODB: &str = "DynamoDB_20120810.";
const TARGET_STREAMS: &str = "DynamoDBStreams_20120810.";
/// Bodies at least this large are gzip-compressed when the client accepts it.
const COMPRESS_BODY_BYTES_MIN: usize = 1024;
/// CORS preflight answers may be cached this long.
const CORS_MAX_AGE_SECS: &str = "172800";

/// Shared state of the service.
#[derive(Debug)]
pub struct Service {
    db: Arc<Database>,
    auth: Auth,
    /// Whether storage may wait for the disk (true for durable storage):
    /// then writes, and reads that need the disk, run on the blocking pool.
    storage_waits: bool,
}

impl Service {
    /// A service over `db`; `storage_waits` tells whether its storage may
    /// wait for a disk.
    pub fn new(db: Arc<Database>, auth: Auth, storage_waits: bool) -> Service {
        Service {
            db,
            auth,
            storage_waits,
        }
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

/// DynamoDB allows every origin: a browser's credentials travel in the SigV4
/// signature, not in cookies, so `*` is safe.
fn cors(headers: &mut HeaderMap) {
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    headers.insert(
        "access-control-expose-headers",
        HeaderValue::from_static("x-amzn-RequestId,x-amzn-ErrorType,x-amz-crc32,Date"),
    );
}

fn respond(
    status: StatusCode,
    body: Vec<u8>,
    content_type: &'static str,
    request_id: &str,
    gzip: bool,
) -> Response<Full<Bytes>> {
    let crc = crc32fast::hash(&body);
    let (body, encoded) = if gzip && body.len() >= COMPRESS_BODY_BYTES_MIN {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        match std::io::Write::write_all(&mut enc, &body).and_then(|()| enc.finish()) {
            Ok(z) => (z, true),
            Err(_) => (body, false),
        }
    } else {
        (body, false)
    };
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert("content-type", HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-requestid", v);
    }
    if let Ok(v) = HeaderValue::from_str(&crc.to_string()) {
        h.insert("x-amz-crc32", v);
    }
    if encoded {
        h.insert("content-encoding", HeaderValue::from_static("gzip"));
    }
    cors(h);
    resp
}

fn error_response(
    e: &ApiError,
    request_id: &str,
    content_type: &'static str,
) -> Response<Full<Bytes>> {
    let w = to_wire(e);
    match e {
        ApiError::Core(CoreError::Internal(detail)) | ApiError::Internal(detail) => {
            tracing::error!(request_id, detail = %detail, "internal error");
        }
        ApiError::Core(e @ CoreError::WouldBlock) => {
            tracing::error!(request_id, detail = %e, "internal error");
        }
        _ => tracing::debug!(request_id, error = w.type_name, "client error"),
    }
    let body = serde_json::to_vec(&w.body).unwrap_or_default();
    let status = StatusCode::from_u16(w.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    respond(status, body, content_type, request_id, false)
}

fn decompress(encoding: Option<&str>, body: Bytes) -> Result<Bytes, StatusCode> {
    let limit = REQUEST_BODY_BYTES_MAX as u64 + 1;
    let mut out = Vec::new();
    let read = match encoding.map(str::trim) {
        None | Some("") | Some("identity") => return Ok(body),
        Some("gzip") => flate2::read::GzDecoder::new(&body[..])
            .take(limit)
            .read_to_end(&mut out),
        Some("deflate") => flate2::read::ZlibDecoder::new(&body[..])
            .take(limit)
            .read_to_end(&mut out),
        Some(_) => return Err(StatusCode::UNSUPPORTED_MEDIA_TYPE),
    };
    match read {
        Ok(n) if n as u64 >= limit => Err(StatusCode::PAYLOAD_TOO_LARGE),
        Ok(_) => Ok(Bytes::from(out)),
        Err(_) => Err(StatusCode::BAD_REQUEST),
    }
}

/// Handles one HTTP request. Never fails: every error becomes a response.
pub async fn handle(
    service: Arc<Service>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let id = request_id();
    let (parts, body) = req.into_parts();
    let plain = |status: StatusCode, text: String| {
        respond(status, text.into_bytes(), "text/plain", &id, false)
    };

    match parts.method {
        Method::GET => {
            let host = header(&parts.headers, "host").unwrap_or("localhost");
            return Ok(plain(StatusCode::OK, format!("healthy: {host} ")));
        }
        Method::OPTIONS => {
            // The preflight allows what the browser asks to send.
            let mut resp = plain(StatusCode::OK, String::new());
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
            return Ok(resp);
        }
        Method::POST => {}
        _ => {
            return Ok(respond(
                StatusCode::NOT_FOUND,
                b"<UnknownOperationException/>\n".to_vec(),
                "application/xml",
                &id,
                false,
            ));
        }
    }

    let declared = header(&parts.headers, "content-length").and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > REQUEST_BODY_BYTES_MAX as u64) {
        return Ok(plain(StatusCode::PAYLOAD_TOO_LARGE, String::new()));
    }
    let raw = match Limited::new(body, REQUEST_BODY_BYTES_MAX).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            return Ok(plain(StatusCode::PAYLOAD_TOO_LARGE, String::new()));
        }
        Err(_) => return Ok(plain(StatusCode::BAD_REQUEST, String::new())),
    };
    let bytes = match decompress(header(&parts.headers, "content-encoding"), raw.clone()) {
        Ok(b) => b,
        Err(status) => return Ok(plain(status, String::new())),
    };
    let content_type = header(&parts.headers, "content-type").unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !bytes.is_empty() && media != AMZ_JSON && media != "application/json" {
        return Ok(respond(
            StatusCode::NOT_FOUND,
            b"<UnknownOperationException/>\n".to_vec(),
            "application/xml",
            &id,
            false,
        ));
    }
    // DynamoDB answers in the media type it was asked in.
    let reply_type = if media == "application/json" {
        "application/json"
    } else {
        AMZ_JSON
    };
    let gzip = header(&parts.headers, "accept-encoding").is_some_and(|a| a.contains("gzip"));
    let host = header(&parts.headers, "host")
        .unwrap_or("localhost")
        .to_owned();

    let result = process(&service, &parts, &raw, &bytes, &host).await;
    let resp = match result {
        Ok((op, body)) => {
            tracing::debug!(request_id = %id, operation = op, "ok");
            let out = crate::wire::json_out::to_vec(&body);
            respond(StatusCode::OK, out, reply_type, &id, gzip)
        }
        Err(e) => error_response(&e, &id, reply_type),
    };
    Ok(resp)
}

/// Runs `f` on tokio's blocking pool, where it may wait for the disk.
async fn on_blocking_pool<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("storage task failed: {e}")))
}

async fn process(
    service: &Arc<Service>,
    parts: &hyper::http::request::Parts,
    raw: &Bytes,
    bytes: &Bytes,
    host: &str,
) -> Result<(String, Value), ApiError> {
    let body: Value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(bytes).map_err(|_| ApiError::Serialization(String::new()))?
    };
    let target = header(&parts.headers, "x-amz-target").unwrap_or("");
    let operation = target
        .strip_prefix(TARGET_DYNAMODB)
        .or_else(|| target.strip_prefix(TARGET_STREAMS))
        .filter(|op| shapes::is_known_operation(op))
        .ok_or(ApiError::UnknownOperation)?
        .to_owned();

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
        // The signature covers the body as sent, before decompression.
        body: raw,
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let ctx = service.auth.authenticate(&signed, now)?;

    if !body.is_object() {
        return Err(ApiError::Serialization(String::new()));
    }
    shapes::check_request(&operation, &body)?;

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
    } else if is_write(&operation) {
        on_blocking_pool(run).await??
    } else {
        match cached_reads_only(&run) {
            Err(ApiError::Core(CoreError::WouldBlock)) => on_blocking_pool(run).await??,
            out => out?,
        }
    };
    Ok((operation, out))
}

//! Connections and bodies that cannot be held forever, and no amplification
//! before authentication: each test first reproduces what a careless server
//! allows (a slow sender, an idle connection, a bomb), with limits made
//! short so that the tests run in well under a second each.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ferrodyn_api::auth::Auth;
use ferrodyn_api::body::BodyLimits;
use ferrodyn_api::server::{ConnectionLimits, serve_with};
use ferrodyn_api::service::Service;
use ferrodyn_core::Database;
use ferrodyn_core::clock::SystemClock;
use ferrodyn_model::limits::REQUEST_BODY_BYTES_MAX;
use ferrodyn_storage::memory::MemoryEngine;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Longer than any limit below: a connection still open after this was
/// not going to be closed by the server.
const PATIENCE: Duration = Duration::from_secs(5);

struct Server {
    addr: SocketAddr,
    service: Arc<Service>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start(connections: ConnectionLimits, bodies: BodyLimits) -> Server {
    let db =
        Arc::new(Database::open(Arc::new(MemoryEngine::new()), Arc::new(SystemClock)).expect("db"));
    let service = Arc::new(Service::with_body_limits(
        db,
        Auth::new(vec![], "000000000000".into()),
        false,
        bodies,
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve_with(
        listener,
        Arc::clone(&service),
        connections,
        async {
            let _ = rx.await;
        },
    ));
    Server {
        addr,
        service,
        _stop: tx,
    }
}

fn short_connections() -> ConnectionLimits {
    ConnectionLimits {
        connections_max: 64,
        header_read_ms: 300,
        idle_ms: 300,
        streams_per_connection_max: 8,
    }
}

fn short_bodies() -> BodyLimits {
    BodyLimits {
        grace_ms: 300,
        min_rate_bytes_per_sec: 1024 * 1024,
        in_flight_bytes_max: REQUEST_BODY_BYTES_MAX,
    }
}

fn amz_date() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// A request head; signed (well-formed, as local mode wants) if `signed`.
fn head(addr: SocketAddr, target: &str, extra: &str, length: usize, signed: bool) -> String {
    let auth = if signed {
        let date = amz_date();
        format!(
            "X-Amz-Date: {date}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKID/{}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature={}\r\n",
            &date[..8],
            "0".repeat(64)
        )
    } else {
        String::new()
    };
    format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: DynamoDB_20120810.{target}\r\n{auth}{extra}Content-Length: {length}\r\n\r\n"
    )
}

/// Reads until the server closes the connection (or PATIENCE passes, which
/// fails the test); returns what it sent.
async fn until_closed(s: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    match tokio::time::timeout(PATIENCE, s.read_to_end(&mut buf)).await {
        Ok(_) => buf,
        Err(_) => panic!(
            "the server kept the connection open; it sent {:?}",
            String::from_utf8_lossy(&buf)
        ),
    }
}

/// Reads one whole response (head and Content-Length body) without waiting
/// for the connection to close.
async fn one_response(s: &mut TcpStream) -> (u16, Value) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = tokio::time::timeout(PATIENCE, s.read(&mut chunk))
            .await
            .expect("an answer in time")
            .expect("read");
        assert!(n > 0, "closed before answering");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..at]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() >= at + 4 + length {
                let status = head
                    .split(' ')
                    .nth(1)
                    .and_then(|c| c.parse().ok())
                    .expect("status");
                let body =
                    serde_json::from_slice(&buf[at + 4..at + 4 + length]).unwrap_or(Value::Null);
                return (status, body);
            }
        }
    }
}

#[tokio::test]
async fn a_body_slower_than_the_minimum_rate_is_dropped() {
    // Only the body's limit is short, so that it is what closes.
    let limits = ConnectionLimits {
        header_read_ms: 60_000,
        idle_ms: 60_000,
        ..short_connections()
    };
    let server = start(limits, short_bodies()).await;
    let mut s = TcpStream::connect(server.addr).await.expect("connect");
    let body = json!({"TableName": "t"}).to_string();
    s.write_all(head(server.addr, "ListTables", "", body.len(), true).as_bytes())
        .await
        .expect("head");
    // One byte, then silence: the rest never comes.
    s.write_all(&body.as_bytes()[..1]).await.expect("byte");
    let sent = until_closed(&mut s).await;
    assert!(
        sent.is_empty() || sent.starts_with(b"HTTP/1.1 400"),
        "{:?}",
        String::from_utf8_lossy(&sent)
    );
    assert_eq!(server.service.body_bytes_in_flight(), 0);
}

#[tokio::test]
async fn a_head_that_never_ends_is_dropped() {
    // Only the head's limit is short, so that it is what closes.
    let limits = ConnectionLimits {
        idle_ms: 60_000,
        ..short_connections()
    };
    let server = start(limits, short_bodies()).await;
    let mut s = TcpStream::connect(server.addr).await.expect("connect");
    s.write_all(b"POST / HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("partial head");
    until_closed(&mut s).await;
}

#[tokio::test]
async fn an_idle_connection_is_closed_and_a_busy_one_is_not() {
    // Only the idle limit is short, so that it is what closes.
    let limits = ConnectionLimits {
        header_read_ms: 60_000,
        ..short_connections()
    };
    let server = start(limits, short_bodies()).await;
    let mut s = TcpStream::connect(server.addr).await.expect("connect");
    let body = json!({}).to_string();
    s.write_all(head(server.addr, "ListTables", "", body.len(), true).as_bytes())
        .await
        .expect("head");
    s.write_all(body.as_bytes()).await.expect("body");
    let (status, answer) = one_response(&mut s).await;
    assert_eq!((status, answer), (200, json!({"TableNames": []})));
    // Kept alive, then closed once idle.
    let rest = until_closed(&mut s).await;
    assert!(rest.is_empty(), "{:?}", String::from_utf8_lossy(&rest));

    // Requests one after another, each within the idle limit, keep it open.
    let mut s = TcpStream::connect(server.addr).await.expect("connect");
    for _ in 0..4 {
        s.write_all(head(server.addr, "ListTables", "", body.len(), true).as_bytes())
            .await
            .expect("head");
        s.write_all(body.as_bytes()).await.expect("body");
        assert_eq!(one_response(&mut s).await.0, 200);
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_free_slot() {
    let limits = ConnectionLimits {
        connections_max: 2,
        idle_ms: 60_000,
        header_read_ms: 60_000,
        ..short_connections()
    };
    let server = start(limits, short_bodies()).await;
    let body = json!({}).to_string();
    let request = head(server.addr, "ListTables", "", body.len(), true) + &body;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(server.addr).await.expect("connect");
        s.write_all(request.as_bytes()).await.expect("request");
        assert_eq!(one_response(&mut s).await.0, 200);
        held.push(s);
    }
    // The third connection is not accepted (it waits in the backlog), so
    // its request gets no answer...
    let mut third = TcpStream::connect(server.addr).await.expect("connect");
    third.write_all(request.as_bytes()).await.expect("request");
    let mut byte = [0u8; 1];
    let waited = tokio::time::timeout(Duration::from_millis(300), third.read(&mut byte)).await;
    assert!(waited.is_err(), "answered beyond the connection limit");
    // ... until a slot is free.
    drop(held.pop());
    assert_eq!(one_response(&mut third).await.0, 200);
}

/// A gzip body that expands to more than the request limit.
fn bomb() -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..(REQUEST_BODY_BYTES_MAX >> 20) + 1 {
        e.write_all(&chunk).expect("gzip");
    }
    e.finish().expect("gzip")
}

#[tokio::test]
async fn an_unsigned_compressed_body_is_never_expanded() {
    let server = start(short_connections(), short_bodies()).await;
    let bomb = bomb();
    assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
    // Signed, the body is expanded, and refused once past the limit (413).
    let mut s = TcpStream::connect(server.addr).await.expect("connect");
    s.write_all(
        head(
            server.addr,
            "ListTables",
            "Content-Encoding: gzip\r\n",
            bomb.len(),
            true,
        )
        .as_bytes(),
    )
    .await
    .expect("head");
    s.write_all(&bomb).await.expect("body");
    let sent = until_closed(&mut s).await;
    assert!(
        sent.starts_with(b"HTTP/1.1 413"),
        "{:?}",
        String::from_utf8_lossy(&sent[..sent.len().min(200)])
    );
    // Unsigned, it is not looked at: the answer is the missing signature,
    // which a server that expanded it first would have answered with 413.
    let mut s = TcpStream::connect(server.addr).await.expect("connect");
    s.write_all(
        head(
            server.addr,
            "ListTables",
            "Content-Encoding: gzip\r\n",
            bomb.len(),
            false,
        )
        .as_bytes(),
    )
    .await
    .expect("head");
    s.write_all(&bomb).await.expect("body");
    let (status, answer) = one_response(&mut s).await;
    assert_eq!(status, 400);
    assert_eq!(
        answer["__type"],
        json!("com.amazon.coral.service#MissingAuthenticationTokenException")
    );
}

#[tokio::test]
async fn bodies_in_memory_stay_within_the_budget() {
    // A budget of one largest body: a second large body waits until the
    // first request is done.
    let bodies = BodyLimits {
        grace_ms: 5_000,
        min_rate_bytes_per_sec: 1,
        in_flight_bytes_max: REQUEST_BODY_BYTES_MAX,
    };
    let server = start(short_connections(), bodies).await;
    let big = 10 << 20;
    let padding = " ".repeat(big - 2);
    let body = format!("{{{padding}}}");
    // The first request declares 10 MB and sends half: it holds 10 MB of
    // the budget while it waits for the rest.
    let mut first = TcpStream::connect(server.addr).await.expect("connect");
    first
        .write_all(head(server.addr, "ListTables", "", body.len(), true).as_bytes())
        .await
        .expect("head");
    first
        .write_all(&body.as_bytes()[..big / 2])
        .await
        .expect("half");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server.service.body_bytes_in_flight(), big);
    // The second, as large, cannot fit beside it and is not read yet.
    let mut second = TcpStream::connect(server.addr).await.expect("connect");
    second
        .write_all(head(server.addr, "ListTables", "", body.len(), true).as_bytes())
        .await
        .expect("head");
    let writer = tokio::spawn({
        let body = body.clone();
        async move {
            second.write_all(body.as_bytes()).await.expect("body");
            second
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(server.service.body_bytes_in_flight() <= REQUEST_BODY_BYTES_MAX);
    // The first completes; both are answered.
    first
        .write_all(&body.as_bytes()[big / 2..])
        .await
        .expect("rest");
    assert_eq!(one_response(&mut first).await.0, 200);
    let mut second = writer.await.expect("writer");
    assert_eq!(one_response(&mut second).await.0, 200);
    assert_eq!(server.service.body_bytes_in_flight(), 0);
}

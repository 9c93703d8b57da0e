//! The HTTP service end to end, in process: a real listener, raw HTTP/1.1
//! requests (so that malformed input can be sent byte for byte), and one
//! HTTP/2 cleartext exchange. Bad input must get DynamoDB's error, leave the
//! server serving, and change nothing.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use ferrodyn_api::auth::Auth;
use ferrodyn_api::service::Service;
use ferrodyn_core::Database;
use ferrodyn_core::clock::SystemClock;
use ferrodyn_storage::memory::MemoryEngine;
use ferrodyn_storage::rocks::{RocksConfig, RocksEngine, Sync};
use ferrodyn_storage::{Direction, Engine, ReadConsistency, ScanRequest, StorageError};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

async fn start() -> Server {
    let db =
        Arc::new(Database::open(Arc::new(MemoryEngine::new()), Arc::new(SystemClock)).expect("db"));
    start_on(db, false).await
}

async fn start_on(db: Arc<Database>, storage_waits: bool) -> Server {
    let service = Arc::new(Service::new(
        db,
        Auth::new(vec![], "000000000000".into()),
        storage_waits,
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(ferrodyn_api::server::serve(listener, service, async {
        let _ = rx.await;
    }));
    Server {
        addr,
        stop: Some(tx),
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

/// A well-formed SigV4 header; local development mode does not check the
/// signature itself.
fn auth_headers() -> String {
    let date = amz_date();
    format!(
        "X-Amz-Date: {date}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKID/{}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature={}\r\n",
        &date[..8],
        "0".repeat(64)
    )
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// Sends raw bytes as one request on a fresh connection and reads the reply.
async fn raw(addr: SocketAddr, head: &str, body: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let mut req = head.as_bytes().to_vec();
    req.extend_from_slice(body);
    // The server may answer (413) before reading everything; ignore a reset.
    let _ = s.write_all(&req).await;
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf).await;
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        })
        .collect();
    Reply {
        status,
        headers,
        body: buf[split + 4..].to_vec(),
    }
}

async fn post(addr: SocketAddr, target: &str, extra_headers: &str, body: &[u8]) -> Reply {
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: {target}\r\n{extra_headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    raw(addr, &head, body).await
}

async fn call(addr: SocketAddr, op: &str, body: Value) -> Reply {
    post(
        addr,
        &format!("DynamoDB_20120810.{op}"),
        &auth_headers(),
        body.to_string().as_bytes(),
    )
    .await
}

fn error_of(r: &Reply) -> (u16, String, Option<String>) {
    let j = r.json();
    let t = j["__type"].as_str().unwrap_or("").to_owned();
    let m = j
        .get("message")
        .or_else(|| j.get("Message"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    (r.status, t, m)
}

async fn make_table(addr: SocketAddr) {
    let r = call(
        addr,
        "CreateTable",
        json!({
            "TableName": "tbl",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST"
        }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let r = call(
        addr,
        "PutItem",
        json!({"TableName": "tbl", "Item": {"pk": {"S": "k"}, "v": {"N": "1"}}}),
    )
    .await;
    assert_eq!(r.status, 200);
}

async fn item_is_intact(addr: SocketAddr) {
    let r = call(
        addr,
        "GetItem",
        json!({"TableName": "tbl", "Key": {"pk": {"S": "k"}}, "ConsistentRead": true}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json(),
        json!({"Item": {"pk": {"S": "k"}, "v": {"N": "1"}}})
    );
    let r = call(addr, "DescribeTable", json!({"TableName": "tbl"})).await;
    assert_eq!(r.json()["Table"]["ItemCount"], json!(1));
}

#[tokio::test]
async fn every_response_has_request_id_and_crc32() {
    let server = start().await;
    let r = call(server.addr, "ListTables", json!({})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.0"));
    let id = r.header("x-amzn-requestid").expect("request id");
    assert_eq!(id.len(), 52);
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    );
    let crc: u32 = r
        .header("x-amz-crc32")
        .expect("crc")
        .parse()
        .expect("number");
    assert_eq!(crc, crc32fast::hash(&r.body));
    // Errors carry them too.
    let r = call(
        server.addr,
        "DescribeTable",
        json!({"TableName": "missing"}),
    )
    .await;
    assert!(r.header("x-amzn-requestid").is_some());
    assert_eq!(
        r.header("x-amz-crc32").and_then(|c| c.parse::<u32>().ok()),
        Some(crc32fast::hash(&r.body))
    );
}

#[tokio::test]
async fn health_check_and_cors() {
    let server = start().await;
    let r = raw(
        server.addr,
        "GET / HTTP/1.1\r\nHost: db.example\r\nConnection: close\r\n\r\n",
        b"",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(String::from_utf8_lossy(&r.body), "healthy: db.example ");
    let r = raw(
        server.addr,
        "OPTIONS / HTTP/1.1\r\nHost: x\r\nOrigin: http://app.example\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type,x-amz-target\r\nConnection: close\r\n\r\n",
        b"",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("content-type,x-amz-target")
    );
    assert!(
        r.header("access-control-allow-methods")
            .is_some_and(|m| m.contains("POST"))
    );
}

#[tokio::test]
async fn protocol_errors() {
    let server = start().await;
    let a = server.addr;
    make_table(a).await;

    let r = post(
        a,
        "DynamoDB_20120810.ListTables",
        &auth_headers(),
        b"{not json",
    )
    .await;
    assert_eq!(
        error_of(&r),
        (
            400,
            "com.amazon.coral.service#SerializationException".into(),
            None
        )
    );

    let r = post(
        a,
        "DynamoDB_20120810.ListTables",
        &auth_headers(),
        b"{\"TableName\": \"\xff\xfe\"}",
    )
    .await;
    assert_eq!(
        error_of(&r).1,
        "com.amazon.coral.service#SerializationException"
    );

    let r = post(a, "DynamoDB_20120810.Frobnicate", &auth_headers(), b"{}").await;
    assert_eq!(
        error_of(&r),
        (
            400,
            "com.amazon.coral.service#UnknownOperationException".into(),
            None
        )
    );
    let r = post(a, "Nonsense", &auth_headers(), b"{}").await;
    assert_eq!(
        error_of(&r).1,
        "com.amazon.coral.service#UnknownOperationException"
    );

    let r = post(a, "DynamoDB_20120810.ListTables", "", b"{}").await;
    assert_eq!(
        error_of(&r),
        (
            400,
            "com.amazon.coral.service#MissingAuthenticationTokenException".into(),
            Some("Request is missing Authentication Token".into())
        )
    );

    let r = post(a, "DynamoDB_20120810.ListTables", &auth_headers(), b"").await;
    assert_eq!(
        error_of(&r).1,
        "com.amazon.coral.service#SerializationException"
    );

    let r = call(a, "DescribeTable", json!({"TableName": true})).await;
    assert_eq!(
        error_of(&r),
        (
            400,
            "com.amazon.coral.service#SerializationException".into(),
            Some("class java.lang.Boolean can not be converted to an String".into())
        )
    );

    let r = call(
        a,
        "ListTables",
        json!({"Limit": 0, "ExclusiveStartTableName": "a;"}),
    )
    .await;
    let (status, t, m) = error_of(&r);
    assert_eq!(
        (status, t.as_str()),
        (400, "com.amazon.coral.validate#ValidationException")
    );
    assert_eq!(
        m.as_deref(),
        Some(
            "3 validation errors detected: Value 'a;' at 'exclusiveStartTableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a;' at 'exclusiveStartTableName' failed to satisfy constraint: Member must have length greater than or equal to 3; Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
        )
    );

    let r = call(a, "DescribeTable", json!({"TableName": "ab"})).await;
    assert_eq!(
        error_of(&r).2.as_deref(),
        Some(
            "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"
        )
    );

    // A body of the wrong media type is not DynamoDB's protocol at all.
    let head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\n";
    let r = raw(a, head, b"{}").await;
    assert_eq!(r.status, 404);

    item_is_intact(a).await;
}

#[tokio::test]
async fn bad_items_change_nothing() {
    let server = start().await;
    let a = server.addr;
    make_table(a).await;
    let cases = [
        (
            json!({"pk": {"S": "k"}, "v": {}}),
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        ),
        (
            json!({"pk": {"S": "k"}, "v": {"S": "a", "N": "1"}}),
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
        ),
        (
            json!({"pk": {"S": "k"}, "v": {"SS": []}}),
            "One or more parameter values were invalid: An string set  may not be empty",
        ),
        (
            json!({"pk": {"S": "k"}, "v": {"NS": ["1", "1.0"]}}),
            "One or more parameter values were invalid: Input collection [1, 1.0] contains duplicates.",
        ),
        (
            json!({"pk": {"S": "k"}, "v": {"N": "1e200"}}),
            "Number overflow. Attempting to store a number with magnitude larger than supported range",
        ),
        (
            json!({"pk": {"N": "1"}}),
            "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N",
        ),
        (
            json!({"v": {"S": "x"}}),
            "One or more parameter values were invalid: Missing the key pk in the item",
        ),
    ];
    for (item, message) in cases {
        let r = call(a, "PutItem", json!({"TableName": "tbl", "Item": item})).await;
        assert_eq!(
            error_of(&r),
            (
                400,
                "com.amazon.coral.validate#ValidationException".into(),
                Some(message.into())
            ),
            "{item}"
        );
    }
    // 32 levels of nesting, one more than AWS accepts.
    let mut v = json!({"S": "leaf"});
    for _ in 0..32 {
        v = json!({"L": [v]});
    }
    let r = call(
        a,
        "PutItem",
        json!({"TableName": "tbl", "Item": {"pk": {"S": "k"}, "deep": v}}),
    )
    .await;
    assert_eq!(
        error_of(&r).2.as_deref(),
        Some(
            "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"
        )
    );
    // JSON nested far beyond any limit is refused by the parser, not the stack.
    let deep = format!(
        "{{\"TableName\":\"tbl\",\"Item\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let r = post(
        a,
        "DynamoDB_20120810.PutItem",
        &auth_headers(),
        deep.as_bytes(),
    )
    .await;
    assert_eq!(
        error_of(&r).1,
        "com.amazon.coral.service#SerializationException"
    );
    item_is_intact(a).await;
}

#[tokio::test]
async fn bodies_over_16_mb_get_413() {
    let server = start().await;
    let a = server.addr;
    make_table(a).await;
    let big = vec![b' '; 16 * 1024 * 1024 + 1];
    let r = post(a, "DynamoDB_20120810.ListTables", &auth_headers(), &big).await;
    assert_eq!(r.status, 413);
    // Chunked, with no length up front.
    let head = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n{}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        auth_headers()
    );
    let mut body = Vec::new();
    for _ in 0..17 {
        body.extend_from_slice(format!("{:x}\r\n", 1024 * 1024).as_bytes());
        body.extend(std::iter::repeat_n(b' ', 1024 * 1024));
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let r = raw(a, &head, &body).await;
    assert_eq!(r.status, 413);
    item_is_intact(a).await;
}

#[tokio::test]
async fn gzip_and_deflate_request_bodies() {
    let server = start().await;
    let a = server.addr;
    make_table(a).await;
    let json = json!({"TableName": "tbl", "Key": {"pk": {"S": "k"}}}).to_string();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(json.as_bytes()).expect("gzip");
    let gz = gz.finish().expect("gzip");
    let r = post(
        a,
        "DynamoDB_20120810.GetItem",
        &format!("{}Content-Encoding: gzip\r\n", auth_headers()),
        &gz,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["Item"]["v"], json!({"N": "1"}));
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(json.as_bytes()).expect("deflate");
    let z = z.finish().expect("deflate");
    let r = post(
        a,
        "DynamoDB_20120810.GetItem",
        &format!("{}Content-Encoding: deflate\r\n", auth_headers()),
        &z,
    )
    .await;
    assert_eq!(r.status, 200);
    // A response over 4 KB is compressed when asked for, and its CRC32
    // covers the bytes sent, as AWS computes it.
    for i in 0..20 {
        let r = call(a, "PutItem", json!({"TableName": "tbl", "Item": {"pk": {"S": format!("big{i}")}, "pad": {"S": "x".repeat(300)}}})).await;
        assert_eq!(r.status, 200);
    }
    let scan = json!({"TableName": "tbl"}).to_string();
    let r = post(
        a,
        "DynamoDB_20120810.Scan",
        &format!("{}Accept-Encoding: gzip\r\n", auth_headers()),
        scan.as_bytes(),
    )
    .await;
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert_eq!(
        r.header("x-amz-crc32").and_then(|c| c.parse::<u32>().ok()),
        Some(crc32fast::hash(&r.body))
    );
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&r.body[..]), &mut plain)
        .expect("gunzip");
    assert!(plain.len() > 4096);
    assert_eq!(
        serde_json::from_slice::<Value>(&plain).expect("json")["Count"],
        json!(21)
    );
    // Without Accept-Encoding the same answer is sent as it is.
    let r = post(
        a,
        "DynamoDB_20120810.Scan",
        &auth_headers(),
        scan.as_bytes(),
    )
    .await;
    assert_eq!(r.header("content-encoding"), None);
    assert_eq!(r.json()["Count"], json!(21));
    // A body that does not decode in its coding is answered 500, as AWS
    // answers it, and changes nothing.
    let put = json!({"TableName": "tbl", "Item": {"pk": {"S": "k"}, "v": {"N": "2"}}}).to_string();
    for (coding, body) in [
        ("gzip", put.as_bytes().to_vec()),
        ("deflate", gz.clone()),
        ("br", put.as_bytes().to_vec()),
    ] {
        let r = post(
            a,
            "DynamoDB_20120810.PutItem",
            &format!("{}Content-Encoding: {coding}\r\n", auth_headers()),
            &body,
        )
        .await;
        assert_eq!(
            error_of(&r),
            (
                500,
                "com.amazonaws.dynamodb.v20120810#InternalServerError".into(),
                Some("Internal server error".into())
            ),
            "{coding}"
        );
    }
    let r = call(
        a,
        "GetItem",
        json!({"TableName": "tbl", "Key": {"pk": {"S": "k"}}, "ConsistentRead": true}),
    )
    .await;
    assert_eq!(r.json()["Item"]["v"], json!({"N": "1"}));
}

#[tokio::test]
async fn http2_cleartext() {
    let server = start().await;
    let stream = TcpStream::connect(server.addr).await.expect("connect");
    let (mut sender, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(stream),
    )
    .await
    .expect("h2 handshake");
    tokio::spawn(conn);
    let date = amz_date();
    let req = hyper::Request::post(format!("http://{}/", server.addr))
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", "DynamoDB_20120810.ListTables")
        .header("x-amz-date", &date)
        .header(
            "authorization",
            format!("AWS4-HMAC-SHA256 Credential=AKID/{}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature={}", &date[..8], "0".repeat(64)),
        )
        .body(http_body_util::Full::new(bytes::Bytes::from_static(b"{}")))
        .expect("request");
    let resp = sender.send_request(req).await.expect("response");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.version(), hyper::Version::HTTP_2);
    let body = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .expect("body")
        .to_bytes();
    assert_eq!(
        serde_json::from_slice::<Value>(&body).expect("json"),
        json!({"TableNames": []})
    );
}

/// On durable storage, reads run first limited to memory and, when they
/// need the disk, again on the blocking pool. With no block cache at all
/// every read of a table file needs the disk, so every answer below came
/// from the second run.
#[tokio::test]
async fn reads_that_need_the_disk_are_run_again_where_they_may_wait() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = Arc::new(
        RocksEngine::open_with(
            dir.path(),
            RocksConfig {
                sync: Sync::Never,
                block_cache_bytes: 0,
            },
        )
        .expect("open"),
    );
    let db = Arc::new(
        Database::open(
            Arc::clone(&engine) as Arc<dyn Engine>,
            Arc::new(SystemClock),
        )
        .expect("db"),
    );
    let server = start_on(Arc::clone(&db), true).await;
    let addr = server.addr;
    let r = call(
        addr,
        "CreateTable",
        json!({
            "TableName": "tbl",
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"}
            ],
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"}
            ],
            "BillingMode": "PAY_PER_REQUEST"
        }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    for sk in 0..5 {
        let item = json!({"pk": {"S": "p"}, "sk": {"N": sk.to_string()}});
        let r = call(addr, "PutItem", json!({"TableName": "tbl", "Item": item})).await;
        assert_eq!(r.status, 200);
    }
    // Everything into table files, out of the memtable.
    db.flush().expect("flush");
    let everything = ScanRequest {
        start: &[],
        end: &[0xFF],
        direction: Direction::Forward,
        limit_items: 1,
        limit_bytes: usize::MAX,
        consistency: ReadConsistency::Strong,
    };
    assert!(
        matches!(
            ferrodyn_core::cached_reads_only(|| engine.scan(&everything)),
            Err(StorageError::WouldBlock)
        ),
        "no read of a table file can be served from memory"
    );

    let key = json!({"pk": {"S": "p"}, "sk": {"N": "3"}});
    let r = call(addr, "GetItem", json!({"TableName": "tbl", "Key": key})).await;
    assert_eq!((r.status, r.json()), (200, json!({"Item": key})));
    let r = call(
        addr,
        "Query",
        json!({
            "TableName": "tbl",
            "KeyConditionExpression": "pk = :p AND sk >= :s",
            "ExpressionAttributeValues": {":p": {"S": "p"}, ":s": {"N": "3"}},
            "ConsistentRead": true
        }),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["Count"], json!(2));
    let r = call(addr, "Scan", json!({"TableName": "tbl", "Limit": 4})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["Count"], json!(4));
    assert!(r.json().get("LastEvaluatedKey").is_some());
    let r = call(
        addr,
        "BatchGetItem",
        json!({"RequestItems": {"tbl": {"Keys": [key, {"pk": {"S": "p"}, "sk": {"N": "9"}}]}}}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["Responses"]["tbl"], json!([key]));
    let r = call(
        addr,
        "TransactGetItems",
        json!({"TransactItems": [{"Get": {"TableName": "tbl", "Key": key}}]}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["Responses"], json!([{"Item": key}]));
    let r = call(addr, "DescribeTable", json!({"TableName": "tbl"})).await;
    assert_eq!(r.json()["Table"]["ItemCount"], json!(5));
    // Writes read the disk too (the old item), on the blocking pool.
    let r = call(
        addr,
        "UpdateItem",
        json!({
            "TableName": "tbl",
            "Key": key,
            "UpdateExpression": "SET v = :v",
            "ExpressionAttributeValues": {":v": {"N": "1"}},
            "ReturnValues": "ALL_OLD"
        }),
    )
    .await;
    assert_eq!((r.status, r.json()), (200, json!({"Attributes": key})));
}

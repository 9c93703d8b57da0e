//! One persistent HTTP/1.1 connection with one request in flight, and the
//! signed requests sent on it.
//!
//! The connection is driven in the same task as the code that sends on it
//! ([`with_connection`] polls both), so a request and its response cost no
//! hand-off between tasks, as with a client library's connection pool.

use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderName, HeaderValue};
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::error::{BenchError, TransportError};
use crate::sigv4::{self, AMZ_DATE_LEN, Signer};
use crate::workload::Op;

/// The sending half of a connection.
pub type Sender = SendRequest<Full<Bytes>>;

/// The initial size of a connection's buffer for bodies and headers; it
/// grows for larger items and is reused once the last request is done.
const ARENA_BYTES: usize = 64 * 1024;

/// Where requests go: an `http://host[:port]` address.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The address as given, for reports.
    pub url: String,
    /// The resolved socket address.
    pub addr: SocketAddr,
    /// The `Host` header: the address's authority as given.
    pub host: String,
}

impl Endpoint {
    /// Parses and resolves `http://host[:port][/]`. TLS is not supported:
    /// the generator measures servers, and a TLS layer would measure itself.
    pub fn parse(url: &str) -> Result<Endpoint, BenchError> {
        let invalid = |reason: &str| BenchError::InvalidArgument {
            flag: "endpoint",
            reason: format!("{url:?}: {reason}"),
        };
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| invalid("must start with http:// (https is not supported)"))?;
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() || authority.contains(['/', '?', '#', '@']) {
            return Err(invalid("expected http://host[:port]"));
        }
        let has_port = authority
            .rsplit_once(':')
            .is_some_and(|(_, p)| !p.contains(']'));
        let to_resolve = if has_port {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        let addr = std::net::ToSocketAddrs::to_socket_addrs(&to_resolve)
            .map_err(|e| invalid(&e.to_string()))?
            .next()
            .ok_or_else(|| invalid("resolves to no address"))?;
        Ok(Endpoint {
            url: url.to_owned(),
            addr,
            host: authority.to_owned(),
        })
    }
}

/// Opens a connection to `endpoint` and runs `work` on it, polling the
/// connection in the same task; the connection closes when `work` returns.
pub async fn with_connection<R>(
    endpoint: &Endpoint,
    work: impl AsyncFnOnce(&mut Sender) -> R,
) -> Result<R, TransportError> {
    let stream = TcpStream::connect(endpoint.addr)
        .await
        .map_err(TransportError::Connect)?;
    stream.set_nodelay(true)?;
    let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
        .handshake::<_, Full<Bytes>>(TokioIo::new(stream))
        .await?;
    let work = work(&mut sender);
    tokio::pin!(work);
    tokio::select! {
        biased;
        r = &mut work => return Ok(r),
        // The connection ended (the server closed it, or it failed): what
        // it delivered is still to be read, and the next request on it
        // fails, so `work` finishes all the same.
        _ = conn => {}
    }
    Ok(work.await)
}

/// A connection for set-up requests (table creation, preloading) that opens
/// a new one when the server has closed the last, as servers that answer
/// every request with `Connection: close` do (moto's). A request is only
/// ever sent once: the connection is replaced before sending, never after.
/// Its connection is driven by a task of its own, which set-up can afford.
#[derive(Debug)]
pub struct Reconnecting<'a> {
    endpoint: &'a Endpoint,
    sender: Option<Sender>,
}

impl<'a> Reconnecting<'a> {
    /// No connection yet: the first [`Reconnecting::call`] opens one.
    pub fn new(endpoint: &'a Endpoint) -> Reconnecting<'a> {
        Reconnecting {
            endpoint,
            sender: None,
        }
    }

    /// Sends `req` on the open connection if the server keeps it, else on a
    /// new one, and reads the whole response.
    pub async fn call(
        &mut self,
        req: Request<Full<Bytes>>,
    ) -> Result<(StatusCode, Bytes), TransportError> {
        if let Some(sender) = self.sender.as_mut()
            && sender.ready().await.is_ok()
        {
            return call(sender, req).await;
        }
        self.sender = None;
        let stream = TcpStream::connect(self.endpoint.addr)
            .await
            .map_err(TransportError::Connect)?;
        stream.set_nodelay(true)?;
        let (sender, conn) = hyper::client::conn::http1::Builder::new()
            .handshake::<_, Full<Bytes>>(TokioIo::new(stream))
            .await?;
        tokio::spawn(async move {
            // Its end shows as the next request's error, or a reconnection.
            let _ = conn.await;
        });
        call(self.sender.insert(sender), req).await
    }
}

/// Sends `req` on `sender` and reads the whole response.
pub async fn call(
    sender: &mut Sender,
    req: Request<Full<Bytes>>,
) -> Result<(StatusCode, Bytes), TransportError> {
    sender.ready().await?;
    let resp = sender.send_request(req).await?;
    let (parts, body) = resp.into_parts();
    let body = body.collect().await?.to_bytes();
    Ok((parts.status, body))
}

/// Builds signed requests, reusing one buffer for bodies and the
/// `Authorization` header.
#[derive(Debug)]
pub struct Requests {
    signer: Signer,
    host: HeaderValue,
    arena: BytesMut,
    /// The second `date` belongs to, and its `x-amz-date`.
    date_secs: i64,
    date: [u8; AMZ_DATE_LEN],
    date_header: HeaderValue,
}

impl Requests {
    /// A request builder for `endpoint`, signing with `signer`.
    pub fn new(endpoint: &Endpoint, signer: Signer) -> Result<Requests, BenchError> {
        let host =
            HeaderValue::from_str(&endpoint.host).map_err(|_| BenchError::InvalidArgument {
                flag: "endpoint",
                reason: format!("{:?} is not a valid Host header", endpoint.host),
            })?;
        Ok(Requests {
            signer,
            host,
            arena: BytesMut::with_capacity(ARENA_BYTES),
            date_secs: i64::MIN,
            date: [0; AMZ_DATE_LEN],
            date_header: HeaderValue::from_static(""),
        })
    }

    /// A signed request for `op` whose body `fill` writes; `size_hint` is
    /// an upper bound of the body's length (larger bodies cost a copy).
    pub fn build(
        &mut self,
        op: Op,
        size_hint: usize,
        fill: impl FnOnce(&mut BytesMut),
    ) -> Result<Request<Full<Bytes>>, TransportError> {
        // After the previous request's body and header were dropped, this
        // takes the buffer back instead of allocating.
        self.arena.reserve(size_hint + 512);
        fill(&mut self.arena);
        let body = self.arena.split().freeze();
        self.refresh_date()?;
        self.signer
            .sign(&self.date, op.target(), &body, &mut self.arena);
        let authorization = HeaderValue::from_maybe_shared(self.arena.split().freeze())?;

        let mut req = Request::new(Full::new(body));
        *req.method_mut() = Method::POST;
        *req.uri_mut() = Uri::from_static("/");
        let h = req.headers_mut();
        h.reserve(6);
        h.insert(HOST, self.host.clone());
        h.insert(CONTENT_TYPE, HeaderValue::from_static(sigv4::CONTENT_TYPE));
        h.insert(
            HeaderName::from_static("x-amz-target"),
            HeaderValue::from_static(op.target()),
        );
        h.insert(
            HeaderName::from_static("x-amz-date"),
            self.date_header.clone(),
        );
        h.insert(AUTHORIZATION, authorization);
        Ok(req)
    }

    fn refresh_date(&mut self) -> Result<(), TransportError> {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        if secs != self.date_secs {
            self.date = sigv4::amz_date(secs);
            self.date_header = HeaderValue::from_bytes(&self.date)?;
            self.date_secs = secs;
        }
        Ok(())
    }
}

/// The `__type` of an error response, without its namespace
/// (`com.amazonaws.dynamodb.v20120810#ThrottlingException` becomes
/// `ThrottlingException`), and its message; `HTTP <status>` for a body that
/// is not a DynamoDB error.
pub fn error_of(status: StatusCode, body: &[u8]) -> (String, String) {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(name).or_else(|| v.get(name.to_lowercase())))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    let error_type = field("__type")
        .map(|t| t.rsplit('#').next().unwrap_or_default().to_owned())
        .unwrap_or_else(|| format!("HTTP {}", status.as_u16()));
    let message = field("message")
        .or_else(|| field("Message"))
        .unwrap_or_default();
    (error_type, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let e = Endpoint::parse("http://127.0.0.1:8000").unwrap();
        assert_eq!(e.host, "127.0.0.1:8000");
        assert_eq!(e.addr.port(), 8000);
        let e = Endpoint::parse("http://127.0.0.1/").unwrap();
        assert_eq!(e.host, "127.0.0.1");
        assert_eq!(e.addr.port(), 80);
        let e = Endpoint::parse("http://[::1]:9000").unwrap();
        assert_eq!(e.addr.port(), 9000);
        assert!(Endpoint::parse("https://dynamodb.us-east-1.amazonaws.com").is_err());
        assert!(Endpoint::parse("http://127.0.0.1:8000/path").is_err());
        assert!(Endpoint::parse("127.0.0.1:8000").is_err());
    }

    #[test]
    fn error_types() {
        let body = br#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#;
        assert_eq!(
            error_of(StatusCode::BAD_REQUEST, body),
            (
                "ResourceNotFoundException".to_owned(),
                "Requested resource not found".to_owned()
            )
        );
        assert_eq!(
            error_of(StatusCode::NOT_FOUND, b"<UnknownOperationException/>").0,
            "HTTP 404"
        );
    }

    /// Requests are carved from one buffer, which is taken back from its
    /// start when it runs out, as long as earlier requests were dropped.
    #[test]
    fn the_arena_is_reused() {
        let endpoint = Endpoint::parse("http://127.0.0.1:8000").unwrap();
        let signer = Signer::new("a", "b", "us-east-1", &endpoint.host);
        let mut requests = Requests::new(&endpoint, signer).unwrap();
        let mut first = None;
        // About 200 bytes each: several times round the buffer.
        for _ in 0..4 * ARENA_BYTES / 200 {
            let req = requests
                .build(Op::GetItem, 64, |b| b.extend_from_slice(b"{}"))
                .unwrap();
            let auth = &req.headers()[AUTHORIZATION];
            assert!(
                auth.to_str()
                    .unwrap()
                    .starts_with("AWS4-HMAC-SHA256 Credential=a/")
            );
            let at = auth.as_bytes().as_ptr() as usize;
            let first = *first.get_or_insert(at);
            assert!(
                (first..first + ARENA_BYTES).contains(&at),
                "a new buffer at {at:#x}, first {first:#x}"
            );
        }
    }

    /// A server that closes every connection after one answer, as moto's
    /// does; serves until the test ends.
    async fn closing_server() -> Endpoint {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new()
                        .keep_alive(false)
                        .serve_connection(
                            TokioIo::new(stream),
                            hyper::service::service_fn(|_req| async {
                                Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(
                                    Bytes::from_static(b"{}"),
                                )))
                            }),
                        ),
                );
            }
        });
        Endpoint::parse(&format!("http://{addr}")).expect("endpoint")
    }

    fn request(endpoint: &Endpoint) -> Request<Full<Bytes>> {
        Request::post(format!("{}/", endpoint.url))
            .header(HOST, endpoint.host.as_str())
            .body(Full::new(Bytes::from_static(b"{}")))
            .expect("request")
    }

    #[tokio::test]
    async fn set_up_requests_survive_servers_that_close_every_connection() {
        let endpoint = closing_server().await;
        // One connection is good for one request only...
        let second = with_connection(&endpoint, async |sender| {
            call(sender, request(&endpoint)).await.expect("first");
            call(sender, request(&endpoint)).await
        })
        .await
        .expect("connects");
        assert!(second.is_err(), "the server closed the connection");
        // ...so set-up opens another for each.
        let mut conn = Reconnecting::new(&endpoint);
        for _ in 0..3 {
            let (status, body) = conn.call(request(&endpoint)).await.expect("answered");
            assert_eq!((status, &body[..]), (StatusCode::OK, &b"{}"[..]));
        }
    }
}

//! The ceiling server: the least an HTTP/1.1 server on hyper can do for a
//! DynamoDB request. It reads the request and answers `200` with `{}` as
//! `application/x-amz-json-1.0`, whatever was asked.
//!
//! Measured with the same generator, it is the upper bound (requests per
//! second, latency, CPU per request) for any server built on the same
//! HTTP stack and runtime on the same machine; ferrodyn's figures are
//! reported as ratios to it.

use std::convert::Infallible;
use std::future::Future;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::sigv4;

/// The body of every answer.
pub const BODY: &[u8] = b"{}";

/// Serves connections from `listener` until `shutdown` completes; open
/// connections are then dropped.
pub async fn serve(listener: TcpListener, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    let builder = hyper::server::conn::http1::Builder::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                // A failed accept (e.g. out of descriptors) is the client's
                // problem to notice; keep serving the others.
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let conn = builder.serve_connection(TokioIo::new(stream), service_fn(answer));
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
            () = &mut shutdown => break,
        }
    }
}

async fn answer(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    // Read the body, as any real server must before answering.
    let _ = req.into_body().collect().await;
    let mut resp = Response::new(Full::new(Bytes::from_static(BODY)));
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(sigv4::CONTENT_TYPE));
    Ok(resp)
}

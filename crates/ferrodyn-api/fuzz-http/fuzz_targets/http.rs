#![no_main]
//! Raw bytes, as a client could send them on a connection, into hyper's
//! HTTP/1.1 parser and ferrodyn's service over an in-memory stream: the
//! server must answer or close, never panic.

use std::sync::{Arc, OnceLock};

use ferrodyn_api::auth::Auth;
use ferrodyn_api::service::{Service, handle};
use ferrodyn_core::Database;
use ferrodyn_core::clock::SystemClock;
use ferrodyn_storage::memory::MemoryEngine;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn service() -> Arc<Service> {
    static SERVICE: OnceLock<Arc<Service>> = OnceLock::new();
    Arc::clone(SERVICE.get_or_init(|| {
        let db = Database::open(Arc::new(MemoryEngine::new()), Arc::new(SystemClock))
            .expect("an empty database opens");
        Arc::new(Service::new(Arc::new(db), Auth::new(vec![], "000000000000".into()), false))
    }))
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    let data = data.to_vec();
    runtime().block_on(async move {
        let (mut client, server) = tokio::io::duplex(1 << 16);
        let svc = service();
        let conn = hyper::server::conn::http1::Builder::new().serve_connection(
            TokioIo::new(server),
            service_fn(move |req| handle(Arc::clone(&svc), req)),
        );
        let serving = tokio::spawn(conn);
        let _ = client.write_all(&data).await;
        let _ = client.shutdown().await;
        let mut out = Vec::new();
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            client.read_to_end(&mut out),
        )
        .await;
        drop(client);
        let _ = serving.await;
    });
});

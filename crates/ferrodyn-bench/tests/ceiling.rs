//! The generator against the ceiling server, in process: a one-second get
//! workload gets answers and no errors. Speed is not asserted: this machine
//! is shared.

use std::time::Duration;

use ferrodyn_bench::{Config, Format, LoadArgs, Skew, Workload, bench, ceiling};

fn args(endpoint: String, workload: Workload) -> LoadArgs {
    LoadArgs {
        endpoint,
        workload,
        concurrency: 4,
        duration: Duration::from_secs(1),
        warmup: Duration::from_millis(100),
        items: 1000,
        item_size: 200,
        skew: Skew::Zipfian,
        table: "bench".to_owned(),
        create_table: false,
        preload: false,
        format: Format::Json,
        region: "us-east-1".to_owned(),
        access_key: "AKID".to_owned(),
        secret_key: "secret".to_owned(),
        server_pid: Some(std::process::id()),
        threads: 1,
        seed: Some(1),
        rate: None,
        stream: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_workload_against_the_ceiling() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(ceiling::serve(listener, async {
        let _ = stopped.await;
    }));

    for workload in [Workload::Get, Workload::Mix] {
        let config = Config::from_args(args(format!("http://{addr}"), workload)).expect("valid");
        let report = bench(&config).await.expect("runs");
        assert!(report.ops > 0, "{workload:?}: no requests answered");
        assert_eq!(report.error_count(), 0, "{:?}", report.errors);
        assert!(report.latency.p50 > 0.0 && report.latency.p50 <= report.latency.max);
        let json = report.to_json();
        assert_eq!(json["ops"], report.ops);
        assert!(json["server_cpu"]["us_per_request"].is_number());
        assert!(report.to_table().contains("throughput"));
    }

    let _ = stop.send(());
    server.await.expect("server stops");
}

#[tokio::test]
async fn an_unreachable_endpoint_is_reported() {
    // Bind, then drop, to find a port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let config = Config::from_args(args(format!("http://{addr}"), Workload::Get)).expect("valid");
    assert!(matches!(
        bench(&config).await,
        Err(ferrodyn_bench::BenchError::Connect { .. })
    ));
}

/// A server without keep-alive closes every connection after its answer;
/// the generator reconnects without counting errors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_keep_alive_costs_no_errors() {
    use http_body_util::Full;
    use hyper::body::Bytes;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let conn = hyper::server::conn::http1::Builder::new()
                .keep_alive(false)
                .serve_connection(
                    hyper_util::rt::TokioIo::new(stream),
                    hyper::service::service_fn(|_req| async {
                        Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(
                            Bytes::from_static(b"{}"),
                        )))
                    }),
                );
            tokio::spawn(conn);
        }
    });
    let config = Config::from_args(args(format!("http://{addr}"), Workload::Get)).expect("valid");
    let report = bench(&config).await.expect("runs");
    server.abort();
    assert!(report.ops > 0);
    assert_eq!(report.error_count(), 0, "{:?}", report.errors);
}

/// A server that never answers does not keep the run from ending on time.
#[tokio::test]
async fn a_silent_server_does_not_stall_the_run() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let config = Config::from_args(args(format!("http://{addr}"), Workload::Get)).expect("valid");
    let started = std::time::Instant::now();
    let report = bench(&config).await.expect("runs");
    server.abort();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(report.ops, 0);
}

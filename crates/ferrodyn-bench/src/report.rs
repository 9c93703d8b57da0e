//! What a run measured, as a table for people or JSON for scripts.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use hdrhistogram::Histogram;

use crate::Config;

/// Above this share of its threads' time the generator may be what limits
/// the throughput, and the table says so.
const CLIENT_SATURATION_SHARE: f64 = 0.9;

/// Latency percentiles of successful requests, in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Slowest.
    pub max: f64,
    /// Mean.
    pub mean: f64,
}

impl Latency {
    /// The percentiles of a histogram of nanoseconds.
    pub fn of(h: &Histogram<u64>) -> Latency {
        if h.is_empty() {
            return Latency::default();
        }
        let us = |ns: u64| ns as f64 / 1000.0;
        Latency {
            p50: us(h.value_at_quantile(0.50)),
            p90: us(h.value_at_quantile(0.90)),
            p99: us(h.value_at_quantile(0.99)),
            p999: us(h.value_at_quantile(0.999)),
            max: us(h.max()),
            mean: h.mean() / 1000.0,
        }
    }
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct Report {
    /// The workload's name.
    pub workload: &'static str,
    /// The endpoint.
    pub endpoint: String,
    /// The table.
    pub table: String,
    /// Connections, each with one request in flight.
    pub concurrency: u32,
    /// The generator's runtime threads.
    pub threads: usize,
    /// The warm-up, not measured.
    pub warmup: Duration,
    /// The measured interval, as it actually lasted.
    pub elapsed: Duration,
    /// The key space.
    pub items: u64,
    /// About how large an item is.
    pub item_size: u32,
    /// `uniform` or `zipfian`.
    pub skew: &'static str,
    /// Successful requests completed in the measured interval.
    pub ops: u64,
    /// Failed requests in the measured interval, by `__type` (or
    /// `HTTP <status>`, or `transport: <kind>`).
    pub errors: BTreeMap<String, u64>,
    /// Latency of the successful requests.
    pub latency: Latency,
    /// The generator's CPU time (all threads) during the measured interval.
    pub client_cpu: Duration,
    /// The server's process and its CPU time, with `--server-pid`.
    pub server: Option<(u32, Duration)>,
}

impl Report {
    /// Assembles a report.
    pub fn new(
        config: &Config,
        elapsed: Duration,
        ops: u64,
        latency: Latency,
        errors: BTreeMap<String, u64>,
        client_cpu: Duration,
        server_cpu: Option<Duration>,
    ) -> Report {
        Report {
            workload: config.workload.name(),
            endpoint: config.endpoint.url.clone(),
            table: config.table.clone(),
            concurrency: config.concurrency,
            threads: config.threads,
            warmup: config.warmup,
            elapsed,
            items: config.items,
            item_size: config.item_size,
            skew: config.skew.name(),
            ops,
            errors,
            latency,
            client_cpu,
            server: config.server_pid.zip(server_cpu),
        }
    }

    /// Failed requests in the measured interval.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// Successful requests per second.
    pub fn ops_per_sec(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// CPU microseconds per request answered (successful or not).
    fn per_request_us(&self, cpu: Duration) -> Option<f64> {
        let requests = self.ops + self.error_count();
        (requests > 0).then(|| cpu.as_secs_f64() * 1e6 / requests as f64)
    }

    /// CPU time as a number of cores busy through the interval.
    fn cores(&self, cpu: Duration) -> f64 {
        cpu.as_secs_f64() / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The report as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        let cpu = |d: Duration| {
            serde_json::json!({
                "seconds": d.as_secs_f64(),
                "us_per_request": self.per_request_us(d),
                "cores": self.cores(d),
            })
        };
        let server = self.server.map(|(pid, d)| {
            let mut v = cpu(d);
            v["pid"] = pid.into();
            v
        });
        serde_json::json!({
            "workload": self.workload,
            "endpoint": self.endpoint,
            "table": self.table,
            "concurrency": self.concurrency,
            "threads": self.threads,
            "warmup_seconds": self.warmup.as_secs_f64(),
            "duration_seconds": self.elapsed.as_secs_f64(),
            "items": self.items,
            "item_size_bytes": self.item_size,
            "skew": self.skew,
            "ops": self.ops,
            "ops_per_second": self.ops_per_sec(),
            "errors": self.error_count(),
            "errors_by_type": self.errors,
            "latency_us": {
                "p50": self.latency.p50,
                "p90": self.latency.p90,
                "p99": self.latency.p99,
                "p99.9": self.latency.p999,
                "max": self.latency.max,
                "mean": self.latency.mean,
            },
            "client_cpu": cpu(self.client_cpu),
            "server_cpu": server,
        })
    }

    /// The report as a table.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let l = &self.latency;
        let per_request = |cpu| {
            self.per_request_us(cpu)
                .map_or_else(|| "-".to_owned(), |us| format!("{us:.1}"))
        };
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "ferrodyn bench: {} on {} (table {})",
            self.workload, self.endpoint, self.table
        );
        let _ = writeln!(
            out,
            "  {} connections, {} generator thread(s), {:.1} s measured after {:.1} s warm-up",
            self.concurrency,
            self.threads,
            self.elapsed.as_secs_f64(),
            self.warmup.as_secs_f64()
        );
        let _ = writeln!(
            out,
            "  {} items of ~{} B, {} keys\n",
            self.items, self.item_size, self.skew
        );
        let _ = writeln!(
            out,
            "throughput    {:.0} ops/s  ({} ops, {} errors)",
            self.ops_per_sec(),
            self.ops,
            self.error_count()
        );
        let _ = writeln!(
            out,
            "latency (us)  p50 {:.1}  p90 {:.1}  p99 {:.1}  p99.9 {:.1}  max {:.1}  mean {:.1}",
            l.p50, l.p90, l.p99, l.p999, l.max, l.mean
        );
        let _ = writeln!(
            out,
            "client CPU    {} us/request  ({:.2} cores)",
            per_request(self.client_cpu),
            self.cores(self.client_cpu)
        );
        if let Some((pid, cpu)) = self.server {
            let _ = writeln!(
                out,
                "server CPU    {} us/request  ({:.2} cores, pid {pid})",
                per_request(cpu),
                self.cores(cpu)
            );
        }
        if self.cores(self.client_cpu) >= CLIENT_SATURATION_SHARE * self.threads as f64 {
            let _ = writeln!(
                out,
                "note: the generator kept its {} thread(s) busy; it may be the bottleneck",
                self.threads
            );
        }
        if !self.errors.is_empty() {
            let _ = writeln!(out, "\nerrors");
            let width = self.errors.keys().map(String::len).max().unwrap_or(0);
            for (t, n) in &self.errors {
                let _ = writeln!(out, "  {t:<width$}  {n}");
            }
        }
        out
    }
}

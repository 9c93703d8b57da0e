//! Shared helpers for the end-to-end tests: the real `ferrodyn` binary, driven
//! by the official Rust AWS SDK over plain HTTP on loopback.
//!
//! The tests treat the server as a black box, as a user's program would see
//! it: this crate depends on no other ferrodyn crate.
//!
//! ```text
//!  test ──SDK (SigV4, JSON 1.0)──> 127.0.0.1:<free port> ──> ferrodyn serve
//!   │                                                          (child process,
//!   └── WireCheck interceptor: every response's x-amz-crc32,    log in a temp dir)
//!       x-amzn-RequestId and Content-Type
//! ```
//!
//! Each test starts its own [`Server`] so tests stay independent and run in
//! parallel; a start costs well under a second. A test ends with
//! [`Server::shutdown`], which sends SIGTERM and asserts exit status 0, so
//! every test also checks graceful shutdown. A server still running when its
//! [`Server`] is dropped (a failed test) is killed.
//!
//! The binary is `$FERRODYN_BIN`, or `<workspace>/target/release/ferrodyn`.
//! A missing binary fails the test with a message saying how to build it:
//! never a silent skip. This crate does not build the binary (it cannot
//! depend on it), so build it first, or a stale one is tested:
//!
//! ```text
//! cargo build --release -p ferrodyn && cargo test --release -p ferrodyn-e2e
//! ```

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::AfterDeserializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{
    BehaviorVersion, ConfigBag, Credentials, Intercept, Region, RuntimeComponents,
    timeout::TimeoutConfig,
};
use aws_sdk_dynamodb::error::{BoxError, DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ProvisionedThroughput,
    ScalarAttributeType,
};

/// The region every client signs for; ferrodyn's default region.
pub const REGION: &str = "us-east-1";
/// ferrodyn's default account id (as DynamoDB Local's).
pub const ACCOUNT_ID: &str = "000000000000";
/// Credentials for a server in local development mode (no credentials
/// configured), where any well-formed signature is accepted.
pub const DUMMY_ACCESS_KEY_ID: &str = "AKIDE2EDUMMY";
/// See [`DUMMY_ACCESS_KEY_ID`].
pub const DUMMY_SECRET_ACCESS_KEY: &str = "e2e-dummy-secret";

/// How long a server may take to accept TCP connections after spawning.
const READY_TIMEOUT_MS: u64 = 10_000;
/// How long a server may take to exit after SIGTERM.
const SHUTDOWN_TIMEOUT_MS: u64 = 10_000;
/// Interval between readiness and exit polls.
const POLL_INTERVAL_MS: u64 = 20;
/// Bound on one SDK call, retries included, so a hung server fails a test
/// instead of hanging the suite.
const OPERATION_TIMEOUT_MS: u64 = 10_000;
/// Attempts to start on a free port: another process may take the port
/// between our probe and the server's bind.
const PORT_ATTEMPTS_MAX: u32 = 3;
/// How much of the server log a failure message quotes.
const LOG_TAIL_BYTES_MAX: usize = 4_000;

/// The binary under test: `$FERRODYN_BIN`, else the workspace's release build.
///
/// Panics, failing the test, when there is no file there.
pub fn binary_path() -> PathBuf {
    let path = match std::env::var_os("FERRODYN_BIN") {
        Some(p) => PathBuf::from(p),
        // This crate lives at <workspace>/crates/ferrodyn-e2e.
        None => workspace_root().join("target/release/ferrodyn"),
    };
    assert!(
        path.is_file(),
        "ferrodyn binary not found at {}: build it with `cargo build --release -p ferrodyn` \
         (or set FERRODYN_BIN to its path) before running the end-to-end tests",
        path.display()
    );
    path
}

/// The workspace root, two levels above this crate's manifest.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .nth(2)
        .unwrap_or(manifest_dir)
        .to_path_buf()
}

/// Where a server keeps its tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// RocksDB in a data directory inside the server's temporary directory.
    Durable,
    /// `--in-memory`.
    InMemory,
}

/// One `ferrodyn serve` process on a free loopback port.
#[derive(Debug)]
pub struct Server {
    child: Option<Child>,
    port: u16,
    storage: Storage,
    /// Holds the data directory, the config file and the logs; removed on drop.
    workdir: tempfile::TempDir,
    config_path: Option<PathBuf>,
    /// Number of starts so far; each start logs to its own file.
    starts: u32,
}

impl Server {
    /// Starts a durable server in local development mode.
    pub fn start() -> Server {
        Server::start_with(Storage::Durable, None)
    }

    /// Starts a server with `storage` and, if given, a TOML config file with
    /// `config_toml` as its text.
    pub fn start_with(storage: Storage, config_toml: Option<&str>) -> Server {
        let binary = binary_path();
        let workdir = tempfile::Builder::new()
            .prefix("ferrodyn-e2e-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary directory: {e}"));
        let config_path = config_toml.map(|text| {
            let path = workdir.path().join("ferrodyn.toml");
            std::fs::write(&path, text)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
            path
        });
        let mut server = Server {
            child: None,
            port: 0,
            storage,
            workdir,
            config_path,
            starts: 0,
        };
        server.spawn(&binary);
        server
    }

    /// The data directory of a durable server.
    pub fn data_dir(&self) -> PathBuf {
        self.workdir.path().join("data")
    }

    /// The endpoint URL to give a client.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A client with dummy credentials, for a server with none configured.
    pub fn client(&self) -> Client {
        self.client_with(DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY)
    }

    /// A client that signs with the given credentials.
    pub fn client_with(&self, access_key_id: &str, secret_access_key: &str) -> Client {
        client_for(&self.endpoint(), access_key_id, secret_access_key)
    }

    /// Sends SIGTERM, waits for the exit, and asserts a graceful exit (status 0).
    pub fn shutdown(mut self) {
        let status = self.terminate();
        assert!(
            status.success(),
            "ferrodyn exited with {status} after SIGTERM, expected status 0\n{}",
            self.log_tail()
        );
    }

    /// Stops the server gracefully (asserting status 0) and starts it again
    /// on the same data directory, on a new port: clients made before must
    /// be replaced.
    pub fn restart(&mut self) {
        let status = self.terminate();
        assert!(
            status.success(),
            "ferrodyn exited with {status} after SIGTERM, expected status 0\n{}",
            self.log_tail()
        );
        let binary = binary_path();
        self.spawn(&binary);
    }

    fn command(&self, binary: &Path) -> Command {
        let mut cmd = Command::new(binary);
        cmd.arg("serve")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()]);
        match self.storage {
            Storage::Durable => {
                cmd.arg("--data-dir").arg(self.data_dir());
            }
            Storage::InMemory => {
                cmd.arg("--in-memory");
            }
        }
        if let Some(path) = &self.config_path {
            cmd.arg("--config").arg(path);
        }
        // Settings from the environment would change what is under test.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("FERRODYN_") {
                cmd.env_remove(name);
            }
        }
        cmd.current_dir(self.workdir.path()).stdin(Stdio::null());
        cmd
    }

    fn log_path(&self) -> PathBuf {
        self.workdir
            .path()
            .join(format!("ferrodyn-{}.log", self.starts))
    }

    /// Spawns the process and waits until it accepts connections, retrying
    /// on a new port when the chosen one was taken in the meantime.
    fn spawn(&mut self, binary: &Path) {
        for attempt in 1..=PORT_ATTEMPTS_MAX {
            self.starts += 1;
            self.port = free_port();
            let log = std::fs::File::create(self.log_path())
                .unwrap_or_else(|e| panic!("cannot create {}: {e}", self.log_path().display()));
            let log_err = log
                .try_clone()
                .unwrap_or_else(|e| panic!("cannot duplicate the log handle: {e}"));
            let mut cmd = self.command(binary);
            cmd.stdout(log).stderr(log_err);
            let child = cmd
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
            self.child = Some(child);
            match self.wait_ready() {
                Ok(()) => return,
                Err(status) => {
                    let log = self.log_tail();
                    let port_taken = log.to_ascii_lowercase().contains("address already in use");
                    if !(port_taken && attempt < PORT_ATTEMPTS_MAX) {
                        panic!("ferrodyn exited during start-up with {status}: {cmd:?}\n{log}");
                    }
                }
            }
        }
    }

    /// Polls until this process has logged that it is listening and the
    /// port accepts a TCP connection. `Err` with the exit status if the
    /// process exits first; panics on time-out. (A connection alone is not
    /// enough: another test's server may have taken the same free port, and
    /// would answer in our place.)
    fn wait_ready(&mut self) -> Result<(), ExitStatus> {
        let deadline = Instant::now() + Duration::from_millis(READY_TIMEOUT_MS);
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        loop {
            let child = self
                .child
                .as_mut()
                .unwrap_or_else(|| unreachable!("spawned just before"));
            if let Some(status) = child
                .try_wait()
                .unwrap_or_else(|e| panic!("cannot poll ferrodyn: {e}"))
            {
                self.child = None;
                return Err(status);
            }
            let listening = std::fs::read(self.log_path())
                .is_ok_and(|log| String::from_utf8_lossy(&log).contains("ferrodyn listening"));
            if listening && TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if Instant::now() > deadline {
                self.kill();
                panic!(
                    "ferrodyn did not accept connections on {addr} within {READY_TIMEOUT_MS} ms\n{}",
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(POLL_INTERVAL_MS));
        }
    }

    /// SIGTERM, then waits for the exit; kills and panics past the time-out.
    fn terminate(&mut self) -> ExitStatus {
        let Some(mut child) = self.child.take() else {
            panic!("ferrodyn is not running\n{}", self.log_tail());
        };
        // kill(2) itself: a minimal system has no kill(1) (procps).
        rustix::process::kill_process(
            rustix::process::Pid::from_child(&child),
            rustix::process::Signal::TERM,
        )
        .unwrap_or_else(|e| {
            // Never leave a server behind, even when the test fails.
            let _ = child.kill();
            let _ = child.wait();
            panic!("kill -TERM {} failed: {e}", child.id())
        });
        let deadline = Instant::now() + Duration::from_millis(SHUTDOWN_TIMEOUT_MS);
        loop {
            if let Some(status) = child
                .try_wait()
                .unwrap_or_else(|e| panic!("cannot poll ferrodyn: {e}"))
            {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "ferrodyn did not exit within {SHUTDOWN_TIMEOUT_MS} ms of SIGTERM; killed\n{}",
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(POLL_INTERVAL_MS));
        }
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            // Errors mean the process is already gone, which is the goal.
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The end of the current log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read(self.log_path())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let mut start = text.len().saturating_sub(LOG_TAIL_BYTES_MAX);
        while !text.is_char_boundary(start) {
            start += 1;
        }
        format!(
            "--- ferrodyn log ({}) ---\n{}",
            self.log_path().display(),
            &text[start..]
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap_or_else(|e| panic!("cannot bind a probe socket: {e}"));
    listener
        .local_addr()
        .unwrap_or_else(|e| panic!("probe socket has no address: {e}"))
        .port()
}

/// An SDK client for `endpoint` over plain HTTP/1.1, with retries off (a
/// test sees the server's first answer), a bound on each call, and the
/// [`WireCheck`] interceptor.
pub fn client_for(endpoint: &str, access_key_id: &str, secret_access_key: &str) -> Client {
    // `build_http` is hidden from the crate's docs but public: it is the
    // TLS-free connector, which keeps aws-lc/ring out of this crate.
    let http = aws_smithy_http_client::Builder::new().build_http();
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(
            access_key_id,
            secret_access_key,
            None,
            None,
            "ferrodyn-e2e",
        ))
        .http_client(http)
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(Duration::from_millis(OPERATION_TIMEOUT_MS))
                .build(),
        )
        .interceptor(WireCheck)
        .build();
    Client::from_conf(config)
}

/// Checks every response, successes and errors alike, as DynamoDB's own
/// clients do or could: the `x-amz-crc32` header must be the CRC32 of the
/// body (several SDKs verify it and retry on mismatch; the Rust SDK does
/// not, so this interceptor does), `x-amzn-RequestId` must be present, and
/// the body must be `application/x-amz-json-1.0`. A failed check fails the
/// call with a message that says which.
#[derive(Debug, Clone, Copy)]
pub struct WireCheck;

impl Intercept for WireCheck {
    fn name(&self) -> &'static str {
        "ferrodyn-e2e WireCheck"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        let headers = response.headers();
        // The orchestrator reads the whole body before deserializing, so it
        // is in memory here for every non-streaming operation.
        let body = response
            .body()
            .bytes()
            .ok_or("response body was not buffered")?;
        let describe = || {
            format!(
                "status {}, body {}",
                response.status().as_u16(),
                String::from_utf8_lossy(&body[..body.len().min(500)])
            )
        };
        let crc = headers
            .get("x-amz-crc32")
            .ok_or_else(|| format!("response has no x-amz-crc32 header ({})", describe()))?;
        let expected = crc32fast::hash(body);
        if crc.parse::<u32>().ok() != Some(expected) {
            return Err(format!(
                "x-amz-crc32 is {crc:?} but the body's CRC32 is {expected} ({})",
                describe()
            )
            .into());
        }
        if headers.get("x-amzn-requestid").is_none_or(str::is_empty) {
            return Err(format!("response has no x-amzn-RequestId header ({})", describe()).into());
        }
        let content_type = headers.get("content-type").unwrap_or("");
        if content_type != "application/x-amz-json-1.0" {
            return Err(format!(
                "Content-Type is {content_type:?}, expected application/x-amz-json-1.0 ({})",
                describe()
            )
            .into());
        }
        Ok(())
    }
}

/// What a test asserts about a failed call: the error's code and message as
/// the SDK parsed them, and the HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorParts {
    /// `code()`: the `__type` after the `#`.
    pub code: String,
    /// `message()`.
    pub message: String,
    /// HTTP status.
    pub status: u16,
}

impl ErrorParts {
    /// An expectation, for `assert_eq!`.
    pub fn new(code: &str, message: &str, status: u16) -> ErrorParts {
        ErrorParts {
            code: code.to_owned(),
            message: message.to_owned(),
            status,
        }
    }
}

/// Unwraps the error of a call that must fail with a service error;
/// panics if it succeeded or failed without an answer from the server.
pub fn expect_service_error<T: std::fmt::Debug, E>(
    result: Result<T, SdkError<E, aws_sdk_dynamodb::config::http::HttpResponse>>,
) -> ErrorParts
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let err = match result {
        Ok(output) => panic!("expected an error, the call succeeded: {output:?}"),
        Err(err) => err,
    };
    let status = match &err {
        SdkError::ServiceError(service) => service.raw().status().as_u16(),
        other => panic!(
            "expected a service error, got: {}",
            DisplayErrorContext(other)
        ),
    };
    ErrorParts {
        code: err.code().unwrap_or_default().to_owned(),
        message: err.message().unwrap_or_default().to_owned(),
        status,
    }
}

/// Unwraps a call that must succeed, showing the whole error chain if not.
pub fn ok<T, E: std::error::Error + 'static>(result: Result<T, E>) -> T {
    match result {
        Ok(value) => value,
        Err(err) => panic!("call failed: {}", DisplayErrorContext(&err)),
    }
}

/// The ARN of table `name` in the default region and account.
pub fn table_arn(name: &str) -> String {
    format!("arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}")
}

/// A key attribute: its name and scalar type.
pub type KeyAttr<'a> = (&'a str, ScalarAttributeType);

/// Creates an on-demand table with the given hash and optional range key.
pub async fn create_on_demand(
    client: &Client,
    name: &str,
    hash: KeyAttr<'_>,
    range: Option<KeyAttr<'_>>,
) {
    let mut req = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest);
    for (attr, ty, key_type) in key_parts(hash, range) {
        req = req
            .attribute_definitions(ok(AttributeDefinition::builder()
                .attribute_name(attr)
                .attribute_type(ty)
                .build()))
            .key_schema(ok(KeySchemaElement::builder()
                .attribute_name(attr)
                .key_type(key_type)
                .build()));
    }
    ok(req.send().await);
}

/// Creates a provisioned table with the given keys and capacity units.
pub async fn create_provisioned(
    client: &Client,
    name: &str,
    hash: KeyAttr<'_>,
    range: Option<KeyAttr<'_>>,
    read_units: i64,
    write_units: i64,
) {
    let mut req = client
        .create_table()
        .table_name(name)
        .provisioned_throughput(throughput(read_units, write_units));
    for (attr, ty, key_type) in key_parts(hash, range) {
        req = req
            .attribute_definitions(ok(AttributeDefinition::builder()
                .attribute_name(attr)
                .attribute_type(ty)
                .build()))
            .key_schema(ok(KeySchemaElement::builder()
                .attribute_name(attr)
                .key_type(key_type)
                .build()));
    }
    ok(req.send().await);
}

fn key_parts<'a>(
    hash: KeyAttr<'a>,
    range: Option<KeyAttr<'a>>,
) -> Vec<(&'a str, ScalarAttributeType, KeyType)> {
    let mut parts = vec![(hash.0, hash.1, KeyType::Hash)];
    if let Some((attr, ty)) = range {
        parts.push((attr, ty, KeyType::Range));
    }
    parts
}

/// A `ProvisionedThroughput` with the given units.
pub fn throughput(read_units: i64, write_units: i64) -> ProvisionedThroughput {
    ok(ProvisionedThroughput::builder()
        .read_capacity_units(read_units)
        .write_capacity_units(write_units)
        .build())
}

#[cfg(test)]
mod tests {
    //! The harness's own checks, against a canned HTTP server: they need no
    //! ferrodyn binary.

    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;

    /// Serves one connection with `body` and `crc32` as the header value,
    /// and returns the client's view of a ListTables call.
    async fn list_tables_against(body: &'static str, crc32: String) -> Result<Vec<String>, String> {
        let listener =
            TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap_or_else(|e| panic!("bind: {e}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("addr: {e}"))
            .port();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap_or_else(|e| panic!("accept: {e}"));
            read_request(&mut stream);
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\nx-amzn-requestid: TESTREQUEST\r\n\
                 x-amz-crc32: {crc32}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            stream
                .write_all(response.as_bytes())
                .unwrap_or_else(|e| panic!("write: {e}"));
        });
        let client = client_for(&format!("http://127.0.0.1:{port}"), "AKID", "secret");
        let result = client
            .list_tables()
            .send()
            .await
            .map(|out| out.table_names().to_vec())
            .map_err(|e| DisplayErrorContext(&e).to_string());
        server
            .join()
            .unwrap_or_else(|_| panic!("canned server panicked"));
        result
    }

    /// Reads one HTTP/1.1 request: headers, then `content-length` bytes.
    fn read_request(stream: &mut TcpStream) {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = stream
                .read(&mut chunk)
                .unwrap_or_else(|e| panic!("read: {e}"));
            assert!(n > 0, "client closed before sending a whole request");
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).to_ascii_lowercase();
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                if buf.len() >= end + 4 + length {
                    return;
                }
            }
        }
    }

    #[tokio::test]
    async fn wire_check_accepts_a_correct_crc32() {
        let body = r#"{"TableNames":["a"]}"#;
        let names = list_tables_against(body, crc32fast::hash(body.as_bytes()).to_string()).await;
        assert_eq!(names, Ok(vec!["a".to_owned()]));
    }

    #[tokio::test]
    async fn wire_check_rejects_a_wrong_crc32() {
        let body = r#"{"TableNames":["a"]}"#;
        let wrong = crc32fast::hash(body.as_bytes()).wrapping_add(1).to_string();
        let err = list_tables_against(body, wrong)
            .await
            .expect_err("a wrong CRC32 must fail the call");
        assert!(err.contains("x-amz-crc32 is"), "{err}");
    }
}

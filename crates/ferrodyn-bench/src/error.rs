//! The generator's errors: why a run could not start or finish
//! ([`BenchError`]), and why one request got no HTTP response
//! ([`TransportError`]).

/// Why `ferrodyn bench` failed.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A flag's value is unusable.
    #[error("invalid --{flag}: {reason}")]
    InvalidArgument {
        /// The flag, without dashes.
        flag: &'static str,
        /// Why.
        reason: String,
    },
    /// The endpoint could not be reached before the run.
    #[error("cannot reach {endpoint}: {source}")]
    Connect {
        /// The endpoint.
        endpoint: String,
        /// Why.
        source: TransportError,
    },
    /// A set-up request (CreateTable, DescribeTable, preloading) failed.
    #[error("{operation} failed: {error_type}: {message}")]
    Setup {
        /// The operation.
        operation: &'static str,
        /// The error's `__type`, or `HTTP <status>`, or the transport error.
        error_type: String,
        /// The error's message.
        message: String,
    },
    /// A set-up request got no answer.
    #[error("request failed: {0}")]
    Transport(#[from] TransportError),
    /// The table did not become `ACTIVE` in time.
    #[error("table {table} is not ACTIVE after {waited_secs} s")]
    TableNotActive {
        /// The table.
        table: String,
        /// How long the generator waited.
        waited_secs: u64,
    },
    /// `/proc/<pid>/stat` could not be read (the `--server-pid` process, or
    /// the generator itself).
    #[error("cannot read CPU time of process {pid}: {source}")]
    ProcStat {
        /// The process, or `self`.
        pid: String,
        /// Why.
        source: std::io::Error,
    },
    /// Any other I/O failure (the runtime, the listener, the output).
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Why a request got no response.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The connection could not be opened.
    #[error("cannot connect: {0}")]
    Connect(std::io::Error),
    /// Reading or writing failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// HTTP failed (malformed response, connection reset mid-response).
    #[error("{0}")]
    Http(#[from] hyper::Error),
    /// A header value could not be built from the configured credentials.
    #[error("invalid header value")]
    Header(#[from] hyper::header::InvalidHeaderValue),
}

impl TransportError {
    /// The name the report counts this error under.
    pub fn kind(&self) -> &'static str {
        match self {
            TransportError::Connect(_) => "transport: connect",
            TransportError::Io(_) => "transport: io",
            TransportError::Http(_) => "transport: http",
            TransportError::Header(_) => "transport: header",
        }
    }
}

//! Settings: command-line flags, the same settings from `FERRODYN_*`
//! environment variables, and an optional TOML file, in that order of
//! precedence, over built-in defaults.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use clap::Args;
use ferrodyn_api::body::BodyLimits;
use ferrodyn_api::server::ConnectionLimits;
use ferrodyn_storage::rocks::DEFAULT_BLOCK_CACHE_BYTES;
use serde::Deserialize;

/// DynamoDB Local's port, so existing setups work unchanged.
pub const DEFAULT_PORT: u16 = 8000;
/// The default bind address: loopback only.
pub const DEFAULT_BIND: [u8; 4] = [127, 0, 0, 1];
/// The default data directory.
pub const DEFAULT_DATA_DIR: &str = "./ferrodyn-data";
/// The default region for clients whose signature names none.
pub const DEFAULT_REGION: &str = "us-east-1";
/// The default account, as DynamoDB Local uses.
pub const DEFAULT_ACCOUNT_ID: &str = "000000000000";
/// The default block cache is the storage engine's default
/// ([`DEFAULT_BLOCK_CACHE_BYTES`]) but no more than this fraction (1/N) of
/// the memory the server may use.
pub const DEFAULT_CACHE_MEMORY_DIVISOR: u64 = 4;

/// `ferrodyn serve` flags.
#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "FERRODYN_BIND")]
    pub bind: Option<IpAddr>,
    /// Port to listen on (0 picks a free port).
    #[arg(long, env = "FERRODYN_PORT")]
    pub port: Option<u16>,
    /// Directory for the durable store.
    #[arg(long, env = "FERRODYN_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Keep everything in memory; nothing touches disk.
    #[arg(long, env = "FERRODYN_IN_MEMORY")]
    pub in_memory: bool,
    /// Directory for backup files (default: `backups` in the data
    /// directory; in memory, a temporary directory removed at exit).
    #[arg(long, env = "FERRODYN_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,
    /// Directory whose subdirectories are the S3 buckets exports are
    /// written to (default: `exports` in the data directory; in memory,
    /// one in the temporary backup directory). Create a bucket with
    /// `mkdir <dir>/<bucket>`.
    #[arg(long, env = "FERRODYN_EXPORT_DIR")]
    pub export_dir: Option<PathBuf>,
    /// `http[s]://host[:port]` of an S3-compatible object store that
    /// exports are written to instead of `--export-dir` (AWS S3, MinIO,
    /// ...; path-style requests).
    #[arg(long, env = "FERRODYN_EXPORT_S3_ENDPOINT")]
    pub export_s3_endpoint: Option<String>,
    /// The region exports sign their requests for (default: the server's
    /// region).
    #[arg(long, env = "FERRODYN_EXPORT_S3_REGION")]
    pub export_s3_region: Option<String>,
    /// The access key id exports sign with.
    #[arg(long, env = "FERRODYN_EXPORT_S3_ACCESS_KEY_ID")]
    pub export_s3_access_key_id: Option<String>,
    /// The secret access key exports sign with.
    #[arg(
        long,
        env = "FERRODYN_EXPORT_S3_SECRET_ACCESS_KEY",
        hide_env_values = true
    )]
    pub export_s3_secret_access_key: Option<String>,
    /// Block cache of the durable store, in MiB (default 256, or a quarter
    /// of the memory the server may use if that is less).
    #[arg(long, env = "FERRODYN_CACHE_MB")]
    pub cache_mb: Option<u64>,
    /// Default region (used for ARNs when a signature names none).
    #[arg(long, env = "FERRODYN_REGION")]
    pub region: Option<String>,
    /// Account id of the default account.
    #[arg(long, env = "FERRODYN_ACCOUNT_ID")]
    pub account_id: Option<String>,
    /// TOML configuration file.
    #[arg(long, env = "FERRODYN_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log filter (tracing's EnvFilter syntax), e.g. `info` or `debug`.
    #[arg(long, env = "FERRODYN_LOG")]
    pub log: Option<String>,
    /// Most client connections open at once (default 4096, or fewer if the
    /// process may open fewer files).
    #[arg(long, env = "FERRODYN_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// A connection with no request in flight for this many seconds is
    /// closed (default 60).
    #[arg(long, env = "FERRODYN_IDLE_TIMEOUT_SECS")]
    pub idle_timeout_secs: Option<u64>,
    /// A request's head must arrive within this many seconds (default 10).
    #[arg(long, env = "FERRODYN_HEADER_TIMEOUT_SECS")]
    pub header_timeout_secs: Option<u64>,
    /// A request body gets this many seconds beyond what its length needs
    /// at the minimum rate; also the longest pause inside it (default 10).
    #[arg(long, env = "FERRODYN_BODY_TIMEOUT_SECS")]
    pub body_timeout_secs: Option<u64>,
    /// The slowest a request body may arrive, in KiB/s (default 64).
    #[arg(long, env = "FERRODYN_BODY_MIN_RATE_KIB")]
    pub body_min_rate_kib: Option<u64>,
    /// Most MiB of request bodies held in memory at once (default 256).
    #[arg(long, env = "FERRODYN_BODY_MEMORY_MB")]
    pub body_memory_mb: Option<u64>,
    /// How often the TTL sweeper looks for expired items, in milliseconds
    /// (default 1000; AWS takes up to days).
    #[arg(long, env = "FERRODYN_TTL_SWEEP_INTERVAL_MS")]
    pub ttl_sweep_interval_ms: Option<u64>,
    /// How long a stream shard stays open before it is closed and a child
    /// opened, in seconds (default 14400: four hours, as on AWS).
    #[arg(long, env = "FERRODYN_STREAM_SHARD_ROLLOVER_SECS")]
    pub stream_shard_rollover_secs: Option<u64>,
    /// How long stream records, and a disabled stream, are kept, in
    /// seconds (default 86400: 24 hours, as on AWS). Shorten it to see
    /// TrimmedDataAccessException in a consumer's tests.
    #[arg(long, env = "FERRODYN_STREAM_RETENTION_SECS")]
    pub stream_retention_secs: Option<u64>,
    /// How long a shard iterator can be used, in seconds (default 900:
    /// 15 minutes, as on AWS). Shorten it to see ExpiredIteratorException
    /// in a consumer's tests.
    #[arg(long, env = "FERRODYN_STREAM_ITERATOR_LIFETIME_SECS")]
    pub stream_iterator_lifetime_secs: Option<u64>,
    /// `http://host:port` of the Kinesis-compatible server that Kinesis
    /// streaming destinations publish to (none: enabling one fails).
    #[arg(long, env = "FERRODYN_KINESIS_ENDPOINT")]
    pub kinesis_endpoint: Option<String>,
    /// How far behind now LatestRestorableDateTime is, in seconds (default
    /// 300: five minutes, as on AWS). 0 lets a test restore what it has
    /// just written.
    #[arg(long, env = "FERRODYN_PITR_RESTORABLE_LAG_SECS")]
    pub pitr_restorable_lag_secs: Option<u64>,
    /// How often a table with point-in-time recovery gets a new snapshot,
    /// in seconds (default 86400: a restore replays at most a day of
    /// changes).
    #[arg(long, env = "FERRODYN_PITR_SNAPSHOT_INTERVAL_SECS")]
    pub pitr_snapshot_interval_secs: Option<u64>,
}

/// One `[[credentials]]` entry of the config file.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct CredentialEntry {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Account id; the default account if absent.
    pub account_id: Option<String>,
}

/// An S3-compatible store for exports.
#[derive(Debug, Clone)]
pub struct ExportS3 {
    /// `http[s]://host[:port]`.
    pub endpoint: String,
    /// The region requests are signed for.
    pub region: String,
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
}

/// Where backups go by default, inside the data directory.
pub const BACKUP_SUBDIR: &str = "backups";
/// Where export buckets are by default, inside the data directory.
pub const EXPORT_SUBDIR: &str = "exports";

/// The config file.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    bind: Option<IpAddr>,
    port: Option<u16>,
    data_dir: Option<PathBuf>,
    in_memory: Option<bool>,
    backup_dir: Option<PathBuf>,
    export_dir: Option<PathBuf>,
    export_s3_endpoint: Option<String>,
    export_s3_region: Option<String>,
    export_s3_access_key_id: Option<String>,
    export_s3_secret_access_key: Option<String>,
    cache_mb: Option<u64>,
    region: Option<String>,
    account_id: Option<String>,
    log: Option<String>,
    max_connections: Option<usize>,
    idle_timeout_secs: Option<u64>,
    header_timeout_secs: Option<u64>,
    body_timeout_secs: Option<u64>,
    body_min_rate_kib: Option<u64>,
    body_memory_mb: Option<u64>,
    ttl_sweep_interval_ms: Option<u64>,
    stream_shard_rollover_secs: Option<u64>,
    stream_retention_secs: Option<u64>,
    stream_iterator_lifetime_secs: Option<u64>,
    kinesis_endpoint: Option<String>,
    pitr_restorable_lag_secs: Option<u64>,
    pitr_snapshot_interval_secs: Option<u64>,
    #[serde(default)]
    credentials: Vec<CredentialEntry>,
}

/// The effective settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Listen address.
    pub bind: IpAddr,
    /// Listen port.
    pub port: u16,
    /// Data directory, or `None` for in-memory.
    pub data_dir: Option<PathBuf>,
    /// Where backup files go; `None`: a temporary directory (in memory
    /// without one named).
    pub backup_dir: Option<PathBuf>,
    /// The directory of export buckets; `None`: in the temporary backup
    /// directory.
    pub export_dir: Option<PathBuf>,
    /// The S3-compatible store exports go to instead, if any.
    pub export_s3: Option<ExportS3>,
    /// Block cache of the durable store, in bytes.
    pub cache_bytes: u64,
    /// Default region.
    pub region: String,
    /// Default account.
    pub account_id: String,
    /// Log filter.
    pub log: String,
    /// Credentials (empty: local development mode).
    pub credentials: Vec<CredentialEntry>,
    /// Bounds on connections.
    pub connections: ConnectionLimits,
    /// Bounds on request bodies.
    pub bodies: BodyLimits,
    /// How often the TTL sweeper starts a pass.
    pub ttl_sweep_interval_ms: i64,
    /// How long a stream shard stays open.
    pub stream_shard_rollover_ms: i64,
    /// How long stream records and disabled streams are kept.
    pub stream_retention_ms: i64,
    /// How long a shard iterator lives.
    pub stream_iterator_lifetime_ms: i64,
    /// The Kinesis-compatible server destinations publish to.
    pub kinesis_endpoint: Option<String>,
    /// How far behind now the latest restorable instant is.
    pub pitr_restorable_lag_ms: i64,
    /// How often point-in-time recovery takes a snapshot.
    pub pitr_snapshot_interval_ms: i64,
}

/// A configuration problem, reported before start-up.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The config file is not valid TOML for ferrodyn.
    #[error("invalid config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// Bound to a non-loopback address without credentials.
    #[error(
        "refusing to listen on {0} without credentials: local development mode (any signature accepted) is only allowed on a loopback address. Add [[credentials]] entries (access_key_id, secret_access_key, account_id) to a config file passed with --config, or bind to 127.0.0.1"
    )]
    OpenWithoutCredentials(IpAddr),
    /// A `[[credentials]]` entry is not usable.
    #[error("invalid [[credentials]] entry {index} (access_key_id {key:?}): {reason}")]
    Credential {
        /// Its position in the file, from 1.
        index: usize,
        /// Its access key id.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// A setting has a value ferrodyn cannot use.
    #[error("invalid setting {name} = {value}: {reason}")]
    Setting {
        /// The setting's name.
        name: &'static str,
        /// Its value.
        value: String,
        /// What is wrong.
        reason: &'static str,
    },
}

/// An account id: twelve digits, as on AWS.
fn is_account_id(s: &str) -> bool {
    s.len() == ACCOUNT_ID_DIGITS && s.bytes().all(|b| b.is_ascii_digit())
}

/// The digits of an account id.
pub const ACCOUNT_ID_DIGITS: usize = 12;

/// Checks the credentials: each has a non-empty access key id of plain
/// characters, a non-empty secret and a valid account, and no access key
/// id appears twice (one would silently replace the other).
fn check_credentials(entries: &[CredentialEntry]) -> Result<(), ConfigError> {
    let mut seen = std::collections::HashMap::new();
    for (i, entry) in entries.iter().enumerate() {
        let fail = |reason: String| ConfigError::Credential {
            index: i + 1,
            key: entry.access_key_id.clone(),
            reason,
        };
        if entry.access_key_id.is_empty() {
            return Err(fail("access_key_id is empty".into()));
        }
        if !entry
            .access_key_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(fail(
                "access_key_id may hold only letters, digits, '_' and '-'".into(),
            ));
        }
        if entry.secret_access_key.is_empty() {
            return Err(fail("secret_access_key is empty".into()));
        }
        if let Some(account) = &entry.account_id
            && !is_account_id(account)
        {
            return Err(fail(format!(
                "account_id {account:?} is not {ACCOUNT_ID_DIGITS} digits"
            )));
        }
        if let Some(first) = seen.insert(entry.access_key_id.as_str(), i + 1) {
            return Err(fail(format!(
                "the same access_key_id is also entry {first}; each key may appear once"
            )));
        }
    }
    Ok(())
}

/// A positive number of seconds as milliseconds.
fn positive_secs(name: &'static str, v: Option<u64>, default_ms: u64) -> Result<u64, ConfigError> {
    match v {
        None => Ok(default_ms),
        Some(0) => Err(ConfigError::Setting {
            name,
            value: "0".into(),
            reason: "must be at least 1",
        }),
        Some(secs) => Ok(secs.saturating_mul(1000)),
    }
}

fn positive<T: Copy + Default + PartialEq + std::fmt::Display>(
    name: &'static str,
    v: Option<T>,
) -> Result<Option<T>, ConfigError> {
    match v {
        Some(x) if x == T::default() => Err(ConfigError::Setting {
            name,
            value: x.to_string(),
            reason: "must be at least 1",
        }),
        other => Ok(other),
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

/// [`DEFAULT_BLOCK_CACHE_BYTES`], or a quarter of the memory this process may use
/// (the machine's, or its cgroup's limit when lower) if that is less.
fn default_cache_bytes() -> u64 {
    let machine = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| parse_meminfo_total(&text));
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|text| text.trim().parse::<u64>().ok());
    let quarter = machine
        .into_iter()
        .chain(cgroup)
        .min()
        .map(|bytes| bytes / DEFAULT_CACHE_MEMORY_DIVISOR);
    let default = DEFAULT_BLOCK_CACHE_BYTES as u64;
    quarter.map_or(default, |q| q.min(default))
}

/// File descriptors kept for storage, logs and the listener when the
/// default connection limit is derived from the process's file limit.
pub const RESERVED_FILE_DESCRIPTORS: u64 = 256;

/// [`ConnectionLimits`]'s default, but no more than the process may open
/// beside what storage needs: connections beyond that would fail with
/// "too many open files" anyway, and storage with them.
fn default_max_connections() -> usize {
    let default = ConnectionLimits::default().connections_max;
    match rustix::process::getrlimit(rustix::process::Resource::Nofile).current {
        Some(files) => {
            let room = files.saturating_sub(RESERVED_FILE_DESCRIPTORS).max(16);
            default.min(usize::try_from(room).unwrap_or(usize::MAX))
        }
        None => default,
    }
}

/// `MemTotal` of /proc/meminfo, in bytes.
fn parse_meminfo_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib = line.split_whitespace().nth(1)?.parse::<u64>().ok()?;
    kib.checked_mul(1024)
}

impl Settings {
    /// Merges flags, environment and file over the defaults.
    pub fn resolve(args: ServeArgs) -> Result<Settings, ConfigError> {
        let file = match &args.config {
            Some(p) => read_file(p)?,
            None => FileConfig::default(),
        };
        let in_memory = args.in_memory || file.in_memory.unwrap_or(false);
        let connection_defaults = ConnectionLimits::default();
        let body_defaults = BodyLimits::default();
        let export_s3 = match args
            .export_s3_endpoint
            .clone()
            .or(file.export_s3_endpoint.clone())
        {
            None => None,
            Some(endpoint) => {
                if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
                    return Err(ConfigError::Setting {
                        name: "export_s3_endpoint",
                        value: endpoint,
                        reason: "must be http[s]://host[:port]",
                    });
                }
                let required = |name: &'static str, v: Option<String>| {
                    v.ok_or(ConfigError::Setting {
                        name,
                        value: String::new(),
                        reason: "is required with export_s3_endpoint",
                    })
                };
                Some(ExportS3 {
                    endpoint,
                    region: args
                        .export_s3_region
                        .clone()
                        .or(file.export_s3_region.clone())
                        .or(args.region.clone())
                        .or(file.region.clone())
                        .unwrap_or_else(|| DEFAULT_REGION.to_owned()),
                    access_key_id: required(
                        "export_s3_access_key_id",
                        args.export_s3_access_key_id
                            .clone()
                            .or(file.export_s3_access_key_id.clone()),
                    )?,
                    secret_access_key: required(
                        "export_s3_secret_access_key",
                        args.export_s3_secret_access_key
                            .clone()
                            .or(file.export_s3_secret_access_key.clone()),
                    )?,
                })
            }
        };
        let settings = Settings {
            bind: args
                .bind
                .or(file.bind)
                .unwrap_or(IpAddr::from(DEFAULT_BIND)),
            port: args.port.or(file.port).unwrap_or(DEFAULT_PORT),
            data_dir: (!in_memory).then(|| {
                args.data_dir
                    .clone()
                    .or(file.data_dir.clone())
                    .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
            }),
            backup_dir: args.backup_dir.or(file.backup_dir).or_else(|| {
                (!in_memory).then(|| {
                    args.data_dir
                        .clone()
                        .or(file.data_dir.clone())
                        .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
                        .join(BACKUP_SUBDIR)
                })
            }),
            export_s3,
            export_dir: args.export_dir.or(file.export_dir).or_else(|| {
                (!in_memory).then(|| {
                    args.data_dir
                        .or(file.data_dir)
                        .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
                        .join(EXPORT_SUBDIR)
                })
            }),
            cache_bytes: args
                .cache_mb
                .or(file.cache_mb)
                .map_or_else(default_cache_bytes, |mb| mb.saturating_mul(1 << 20)),
            region: args
                .region
                .or(file.region)
                .unwrap_or_else(|| DEFAULT_REGION.to_owned()),
            account_id: args
                .account_id
                .or(file.account_id)
                .unwrap_or_else(|| DEFAULT_ACCOUNT_ID.to_owned()),
            log: args.log.or(file.log).unwrap_or_else(|| "info".to_owned()),
            credentials: file.credentials,
            connections: ConnectionLimits {
                connections_max: positive(
                    "max_connections",
                    args.max_connections.or(file.max_connections),
                )?
                .unwrap_or_else(default_max_connections),
                header_read_ms: positive_secs(
                    "header_timeout_secs",
                    args.header_timeout_secs.or(file.header_timeout_secs),
                    connection_defaults.header_read_ms,
                )?,
                idle_ms: positive_secs(
                    "idle_timeout_secs",
                    args.idle_timeout_secs.or(file.idle_timeout_secs),
                    connection_defaults.idle_ms,
                )?,
                ..connection_defaults
            },
            bodies: BodyLimits {
                grace_ms: positive_secs(
                    "body_timeout_secs",
                    args.body_timeout_secs.or(file.body_timeout_secs),
                    body_defaults.grace_ms,
                )?,
                min_rate_bytes_per_sec: positive(
                    "body_min_rate_kib",
                    args.body_min_rate_kib.or(file.body_min_rate_kib),
                )?
                .map_or(body_defaults.min_rate_bytes_per_sec, |k| {
                    k.saturating_mul(1024)
                }),
                in_flight_bytes_max: positive(
                    "body_memory_mb",
                    args.body_memory_mb.or(file.body_memory_mb),
                )?
                .map_or(body_defaults.in_flight_bytes_max, |mb| {
                    usize::try_from(mb.saturating_mul(1 << 20)).unwrap_or(usize::MAX)
                }),
            },
            ttl_sweep_interval_ms: positive(
                "ttl_sweep_interval_ms",
                args.ttl_sweep_interval_ms.or(file.ttl_sweep_interval_ms),
            )?
            .map_or(ferrodyn_core::jobs::TTL_SWEEP_INTERVAL_MILLIS, |ms| {
                i64::try_from(ms).unwrap_or(i64::MAX)
            }),
            stream_shard_rollover_ms: positive_secs(
                "stream_shard_rollover_secs",
                args.stream_shard_rollover_secs
                    .or(file.stream_shard_rollover_secs),
                ferrodyn_core::stream::SHARD_ROLLOVER_MILLIS as u64,
            )
            .map(|ms| i64::try_from(ms).unwrap_or(i64::MAX))?,
            stream_retention_ms: positive_secs(
                "stream_retention_secs",
                args.stream_retention_secs.or(file.stream_retention_secs),
                ferrodyn_core::stream::STREAM_RETENTION_MILLIS as u64,
            )
            .map(|ms| i64::try_from(ms).unwrap_or(i64::MAX))?,
            stream_iterator_lifetime_ms: positive_secs(
                "stream_iterator_lifetime_secs",
                args.stream_iterator_lifetime_secs
                    .or(file.stream_iterator_lifetime_secs),
                ferrodyn_core::ops::streams::ITERATOR_LIFETIME_MILLIS as u64,
            )
            .map(|ms| i64::try_from(ms).unwrap_or(i64::MAX))?,
            kinesis_endpoint: args.kinesis_endpoint.or(file.kinesis_endpoint),
            pitr_restorable_lag_ms: args
                .pitr_restorable_lag_secs
                .or(file.pitr_restorable_lag_secs)
                .map_or(
                    ferrodyn_core::backup::pitr::LATEST_RESTORABLE_LAG_MILLIS,
                    |secs| i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX),
                ),
            pitr_snapshot_interval_ms: positive_secs(
                "pitr_snapshot_interval_secs",
                args.pitr_snapshot_interval_secs
                    .or(file.pitr_snapshot_interval_secs),
                ferrodyn_core::backup::pitr::PITR_SNAPSHOT_INTERVAL_MILLIS_DEFAULT as u64,
            )
            .map(|ms| i64::try_from(ms).unwrap_or(i64::MAX))?,
        };
        if let Some(e) = &settings.kinesis_endpoint
            && !e.starts_with("http://")
        {
            return Err(ConfigError::Setting {
                name: "kinesis_endpoint",
                value: e.clone(),
                reason: "must be http://host:port",
            });
        }
        if !is_account_id(&settings.account_id) {
            return Err(ConfigError::Setting {
                name: "account_id",
                value: settings.account_id.clone(),
                reason: "an account id is 12 digits",
            });
        }
        check_credentials(&settings.credentials)?;
        if settings.credentials.is_empty() && !settings.bind.is_loopback() {
            return Err(ConfigError::OpenWithoutCredentials(settings.bind));
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let s = Settings::resolve(ServeArgs::default()).expect("defaults are valid");
        assert_eq!(s.port, DEFAULT_PORT);
        assert_eq!(s.bind, IpAddr::from(DEFAULT_BIND));
        assert_eq!(s.data_dir, Some(PathBuf::from(DEFAULT_DATA_DIR)));
        assert_eq!(s.account_id, DEFAULT_ACCOUNT_ID);
    }

    #[test]
    fn open_bind_needs_credentials() {
        let args = ServeArgs {
            bind: Some(IpAddr::from([0, 0, 0, 0])),
            ..ServeArgs::default()
        };
        assert!(matches!(
            Settings::resolve(args),
            Err(ConfigError::OpenWithoutCredentials(_))
        ));
    }

    #[test]
    fn file_then_flags() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f.toml");
        std::fs::write(
            &path,
            "port = 9000\nregion = \"eu-west-1\"\n[[credentials]]\naccess_key_id = \"AK\"\nsecret_access_key = \"s\"\naccount_id = \"111111111111\"\n",
        )
        .expect("write");
        let args = ServeArgs {
            config: Some(path),
            port: Some(9100),
            ..ServeArgs::default()
        };
        let s = Settings::resolve(args).expect("valid");
        assert_eq!(s.port, 9100, "flags win over the file");
        assert_eq!(s.region, "eu-west-1");
        assert_eq!(s.credentials.len(), 1);
    }

    fn with_file(text: &str) -> Result<Settings, ConfigError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f.toml");
        std::fs::write(&path, text).expect("write");
        Settings::resolve(ServeArgs {
            config: Some(path),
            ..ServeArgs::default()
        })
    }

    fn credential(key: &str, secret: &str, account: &str) -> String {
        format!(
            "[[credentials]]\naccess_key_id = \"{key}\"\nsecret_access_key = \"{secret}\"\naccount_id = \"{account}\"\n"
        )
    }

    #[test]
    fn invalid_credentials_refuse_to_start_naming_the_entry() {
        let ok = credential("AK1", "secret", "111111111111");
        assert!(with_file(&ok).is_ok());
        let duplicate = ok.clone() + &credential("AK1", "other", "222222222222");
        let e = with_file(&duplicate).expect_err("duplicate key");
        assert_eq!(
            e.to_string(),
            "invalid [[credentials]] entry 2 (access_key_id \"AK1\"): the same access_key_id is also entry 1; each key may appear once"
        );
        let e = with_file(&(ok.clone() + &credential("AK2", "", "111111111111")))
            .expect_err("empty secret");
        assert_eq!(
            e.to_string(),
            "invalid [[credentials]] entry 2 (access_key_id \"AK2\"): secret_access_key is empty"
        );
        let e = with_file(&credential("", "s", "111111111111")).expect_err("empty key");
        assert!(
            e.to_string().contains("entry 1") && e.to_string().contains("access_key_id is empty")
        );
        let e = with_file(&credential("AK/1", "s", "111111111111")).expect_err("bad key");
        assert!(e.to_string().contains("only letters"), "{e}");
        let e = with_file(&credential("AK3", "s", "12345")).expect_err("bad account");
        assert!(e.to_string().contains("\"12345\" is not 12 digits"), "{e}");
    }

    #[test]
    fn invalid_settings_refuse_to_start() {
        let e = with_file("account_id = \"abc\"\n").expect_err("account");
        assert_eq!(
            e.to_string(),
            "invalid setting account_id = abc: an account id is 12 digits"
        );
        for (text, name) in [
            ("idle_timeout_secs = 0\n", "idle_timeout_secs"),
            ("max_connections = 0\n", "max_connections"),
            ("body_memory_mb = 0\n", "body_memory_mb"),
            ("stream_retention_secs = 0\n", "stream_retention_secs"),
            (
                "stream_iterator_lifetime_secs = 0\n",
                "stream_iterator_lifetime_secs",
            ),
        ] {
            let e = with_file(text).expect_err(name);
            assert!(
                e.to_string()
                    .starts_with(&format!("invalid setting {name} = 0")),
                "{e}"
            );
        }
        let s = with_file("idle_timeout_secs = 5\nmax_connections = 7\nbody_min_rate_kib = 2\n")
            .expect("valid");
        assert_eq!(s.connections.idle_ms, 5_000);
        assert_eq!(s.connections.connections_max, 7);
        assert_eq!(s.bodies.min_rate_bytes_per_sec, 2048);
        let s = with_file("stream_retention_secs = 2\nstream_iterator_lifetime_secs = 3\n")
            .expect("valid");
        assert_eq!(s.stream_retention_ms, 2_000);
        assert_eq!(s.stream_iterator_lifetime_ms, 3_000);
        let s = Settings::resolve(ServeArgs::default()).expect("defaults are valid");
        assert_eq!(s.stream_retention_ms, 24 * 60 * 60 * 1000);
        assert_eq!(s.stream_iterator_lifetime_ms, 15 * 60 * 1000);
        // Unknown keys are refused too (a typo must not pass silently).
        assert!(with_file("idle_timeout = 5\n").is_err());
    }

    #[test]
    fn cache_size() {
        let meminfo = "MemTotal:       24684000 kB\nMemFree:        23342000 kB\n";
        assert_eq!(parse_meminfo_total(meminfo), Some(24_684_000 * 1024));
        assert_eq!(parse_meminfo_total("MemFree: 1 kB\n"), None);
        let s = Settings::resolve(ServeArgs::default()).expect("defaults are valid");
        assert!(s.cache_bytes > 0 && s.cache_bytes <= DEFAULT_BLOCK_CACHE_BYTES as u64);
        let args = ServeArgs {
            cache_mb: Some(64),
            ..ServeArgs::default()
        };
        let s = Settings::resolve(args).expect("valid");
        assert_eq!(s.cache_bytes, 64 << 20);
    }
}

//! Settings: command-line flags, the same settings from `FERRODYN_*`
//! environment variables, and an optional TOML file, in that order of
//! precedence, over built-in defaults.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use clap::Args;
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

/// The config file.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    bind: Option<IpAddr>,
    port: Option<u16>,
    data_dir: Option<PathBuf>,
    in_memory: Option<bool>,
    cache_mb: Option<u64>,
    region: Option<String>,
    account_id: Option<String>,
    log: Option<String>,
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
        let settings = Settings {
            bind: args
                .bind
                .or(file.bind)
                .unwrap_or(IpAddr::from(DEFAULT_BIND)),
            port: args.port.or(file.port).unwrap_or(DEFAULT_PORT),
            data_dir: (!in_memory).then(|| {
                args.data_dir
                    .or(file.data_dir)
                    .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
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
        };
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

//! `ferrodyn backup`, `ferrodyn restore` and `ferrodyn export`: an
//! operator's commands for the backups, restores and exports of a running
//! server. They speak only the public API (CreateBackup, DescribeBackup,
//! ListBackups, RestoreTableFromBackup, RestoreTableToPointInTime,
//! ExportTableToPointInTime, DescribeExport, DescribeTable), so they work
//! against any DynamoDB endpoint, and wait for the work to finish, with a
//! progress bar on a terminal.
//!
//! ```text
//! ferrodyn backup create --table T [--name N]     prints the backup's ARN
//! ferrodyn backup list [--table T] [--type ALL]   one line per backup
//! ferrodyn restore --backup-arn A --target T
//! ferrodyn restore --source-table S [--time 2026-12-07T21:00:00Z] --target T
//! ferrodyn export --table T --bucket B [--prefix P] [--format ION] [--time ...]
//! ```

use std::time::Duration;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::client::Client;
use crate::conn::Endpoint;
use crate::error::BenchError;
use crate::sigv4::Signer;
use crate::workload::Op;

/// How often a wait asks how far the work has got.
const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// Where the server is and how to sign for it.
#[derive(Debug, Args)]
pub struct Connection {
    /// The endpoint: `http://host[:port]`.
    #[arg(long, default_value = "http://127.0.0.1:8000")]
    pub endpoint: String,
    /// Region in the signature's scope.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// Access key id to sign with.
    #[arg(long, default_value = "ferrodyn-cli")]
    pub access_key: String,
    /// Secret access key to sign with.
    #[arg(long, default_value = "ferrodyn-cli")]
    pub secret_key: String,
}

/// `ferrodyn backup` commands.
#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// Back a table up and wait until the backup is AVAILABLE; prints its
    /// ARN.
    Create(CreateArgs),
    /// List backups, one per line: ARN, status, type, items, bytes,
    /// creation time.
    List(ListArgs),
}

/// `ferrodyn backup create` flags.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The table to back up.
    #[arg(long)]
    pub table: String,
    /// The backup's name (default: the table's name and the time).
    #[arg(long)]
    pub name: Option<String>,
    /// Print the ARN as soon as the backup is accepted.
    #[arg(long)]
    pub no_wait: bool,
    /// The server.
    #[command(flatten)]
    pub connection: Connection,
}

/// `ferrodyn backup list` flags.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this table's backups.
    #[arg(long)]
    pub table: Option<String>,
    /// `USER` (the default), `SYSTEM` or `ALL`.
    #[arg(long = "type")]
    pub backup_type: Option<String>,
    /// The server.
    #[command(flatten)]
    pub connection: Connection,
}

/// `ferrodyn restore` flags.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The table to create.
    #[arg(long)]
    pub target: String,
    /// Restore this backup.
    #[arg(
        long,
        conflicts_with = "source_table",
        required_unless_present = "source_table"
    )]
    pub backup_arn: Option<String>,
    /// Restore this table (point-in-time recovery) as of `--time`.
    #[arg(long)]
    pub source_table: Option<String>,
    /// The instant to restore, RFC 3339 (default: the latest restorable
    /// time).
    #[arg(long, requires = "source_table")]
    pub time: Option<String>,
    /// Return as soon as the restore is accepted.
    #[arg(long)]
    pub no_wait: bool,
    /// The server.
    #[command(flatten)]
    pub connection: Connection,
}

/// `ferrodyn export` flags.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The table to export (its point-in-time recovery must be on).
    #[arg(long)]
    pub table: String,
    /// The bucket to write to.
    #[arg(long)]
    pub bucket: String,
    /// The key prefix inside the bucket.
    #[arg(long)]
    pub prefix: Option<String>,
    /// `DYNAMODB_JSON` (the default) or `ION`.
    #[arg(long)]
    pub format: Option<String>,
    /// The instant to export, RFC 3339 (default: now).
    #[arg(long)]
    pub time: Option<String>,
    /// The server.
    #[command(flatten)]
    pub connection: Connection,
}

/// Runs `ferrodyn export`: prints the export's manifest key once it is
/// COMPLETED (and fails with its failure otherwise).
pub fn run_export(args: ExportArgs) -> Result<(), BenchError> {
    runtime()?.block_on(export(args))
}

/// Runs a `ferrodyn backup` command.
pub fn run_backup(command: BackupCommand) -> Result<(), BenchError> {
    runtime()?.block_on(async {
        match command {
            BackupCommand::Create(args) => create(args).await,
            BackupCommand::List(args) => list(args).await,
        }
    })
}

/// Runs `ferrodyn restore`.
pub fn run_restore(args: RestoreArgs) -> Result<(), BenchError> {
    runtime()?.block_on(restore(args))
}

fn runtime() -> Result<tokio::runtime::Runtime, BenchError> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

fn signer(c: &Connection, endpoint: &Endpoint) -> Signer {
    Signer::new(&c.access_key, &c.secret_key, &c.region, &endpoint.host)
}

/// A spinner (no total) or a bar, drawn on stderr only on a terminal.
fn progress(message: String, total: Option<u64>) -> ProgressBar {
    let bar = match total {
        Some(total) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} items ({per_sec}, {eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner(),
    };
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

async fn create(args: CreateArgs) -> Result<(), BenchError> {
    let endpoint = Endpoint::parse(&args.connection.endpoint)?;
    let mut client = Client::new(&endpoint, signer(&args.connection, &endpoint))?;
    let name = args.name.unwrap_or_else(|| {
        let now = OffsetDateTime::now_utc();
        format!("{}-{}", args.table, now.unix_timestamp())
    });
    let created = client
        .call(
            Op::CreateBackup,
            json!({ "TableName": args.table, "BackupName": name }),
        )
        .await?;
    let arn = created["BackupDetails"]["BackupArn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if !args.no_wait {
        let bar = progress(format!("backing up {}", args.table), None);
        loop {
            let d = client
                .call(Op::DescribeBackup, json!({ "BackupArn": arn }))
                .await?;
            let details = &d["BackupDescription"]["BackupDetails"];
            if details["BackupStatus"] == "AVAILABLE" {
                bar.finish_and_clear();
                eprintln!(
                    "backup AVAILABLE: {} items, {} bytes",
                    d["BackupDescription"]["SourceTableDetails"]["ItemCount"],
                    details["BackupSizeBytes"]
                );
                break;
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }
    println!("{arn}");
    Ok(())
}

async fn list(args: ListArgs) -> Result<(), BenchError> {
    let endpoint = Endpoint::parse(&args.connection.endpoint)?;
    let mut client = Client::new(&endpoint, signer(&args.connection, &endpoint))?;
    let mut request = json!({});
    if let Some(t) = &args.table {
        request["TableName"] = json!(t);
    }
    if let Some(t) = &args.backup_type {
        request["BackupType"] = json!(t);
    }
    loop {
        let page = client.call(Op::ListBackups, request.clone()).await?;
        for b in page["BackupSummaries"].as_array().into_iter().flatten() {
            println!(
                "{}\t{}\t{}\t{}\t{}",
                b["BackupArn"].as_str().unwrap_or_default(),
                b["BackupStatus"].as_str().unwrap_or_default(),
                b["BackupType"].as_str().unwrap_or_default(),
                b["BackupSizeBytes"],
                iso(&b["BackupCreationDateTime"]),
            );
        }
        match page.get("LastEvaluatedBackupArn") {
            Some(last) => request["ExclusiveStartBackupArn"] = last.clone(),
            None => return Ok(()),
        }
    }
}

/// An epoch-seconds number as RFC 3339.
fn iso(v: &Value) -> String {
    v.as_f64()
        .and_then(|s| OffsetDateTime::from_unix_timestamp_nanos((s * 1e9) as i128).ok())
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// `--time` as epoch seconds.
fn epoch_seconds(t: &str) -> Result<f64, BenchError> {
    let at = OffsetDateTime::parse(t, &Rfc3339).map_err(|e| BenchError::InvalidArgument {
        flag: "time",
        reason: e.to_string(),
    })?;
    Ok(at.unix_timestamp_nanos() as f64 / 1e9)
}

async fn export(args: ExportArgs) -> Result<(), BenchError> {
    let endpoint = Endpoint::parse(&args.connection.endpoint)?;
    let mut client = Client::new(&endpoint, signer(&args.connection, &endpoint))?;
    let table = client
        .call(Op::DescribeTable, json!({ "TableName": args.table }))
        .await?;
    let mut request = json!({
        "TableArn": table["Table"]["TableArn"],
        "S3Bucket": args.bucket,
    });
    if let Some(p) = &args.prefix {
        request["S3Prefix"] = json!(p);
    }
    if let Some(f) = &args.format {
        request["ExportFormat"] = json!(f);
    }
    if let Some(t) = &args.time {
        request["ExportTime"] = json!(epoch_seconds(t)?);
    }
    let started = client.call(Op::ExportTableToPointInTime, request).await?;
    let arn = started["ExportDescription"]["ExportArn"].clone();
    let bar = progress(format!("exporting {}", args.table), None);
    loop {
        let d = client
            .call(Op::DescribeExport, json!({ "ExportArn": arn }))
            .await?;
        let e = &d["ExportDescription"];
        match e["ExportStatus"].as_str() {
            Some("IN_PROGRESS") => tokio::time::sleep(POLL_INTERVAL).await,
            Some("COMPLETED") => {
                bar.finish_and_clear();
                eprintln!("export COMPLETED: {} items", e["ItemCount"]);
                println!("{}", e["ExportManifest"].as_str().unwrap_or_default());
                return Ok(());
            }
            _ => {
                bar.finish_and_clear();
                return Err(BenchError::Setup {
                    operation: "ExportTableToPointInTime",
                    error_type: e["FailureCode"].as_str().unwrap_or("FAILED").to_owned(),
                    message: e["FailureMessage"].as_str().unwrap_or_default().to_owned(),
                });
            }
        }
    }
}

async fn restore(args: RestoreArgs) -> Result<(), BenchError> {
    let endpoint = Endpoint::parse(&args.connection.endpoint)?;
    let mut client = Client::new(&endpoint, signer(&args.connection, &endpoint))?;
    let total = match (&args.backup_arn, &args.source_table) {
        (Some(arn), _) => {
            let d = client
                .call(Op::DescribeBackup, json!({ "BackupArn": arn }))
                .await?;
            client
                .call(
                    Op::RestoreTableFromBackup,
                    json!({ "BackupArn": arn, "TargetTableName": args.target }),
                )
                .await?;
            d["BackupDescription"]["SourceTableDetails"]["ItemCount"].as_u64()
        }
        (None, Some(source)) => {
            let mut request = json!({ "SourceTableName": source, "TargetTableName": args.target });
            match &args.time {
                Some(t) => request["RestoreDateTime"] = json!(epoch_seconds(t)?),
                None => request["UseLatestRestorableTime"] = json!(true),
            }
            client.call(Op::RestoreTableToPointInTime, request).await?;
            None
        }
        (None, None) => {
            return Err(BenchError::InvalidArgument {
                flag: "backup-arn",
                reason: "give --backup-arn or --source-table".into(),
            });
        }
    };
    if args.no_wait {
        return Ok(());
    }
    let bar = progress(format!("restoring {}", args.target), total);
    loop {
        let d = client
            .call(Op::DescribeTable, json!({ "TableName": args.target }))
            .await?;
        let items = d["Table"]["ItemCount"].as_u64().unwrap_or(0);
        bar.set_position(items);
        if d["Table"]["TableStatus"] == "ACTIVE" {
            bar.finish_and_clear();
            println!("{} ACTIVE: {items} items", args.target);
            return Ok(());
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

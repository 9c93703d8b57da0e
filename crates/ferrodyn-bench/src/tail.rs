//! `ferrodyn streams tail --table T`: prints a table's stream records as
//! they arrive, one JSON object per line (each exactly as GetRecords
//! answered it), following shard lineage as a Kinesis-adapter consumer
//! does. It speaks only the public API (DescribeTable, DescribeStream,
//! GetShardIterator, GetRecords), so it is also an end-to-end check of it.
//!
//! A shard is read only once its parent has been read to its end (or is
//! gone), so records of one item come out in the order they were written.
//! Without `--from-start`, the shards open when tail starts are read from
//! their newest record on (LATEST), as `tail -f` does; shards opened later
//! are always read from their start.

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::time::Duration;

use clap::Args;
use serde_json::json;

use crate::client::Client;
use crate::conn::Endpoint;
use crate::error::BenchError;
use crate::sigv4::Signer;
use crate::workload::Op;

/// How long tail waits after a round that found no record.
const POLL_IDLE_MS: u64 = 500;
/// How often the shard list is read again.
const DESCRIBE_EVERY_ROUNDS: u32 = 10;

/// `ferrodyn streams tail` flags.
#[derive(Debug, Args)]
pub struct TailArgs {
    /// The table whose latest stream to follow.
    #[arg(long)]
    pub table: String,
    /// The endpoint: `http://host[:port]`.
    #[arg(long, default_value = "http://127.0.0.1:8000")]
    pub endpoint: String,
    /// Read every shard from its oldest record still kept.
    #[arg(long)]
    pub from_start: bool,
    /// Stop after printing this many records.
    #[arg(long)]
    pub max_records: Option<u64>,
    /// Stop after this many seconds without a new record.
    #[arg(long)]
    pub idle_exit_secs: Option<u64>,
    /// Region in the signature's scope.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// Access key id to sign with.
    #[arg(long, default_value = "ferrodyn-tail")]
    pub access_key: String,
    /// Secret access key to sign with.
    #[arg(long, default_value = "ferrodyn-tail")]
    pub secret_key: String,
}

/// What tail knows of one shard.
#[derive(Debug)]
enum ShardState {
    /// Not read yet: waiting for its parent, or for its first iterator.
    Waiting { parent: Option<String> },
    /// Being read.
    Reading { iterator: String },
    /// Read to its end.
    Done,
}

/// Runs `ferrodyn streams tail`.
pub fn run(args: TailArgs) -> Result<(), BenchError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(tail(args))
}

async fn tail(args: TailArgs) -> Result<(), BenchError> {
    let endpoint = Endpoint::parse(&args.endpoint)?;
    let signer = Signer::new(
        &args.access_key,
        &args.secret_key,
        &args.region,
        &endpoint.host,
    );
    let mut client = Client::new(&endpoint, signer)?;
    let table = client
        .call(Op::DescribeTable, json!({ "TableName": args.table }))
        .await?;
    let Some(arn) = table["Table"]["LatestStreamArn"]
        .as_str()
        .map(str::to_owned)
    else {
        return Err(BenchError::InvalidArgument {
            flag: "table",
            reason: format!("{} has no stream", args.table),
        });
    };
    let mut shards: HashMap<String, ShardState> = HashMap::new();
    // Shards in the order DescribeStream lists them (oldest first).
    let mut order: Vec<String> = Vec::new();
    let mut first_listing = true;
    let mut printed = 0u64;
    let mut idle = Duration::ZERO;
    let mut round = 0u32;
    let stdout = std::io::stdout();
    loop {
        if round.is_multiple_of(DESCRIBE_EVERY_ROUNDS) {
            let listed = describe_all(&mut client, &arn).await?;
            let known: HashSet<String> = listed.iter().map(|(id, ..)| id.clone()).collect();
            for (id, parent, closed) in listed {
                if shards.contains_key(&id) {
                    continue;
                }
                order.push(id.clone());
                // At the first listing without --from-start, closed shards
                // are history and open ones are read from their newest.
                let state = if first_listing && !args.from_start {
                    if closed {
                        ShardState::Done
                    } else {
                        let it = iterator(&mut client, &arn, &id, "LATEST").await?;
                        ShardState::Reading { iterator: it }
                    }
                } else {
                    ShardState::Waiting {
                        parent: parent.filter(|p| known.contains(p)),
                    }
                };
                shards.insert(id, state);
            }
            first_listing = false;
        }
        round = round.wrapping_add(1);
        let mut got = 0usize;
        for id in &order {
            // A shard starts once its parent is done.
            let ready = match shards.get(id) {
                Some(ShardState::Waiting { parent }) => parent
                    .as_ref()
                    .is_none_or(|p| matches!(shards.get(p), Some(ShardState::Done) | None)),
                _ => false,
            };
            if ready {
                let it = iterator(&mut client, &arn, id, "TRIM_HORIZON").await?;
                shards.insert(id.clone(), ShardState::Reading { iterator: it });
            }
            let Some(ShardState::Reading { iterator }) = shards.get(id) else {
                continue;
            };
            let page = client
                .call(Op::GetRecords, json!({ "ShardIterator": iterator }))
                .await?;
            let records = page["Records"].as_array().cloned().unwrap_or_default();
            {
                let mut out = stdout.lock();
                for r in &records {
                    writeln!(out, "{r}")?;
                    printed += 1;
                    if args.max_records.is_some_and(|max| printed >= max) {
                        out.flush()?;
                        return Ok(());
                    }
                }
                out.flush()?;
            }
            got += records.len();
            let next = match page["NextShardIterator"].as_str() {
                Some(next) => ShardState::Reading {
                    iterator: next.to_owned(),
                },
                None => ShardState::Done,
            };
            shards.insert(id.clone(), next);
        }
        if got == 0 {
            if args
                .idle_exit_secs
                .is_some_and(|secs| idle >= Duration::from_secs(secs))
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(POLL_IDLE_MS)).await;
            idle += Duration::from_millis(POLL_IDLE_MS);
        } else {
            idle = Duration::ZERO;
        }
    }
}

/// Every shard of the stream: (id, parent, closed).
async fn describe_all(
    client: &mut Client<'_>,
    arn: &str,
) -> Result<Vec<(String, Option<String>, bool)>, BenchError> {
    let mut out = Vec::new();
    let mut start: Option<String> = None;
    loop {
        let mut body = json!({ "StreamArn": arn });
        if let Some(s) = &start {
            body["ExclusiveStartShardId"] = json!(s);
        }
        let d = client.call(Op::DescribeStream, body).await?;
        let desc = &d["StreamDescription"];
        for shard in desc["Shards"].as_array().into_iter().flatten() {
            out.push((
                shard["ShardId"].as_str().unwrap_or_default().to_owned(),
                shard["ParentShardId"].as_str().map(str::to_owned),
                shard["SequenceNumberRange"]["EndingSequenceNumber"].is_string(),
            ));
        }
        match desc["LastEvaluatedShardId"].as_str() {
            Some(last) => start = Some(last.to_owned()),
            None => return Ok(out),
        }
    }
}

async fn iterator(
    client: &mut Client<'_>,
    arn: &str,
    shard: &str,
    kind: &str,
) -> Result<String, BenchError> {
    let got = client
        .call(
            Op::GetShardIterator,
            json!({ "StreamArn": arn, "ShardId": shard, "ShardIteratorType": kind }),
        )
        .await?;
    Ok(got["ShardIterator"].as_str().unwrap_or_default().to_owned())
}

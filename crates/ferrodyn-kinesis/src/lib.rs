//! Kinesis Data Streams for DynamoDB: sending a table's change records to a
//! Kinesis stream, as AWS does, on a Kinesis-compatible server named by the
//! configuration (`--kinesis-endpoint`).
//!
//! The core captures records for every destination that is `ENABLING` or
//! `ACTIVE` (`ferrodyn_core::kinesis`); this crate is the publisher that
//! runs beside the server:
//!
//! ```text
//! every pass:  ENABLING destination -> DescribeStreamSummary(stream)
//!                  ACTIVE stream      -> destination ACTIVE
//!                  anything else      -> ENABLE_FAILED with the reason
//!              ACTIVE destination  -> up to 500 records from its capture log
//!                  -> PutRecords -> acknowledged to the core (cursor, trim)
//! ```
//!
//! Records are JSON in AWS's Kinesis format ([`record_json`]), partitioned by
//! a hash of the item's key, so that one item's records stay in one shard
//! in order. A record is sent at least once: after a failure, or a crash
//! before the core recorded the send, it is sent again (AWS documents that
//! Kinesis records may be duplicated).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use ferrodyn_core::Database;
use ferrodyn_core::change::{DecodedChange, Event, Origin};
use ferrodyn_core::kinesis::{DestinationStatus, KinesisDestination};
use ferrodyn_core::table::TableMeta;
use ferrodyn_model::{AttributeValue, Item};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

/// Records per PutRecords call (Kinesis's limit).
pub const PUT_RECORDS_MAX: usize = 500;
/// How long the publisher waits when it had nothing to send.
const IDLE_MS: u64 = 100;

/// Why a call to Kinesis failed.
#[derive(Debug, thiserror::Error)]
pub enum KinesisError {
    /// The request could not be made or answered.
    #[error("cannot reach Kinesis: {0}")]
    Transport(String),
    /// Kinesis answered with an error.
    #[error("{kind}: {message}")]
    Service {
        /// The error's type.
        kind: String,
        /// Its message.
        message: String,
    },
    /// The core failed.
    #[error(transparent)]
    Core(#[from] ferrodyn_core::CoreError),
}

/// Where and how to reach Kinesis.
#[derive(Clone, Debug)]
pub struct KinesisConfig {
    /// `http://host:port` of a Kinesis-compatible server.
    pub endpoint: String,
    /// Access key id to sign with.
    pub access_key_id: String,
    /// Secret access key to sign with.
    pub secret_access_key: String,
}

/// A Kinesis stream named by its ARN: `arn:aws:kinesis:<region>:<account>:stream/<name>`.
fn parse_stream_arn(arn: &str) -> Option<(String, String)> {
    let mut parts = arn.strip_prefix("arn:")?.splitn(5, ':');
    let _partition = parts.next()?;
    if parts.next()? != "kinesis" {
        return None;
    }
    let region = parts.next()?.to_owned();
    let _account = parts.next()?;
    let name = parts.next()?.strip_prefix("stream/")?.to_owned();
    (!region.is_empty() && !name.is_empty() && !name.contains('/')).then_some((region, name))
}

/// A Kinesis client for one endpoint.
#[derive(Debug)]
pub struct KinesisClient {
    config: KinesisConfig,
    http: Client<HttpConnector, Full<Bytes>>,
}

impl KinesisClient {
    /// A client for `config`.
    pub fn new(config: KinesisConfig) -> KinesisClient {
        KinesisClient {
            config,
            http: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    async fn call(
        &self,
        region: &str,
        operation: &str,
        body: Value,
    ) -> Result<Value, KinesisError> {
        let body = serde_json::to_vec(&body).map_err(|e| KinesisError::Transport(e.to_string()))?;
        let target = format!("Kinesis_20131202.{operation}");
        let uri = format!("{}/", self.config.endpoint.trim_end_matches('/'));
        let host = uri
            .strip_prefix("http://")
            .and_then(|r| r.split('/').next())
            .unwrap_or_default()
            .to_owned();
        let headers = [
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", target.as_str()),
            ("host", host.as_str()),
        ];
        let identity = aws_credential_types::Credentials::new(
            &self.config.access_key_id,
            &self.config.secret_access_key,
            None,
            None,
            "ferrodyn",
        )
        .into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(region)
            .name("kinesis")
            .time(SystemTime::now())
            .settings(aws_sigv4::http_request::SigningSettings::default())
            .build()
            .map_err(|e| KinesisError::Transport(e.to_string()))?
            .into();
        let signable = aws_sigv4::http_request::SignableRequest::new(
            "POST",
            uri.clone(),
            headers.iter().copied(),
            aws_sigv4::http_request::SignableBody::Bytes(&body),
        )
        .map_err(|e| KinesisError::Transport(e.to_string()))?;
        let (instructions, _) = aws_sigv4::http_request::sign(signable, &params)
            .map_err(|e| KinesisError::Transport(e.to_string()))?
            .into_parts();
        let mut req = hyper::Request::post(uri);
        for (name, value) in headers.iter().copied().chain(instructions.headers()) {
            req = req.header(name, value);
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| KinesisError::Transport(e.to_string()))?;
        let resp = self
            .http
            .request(req)
            .await
            .map_err(|e| KinesisError::Transport(e.to_string()))?;
        let status = resp.status();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| KinesisError::Transport(e.to_string()))?
            .to_bytes();
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(KinesisError::Service {
                kind: value["__type"].as_str().map_or_else(
                    || format!("HTTP {status}"),
                    |t| t.rsplit('#').next().unwrap_or(t).to_owned(),
                ),
                message: value["message"].as_str().unwrap_or_default().to_owned(),
            });
        }
        Ok(value)
    }
}

/// The JSON AWS sends to Kinesis for one change (observed on AWS: its
/// member order, `recordFormat`, a UUID `eventID`, `userIdentity` null but
/// for TTL deletions, `ApproximateCreationDateTime` in milliseconds, or
/// microseconds with the precision named). Written member by member, in
/// AWS's order (serde_json's maps sort their keys).
pub fn record_json(table: &TableMeta, change: &DecodedChange, precision: Option<&str>) -> String {
    let record = change;
    let micros = precision == Some("MICROSECOND");
    let time = if micros {
        record.time_millis.saturating_mul(1000)
    } else {
        record.time_millis
    };
    let mut dynamodb = vec![
        ("ApproximateCreationDateTime", json!(time)),
        ("Keys", item_json(&record.keys)),
    ];
    if let Some(new) = &record.new_image {
        dynamodb.push(("NewImage", item_json(new)));
    }
    if let Some(old) = &record.old_image {
        dynamodb.push(("OldImage", item_json(old)));
    }
    dynamodb.push(("SizeBytes", json!(record.size_bytes)));
    if micros {
        dynamodb.push(("ApproximateCreationDateTimePrecision", json!("MICROSECOND")));
    }
    let user = match record.origin {
        Origin::TimeToLive => json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"}),
        _ => Value::Null,
    };
    let event = match record.event {
        Event::Insert => "INSERT",
        Event::Modify => "MODIFY",
        Event::Remove => "REMOVE",
    };
    ordered(&[
        ("awsRegion", json!(table.region).to_string()),
        (
            "eventID",
            json!(uuid::Uuid::new_v4().to_string()).to_string(),
        ),
        ("eventName", json!(event).to_string()),
        ("userIdentity", user.to_string()),
        ("recordFormat", json!("application/json").to_string()),
        ("tableName", json!(table.name).to_string()),
        (
            "dynamodb",
            ordered(
                &dynamodb
                    .iter()
                    .map(|(k, v)| (*k, v.to_string()))
                    .collect::<Vec<_>>(),
            ),
        ),
        ("eventSource", json!("aws:dynamodb").to_string()),
    ])
}

/// A JSON object of already-serialised members, in the order given.
fn ordered(members: &[(&str, String)]) -> String {
    let body: Vec<String> = members
        .iter()
        .map(|(k, v)| format!("{}:{v}", Value::from(*k)))
        .collect();
    format!("{{{}}}", body.join(","))
}

fn value_json(v: &AttributeValue) -> Value {
    match v {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n.to_string() }),
        AttributeValue::B(b) => json!({ "B": STANDARD.encode(b) }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Null => json!({ "NULL": true }),
        AttributeValue::M(m) => json!({ "M": item_json(m) }),
        AttributeValue::L(l) => json!({ "L": l.iter().map(value_json).collect::<Vec<_>>() }),
        AttributeValue::Ss(s) => json!({ "SS": s }),
        AttributeValue::Ns(n) => {
            json!({ "NS": n.iter().map(ToString::to_string).collect::<Vec<_>>() })
        }
        AttributeValue::Bs(b) => {
            json!({ "BS": b.iter().map(|x| STANDARD.encode(x)).collect::<Vec<_>>() })
        }
    }
}

fn item_json(item: &Item) -> Value {
    Value::Object(
        item.iter()
            .map(|(k, v)| (k.clone(), value_json(v)))
            .collect(),
    )
}

/// The partition key of a record: 32 hexadecimal digits from the item's
/// key (AWS's look like an MD5), so that one item's records share a shard.
fn partition_key(table: &TableMeta, keys: &Item) -> String {
    let text = format!("{}{}", table.id, item_json(keys));
    format!("{:032X}", xxhash_rust::xxh3::xxh3_128(text.as_bytes()))
}

/// One pass over every destination; returns how many records were sent.
pub async fn publish_once(db: &Database, client: &KinesisClient) -> Result<usize, KinesisError> {
    let mut sent = 0;
    for (table, destination) in db.kinesis_destinations() {
        match destination.status {
            DestinationStatus::Enabling => check(db, client, &table, &destination).await?,
            DestinationStatus::Active => sent += send(db, client, &table, &destination).await?,
            _ => {}
        }
    }
    Ok(sent)
}

/// Moves an `ENABLING` destination to `ACTIVE`, or `ENABLE_FAILED` with
/// AWS's reasons.
async fn check(
    db: &Database,
    client: &KinesisClient,
    table: &TableMeta,
    destination: &KinesisDestination,
) -> Result<(), KinesisError> {
    let failed = |reason: &str| {
        db.set_kinesis_status(
            table,
            &destination.stream_arn,
            DestinationStatus::EnableFailed,
            Some(reason.to_owned()),
        )
    };
    let Some((region, name)) = parse_stream_arn(&destination.stream_arn) else {
        return Ok(failed(
            "User does not have a permission to use kinesis stream",
        )?);
    };
    if region != table.region {
        return Ok(failed(
            "The kinesis Arn used to enable kinesis replication belongs to a stream which is not in the current region",
        )?);
    }
    match client
        .call(
            &region,
            "DescribeStreamSummary",
            json!({ "StreamName": name }),
        )
        .await
    {
        Ok(v) if v["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE" => {
            db.set_kinesis_status(
                table,
                &destination.stream_arn,
                DestinationStatus::Active,
                None,
            )?;
        }
        // Still being created: look again next pass.
        Ok(v) if v["StreamDescriptionSummary"]["StreamStatus"] == "CREATING" => {}
        Ok(_) => failed(
            "The kinesis Arn used to enable kinesis replication belongs to a stream which is not in Active state",
        )?,
        Err(KinesisError::Service { .. }) => {
            failed("User does not have a permission to use kinesis stream")?
        }
        // Kinesis unreachable: try again.
        Err(e) => return Err(e),
    }
    Ok(())
}

/// Sends the next records of an `ACTIVE` destination.
async fn send(
    db: &Database,
    client: &KinesisClient,
    table: &TableMeta,
    destination: &KinesisDestination,
) -> Result<usize, KinesisError> {
    let records = db.kinesis_pending(table, destination, PUT_RECORDS_MAX)?;
    let Some(last) = records.last().map(|r| r.sequence) else {
        return Ok(0);
    };
    let Some((region, name)) = parse_stream_arn(&destination.stream_arn) else {
        return Ok(0);
    };
    let entries: Vec<Value> = records
        .iter()
        .map(|r| {
            let data = record_json(table, &r.change, destination.precision.as_deref());
            json!({ "Data": STANDARD.encode(data), "PartitionKey": partition_key(table, &r.change.keys) })
        })
        .collect();
    let answer = client
        .call(
            &region,
            "PutRecords",
            json!({ "StreamName": name, "Records": entries }),
        )
        .await?;
    let failed = answer["FailedRecordCount"].as_u64().unwrap_or(0);
    // Acknowledge the records before the first failure; the rest go again.
    let through = if failed == 0 {
        Some(last)
    } else {
        let first_failed = answer["Records"]
            .as_array()
            .and_then(|rs| rs.iter().position(|r| r.get("ErrorCode").is_some()))
            .unwrap_or(0);
        first_failed
            .checked_sub(1)
            .and_then(|i| records.get(i))
            .map(|r| r.sequence)
    };
    if let Some(through) = through {
        db.kinesis_sent(table, destination, through)?;
    }
    Ok(records.len() - failed as usize)
}

/// Runs the publisher on a thread of its own until `stop` is set.
pub fn spawn_publisher(
    db: Arc<Database>,
    config: KinesisConfig,
    stop: Arc<AtomicBool>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("kinesis-publisher".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!(error = %e, "cannot start the Kinesis publisher");
                    return;
                }
            };
            let client = KinesisClient::new(config);
            runtime.block_on(async {
                let mut last_error: Option<String> = None;
                while !stop.load(Ordering::Acquire) {
                    let pause = match publish_once(&db, &client).await {
                        Ok(0) => IDLE_MS,
                        Ok(_) => 0,
                        Err(e) => {
                            let text = e.to_string();
                            if last_error.as_deref() != Some(text.as_str()) {
                                tracing::warn!(error = %text, "Kinesis publishing failed; retrying");
                                last_error = Some(text);
                            }
                            1_000
                        }
                    };
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
            });
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_have_aws_member_order() {
        let table = ferrodyn_core::table::TableMeta {
            id: 7,
            uuid: "u".into(),
            account_id: "000000000000".into(),
            region: "us-east-1".into(),
            name: "t".into(),
            partition_key: ferrodyn_core::table::StoredKey {
                name: "pk".into(),
                scalar_type: "S".into(),
            },
            sort_key: None,
            attribute_definitions: vec![],
            created_millis: 0,
            billing_mode: ferrodyn_core::table::BillingMode::PayPerRequest,
            billing_mode_explicit: true,
            pay_per_request_since_millis: None,
            throughput: ferrodyn_core::table::Throughput::default(),
            tags: vec![],
            deletion_protection: false,
            table_class: None,
            sse: None,
            stream: None,
            streams: vec![],
            next_shard: 0,
            pitr: None,
            restore: None,
            ttl: None,
            kinesis: vec![],
            indexes: vec![],
        };
        let keys: Item = Item::from([("pk".to_owned(), AttributeValue::S("a".into()))]);
        let record = DecodedChange {
            event: Event::Remove,
            origin: Origin::TimeToLive,
            time_millis: 1_700_000_000_123,
            keys: keys.clone(),
            new_image: None,
            old_image: Some(keys.clone()),
            size_bytes: 6,
        };
        let text = record_json(&table, &record, Some("MICROSECOND"));
        let order: Vec<usize> = [
            "awsRegion",
            "eventID",
            "eventName",
            "userIdentity",
            "recordFormat",
            "tableName",
            "dynamodb",
            "eventSource",
        ]
        .iter()
        .map(|k| text.find(&format!("\"{k}\"")).expect("member"))
        .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
        let v: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(
            v["dynamodb"]["ApproximateCreationDateTime"],
            json!(1_700_000_000_123_000i64)
        );
        assert_eq!(
            v["userIdentity"],
            json!({"type": "Service", "principalId": "dynamodb.amazonaws.com"})
        );
        assert_eq!(v["dynamodb"]["OldImage"], json!({"pk": {"S": "a"}}));
        assert!(v["dynamodb"].get("NewImage").is_none());
        assert_eq!(partition_key(&table, &keys).len(), 32);
    }

    #[test]
    fn stream_arns() {
        assert_eq!(
            parse_stream_arn("arn:aws:kinesis:us-east-1:000000000000:stream/orders"),
            Some(("us-east-1".into(), "orders".into()))
        );
        assert_eq!(
            parse_stream_arn("arn:aws:dynamodb:us-east-1:0:table/t"),
            None
        );
        assert_eq!(parse_stream_arn("orders"), None);
    }
}

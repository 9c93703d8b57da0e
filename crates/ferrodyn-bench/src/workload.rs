//! The table the generator uses and the request bodies it sends.
//!
//! The table has a string partition key `pk` and a number sort key `sk`.
//! Item `i` (of `0..items`) lives in partition `i / 10` at sort key `i % 10`,
//! so that a Query of one partition returns ten items:
//!
//! ```text
//! item 0..=9    pk "p0000000000"  sk 0..=9
//! item 10..=19  pk "p0000000001"  sk 0..=9
//! ```
//!
//! For the soak workload the table also has a global secondary index,
//! `g-index`, keyed by a string attribute `g` (one of [`GSI_PARTITIONS`]
//! values) and `sk`, which every write of that workload sets.
//!
//! Every item also has a string attribute `v` whose length makes the item's
//! DynamoDB size about `--item-size` bytes. Its content is random (64
//! letters, so it needs no JSON escaping and compresses about as well as
//! real data would), drawn afresh for each write.
//!
//! Bodies are written straight into the connection's reusable buffer, with
//! no intermediate JSON value.

use bytes::{BufMut, BytesMut};

use crate::sample::Rng;

/// Items per partition.
pub const ITEMS_PER_PARTITION: u64 = 10;
/// Distinct values of the index key `g` (soak workload).
pub const GSI_PARTITIONS: u64 = 100;
/// The soak table's index.
pub const GSI_NAME: &str = "g-index";
/// Items per BatchWriteItem request, DynamoDB's limit.
pub const BATCH_WRITE_ITEMS_MAX: u64 = 25;
/// Digits of a partition number: enough for [`crate::ITEMS_MAX`].
const PARTITION_DIGITS: usize = 10;
/// The DynamoDB size of an item without the bytes of `v`'s value: the
/// attribute names (`pk`, `sk`, `v`), `pk`'s 11 characters and about 2 bytes
/// for `sk`'s number.
const ITEM_OVERHEAD_BYTES: u32 = 2 + 11 + 2 + 2 + 1;
/// The value alphabet: 64 characters that need no escaping in JSON.
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A DynamoDB operation the generator sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// GetItem of one key.
    GetItem,
    /// PutItem of one item.
    PutItem,
    /// UpdateItem `SET #v = :v` of one key.
    UpdateItem,
    /// Query of one partition.
    Query,
    /// One page of a Scan.
    Scan,
    /// BatchWriteItem of up to 25 items (preloading).
    BatchWriteItem,
    /// TransactWriteItems updating two items.
    TransactWriteItems,
    /// Query of one partition of the index.
    QueryIndex,
    /// ExecuteStatement: a PartiQL SELECT of one partition.
    ExecuteStatement,
    /// CreateTable (set-up).
    CreateTable,
    /// DescribeTable (set-up).
    DescribeTable,
    /// DynamoDB Streams' DescribeStream (`ferrodyn streams tail`).
    DescribeStream,
    /// DynamoDB Streams' GetShardIterator.
    GetShardIterator,
    /// DynamoDB Streams' GetRecords.
    GetRecords,
    /// CreateBackup (`ferrodyn backup`).
    CreateBackup,
    /// DescribeBackup.
    DescribeBackup,
    /// ListBackups.
    ListBackups,
    /// RestoreTableFromBackup (`ferrodyn restore`).
    RestoreTableFromBackup,
    /// RestoreTableToPointInTime.
    RestoreTableToPointInTime,
    /// ExportTableToPointInTime (`ferrodyn export`).
    ExportTableToPointInTime,
    /// DescribeExport.
    DescribeExport,
}

impl Op {
    /// The operation's name.
    pub fn name(self) -> &'static str {
        match self {
            Op::GetItem => "GetItem",
            Op::PutItem => "PutItem",
            Op::UpdateItem => "UpdateItem",
            Op::Query => "Query",
            Op::Scan => "Scan",
            Op::BatchWriteItem => "BatchWriteItem",
            Op::TransactWriteItems => "TransactWriteItems",
            Op::QueryIndex => "Query",
            Op::ExecuteStatement => "ExecuteStatement",
            Op::CreateTable => "CreateTable",
            Op::DescribeTable => "DescribeTable",
            Op::DescribeStream => "DescribeStream",
            Op::GetShardIterator => "GetShardIterator",
            Op::GetRecords => "GetRecords",
            Op::CreateBackup => "CreateBackup",
            Op::DescribeBackup => "DescribeBackup",
            Op::ListBackups => "ListBackups",
            Op::RestoreTableFromBackup => "RestoreTableFromBackup",
            Op::RestoreTableToPointInTime => "RestoreTableToPointInTime",
            Op::ExportTableToPointInTime => "ExportTableToPointInTime",
            Op::DescribeExport => "DescribeExport",
        }
    }

    /// The `X-Amz-Target` header value.
    pub fn target(self) -> &'static str {
        match self {
            Op::GetItem => "DynamoDB_20120810.GetItem",
            Op::PutItem => "DynamoDB_20120810.PutItem",
            Op::UpdateItem => "DynamoDB_20120810.UpdateItem",
            Op::Query | Op::QueryIndex => "DynamoDB_20120810.Query",
            Op::ExecuteStatement => "DynamoDB_20120810.ExecuteStatement",
            Op::Scan => "DynamoDB_20120810.Scan",
            Op::BatchWriteItem => "DynamoDB_20120810.BatchWriteItem",
            Op::TransactWriteItems => "DynamoDB_20120810.TransactWriteItems",
            Op::CreateTable => "DynamoDB_20120810.CreateTable",
            Op::DescribeTable => "DynamoDB_20120810.DescribeTable",
            Op::DescribeStream => "DynamoDBStreams_20120810.DescribeStream",
            Op::GetShardIterator => "DynamoDBStreams_20120810.GetShardIterator",
            Op::GetRecords => "DynamoDBStreams_20120810.GetRecords",
            Op::CreateBackup => "DynamoDB_20120810.CreateBackup",
            Op::DescribeBackup => "DynamoDB_20120810.DescribeBackup",
            Op::ListBackups => "DynamoDB_20120810.ListBackups",
            Op::RestoreTableFromBackup => "DynamoDB_20120810.RestoreTableFromBackup",
            Op::RestoreTableToPointInTime => "DynamoDB_20120810.RestoreTableToPointInTime",
            Op::ExportTableToPointInTime => "DynamoDB_20120810.ExportTableToPointInTime",
            Op::DescribeExport => "DynamoDB_20120810.DescribeExport",
        }
    }
}

/// Writes the bodies of one table's requests.
#[derive(Debug, Clone)]
pub struct Bodies {
    table: String,
    value_len: usize,
    /// Whether the table has `g-index` and writes set `g`.
    gsi: bool,
    /// The view type of the stream a created table gets, if any.
    stream: Option<String>,
}

impl Bodies {
    /// Bodies for `table` (a valid table name, so it needs no escaping)
    /// with items of about `item_size` bytes.
    pub fn new(table: &str, item_size: u32) -> Bodies {
        Bodies {
            table: table.to_owned(),
            value_len: item_size.saturating_sub(ITEM_OVERHEAD_BYTES).max(1) as usize,
            gsi: false,
            stream: None,
        }
    }

    /// The same bodies, creating the table with a stream of `view` (a
    /// valid view type: it is written unescaped).
    pub fn with_stream(mut self, view: Option<String>) -> Bodies {
        self.stream = view;
        self
    }

    /// The same bodies for a table with `g-index`, whose writes set `g`.
    pub fn with_index(mut self) -> Bodies {
        self.gsi = true;
        self
    }

    /// The table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// An upper bound of the size of any single-item body.
    pub fn item_body_len_max(&self) -> usize {
        self.value_len + self.table.len() + 256
    }

    fn open(&self, buf: &mut BytesMut) {
        buf.put_slice(br#"{"TableName":""#);
        buf.put_slice(self.table.as_bytes());
        buf.put_slice(b"\",");
    }

    /// GetItem of item `item`.
    pub fn get(&self, buf: &mut BytesMut, item: u64) {
        self.open(buf);
        buf.put_slice(br#""Key":"#);
        put_key(buf, item);
        buf.put_u8(b'}');
    }

    /// PutItem of item `item` with a fresh value.
    pub fn put(&self, buf: &mut BytesMut, item: u64, rng: &mut Rng) {
        self.open(buf);
        buf.put_slice(br#""Item":"#);
        self.put_item(buf, item, rng);
        buf.put_u8(b'}');
    }

    /// UpdateItem `SET #v = :v` of item `item` with a fresh value (and,
    /// with the index, `g` moved to another index partition).
    pub fn update(&self, buf: &mut BytesMut, item: u64, rng: &mut Rng) {
        self.open(buf);
        self.update_members(buf, item, rng);
        buf.put_u8(b'}');
    }

    /// `"Key":...,"UpdateExpression":...` of an update of `item`.
    fn update_members(&self, buf: &mut BytesMut, item: u64, rng: &mut Rng) {
        buf.put_slice(br#""Key":"#);
        put_key(buf, item);
        if self.gsi {
            buf.put_slice(
                br##","UpdateExpression":"SET #v = :v, g = :g","ExpressionAttributeNames":{"#v":"v"},"ExpressionAttributeValues":{":g":{"S":""##,
            );
            put_gsi_partition(buf, rng.next_u64() % GSI_PARTITIONS);
            buf.put_slice(br#""},":v":{"S":""#);
        } else {
            buf.put_slice(
                br##","UpdateExpression":"SET #v = :v","ExpressionAttributeNames":{"#v":"v"},"ExpressionAttributeValues":{":v":{"S":""##,
            );
        }
        put_value(buf, self.value_len, rng);
        buf.put_slice(b"\"}}");
    }

    /// TransactWriteItems updating items `a` and `b` as [`Bodies::update`]
    /// does.
    pub fn transact(&self, buf: &mut BytesMut, a: u64, b: u64, rng: &mut Rng) {
        buf.put_slice(br#"{"TransactItems":["#);
        for (i, item) in [a, b].into_iter().enumerate() {
            if i > 0 {
                buf.put_u8(b',');
            }
            buf.put_slice(br#"{"Update":"#);
            self.open(buf);
            self.update_members(buf, item, rng);
            buf.put_slice(b"}}");
        }
        buf.put_slice(b"]}");
    }

    /// Query of the index partition `g` (at most ten items).
    pub fn query_index(&self, buf: &mut BytesMut, g: u64) {
        self.open(buf);
        buf.put_slice(br#""IndexName":""#);
        buf.put_slice(GSI_NAME.as_bytes());
        buf.put_slice(
            br#"","Limit":10,"KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":""#,
        );
        put_gsi_partition(buf, g);
        buf.put_slice(b"\"}}}");
    }

    /// Query of partition `partition`.
    pub fn query(&self, buf: &mut BytesMut, partition: u64) {
        self.open(buf);
        buf.put_slice(
            br#""KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":""#,
        );
        put_partition(buf, partition);
        buf.put_slice(b"\"}}}");
    }

    /// ExecuteStatement `SELECT * FROM "table" WHERE pk = ?` of partition
    /// `partition`: the PartiQL twin of [`Bodies::query`].
    pub fn select(&self, buf: &mut BytesMut, partition: u64) {
        buf.put_slice(br#"{"Statement":"SELECT * FROM \""#);
        buf.put_slice(self.table.as_bytes());
        buf.put_slice(br#"\" WHERE pk = ?","Parameters":[{"S":""#);
        put_partition(buf, partition);
        buf.put_slice(b"\"}]}");
    }

    /// One Scan page of `limit` items, after `start` (a `LastEvaluatedKey`
    /// as received, raw JSON) or from the beginning.
    pub fn scan(&self, buf: &mut BytesMut, limit: u32, start: Option<&[u8]>) {
        self.open(buf);
        buf.put_slice(br#""Limit":"#);
        put_decimal(buf, u64::from(limit));
        if let Some(key) = start {
            buf.put_slice(br#","ExclusiveStartKey":"#);
            buf.put_slice(key);
        }
        buf.put_u8(b'}');
    }

    /// BatchWriteItem putting items `first..end`.
    pub fn batch_put(&self, buf: &mut BytesMut, first: u64, end: u64, rng: &mut Rng) {
        buf.put_slice(br#"{"RequestItems":{""#);
        buf.put_slice(self.table.as_bytes());
        buf.put_slice(b"\":[");
        for item in first..end {
            if item != first {
                buf.put_u8(b',');
            }
            buf.put_slice(br#"{"PutRequest":{"Item":"#);
            self.put_item(buf, item, rng);
            buf.put_slice(b"}}");
        }
        buf.put_slice(b"]}}");
    }

    /// The key of item `item` as JSON, e.g. for a Scan's `ExclusiveStartKey`.
    pub fn key_json(&self, item: u64) -> Vec<u8> {
        let mut buf = BytesMut::with_capacity(64);
        put_key(&mut buf, item);
        buf.to_vec()
    }

    /// CreateTable of the benchmark table, on demand (with `g-index` for
    /// the soak workload).
    pub fn create_table(&self, buf: &mut BytesMut) {
        self.open(buf);
        if self.gsi {
            buf.put_slice(
                br#""AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"}],"GlobalSecondaryIndexes":[{"IndexName":"g-index","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],"#,
            );
        } else {
            buf.put_slice(
                br#""AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],"#,
            );
        }
        if let Some(view) = &self.stream {
            buf.put_slice(br#""StreamSpecification":{"StreamEnabled":true,"StreamViewType":""#);
            buf.put_slice(view.as_bytes());
            buf.put_slice(br#""},"#);
        }
        buf.put_slice(
            br#""KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST"}"#,
        );
    }

    /// DescribeTable of the benchmark table.
    pub fn describe_table(&self, buf: &mut BytesMut) {
        buf.put_slice(br#"{"TableName":""#);
        buf.put_slice(self.table.as_bytes());
        buf.put_slice(b"\"}");
    }

    fn put_item(&self, buf: &mut BytesMut, item: u64, rng: &mut Rng) {
        buf.put_slice(br#"{"pk":{"S":""#);
        put_partition(buf, item / ITEMS_PER_PARTITION);
        buf.put_slice(br#""},"sk":{"N":""#);
        put_decimal(buf, item % ITEMS_PER_PARTITION);
        if self.gsi {
            buf.put_slice(br#""},"g":{"S":""#);
            put_gsi_partition(buf, item % GSI_PARTITIONS);
        }
        buf.put_slice(br#""},"v":{"S":""#);
        put_value(buf, self.value_len, rng);
        buf.put_slice(b"\"}}");
    }
}

/// `g` followed by three digits.
fn put_gsi_partition(buf: &mut BytesMut, g: u64) {
    buf.put_u8(b'g');
    let g = g % 1000;
    buf.put_slice(&[
        b'0' + (g / 100) as u8,
        b'0' + (g / 10 % 10) as u8,
        b'0' + (g % 10) as u8,
    ]);
}

fn put_key(buf: &mut BytesMut, item: u64) {
    buf.put_slice(br#"{"pk":{"S":""#);
    put_partition(buf, item / ITEMS_PER_PARTITION);
    buf.put_slice(br#""},"sk":{"N":""#);
    put_decimal(buf, item % ITEMS_PER_PARTITION);
    buf.put_slice(b"\"}}");
}

fn put_partition(buf: &mut BytesMut, partition: u64) {
    let mut digits = [b'0'; PARTITION_DIGITS];
    let mut v = partition;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (v % 10) as u8;
        v /= 10;
    }
    buf.put_u8(b'p');
    buf.put_slice(&digits);
}

fn put_decimal(buf: &mut BytesMut, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.put_slice(&digits[at..]);
}

/// `len` random characters of [`ALPHABET`], ten from each 64-bit draw.
fn put_value(buf: &mut BytesMut, len: usize, rng: &mut Rng) {
    let mut left = len;
    let mut chunk = [0u8; 10];
    while left > 0 {
        let mut bits = rng.next_u64();
        let n = left.min(chunk.len());
        for c in &mut chunk[..n] {
            *c = ALPHABET[(bits & 63) as usize];
            bits >>= 6;
        }
        buf.put_slice(&chunk[..n]);
        left -= n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(f: impl FnOnce(&mut BytesMut)) -> serde_json::Value {
        let mut buf = BytesMut::new();
        f(&mut buf);
        serde_json::from_slice(&buf).expect("valid JSON")
    }

    #[test]
    fn bodies_are_the_requests_meant() {
        let b = Bodies::new("bench", 100);
        let mut rng = Rng::new(3);
        let get = json(|buf| b.get(buf, 1234));
        assert_eq!(
            get,
            serde_json::json!({"TableName":"bench","Key":{"pk":{"S":"p0000000123"},"sk":{"N":"4"}}})
        );
        let put = json(|buf| b.put(buf, 7, &mut rng));
        assert_eq!(put["Item"]["pk"]["S"], "p0000000000");
        assert_eq!(put["Item"]["sk"]["N"], "7");
        let v = put["Item"]["v"]["S"].as_str().expect("string");
        assert_eq!(v.len() as u32, 100 - ITEM_OVERHEAD_BYTES);
        let upd = json(|buf| b.update(buf, 5, &mut rng));
        assert_eq!(upd["UpdateExpression"], "SET #v = :v");
        assert_eq!(upd["ExpressionAttributeNames"]["#v"], "v");
        let q = json(|buf| b.query(buf, 42));
        assert_eq!(q["ExpressionAttributeValues"][":p"]["S"], "p0000000042");
        let sel = json(|buf| b.select(buf, 42));
        assert_eq!(
            sel,
            serde_json::json!({"Statement":"SELECT * FROM \"bench\" WHERE pk = ?","Parameters":[{"S":"p0000000042"}]})
        );
        let s = json(|buf| b.scan(buf, 100, Some(br#"{"pk":{"S":"p1"},"sk":{"N":"0"}}"#)));
        assert_eq!(s["Limit"], 100);
        assert_eq!(s["ExclusiveStartKey"]["pk"]["S"], "p1");
        let batch = json(|buf| b.batch_put(buf, 20, 45, &mut rng));
        let reqs = batch["RequestItems"]["bench"].as_array().expect("array");
        assert_eq!(reqs.len(), 25);
        assert_eq!(reqs[24]["PutRequest"]["Item"]["sk"]["N"], "4");
        let create = json(|buf| b.create_table(buf));
        assert_eq!(create["BillingMode"], "PAY_PER_REQUEST");
        assert!(create.get("GlobalSecondaryIndexes").is_none());
        assert!(create.get("StreamSpecification").is_none());
        let streamed = Bodies::new("bench", 100).with_stream(Some("NEW_AND_OLD_IMAGES".into()));
        let create = json(|buf| streamed.create_table(buf));
        assert_eq!(
            create["StreamSpecification"]["StreamViewType"],
            "NEW_AND_OLD_IMAGES"
        );
        let g = Bodies::new("soak", 100).with_index();
        let create = json(|buf| g.create_table(buf));
        assert_eq!(create["GlobalSecondaryIndexes"][0]["IndexName"], GSI_NAME);
        assert_eq!(create["AttributeDefinitions"][2]["AttributeName"], "g");
        let put = json(|buf| g.put(buf, 1234, &mut rng));
        assert_eq!(put["Item"]["g"]["S"], "g034");
        let upd = json(|buf| g.update(buf, 5, &mut rng));
        assert_eq!(upd["UpdateExpression"], "SET #v = :v, g = :g");
        assert!(
            upd["ExpressionAttributeValues"][":g"]["S"]
                .as_str()
                .is_some_and(|s| s.starts_with('g'))
        );
        let tx = json(|buf| g.transact(buf, 1, 2, &mut rng));
        let actions = tx["TransactItems"].as_array().expect("array");
        assert_eq!(actions.len(), 2);
        assert_eq!(actions[1]["Update"]["TableName"], "soak");
        assert_eq!(actions[1]["Update"]["Key"]["sk"]["N"], "2");
        let qi = json(|buf| g.query_index(buf, 7));
        assert_eq!(qi["IndexName"], GSI_NAME);
        assert_eq!(qi["ExpressionAttributeValues"][":g"]["S"], "g007");
        assert_eq!(json(|buf| b.describe_table(buf))["TableName"], "bench");
    }
}

// A DynamoDB Streams consumer on the AWS SDK for JavaScript v3: reads every
// record of a stream, following shard lineage (a shard only after its parent
// has been read to its end), until it has seen EXPECTED records or nothing new
// arrives for IDLE_MS. Prints one JSON object: the records' keys and values in
// the order read. Run by tests/e2e/test_streams_js.py.
//
//   node consume.mjs <endpoint> <streamArn> <expected>
import {
  DynamoDBStreamsClient,
  DescribeStreamCommand,
  GetShardIteratorCommand,
  GetRecordsCommand,
} from "@aws-sdk/client-dynamodb-streams";

const [endpoint, streamArn, expectedText] = process.argv.slice(2);
const expected = Number(expectedText);
const IDLE_MS = 10000;
const client = new DynamoDBStreamsClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDJSCONSUMER", secretAccessKey: "js-secret" },
  maxAttempts: 1,
});

async function shards() {
  const out = [];
  let start;
  do {
    const d = await client.send(
      new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
    );
    out.push(...d.StreamDescription.Shards);
    start = d.StreamDescription.LastEvaluatedShardId;
  } while (start);
  return out;
}

const done = new Set();
const iterators = new Map();
const seen = [];
let idleSince = Date.now();
while (seen.length < expected && Date.now() - idleSince < IDLE_MS) {
  const list = await shards();
  const known = new Set(list.map((s) => s.ShardId));
  let got = 0;
  for (const shard of list) {
    const id = shard.ShardId;
    if (done.has(id)) continue;
    const parent = shard.ParentShardId;
    if (parent && known.has(parent) && !done.has(parent)) continue;
    if (!iterators.has(id)) {
      const it = await client.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: id, ShardIteratorType: "TRIM_HORIZON" }),
      );
      iterators.set(id, it.ShardIterator);
    }
    // Read this shard until it has nothing more for now.
    for (;;) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterators.get(id) }));
      for (const r of page.Records) {
        seen.push([r.dynamodb.Keys.pk.S, r.dynamodb.NewImage.v.N, r.dynamodb.SequenceNumber]);
      }
      got += page.Records.length;
      if (!page.NextShardIterator) {
        done.add(id);
        iterators.delete(id);
        break;
      }
      iterators.set(id, page.NextShardIterator);
      if (page.Records.length === 0) break;
    }
  }
  if (got > 0) idleSince = Date.now();
  else await new Promise((r) => setTimeout(r, 200));
}
console.log(JSON.stringify({ records: seen }));

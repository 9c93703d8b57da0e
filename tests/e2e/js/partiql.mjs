// PartiQL on the AWS SDK for JavaScript v3: ExecuteStatement (paged with
// NextToken), BatchExecuteStatement and ExecuteTransaction against a table
// keyed by pk (S) and sk (N). Prints one JSON object of what it saw, or the
// error's name and message. Run by tests/e2e/test_partiql.py.
//
//   node partiql.mjs <endpoint> <table>
import {
  DynamoDBClient,
  ExecuteStatementCommand,
  BatchExecuteStatementCommand,
  ExecuteTransactionCommand,
} from "@aws-sdk/client-dynamodb";

const [endpoint, table] = process.argv.slice(2);
const client = new DynamoDBClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDJSPARTIQL", secretAccessKey: "js-secret" },
  maxAttempts: 1,
});

const failure = async (promise) => {
  try {
    await promise;
    return null;
  } catch (e) {
    return { name: e.name, message: e.message, reasons: e.CancellationReasons ?? null };
  }
};

const out = {};
for (let sk = 0; sk < 7; sk++) {
  await client.send(new ExecuteStatementCommand({
    Statement: `INSERT INTO "${table}" VALUE {'pk': ?, 'sk': ?, 'n': ?}`,
    Parameters: [{ S: "js" }, { N: String(sk) }, { N: String(sk * 10) }],
  }));
}
out.duplicate = await failure(client.send(new ExecuteStatementCommand({
  Statement: `INSERT INTO "${table}" VALUE {'pk': 'js', 'sk': 0}`,
})));
out.pages = [];
let token;
do {
  const page = await client.send(new ExecuteStatementCommand({
    Statement: `SELECT sk FROM "${table}" WHERE pk = 'js' ORDER BY sk DESC`,
    Limit: 3,
    NextToken: token,
  }));
  out.pages.push(page.Items.map((i) => Number(i.sk.N)));
  token = page.NextToken;
} while (token);
const batch = await client.send(new BatchExecuteStatementCommand({
  Statements: [
    { Statement: `SELECT n FROM "${table}" WHERE pk = 'js' AND sk = 3` },
    { Statement: `SELECT n FROM "${table}" WHERE pk = 'js' AND sk = 99` },
  ],
}));
out.batch = batch.Responses;
await client.send(new ExecuteTransactionCommand({
  TransactStatements: [
    { Statement: `UPDATE "${table}" SET n = n + 1 WHERE pk = 'js' AND sk = 0` },
    { Statement: `DELETE FROM "${table}" WHERE pk = 'js' AND sk = 6` },
  ],
}));
out.cancelled = await failure(client.send(new ExecuteTransactionCommand({
  TransactStatements: [
    { Statement: `UPDATE "${table}" SET n = 0 WHERE pk = 'js' AND sk = 0 AND n = 12345` },
  ],
})));
const read = await client.send(new ExecuteTransactionCommand({
  TransactStatements: [
    { Statement: `SELECT n FROM "${table}" WHERE pk = 'js' AND sk = 0` },
    { Statement: `SELECT n FROM "${table}" WHERE pk = 'js' AND sk = 6` },
  ],
}));
out.read = read.Responses;
out.syntax = await failure(client.send(new ExecuteStatementCommand({ Statement: "SLECT 1" })));
console.log(JSON.stringify(out));

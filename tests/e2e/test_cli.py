"""The AWS CLI (v1, installed in the same virtualenv) against ferrodyn."""

from __future__ import annotations

import json

from conftest import ACCOUNT, unique_name, wait_active, wait_gone


def test_cli_full_lifecycle(aws, ddb):
    name = unique_name("cli")
    created = json.loads(aws(
        "create-table", "--table-name", name,
        "--attribute-definitions", "AttributeName=id,AttributeType=S", "AttributeName=ts,AttributeType=N",
        "--key-schema", "AttributeName=id,KeyType=HASH", "AttributeName=ts,KeyType=RANGE",
        "--billing-mode", "PAY_PER_REQUEST",
    ).stdout)
    assert created["TableDescription"]["TableName"] == name
    assert created["TableDescription"]["TableArn"] == f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{name}"
    wait_active(ddb, name)

    desc = json.loads(aws("describe-table", "--table-name", name).stdout)["Table"]
    assert desc["TableStatus"] == "ACTIVE"
    assert desc["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"},
                                 {"AttributeName": "ts", "KeyType": "RANGE"}]
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"

    listed = json.loads(aws("list-tables").stdout)["TableNames"]
    assert name in listed

    item = {"id": {"S": "cli-1"}, "ts": {"N": "1.50"}, "tags": {"SS": ["a", "b"]},
            "doc": {"M": {"nested": {"L": [{"BOOL": True}, {"NULL": True}]}}}, "bin": {"B": "AAEC"}}
    out = aws("put-item", "--table-name", name, "--item", json.dumps(item),
              "--return-consumed-capacity", "TOTAL").stdout
    assert json.loads(out)["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 1.0}

    got = json.loads(aws("get-item", "--table-name", name, "--consistent-read",
                         "--key", json.dumps({"id": {"S": "cli-1"}, "ts": {"N": "1.5"}})).stdout)["Item"]
    assert got["ts"] == {"N": "1.5"}
    assert sorted(got["tags"]["SS"]) == ["a", "b"]
    assert got["doc"] == item["doc"]
    # AWS CLI v1 sends a blob given on the command line as raw bytes
    # (cli_binary_format raw-in-base64-out) and prints blobs in base64.
    assert got["bin"] == {"B": "QUFFQw=="}

    old = json.loads(aws("delete-item", "--table-name", name, "--return-values", "ALL_OLD",
                         "--key", json.dumps({"id": {"S": "cli-1"}, "ts": {"N": "1.5"}})).stdout)
    assert old["Attributes"]["id"] == {"S": "cli-1"}
    # get-item of a missing item prints nothing (empty response body) in CLI v1
    missing = aws("get-item", "--table-name", name, "--key", json.dumps({"id": {"S": "cli-1"}, "ts": {"N": "1.5"}}))
    assert missing.stdout.strip() in ("", "{}")

    deleted = json.loads(aws("delete-table", "--table-name", name).stdout)
    assert deleted["TableDescription"]["TableStatus"] == "DELETING"
    wait_gone(ddb, name)
    assert name not in json.loads(aws("list-tables").stdout)["TableNames"]


def test_cli_error_output(aws):
    name = unique_name("cli_missing")
    proc = aws("describe-table", "--table-name", name, check=False)
    # CLI v1 exits 255 on a service error and prints the code and message.
    assert proc.returncode == 255, proc
    assert "ResourceNotFoundException" in proc.stderr
    assert f"Requested resource not found: Table: {name} not found" in proc.stderr


def test_cli_provisioned_table_and_update(aws, ddb):
    name = unique_name("cli_prov")
    aws("create-table", "--table-name", name,
        "--attribute-definitions", "AttributeName=pk,AttributeType=B",
        "--key-schema", "AttributeName=pk,KeyType=HASH",
        "--provisioned-throughput", "ReadCapacityUnits=3,WriteCapacityUnits=4")
    wait_active(ddb, name)
    aws("update-table", "--table-name", name, "--provisioned-throughput", "ReadCapacityUnits=6,WriteCapacityUnits=4")
    wait_active(ddb, name)
    pt = json.loads(aws("describe-table", "--table-name", name).stdout)["Table"]["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (6, 4)


def test_cli_region_flag(aws, server):
    name = unique_name("cli_region")
    aws("create-table", "--table-name", name, "--region", "eu-west-1",
        "--attribute-definitions", "AttributeName=pk,AttributeType=S",
        "--key-schema", "AttributeName=pk,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
    west = server.client(region="eu-west-1")
    t = wait_active(west, name)
    assert t["TableArn"] == f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/{name}"
    assert name not in json.loads(aws("list-tables").stdout)["TableNames"]


def test_cli_partiql(aws, ddb):
    """`aws dynamodb execute-statement`, `batch-execute-statement` and
    `execute-transaction`, paging with --next-token by hand."""
    name = unique_name("clipq")
    aws(
        "create-table", "--table-name", name,
        "--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N",
        "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
        "--billing-mode", "PAY_PER_REQUEST",
    )
    wait_active(ddb, name)
    for sk in range(5):
        out = json.loads(aws("execute-statement", "--statement", f"INSERT INTO \"{name}\" VALUE {{'pk': 'a', 'sk': {sk}}}").stdout)
        assert out == {"Items": []}
    dup = aws("execute-statement", "--statement", f"INSERT INTO \"{name}\" VALUE {{'pk': 'a', 'sk': 0}}", check=False)
    assert dup.returncode != 0
    assert "DuplicateItemException" in dup.stderr and "Duplicate primary key exists in table" in dup.stderr
    seen, token = [], None
    while True:
        args = ["execute-statement", "--statement", f"SELECT sk FROM \"{name}\" WHERE pk = ?",
                "--parameters", '[{"S": "a"}]', "--limit", "2"]
        if token:
            args += ["--next-token", token]
        page = json.loads(aws(*args).stdout)
        seen += [int(i["sk"]["N"]) for i in page["Items"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == [0, 1, 2, 3, 4]
    batch = json.loads(aws(
        "batch-execute-statement", "--statements",
        json.dumps([
            {"Statement": f"UPDATE \"{name}\" SET v = 1 WHERE pk = 'a' AND sk = 0"},
            {"Statement": f"UPDATE \"{name}\" SET v = 1 WHERE pk = 'a' AND sk = 99"},
        ]),
    ).stdout)
    assert batch["Responses"][0] == {"TableName": name}
    assert batch["Responses"][1]["Error"]["Code"] == "ConditionalCheckFailed"
    tx = json.loads(aws(
        "execute-transaction", "--transact-statements",
        json.dumps([
            {"Statement": f"DELETE FROM \"{name}\" WHERE pk = 'a' AND sk = 1"},
            {"Statement": f"UPDATE \"{name}\" SET v = 2 WHERE pk = 'a' AND sk = 2"},
        ]),
    ).stdout)
    assert tx == {"Responses": []}
    left = ddb.scan(TableName=name, ConsistentRead=True)["Items"]
    assert sorted((int(i["sk"]["N"]), i.get("v", {}).get("N")) for i in left) == [(0, "1"), (2, "2"), (3, None), (4, None)]
    cancelled = aws(
        "execute-transaction", "--transact-statements",
        json.dumps([{"Statement": f"UPDATE \"{name}\" SET v = 3 WHERE pk = 'a' AND sk = 1"}]),
        check=False,
    )
    assert cancelled.returncode != 0 and "TransactionCanceledException" in cancelled.stderr

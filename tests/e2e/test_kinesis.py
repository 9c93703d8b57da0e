"""Kinesis Data Streams for DynamoDB: Enable/Disable/Describe/Update-
KinesisStreamingDestination with AWS's states and messages, and change
records published to a real Kinesis-compatible server (kinesalite, from npm,
installed by scripts/setup into tests/e2e/js and started here on loopback)
in AWS's record format.

Source abbreviations used in comments:
  [ackquirks]  lab probes against AWS (DDB-TABLE-268, 299-302, 318)
  [captures]   decoded Kinesis records from real AWS (a Go test reading a real
               stream; commons-codec fixtures; localstack's AWS-validated
               snapshot test_enable_kinesis_streaming_destination)
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from conftest import DUMMY_KEY, DUMMY_SECRET, REGION, FerrodynServer, create_table, expect_error, free_port, unique_name

JS = Path(__file__).resolve().parent / "js"


@pytest.fixture(scope="module")
def kinesalite():
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "kinesalite").is_dir():
        pytest.fail("node and tests/e2e/js/node_modules are needed: run scripts/setup --with-python", pytrace=False)
    port = free_port()
    proc = subprocess.Popen([node, str(JS / "kinesalite.cjs"), str(port)], stdout=subprocess.PIPE, cwd=JS)
    try:
        assert proc.stdout.readline().strip() == b"listening"
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.kill()
        proc.wait(10)


@pytest.fixture(scope="module")
def server(kinesalite, tmp_path_factory):
    srv = FerrodynServer(
        tmp_path_factory.mktemp("kinesis"), in_memory=True, extra_args=("--kinesis-endpoint", kinesalite)
    ).start()
    yield srv
    assert srv.stop() == 0


@pytest.fixture(scope="module")
def kinesis(kinesalite):
    return boto3.client(
        "kinesis",
        endpoint_url=kinesalite,
        region_name=REGION,
        aws_access_key_id=DUMMY_KEY,
        aws_secret_access_key=DUMMY_SECRET,
        config=Config(retries={"max_attempts": 1}),
    )


def make_stream(kinesis) -> str:
    name = unique_name("ks")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    deadline = time.monotonic() + 10
    while True:
        d = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        if d["StreamStatus"] == "ACTIVE":
            return d["StreamARN"]
        assert time.monotonic() < deadline
        time.sleep(0.1)


def destinations(ddb, table):
    return ddb.describe_kinesis_streaming_destination(TableName=table)["KinesisDataStreamDestinations"]


def wait_status(ddb, table, arn, status, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        got = [d for d in destinations(ddb, table) if d["StreamArn"] == arn]
        if got and got[0]["DestinationStatus"] == status:
            return got[0]
        assert time.monotonic() < deadline, got
        time.sleep(0.1)


def read_kinesis(kinesis, arn, want, timeout=10.0):
    name = arn.rsplit("/", 1)[1]
    shard = kinesis.list_shards(StreamName=name)["Shards"][0]["ShardId"]
    it = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    out = []
    deadline = time.monotonic() + timeout
    while len(out) < want:
        assert time.monotonic() < deadline, f"{len(out)} of {want} records"
        page = kinesis.get_records(ShardIterator=it)
        out += [(r["PartitionKey"], json.loads(r["Data"])) for r in page["Records"]]
        it = page["NextShardIterator"]
        if not page["Records"]:
            time.sleep(0.1)
    return out


def test_records_reach_kinesis_in_aws_format(server, kinesis):
    ddb = server.client()
    table = create_table(ddb, unique_name("kt"))
    arn = make_stream(kinesis)
    # [ackquirks] DDB-TABLE-299: nothing at first; Enable answers ENABLING and
    # echoes the configuration as {}; then ACTIVE within seconds, no precision.
    assert destinations(ddb, table) == []
    r = ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=arn)
    assert (r["DestinationStatus"], r["EnableKinesisStreamingConfiguration"]) == ("ENABLING", {})
    assert r["TableName"] == table and r["StreamArn"] == arn
    active = wait_status(ddb, table, arn, "ACTIVE")
    assert active == {"StreamArn": arn, "DestinationStatus": "ACTIVE"}
    expect_error(
        lambda: ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=arn),
        "ValidationException",
        re.compile(r"^Table is not in a valid state to enable Kinesis Streaming Destination: "
                   r"EnableKinesisStreamingDestination must be DISABLED or ENABLE_FAILED to perform"),
    )
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "v": {"N": "2"}})
    ddb.delete_item(TableName=table, Key={"pk": {"S": "a"}})
    records = read_kinesis(kinesis, arn, 3)
    assert [d["eventName"] for _, d in records] == ["INSERT", "MODIFY", "REMOVE"]
    for key, d in records:
        # [captures] the member order and fields AWS sends.
        assert list(d) == ["awsRegion", "eventID", "eventName", "userIdentity", "recordFormat",
                           "tableName", "dynamodb", "eventSource"]
        assert d["awsRegion"] == REGION and d["tableName"] == table
        assert re.fullmatch(r"[0-9a-f-]{36}", d["eventID"])
        assert d["userIdentity"] is None and d["recordFormat"] == "application/json"
        assert d["eventSource"] == "aws:dynamodb"
        assert re.fullmatch(r"[0-9A-F]{32}", key), key
        ms = d["dynamodb"]["ApproximateCreationDateTime"]
        assert isinstance(ms, int) and abs(ms / 1000 - time.time()) < 120
        assert "SequenceNumber" not in d["dynamodb"] and "StreamViewType" not in d["dynamodb"]
    modify = records[1][1]["dynamodb"]
    assert modify["Keys"] == {"pk": {"S": "a"}}
    assert modify["OldImage"]["v"] == {"N": "1"} and modify["NewImage"]["v"] == {"N": "2"}
    assert records[0][1]["dynamodb"]["SizeBytes"] == 3 + 3 + 3
    assert len({key for key, _ in records}) == 1, "one item, one partition key"

    # [ackquirks] DDB-TABLE-300: MICROSECOND precision; the same again is refused.
    r = ddb.update_kinesis_streaming_destination(
        TableName=table, StreamArn=arn,
        UpdateKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MICROSECOND"},
    )
    assert r["DestinationStatus"] == "UPDATING"
    assert r["UpdateKinesisStreamingConfiguration"] == {"ApproximateCreationDateTimePrecision": "MICROSECOND"}
    expect_error(
        lambda: ddb.update_kinesis_streaming_destination(
            TableName=table, StreamArn=arn,
            UpdateKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MICROSECOND"},
        ),
        "ValidationException",
        re.compile(r"^Invalid Request: Precision is already set to the desired value of MICROSECOND"),
    )
    ddb.put_item(TableName=table, Item={"pk": {"S": "b"}})
    micro = read_kinesis(kinesis, arn, 4)[3][1]["dynamodb"]
    assert micro["ApproximateCreationDateTimePrecision"] == "MICROSECOND"
    assert abs(micro["ApproximateCreationDateTime"] / 1e6 - time.time()) < 120

    # [ackquirks] DDB-TABLE-301/302: disabling.
    expect_error(
        lambda: ddb.disable_kinesis_streaming_destination(
            TableName=table, StreamArn=arn,
            EnableKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MILLISECOND"},
        ),
        "ValidationException",
        "Stream cannot be disabled using EnableKinesisStreamingConfiguration parameters",
    )
    r = ddb.disable_kinesis_streaming_destination(TableName=table, StreamArn=arn)
    assert r["DestinationStatus"] == "DISABLING"
    wait_status(ddb, table, arn, "DISABLED")
    expect_error(
        lambda: ddb.disable_kinesis_streaming_destination(TableName=table, StreamArn=arn),
        "ValidationException",
        "Table is not in a valid state to enable Kinesis Streaming Destination: "
        "KinesisStreamingDestination must be ACTIVE to perform DISABLE operation.",
    )
    ddb.put_item(TableName=table, Item={"pk": {"S": "after"}})
    time.sleep(0.5)
    assert len(read_kinesis(kinesis, arn, 4)) == 4, "nothing sent once disabled"


def test_a_stream_that_does_not_exist_fails_to_enable(server):
    # [ackquirks] DDB-TABLE-318: accepted, then ENABLE_FAILED with a reason.
    ddb = server.client()
    table = create_table(ddb, unique_name("kf"))
    arn = f"arn:aws:kinesis:{REGION}:000000000000:stream/{unique_name('nope')}"
    r = ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=arn)
    assert r["DestinationStatus"] == "ENABLING"
    failed = wait_status(ddb, table, arn, "ENABLE_FAILED")
    assert failed["DestinationStatusDescription"]
    other_region = f"arn:aws:kinesis:eu-west-1:000000000000:stream/{unique_name('x')}"
    ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=other_region)
    failed = wait_status(ddb, table, other_region, "ENABLE_FAILED")
    assert "not in the current region" in failed["DestinationStatusDescription"]
    expect_error(
        lambda: ddb.describe_kinesis_streaming_destination(TableName=table + "x"),
        "ResourceNotFoundException",
        f"Requested resource not found: Table: {table}x not found",
    )


def test_update_needs_a_configuration(server, kinesis):
    ddb = server.client()
    table = create_table(ddb, unique_name("ku"))
    arn = make_stream(kinesis)
    ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=arn)
    wait_status(ddb, table, arn, "ACTIVE")
    expect_error(
        lambda: ddb.update_kinesis_streaming_destination(
            TableName=table, StreamArn=arn, UpdateKinesisStreamingConfiguration={}
        ),
        "ValidationException",
        "Streaming destination cannot be updated with given parameters: "
        "UpdateKinesisStreamingConfiguration cannot be null or contain only null values",
    )

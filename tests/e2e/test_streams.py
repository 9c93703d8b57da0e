"""DynamoDB Streams through boto3's `dynamodbstreams` client, raw HTTP and the
AWS CLI: ListStreams, DescribeStream, GetShardIterator and GetRecords as AWS
answers them, the records of every write path, shard lineage after rollover,
and `ferrodyn streams tail`.

Source abbreviations used in comments:
  [alternator]  scylladb/scylladb test/alternator/test_streams.py (run against AWS)
  [localstack]  localstack snapshot files recorded against AWS
  [dynalite]    architect/dynalite test/*Stream*.js, written against AWS
  [model]       botocore's service model for dynamodbstreams
  [devguide]    the DynamoDB developer guide, Streams chapters
  [logstash]    amazon-archives/logstash-input-dynamodb#4 (a real AWS error)
  [sdkjs]       an AWS-run jest test quoting ResourceNotFoundException's message
"""

from __future__ import annotations

import json
import re
import subprocess
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import (
    BINARY,
    DUMMY_KEY,
    DUMMY_SECRET,
    REGION,
    FerrodynServer,
    assert_error,
    create_table,
    expect_error,
    raw_request,
    unique_name,
)


def streams_client(endpoint: str):
    return boto3.client(
        "dynamodbstreams",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=DUMMY_KEY,
        aws_secret_access_key=DUMMY_SECRET,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


@pytest.fixture(scope="module")
def streams(endpoint):
    return streams_client(endpoint)


def streamed_table(ddb, view="NEW_AND_OLD_IMAGES", **kw) -> str:
    return create_table(
        ddb,
        unique_name("st"),
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
        **kw,
    )


def latest_arn(ddb, table: str) -> str:
    return ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]


def all_shards(streams, arn: str) -> list:
    out, start = [], None
    while True:
        kw = {"StreamArn": arn}
        if start:
            kw["ExclusiveStartShardId"] = start
        d = streams.describe_stream(**kw)["StreamDescription"]
        out += d["Shards"]
        start = d.get("LastEvaluatedShardId")
        if not start:
            return out


def read_shard(streams, arn: str, shard_id: str, kind="TRIM_HORIZON") -> list:
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType=kind)["ShardIterator"]
    records = []
    while True:
        page = streams.get_records(ShardIterator=it)
        records += page["Records"]
        if "NextShardIterator" not in page or not page["Records"]:
            return records
        it = page["NextShardIterator"]


def read_stream(streams, arn: str) -> list:
    return [r for shard in all_shards(streams, arn) for r in read_shard(streams, arn, shard["ShardId"])]


SEQUENCE = re.compile(r"^[0-9]{21,40}$")


def test_describe_and_list_a_new_stream(ddb, streams):
    # [dynalite] describeStream.js: a new stream has one shard, no parent, a
    # starting sequence number and no ending one; [localstack] field set.
    table = streamed_table(ddb, view="KEYS_ONLY")
    desc = ddb.describe_table(TableName=table)["Table"]
    arn = desc["LatestStreamArn"]
    label = desc["LatestStreamLabel"]
    assert desc["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    assert arn == f"{desc['TableArn']}/stream/{label}"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}", label)
    d = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert d["StreamArn"] == arn and d["StreamLabel"] == label and d["TableName"] == table
    assert d["StreamStatus"] == "ENABLED" and d["StreamViewType"] == "KEYS_ONLY"
    assert d["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert "CreationRequestDateTime" in d and "LastEvaluatedShardId" not in d
    (shard,) = d["Shards"]
    assert re.fullmatch(r"shardId-[0-9]{20}-[0-9a-f]{8}", shard["ShardId"])
    assert "ParentShardId" not in shard
    assert SEQUENCE.match(shard["SequenceNumberRange"]["StartingSequenceNumber"])
    assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]
    listed = streams.list_streams(TableName=table)["Streams"]
    assert listed == [{"StreamArn": arn, "TableName": table, "StreamLabel": label}]


def test_list_streams_pages_and_filters(ddb, streams):
    # [alternator] test_list_streams_paged / test_list_streams_empty.
    tables = [streamed_table(ddb) for _ in range(3)]
    seen, start = [], None
    while True:
        kw = {"Limit": 1}
        if start:
            kw["ExclusiveStartStreamArn"] = start
        page = streams.list_streams(**kw)
        assert len(page["Streams"]) <= 1
        seen += [s["TableName"] for s in page["Streams"]]
        start = page.get("LastEvaluatedStreamArn")
        if not start:
            break
    assert set(tables) <= set(seen)
    plain = create_table(ddb, unique_name("nostream"))
    assert streams.list_streams(TableName=plain)["Streams"] == []


def test_records_of_every_write_path(ddb, streams):
    # Shapes from [localstack] and [alternator]; eventVersion 1.1, eventSource,
    # SizeBytes = keys + images by item-size rules (checked against AWS numbers
    # in localstack's snapshots: {id:"Fred"} INSERT -> 12).
    table = streamed_table(ddb)
    ddb.put_item(TableName=table, Item={"pk": {"S": "Fred"}})
    ddb.update_item(
        TableName=table,
        Key={"pk": {"S": "Fred"}},
        UpdateExpression="SET #n = :v",
        ExpressionAttributeNames={"#n": "name"},
        ExpressionAttributeValues={":v": {"S": "Fred"}},
    )
    ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {"pk": {"S": "b"}}}}]})
    ddb.transact_write_items(TransactItems=[{"Delete": {"TableName": table, "Key": {"pk": {"S": "b"}}}}])
    ddb.delete_item(TableName=table, Key={"pk": {"S": "Fred"}})
    records = read_stream(streams, latest_arn(ddb, table))
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "INSERT", "REMOVE", "REMOVE"]
    for r in records:
        assert r["eventVersion"] == "1.1" and r["eventSource"] == "aws:dynamodb"
        assert r["awsRegion"] == REGION
        assert re.fullmatch(r"[0-9a-f]{32}", r["eventID"])
        assert "userIdentity" not in r
        d = r["dynamodb"]
        assert d["StreamViewType"] == "NEW_AND_OLD_IMAGES"
        assert SEQUENCE.match(d["SequenceNumber"])
        assert abs(d["ApproximateCreationDateTime"].timestamp() - time.time()) < 120
    seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    insert, modify = records[0]["dynamodb"], records[1]["dynamodb"]
    assert insert["Keys"] == {"pk": {"S": "Fred"}} and "OldImage" not in insert
    assert insert["SizeBytes"] == 12
    assert modify["OldImage"] == {"pk": {"S": "Fred"}}
    assert modify["NewImage"] == {"pk": {"S": "Fred"}, "name": {"S": "Fred"}}
    assert modify["SizeBytes"] == 6 + 6 + 14
    remove = records[4]["dynamodb"]
    assert "NewImage" not in remove and remove["OldImage"]["name"] == {"S": "Fred"}


@pytest.mark.parametrize(
    "view,new,old",
    [("KEYS_ONLY", False, False), ("NEW_IMAGE", True, False), ("OLD_IMAGE", False, True)],
)
def test_view_types(ddb, streams, view, new, old):
    # [localstack] test_dynamodb_stream_stream_view_type; [alternator].
    table = streamed_table(ddb, view=view)
    ddb.put_item(TableName=table, Item={"pk": {"S": "k"}, "v": {"N": "1"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "k"}, "v": {"N": "2"}})
    (insert, modify) = read_stream(streams, latest_arn(ddb, table))
    for r in (insert, modify):
        assert r["dynamodb"]["StreamViewType"] == view
        assert r["dynamodb"]["Keys"] == {"pk": {"S": "k"}}
    assert ("NewImage" in modify["dynamodb"]) == new
    assert ("OldImage" in modify["dynamodb"]) == old
    if view == "KEYS_ONLY":
        # Username="Fred"-style: SizeBytes of the keys alone [localstack: 12].
        assert modify["dynamodb"]["SizeBytes"] == 3


def test_writes_that_change_nothing_leave_no_record(ddb, streams):
    # [devguide] "If you perform a PutItem or UpdateItem operation that does not
    # change any data in an item, then DynamoDB Streams will not write a stream
    # record"; [alternator] do_updates_1: deleting a missing item too.
    table = streamed_table(ddb)
    item = {"pk": {"S": "same"}, "m": {"M": {"dog": {"N": "1"}, "cat": {"N": "2"}}}, "s": {"SS": ["x", "y"]}}
    ddb.put_item(TableName=table, Item=item)
    ddb.put_item(TableName=table, Item=item)
    ddb.update_item(
        TableName=table,
        Key={"pk": {"S": "same"}},
        UpdateExpression="SET s = :s",
        ExpressionAttributeValues={":s": {"SS": ["y", "x"]}},
    )
    ddb.delete_item(TableName=table, Key={"pk": {"S": "missing"}})
    assert len(read_stream(streams, latest_arn(ddb, table))) == 1


def test_iterator_types(ddb, streams):
    table = streamed_table(ddb, view="KEYS_ONLY")
    for k in "abc":
        ddb.put_item(TableName=table, Item={"pk": {"S": k}})
    arn = latest_arn(ddb, table)
    shard = all_shards(streams, arn)[0]["ShardId"]
    records = read_shard(streams, arn, shard)
    second = records[1]["dynamodb"]["SequenceNumber"]

    def first_key(kind, seq=None):
        kw = {"StreamArn": arn, "ShardId": shard, "ShardIteratorType": kind}
        if seq:
            kw["SequenceNumber"] = seq
        page = streams.get_records(ShardIterator=streams.get_shard_iterator(**kw)["ShardIterator"])
        return [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]], page

    assert first_key("AT_SEQUENCE_NUMBER", second)[0] == ["b", "c"]
    assert first_key("AFTER_SEQUENCE_NUMBER", second)[0] == ["c"]
    keys, page = first_key("LATEST")
    # [alternator] test_streams_no_records: an empty page still has Records and,
    # on an open shard, NextShardIterator.
    assert keys == [] and page["Records"] == [] and "NextShardIterator" in page
    ddb.put_item(TableName=table, Item={"pk": {"S": "d"}})
    after = streams.get_records(ShardIterator=page["NextShardIterator"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in after["Records"]] == ["d"]
    limited = streams.get_records(
        ShardIterator=streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
            "ShardIterator"
        ],
        Limit=2,
    )
    assert len(limited["Records"]) == 2


def test_streams_errors(ddb, streams, endpoint):
    table = streamed_table(ddb)
    arn = latest_arn(ddb, table)
    shard = all_shards(streams, arn)[0]["ShardId"]
    # [alternator] test_get_shard_iterator: a sequence number is required for the
    # sequence types, refused for the others.
    expect_error(
        lambda: streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER"),
        "ValidationException",
    )
    expect_error(
        lambda: streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON", SequenceNumber="1" * 21
        ),
        "ValidationException",
    )
    # [logstash] ResourceNotFoundException: Requested resource not found: Shard does not exist
    expect_error(
        lambda: streams.get_shard_iterator(
            StreamArn=arn, ShardId="shardId-00000000000000000000-00000000", ShardIteratorType="LATEST"
        ),
        "ResourceNotFoundException",
        "Requested resource not found: Shard does not exist",
    )
    # [sdkjs] a well-formed ARN of no stream; a malformed one is a ValidationException
    # ("Invalid StreamArn", aws-sdk-js dynamodbstreams.feature).
    missing = arn.replace(table, table + "x")
    expect_error(
        lambda: streams.describe_stream(StreamArn=missing),
        "ResourceNotFoundException",
        f"Requested resource not found: Stream: {missing} not found",
    )
    expect_error(lambda: streams.describe_stream(StreamArn="x" * 40), "ValidationException", "Invalid StreamArn")
    # [alternator] test_get_records_nonexistent_iterator / too_high_limit / zero limit.
    expect_error(lambda: streams.get_records(ShardIterator="sdfsdfsgagaddafgagasgasgasdfasdfasdf"), "ValidationException")
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
    err = expect_error(lambda: streams.get_records(ShardIterator=it, Limit=1001), "ValidationException")
    assert "imit" in err["Error"]["Message"]
    r = raw_request(endpoint, "DynamoDBStreams_20120810.GetRecords", {"ShardIterator": it, "Limit": 0})
    assert_error(r, "ValidationException")
    # [alternator] test_list_streams_zero_limit / too_high_limit.
    expect_error(lambda: streams.list_streams(Limit=101), "ValidationException")
    # [alternator] test_describe_stream_with_nonexistent_last_shard: no error, no shards.
    d = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId="shardId-99999999999999999999-zzzzzzzz")
    assert d["StreamDescription"]["Shards"] == []


def test_each_service_answers_only_its_own_operations(endpoint, ddb):
    table = create_table(ddb, unique_name("prefix"))
    r = raw_request(endpoint, "DynamoDBStreams_20120810.GetItem", {"TableName": table, "Key": {"pk": {"S": "k"}}})
    assert_error(r, "UnknownOperationException")
    r = raw_request(endpoint, "DynamoDB_20120810.ListStreams", {})
    assert_error(r, "UnknownOperationException")
    r = raw_request(endpoint, "DynamoDB_20120810.DynamoDBStreams_20120810.ListStreams", {})
    assert_error(r, "UnknownOperationException")
    r = raw_request(endpoint, "DynamoDBStreams_20120810.ListStreams", {})
    assert r.status_code == 200 and "Streams" in r.json()


def test_disable_and_enable_again(ddb, streams):
    # [devguide] a re-enabled stream is a new stream; a disabled one stays
    # readable for 24 hours; [alternator] test_streams_disabled_stream; DescribeTable
    # keeps LatestStreamArn/Label and drops StreamSpecification (terraform's AWS
    # acceptance tests); ack-api-quirks DDB-TABLE-018 for the messages.
    table = streamed_table(ddb, view="KEYS_ONLY")
    first = latest_arn(ddb, table)
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}})
    ddb.update_table(TableName=table, StreamSpecification={"StreamEnabled": False})
    desc = ddb.describe_table(TableName=table)["Table"]
    assert "StreamSpecification" not in desc and desc["LatestStreamArn"] == first
    expect_error(
        lambda: ddb.update_table(TableName=table, StreamSpecification={"StreamEnabled": False}),
        "ValidationException",
        f"Table has no stream to disable: TableName: {table}",
    )
    old = streams.describe_stream(StreamArn=first)["StreamDescription"]
    assert old["StreamStatus"] == "DISABLED"
    assert all("EndingSequenceNumber" in s["SequenceNumberRange"] for s in old["Shards"])
    shard = old["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=first, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    page = streams.get_records(ShardIterator=it["ShardIterator"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == ["a"]
    assert "NextShardIterator" not in page, "a closed shard read to its end"
    time.sleep(0.01)
    ddb.update_table(TableName=table, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    second = latest_arn(ddb, table)
    assert second != first
    expect_error(
        lambda: ddb.update_table(
            TableName=table, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
        ),
        "ValidationException",
        f"Table already has an enabled stream: TableName: {table}",
    )
    listed = {s["StreamArn"] for s in streams.list_streams(TableName=table)["Streams"]}
    assert listed == {first, second}


def test_shards_roll_over_and_tail_follows_lineage(tmp_path):
    srv = FerrodynServer(tmp_path, extra_args=("--stream-shard-rollover-secs", "1")).start()
    try:
        ddb = srv.client()
        streams = streams_client(srv.endpoint)
        table = streamed_table(ddb, view="NEW_IMAGE")
        written = []
        for i in range(40):
            ddb.put_item(TableName=table, Item={"pk": {"S": f"k{i % 5}"}, "n": {"N": str(i)}})
            written.append((f"k{i % 5}", str(i)))
            time.sleep(0.06)
        arn = latest_arn(ddb, table)
        shards = all_shards(streams, arn)
        assert len(shards) >= 2, shards
        for parent, child in zip(shards, shards[1:]):
            assert child["ParentShardId"] == parent["ShardId"]
            assert "EndingSequenceNumber" in parent["SequenceNumberRange"]
        seen = [(r["dynamodb"]["NewImage"]["pk"]["S"], r["dynamodb"]["NewImage"]["n"]["N"]) for r in read_stream(streams, arn)]
        assert seen == written
        # ferrodyn streams tail prints the same records, one JSON line each.
        out = subprocess.run(
            [str(BINARY), "streams", "tail", "--table", table, "--endpoint", srv.endpoint,
             "--from-start", "--max-records", "40"],
            capture_output=True, timeout=60,
        )
        assert out.returncode == 0, out.stderr.decode()
        lines = [json.loads(l) for l in out.stdout.decode().splitlines()]
        assert [(r["dynamodb"]["NewImage"]["pk"]["S"], r["dynamodb"]["NewImage"]["n"]["N"]) for r in lines] == written
    finally:
        assert srv.stop() == 0


def test_expired_iterators_and_trimmed_records(tmp_path):
    # AWS: an iterator lives 15 minutes, a record 24 hours [devguide]; a
    # consumer's handling of both is testable here with them shortened.
    srv = FerrodynServer(
        tmp_path,
        extra_args=("--stream-iterator-lifetime-secs", "1", "--stream-retention-secs", "2"),
    ).start()
    try:
        ddb = srv.client()
        streams = streams_client(srv.endpoint)
        table = streamed_table(ddb, view="KEYS_ONLY")
        arn = latest_arn(ddb, table)
        ddb.put_item(TableName=table, Item={"pk": {"S": "old"}})
        shard = all_shards(streams, arn)[0]["ShardId"]
        old = read_shard(streams, arn, shard)
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in old] == ["old"]
        old_seq = old[0]["dynamodb"]["SequenceNumber"]

        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
        time.sleep(1.3)
        expect_error(
            lambda: streams.get_records(ShardIterator=it),
            "ExpiredIteratorException",
            re.compile(r"^Iterator expired\. The iterator was created at time .* tolerated delay of 1000 milliseconds\.$"),
        )

        # The record is trimmed within a maintenance pass (every second)
        # after it is two seconds old.
        deadline = time.monotonic() + 15
        while True:
            try:
                streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=old_seq
                )
            except ClientError as e:
                assert e.response["Error"]["Code"] == "TrimmedDataAccessException", e.response
                assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400
                break
            assert time.monotonic() < deadline, "the old record was never trimmed"
            time.sleep(0.2)
        ddb.put_item(TableName=table, Item={"pk": {"S": "new"}})
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_shard(streams, arn, shard)] == ["new"]
    finally:
        assert srv.stop() == 0


def test_aws_cli_reads_a_stream(ddb, endpoint):
    table = streamed_table(ddb, view="KEYS_ONLY")
    ddb.put_item(TableName=table, Item={"pk": {"S": "cli"}})
    env_args = ["--endpoint-url", endpoint, "--region", REGION, "--output", "json"]

    def aws(*args):
        import os
        from pathlib import Path

        aws_bin = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "aws"
        env = dict(os.environ, AWS_ACCESS_KEY_ID=DUMMY_KEY, AWS_SECRET_ACCESS_KEY=DUMMY_SECRET)
        r = subprocess.run([str(aws_bin), *args, *env_args], capture_output=True, env=env, timeout=60)
        assert r.returncode == 0, r.stderr.decode()
        return json.loads(r.stdout or b"{}")

    arn = aws("dynamodbstreams", "list-streams", "--table-name", table)["Streams"][0]["StreamArn"]
    shard = aws("dynamodbstreams", "describe-stream", "--stream-arn", arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = aws(
        "dynamodbstreams", "get-shard-iterator", "--stream-arn", arn, "--shard-id", shard,
        "--shard-iterator-type", "TRIM_HORIZON",
    )["ShardIterator"]
    records = aws("dynamodbstreams", "get-records", "--shard-iterator", it)["Records"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["cli"]


def test_kill_9_under_writes_keeps_one_record_per_acknowledged_write(tmp_path):
    """Every acknowledged write has exactly one record after kill -9; a record
    exists only for a write that was attempted, and exactly when its item
    does (the record is committed with the item)."""
    import os
    import random
    import signal
    import threading

    srv = FerrodynServer(tmp_path).start()
    try:
        table = streamed_table(srv.client(), view="NEW_IMAGE")
        for round_no in range(3):
            acked, attempted = set(), set()
            lock = threading.Lock()
            stop = threading.Event()

            def writer(w):
                c = srv.client()
                i = 0
                while not stop.is_set():
                    key = f"r{round_no}-w{w}-{i}"
                    with lock:
                        attempted.add(key)
                    try:
                        c.put_item(TableName=table, Item={"pk": {"S": key}, "v": {"S": key}})
                    except Exception:
                        return
                    with lock:
                        acked.add(key)
                    i += 1

            threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
            for t in threads:
                t.start()
            time.sleep(random.uniform(0.5, 1.5))
            os.kill(srv.proc.pid, signal.SIGKILL)
            srv.proc.wait(timeout=10)
            stop.set()
            for t in threads:
                t.join(30)
            srv.start()
            ddb = srv.client()
            records = read_stream(streams_client(srv.endpoint), latest_arn(ddb, table))
            keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in records if r["dynamodb"]["Keys"]["pk"]["S"].startswith(f"r{round_no}-")]
            assert len(keys) == len(set(keys)), "one record per write"
            assert acked <= set(keys), f"{len(acked - set(keys))} acknowledged writes without a record"
            assert set(keys) <= attempted
            for key in set(keys) - acked:
                # In flight at the kill: committed whole, item and record together.
                assert "Item" in ddb.get_item(TableName=table, Key={"pk": {"S": key}}, ConsistentRead=True)
            for key in attempted - set(keys):
                assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": key}}, ConsistentRead=True)
            assert len(acked) > 50, "the writers made progress"
    finally:
        srv.stop()

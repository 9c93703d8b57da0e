"""Time to Live through boto3 and the AWS CLI: UpdateTimeToLive and
DescribeTimeToLive with AWS's rules and messages, and the sweeper deleting
expired items within seconds (the server's default sweep interval is one
second), with the deletion in the stream as the service's.

Source abbreviations used in comments:
  [dynalite]    architect/dynalite test/updateTimeToLive.js, describeTimeToLive.js
  [alternator]  scylladb/scylladb test/alternator/test_ttl.py (run against AWS)
  [ackquirks]   lab probes against AWS (DDB-TABLE-143..147)
  [devguide]    the developer guide's TTL chapters
"""

from __future__ import annotations

import time

import pytest

from conftest import create_table, expect_error, unique_name
from test_streams import latest_arn, read_stream, streams_client


def wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.2)


def test_update_and_describe_time_to_live(ddb):
    table = create_table(ddb, unique_name("ttl"))
    # [alternator] test_describe_ttl_without_ttl: DISABLED, no AttributeName.
    assert ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
    # [dynalite] disabling what is not enabled.
    expect_error(
        lambda: ddb.update_time_to_live(
            TableName=table, TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"}
        ),
        "ValidationException",
        "TimeToLive is already disabled",
    )
    # [alternator] test_ttl_enable: the answer echoes the request; status ENABLED at once.
    spec = {"Enabled": True, "AttributeName": "exp"}
    assert ddb.update_time_to_live(TableName=table, TimeToLiveSpecification=spec)["TimeToLiveSpecification"] == spec
    assert ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "exp",
    }
    # [ackquirks] content errors come before the cool-down.
    expect_error(
        lambda: ddb.update_time_to_live(TableName=table, TimeToLiveSpecification=spec),
        "ValidationException",
        "TimeToLive is already enabled",
    )
    expect_error(
        lambda: ddb.update_time_to_live(
            TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "other"}
        ),
        "ValidationException",
        "TimeToLive is active on a different AttributeName: current AttributeName is exp",
    )
    # [alternator] / [ackquirks] DDB-TABLE-143: a second change within the interval.
    expect_error(
        lambda: ddb.update_time_to_live(
            TableName=table, TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"}
        ),
        "ValidationException",
        "Time to live has been modified multiple times within a fixed interval",
    )
    # [dynalite] a missing table.
    expect_error(
        lambda: ddb.describe_time_to_live(TableName=table + "x"),
        "ResourceNotFoundException",
        f"Requested resource not found: Table: {table}x not found",
    )
    # The model's constraint on the name's length.
    expect_error(
        lambda: ddb.update_time_to_live(
            TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "x" * 256}
        ),
        "ValidationException",
    )


def test_expired_items_are_deleted_within_seconds(ddb, endpoint):
    streams = streams_client(endpoint)
    table = create_table(
        ddb,
        unique_name("ttlx"),
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    now = int(time.time())
    items = {
        "past": {"N": str(now - 60)},
        "fraction": {"N": f"{now - 60}.5"},  # [alternator] fractional values expire too
        "future": {"N": str(now + 3600)},
        "string": {"S": str(now - 60)},  # [devguide] not a Number: ignored
        "ancient": {"N": "162777600"},  # [devguide] more than five years ago: ignored
        "millis": {"N": str((now - 60) * 1000)},  # milliseconds: the far future
    }
    for name, value in items.items():
        ddb.put_item(TableName=table, Item={"pk": {"S": name}, "exp": value})
    ddb.put_item(TableName=table, Item={"pk": {"S": "noattr"}})
    # [devguide] expired items are still returned until deleted.
    assert "Item" in ddb.get_item(TableName=table, Key={"pk": {"S": "past"}})
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})

    def present(k):
        return "Item" in ddb.get_item(TableName=table, Key={"pk": {"S": k}}, ConsistentRead=True)

    wait_for(lambda: not present("past") and not present("fraction"))
    for k in ("future", "string", "ancient", "millis", "noattr"):
        assert present(k), k
    removed = [r for r in read_stream(streams, latest_arn(ddb, table)) if r["eventName"] == "REMOVE"]
    assert {r["dynamodb"]["Keys"]["pk"]["S"] for r in removed} == {"past", "fraction"}
    for r in removed:
        # [alternator] test_ttl_expiration_streams: the service's deletion, with
        # the old image.
        assert r["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
        assert r["dynamodb"]["OldImage"]["pk"] == r["dynamodb"]["Keys"]["pk"]
    assert ddb.describe_table(TableName=table)["Table"]["ItemCount"] == 5


def test_an_item_given_a_later_expiry_is_kept(ddb):
    table = create_table(ddb, unique_name("ttlk"))
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    now = int(time.time())
    ddb.put_item(TableName=table, Item={"pk": {"S": "soon"}, "exp": {"N": str(now + 2)}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "moved"}, "exp": {"N": str(now + 2)}})
    # [alternator] p5: updating the attribute into the future keeps the item.
    ddb.update_item(
        TableName=table,
        Key={"pk": {"S": "moved"}},
        UpdateExpression="SET exp = :e",
        ExpressionAttributeValues={":e": {"N": str(now + 3600)}},
    )

    def present(k):
        return "Item" in ddb.get_item(TableName=table, Key={"pk": {"S": k}}, ConsistentRead=True)

    wait_for(lambda: not present("soon"))
    assert present("moved")


@pytest.mark.parametrize("index", ["gsi", "lsi"])
def test_expired_items_leave_the_indexes(ddb, index):
    # [alternator] test_ttl_expiration_gsi_lsi.
    extra = {
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
    }
    name = unique_name("ttli")
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    spec = {"IndexName": "by_g", "Projection": {"ProjectionType": "ALL"}}
    if index == "gsi":
        spec["KeySchema"] = [{"AttributeName": "g", "KeyType": "HASH"}]
        kw = {"GlobalSecondaryIndexes": [spec]}
    else:
        spec["KeySchema"] = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "g", "KeyType": "RANGE"}]
        kw = {"LocalSecondaryIndexes": [spec]}
    ddb.create_table(TableName=name, KeySchema=schema, BillingMode="PAY_PER_REQUEST", **extra, **kw)
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    ddb.put_item(
        TableName=name,
        Item={"pk": {"S": "p"}, "sk": {"S": "s"}, "g": {"S": "x"}, "exp": {"N": str(int(time.time()) - 5)}},
    )

    def in_index():
        cond = "g = :g" if index == "gsi" else "pk = :p AND g = :g"
        values = {":g": {"S": "x"}} if index == "gsi" else {":p": {"S": "p"}, ":g": {"S": "x"}}
        return ddb.query(TableName=name, IndexName="by_g", KeyConditionExpression=cond,
                         ExpressionAttributeValues=values)["Count"]

    wait_for(lambda: in_index() == 0)
    assert ddb.scan(TableName=name)["Count"] == 0


def test_settings_and_records_survive_kill_9(tmp_path):
    """DescribeTable's stream fields, DescribeTimeToLive, ListStreams and the
    stream's records are the same after kill -9 and a restart."""
    import os
    import signal

    from conftest import FerrodynServer

    srv = FerrodynServer(tmp_path).start()
    try:
        ddb = srv.client()
        table = create_table(
            ddb, unique_name("ttlr"), StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
        )
        ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        for k in range(5):
            ddb.put_item(TableName=table, Item={"pk": {"S": f"k{k}"}})
        before = ddb.describe_table(TableName=table)["Table"]
        streams = streams_client(srv.endpoint)
        records_before = read_stream(streams, before["LatestStreamArn"])
        os.kill(srv.proc.pid, signal.SIGKILL)
        srv.proc.wait(10)
        srv.start()
        ddb = srv.client()
        after = ddb.describe_table(TableName=table)["Table"]
        for field in ("LatestStreamArn", "LatestStreamLabel", "StreamSpecification", "ItemCount"):
            assert after[field] == before[field], field
        assert ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"] == {
            "TimeToLiveStatus": "ENABLED",
            "AttributeName": "exp",
        }
        streams = streams_client(srv.endpoint)
        assert read_stream(streams, after["LatestStreamArn"]) == records_before
        assert [s["StreamArn"] for s in streams.list_streams(TableName=table)["Streams"]] == [after["LatestStreamArn"]]
        # Writes go on in the same shard, after the old records.
        ddb.put_item(TableName=table, Item={"pk": {"S": "later"}})
        records = read_stream(streams, after["LatestStreamArn"])
        assert records[:-1] == records_before and records[-1]["dynamodb"]["Keys"]["pk"]["S"] == "later"
    finally:
        srv.stop()

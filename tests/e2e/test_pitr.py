"""Point-in-time recovery through boto3 and the AWS CLI:
RestoreTableToPointInTime restores exactly the items of the instant asked
for (by name or ARN, or the latest restorable time), with indexes, on the
durable and the in-memory engine; AWS's errors in AWS's order; kill -9
during a restore, and a restart before it, lose nothing.

The servers of this module run with `--pitr-restorable-lag-secs 0` so that
a test can restore what it has just written; the shared server keeps
AWS's five minutes (the CLI test relies on it).

Sources: [probe] aws-controllers-k8s/dynamodb-controller docs/api-quirks
(table-restore.md: recorded against AWS); [doc] the API reference.
"""

from __future__ import annotations

import datetime
import json
import math
import re
import subprocess
import time

import pytest

from conftest import BINARY, N, S, FerrodynServer, create_table, expect_error, unique_name, wait_active


@pytest.fixture(scope="module", params=["durable", "memory"])
def pitr_server(request, tmp_path_factory):
    """A server whose latest restorable instant is now."""
    srv = FerrodynServer(
        tmp_path_factory.mktemp(f"pitr-{request.param}"),
        in_memory=request.param == "memory",
        extra_args=("--pitr-restorable-lag-secs", "0"),
    )
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def pitr(pitr_server):
    return pitr_server.client()


def indexed_table(client) -> str:
    name = unique_name("pitr")
    client.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def enable(client, table: str) -> dict:
    return client.update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )["ContinuousBackupsDescription"]


def next_whole_second() -> datetime.datetime:
    """A whole second after every write made so far, once it has passed
    (timestamps may travel in whole seconds)."""
    t = math.floor(time.time()) + 1
    time.sleep(max(0.0, t - time.time()) + 0.05)
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc)


def items(client, table: str) -> dict:
    out, kw = {}, {}
    while True:
        r = client.scan(TableName=table, ConsistentRead=True, **kw)
        out.update({i["pk"]["S"]: i for i in r["Items"]})
        if "LastEvaluatedKey" not in r:
            return out
        kw = {"ExclusiveStartKey": r["LastEvaluatedKey"]}


def test_restore_gives_the_items_of_the_instant(pitr):
    t = indexed_table(pitr)
    pitr.put_item(TableName=t, Item={"pk": S("before"), "g": S("x")})
    enable(pitr, t)
    pitr.put_item(TableName=t, Item={"pk": S("a"), "g": S("x"), "n": N(1)})
    pitr.put_item(TableName=t, Item={"pk": S("b"), "g": S("y"), "n": N(1)})
    first = next_whole_second()
    expected_first = items(pitr, t)
    pitr.delete_item(TableName=t, Key={"pk": S("a")})
    pitr.update_item(TableName=t, Key={"pk": S("b")}, UpdateExpression="SET n = :n", ExpressionAttributeValues={":n": N(2)})
    pitr.put_item(TableName=t, Item={"pk": S("c"), "g": S("x")})
    second = next_whole_second()
    expected_second = items(pitr, t)
    pitr.put_item(TableName=t, Item={"pk": S("d"), "g": S("x")})

    target = unique_name("at1")
    d = pitr.restore_table_to_point_in_time(SourceTableName=t, TargetTableName=target, RestoreDateTime=first)["TableDescription"]
    assert d["TableStatus"] == "CREATING"
    summary = d["RestoreSummary"]
    assert summary["SourceTableArn"].endswith(f":table/{t}")
    assert "SourceBackupArn" not in summary
    assert summary["RestoreInProgress"] is True
    assert summary["RestoreDateTime"] == first
    assert [i["IndexName"] for i in d["GlobalSecondaryIndexes"]] == ["by_g"]
    done = wait_active(pitr, target, timeout=60)
    assert "RestoreSummary" not in done
    assert items(pitr, target) == expected_first
    assert done["ItemCount"] == len(expected_first) == 3
    by_g = pitr.query(TableName=target, IndexName="by_g", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": S("x")})
    assert sorted(i["pk"]["S"] for i in by_g["Items"]) == ["a", "before"]

    # By ARN, to the second instant.
    arn = pitr.describe_table(TableName=t)["Table"]["TableArn"]
    target2 = unique_name("at2")
    pitr.restore_table_to_point_in_time(SourceTableArn=arn, TargetTableName=target2, RestoreDateTime=second)
    wait_active(pitr, target2, timeout=60)
    assert items(pitr, target2) == expected_second
    assert items(pitr, target2)["b"]["n"] == N(2)

    # The latest restorable time is now on this server: everything.
    target3 = unique_name("latest")
    pitr.restore_table_to_point_in_time(SourceTableName=t, TargetTableName=target3, UseLatestRestorableTime=True)
    wait_active(pitr, target3, timeout=60)
    assert items(pitr, target3) == items(pitr, t)
    # A restored table's recovery is off, as on AWS [probe].
    off = pitr.describe_continuous_backups(TableName=target3)["ContinuousBackupsDescription"]
    assert off["PointInTimeRecoveryDescription"] == {"PointInTimeRecoveryStatus": "DISABLED"}
    for name in (target, target2, target3, t):
        pitr.delete_table(TableName=name)


def test_errors_in_aws_order(pitr):
    """[probe] shape, then the source's recovery, then the instant, then
    the target."""
    t = create_table(pitr)
    other = create_table(pitr)
    now = datetime.datetime.now(datetime.timezone.utc)
    expect_error(
        lambda: pitr.restore_table_to_point_in_time(SourceTableName=t, SourceTableArn=f"arn:aws:dynamodb:us-east-1:000000000000:table/{t}", TargetTableName="x1-target", UseLatestRestorableTime=True),
        "ValidationException",
        "Must provide exactly one of: sourceTableArn, sourceTableName",
    )
    expect_error(
        lambda: pitr.restore_table_to_point_in_time(SourceTableName=t, TargetTableName="x1-target"),
        "ValidationException",
        "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both",
    )
    expect_error(
        lambda: pitr.restore_table_to_point_in_time(SourceTableName="no-such-table-pitr", TargetTableName="x1-target", UseLatestRestorableTime=True),
        "TableNotFoundException",
        "Table not found: no-such-table-pitr",
    )
    # Recovery is checked before the instant and the target.
    expect_error(
        lambda: pitr.restore_table_to_point_in_time(SourceTableName=t, TargetTableName=other, RestoreDateTime=datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)),
        "PointInTimeRecoveryUnavailableException",
        f"Point in time recovery is not enabled for table '{t}'",
    )
    window = enable(pitr, t)["PointInTimeRecoveryDescription"]
    earliest = window["EarliestRestorableDateTime"]
    # The instant is checked before the target.
    future = now + datetime.timedelta(hours=1)
    e = expect_error(
        lambda: pitr.restore_table_to_point_in_time(SourceTableName=t, TargetTableName=other, RestoreDateTime=future),
        "InvalidRestoreTimeException",
    )
    stamp = r"'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ'"
    assert re.fullmatch(f"RestoreDateTime {stamp} must be within EarliestRestorableDateTime {stamp} and LatestRestorableDateTime {stamp}", e["Error"]["Message"]), e
    assert earliest.strftime("%Y-%m-%dT%H:%M:%SZ") in e["Error"]["Message"]
    expect_error(
        lambda: pitr.restore_table_to_point_in_time(SourceTableName=t, TargetTableName=other, UseLatestRestorableTime=True),
        "TableAlreadyExistsException",
        f"Table already exists: {other}",
    )
    expect_error(
        lambda: pitr.restore_table_to_point_in_time(SourceTableName=t, TargetTableName=t, UseLatestRestorableTime=True),
        "TableAlreadyExistsException",
        f"Table already exists: {t}",
    )
    for name in (t, other):
        pitr.delete_table(TableName=name)


def test_cli_restore_to_latest_restorable_time(aws, ddb):
    """The AWS CLI against the shared server, which keeps AWS's five
    minutes: right after enabling, the latest restorable time is the
    enable time, so a write made since is not restored."""

    def cli(*args):
        return json.loads(aws(*args).stdout or "{}")

    t = create_table(ddb)
    ddb.put_item(TableName=t, Item={"pk": S("old")})
    window = cli("update-continuous-backups", "--table-name", t, "--point-in-time-recovery-specification", "PointInTimeRecoveryEnabled=true")
    pitr = window["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["EarliestRestorableDateTime"] == pitr["LatestRestorableDateTime"]
    ddb.put_item(TableName=t, Item={"pk": S("new")})
    target = unique_name("cli")
    out = cli("restore-table-to-point-in-time", "--source-table-name", t, "--target-table-name", target, "--use-latest-restorable-time")
    assert out["TableDescription"]["TableStatus"] == "CREATING"
    aws("wait", "table-exists", "--table-name", target)
    assert set(items(ddb, target)) == {"old"}
    ddb.delete_table(TableName=target)
    ddb.delete_table(TableName=t)


def test_restart_and_kill_during_restore_lose_nothing(tmp_path):
    """Recovery survives a restart (its log and snapshots are durable), and
    kill -9 in the middle of a point-in-time restore: after restart it
    starts over and the table holds exactly the instant's items."""
    srv = FerrodynServer(tmp_path, extra_args=("--pitr-restorable-lag-secs", "0"))
    srv.start()
    try:
        c = srv.client()
        t = create_table(c)
        enable(c, t)

        def fill(lo, hi, value):
            for start in range(lo, hi, 25):
                c.batch_write_item(RequestItems={t: [{"PutRequest": {"Item": {"pk": S(f"k{i:06}"), "v": S(value * 100)}}} for i in range(start, min(hi, start + 25))]})

        fill(0, 10_000, "a")
        instant = next_whole_second()
        fill(5_000, 15_000, "b")
        srv.kill()
        srv.start()
        c = srv.client()
        target = unique_name("cut")
        c.restore_table_to_point_in_time(SourceTableName=t, TargetTableName=target, RestoreDateTime=instant)
        srv.kill()
        srv.start()
        c = srv.client()
        assert wait_active(c, target, timeout=120)["ItemCount"] == 10_000
        restored = items(c, target)
        assert len(restored) == 10_000
        assert all(i["v"]["S"] == "a" * 100 for i in restored.values())
    finally:
        srv.stop()


def test_deleted_table_leaves_a_system_backup(pitr):
    """[probe] Deleting a table with point-in-time recovery on leaves a
    SYSTEM backup `<name>$DeletedTableBackup` (id `<millis>-00000000`,
    expiring in 35 days), listed only when SYSTEM or ALL backups are asked
    for, not deletable, and restorable; a table without recovery leaves
    none."""
    t = indexed_table(pitr)
    plain = create_table(pitr)
    enable(pitr, t)
    for i in range(30):
        pitr.put_item(TableName=t, Item={"pk": S(f"k{i}"), "g": S("x" if i % 2 else "y")})
    before = items(pitr, t)
    pitr.delete_table(TableName=t)
    pitr.delete_table(TableName=plain)
    assert pitr.list_backups(TableName=t)["BackupSummaries"] == []
    assert pitr.list_backups(TableName=plain, BackupType="ALL")["BackupSummaries"] == []
    (summary,) = pitr.list_backups(TableName=t, BackupType="SYSTEM")["BackupSummaries"]
    assert [b["BackupArn"] for b in pitr.list_backups(TableName=t, BackupType="ALL")["BackupSummaries"]] == [summary["BackupArn"]]
    arn = summary["BackupArn"]
    assert re.fullmatch(rf"arn:aws:dynamodb:us-east-1:\d{{12}}:table/{t}/backup/\d{{14}}-00000000", arn), arn
    assert summary["BackupName"] == f"{t}$DeletedTableBackup"
    assert summary["BackupType"] == "SYSTEM"
    expiry = summary["BackupExpiryDateTime"] - summary["BackupCreationDateTime"]
    assert expiry == datetime.timedelta(days=35), expiry
    deadline = time.monotonic() + 30
    while (d := pitr.describe_backup(BackupArn=arn)["BackupDescription"])["BackupDetails"]["BackupStatus"] != "AVAILABLE":
        assert time.monotonic() < deadline, d
        time.sleep(0.05)
    assert d["BackupDetails"]["BackupType"] == "SYSTEM"
    assert d["SourceTableDetails"]["ItemCount"] == 30
    expect_error(
        lambda: pitr.delete_backup(BackupArn=arn),
        "ValidationException",
        re.compile(rf"^Invalid Request: User is not allowed to delete the system backup with arn {re.escape(arn)}\. It will automatically expire on "),
    )
    target = unique_name("undeleted")
    pitr.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
    wait_active(pitr, target, timeout=60)
    assert items(pitr, target) == before
    by_g = pitr.query(TableName=target, IndexName="by_g", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": S("x")})
    assert len(by_g["Items"]) == 15
    pitr.delete_table(TableName=target)


def test_operator_commands(pitr_server, pitr):
    """`ferrodyn backup create|list` and `ferrodyn restore` (from a backup,
    and to an instant) against a running server: each waits for the work
    and says what it made."""

    def ferrodyn(*args):
        proc = subprocess.run([str(BINARY), *args, "--endpoint", pitr_server.endpoint], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        return proc.stdout

    t = create_table(pitr)
    enable(pitr, t)
    for i in range(40):
        pitr.put_item(TableName=t, Item={"pk": S(f"k{i}")})
    instant = next_whole_second()
    pitr.put_item(TableName=t, Item={"pk": S("later")})
    arn = ferrodyn("backup", "create", "--table", t, "--name", "by-cli").strip()
    assert re.fullmatch(rf"arn:aws:dynamodb:us-east-1:\d{{12}}:table/{t}/backup/\d{{14}}-[0-9a-f]{{8}}", arn), arn
    assert pitr.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    (line,) = ferrodyn("backup", "list", "--table", t).splitlines()
    assert line.split("\t")[:3] == [arn, "AVAILABLE", "USER"], line
    from_backup = unique_name("cli-b")
    assert ferrodyn("restore", "--backup-arn", arn, "--target", from_backup) == f"{from_backup} ACTIVE: 41 items\n"
    at_instant = unique_name("cli-t")
    out = ferrodyn("restore", "--source-table", t, "--time", instant.strftime("%Y-%m-%dT%H:%M:%SZ"), "--target", at_instant)
    assert out == f"{at_instant} ACTIVE: 40 items\n"
    assert "later" not in items(pitr, at_instant)
    for name in (from_backup, at_instant, t):
        pitr.delete_table(TableName=name)

"""On-demand backups through boto3 and the AWS CLI: CreateBackup,
DescribeBackup, ListBackups, DeleteBackup and RestoreTableFromBackup, with
AWS's shapes, statuses and messages, on the durable and the in-memory
engine; a restored table queries like its source (indexes included); a
backup outlives its table; and kill -9 in the middle of a backup never
leaves one listed as AVAILABLE.

Sources: [probe] aws-controllers-k8s/dynamodb-controller docs/api-quirks
(backup.md, table-restore.md: recorded against AWS); [cli] the AWS CLI's
examples; [doc] the API reference.
"""

from __future__ import annotations

import json
import re
import time

from conftest import N, S, FerrodynServer, create_table, expect_error, unique_name, wait_active

ARN = re.compile(r"^arn:aws:dynamodb:us-east-1:\d{12}:table/(?P<t>[^/]+)/backup/(?P<ms>\d{14})-[0-9a-f]{8}$")


def wait_available(client, arn: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        d = client.describe_backup(BackupArn=arn)["BackupDescription"]
        if d["BackupDetails"]["BackupStatus"] == "AVAILABLE":
            return d
        assert time.monotonic() < deadline, f"backup {arn} not AVAILABLE: {d}"
        time.sleep(0.05)


def indexed_table(client) -> str:
    name = unique_name("bk")
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "l", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexes=[
            {"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by_l",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    wait_active(client, name)
    return name


def fill(client, table: str, n: int) -> None:
    for start in range(0, n, 25):
        client.batch_write_item(
            RequestItems={
                table: [
                    {"PutRequest": {"Item": {"pk": S(f"p{i % 10}"), "sk": N(i), "g": S(f"g{i % 4}"), "l": N(i * 3), "v": S("x" * (i % 40))}}}
                    for i in range(start, min(n, start + 25))
                ]
            }
        )


def scan_all(client, table: str) -> list:
    items, kw = [], {}
    while True:
        r = client.scan(TableName=table, ConsistentRead=True, **kw)
        items += r["Items"]
        if "LastEvaluatedKey" not in r:
            return sorted(items, key=lambda i: (i["pk"]["S"], int(i["sk"]["N"])))
        kw = {"ExclusiveStartKey": r["LastEvaluatedKey"]}


def test_backup_and_restore_round_trip(engine):
    t = indexed_table(engine)
    fill(engine, t, 300)
    before = scan_all(engine, t)
    created = engine.create_backup(TableName=t, BackupName="nightly.1")["BackupDetails"]
    # [cli][probe] CREATING at first, USER, size 0, no expiry.
    assert created["BackupStatus"] == "CREATING"
    assert created["BackupType"] == "USER"
    assert created["BackupSizeBytes"] == 0
    assert "BackupExpiryDateTime" not in created
    m = ARN.match(created["BackupArn"])
    assert m and m["t"] == t, created["BackupArn"]
    # [probe] the 14 digits are BackupCreationDateTime in milliseconds.
    assert int(m["ms"]) == round(created["BackupCreationDateTime"].timestamp() * 1000)
    # Writes after the backup are not in it.
    engine.delete_item(TableName=t, Key={"pk": S("p0"), "sk": N(0)})
    engine.put_item(TableName=t, Item={"pk": S("new"), "sk": N(1)})
    d = wait_available(engine, created["BackupArn"])
    src = d["SourceTableDetails"]
    assert src["TableName"] == t and src["ItemCount"] == 300 and src["BillingMode"] == "PAY_PER_REQUEST"
    assert src["ProvisionedThroughput"] == {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    assert [k["AttributeName"] for k in src["KeySchema"]] == ["pk", "sk"]
    features = d["SourceTableFeatureDetails"]
    assert [g["IndexName"] for g in features["GlobalSecondaryIndexes"]] == ["by_g"]
    assert set(features["GlobalSecondaryIndexes"][0]) == {"IndexName", "KeySchema", "Projection", "ProvisionedThroughput"}
    assert set(features["LocalSecondaryIndexes"][0]) == {"IndexName", "KeySchema", "Projection"}
    assert d["BackupDetails"]["BackupSizeBytes"] == src["TableSizeBytes"] > 0

    target = unique_name("rs")
    r = engine.restore_table_from_backup(TargetTableName=target, BackupArn=created["BackupArn"])["TableDescription"]
    assert r["TableStatus"] == "CREATING"
    assert r["RestoreSummary"]["SourceBackupArn"] == created["BackupArn"]
    assert r["RestoreSummary"]["SourceTableArn"].endswith(f":table/{t}")
    assert r["RestoreSummary"]["RestoreInProgress"] is True
    # [cli] RestoreDateTime is the backup's instant.
    assert r["RestoreSummary"]["RestoreDateTime"] == created["BackupCreationDateTime"]
    # [probe] no stream, TTL, tags or deletion protection come back.
    assert "StreamSpecification" not in r and r["DeletionProtectionEnabled"] is False
    table = wait_active(engine, target, timeout=60)
    # [probe] RestoreSummary is gone once the table is ACTIVE.
    assert "RestoreSummary" not in table
    assert table["ItemCount"] == 300
    assert scan_all(engine, target) == before
    by_g = engine.query(TableName=target, IndexName="by_g", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": S("g1")})
    assert by_g["Count"] == 75
    by_l = engine.query(TableName=target, IndexName="by_l", KeyConditionExpression="pk = :p AND l > :l", ExpressionAttributeValues={":p": S("p3"), ":l": N(300)})
    assert by_l["Count"] == len([i for i in range(300) if i % 10 == 3 and i * 3 > 300])

    # The backup outlives its table, and ListBackups still finds it by name.
    engine.delete_table(TableName=t)
    listed = engine.list_backups(TableName=t)["BackupSummaries"]
    assert [b["BackupArn"] for b in listed] == [created["BackupArn"]]
    assert set(listed[0]) == {
        "TableName", "TableId", "TableArn", "BackupArn", "BackupName",
        "BackupCreationDateTime", "BackupStatus", "BackupType", "BackupSizeBytes",
    }
    assert wait_available(engine, created["BackupArn"])["SourceTableDetails"]["TableName"] == t
    deleted = engine.delete_backup(BackupArn=created["BackupArn"])["BackupDescription"]
    assert deleted["BackupDetails"]["BackupStatus"] == "DELETED"
    expect_error(
        lambda: engine.describe_backup(BackupArn=created["BackupArn"]),
        "BackupNotFoundException",
        f"Backup not found: {created['BackupArn']}",
    )
    engine.delete_table(TableName=target)


def test_errors(engine):
    missing = unique_name("missing")
    # [probe] a missing table is TableNotFoundException, not ResourceNotFound.
    expect_error(lambda: engine.create_backup(TableName=missing, BackupName="b01"), "TableNotFoundException", f"Table not found: {missing}")
    for arn, message in [
        ("arn:aws:dynamodb:us-east-1:000000000000:table/x", "Invalid Backup ARN"),
        ("x" * 48, "Invalid Backup ARN"),
        ("arn:aws:s3:us-east-1:000000000000:table/x/backup/01700000000000-abcdef12", "BackupArn is not valid"),
    ]:
        expect_error(lambda: engine.describe_backup(BackupArn=arn), "ValidationException", message)
    gone = "arn:aws:dynamodb:us-east-1:000000000000:table/x/backup/01700000000000-abcdef12"
    expect_error(lambda: engine.delete_backup(BackupArn=gone), "BackupNotFoundException", f"Backup not found: {gone}")
    expect_error(
        lambda: engine.restore_table_from_backup(TargetTableName="whatever", BackupArn=gone),
        "BackupNotFoundException",
        f"Backup not found: {gone}",
    )
    t = create_table(engine)
    arn = engine.create_backup(TableName=t, BackupName="b01")["BackupDetails"]["BackupArn"]
    wait_available(engine, arn)
    # [probe] restoring onto an existing table.
    expect_error(
        lambda: engine.restore_table_from_backup(TargetTableName=t, BackupArn=arn),
        "TableAlreadyExistsException",
        f"Table already exists: {t}",
    )
    # [probe] override rules.
    expect_error(
        lambda: engine.restore_table_from_backup(
            TargetTableName=unique_name("o"), BackupArn=arn, ProvisionedThroughputOverride={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
        ),
        "ValidationException",
        "Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED",
    )
    expect_error(
        lambda: engine.restore_table_from_backup(TargetTableName=unique_name("o"), BackupArn=arn, BillingModeOverride="PROVISIONED"),
        "ValidationException",
        "Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED",
    )
    # [probe] ListBackups' bounds.
    expect_error(
        lambda: engine.list_backups(TimeRangeLowerBound=2_000_000_000, TimeRangeUpperBound=1_000_000_000),
        "ValidationException",
        "Time range lower bound must be less than or equal to upper bound",
    )
    engine.delete_backup(BackupArn=arn)
    engine.delete_table(TableName=t)


def test_overrides_and_listing(engine):
    t = indexed_table(engine)
    fill(engine, t, 40)
    arns = []
    for i in range(3):
        arns.append(engine.create_backup(TableName=t, BackupName=f"b-{i}")["BackupDetails"]["BackupArn"])
        time.sleep(0.002)
    for a in arns:
        wait_available(engine, a)
    # Creation order; paging with Limit and LastEvaluatedBackupArn; no
    # cursor when the page holds exactly the rest [probe].
    mine = engine.list_backups(TableName=t)["BackupSummaries"]
    assert [b["BackupArn"] for b in mine] == arns
    page = engine.list_backups(TableName=t, Limit=2)
    assert [b["BackupArn"] for b in page["BackupSummaries"]] == arns[:2]
    assert page["LastEvaluatedBackupArn"] == arns[1]
    rest = engine.list_backups(TableName=t, Limit=1, ExclusiveStartBackupArn=arns[1])
    assert [b["BackupArn"] for b in rest["BackupSummaries"]] == arns[2:]
    assert "LastEvaluatedBackupArn" not in rest
    assert engine.list_backups(TableName=t, BackupType="SYSTEM")["BackupSummaries"] == []
    assert len(engine.list_backups(TableName=t, BackupType="ALL")["BackupSummaries"]) == 3
    # Lower bound inclusive, upper exclusive [probe].
    first = mine[0]["BackupCreationDateTime"]
    assert engine.list_backups(TableName=t, TimeRangeUpperBound=first)["BackupSummaries"] == []
    assert engine.list_backups(TableName=t, TimeRangeLowerBound=first)["BackupSummaries"][0]["BackupArn"] == arns[0]

    # Overrides: provisioned, without the local index, the global one kept
    # under a new name [probe: renaming allowed, new indexes refused].
    target = unique_name("ov")
    r = engine.restore_table_from_backup(
        TargetTableName=target,
        BackupArn=arns[0],
        BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3},
        LocalSecondaryIndexOverride=[],
        GlobalSecondaryIndexOverride=[
            {
                "IndexName": "renamed",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2},
            }
        ],
    )["TableDescription"]
    assert "IndexStatus" not in r["GlobalSecondaryIndexes"][0]
    table = wait_active(engine, target, timeout=60)
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert "LocalSecondaryIndexes" not in table
    assert [g["IndexName"] for g in table["GlobalSecondaryIndexes"]] == ["renamed"]
    assert {a["AttributeName"] for a in table["AttributeDefinitions"]} == {"pk", "sk", "g"}
    q = engine.query(TableName=target, IndexName="renamed", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": S("g2")})
    assert q["Count"] == 10
    bad = [{"IndexName": "other", "KeySchema": [{"AttributeName": "sk", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]
    expect_error(
        lambda: engine.restore_table_from_backup(TargetTableName=unique_name("o"), BackupArn=arns[0], GlobalSecondaryIndexOverride=bad),
        "ValidationException",
        "Index other does not match a secondary index that existed in the source table and cannot be created during the restore operation",
    )
    for a in arns:
        engine.delete_backup(BackupArn=a)
    engine.delete_table(TableName=target)
    engine.delete_table(TableName=t)


def test_cli_backup_commands(aws, ddb):
    """The AWS CLI's create-backup, describe-backup, list-backups,
    restore-table-from-backup, wait table-exists and delete-backup against
    the server."""

    def cli(*args):
        return json.loads(aws(*args).stdout or "{}")

    t = create_table(ddb)
    ddb.put_item(TableName=t, Item={"pk": S("a"), "n": N(1)})
    arn = cli("create-backup", "--table-name", t, "--backup-name", "cli-backup")["BackupDetails"]["BackupArn"]
    wait_available(ddb, arn)
    described = cli("describe-backup", "--backup-arn", arn)["BackupDescription"]
    assert described["BackupDetails"]["BackupName"] == "cli-backup"
    assert arn in [b["BackupArn"] for b in cli("list-backups", "--table-name", t)["BackupSummaries"]]
    target = unique_name("cli")
    cli("restore-table-from-backup", "--target-table-name", target, "--backup-arn", arn)
    aws("wait", "table-exists", "--table-name", target)
    assert ddb.get_item(TableName=target, Key={"pk": S("a")})["Item"]["n"] == N(1)
    assert cli("delete-backup", "--backup-arn", arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] == "DELETED"
    ddb.delete_table(TableName=target)
    ddb.delete_table(TableName=t)


def test_kill_during_backup_never_lists_a_partial_backup(tmp_path):
    """kill -9 while backups are being written: after restart every backup
    listed is AVAILABLE and restores whole; unfinished ones are gone."""
    srv = FerrodynServer(tmp_path)
    srv.start()
    try:
        c = srv.client()
        t = create_table(c)
        for start in range(0, 20_000, 25):
            c.batch_write_item(RequestItems={t: [{"PutRequest": {"Item": {"pk": S(f"k{i:06}"), "v": S("v" * 200)}}} for i in range(start, start + 25)]})
        arns = [c.create_backup(TableName=t, BackupName=f"kill-{i}")["BackupDetails"]["BackupArn"] for i in range(4)]
        srv.kill()
        srv.start()
        c = srv.client()
        listed = c.list_backups(TableName=t)["BackupSummaries"]
        assert {b["BackupArn"] for b in listed} <= set(arns)
        for b in listed:
            assert b["BackupStatus"] == "AVAILABLE", b
        for b in listed:
            target = unique_name("after")
            c.restore_table_from_backup(TargetTableName=target, BackupArn=b["BackupArn"])
            assert wait_active(c, target, timeout=120)["ItemCount"] == 20_000
        backups_dir = srv.data_dir / "backups"
        leftovers = [p.name for p in backups_dir.iterdir() if p.name.endswith(".partial")] if backups_dir.exists() else []
        assert leftovers == []
        # kill -9 in the middle of a restore: after restart it starts over
        # and the table ends whole.
        arn = c.create_backup(TableName=t, BackupName="for-restore")["BackupDetails"]["BackupArn"]
        wait_available(c, arn, timeout=120)
        target = unique_name("cut")
        c.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
        srv.kill()
        srv.start()
        c = srv.client()
        table = wait_active(c, target, timeout=120)
        assert table["ItemCount"] == 20_000
        count, kw = 0, {}
        while True:
            r = c.scan(TableName=target, Select="COUNT", **kw)
            count += r["Count"]
            if "LastEvaluatedKey" not in r:
                break
            kw = {"ExclusiveStartKey": r["LastEvaluatedKey"]}
        assert count == 20_000
    finally:
        srv.stop()


def test_continuous_backups(engine):
    """[probe] DescribeContinuousBackups and UpdateContinuousBackups: with
    point-in-time recovery off, only its status; enabled, a window that
    starts at the enable time; a period refused when disabling."""
    t = create_table(engine)
    off = {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}
    assert engine.describe_continuous_backups(TableName=t)["ContinuousBackupsDescription"] == off
    before = time.time()
    on = engine.update_continuous_backups(TableName=t, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    pitr = on["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED" and pitr["RecoveryPeriodInDays"] == 35
    assert pitr["EarliestRestorableDateTime"] == pitr["LatestRestorableDateTime"]
    assert before - 1 <= pitr["EarliestRestorableDateTime"].timestamp() <= time.time() + 1
    again = engine.update_continuous_backups(
        TableName=t, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 7}
    )["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert again["RecoveryPeriodInDays"] == 7
    assert again["EarliestRestorableDateTime"] == pitr["EarliestRestorableDateTime"]
    described = engine.describe_continuous_backups(TableName=t)["ContinuousBackupsDescription"]
    assert described["PointInTimeRecoveryDescription"]["RecoveryPeriodInDays"] == 7
    expect_error(
        lambda: engine.update_continuous_backups(
            TableName=t, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False, "RecoveryPeriodInDays": 35}
        ),
        "ValidationException",
        "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.",
    )
    disabled = engine.update_continuous_backups(TableName=t, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    assert disabled["ContinuousBackupsDescription"] == off
    missing = unique_name("missing")
    expect_error(lambda: engine.describe_continuous_backups(TableName=missing), "TableNotFoundException", f"Table not found: {missing}")
    engine.delete_table(TableName=t)

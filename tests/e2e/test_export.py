"""ExportTableToPointInTime, DescribeExport and ListExports through boto3:
an export is written in DynamoDB's S3 layout to a bucket of the server's
export directory, checked here by an independent reader (the manifests,
every checksum, every line parsed: DynamoDB JSON with the standard
library, Ion with Amazon's own Python reader); AWS's statuses, fields,
errors and message texts; kill -9 in the middle of an export.

Sources: [probe] aws-controllers-k8s/dynamodb-controller
docs/api-quirks/export.md and scylladb's test_export.py (both recorded
against AWS); [doc] the developer guide's "Data export output".
"""

from __future__ import annotations

import base64
import datetime
import gzip
import hashlib
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path

import boto3
import pytest
from amazon.ion import simpleion

from conftest import N, S, FerrodynServer, create_table, expect_error, free_port, unique_name

EXPORT_ARN = re.compile(r"^arn:aws:dynamodb:us-east-1:\d{12}:table/(?P<t>[^/]+)/export/(?P<ms>\d{14})-[0-9a-f]{8}$")


@pytest.fixture(scope="module", params=["durable", "memory"])
def exporter(request, tmp_path_factory):
    """A server whose exports go to buckets under `srv.buckets`."""
    work = tmp_path_factory.mktemp(f"export-{request.param}")
    buckets = work / "buckets"
    srv = FerrodynServer(
        work,
        in_memory=request.param == "memory",
        extra_args=("--export-dir", str(buckets), "--pitr-restorable-lag-secs", "0"),
    )
    srv.start()
    srv.buckets = buckets
    (buckets / "bucket").mkdir(parents=True)
    yield srv
    srv.stop()


def enable(client, table: str) -> str:
    client.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    return client.describe_table(TableName=table)["Table"]["TableArn"]


def wait_export(client, arn: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        d = client.describe_export(ExportArn=arn)["ExportDescription"]
        if d["ExportStatus"] != "IN_PROGRESS":
            return d
        assert time.monotonic() < deadline, d
        time.sleep(0.1)


# -- the independent reader --------------------------------------------------


def b64md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def from_ion(v):
    """An Ion value as DynamoDB JSON (the documented mapping)."""
    annotations = getattr(v, "ion_annotations", ())
    names = [getattr(a, "text", a) for a in annotations]
    if "$dynamodb_SS" in names:
        return {"SS": sorted(str(x) for x in v)}
    if "$dynamodb_NS" in names:
        return {"NS": sorted(str(Decimal(x).normalize()) for x in v)}
    if "$dynamodb_BS" in names:
        return {"BS": sorted(base64.b64encode(bytes(x)).decode() for x in v)}
    kind = v.ion_type.name
    if kind == "NULL":
        return {"NULL": True}
    if kind == "BOOL":
        return {"BOOL": bool(v)}
    if kind == "DECIMAL":
        return {"N": str(Decimal(v).normalize())}
    if kind == "STRING":
        return {"S": str(v)}
    if kind == "BLOB":
        return {"B": base64.b64encode(bytes(v)).decode()}
    if kind == "STRUCT":
        return {"M": {str(k): from_ion(x) for k, x in v.items()}}
    if kind == "LIST":
        return {"L": [from_ion(x) for x in v]}
    raise AssertionError(f"unexpected Ion value {v!r}")


def canonical(value: dict) -> dict:
    """A DynamoDB JSON value with sets sorted and numbers normalised."""
    (tag, v), = value.items()
    if tag == "N":
        return {"N": str(Decimal(v).normalize())}
    if tag == "NS":
        return {"NS": sorted(str(Decimal(x).normalize()) for x in v)}
    if tag in ("SS", "BS"):
        return {tag: sorted(v)}
    if tag == "M":
        return {"M": {k: canonical(x) for k, x in v.items()}}
    if tag == "L":
        return {"L": [canonical(x) for x in v]}
    return {tag: v}


def read_export(bucket_dir: Path, description: dict) -> list[dict]:
    """Every item of the export, each checked against the manifests."""
    summary_key = description["ExportManifest"]
    summary_bytes = (bucket_dir / summary_key).read_bytes()
    root = summary_key.rsplit("/", 1)[0]
    assert (bucket_dir / root / "manifest-summary.md5").read_text().strip() == b64md5(summary_bytes)
    assert (bucket_dir / root / "_started").read_bytes() == b""
    summary = json.loads(summary_bytes)
    assert summary["exportArn"] == description["ExportArn"]
    assert summary["itemCount"] == description["ItemCount"]
    assert summary["outputFormat"] == description["ExportFormat"]
    assert summary["startTime"] < summary["endTime"] or summary["startTime"] == summary["endTime"]
    files_bytes = (bucket_dir / summary["manifestFilesS3Key"]).read_bytes()
    assert (bucket_dir / root / "manifest-files.md5").read_text().strip() == b64md5(files_bytes)
    items = []
    for line in files_bytes.decode().splitlines():
        entry = json.loads(line)
        assert set(entry) == {"itemCount", "md5Checksum", "etag", "dataFileS3Key"}
        data = (bucket_dir / entry["dataFileS3Key"]).read_bytes()
        assert entry["md5Checksum"] == b64md5(data)
        assert entry["etag"] == hashlib.md5(data).hexdigest()
        lines = gzip.decompress(data).decode().splitlines()
        assert len(lines) == entry["itemCount"]
        for text in lines:
            if summary["outputFormat"] == "ION":
                assert text.startswith("$ion_1_0 ")
                value = simpleion.loads(text)
                items.append({k: from_ion(v) for k, v in value["Item"].items()})
            else:
                (name, item), = json.loads(text).items()
                assert name == "Item"
                items.append({k: canonical(v) for k, v in item.items()})
    assert len(items) == summary["itemCount"]
    return items


# -- tests --------------------------------------------------------------------


def row(i: int) -> dict:
    item = {"pk": S(f"k{i:06}"), "sk": N(i % 7), "s": S("é\"\n" * (i % 3) + "x")}
    if i % 2:
        item["ss"] = {"SS": [f"a{i}", f"b{i}"]}
        item["ns"] = {"NS": ["1.5", str(i)]}
        item["m"] = {"M": {"l": {"L": [{"BOOL": True}, {"NULL": True}, {"N": "-0.001"}]}, "b": {"B": bytes([i % 256, 0])}}}
    if i % 5 == 0:
        item["bs"] = {"BS": [b"\x00\xff", bytes([i % 256 + 1 if i % 256 < 255 else 1])]}
        item["big"] = N("123456789012345678901234567890123456.78")
    return item


def as_json(item: dict) -> dict:
    """boto3's values (bytes for binaries) as DynamoDB JSON, canonical."""
    def conv(v):
        (tag, x), = v.items()
        if tag == "B":
            return {"B": base64.b64encode(x).decode()}
        if tag == "BS":
            return {"BS": [base64.b64encode(b).decode() for b in x]}
        if tag == "M":
            return {"M": {k: conv(y) for k, y in x.items()}}
        if tag == "L":
            return {"L": [conv(y) for y in x]}
        return {tag: x}
    return {k: canonical(conv(v)) for k, v in item.items()}


def create_keyed(client) -> str:
    name = unique_name("exp")
    client.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def fill(client, table: str, lo: int, hi: int, make=row) -> None:
    for start in range(lo, hi, 25):
        client.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": make(i)}} for i in range(start, min(hi, start + 25))]})


def test_export_of_100k_items_in_both_formats(exporter):
    c = exporter.client()
    t = create_keyed(c)
    arn = enable(c, t)
    n = 100_000 if not exporter.in_memory else 20_000
    fill(c, t, 0, n)
    expected = sorted((as_json(row(i)) for i in range(n)), key=lambda i: i["pk"]["S"])
    for fmt, prefix in (("DYNAMODB_JSON", "json/"), ("ION", "ion")):
        started = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bucket", S3Prefix=prefix, ExportFormat=fmt)["ExportDescription"]
        assert EXPORT_ARN.match(started["ExportArn"]), started
        assert started["ExportStatus"] == "IN_PROGRESS"
        # [probe] an export in progress shows these, and not its results.
        assert {"ClientToken", "ExportArn", "ExportFormat", "ExportStatus", "ExportTime", "S3Bucket", "S3SseAlgorithm", "StartTime", "TableArn", "TableId"} <= set(started)
        assert not {"EndTime", "ExportManifest", "ItemCount", "BilledSizeBytes", "ExportType"} & set(started)
        assert started["S3SseAlgorithm"] == "AES256" and started["ExportTime"] == started["StartTime"]
        done = wait_export(c, started["ExportArn"], timeout=300)
        assert done["ExportStatus"] == "COMPLETED", done
        assert done["ItemCount"] == n
        export_id = started["ExportArn"].rsplit("/", 1)[1]
        assert done["ExportManifest"] == f"{prefix.rstrip('/')}/AWSDynamoDB/{export_id}/manifest-summary.json"
        got = sorted(read_export(exporter.buckets / "bucket", done), key=lambda i: i["pk"]["S"])
        assert len(got) == n
        assert got == expected, fmt
    c.delete_table(TableName=t)


def test_export_as_of_an_instant_and_listing(exporter):
    c = exporter.client()
    t = create_keyed(c)
    arn = enable(c, t)
    fill(c, t, 0, 50)
    time.sleep(0.05)
    instant = datetime.datetime.now(datetime.timezone.utc)
    time.sleep(0.05)
    fill(c, t, 50, 80)
    c.delete_item(TableName=t, Key={"pk": S("k000000"), "sk": N(0)})
    first = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bucket", ExportTime=instant, ExportType="FULL_EXPORT")["ExportDescription"]
    assert first["ExportType"] == "FULL_EXPORT"
    done = wait_export(c, first["ExportArn"])
    assert done["ItemCount"] == 50
    items = read_export(exporter.buckets / "bucket", done)
    assert sorted(i["pk"]["S"] for i in items) == [f"k{i:06}" for i in range(50)]
    # The same client token: the same export; other parameters: a conflict.
    token = "same-token-" + t
    a = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bucket", ClientToken=token)["ExportDescription"]["ExportArn"]
    b = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bucket", ClientToken=token)["ExportDescription"]["ExportArn"]
    assert a == b
    expect_error(
        lambda: c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bucket", S3Prefix="other", ClientToken=token),
        "ExportConflictException",
        "Export conflict: Duplicate request detected with conflicting parameters",
    )
    wait_export(c, a)
    # Newest first, ExportType always in summaries, pages by MaxResults.
    listed = c.list_exports(TableArn=arn)["ExportSummaries"]
    assert [e["ExportArn"] for e in listed] == [a, first["ExportArn"]]
    assert all(e["ExportType"] == "FULL_EXPORT" and e["ExportStatus"] == "COMPLETED" for e in listed)
    page = c.list_exports(TableArn=arn, MaxResults=1)
    assert [e["ExportArn"] for e in page["ExportSummaries"]] == [a]
    rest = c.list_exports(TableArn=arn, MaxResults=1, NextToken=page["NextToken"])
    assert [e["ExportArn"] for e in rest["ExportSummaries"]] == [first["ExportArn"]]
    assert "NextToken" not in rest
    expect_error(lambda: c.list_exports(NextToken="nope"), "ValidationException", "Invalid Request: Provided nextToken is invalid: nope")
    # [probe] once the table is deleted its exports are not listed by its
    # ARN, and still described.
    c.delete_table(TableName=t)
    assert c.list_exports(TableArn=arn)["ExportSummaries"] == []
    assert c.describe_export(ExportArn=a)["ExportDescription"]["ExportStatus"] == "COMPLETED"


def test_errors(exporter):
    c = exporter.client()
    t = create_table(c)
    arn = c.describe_table(TableName=t)["Table"]["TableArn"]
    expect_error(lambda: c.export_table_to_point_in_time(TableArn=t, S3Bucket="bucket"), "ValidationException",
                 "One or more parameter values were invalid: tableArn is not a valid ARN")
    expect_error(lambda: c.export_table_to_point_in_time(TableArn=arn + "/index/i", S3Bucket="bucket"), "ValidationException",
                 "Invalid Request: Table ARN is invalid.")
    expect_error(lambda: c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bucket", S3SseKmsKeyId="k"), "ValidationException",
                 "Invalid Request: KMS Key Id is not supported for this encryption type")
    spec = {"ExportFromTime": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)}
    expect_error(lambda: c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bucket", IncrementalExportSpecification=spec), "ValidationException",
                 "Invalid Request: Export Type expected to be Incremental Export when incremental export specification is provided")
    expect_error(lambda: c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bucket", ExportType="FULL_EXPORT", IncrementalExportSpecification=spec), "ValidationException",
                 "Invalid Request: When Export Type is Full Export , Incremental Export Specification should not be provided")
    expect_error(lambda: c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bucket", ExportType="INCREMENTAL_EXPORT"), "ValidationException",
                 "Invalid Request: Incremental Export Specification expected when export type is set as Incremental Export")
    missing = arn.rsplit("/", 1)[0] + "/no-such-table-x"
    expect_error(lambda: c.export_table_to_point_in_time(TableArn=missing, S3Bucket="bucket"), "TableNotFoundException", f"Table not found: {missing}")
    expect_error(lambda: c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bucket"), "PointInTimeRecoveryUnavailableException",
                 f"Point in time recovery is not enabled for table '{t}'")
    enable(c, t)
    future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    expect_error(lambda: c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bucket", ExportTime=future), "InvalidExportTimeException", "Export Time is invalid")
    expect_error(lambda: c.describe_export(ExportArn=arn), "ValidationException", "Invalid Export ARN")
    unknown = f"{arn}/export/01700000000000-0000abcd"
    expect_error(lambda: c.describe_export(ExportArn=unknown), "ExportNotFoundException", f"Export not found: Export not found: {unknown}")
    # A missing bucket fails the export, not the request [probe].
    d = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="no-such-bucket")["ExportDescription"]
    failed = wait_export(c, d["ExportArn"])
    assert failed["ExportStatus"] == "FAILED"
    assert failed["FailureCode"] == "S3NoSuchBucket"
    assert failed["FailureMessage"].startswith("The specified bucket does not exist (Service: Amazon S3; Status Code: 404; Error Code: NoSuchBucket; Request ID: ")
    assert "ExportManifest" not in failed
    c.delete_table(TableName=t)


def test_kill_during_export_starts_it_over(tmp_path):
    buckets = tmp_path / "buckets"
    (buckets / "b").mkdir(parents=True)
    srv = FerrodynServer(tmp_path, extra_args=("--export-dir", str(buckets)))
    srv.start()
    try:
        c = srv.client()
        t = create_keyed(c)
        arn = enable(c, t)
        fill(c, t, 0, 30_000, make=lambda i: {"pk": S(f"k{i:06}"), "sk": N(1), "v": S("v" * 300)})
        arns = [c.export_table_to_point_in_time(TableArn=arn, S3Bucket="b", S3Prefix=f"run{i}")["ExportDescription"]["ExportArn"] for i in range(2)]
        srv.kill()
        srv.start()
        c = srv.client()
        for a in arns:
            done = wait_export(c, a, timeout=300)
            assert done["ExportStatus"] == "COMPLETED", done
            assert len(read_export(buckets / "b", done)) == 30_000
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    """moto's S3 server (from PyPI), on loopback, stopped by its PID."""
    port = free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "wb")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, "moto_server did not start"
            time.sleep(0.1)
    yield endpoint
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


def test_export_to_an_s3_compatible_store(s3_endpoint, tmp_path):
    """With --export-s3-endpoint, exports go to that store (moto's S3
    server here) in the same layout; a missing bucket fails the export."""
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id="s3key", aws_secret_access_key="s3secret")
    s3.create_bucket(Bucket="exports-bucket")
    srv = FerrodynServer(tmp_path / "srv", in_memory=True, extra_args=(
        "--export-s3-endpoint", s3_endpoint, "--export-s3-access-key-id", "s3key", "--export-s3-secret-access-key", "s3secret"))
    srv.start()
    try:
        c = srv.client()
        t = create_keyed(c)
        arn = enable(c, t)
        fill(c, t, 0, 3000)
        e = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="exports-bucket", S3Prefix="from-ferrodyn", ExportFormat="ION")["ExportDescription"]
        done = wait_export(c, e["ExportArn"])
        assert done["ExportStatus"] == "COMPLETED", done
        local = tmp_path / "download"
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket="exports-bucket", Prefix="from-ferrodyn/"):
            for obj in page.get("Contents", []):
                target = local / obj["Key"]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(s3.get_object(Bucket="exports-bucket", Key=obj["Key"])["Body"].read())
        items = read_export(local, done)
        assert sorted(i["pk"]["S"] for i in items) == sorted(f"k{i:06}" for i in range(3000))
        missing = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="no-such-bucket-here")["ExportDescription"]
        failed = wait_export(c, missing["ExportArn"])
        assert (failed["ExportStatus"], failed["FailureCode"]) == ("FAILED", "S3NoSuchBucket"), failed["FailureMessage"]
    finally:
        srv.stop()


def test_export_command(exporter):
    """`ferrodyn export` against a running server waits for the export and
    prints its manifest's key; a failed export is its failure, exit 1."""
    from conftest import BINARY

    c = exporter.client()
    t = create_keyed(c)
    enable(c, t)
    fill(c, t, 0, 120)

    def ferrodyn(*args):
        return subprocess.run([str(BINARY), "export", "--table", t, *args, "--endpoint", exporter.endpoint],
                              capture_output=True, text=True, timeout=120)

    done = ferrodyn("--bucket", "bucket", "--prefix", "cli", "--format", "ION")
    assert done.returncode == 0, done.stderr
    key = done.stdout.strip()
    assert re.fullmatch(r"cli/AWSDynamoDB/\d{14}-[0-9a-f]{8}/manifest-summary\.json", key), key
    summary = json.loads((exporter.buckets / "bucket" / key).read_text())
    assert (summary["itemCount"], summary["outputFormat"]) == (120, "ION")
    failed = ferrodyn("--bucket", "no-such-bucket")
    assert failed.returncode == 1
    assert "S3NoSuchBucket" in failed.stderr, failed.stderr
    c.delete_table(TableName=t)

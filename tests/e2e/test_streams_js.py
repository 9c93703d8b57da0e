"""A consumer in another language: the AWS SDK for JavaScript v3
(@aws-sdk/client-dynamodb-streams, installed by scripts/setup into
tests/e2e/js) reads every record of a 10,000-write run exactly once, in
order per key, across shards that roll over every second.
"""

from __future__ import annotations

import json
import shutil
import time
import subprocess
from pathlib import Path

import pytest

from conftest import FerrodynServer
from test_streams import all_shards, latest_arn, streamed_table, streams_client

JS = Path(__file__).resolve().parent / "js"
KEYS = 100
VERSIONS = 100


def test_js_sdk_reads_every_record_once_in_order(tmp_path):
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "@aws-sdk" / "client-dynamodb-streams").is_dir():
        pytest.fail("node and tests/e2e/js/node_modules are needed: run scripts/setup --with-python", pytrace=False)
    srv = FerrodynServer(tmp_path, extra_args=("--stream-shard-rollover-secs", "1")).start()
    try:
        ddb = srv.client()
        table = streamed_table(ddb, view="NEW_IMAGE")
        # 10,000 writes: every key written VERSIONS times, in version order,
        # 25 distinct keys per BatchWriteItem.
        for version in range(VERSIONS):
            if version % 25 == 0:
                time.sleep(0.5)  # a shard rolls over every second
            for group in range(0, KEYS, 25):
                ddb.batch_write_item(
                    RequestItems={
                        table: [
                            {"PutRequest": {"Item": {"pk": {"S": f"k{k}"}, "v": {"N": str(version)}}}}
                            for k in range(group, group + 25)
                        ]
                    }
                )
        arn = latest_arn(ddb, table)
        out = subprocess.run(
            [node, str(JS / "consume.mjs"), srv.endpoint, arn, str(KEYS * VERSIONS)],
            capture_output=True,
            timeout=300,
            cwd=JS,
        )
        assert out.returncode == 0, out.stderr.decode()[-2000:]
        records = json.loads(out.stdout)["records"]
        assert len(records) == KEYS * VERSIONS
        per_key: dict[str, list[int]] = {}
        for key, value, _seq in records:
            per_key.setdefault(key, []).append(int(value))
        assert set(per_key) == {f"k{k}" for k in range(KEYS)}
        for key, versions in per_key.items():
            assert versions == list(range(VERSIONS)), key
        seqs = [int(s) for _, _, s in records]
        assert len(set(seqs)) == len(seqs), "each record once"
        # The run crossed shards: the consumer followed lineage.
        shards = all_shards(streams_client(srv.endpoint), arn)
        assert len(shards) >= 2, shards
    finally:
        assert srv.stop() == 0

"""Durability: acknowledged writes survive kill -9 and graceful restarts.

Each crash round starts a durable server on a fresh data dir, runs several
writer threads that PutItem distinct keys and record which writes were
acknowledged, SIGKILLs the server at a random moment, restarts it on the same
directory and checks:
  * every acknowledged item is present with exactly the value written;
  * every other item found is one that was in flight at the kill (and then
    exactly as written, never partial);
  * deletes that were acknowledged stay deleted.
"""

from __future__ import annotations

import random
import signal
import subprocess
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import BINARY, FerrodynServer, create_table, free_port, require_binary, wait_active, wait_gone

WRITERS = 8
ROUNDS = 5


def _item(tid: int, i: int) -> dict:
    rnd = random.Random(tid * 1_000_003 + i)
    size = rnd.choice([8, 100, 1000, 5000, 20000])
    return {
        "pk": {"S": f"w{tid}-{i}"},
        "seq": {"N": str(i)},
        "payload": {"S": "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(size))},
        "bin": {"B": bytes(rnd.getrandbits(8) for _ in range(64))},
        "doc": {"M": {"tid": {"N": str(tid)}, "list": {"L": [{"N": str(i)}, {"S": "x" * (i % 7)}]}}},
    }


def _verify_parallel(client_factory, table, keys_and_expect, threads=4):
    """Fetch each key (ConsistentRead) and return {key: item-or-None}."""
    keys = list(keys_and_expect)
    out: dict = {}
    lock = threading.Lock()

    def work(chunk):
        c = client_factory()
        for k in chunk:
            got = c.get_item(TableName=table, Key={"pk": {"S": k}}, ConsistentRead=True).get("Item")
            with lock:
                out[k] = got

    chunks = [keys[i::threads] for i in range(threads)]
    ts = [threading.Thread(target=work, args=(ch,)) for ch in chunks]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    assert len(out) == len(keys), "verification threads did not finish"
    return out


@pytest.mark.parametrize("round_no", range(ROUNDS))
def test_kill9_keeps_every_acknowledged_write(tmp_path, round_no):
    srv = FerrodynServer(tmp_path).start()
    try:
        setup = srv.client()
        table = create_table(setup, f"crash_{round_no}")
        # A few deletes that must stay deleted.
        for j in range(5):
            setup.put_item(TableName=table, Item={"pk": {"S": f"del-{j}"}, "v": {"S": "gone"}})
            setup.delete_item(TableName=table, Key={"pk": {"S": f"del-{j}"}})

        acked: dict[int, int] = {tid: -1 for tid in range(WRITERS)}   # highest acknowledged seq
        inflight: dict[int, int | None] = {tid: None for tid in range(WRITERS)}
        stop = threading.Event()
        clients = [srv.client() for _ in range(WRITERS)]

        def writer(tid: int) -> None:
            i = 0
            while not stop.is_set():
                inflight[tid] = i
                try:
                    clients[tid].put_item(TableName=table, Item=_item(tid, i))
                except Exception:  # noqa: BLE001 - any failure once the server is killed
                    return  # the server is gone; this write stays "in flight"
                acked[tid] = i
                inflight[tid] = None
                i += 1

        threads = [threading.Thread(target=writer, args=(t,), daemon=True) for t in range(WRITERS)]
        for t in threads:
            t.start()
        time.sleep(random.Random(round_no).uniform(0.6, 2.2))
        srv.kill()  # kill -9 by PID
        stop.set()
        for t in threads:
            t.join(30)
        assert not any(t.is_alive() for t in threads), "writer threads hung after the kill"
        total_acked = sum(v + 1 for v in acked.values())
        assert total_acked > 0, "no write was acknowledged before the kill; the round proved nothing"

        srv.start()
        c = srv.client()
        t = wait_active(c, table)
        assert t["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]

        expect: dict[str, tuple[str, dict]] = {}
        for tid in range(WRITERS):
            for i in range(acked[tid] + 1):
                expect[f"w{tid}-{i}"] = ("acked", _item(tid, i))
            # The next two sequence numbers: at most the in-flight one may exist.
            for i in (acked[tid] + 1, acked[tid] + 2):
                expect[f"w{tid}-{i}"] = ("inflight" if inflight[tid] == i else "never", _item(tid, i))
        for j in range(5):
            expect[f"del-{j}"] = ("deleted", None)

        got = _verify_parallel(srv.client, table, expect)
        lost, corrupt, phantom = [], [], []
        for k, (kind, want) in expect.items():
            have = got[k]
            if kind == "acked":
                if have is None:
                    lost.append(k)
                elif have != want:
                    corrupt.append(k)
            elif kind == "inflight":
                if have is not None and have != want:
                    corrupt.append(k)
            else:  # never written, or deleted
                if have is not None:
                    phantom.append(k)
        assert not lost, f"{len(lost)}/{total_acked} acknowledged writes lost after kill -9, e.g. {lost[:5]}"
        assert not corrupt, f"corrupted/partial items after kill -9: {corrupt[:5]}"
        assert not phantom, f"items present that were never acknowledged nor in flight: {phantom[:5]}"

        # The server is fully usable after recovery.
        c.put_item(TableName=table, Item={"pk": {"S": "after"}, "v": {"S": "ok"}})
        assert c.get_item(TableName=table, Key={"pk": {"S": "after"}}, ConsistentRead=True)["Item"]["v"] == {"S": "ok"}
    finally:
        rc = srv.stop()
    assert rc == 0, f"recovered server did not exit 0 on SIGTERM (rc={rc})\n{srv.log_tail()}"


def test_kill9_right_after_single_ack(tmp_path):
    srv = FerrodynServer(tmp_path).start()
    try:
        c = srv.client()
        table = create_table(c, "single")
        c.put_item(TableName=table, Item={"pk": {"S": "only"}, "v": {"N": "1"}})
        srv.kill()
        srv.start()
        c = srv.client()
        assert c.get_item(TableName=table, Key={"pk": {"S": "only"}}, ConsistentRead=True)["Item"] == {
            "pk": {"S": "only"}, "v": {"N": "1"},
        }
        # Table metadata written just before the crash survives too.
        t2 = create_table(c, "made_then_killed", billing="PROVISIONED", rcu=2, wcu=3)
        srv.kill()
        srv.start()
        c = srv.client()
        t = wait_active(c, t2)
        assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 2
    finally:
        rc = srv.stop()
    assert rc == 0


def test_graceful_restart_keeps_everything(tmp_path):
    srv = FerrodynServer(tmp_path).start()
    try:
        c = srv.client()
        west = srv.client(region="us-west-2")
        t_ppr = create_table(c, "keep_ppr", Tags=[{"Key": "env", "Value": "test"}])
        t_prov = create_table(c, "keep_prov", billing="PROVISIONED", rcu=3, wcu=3, range_key=("sk", "N"),
                              DeletionProtectionEnabled=True, TableClass="STANDARD_INFREQUENT_ACCESS")
        t_gone = create_table(c, "keep_gone")
        t_west = create_table(west, "keep_ppr")
        c.update_table(TableName=t_prov, ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 2})
        wait_active(c, t_prov)
        items = [{"pk": {"S": f"k{i}"}, "n": {"N": f"{i}.50"}, "ss": {"SS": [str(i), "x"]}} for i in range(50)]
        for it in items:
            c.put_item(TableName=t_ppr, Item=it)
        c.put_item(TableName=t_prov, Item={"pk": {"S": "a"}, "sk": {"N": "1e3"}, "b": {"B": b"\x00\x01"}})
        c.delete_item(TableName=t_ppr, Key={"pk": {"S": "k0"}})
        west.put_item(TableName=t_west, Item={"pk": {"S": "w"}})
        c.delete_table(TableName=t_gone)
        wait_gone(c, t_gone)
        before = {n: c.describe_table(TableName=n)["Table"] for n in (t_ppr, t_prov)}
        before_west = west.describe_table(TableName=t_west)["Table"]

        rc = srv.stop()
        assert rc == 0, f"SIGTERM did not exit 0 (rc={rc})\n{srv.log_tail()}"
        srv.start()
        c = srv.client()
        west = srv.client(region="us-west-2")

        for n, b in before.items():
            a = c.describe_table(TableName=n)["Table"]
            for field in ("TableId", "TableArn", "CreationDateTime", "KeySchema", "AttributeDefinitions",
                          "DeletionProtectionEnabled", "BillingModeSummary", "TableClassSummary"):
                assert a.get(field) == b.get(field), (n, field)
            pa, pb = a["ProvisionedThroughput"], b["ProvisionedThroughput"]
            assert (pa["ReadCapacityUnits"], pa["WriteCapacityUnits"]) == (pb["ReadCapacityUnits"], pb["WriteCapacityUnits"])
            assert a["TableStatus"] == "ACTIVE"
        assert c.describe_table(TableName=t_prov)["Table"]["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
        assert west.describe_table(TableName=t_west)["Table"]["TableId"] == before_west["TableId"]
        assert c.list_tags_of_resource(ResourceArn=before[t_ppr]["TableArn"])["Tags"] == [{"Key": "env", "Value": "test"}]
        with pytest.raises(c.exceptions.ResourceNotFoundException):
            c.describe_table(TableName=t_gone)
        assert sorted(c.list_tables()["TableNames"]) == sorted([t_ppr, t_prov])

        for it in items[1:]:
            got = c.get_item(TableName=t_ppr, Key={"pk": it["pk"]}, ConsistentRead=True)["Item"]
            assert got["n"] == {"N": it["n"]["N"].rstrip("0")}
            assert sorted(got["ss"]["SS"]) == sorted(it["ss"]["SS"])
        assert "Item" not in c.get_item(TableName=t_ppr, Key={"pk": {"S": "k0"}}, ConsistentRead=True)
        assert c.get_item(TableName=t_prov, Key={"pk": {"S": "a"}, "sk": {"N": "1000"}}, ConsistentRead=True)["Item"] == {
            "pk": {"S": "a"}, "sk": {"N": "1000"}, "b": {"B": b"\x00\x01"},
        }
        assert "Item" in west.get_item(TableName=t_west, Key={"pk": {"S": "w"}}, ConsistentRead=True)
        # Deletion protection survived the restart.
        with pytest.raises(ClientError):
            c.delete_table(TableName=t_prov)
    finally:
        rc = srv.stop()
    assert rc == 0


def test_sigint_shuts_down_gracefully(tmp_path):
    srv = FerrodynServer(tmp_path).start()
    c = srv.client()
    t = create_table(c, "sigint")
    c.put_item(TableName=t, Item={"pk": {"S": "x"}})
    srv.proc.send_signal(signal.SIGINT)
    rc = srv.proc.wait(timeout=15)
    assert rc == 0, f"SIGINT exit code {rc}\n{srv.log_tail()}"
    srv.start()
    assert "Item" in srv.client().get_item(TableName=t, Key={"pk": {"S": "x"}}, ConsistentRead=True)
    assert srv.stop() == 0


def test_in_memory_server_forgets_on_restart(tmp_path):
    srv = FerrodynServer(tmp_path, in_memory=True).start()
    c = srv.client()
    create_table(c, "ephemeral")
    assert srv.stop() == 0
    srv.start()
    assert srv.client().list_tables()["TableNames"] == []
    assert srv.stop() == 0


def test_a_store_that_cannot_be_created_stops_the_server(tmp_path):
    # A new data directory's store is created while the server already
    # answers; if it cannot be created, the server stops with the reason
    # and a failure exit code rather than serve errors.
    require_binary()
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    proc = subprocess.run(
        [str(BINARY), "serve", "--data-dir", str(blocked), "--port", str(free_port())],
        capture_output=True, text=True, timeout=30,
    )
    assert proc.returncode == 1, proc
    assert "ferrodyn: cannot open the data directory:" in proc.stderr, proc.stderr
    assert blocked.read_text() == "not a directory"

"""Hardening, probed as an attacker and as an operator would (issue 13): each
test reproduces one of the problems found (an unauthenticated decompression
bomb, a replayed request with another target, connections held forever,
file descriptors running out, a full disk, unsafe configuration, a
world-readable data directory) against the real binary, and checks the
server's answer now.

These tests start their own servers, with short limits where they wait for
one, and need root for the full-disk test (it mounts a small tmpfs).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import resource
import signal
import socket
import stat
import subprocess
import textwrap
import threading
import time
from pathlib import Path

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import (
    BINARY,
    FerrodynServer,
    assert_error,
    create_table,
    free_port,
    raw_request,
    require_binary,
    unique_name,
)


def rss_peak_kb(pid: int) -> int:
    """The process's peak resident set (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def bomb(expanded_mb: int = 17) -> bytes:
    """A small gzip body that expands to `expanded_mb` MiB of JSON (past the 16 MB limit)."""
    inner = b'{"TableName": "t' + b" " * (expanded_mb * 1024 * 1024 - 20) + b'"}'
    return gzip.compress(inner, compresslevel=9)


# --------------------------------------------------------------------------
# No amplification before authentication
# --------------------------------------------------------------------------


def test_unauthenticated_bombs_cost_no_memory(tmp_path):
    # Before: one 16 KB gzip body expanding to 16 MB, sent with no
    # Authorization header, took the server to 643 MB.
    srv = FerrodynServer(tmp_path, in_memory=True).start()
    try:
        body = bomb()
        assert len(body) < 64 * 1024
        baseline = rss_peak_kb(srv.proc.pid)
        errors: list = []

        def send(n: int) -> None:
            for _ in range(n):
                r = raw_request(
                    srv.endpoint, "ListTables", body, sign=False, headers={"Content-Encoding": "gzip"}
                )
                if r.status_code != 400 or "MissingAuthenticationToken" not in r.text:
                    errors.append((r.status_code, r.text[:200]))

        threads = [threading.Thread(target=send, args=(10,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors[:3]
        grown_kb = rss_peak_kb(srv.proc.pid) - baseline
        # 40 bombs, four at a time: at most a few MB over the idle peak, where
        # expanding even one would have cost 16 MB.
        assert grown_kb < 8 * 1024, f"peak RSS grew by {grown_kb} KiB"
        # A signed request with the same body is expanded and refused (413).
        r = raw_request(srv.endpoint, "ListTables", body, headers={"Content-Encoding": "gzip"})
        assert r.status_code == 413
    finally:
        assert srv.stop() == 0


CREDS = textwrap.dedent("""\
    [[credentials]]
    access_key_id = "AKIDHARD"
    secret_access_key = "hard-secret"
    account_id = "111111111111"
""")


def test_replay_with_another_target_is_refused(tmp_path):
    # Before: a signature that did not cover X-Amz-Target was accepted, and
    # replayed with the target changed to DeleteItem it deleted the item.
    srv = FerrodynServer(tmp_path, in_memory=True, config_text=CREDS).start()
    try:
        c = srv.client(key="AKIDHARD", secret="hard-secret")
        table = create_table(c, unique_name("replay"))
        c.put_item(TableName=table, Item={"pk": {"S": "victim"}})
        body = json.dumps({"TableName": table, "Key": {"pk": {"S": "victim"}}}).encode()
        url = srv.endpoint + "/"
        # Signed without X-Amz-Target, which is added afterwards.
        req = AWSRequest(method="POST", url=url, data=body, headers={"Content-Type": "application/x-amz-json-1.0"})
        SigV4Auth(Credentials("AKIDHARD", "hard-secret"), "dynamodb", "us-east-1").add_auth(req)
        for target in ("GetItem", "DeleteItem"):
            headers = dict(req.headers.items())
            headers["X-Amz-Target"] = f"DynamoDB_20120810.{target}"
            r = requests.post(url, data=body, headers=headers, timeout=30)
            assert_error(
                r,
                "InvalidSignatureException",
                "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.",
            )
        assert "Item" in c.get_item(TableName=table, Key={"pk": {"S": "victim"}}, ConsistentRead=True)
        # Another unsigned x-amz-* header is refused the same way.
        r = raw_request(srv.endpoint, "ListTables", {}, key="AKIDHARD", secret="hard-secret")
        assert r.status_code == 200
        req = AWSRequest(
            method="POST",
            url=url,
            data=b"{}",
            headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.ListTables"},
        )
        SigV4Auth(Credentials("AKIDHARD", "hard-secret"), "dynamodb", "us-east-1").add_auth(req)
        headers = dict(req.headers.items(), **{"X-Amz-Meta-Note": "added later"})
        r = requests.post(url, data=b"{}", headers=headers, timeout=30)
        assert_error(r, "InvalidSignatureException", "'X-Amz-Meta-Note' must be a 'SignedHeader' in the AWS Authorization.")
    finally:
        assert srv.stop() == 0


# --------------------------------------------------------------------------
# Connections that cannot be held forever
# --------------------------------------------------------------------------

SHORT = ("--idle-timeout-secs", "1", "--header-timeout-secs", "1", "--body-timeout-secs", "1")


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes `sock` within `seconds` (reading whatever it sends)."""
    sock.settimeout(seconds)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            if not sock.recv(65536):
                return True
    except (socket.timeout, TimeoutError):
        return False
    except ConnectionResetError:
        return True
    return False


def test_slow_idle_and_short_connections_are_dropped(tmp_path):
    # Before: a byte a second, idle connections and bodies shorter than their
    # Content-Length were kept forever.
    srv = FerrodynServer(tmp_path, in_memory=True, extra_args=SHORT).start()
    try:
        addr = ("127.0.0.1", srv.port)
        # A head that trickles in, a byte at a time.
        slow_head = socket.create_connection(addr)
        slow_head.sendall(b"POST / HTTP/1.1\r\n")
        # A body shorter than its Content-Length.
        short_body = socket.create_connection(addr)
        short_body.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
            b"X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 100\r\n\r\n{"
        )
        # An idle connection after one answered request.
        idle = socket.create_connection(addr)
        idle.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        idle.settimeout(5)
        assert idle.recv(65536).startswith(b"HTTP/1.1 200")
        for name, sock in (("slow head", slow_head), ("short body", short_body), ("idle", idle)):
            assert closed_within(sock, 6), f"{name} connection still open"
            sock.close()
        # Meanwhile and afterwards the server serves.
        assert srv.client().list_tables()["TableNames"] == []
    finally:
        assert srv.stop() == 0


def start_with_file_limit(tmp_path: Path, files: int, *args: str) -> FerrodynServer:
    """A server whose process may open at most `files` files."""
    srv = FerrodynServer(tmp_path, in_memory=True, extra_args=args)
    require_binary()
    srv.starts += 1
    srv.port = free_port()
    srv._log_file = open(srv.log_path, "wb")

    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))

    srv.proc = subprocess.Popen(
        srv.command(), stdout=srv._log_file, stderr=subprocess.STDOUT, cwd=str(tmp_path), preexec_fn=limit
    )
    srv.wait_ready(10)
    return srv


@pytest.mark.parametrize("explicit_limit", [False, True])
def test_running_out_of_file_descriptors_neither_spins_nor_floods(tmp_path, explicit_limit):
    # Before: when file descriptors ran out, the accept loop spun a core and
    # wrote 617 MB of "Too many open files" warnings in 10 s, and new
    # requests timed out. With the default connection limit (derived from
    # the file limit) accept never fails; with a limit above what the
    # process may open, accept fails and backs off.
    args = ("--max-connections", "1000") if explicit_limit else ()
    srv = start_with_file_limit(tmp_path, 64, *args)
    socks = []
    try:
        for _ in range(150):
            s = socket.socket()
            s.settimeout(2)
            try:
                s.connect(("127.0.0.1", srv.port))
            except OSError:
                s.close()
                break
            socks.append(s)
        time.sleep(0.5)
        log_before = srv.log_path.stat().st_size
        cpu_before = cpu_seconds(srv.proc.pid)
        time.sleep(3)
        cpu = cpu_seconds(srv.proc.pid) - cpu_before
        logged = srv.log_path.stat().st_size - log_before
        assert cpu < 0.5, f"{cpu:.2f} s of CPU in 3 s while out of descriptors"
        assert logged < 4096, f"{logged} bytes of log in 3 s"
        # The scenario really happened (accept failed) only where the limit
        # allowed more connections than descriptors.
        assert ("accept failed; backing off" in srv.log_tail(200_000)) == explicit_limit
        for s in socks:
            s.close()
        socks.clear()
        # Serving again once descriptors are free.
        deadline = time.monotonic() + 15
        while True:
            try:
                assert srv.client().list_tables()["TableNames"] == []
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        for s in socks:
            s.close()
        assert srv.stop() == 0


# --------------------------------------------------------------------------
# A full disk is an outage, not a disaster
# --------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 176 MB tmpfs holding a 104 MB ballast file that can be freed.

    RocksDB resumes writes once the free space exceeds its write buffer
    (64 MiB: it must be able to flush the memtable), so the ballast is
    larger than that."""
    if os.geteuid() != 0:
        pytest.fail("the full-disk test mounts a tmpfs and needs root", pytrace=False)
    mnt = tmp_path / "disk"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=176m", "tmpfs", str(mnt)], check=True)
    ballast = mnt / "ballast"
    ballast.write_bytes(b"\0" * (104 << 20))
    try:
        yield mnt, ballast
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(client, table: str, start: int, acked: dict) -> int:
    """PutItem 20 KB items until one fails (with InternalServerError); returns
    the index that failed."""
    i = start
    while True:
        # Random, so that compression cannot make it fit.
        item = {"pk": {"S": f"k{i}"}, "v": {"S": base64.b64encode(os.urandom(15000)).decode()}}
        try:
            client.put_item(TableName=table, Item=item)
        except ClientError as e:
            err = e.response["Error"]
            assert (err["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]) == ("InternalServerError", 500), err
            return i
        acked[f"k{i}"] = item
        i += 1
        assert i < start + 20000, "the disk never filled"


def health(srv) -> int:
    return requests.get(srv.endpoint + "/", timeout=30).status_code


def test_full_disk_refuses_writes_serves_reads_and_recovers_by_itself(tmp_path, small_disk):
    # Before: after the disk filled, every write (DeleteItem included)
    # failed with 500 until a restart, even once space was freed; the health
    # check kept saying healthy; shutdown then exited 1.
    mnt, ballast = small_disk
    srv = FerrodynServer(tmp_path / "srv", data_dir=mnt / "data").start()
    try:
        c = srv.client()
        table = create_table(c, unique_name("full"))
        acked: dict = {}
        failed_at = fill(c, table, 0, acked)
        assert len(acked) > 10
        # Writes fail as an internal, retryable error; nothing is half-applied.
        with pytest.raises(ClientError) as ei:
            c.delete_item(TableName=table, Key={"pk": {"S": "k0"}})
        assert ei.value.response["Error"]["Code"] == "InternalServerError"
        # Reads work; the item that failed was not written.
        assert c.get_item(TableName=table, Key={"pk": {"S": "k3"}}, ConsistentRead=True)["Item"] == acked["k3"]
        assert "Item" not in c.get_item(TableName=table, Key={"pk": {"S": f"k{failed_at}"}}, ConsistentRead=True)
        assert health(srv) == 503
        # Space comes back: writes resume without a restart.
        ballast.unlink()
        deadline = time.monotonic() + 60
        while health(srv) != 200:
            assert time.monotonic() < deadline, "writes did not resume"
            time.sleep(0.5)
        c.delete_item(TableName=table, Key={"pk": {"S": "k0"}})
        del acked["k0"]
        c.put_item(TableName=table, Item={"pk": {"S": "after"}, "v": {"S": "x"}})
        acked["after"] = {"pk": {"S": "after"}, "v": {"S": "x"}}
        assert srv.stop() == 0
        # Every acknowledged write is there after a restart, nothing else.
        srv.start()
        c = srv.client()
        items = {}
        for page in c.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
            for item in page["Items"]:
                items[item["pk"]["S"]] = item
        assert items == acked
    finally:
        srv.stop()


def test_shutdown_on_a_full_disk_exits_0_and_loses_nothing(tmp_path, small_disk):
    mnt, ballast = small_disk
    srv = FerrodynServer(tmp_path / "srv", data_dir=mnt / "data").start()
    try:
        c = srv.client()
        table = create_table(c, unique_name("fullstop"))
        acked: dict = {}
        fill(c, table, 0, acked)
        assert srv.stop() == 0, srv.log_tail()
        assert "could not flush the memtables for lack of space" in srv.log_tail(20000)
        ballast.unlink()
        srv.start()
        c = srv.client()
        for key, item in acked.items():
            assert c.get_item(TableName=table, Key={"pk": {"S": key}}, ConsistentRead=True)["Item"] == item
    finally:
        srv.stop()


# --------------------------------------------------------------------------
# Configuration and files
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "toml,message",
    [
        (
            '[[credentials]]\naccess_key_id = "AK"\nsecret_access_key = "s1"\n'
            '[[credentials]]\naccess_key_id = "AK"\nsecret_access_key = "s2"\n',
            'invalid [[credentials]] entry 2 (access_key_id "AK"): the same access_key_id is also entry 1',
        ),
        (
            '[[credentials]]\naccess_key_id = "AK"\nsecret_access_key = ""\n',
            'invalid [[credentials]] entry 1 (access_key_id "AK"): secret_access_key is empty',
        ),
        ('account_id = "12"\n', "invalid setting account_id = 12"),
        ("idle_timeout_secs = 0\n", "invalid setting idle_timeout_secs = 0"),
    ],
)
def test_invalid_configuration_refuses_to_start(tmp_path, toml, message):
    # Before: duplicate access keys silently overrode each other and an
    # empty secret was accepted.
    require_binary()
    cfg = tmp_path / "bad.toml"
    cfg.write_text(toml)
    r = subprocess.run(
        [str(BINARY), "serve", "--in-memory", "--port", str(free_port()), "--config", str(cfg)],
        capture_output=True,
        timeout=30,
    )
    assert r.returncode == 1
    assert message in r.stderr.decode(), r.stderr.decode()


def test_data_directory_is_owner_only(tmp_path):
    # Before: 0755 directories and 0644 files.
    data = tmp_path / "data"
    srv = FerrodynServer(tmp_path / "w", data_dir=data).start()
    try:
        c = srv.client()
        create_table(c, unique_name("perm"))
        assert srv.stop() == 0
        modes = {p: stat.S_IMODE(p.stat().st_mode) for p in [data, *data.rglob("*")]}
        loose = {str(p): oct(m) for p, m in modes.items() if m & 0o077}
        assert not loose, loose
        assert modes[data] == 0o700
        # A directory made readable by others gets a warning at start.
        data.chmod(0o755)
        srv.start()
        assert srv.stop() == 0
        assert "accessible to other users" in srv.log_tail(20000)
    finally:
        srv.stop()

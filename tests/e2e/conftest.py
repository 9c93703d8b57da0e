"""Fixtures for the ferrodyn black-box conformance suite.

Every test talks to the real release binary over HTTP on a loopback port.
A session-scoped durable server (RocksDB in a fresh temporary directory) and a
session-scoped in-memory server are shared; tests that need their own server
(credentials, crash, restart) build one with ``FerrodynServer``.

The binary is looked up at ``$FERRODYN_BIN`` or ``target/release/ferrodyn``.
If it is missing, every test that needs a server *fails* with a clear message
(never a silent skip).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("FERRODYN_BIN", str(REPO / "target" / "release" / "ferrodyn")))

REGION = "us-east-1"
ACCOUNT = "000000000000"  # ferrodyn's default --account-id
DUMMY_KEY = "AKIDE2ETESTKEY"
DUMMY_SECRET = "e2e-test-secret"
API_VERSION = "DynamoDB_20120810"

# Full wire `__type` values. AWS puts protocol-level errors in the coral
# namespaces and service errors in the DynamoDB namespace (observed by
# dynalite's test suite against real AWS: test/helpers.js, test/connection.js).
FULL_TYPES = {
    "ValidationException": "com.amazon.coral.validate#ValidationException",
    "SerializationException": "com.amazon.coral.service#SerializationException",
    "UnknownOperationException": "com.amazon.coral.service#UnknownOperationException",
    "MissingAuthenticationTokenException": "com.amazon.coral.service#MissingAuthenticationTokenException",
    "IncompleteSignatureException": "com.amazon.coral.service#IncompleteSignatureException",
    "InvalidSignatureException": "com.amazon.coral.service#InvalidSignatureException",
    "UnrecognizedClientException": "com.amazon.coral.service#UnrecognizedClientException",
    "AccessDeniedException": "com.amazon.coral.service#AccessDeniedException",
    "ResourceNotFoundException": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
    "ResourceInUseException": "com.amazonaws.dynamodb.v20120810#ResourceInUseException",
    "LimitExceededException": "com.amazonaws.dynamodb.v20120810#LimitExceededException",
    # [dynalite test/helpers.js assertConditional; conformance conditionalCheck.test.ts]
    "ConditionalCheckFailedException": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
}


# --------------------------------------------------------------------------
# Server process management
# --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_binary() -> None:
    if not BINARY.is_file() or not os.access(BINARY, os.X_OK):
        pytest.fail(
            f"ferrodyn binary not found at {BINARY}; build it with `cargo build --release` "
            f"(or point FERRODYN_BIN at it) before running the e2e suite",
            pytrace=False,
        )


class FerrodynServer:
    """One ferrodyn process on a free loopback port.

    ``stop()`` sends SIGTERM and waits; if the process has not exited after the
    timeout it is SIGKILLed and ``stop()`` returns None (so callers can assert
    a graceful exit code of 0).
    """

    def __init__(
        self,
        workdir: Path,
        *,
        data_dir: Path | None = None,
        in_memory: bool = False,
        config_text: str | None = None,
        region: str | None = None,
        account_id: str | None = None,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.in_memory = in_memory
        self.data_dir = None if in_memory else Path(data_dir or (self.workdir / "data"))
        self.config_path = None
        if config_text is not None:
            self.config_path = self.workdir / "ferrodyn.toml"
            self.config_path.write_text(config_text)
        self.region = region
        self.account_id = account_id
        self.extra_args = tuple(extra_args)
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self._log_file = None
        self.starts = 0

    # -- lifecycle ---------------------------------------------------------

    @property
    def log_path(self) -> Path:
        return self.workdir / f"ferrodyn-{self.starts}.log"

    def command(self) -> list[str]:
        cmd = [str(BINARY), "serve", "--bind", "127.0.0.1", "--port", str(self.port)]
        if self.in_memory:
            cmd.append("--in-memory")
        else:
            cmd += ["--data-dir", str(self.data_dir)]
        if self.config_path is not None:
            cmd += ["--config", str(self.config_path)]
        if self.region:
            cmd += ["--region", self.region]
        if self.account_id:
            cmd += ["--account-id", self.account_id]
        cmd += list(self.extra_args)
        return cmd

    def start(self, timeout: float = 10.0) -> "FerrodynServer":
        require_binary()
        assert self.proc is None or self.proc.poll() is not None, "server already running"
        self.starts += 1
        self.port = free_port()
        self._log_file = open(self.log_path, "wb")
        env = dict(os.environ)
        env.setdefault("RUST_BACKTRACE", "1")
        self.proc = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=str(self.workdir),
        )
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"ferrodyn exited early with code {self.proc.returncode}: {self.command()}\n"
                    f"--- log ---\n{self.log_tail()}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(
            f"ferrodyn not ready within {timeout}s: {self.command()}\n--- log ---\n{self.log_tail()}"
        )

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM, wait; SIGKILL after `timeout`. Returns the exit code, or None if killed."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            rc = None
        self._close_log()
        return rc

    def kill(self) -> None:
        """SIGKILL (kill -9) by PID, no chance to flush."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._close_log()

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_bytes()[-n:].decode("utf-8", "replace")
        except OSError:
            return "<no log>"

    # -- clients -------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, region: str = REGION, key: str = DUMMY_KEY, secret: str = DUMMY_SECRET, **cfg):
        return make_client(self.endpoint, region=region, key=key, secret=secret, **cfg)


def make_client(endpoint: str, region: str = REGION, key: str = DUMMY_KEY, secret: str = DUMMY_SECRET, **cfg):
    # Retries off: a retried request would hide the first answer we want to check.
    config = Config(
        retries={"max_attempts": 1, "mode": "standard"},
        connect_timeout=5,
        read_timeout=60,
        **cfg,
    )
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=config,
    )


# --------------------------------------------------------------------------
# Raw HTTP (for malformed / unusual requests boto3 refuses to send)
# --------------------------------------------------------------------------


def raw_request(
    endpoint: str,
    target: str | None,
    body=b"",
    *,
    sign: bool = True,
    region: str = REGION,
    key: str = DUMMY_KEY,
    secret: str = DUMMY_SECRET,
    headers: dict | None = None,
    content_type: str | None = "application/x-amz-json-1.0",
    method: str = "POST",
    path: str = "/",
    timeout: float = 60,
) -> requests.Response:
    """Send one request; sign it with SigV4 (botocore's signer) unless sign=False.

    `target` is the operation name (e.g. "PutItem") or a full X-Amz-Target
    value if it contains a dot; None sends no X-Amz-Target header.
    """
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    hdrs: dict[str, str] = {}
    if content_type is not None:
        hdrs["Content-Type"] = content_type
    if target is not None:
        hdrs["X-Amz-Target"] = target if "." in target else f"{API_VERSION}.{target}"
    hdrs.update(headers or {})
    url = endpoint + path
    if sign:
        req = AWSRequest(method=method, url=url, data=body, headers=hdrs)
        SigV4Auth(Credentials(key, secret), "dynamodb", region).add_auth(req)
        hdrs = dict(req.headers.items())
    return requests.request(method, url, data=body, headers=hdrs, timeout=timeout)


def assert_error(resp: requests.Response, code: str, message=None, status: int = 400) -> dict:
    """Check an error response: HTTP status, full `__type` and (optionally) message."""
    assert resp.status_code == status, f"status {resp.status_code}, body {resp.text[:500]!r}"
    body = resp.json()
    assert body.get("__type") == FULL_TYPES[code], body
    if message is not None:
        got = body.get("message", body.get("Message"))
        if hasattr(message, "search"):
            assert got is not None and message.search(got), f"{got!r} !~ {message.pattern!r}"
        else:
            assert got == message, f"\n got: {got!r}\nwant: {message!r}"
    return body


def validation_parts(message: str, expected: list[str]) -> None:
    """Check the 'N validation error(s) detected: a; b; c' form, order-insensitively.

    Format from AWS's coral validator as recorded by dynalite (test/createTable.js,
    test/putItem.js) and dynamodb-conformance (tests/tier3/error-messages).
    """
    n = len(expected)
    prefix = f"{n} validation error{'' if n == 1 else 's'} detected: "
    assert message.startswith(prefix), f"{message!r} does not start with {prefix!r}"
    parts = message[len(prefix):].split("; ")
    assert sorted(parts) == sorted(expected), f"\n got: {parts}\nwant: {expected}"


# Newer AWS regions wrap request-validation messages (expression errors
# included) in the coral envelope, older ones and dynalite's recordings do not
# ([conformance] tier3/error-messages: "float the 'N validation error detected:'
# envelope AWS adds in some regions and not others"). Expectations built with
# `aws_message` accept both and pin everything else.
ENVELOPE = "1 validation error detected: "


def aws_message(text: str, *, suffix: str = "") -> re.Pattern:
    """An exact AWS message, optionally inside the one-error envelope.

    `suffix` is a raw regex appended after the escaped text (for the few
    messages whose tail is unconfirmed)."""
    return re.compile("^(?:" + re.escape(ENVELOPE) + ")?" + re.escape(text) + suffix + "$")


def expect_error(fn, code: str, message=None, status: int = 400) -> dict:
    """Call `fn` (a boto3 call), require a ClientError with this code/status and
    (optionally) message (str = exact, compiled regex = search). Returns the
    parsed error response (botocore puts modelled error members such as
    `Item` at its top level)."""
    with pytest.raises(ClientError) as ei:
        fn()
    got_code, msg, got_status = client_error(ei)
    assert (got_code, got_status) == (code, status), (got_code, msg, got_status)
    if message is not None:
        if hasattr(message, "search"):
            assert msg is not None and message.search(msg), f"{msg!r} !~ {message.pattern!r}"
        else:
            assert msg == message, f"\n got: {msg!r}\nwant: {message!r}"
    return ei.value.response


def client_error(excinfo) -> tuple[str, str, int]:
    err = excinfo.value.response
    return (
        err["Error"]["Code"],
        err["Error"].get("Message"),
        err["ResponseMetadata"]["HTTPStatusCode"],
    )


# --------------------------------------------------------------------------
# Attribute-value builders (low-level boto3 client form; B values are bytes)
# --------------------------------------------------------------------------


def S(v: str) -> dict:
    return {"S": v}


def N(v) -> dict:
    return {"N": str(v)}


def B(v: bytes) -> dict:
    return {"B": v}


def BOOL(v: bool) -> dict:
    return {"BOOL": v}


NULL = {"NULL": True}


def L(*v) -> dict:
    return {"L": list(v)}


def M(**v) -> dict:
    return {"M": v}


def SS(*v) -> dict:
    return {"SS": list(v)}


def NS(*v) -> dict:
    return {"NS": [str(x) for x in v]}


def BS(*v) -> dict:
    return {"BS": list(v)}


def to_wire(item: dict) -> dict:
    """Low-level client item -> JSON wire form (B/BS as base64)."""

    def conv(av):
        (t, v), = av.items()
        if t == "B":
            return {"B": base64.b64encode(v).decode()}
        if t == "BS":
            return {"BS": [base64.b64encode(x).decode() for x in v]}
        if t == "L":
            return {"L": [conv(x) for x in v]}
        if t == "M":
            return {"M": {kk: conv(x) for kk, x in v.items()}}
        return {t: v}

    return {kk: conv(v) for kk, v in item.items()}


def canon(v):
    """Sets are unordered: sort set members so items compare by value."""
    if isinstance(v, dict):
        if len(v) == 1:
            (t, x), = v.items()
            if t in ("SS", "NS", "BS"):
                return {t: sorted(x)}
        return {kk: canon(x) for kk, x in v.items()}
    if isinstance(v, list):
        return [canon(x) for x in v]
    return v


def all_pages(call, max_pages: int = 10_000, **kwargs) -> list:
    """Call a Query/Scan-style operation and follow LastEvaluatedKey until a
    page has none; returns every response page in order."""
    pages = []
    while True:
        resp = call(**kwargs)
        pages.append(resp)
        lek = resp.get("LastEvaluatedKey")
        if not lek:
            return pages
        assert len(pages) < max_pages, "pagination does not terminate"
        kwargs = dict(kwargs, ExclusiveStartKey=lek)


# --------------------------------------------------------------------------
# Table helpers
# --------------------------------------------------------------------------


def unique_name(prefix: str = "t") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def wait_active(client, name: str, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        table = client.describe_table(TableName=name)["Table"]
        if table["TableStatus"] == "ACTIVE":
            return table
        if time.monotonic() > deadline:
            raise AssertionError(f"table {name} not ACTIVE after {timeout}s: {table['TableStatus']}")
        time.sleep(0.05)


def wait_gone(client, name: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.describe_table(TableName=name)
        except client.exceptions.ResourceNotFoundException:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"table {name} still exists {timeout}s after DeleteTable")
        time.sleep(0.05)


def create_table(
    client,
    name: str | None = None,
    *,
    hash_key=("pk", "S"),
    range_key=None,
    billing: str = "PAY_PER_REQUEST",
    rcu: int = 5,
    wcu: int = 5,
    wait: bool = True,
    **extra,
) -> str:
    name = name or unique_name()
    attrs = [{"AttributeName": hash_key[0], "AttributeType": hash_key[1]}]
    schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    if range_key:
        attrs.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
        schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
    kwargs = dict(TableName=name, AttributeDefinitions=attrs, KeySchema=schema, **extra)
    if billing == "PAY_PER_REQUEST":
        kwargs["BillingMode"] = "PAY_PER_REQUEST"
    else:
        kwargs["ProvisionedThroughput"] = {"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu}
    client.create_table(**kwargs)
    if wait:
        wait_active(client, name)
    return name


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The shared durable server (RocksDB on a fresh temporary data dir)."""
    srv = FerrodynServer(tmp_path_factory.mktemp("ferrodyn-shared"))
    srv.start()
    yield srv
    rc = srv.stop()
    assert rc == 0, f"shared server did not exit 0 on SIGTERM (rc={rc})\n{srv.log_tail()}"


@pytest.fixture(scope="session")
def mem_server(tmp_path_factory):
    """The shared --in-memory server."""
    srv = FerrodynServer(tmp_path_factory.mktemp("ferrodyn-mem"), in_memory=True)
    srv.start()
    yield srv
    rc = srv.stop()
    assert rc == 0, f"in-memory server did not exit 0 on SIGTERM (rc={rc})\n{srv.log_tail()}"


@pytest.fixture(scope="session")
def ddb(server):
    return server.client()


@pytest.fixture(scope="session")
def ddb_mem(mem_server):
    return mem_server.client()


def _aws_binary() -> str:
    candidate = Path(sys.executable).parent / "aws"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("aws")
    if not found:
        pytest.fail("the AWS CLI ('aws') is not installed; pip install -r tests/e2e/requirements.txt", pytrace=False)
    return found


@pytest.fixture(scope="module")
def aws(server, tmp_path_factory):
    """`aws dynamodb ...` against the shared server, in an empty AWS home."""
    home = tmp_path_factory.mktemp("awscli-home")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "AWS_ACCESS_KEY_ID": DUMMY_KEY,
        "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1",
    }
    binary = _aws_binary()

    def run(*args: str, check: bool = True, region: str | None = None) -> subprocess.CompletedProcess:
        cmd = [binary, "dynamodb", *args, "--endpoint-url", server.endpoint, "--output", "json"]
        if region:
            cmd += ["--region", region]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        if check:
            assert proc.returncode == 0, f"{cmd}\nrc={proc.returncode}\nstdout={proc.stdout}\nstderr={proc.stderr}"
        return proc

    return run


@pytest.fixture(params=["durable", "memory"])
def engine(request, ddb, ddb_mem):
    """A client of the durable server, then of the in-memory one."""
    return ddb if request.param == "durable" else ddb_mem


@pytest.fixture(scope="session")
def endpoint(server):
    return server.endpoint


@pytest.fixture
def table_name():
    return unique_name()


@pytest.fixture(scope="session")
def hash_table(ddb):
    """PAY_PER_REQUEST table keyed by pk (S)."""
    return create_table(ddb, unique_name("hash"))


@pytest.fixture(scope="session")
def composite_table(ddb):
    """PAY_PER_REQUEST table keyed by pk (S) + sk (S)."""
    return create_table(ddb, unique_name("comp"), range_key=("sk", "S"))


@pytest.fixture(scope="session")
def num_table(ddb):
    """Table keyed by pk (N) + sk (N)."""
    return create_table(ddb, unique_name("num"), hash_key=("pk", "N"), range_key=("sk", "N"))


@pytest.fixture(scope="session")
def bin_table(ddb):
    """Table keyed by pk (B) + sk (B)."""
    return create_table(ddb, unique_name("bin"), hash_key=("pk", "B"), range_key=("sk", "B"))

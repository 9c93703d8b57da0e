"""Secondary indexes: CreateTable with GSIs and LSIs and their DescribeTable
entries, the CreateTable and UpdateTable index validation errors, Query and
Scan on GSIs and LSIs for every projection type (ALL, KEYS_ONLY, INCLUDE),
sparse indexes, index maintenance when items change or disappear, index key
type and empty-value checks on every write path, ConsistentRead and Select
rules on indexes, paging on an index (Limit, LastEvaluatedKey shape,
ExclusiveStartKey validation, the boto3 paginators), adding and deleting a GSI
with UpdateTable, index ItemCount / IndexSizeBytes, item collection metrics on
tables with an LSI, and multi-attribute GSI keys (AWS, November 2025).

Source abbreviations used in comments (details in /tmp/notes/index_facts.md
when this file was written):
  [botocore]    botocore 1.44.5 service model for DynamoDB 2012-08-10 (shapes
                and member documentation of the AWS API)
  [dynalite]    architect/dynalite test/createTable.js, updateTable.js,
                query.js, scan.js, putItem.js, helpers.js (written against AWS)
  [conformance] nubo-db/dynamodb-conformance, captures of real AWS in four
                regions (2026): tier1/createTable/{gsi,lsi}, tier1/query/{gsi,
                lsi,select,gsiHashOnlyPagination}, tier1/scan/{gsi,gsiPagination},
                tier1/putItem/itemCollectionMetrics, tier2/updateTable/gsi,
                tier3/error-messages/{createTable,query} and the index-key
                error-message file, tier3/validation-ordering/index
  [ack-quirks]  "ack-api-quirks dynamodb" findings, live AWS us-east-1 and
                us-west-2 (2026): DDB-TABLE-442 (ValidationException message
                catalogue), -159, -162, -174, -456
  [alternator]  scylladb test/alternator/test_gsi.py, test_lsi.py,
                test_gsi_updatetable.py, test_gsi_composite_keys.py — a suite
                also run against AWS (its xfails are Scylla gaps)
  [moto-aws]    getmoto/moto tests marked @aws_verified: test_dynamodb_select.py,
                test_dynamodb_multi_attribute_gsi.py
  [localstack-478] localstack issue #478, a user quoting the AWS error for a
                ProjectionExpression on a GSI
  [toolbox-1195] dynamodb-toolbox issue #1195, a user quoting the AWS error for
                a FilterExpression on a non-projected attribute
  [cli-output]  real describe-table / create-table output quoted in public repos

GSI reads are eventually consistent on AWS ("within a fraction of a second");
every GSI read that follows a write goes through `settled()`, which repeats it
for a few seconds until it gives the expected answer (as [alternator]'s
assert_index_query does). An UpdateTable that adds an index is awaited with a
DescribeTable loop (minutes on AWS; E2E_INDEX_TIMEOUT overrides the bound).

Expectations marked UNCONFIRMED are ones where the sources disagree or no
capture of real AWS was found; those assertions accept only the documented
alternatives.
"""

from __future__ import annotations

import os
import re
import time
import uuid

import pytest

from conftest import (
    ACCOUNT,
    FULL_TYPES,
    REGION,
    B,
    L,
    M,
    N,
    NULL,
    S,
    all_pages,
    assert_error,
    aws_message,
    expect_error,
    raw_request,
    to_wire,
    unique_name,
)

VE = "ValidationException"
INVALID = "One or more parameter values were invalid: "
INDEX_TIMEOUT = float(os.environ.get("E2E_INDEX_TIMEOUT", "900"))
GSI_READ_TIMEOUT = 10.0


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def ks(*elems):
    """KeySchema from ('name', 'HASH'|'RANGE') pairs."""
    return [{"AttributeName": a, "KeyType": t} for a, t in elems]


def projection(ptype="ALL", nka=None):
    p = {"ProjectionType": ptype}
    if nka is not None:
        p["NonKeyAttributes"] = list(nka)
    return p


def gsi(name, hash_key, range_key=None, ptype="ALL", nka=None, pt=None, keys=None):
    keys = keys or ([(hash_key, "HASH")] + ([(range_key, "RANGE")] if range_key else []))
    idx = {"IndexName": name, "KeySchema": ks(*keys), "Projection": projection(ptype, nka)}
    if pt is not None:
        idx["ProvisionedThroughput"] = {"ReadCapacityUnits": pt[0], "WriteCapacityUnits": pt[1]}
    return idx


def lsi(name, hash_key, range_key, ptype="ALL", nka=None):
    return {"IndexName": name, "KeySchema": ks((hash_key, "HASH"), (range_key, "RANGE")),
            "Projection": projection(ptype, nka)}


def attr_defs(types: dict):
    return [{"AttributeName": a, "AttributeType": t} for a, t in types.items()]


def describe(ddb, name):
    return ddb.describe_table(TableName=name)["Table"]


def wait_indexes_active(ddb, name, timeout=INDEX_TIMEOUT, gone=()):
    """DescribeTable until the table and every GSI are ACTIVE and the indexes
    named in `gone` have disappeared."""
    deadline = time.monotonic() + timeout
    while True:
        t = describe(ddb, name)
        gsis = t.get("GlobalSecondaryIndexes", [])
        if (t["TableStatus"] == "ACTIVE" and all(g["IndexStatus"] == "ACTIVE" for g in gsis)
                and not any(g["IndexName"] in gone for g in gsis)):
            return t
        if time.monotonic() > deadline:
            raise AssertionError(f"indexes of {name} not settled after {timeout}s: {t}")
        time.sleep(0.2)


def make_table(ddb, types: dict, key, gsis=(), lsis=(), billing="PAY_PER_REQUEST", pt=(5, 5), name=None):
    """Create a table (key = (hash,) or (hash, range)) and wait until it and
    its GSIs are ACTIVE."""
    name = name or unique_name("idx")
    body = dict(TableName=name, AttributeDefinitions=attr_defs(types),
                KeySchema=ks(*[(k, "HASH" if i == 0 else "RANGE") for i, k in enumerate(key)]))
    if gsis:
        body["GlobalSecondaryIndexes"] = list(gsis)
    if lsis:
        body["LocalSecondaryIndexes"] = list(lsis)
    if billing == "PAY_PER_REQUEST":
        body["BillingMode"] = "PAY_PER_REQUEST"
    else:
        body["ProvisionedThroughput"] = {"ReadCapacityUnits": pt[0], "WriteCapacityUnits": pt[1]}
    ddb.create_table(**body)
    wait_indexes_active(ddb, name)
    return name


def full_query(ddb, **kw):
    return [it for page in all_pages(ddb.query, **kw) for it in page["Items"]]


def full_scan(ddb, **kw):
    return [it for page in all_pages(ddb.scan, **kw) for it in page["Items"]]


def settled(fetch, want, timeout=GSI_READ_TIMEOUT):
    """Repeat an eventually consistent read until it returns `want` (or the
    time is up) and return the last answer; the caller asserts on it."""
    deadline = time.monotonic() + timeout
    while True:
        got = fetch()
        if got == want or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


def keyset(items):
    """Items as an order-free collection (for results whose order is not defined)."""
    return sorted(repr(sorted(it.items())) for it in items)


def proj(item, names):
    return {k: v for k, v in item.items() if k in names}


def uid(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def index_arn(table, index):
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table}/index/{index}"


# --------------------------------------------------------------------------
# The shared indexed table
#
#   table  pk S HASH, sk S RANGE
#   GSI    g_all  (g S, gs N) ALL
#          g_keys (g S, gs N) KEYS_ONLY
#          g_incl (g S, gs N) INCLUDE [a1, a2]
#          h_only (h S)       ALL              (hash-only GSI)
#          b_only (bk B)      KEYS_ONLY        (binary key)
#   LSI    l_all  (pk, l S)   ALL
#          l_keys (pk, l2 N)  KEYS_ONLY
# --------------------------------------------------------------------------

MAIN_TYPES = {"pk": "S", "sk": "S", "g": "S", "gs": "N", "h": "S", "bk": "B", "l": "S", "l2": "N"}
TABLE_KEYS = ("pk", "sk")


@pytest.fixture(scope="module")
def main(ddb):
    return make_table(ddb, MAIN_TYPES, TABLE_KEYS, gsis=[
        gsi("g_all", "g", "gs"),
        gsi("g_keys", "g", "gs", "KEYS_ONLY"),
        gsi("g_incl", "g", "gs", "INCLUDE", ["a1", "a2"]),
        gsi("h_only", "h"),
        gsi("b_only", "bk", ptype="KEYS_ONLY"),
    ], lsis=[
        lsi("l_all", "pk", "l"),
        lsi("l_keys", "pk", "l2", "KEYS_ONLY"),
    ])


def put_all(ddb, table, items):
    for it in items:
        ddb.put_item(TableName=table, Item=it)


def gquery(ddb, table, index, g, cond=None, values=None, **kw):
    """Query a g_* index for partition g (eventually consistent)."""
    kce = "g = :g" + (f" AND {cond}" if cond else "")
    return ddb.query(TableName=table, IndexName=index, KeyConditionExpression=kce,
                     ExpressionAttributeValues={":g": S(g), **(values or {})}, **kw)


@pytest.fixture(scope="module")
def gpart(ddb, main):
    """One g partition: five items with distinct gs (numeric order differs from
    text order and from table key order), one without gs (so in no g_* index)
    and one in a neighbouring g partition."""
    g = uid("gp")
    pk = S(uid("gpk"))
    gs_values = ["10", "2", "-1.5", "33", "100"]
    items = []
    for i, gs in enumerate(gs_values):
        it = {"pk": pk, "sk": S(f"s{i}"), "g": S(g), "gs": N(gs), "a1": S(f"one{i}"), "x": S(f"x{i}")}
        if i % 2 == 0:
            it["a2"] = L(S("two"), N(i))
        items.append(it)
    sparse = {"pk": pk, "sk": S("s9"), "g": S(g), "a1": S("no-gs")}
    neighbour = {"pk": pk, "sk": S("s8"), "g": S(g + "x"), "gs": N(1)}
    put_all(ddb, main, items + [sparse, neighbour])
    ordered = sorted(items, key=lambda it: float(it["gs"]["N"]))
    return g, ordered, sparse


# --------------------------------------------------------------------------
# CreateTable with indexes and the DescribeTable shape
# --------------------------------------------------------------------------

GSI_REQUIRED = {"IndexName", "KeySchema", "Projection", "IndexStatus", "ProvisionedThroughput",
                "IndexSizeBytes", "ItemCount", "IndexArn"}
GSI_OPTIONAL = {"WarmThroughput", "OnDemandThroughput"}
LSI_KEYS = {"IndexName", "KeySchema", "Projection", "IndexSizeBytes", "ItemCount", "IndexArn"}


def test_create_table_with_gsis_and_lsi_describe_shape(ddb):
    name = unique_name("shape")
    types = {"pk": "S", "sk": "S", "g": "S", "gs": "N", "l": "S"}
    gsis = [gsi("g_all", "g", "gs"), gsi("g_incl", "g", ptype="INCLUDE", nka=["a", "b"])]
    lsis = [lsi("l_keys", "pk", "l", "KEYS_ONLY")]
    resp = ddb.create_table(TableName=name, AttributeDefinitions=attr_defs(types), KeySchema=ks(("pk", "HASH"), ("sk", "RANGE")),
                            GlobalSecondaryIndexes=gsis, LocalSecondaryIndexes=lsis, BillingMode="PAY_PER_REQUEST")
    desc = resp["TableDescription"]
    # The CreateTable answer shows every GSI CREATING [dynalite createTable.js 'should succeed for
    # multiple GlobalSecondaryIndexes' (eql, IndexStatus 'CREATING'); cli-output create-table us-west-2].
    assert sorted(g["IndexName"] for g in desc["GlobalSecondaryIndexes"]) == ["g_all", "g_incl"]
    assert all(g["IndexStatus"] == "CREATING" for g in desc["GlobalSecondaryIndexes"])
    assert [l_["IndexName"] for l_ in desc["LocalSecondaryIndexes"]] == ["l_keys"]

    table = wait_indexes_active(ddb, name)
    # AttributeDefinitions hold the index keys too; their order is not defined
    # [alternator test_gsi_5_describe_table_schema]
    assert sorted(table["AttributeDefinitions"], key=lambda d: d["AttributeName"]) == \
        sorted(attr_defs(types), key=lambda d: d["AttributeName"])
    assert table["KeySchema"] == ks(("pk", "HASH"), ("sk", "RANGE"))
    # The list order of indexes is not defined [dynalite: "DynamoDB seem to put them in a weird order"]
    got = {g["IndexName"]: g for g in table["GlobalSecondaryIndexes"]}
    assert set(got) == {"g_all", "g_incl"}
    for want in gsis:
        g = got[want["IndexName"]]
        assert GSI_REQUIRED <= set(g) <= GSI_REQUIRED | GSI_OPTIONAL, set(g)
        assert g["KeySchema"] == want["KeySchema"]
        assert g["Projection"] == want["Projection"]  # echoed as given [dynalite eql; alternator test_gsi_describe]
        # created with the table: ACTIVE with the table, no Backfilling member [botocore Backfilling doc;
        # alternator test_gsi_describe_indexstatus]
        assert g["IndexStatus"] == "ACTIVE"
        # On-demand: zero provisioned units [botocore ProvisionedThroughputDescription doc; cli-output 2019]
        assert g["ProvisionedThroughput"] == {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
        # [dynalite createTable.js eql: IndexSizeBytes 0, ItemCount 0 for a new index]
        assert (g["IndexSizeBytes"], g["ItemCount"]) == (0, 0)
        # TableArn + '/index/' + name [dynalite; alternator test_gsi_describe]
        assert g["IndexArn"] == table["TableArn"] + "/index/" + g["IndexName"] == index_arn(name, g["IndexName"])
        # UNCONFIRMED whether every on-demand GSI carries WarmThroughput; when it does, it is the
        # on-demand default [ack-quirks DDB-TABLE-456: "index created with default WarmThroughput 12000/4000"]
        if "WarmThroughput" in g:
            assert g["WarmThroughput"] == {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
    (l_,) = table["LocalSecondaryIndexes"]
    # LSIs have no IndexStatus and no ProvisionedThroughput [alternator test_lsi_describe_indexstatus,
    # test_lsi_describe_fields; dynalite createTable.js 'should succeed for LocalSecondaryIndexes' (eql)]
    assert set(l_) == LSI_KEYS, set(l_)
    assert l_["KeySchema"] == lsis[0]["KeySchema"] and l_["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert (l_["IndexSizeBytes"], l_["ItemCount"]) == (0, 0)
    assert l_["IndexArn"] == index_arn(name, "l_keys")


def test_create_provisioned_table_gsi_throughput(ddb):
    name = make_table(ddb, {"pk": "S", "g": "S"}, ("pk",), billing="PROVISIONED", pt=(5, 5),
                      gsis=[gsi("by_g", "g", pt=(3, 4), ptype="KEYS_ONLY")])
    (g,) = describe(ddb, name)["GlobalSecondaryIndexes"]
    # [dynalite createTable.js 'multiple GlobalSecondaryIndexes' (eql: the request's units plus
    # NumberOfDecreasesToday 0); cli-output create-table us-west-2]
    assert g["ProvisionedThroughput"] == {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 3, "WriteCapacityUnits": 4}
    assert g["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    if "WarmThroughput" in g:  # UNCONFIRMED presence on provisioned indexes; shape from [botocore]
        assert set(g["WarmThroughput"]) <= {"ReadUnitsPerSecond", "WriteUnitsPerSecond", "Status"}


def test_indexes_identical_to_the_table_key_are_accepted(ddb):
    # An LSI or GSI with exactly the table's key, and two identical indexes under different names,
    # are all allowed [alternator test_lsi_identical, test_gsi_identical,
    # test_gsi_duplicate_with_different_name; dynalite 'should succeed for LocalSecondaryIndexes']
    name = make_table(ddb, {"pk": "S", "sk": "S"}, TABLE_KEYS,
                      gsis=[gsi("same1", "pk", "sk"), gsi("same2", "pk", "sk")],
                      lsis=[lsi("lsame1", "pk", "sk"), lsi("lsame2", "pk", "sk")])
    item = {"pk": S("p"), "sk": S("s"), "v": N(1)}
    ddb.put_item(TableName=name, Item=item)
    for index in ("lsame1", "lsame2"):
        assert full_query(ddb, TableName=name, IndexName=index, KeyConditionExpression="pk = :p",
                          ExpressionAttributeValues={":p": S("p")}, ConsistentRead=True) == [item]
    for index in ("same1", "same2"):
        assert settled(lambda: full_query(ddb, TableName=name, IndexName=index, KeyConditionExpression="pk = :p",
                                          ExpressionAttributeValues={":p": S("p")}), [item]) == [item]


def test_index_names_at_the_limits_are_accepted(ddb):
    # 3..255 characters of [a-zA-Z0-9_.-], a leading '.' included
    # [botocore IndexName; alternator test_gsi_non_scylla_name ('.alternator_test'); dynalite]
    long_name = "n" * 255
    name = make_table(ddb, {"pk": "S", "sk": "S", "g": "S"}, TABLE_KEYS,
                      gsis=[gsi(long_name, "g"), gsi(".a_b-C9", "g")], lsis=[lsi("abc", "pk", "g")])
    t = describe(ddb, name)
    assert {g["IndexName"] for g in t["GlobalSecondaryIndexes"]} == {long_name, ".a_b-C9"}
    assert [x["IndexName"] for x in t["LocalSecondaryIndexes"]] == ["abc"]


# --------------------------------------------------------------------------
# CreateTable validation
# --------------------------------------------------------------------------


def ct_body(types=None, key=TABLE_KEYS, gsis=None, lsis=None, billing="PAY_PER_REQUEST"):
    types = types or {"pk": "S", "sk": "S"}
    body = {"TableName": unique_name("ctv"), "AttributeDefinitions": attr_defs(types),
            "KeySchema": ks(*[(k, "HASH" if i == 0 else "RANGE") for i, k in enumerate(key)])}
    if gsis is not None:
        body["GlobalSecondaryIndexes"] = gsis
    if lsis is not None:
        body["LocalSecondaryIndexes"] = lsis
    if billing == "PAY_PER_REQUEST":
        body["BillingMode"] = "PAY_PER_REQUEST"
    else:
        body["ProvisionedThroughput"] = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    return body


def _either(*texts):
    return re.compile("^(?:" + "|".join(re.escape(t) for t in texts) + ")$")


PK_SK_L = {"pk": "S", "sk": "S", "l": "S"}

# (id, request body, expected message: str = exact, compiled regex = search)
CREATE_ERRORS = [
    ("lsi-table-without-range",
     ct_body({"pk": "S", "l": "S"}, ("pk",), lsis=[lsi("lsi1", "pk", "l")]),
     # [conformance tier3 createTable 'LSI without range key on base table'; dynalite; ack-quirks 442]
     INVALID + "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"),
    ("lsi-other-hash-key",
     ct_body({"pk": "S", "sk": "S", "o": "S", "l": "S"}, lsis=[lsi("lsi1", "o", "l")]),
     # [dynalite 'different hash key between LocalSecondaryIndex and table'; ack-quirks 442]
     INVALID + "Index KeySchema does not have the same leading hash key as table KeySchema for index: lsi1. "
               "index hash key: o, table hash key: pk"),
    ("lsi-without-range",
     ct_body(lsis=[{"IndexName": "lsi1", "KeySchema": ks(("sk", "HASH")), "Projection": projection()}]),
     # [dynalite 'no range key in LocalSecondaryIndex'; ack-quirks 442]
     INVALID + "Index KeySchema does not have a range key for index: lsi1"),
    ("lsi-two-hash",
     ct_body(lsis=[{"IndexName": "lsi1", "KeySchema": ks(("pk", "HASH"), ("sk", "HASH")), "Projection": projection()}]),
     # [dynalite 'second key of LocalSecondaryIndex not being range'] (LSIs keep the two-element schema)
     "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"),
    ("six-lsis",
     ct_body(lsis=[lsi(f"ab{c}", "pk", "sk") for c in "cdefgh"]),
     # [dynalite 'more than five valid LocalSecondaryIndexes'; ack-quirks 442]
     INVALID + "Number of LocalSecondaryIndexes exceeds per-table limit of 5"),
    ("twenty-one-gsis",
     ct_body(gsis=[gsi(f"abc{i}", "pk", "sk", pt=(1, 1)) for i in range(21)], billing="PROVISIONED"),
     # [dynalite 'more than twenty valid GlobalSecondaryIndexes'; ack-quirks 442]
     INVALID + "GlobalSecondaryIndex count exceeds the per-table limit of 20"),
    ("empty-gsi-list", ct_body(gsis=[]),
     INVALID + "List of GlobalSecondaryIndexes is empty"),  # [dynalite; ack-quirks 442]
    ("empty-lsi-list", ct_body(lsis=[]),
     INVALID + "List of LocalSecondaryIndexes is empty"),  # [dynalite]
    ("duplicate-gsi-name",
     ct_body({"pk": "S", "sk": "S", "x": "S", "y": "S"}, gsis=[gsi("same", "x"), gsi("same", "y")]),
     # [conformance tier3 createTable 'duplicate index names'; dynalite; alternator test_gsi_same_name_forbidden]
     INVALID + "Duplicate index name: same"),
    ("duplicate-lsi-gsi-name",
     ct_body(PK_SK_L, gsis=[gsi("same", "l")], lsis=[lsi("same", "pk", "l")]),
     # [dynalite 'duplicate index names between LocalSecondaryIndexes and GlobalSecondaryIndexes';
     #  alternator test_lsi_and_gsi_same_name]
     INVALID + "Duplicate index name: same"),
    ("gsi-keys-not-defined",
     ct_body(gsis=[gsi("gi1", "c", "d")]),
     # [dynalite 'missing attribute definitions in GlobalSecondaryIndex' (either list order)]
     re.compile(r"^" + re.escape(INVALID + "Some index key attributes are not defined in AttributeDefinitions. Keys: [")
                + r"(?:c, d|d, c)\], AttributeDefinitions: \[(?:pk, sk|sk, pk)\]$")),
    ("lsi-key-not-defined",
     ct_body(lsis=[lsi("lsi1", "pk", "c")]),
     # [dynalite 'missing attribute definitions when hash is same in LocalSecondaryIndex']
     re.compile(r"^" + re.escape(INVALID + "Some index key attributes are not defined in AttributeDefinitions. Keys: [")
                + r"(?:pk, c|c, pk)\], AttributeDefinitions: \[(?:pk, sk|sk, pk)\]$")),
    ("unused-attribute-definition",
     ct_body({"pk": "S", "sk": "S", "g": "S", "unused": "S"}, gsis=[gsi("gi1", "g")]),
     # Index keys count as used; 'unused' does not. UNCONFIRMED which wording: both are in the
     # 2026 catalogue [ack-quirks 442]; the first is [dynalite createTable.js]'s.
     re.compile(r"^" + re.escape(INVALID) + r"(?:Number of attributes in KeySchema does not exactly match number of "
                r"attributes defined in AttributeDefinitions|Some AttributeDefinitions are not used\. "
                r"AttributeDefinitions: \[[a-z, ]*\], keys used: \[[a-z, ]*\])$")),
    ("projection-without-type",
     ct_body(PK_SK_L, gsis=[{"IndexName": "gi1", "KeySchema": ks(("l", "HASH")), "Projection": {}}]),
     # [dynalite 'empty Projection in GlobalSecondaryIndex'; alternator test_gsi_missing_projection_type]
     INVALID + "Unknown ProjectionType: null"),
    ("include-without-nonkeyattributes",
     ct_body(PK_SK_L, gsis=[gsi("gi1", "l", ptype="INCLUDE")]),
     # [ack-quirks 442; alternator test_gsi_projection_error_missing_nonkeyattributes]
     INVALID + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified"),
    ("all-with-nonkeyattributes",
     ct_body(PK_SK_L, gsis=[gsi("gi1", "l", nka=["a"])]),
     INVALID + "ProjectionType is ALL, but NonKeyAttributes is specified"),  # [dynalite; ack-quirks 442]
    ("keys-only-with-nonkeyattributes",
     ct_body(PK_SK_L, lsis=[lsi("lsi1", "pk", "l", "KEYS_ONLY", ["a"])]),
     INVALID + "ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified"),  # [dynalite]
    ("duplicate-nonkeyattribute",
     ct_body(PK_SK_L, gsis=[gsi("gi1", "l", ptype="INCLUDE", nka=["a", "a"])]),
     # [ack-quirks 442 'Duplicate element in NonKeyAttributes: <X>'; alternator test_gsi_projection_error_duplicate].
     # UNCONFIRMED whether the usual prefix is present.
     re.compile(r"^(?:" + re.escape(INVALID) + r")?Duplicate element in NonKeyAttributes: a$")),
    ("twenty-one-nonkeyattributes",
     ct_body(PK_SK_L, gsis=[gsi("gi1", "l", ptype="INCLUDE", nka=[f"a{i}" for i in range(21)])]),
     # NonKeyAttributeNameList has max 20 [botocore]; coral wording [dynalite createTable.js constraints].
     # The list rendering inside Value '...' is not pinned.
     re.compile(r"^1 validation error detected: Value '.*' at 'globalSecondaryIndexes\.1\.member\.projection\."
                r"nonKeyAttributes' failed to satisfy constraint: Member must have length less than or equal to 20$")),
    ("more-than-100-projected-in-total",
     ct_body(PK_SK_L, gsis=[gsi(f"gix{i}", "l", ptype="INCLUDE", nka=[f"a{i}_{j}" for j in range(17)]) for i in range(6)]),
     # 102 NonKeyAttributes summed over the indexes (limit 100 [botocore Projection doc]).
     # UNCONFIRMED text: only 'Number of projected attributes in all indexes exceeds limit of 100' was
     # found, in a policy linter, not a capture; the limit figure is pinned.
     re.compile(r"\b100\b")),
    ("gsi-without-throughput-on-provisioned",
     ct_body(PK_SK_L, gsis=[gsi("gi1", "l")], billing="PROVISIONED"),
     INVALID + "ProvisionedThroughput is not specified for index: gi1"),  # [ack-quirks 442]
    ("gsi-throughput-on-pay-per-request",
     ct_body(PK_SK_L, gsis=[gsi("gi1", "l", pt=(1, 1))]),
     INVALID + "ProvisionedThroughput should not be specified for index: gi1 when BillingMode is PAY_PER_REQUEST"),  # [ack-quirks 442]
    ("gsi-name-pattern",
     ct_body(PK_SK_L, gsis=[gsi("ab;", "l")]),
     # [dynalite 'bad GlobalSecondaryIndex names'; alternator test_gsi_unsupported_names]
     "1 validation error detected: Value 'ab;' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy "
     "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
    ("gsi-name-too-short",
     ct_body(PK_SK_L, gsis=[gsi("ab", "l")]),
     "1 validation error detected: Value 'ab' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy "
     "constraint: Member must have length greater than or equal to 3"),
    ("lsi-name-too-long",
     ct_body(PK_SK_L, lsis=[lsi("n" * 256, "pk", "l")]),
     "1 validation error detected: Value '" + "n" * 256 + "' at 'localSecondaryIndexes.1.member.indexName' failed to "
     "satisfy constraint: Member must have length less than or equal to 255"),
    ("gsi-range-only",
     ct_body(PK_SK_L, gsis=[{"IndexName": "gi1", "KeySchema": ks(("l", "RANGE")), "Projection": projection()}]),
     # UNCONFIRMED since multi-attribute keys (Nov 2025): [dynalite] recorded 'Invalid KeySchema: The first
     # KeySchemaElement is not a HASH key type'; [alternator test_gsi_composite_range_only_rejected] (passing
     # on AWS) pins only a ValidationException naming HASH.
     re.compile(r"HASH")),
    ("gsi-hash-after-range",
     ct_body({"pk": "S", "sk": "S", "a": "S", "b": "S", "c": "S"},
             gsis=[gsi("gi1", None, keys=[("a", "HASH"), ("b", "RANGE"), ("c", "HASH")])]),
     # [ack-quirks 442; alternator test_gsi_composite_interleaved_rejected]
     INVALID + "All HASH key attributes must precede RANGE key attributes in the KeySchema"),
    ("gsi-five-hash",
     ct_body({"pk": "S", "sk": "S", **{f"h{i}": "S" for i in range(5)}},
             gsis=[gsi("gi1", None, keys=[(f"h{i}", "HASH") for i in range(5)])]),
     INVALID + "The KeySchema exceeds the maximum allowed number of HASH key attributes"),  # [ack-quirks 442]
    ("gsi-five-range",
     ct_body({"pk": "S", "sk": "S", "h": "S", **{f"r{i}": "S" for i in range(5)}},
             gsis=[gsi("gi1", None, keys=[("h", "HASH")] + [(f"r{i}", "RANGE") for i in range(5)])]),
     INVALID + "The KeySchema exceeds the maximum allowed number of RANGE key attributes"),  # [ack-quirks 442 'also RANGE']
    ("gsi-same-attribute-twice",
     ct_body(gsis=[gsi("gi1", "pk", "pk")]),
     # UNCONFIRMED which wording: [dynalite] (pre-2025) vs the 2026 catalogue [ack-quirks 442];
     # [alternator test_gsi_composite_duplicate_attr_rejected] pins 'same name'
     _either("Both the Hash Key and the Range Key element in the KeySchema have the same name",
             "The KeySchema contains multiple key attributes with the same name",
             INVALID + "The KeySchema contains multiple key attributes with the same name")),
]


@pytest.mark.parametrize("body,message", [c[1:] for c in CREATE_ERRORS], ids=[c[0] for c in CREATE_ERRORS])
def test_create_table_index_validation(endpoint, ddb, body, message):
    assert_error(raw_request(endpoint, "CreateTable", body), VE, message)
    # nothing was created
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.describe_table(TableName=body["TableName"])


def test_create_table_attribute_defined_twice(endpoint):
    body = ct_body({"pk": "S", "sk": "S"}, gsis=[gsi("gi1", "xyz")])
    body["AttributeDefinitions"] += [{"AttributeName": "xyz", "AttributeType": "S"},
                                     {"AttributeName": "xyz", "AttributeType": "N"}]
    # [alternator test_gsi_key_type_conflict_on_create 'uplicate.*xyz'; ack-quirks 442
    # 'Attribute Name is duplicated: <ATTR>'] — UNCONFIRMED beyond those words
    r = raw_request(endpoint, "CreateTable", body)
    assert r.status_code == 400 and r.json()["__type"] == FULL_TYPES[VE]
    assert re.search(r"uplicate.*xyz", r.json().get("message", "")), r.text


# --------------------------------------------------------------------------
# Query on a GSI: projections, order, sparse index
# --------------------------------------------------------------------------


def test_gsi_all_projection_order_and_sparse(ddb, main, gpart):
    g, ordered, sparse = gpart
    # Sorted by the index sort key, numerically for N [botocore Query ScanIndexForward; moto-aws
    # test_sorting_by_composite_key]; the item without gs is not in the index (sparse)
    # [alternator test_gsi_missing_attribute; conformance query/gsi 'sparse GSI']; ALL returns whole items.
    r = settled(lambda: gquery(ddb, main, "g_all", g)["Items"], ordered)
    assert r == ordered
    r = gquery(ddb, main, "g_all", g)
    assert (r["Count"], r["ScannedCount"]) == (5, 5)
    assert gquery(ddb, main, "g_all", g, ScanIndexForward=False)["Items"] == ordered[::-1]
    r = gquery(ddb, main, "g_all", g, "gs BETWEEN :lo AND :hi", {":lo": N(0), ":hi": N("33")})
    assert r["Items"] == [it for it in ordered if 0 <= float(it["gs"]["N"]) <= 33]
    assert sparse not in r["Items"]


def test_gsi_keys_only_projection(ddb, main, gpart):
    g, ordered, _ = gpart
    # KEYS_ONLY: the table key and the index key, nothing else; this is the default
    # Select (ALL_PROJECTED_ATTRIBUTES) on an index [botocore Projection, Query Select;
    # alternator test_gsi_projection_keys_only]
    want = [proj(it, {"pk", "sk", "g", "gs"}) for it in ordered]
    assert settled(lambda: gquery(ddb, main, "g_keys", g)["Items"], want) == want
    assert gquery(ddb, main, "g_keys", g, Select="ALL_PROJECTED_ATTRIBUTES")["Items"] == want


def test_gsi_include_projection(ddb, main, gpart):
    g, ordered, _ = gpart
    # INCLUDE: keys plus the listed non-key attributes that the item has
    # [alternator test_gsi_projection_include; conformance scan/gsi 'INCLUDE projection']
    want = [proj(it, {"pk", "sk", "g", "gs", "a1", "a2"}) for it in ordered]
    assert any("a2" not in w for w in want) and all("x" not in w for w in want)
    assert settled(lambda: gquery(ddb, main, "g_incl", g)["Items"], want) == want


def test_gsi_hash_only_index(ddb, main):
    h = uid("h")
    items = [{"pk": S(uid("hp")), "sk": S(f"s{i}"), "h": S(h), "v": N(i)} for i in range(4)]
    put_all(ddb, main, items + [{"pk": S(uid("hp")), "sk": S("x"), "h": S(h + "-other")}])
    fetch = lambda: full_query(ddb, TableName=main, IndexName="h_only", KeyConditionExpression="h = :h",  # noqa: E731
                               ExpressionAttributeValues={":h": S(h)})
    # Many items may share a GSI key; their relative order is not documented, so compare as a set
    # [alternator test_gsi_same_key; conformance query/gsiHashOnlyPagination]
    assert settled(lambda: keyset(fetch()), keyset(items)) == keyset(items)


def test_gsi_results_grouped_by_sort_key_ties_unordered(ddb, main):
    g = uid("tie")
    items = [{"pk": S(uid("tp")), "sk": S("s"), "g": S(g), "gs": N(i // 3)} for i in range(9)]
    put_all(ddb, main, items)
    got = settled(lambda: keyset(full_query(ddb, TableName=main, IndexName="g_all", KeyConditionExpression="g = :g",
                                            ExpressionAttributeValues={":g": S(g)})), keyset(items))
    assert got == keyset(items)
    got = full_query(ddb, TableName=main, IndexName="g_all", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": S(g)})
    # Ordered by the index sort key; the order among equal index keys is not documented
    # [botocore Query; developer guide GSI "key values do not need to be unique"] — only grouping is checked
    assert [int(it["gs"]["N"]) for it in got] == sorted(int(it["gs"]["N"]) for it in items)


# --------------------------------------------------------------------------
# Query on an LSI
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lpart(ddb, main):
    """One table partition whose LSI order (by l, or numerically by l2) differs
    from the table order (by sk); one item lacks l and l2."""
    pk = S(uid("lp"))
    ls = ["m", "b", "z", "a", "k"]
    l2s = ["5", "-3", "40", "0.5", "7"]
    items = [{"pk": pk, "sk": S(f"s{i}"), "l": S(ls[i]), "l2": N(l2s[i]), "d": S(f"d{i}"), "a1": S("x")} for i in range(5)]
    sparse = {"pk": pk, "sk": S("s9"), "d": S("no index keys")}
    put_all(ddb, main, items + [sparse])
    return pk, items, sparse


def lquery(ddb, table, index, pk, cond=None, values=None, **kw):
    kce = "pk = :p" + (f" AND {cond}" if cond else "")
    kw.setdefault("ConsistentRead", True)
    return ddb.query(TableName=table, IndexName=index, KeyConditionExpression=kce,
                     ExpressionAttributeValues={":p": pk, **(values or {})}, **kw)


def test_lsi_all_projection_sorted_by_index_key(ddb, main, lpart):
    pk, items, sparse = lpart
    by_l = sorted(items, key=lambda it: it["l"]["S"].encode())
    # LSI results come in LSI sort-key order, not table order [alternator test_lsi_get_whole_partition];
    # the item without l is absent (sparse) [alternator test_lsi_missing_attribute]
    r = lquery(ddb, main, "l_all", pk)
    assert r["Items"] == by_l and (r["Count"], r["ScannedCount"]) == (5, 5)
    assert lquery(ddb, main, "l_all", pk, ScanIndexForward=False)["Items"] == by_l[::-1]
    assert lquery(ddb, main, "l_all", pk, "begins_with(l, :b)", {":b": S("k")})["Items"] == [it for it in by_l if it["l"]["S"] == "k"]
    # a filter on a non-key attribute and on the base table's sort key (projected, not an LSI key)
    # is allowed [alternator test_lsi_keys_only_filter_on_non_projected_attribute ('c' may be filtered)]
    assert lquery(ddb, main, "l_all", pk, values={":s": S("s2")}, FilterExpression="sk = :s")["Items"] == [items[2]]


def test_lsi_keys_only_projection_and_fetches(ddb, main, lpart):
    pk, items, _ = lpart
    by_l2 = sorted(items, key=lambda it: float(it["l2"]["N"]))
    # default Select on a KEYS_ONLY LSI: table keys + LSI key [alternator test_lsi_get_all_projected_attributes]
    assert lquery(ddb, main, "l_keys", pk)["Items"] == [proj(it, {"pk", "sk", "l2"}) for it in by_l2]
    # Select ALL_ATTRIBUTES on an LSI fetches whole items from the table
    # [botocore Query Select; alternator test_lsi_query_select; moto-aws test_all_attributes_rejected_for_keys_only_gsi (LSI part)]
    assert lquery(ddb, main, "l_keys", pk, Select="ALL_ATTRIBUTES")["Items"] == by_l2
    # so does a ProjectionExpression naming non-projected attributes [alternator test_lsi_get_not_projected_attribute]
    assert lquery(ddb, main, "l_keys", pk, ProjectionExpression="d, sk")["Items"] == [proj(it, {"d", "sk"}) for it in by_l2]
    assert lquery(ddb, main, "l_keys", pk, Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="d")["Items"] == \
        [{"d": it["d"]} for it in by_l2]


def test_consistent_read_allowed_on_lsi(ddb, main, lpart):
    pk, items, _ = lpart
    # [conformance query/lsi 'supports ConsistentRead on LSI'; alternator test_lsi_consistent_read]
    r = lquery(ddb, main, "l_all", pk, ConsistentRead=True)
    assert r["Count"] == 5
    # eventually consistent reads of an LSI are allowed too (they may lag behind the writes)
    assert lquery(ddb, main, "l_all", pk, ConsistentRead=False)["Count"] <= 5


# --------------------------------------------------------------------------
# Index maintenance: updates, key changes, removals, deletes
# --------------------------------------------------------------------------


def g_items(ddb, table, g, index="g_all"):
    return full_query(ddb, TableName=table, IndexName=index, KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": S(g)})


def test_gsi_follows_item_changes(ddb, main):
    g1, g2 = uid("m1"), uid("m2")
    key = {"pk": S(uid("mp")), "sk": S("s")}
    item = {**key, "g": S(g1), "gs": N(1), "y": S("y1")}
    ddb.put_item(TableName=main, Item=item)
    assert settled(lambda: g_items(ddb, main, g1), [item]) == [item]
    # a non-key change is visible through the index [alternator test_update_gsi_pk]
    ddb.update_item(TableName=main, Key=key, UpdateExpression="SET y = :y", ExpressionAttributeValues={":y": S("y2")})
    item["y"] = S("y2")
    assert settled(lambda: g_items(ddb, main, g1), [item]) == [item]
    # changing the index hash key moves the entry: the old one is gone
    ddb.update_item(TableName=main, Key=key, UpdateExpression="SET g = :g", ExpressionAttributeValues={":g": S(g2)})
    item["g"] = S(g2)
    assert settled(lambda: g_items(ddb, main, g1), []) == []
    assert settled(lambda: g_items(ddb, main, g2), [item]) == [item]
    # changing the index sort key re-sorts it
    ddb.update_item(TableName=main, Key=key, UpdateExpression="SET gs = :n", ExpressionAttributeValues={":n": N(7)})
    item["gs"] = N(7)
    assert settled(lambda: g_items(ddb, main, g2), [item]) == [item]
    # removing an index key attribute takes the item out of the index; the table keeps it
    # [alternator test_update_gsi_pk 'Delete only the attribute x'; test_gsi_3_long]
    ddb.update_item(TableName=main, Key=key, UpdateExpression="REMOVE gs")
    assert settled(lambda: g_items(ddb, main, g2), []) == []
    assert "gs" not in ddb.get_item(TableName=main, Key=key, ConsistentRead=True)["Item"]
    # setting it again brings it back
    ddb.update_item(TableName=main, Key=key, UpdateExpression="SET gs = :n", ExpressionAttributeValues={":n": N(8)})
    item["gs"] = N(8)
    assert settled(lambda: g_items(ddb, main, g2), [item]) == [item]
    # a PutItem replacing the item without the key attribute removes the entry [alternator test_lsi_put_overwrites_lsi_column]
    ddb.put_item(TableName=main, Item={**key, "g": S(g2)})
    assert settled(lambda: g_items(ddb, main, g2), []) == []
    ddb.put_item(TableName=main, Item=item)
    assert settled(lambda: g_items(ddb, main, g2), [item]) == [item]
    # DeleteItem removes it [alternator test_update_gsi_pk 'Delete the entire item']
    ddb.delete_item(TableName=main, Key=key)
    assert settled(lambda: g_items(ddb, main, g2), []) == []
    for index in ("g_keys", "g_incl"):
        assert settled(lambda: g_items(ddb, main, g2, index), []) == []


def test_lsi_follows_item_changes(ddb, main):
    pk = S(uid("lm"))
    key = {"pk": pk, "sk": S("s")}
    ddb.put_item(TableName=main, Item={**key, "l": S("b1")})

    def lsi_items():
        return lquery(ddb, main, "l_all", pk)["Items"]

    assert lsi_items() == [{**key, "l": S("b1")}]
    # [alternator test_lsi_update_modifies_index, test_lsi_put_overwrites_lsi_column, test_lsi_delete_modifies_index]
    ddb.update_item(TableName=main, Key=key, UpdateExpression="SET l = :l", ExpressionAttributeValues={":l": S("b2")})
    assert lquery(ddb, main, "l_all", pk, "l = :l", {":l": S("b1")})["Items"] == []
    assert lsi_items() == [{**key, "l": S("b2")}]
    ddb.put_item(TableName=main, Item=key)
    assert lsi_items() == []
    ddb.put_item(TableName=main, Item={**key, "l": S("b3")})
    ddb.delete_item(TableName=main, Key=key)
    assert lsi_items() == []


def test_batch_write_maintains_indexes(ddb, main):
    g = uid("bw")
    pk = S(uid("bwp"))
    items = [{"pk": pk, "sk": S(f"s{i}"), "g": S(g), "gs": N(i), "l": S(f"l{i}")} for i in range(3)]
    ddb.batch_write_item(RequestItems={main: [{"PutRequest": {"Item": it}} for it in items]})
    assert settled(lambda: g_items(ddb, main, g), items) == items
    assert lquery(ddb, main, "l_all", pk)["Items"] == items
    ddb.batch_write_item(RequestItems={main: [{"DeleteRequest": {"Key": {"pk": pk, "sk": S("s1")}}}]})
    assert settled(lambda: g_items(ddb, main, g), [items[0], items[2]]) == [items[0], items[2]]
    assert lquery(ddb, main, "l_all", pk)["Items"] == [items[0], items[2]]


# --------------------------------------------------------------------------
# Index key values on writes: type, NULL, empty, nesting
# --------------------------------------------------------------------------


def mismatch(attr, expected, actual, index):
    # [conformance index-key error-message file, four regions: exact]
    return INVALID + f"Type mismatch for Index Key {attr} Expected: {expected} Actual: {actual} IndexName: {index}"


@pytest.mark.parametrize("attr,value,expected,actual,index", [
    ("h", N(3), "S", "N", "h_only"),                # GSI hash key
    ("h", B(b"x"), "S", "B", "h_only"),
    ("h", NULL, "S", "NULL", "h_only"),             # NULL is a wrong type, not absence [user quote 'Actual: NULL'; alternator test_gsi_null_value]
    ("h", L(S("x")), "S", "L", "h_only"),           # [conformance 'non-scalar index key']
    ("h", M(a=S("x")), "S", "M", "h_only"),
    ("l", N(1), "S", "N", "l_all"),                 # LSI sort key [alternator test_lsi_wrong_type_attribute_put]
    ("l2", S("1"), "N", "S", "l_keys"),
    ("bk", S("x"), "B", "S", "b_only"),
])
def test_index_key_type_mismatch_on_put_and_batch_write(ddb, main, attr, value, expected, actual, index):
    key = {"pk": S(uid("tm")), "sk": S("s")}
    msg = mismatch(attr, expected, actual, index)
    expect_error(lambda: ddb.put_item(TableName=main, Item={**key, attr: value}), VE, msg)
    # nothing is written [alternator test_gsi_wrong_type_attribute_put]
    assert "Item" not in ddb.get_item(TableName=main, Key=key, ConsistentRead=True)
    # BatchWriteItem rejects the whole batch [conformance BatchWriteItem index key messages;
    # alternator test_gsi_wrong_type_attribute_batch]
    ok = {"pk": S(uid("tm")), "sk": S("s"), "h": S("fine")}
    expect_error(lambda: ddb.batch_write_item(RequestItems={main: [
        {"PutRequest": {"Item": ok}}, {"PutRequest": {"Item": {**key, attr: value}}}]}), VE, msg)
    assert "Item" not in ddb.get_item(TableName=main, Key={"pk": ok["pk"], "sk": ok["sk"]}, ConsistentRead=True)


def test_index_key_type_mismatch_on_update(ddb, main):
    key = {"pk": S(uid("tu")), "sk": S("s")}
    item = {**key, "h": S("good"), "l": S("good")}
    ddb.put_item(TableName=main, Item=item)
    # UpdateExpression [dynalite updateItem.js 'Type mismatch for Index Key c ... IndexName: index\\d']
    expect_error(lambda: ddb.update_item(TableName=main, Key=key, UpdateExpression="SET h = :v",
                                         ExpressionAttributeValues={":v": N(3)}), VE, mismatch("h", "S", "N", "h_only"))
    expect_error(lambda: ddb.update_item(TableName=main, Key=key, UpdateExpression="SET l = :v",
                                         ExpressionAttributeValues={":v": M(a=N(3))}), VE, mismatch("l", "S", "M", "l_all"))
    # legacy AttributeUpdates [alternator test_gsi_wrong_type_attribute_update]
    expect_error(lambda: ddb.update_item(TableName=main, Key=key, AttributeUpdates={"h": {"Value": N(3), "Action": "PUT"}}),
                 VE, mismatch("h", "S", "N", "h_only"))
    # the item is unchanged
    assert ddb.get_item(TableName=main, Key=key, ConsistentRead=True)["Item"] == item
    # and an upsert creates nothing
    other = {"pk": S(uid("tu")), "sk": S("s")}
    expect_error(lambda: ddb.update_item(TableName=main, Key=other, UpdateExpression="SET h = :v",
                                         ExpressionAttributeValues={":v": N(3)}), VE, mismatch("h", "S", "N", "h_only"))
    assert "Item" not in ddb.get_item(TableName=main, Key=other, ConsistentRead=True)


def test_type_mismatch_names_one_of_the_indexes_keyed_on_the_attribute(ddb, main):
    key = {"pk": S(uid("tx")), "sk": S("s")}
    # 'g' keys three GSIs. [conformance] saw AWS name the alphabetically-first index; UNCONFIRMED whether
    # that is the rule or the declaration order, so any of the three is accepted.
    expect_error(lambda: ddb.put_item(TableName=main, Item={**key, "g": N(1), "gs": N(1)}), VE,
                 re.compile("^" + re.escape(INVALID + "Type mismatch for Index Key g Expected: S Actual: N IndexName: ")
                            + "(?:g_all|g_incl|g_keys)$"))


def empty_put_msg(kind, index, attr):
    # [conformance index-key error-message file: put form names the index and key]
    return (f"One or more parameter values are not valid. A value specified for a secondary index key is not supported. "
            f"The AttributeValue for a key attribute cannot contain an empty {kind} value. IndexName: {index}, IndexKey: {attr}")


def empty_update_msg(kind):
    # [conformance index-key error-message file: the update form has no IndexName/IndexKey suffix]
    return ("One or more parameter values are not valid. The update expression attempted to update a secondary index key "
            f"to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty {kind} value.")


@pytest.mark.parametrize("attr,value,kind,index", [
    ("h", S(""), "string", "h_only"),
    ("l", S(""), "string", "l_all"),      # LSI key [alternator test_lsi_empty_value]
    ("bk", B(b""), "binary", "b_only"),
])
def test_empty_index_key_value_rejected(ddb, main, attr, value, kind, index):
    key = {"pk": S(uid("em")), "sk": S("s")}
    expect_error(lambda: ddb.put_item(TableName=main, Item={**key, attr: value}), VE, empty_put_msg(kind, index, attr))
    expect_error(lambda: ddb.batch_write_item(RequestItems={main: [{"PutRequest": {"Item": {**key, attr: value}}}]}),
                 VE, empty_put_msg(kind, index, attr))
    expect_error(lambda: ddb.update_item(TableName=main, Key=key, UpdateExpression="SET #a = :v",
                                         ExpressionAttributeNames={"#a": attr}, ExpressionAttributeValues={":v": value}),
                 VE, empty_update_msg(kind))
    assert "Item" not in ddb.get_item(TableName=main, Key=key, ConsistentRead=True)
    # an empty string in an attribute that keys no index is fine [dev-guide: empty non-key values]
    ddb.put_item(TableName=main, Item={**key, "not_a_key": S("")})


def test_nested_update_of_index_key_rejected(ddb, main):
    key = {"pk": S(uid("ne")), "sk": S("s")}
    ddb.put_item(TableName=main, Item={**key, "h": S("v")})
    # [alternator test_gsi_wrong_type_attribute_update_nested quoting AWS]
    expect_error(lambda: ddb.update_item(TableName=main, Key=key, UpdateExpression="SET h.y = :v",
                                         ExpressionAttributeValues={":v": N(3)}), VE,
                 aws_message("Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: h"))
    assert ddb.get_item(TableName=main, Key=key, ConsistentRead=True)["Item"] == {**key, "h": S("v")}


def test_missing_index_key_is_fine(ddb, main):
    # absent index keys are allowed: the item is only left out of that index
    # [alternator test_gsi_missing_attribute (PutItem, UpdateItem, BatchWriteItem)]
    key = {"pk": S(uid("mk")), "sk": S("s")}
    ddb.put_item(TableName=main, Item={**key, "g": S("only-hash")})
    ddb.update_item(TableName=main, Key={**key, "sk": S("t")}, UpdateExpression="SET z = :z", ExpressionAttributeValues={":z": N(1)})
    ddb.batch_write_item(RequestItems={main: [{"PutRequest": {"Item": {**key, "sk": S("u")}}}]})
    assert len(ddb.query(TableName=main, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": key["pk"]},
                         ConsistentRead=True)["Items"]) == 3


# --------------------------------------------------------------------------
# ConsistentRead, unknown indexes, Select, projections and filters on indexes
# --------------------------------------------------------------------------


def test_consistent_read_rejected_on_gsi(endpoint, main):
    body = {"TableName": main, "IndexName": "g_all", "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": S("x")}, "ConsistentRead": True}
    # [conformance tier3 query 'ConsistentRead on GSI' (exact); dynalite 'querying global index with ConsistentRead']
    assert_error(raw_request(endpoint, "Query", body), VE, "Consistent reads are not supported on global secondary indexes")
    # Scan: UNCONFIRMED exact text ([alternator test_gsi_strong_consistency] pins 'Consistent'; [botocore] the
    # exception); the Query wording is expected
    assert_error(raw_request(endpoint, "Scan", {"TableName": main, "IndexName": "h_only", "ConsistentRead": True}), VE,
                 aws_message("Consistent reads are not supported on global secondary indexes"))
    # ConsistentRead false is fine
    r = raw_request(endpoint, "Query", {**body, "ConsistentRead": False})
    assert r.status_code == 200, r.text


def test_unknown_index(endpoint, ddb, main):
    # [dynalite query.js/scan.js 'non-existent index name' (exact); conformance validation-ordering/index]
    body = {"TableName": main, "IndexName": "whatever", "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": S("x")}}
    assert_error(raw_request(endpoint, "Query", body), VE, aws_message("The table does not have the specified index: whatever"))
    assert_error(raw_request(endpoint, "Scan", {"TableName": main, "IndexName": "whatever"}), VE,
                 aws_message("The table does not have the specified index: whatever"))
    # an unknown table comes first [alternator test_gsi_missing_table]
    expect_error(lambda: ddb.query(TableName=unique_name("nope"), IndexName="g_all", KeyConditionExpression="g = :g",
                                   ExpressionAttributeValues={":g": S("x")}), "ResourceNotFoundException")
    expect_error(lambda: ddb.scan(TableName=unique_name("nope"), IndexName="g_all"), "ResourceNotFoundException")


def all_attributes_msg(index):
    # [moto-aws test_all_attributes_rejected_for_keys_only_gsi / _include_gsi (Query and Scan, exact);
    #  dynalite query.js/scan.js 'ALL_ATTRIBUTES when global index does not have ALL']
    return INVALID + f"Select type ALL_ATTRIBUTES is not supported for global secondary index {index} because its projection type is not ALL"


@pytest.mark.parametrize("index", ["g_keys", "g_incl"])
def test_select_all_attributes_rejected_on_partial_gsi(endpoint, main, index):
    body = {"TableName": main, "IndexName": index, "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": S("x")}, "Select": "ALL_ATTRIBUTES"}
    assert_error(raw_request(endpoint, "Query", body), VE, aws_message(all_attributes_msg(index)))
    assert_error(raw_request(endpoint, "Scan", {"TableName": main, "IndexName": index, "Select": "ALL_ATTRIBUTES"}), VE,
                 aws_message(all_attributes_msg(index)))


def test_select_modes_on_indexes(ddb, endpoint, main, gpart, lpart):
    g, ordered, _ = gpart
    settled(lambda: gquery(ddb, main, "g_all", g)["Items"], ordered)
    # ALL_ATTRIBUTES and ALL_PROJECTED_ATTRIBUTES are the same on an ALL GSI [alternator test_gsi_query_select_1;
    # botocore Select 'If the index is configured to project all attributes ... equivalent']
    assert gquery(ddb, main, "g_all", g, Select="ALL_ATTRIBUTES")["Items"] == ordered
    assert gquery(ddb, main, "g_all", g, Select="ALL_PROJECTED_ATTRIBUTES")["Items"] == ordered
    # SPECIFIC_ATTRIBUTES of projected attributes on a partial GSI [alternator test_gsi_query_select_2]
    r = gquery(ddb, main, "g_incl", g, Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="a1, sk")
    assert r["Items"] == [proj(it, {"a1", "sk"}) for it in ordered]
    r = ddb.query(TableName=main, IndexName="g_incl", Select="SPECIFIC_ATTRIBUTES", AttributesToGet=["a1"],
                  KeyConditions={"g": {"ComparisonOperator": "EQ", "AttributeValueList": [S(g)]}})
    assert r["Items"] == [{"a1": it["a1"]} for it in ordered]
    # COUNT on an index: no Items member [alternator test_gsi_query_select_1; moto-aws]
    body = {"TableName": main, "IndexName": "g_keys", "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": S(g)}, "Select": "COUNT"}
    assert settled(lambda: raw_request(endpoint, "Query", body).json(), {"Count": 5, "ScannedCount": 5}) == \
        {"Count": 5, "ScannedCount": 5}
    # ALL_PROJECTED_ATTRIBUTES with a ProjectionExpression [moto-aws test_projection_expression_rejected_for_non_specific_select]
    body.update(Select="ALL_PROJECTED_ATTRIBUTES", ProjectionExpression="gs")
    assert_error(raw_request(endpoint, "Query", body), VE,
                 aws_message("Cannot specify the ProjectionExpression when choosing to get ALL_PROJECTED_ATTRIBUTES"))
    # without IndexName, on a table that has indexes [moto-aws test_all_projected_attributes_rejected_for_table]
    pk, _, _ = lpart
    body = {"TableName": main, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": pk},
            "Select": "ALL_PROJECTED_ATTRIBUTES"}
    assert_error(raw_request(endpoint, "Query", body), VE,
                 aws_message("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"))
    assert_error(raw_request(endpoint, "Scan", {"TableName": main, "Select": "ALL_PROJECTED_ATTRIBUTES"}), VE,
                 aws_message("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"))


def test_gsi_cannot_return_unprojected_attributes(endpoint, main):
    body = {"TableName": main, "IndexName": "g_keys", "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": S("x")}, "ProjectionExpression": "a1"}
    # A GSI cannot fetch from the table [botocore Query Select]; wording from [localstack-478] (a user
    # quoting AWS: 'Global secondary index my_index does not project [table_column]')
    assert_error(raw_request(endpoint, "Query", body), VE, aws_message(INVALID + "Global secondary index g_keys does not project [a1]"))
    assert_error(raw_request(endpoint, "Scan", {"TableName": main, "IndexName": "g_incl", "ProjectionExpression": "x"}), VE,
                 aws_message(INVALID + "Global secondary index g_incl does not project [x]"))


@pytest.mark.parametrize("index,consistent", [("g_keys", False), ("g_incl", False), ("l_keys", True)])
def test_filter_on_unprojected_attribute_rejected(endpoint, main, index, consistent):
    key = "g" if index.startswith("g") else "pk"
    body = {"TableName": main, "IndexName": index, "KeyConditionExpression": f"{key} = :k", "ConsistentRead": consistent,
            "FilterExpression": "x = :v", "ExpressionAttributeValues": {":k": S("k"), ":v": S("v")}}
    # Even on an LSI, and even with Select ALL_ATTRIBUTES [alternator test_lsi_keys_only_filter_on_non_projected_attribute
    # 'hello.*does not project.*filter.*d']; wording from [toolbox-1195] (a user quoting AWS:
    # 'Secondary index timestamp does not project one or more filter attributes: [_et]')
    msg = aws_message(INVALID + f"Secondary index {index} does not project one or more filter attributes: [x]")
    assert_error(raw_request(endpoint, "Query", body), VE, msg)
    if index == "l_keys":
        assert_error(raw_request(endpoint, "Query", {**body, "Select": "ALL_ATTRIBUTES"}), VE, msg)
    scan = {"TableName": main, "IndexName": index, "FilterExpression": "x = :v", "ExpressionAttributeValues": {":v": S("v")}}
    assert_error(raw_request(endpoint, "Scan", scan), VE, msg)


def test_filter_on_index_key_rejected(endpoint, ddb, main, gpart):
    g, ordered, _ = gpart
    base = {"TableName": main, "IndexName": "g_all", "KeyConditionExpression": "g = :g"}
    # the index's own key attributes cannot be filtered on [dynalite 'global range key in QueryFilter'
    # ('Primary key attribute: d'); alternator test_lsi_keys_only_filter_on_non_projected_attribute ('primary key')]
    r = raw_request(endpoint, "Query", {**base, "FilterExpression": "gs = :v", "ExpressionAttributeValues": {":g": S(g), ":v": N(1)}})
    assert_error(r, VE, aws_message("Filter Expression can only contain non-primary key attributes: Primary key attribute: gs"))
    r = raw_request(endpoint, "Query", {"TableName": main, "IndexName": "g_all",
                                        "KeyConditions": {"g": {"ComparisonOperator": "EQ", "AttributeValueList": [S(g)]}},
                                        "QueryFilter": {"gs": {"ComparisonOperator": "EQ", "AttributeValueList": [N(1)]}}})
    assert_error(r, VE, aws_message("QueryFilter can only contain non-primary key attributes: Primary key attribute: gs"))
    # a table key that is not an index key is a projected non-key attribute of the index and may be
    # filtered on [alternator test_lsi_keys_only_filter_on_non_projected_attribute ('c')] — by analogy for GSIs
    got = settled(lambda: gquery(ddb, main, "g_keys", g, values={":s": ordered[0]["sk"]},
                                 FilterExpression="sk = :s")["Items"],
                  [proj(ordered[0], {"pk", "sk", "g", "gs"})])
    assert got == [proj(ordered[0], {"pk", "sk", "g", "gs"})]


@pytest.mark.parametrize("index,kce,values,message", [
    # [dynalite 'global hash in ExclusiveStartKey but not in query' ('missed key schema element: c')]
    ("g_all", "pk = :p", {":p": S("x")}, "Query condition missed key schema element: g"),
    ("g_all", "gs = :n", {":n": N(1)}, "Query condition missed key schema element: g"),
    ("l_all", "pk = :p AND sk = :s", {":p": S("x"), ":s": S("y")}, "Query condition missed key schema element: l"),
    # [dynalite 'querying global with unsupported conditions' (hash-only GSI)]
    ("h_only", "h > :v", {":v": S("x")}, "Query key condition not supported"),
    ("h_only", "h = :v AND pk = :v", {":v": S("x")}, "Query key condition not supported"),
    # [dynalite 'incorrect comparison operator on index' (legacy NULL); expression form: operand type]
    ("g_all", "g = :g AND begins_with(gs, :n)", {":g": S("x"), ":n": N(1)},
     "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
    # value types are checked against the index key's type [test_query 'hash-type']
    ("g_all", "g = :g", {":g": N(1)}, INVALID + "Condition parameter type does not match schema type"),
])
def test_key_condition_errors_on_indexes(endpoint, main, index, kce, values, message):
    body = {"TableName": main, "IndexName": index, "KeyConditionExpression": kce, "ExpressionAttributeValues": to_wire(values)}
    assert_error(raw_request(endpoint, "Query", body), VE, aws_message(message))


# --------------------------------------------------------------------------
# Paging on an index: Limit, LastEvaluatedKey, ExclusiveStartKey, paginators
# --------------------------------------------------------------------------


def test_gsi_pagination_and_last_evaluated_key_shape(ddb, main, gpart):
    g, ordered, _ = gpart
    settled(lambda: gquery(ddb, main, "g_all", g)["Items"], ordered)
    r = gquery(ddb, main, "g_all", g, Limit=2)
    assert r["Items"] == ordered[:2]
    # table key + index key [conformance query/gsi 'composes LastEvaluatedKey from base and index keys']
    assert r["LastEvaluatedKey"] == proj(ordered[1], {"pk", "sk", "g", "gs"})
    r2 = gquery(ddb, main, "g_all", g, Limit=2, ExclusiveStartKey=r["LastEvaluatedKey"])
    assert r2["Items"] == ordered[2:4]
    for limit in (1, 2, 3, 5, 6):
        pages = all_pages(ddb.query, TableName=main, IndexName="g_keys", KeyConditionExpression="g = :g",
                          ExpressionAttributeValues={":g": S(g)}, Limit=limit)
        assert [it for p in pages for it in p["Items"]] == [proj(it, {"pk", "sk", "g", "gs"}) for it in ordered]
        for p in pages:
            if "LastEvaluatedKey" in p:
                assert set(p["LastEvaluatedKey"]) == {"pk", "sk", "g", "gs"}
    # reverse
    pages = all_pages(ddb.query, TableName=main, IndexName="g_all", KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": S(g)}, Limit=2, ScanIndexForward=False)
    assert [it for p in pages for it in p["Items"]] == ordered[::-1]


def test_pagination_over_tied_index_keys(ddb, main):
    g, h = uid("pt"), uid("ph")
    pk = S(uid("ptk"))
    items = [{"pk": pk, "sk": S(f"s{i}"), "g": S(g), "gs": N(5), "h": S(h), "l": S("same")} for i in range(5)]
    put_all(ddb, main, items)
    settled(lambda: keyset(g_items(ddb, main, g)), keyset(items))
    # every tied item exactly once, at most one page per item plus a final one
    # [conformance query/gsi and query/lsi 'tied sort keys'; query/gsiHashOnlyPagination]
    for index, kce, vals, consistent, lek_keys in [
        ("g_all", "g = :v AND gs = :n", {":v": S(g), ":n": N(5)}, False, {"pk", "sk", "g", "gs"}),
        ("h_only", "h = :v", {":v": S(h)}, False, {"pk", "sk", "h"}),
        ("l_all", "pk = :v AND l = :n", {":v": pk, ":n": S("same")}, True, {"pk", "sk", "l"}),
    ]:
        settled(lambda: keyset(full_query(ddb, TableName=main, IndexName=index, KeyConditionExpression=kce,
                                          ExpressionAttributeValues=vals)), keyset(items))
        pages = all_pages(ddb.query, max_pages=len(items) + 1, TableName=main, IndexName=index, KeyConditionExpression=kce,
                          ExpressionAttributeValues=vals, Limit=1, ConsistentRead=consistent)
        seen = [it for p in pages for it in p["Items"]]
        assert keyset(seen) == keyset(items), index
        for p in pages:
            if "LastEvaluatedKey" in p:
                assert set(p["LastEvaluatedKey"]) == lek_keys, (index, p["LastEvaluatedKey"])


def test_lsi_pagination(ddb, main, lpart):
    pk, items, _ = lpart
    by_l = sorted(items, key=lambda it: it["l"]["S"].encode())
    r = lquery(ddb, main, "l_all", pk, Limit=2)
    # [conformance query/lsi: LastEvaluatedKey = {pk, sk, lsi key}]
    assert r["Items"] == by_l[:2] and r["LastEvaluatedKey"] == proj(by_l[1], {"pk", "sk", "l"})
    pages = all_pages(ddb.query, TableName=main, IndexName="l_keys", KeyConditionExpression="pk = :p",
                      ExpressionAttributeValues={":p": pk}, ConsistentRead=True, Limit=2, Select="ALL_ATTRIBUTES")
    assert [it for p in pages for it in p["Items"]] == sorted(items, key=lambda it: float(it["l2"]["N"]))


def test_boto3_paginators_over_indexes(ddb, main, gpart, lpart):
    g, ordered, _ = gpart
    settled(lambda: gquery(ddb, main, "g_all", g)["Items"], ordered)
    paginator = ddb.get_paginator("query")
    # [alternator test_query_basic_restrictions (paginator); botocore paginators-1.json Query]
    for size in (None, 1, 2, 10):
        cfg = {"PageSize": size} if size else {}
        got = [it for page in paginator.paginate(TableName=main, IndexName="g_all", KeyConditionExpression="g = :g",
                                                 ExpressionAttributeValues={":g": S(g)}, PaginationConfig=cfg)
               for it in page["Items"]]
        assert got == ordered
    pk, items, _ = lpart
    got = [it for page in paginator.paginate(TableName=main, IndexName="l_all", ConsistentRead=True,
                                             KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [pk]}},
                                             PaginationConfig={"PageSize": 2})
           for it in page["Items"]]
    assert got == sorted(items, key=lambda it: it["l"]["S"].encode())


def test_exclusive_start_key_validation_on_indexes(endpoint, main, gpart):
    g, ordered, _ = gpart
    first = ordered[0]
    base = {"TableName": main, "IndexName": "g_all", "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": to_wire({":g": S(g)})}

    def esk(key):
        return raw_request(endpoint, "Query", {**base, "ExclusiveStartKey": to_wire(key)})

    invalid = aws_message("The provided starting key is invalid")
    # the table key and the index key are all required, and nothing else
    # [dynalite 'ExclusiveStartKey is invalid for global index' ({c}, {a, b}, {a, b, c, z})]
    assert_error(esk(proj(first, {"g", "gs"})), VE, invalid)
    assert_error(esk(proj(first, {"pk", "sk"})), VE, invalid)
    assert_error(esk({**proj(first, {"pk", "sk", "g", "gs"}), "zz": S("1")}), VE, invalid)
    # another index partition [dynalite 'global hash in ExclusiveStartKey but outside range']
    assert_error(esk({**proj(first, {"pk", "sk", "gs"}), "g": S(g + "-other")}), VE,
                 aws_message("The provided starting key is outside query boundaries based on provided conditions"))
    # a wrong key type: either wording of [dynalite] ('does not match schema for global index' /
    # 'global range in ExclusiveStartKey but bad in query')
    wrong = re.compile(r"^(?:1 validation error detected: )?(?:The provided starting key is invalid: )?"
                       r"The provided key element does not match the schema$")
    assert_error(esk({**proj(first, {"pk", "sk", "g"}), "gs": S("1")}), VE, wrong)
    assert_error(esk({**proj(first, {"sk", "g", "gs"}), "pk": N(1)}), VE, wrong)
    # Scan on an index checks the same way [dynalite scan.js 'ExclusiveStartKey is invalid for global index']
    r = raw_request(endpoint, "Scan", {"TableName": main, "IndexName": "g_all", "ExclusiveStartKey": to_wire(proj(first, {"pk", "sk"}))})
    assert_error(r, VE, invalid)


# --------------------------------------------------------------------------
# Scan on indexes
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scan_table(ddb):
    """A small table of its own so that an index Scan sees a known set of items.
    GSI sgi: sgk S, KEYS_ONLY; LSI sli: (pk, slk S), INCLUDE [inc]."""
    name = make_table(ddb, {"pk": "S", "sk": "N", "sgk": "S", "slk": "S"}, ("pk", "sk"),
                      gsis=[gsi("sgi", "sgk", ptype="KEYS_ONLY")], lsis=[lsi("sli", "pk", "slk", "INCLUDE", ["inc"])])
    items = []
    for i in range(8):
        it = {"pk": S(f"p{i % 3}"), "sk": N(i), "oth": S(f"o{i}")}
        if i % 4 != 3:
            it["sgk"] = S(f"k{i % 2}")
        if i % 2 == 0:
            it["slk"] = S(f"s{i}")
            it["inc"] = N(i)
        items.append(it)
    put_all(ddb, name, items)
    return name, items


def test_scan_gsi_is_sparse_and_projected(ddb, scan_table):
    name, items = scan_table
    want = keyset([proj(it, {"pk", "sk", "sgk"}) for it in items if "sgk" in it])
    # a Scan of an index returns its entries only, projected [conformance scan/gsi; alternator test_gsi_missing_attribute]
    assert settled(lambda: keyset(full_scan(ddb, TableName=name, IndexName="sgi")), want) == want
    r = ddb.scan(TableName=name, IndexName="sgi")
    assert r["Count"] == r["ScannedCount"] == 6
    # paging through the index one item at a time [conformance scan/gsiPagination]
    pages = all_pages(ddb.scan, TableName=name, IndexName="sgi", Limit=1)
    assert keyset([it for p in pages for it in p["Items"]]) == want
    for p in pages:
        if "LastEvaluatedKey" in p:
            assert set(p["LastEvaluatedKey"]) == {"pk", "sk", "sgk"}
    got = [it for page in ddb.get_paginator("scan").paginate(TableName=name, IndexName="sgi", PaginationConfig={"PageSize": 2})
           for it in page["Items"]]
    assert keyset(got) == want
    # filters apply after projection; the filtered-out entries still count as scanned
    r = ddb.scan(TableName=name, IndexName="sgi", FilterExpression="pk = :p", ExpressionAttributeValues={":p": S("p0")})
    assert keyset(r["Items"]) == keyset([proj(it, {"pk", "sk", "sgk"}) for it in items if "sgk" in it and it["pk"] == S("p0")])
    assert r["ScannedCount"] == 6


def test_scan_lsi(ddb, scan_table):
    name, items = scan_table
    in_lsi = [it for it in items if "slk" in it]
    # [alternator test_lsi_keys_only_scan_all_attributes: projected by default, whole items with ALL_ATTRIBUTES]
    assert keyset(full_scan(ddb, TableName=name, IndexName="sli", ConsistentRead=True)) == \
        keyset([proj(it, {"pk", "sk", "slk", "inc"}) for it in in_lsi])
    assert keyset(full_scan(ddb, TableName=name, IndexName="sli", Select="ALL_ATTRIBUTES")) == keyset(in_lsi)
    assert keyset(full_scan(ddb, TableName=name, IndexName="sli", ProjectionExpression="oth")) == \
        keyset([{"oth": it["oth"]} for it in in_lsi])
    pages = all_pages(ddb.scan, TableName=name, IndexName="sli", Limit=1, ConsistentRead=True)
    assert keyset([it for p in pages for it in p["Items"]]) == keyset([proj(it, {"pk", "sk", "slk", "inc"}) for it in in_lsi])
    for p in pages:
        if "LastEvaluatedKey" in p:
            assert set(p["LastEvaluatedKey"]) == {"pk", "sk", "slk"}


def test_index_item_count_and_size(ddb, scan_table):
    name, _ = scan_table
    t = describe(ddb, name)
    # IndexSizeBytes / ItemCount are refreshed "approximately every six hours" [botocore], so only their
    # type and sign are pinned after writes
    for idx in t["GlobalSecondaryIndexes"] + t["LocalSecondaryIndexes"]:
        assert isinstance(idx["ItemCount"], int) and idx["ItemCount"] >= 0
        assert isinstance(idx["IndexSizeBytes"], int) and idx["IndexSizeBytes"] >= 0
    assert isinstance(t["ItemCount"], int) and t["ItemCount"] >= 0


# --------------------------------------------------------------------------
# UpdateTable: add and delete a GSI
# --------------------------------------------------------------------------


def test_update_table_adds_gsi_and_backfills(ddb):
    name = make_table(ddb, {"pk": "S"}, ("pk",))
    typed = [{"pk": S(f"t{i}"), "x": S("group" if i < 3 else "other"), "y": S(f"y{i}")} for i in range(5)]
    untyped = [{"pk": S("n0"), "x": N(1)}, {"pk": S("n1"), "y": S("no x")}, {"pk": S("n2"), "x": S("")}]
    put_all(ddb, name, typed + untyped)
    resp = ddb.update_table(TableName=name, AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "S"}],
                            GlobalSecondaryIndexUpdates=[{"Create": gsi("by_x", "x")}])
    desc = resp["TableDescription"]
    # the answer shows the table UPDATING and the new index CREATING [alternator wait_for_gsi comment:
    # "TableStatus changes from ACTIVE to UPDATING ... the new GSI's IndexStatus appears as CREATING"]
    assert desc["TableStatus"] == "UPDATING"
    (new,) = [i for i in desc["GlobalSecondaryIndexes"] if i["IndexName"] == "by_x"]
    assert new["IndexStatus"] == "CREATING"
    table = wait_indexes_active(ddb, name)
    (idx,) = table["GlobalSecondaryIndexes"]
    # once ACTIVE the Backfilling member is gone [alternator wait_for_gsi: "assert not 'Backfilling' in index_desc"]
    assert "Backfilling" not in idx
    assert idx["KeySchema"] == ks(("x", "HASH")) and idx["Projection"] == {"ProjectionType": "ALL"}
    assert idx["IndexArn"] == index_arn(name, "by_x")
    assert {"AttributeName": "x", "AttributeType": "S"} in table["AttributeDefinitions"]
    # pre-existing items are in the index; those with a missing, wrong-typed or empty x are skipped
    # [alternator test_gsi_backfill, test_gsi_backfill_empty_string; conformance updateTable/gsi
    # 'can query a newly created GSI after putting items']
    want = keyset([it for it in typed if it["x"] == S("group")])
    got = settled(lambda: keyset(full_query(ddb, TableName=name, IndexName="by_x", KeyConditionExpression="x = :x",
                                            ExpressionAttributeValues={":x": S("group")})), want)
    assert got == want
    assert settled(lambda: keyset(full_scan(ddb, TableName=name, IndexName="by_x")), keyset(typed)) == keyset(typed)
    # from now on the type is enforced [alternator test_gsi_backfill]
    expect_error(lambda: ddb.put_item(TableName=name, Item={"pk": S("late"), "x": N(3)}), VE, mismatch("x", "S", "N", "by_x"))
    # and the name is taken [ack-quirks 442; alternator test_gsi_backfill 'already exists']
    expect_error(lambda: ddb.update_table(TableName=name, AttributeDefinitions=[{"AttributeName": "y", "AttributeType": "S"}],
                                          GlobalSecondaryIndexUpdates=[{"Create": gsi("by_x", "y")}]),
                 VE, "Attempting to create an index which already exists")


def test_update_table_deletes_gsi(ddb):
    name = make_table(ddb, {"pk": "S", "x": "S"}, ("pk",), gsis=[gsi("by_x", "x"), gsi("keep", "x", ptype="KEYS_ONLY")])
    items = [{"pk": S(f"p{i}"), "x": S("v")} for i in range(3)]
    put_all(ddb, name, items)
    settled(lambda: keyset(full_scan(ddb, TableName=name, IndexName="by_x")), keyset(items))
    resp = ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by_x"}}])
    # the index shows DELETING until it is gone [ack-quirks DDB-TABLE-159 'while one index is ... DELETING';
    # botocore IndexStatus]
    for idx in resp["TableDescription"].get("GlobalSecondaryIndexes", []):
        if idx["IndexName"] == "by_x":
            assert idx["IndexStatus"] == "DELETING"
    table = wait_indexes_active(ddb, name, gone={"by_x"})
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["keep"]
    # [alternator test_gsi_delete: the index can no longer be read]
    expect_error(lambda: ddb.query(TableName=name, IndexName="by_x", KeyConditionExpression="x = :x",
                                   ExpressionAttributeValues={":x": S("v")}), VE,
                 aws_message("The table does not have the specified index: by_x"))
    # the other index still works and still enforces the type of x; with both gone, any type goes
    assert settled(lambda: keyset(full_scan(ddb, TableName=name, IndexName="keep")), keyset(items)) == keyset(items)
    expect_error(lambda: ddb.put_item(TableName=name, Item={"pk": S("n"), "x": N(7)}), VE, mismatch("x", "S", "N", "keep"))
    ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "keep"}}])
    table = wait_indexes_active(ddb, name, gone={"keep"})
    assert "GlobalSecondaryIndexes" not in table or table["GlobalSecondaryIndexes"] == []
    ddb.put_item(TableName=name, Item={"pk": S("n"), "x": N(7)})
    # deleting it again [conformance validation-ordering/index; alternator test_gsi_delete_with_lsi]
    expect_error(lambda: ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by_x"}}]),
                 "ResourceNotFoundException", re.compile(r"^Requested resource not found"))
    # a deleted name can be created again [alternator test_gsi_creates_and_deletes]
    ddb.update_table(TableName=name, AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[{"Create": gsi("by_x", "x")}])
    wait_indexes_active(ddb, name)


@pytest.fixture(scope="module")
def upd_table(ddb):
    return make_table(ddb, {"pk": "S", "sk": "S", "g": "S", "l": "S"}, TABLE_KEYS,
                      gsis=[gsi("gi1", "g")], lsis=[lsi("li1", "pk", "l")])


def _create(name, attr="x"):
    return {"Create": {"IndexName": name, "KeySchema": ks((attr, "HASH")), "Projection": projection()}}


X_DEFS = [{"AttributeName": "x", "AttributeType": "S"}]
ONE_AT_A_TIME = "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"

# (id, request members, error type, message)
UPDATE_ERRORS = [
    # [ack-quirks DDB-TABLE-159: [Create g3, Create g4], [Create g3, Delete g1], [Delete g1, Delete g2];
    #  dynalite updateTable.js 'too many GlobalSecondaryIndexUpdates'; alternator test_gsi_updatetable_errors]
    ("two-creates", {"AttributeDefinitions": X_DEFS, "GlobalSecondaryIndexUpdates": [_create("new1"), _create("new2")]},
     "LimitExceededException", ONE_AT_A_TIME),
    ("create-and-delete", {"AttributeDefinitions": X_DEFS, "GlobalSecondaryIndexUpdates": [_create("new1"), {"Delete": {"IndexName": "gi1"}}]},
     "LimitExceededException", ONE_AT_A_TIME),
    ("two-deletes-of-missing-indexes", {"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "mis1"}}, {"Delete": {"IndexName": "mis2"}}]},
     "LimitExceededException", ONE_AT_A_TIME),
    # [dynalite 'repeated GlobalSecondaryIndexUpdates'; ack-quirks 442]
    ("same-index-twice", {"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "gi1"}}, {"Delete": {"IndexName": "gi1"}}]},
     VE, INVALID + "Only one global secondary index update per index is allowed simultaneously. Index: gi1"),
    # [dynalite 'empty index struct'; ack-quirks 442]
    ("empty-action", {"GlobalSecondaryIndexUpdates": [{}]},
     VE, INVALID + "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                   "GlobalSecondaryIndexUpdate.Delete must not be null"),
    # [ack-quirks 442; alternator test_gsi_updatetable_errors 'one']
    ("two-actions-in-one-object", {"AttributeDefinitions": X_DEFS,
                                   "GlobalSecondaryIndexUpdates": [{**_create("new1"), "Delete": {"IndexName": "gi1"}}]},
     VE, INVALID + "Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object"),
    # [ack-quirks DDB-TABLE-162; alternator test_gsi_backfill_with_lsi (even for a known attribute)]
    ("create-without-attribute-definitions", {"GlobalSecondaryIndexUpdates": [_create("new1", "g")]},
     VE, INVALID + "AttributeDefinitions is not specified for index: new1"),
    # [ack-quirks 442; alternator test_gsi_backfill_with_lsi (an LSI's name is taken too)]
    ("create-existing-gsi-name", {"AttributeDefinitions": X_DEFS, "GlobalSecondaryIndexUpdates": [_create("gi1")]},
     VE, "Attempting to create an index which already exists"),
    ("create-existing-lsi-name", {"AttributeDefinitions": X_DEFS, "GlobalSecondaryIndexUpdates": [_create("li1")]},
     VE, "Attempting to create an index which already exists"),
    # [ack-quirks 442; alternator test_gsi_delete_with_lsi (ValidationException on AWS)]
    ("delete-an-lsi", {"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "li1"}}]},
     VE, "Cannot delete an index that is not a GlobalSecondaryIndex: li1"),
    # [conformance validation-ordering/index; alternator test_updatetable_delete_missing_gsi]. The full text is
    # UNCONFIRMED for Delete (an Update of a ghost index reads 'Requested resource not found: Index ghost for
    # table <T>' [ack-quirks DDB-TABLE-456]); the prefix is pinned.
    ("delete-missing", {"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "nonexistent"}}]},
     "ResourceNotFoundException", re.compile(r"^Requested resource not found")),
    # [ack-quirks 442]
    ("update-throughput-on-pay-per-request", {"GlobalSecondaryIndexUpdates": [
        {"Update": {"IndexName": "gi1", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}]},
     VE, INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: gi1 when BillingMode is PAY_PER_REQUEST"),
    # an empty list is no change at all [alternator test_updatetable_empty; test_tables: exact list of members]
    ("empty-update-list", {"GlobalSecondaryIndexUpdates": []}, VE, re.compile(r"^At least one of ProvisionedThroughput, ")),
]


@pytest.mark.parametrize("members,code,message", [c[1:] for c in UPDATE_ERRORS], ids=[c[0] for c in UPDATE_ERRORS])
def test_update_table_index_errors(endpoint, ddb, upd_table, members, code, message):
    r = raw_request(endpoint, "UpdateTable", {"TableName": upd_table, **members})
    assert_error(r, code, message)
    t = describe(ddb, upd_table)
    assert [i["IndexName"] for i in t["GlobalSecondaryIndexes"]] == ["gi1"]
    assert [i["IndexName"] for i in t["LocalSecondaryIndexes"]] == ["li1"]


def test_update_table_key_type_conflict(endpoint, upd_table):
    # an index key attribute keeps its type [alternator test_gsi_key_type_conflict_on_update quoting AWS:
    # "One or more parameter values were invalid: Attributes cannot be redefined. ..."]
    r = raw_request(endpoint, "UpdateTable", {"TableName": upd_table, "AttributeDefinitions": [{"AttributeName": "g", "AttributeType": "N"}],
                                              "GlobalSecondaryIndexUpdates": [_create("new1", "g")]})
    assert_error(r, VE, re.compile("^" + re.escape(INVALID + "Attributes cannot be redefined.")))


def test_update_gsi_throughput(endpoint, ddb):
    name = make_table(ddb, {"pk": "S", "g": "S"}, ("pk",), billing="PROVISIONED", gsis=[gsi("gpi", "g", pt=(2, 2))])
    ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[
        {"Update": {"IndexName": "gpi", "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}}}])
    t = wait_indexes_active(ddb, name)
    pt = t["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (3, 4)
    # the same values again [ack-quirks 442 'The provisioned throughput for the index <IDX> will not change. ...']
    r = raw_request(endpoint, "UpdateTable", {"TableName": name, "GlobalSecondaryIndexUpdates": [
        {"Update": {"IndexName": "gpi", "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}}}]})
    assert_error(r, VE, re.compile(r"^The provisioned throughput for the index gpi will not change\. "
                                   r"The requested value equals the current value\."))
    # a new index on a provisioned table needs throughput [ack-quirks 442]
    r = raw_request(endpoint, "UpdateTable", {"TableName": name, "AttributeDefinitions": X_DEFS,
                                              "GlobalSecondaryIndexUpdates": [_create("new1")]})
    assert_error(r, VE, INVALID + "ProvisionedThroughput must be specified for index: new1")


# --------------------------------------------------------------------------
# Item collection metrics (tables with an LSI)
# --------------------------------------------------------------------------


def check_metrics(m, pk):
    # [botocore ItemCollectionMetrics; conformance putItem/itemCollectionMetrics]
    assert set(m) == {"ItemCollectionKey", "SizeEstimateRangeGB"}, m
    assert m["ItemCollectionKey"] == {"pk": pk}
    lo, hi = m["SizeEstimateRangeGB"]
    assert isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and 0 <= lo <= hi


def test_item_collection_metrics_with_lsi(ddb, main):
    pk = S(uid("icm"))
    key = {"pk": pk, "sk": S("a")}
    r = ddb.put_item(TableName=main, Item={**key, "l": S("v"), "d": S("x")}, ReturnItemCollectionMetrics="SIZE")
    check_metrics(r["ItemCollectionMetrics"], pk)
    r = ddb.update_item(TableName=main, Key=key, UpdateExpression="SET d = :d", ExpressionAttributeValues={":d": S("y")},
                        ReturnItemCollectionMetrics="SIZE")
    check_metrics(r["ItemCollectionMetrics"], pk)
    # not returned with NONE or without the parameter [conformance 'PutItem with NONE']
    assert "ItemCollectionMetrics" not in ddb.put_item(TableName=main, Item=key, ReturnItemCollectionMetrics="NONE")
    assert "ItemCollectionMetrics" not in ddb.put_item(TableName=main, Item=key)
    r = ddb.delete_item(TableName=main, Key=key, ReturnItemCollectionMetrics="SIZE")
    check_metrics(r["ItemCollectionMetrics"], pk)
    # BatchWriteItem: per table, a list of metrics [botocore BatchWriteItemOutput]
    pk2 = S(uid("icm"))
    r = ddb.batch_write_item(RequestItems={main: [{"PutRequest": {"Item": {"pk": pk2, "sk": S(f"s{i}")}}} for i in range(2)]},
                             ReturnItemCollectionMetrics="SIZE")
    metrics = r["ItemCollectionMetrics"][main]
    assert len(metrics) >= 1
    for m in metrics:
        check_metrics(m, pk2)


def test_item_collection_metrics_absent_without_lsi(ddb, composite_table):
    key = {"pk": S(uid("icm")), "sk": S("a")}
    # "If the table does not have any local secondary indexes, this information is not returned" [botocore]
    assert "ItemCollectionMetrics" not in ddb.put_item(TableName=composite_table, Item=key, ReturnItemCollectionMetrics="SIZE")
    assert "ItemCollectionMetrics" not in ddb.delete_item(TableName=composite_table, Key=key, ReturnItemCollectionMetrics="SIZE")
    r = ddb.batch_write_item(RequestItems={composite_table: [{"PutRequest": {"Item": key}}]}, ReturnItemCollectionMetrics="SIZE")
    # UNCONFIRMED whether the member is absent or an empty map; it holds nothing for this table either way
    assert composite_table not in r.get("ItemCollectionMetrics", {})


# --------------------------------------------------------------------------
# Multi-attribute GSI keys (AWS, November 2025)
#
#   table pk S; GSI multi: m1 S HASH, m2 N HASH, r1 S RANGE, r2 N RANGE, ALL
# --------------------------------------------------------------------------

MULTI_KEYS = [("m1", "HASH"), ("m2", "HASH"), ("r1", "RANGE"), ("r2", "RANGE")]


@pytest.fixture(scope="module")
def multi(ddb):
    name = make_table(ddb, {"pk": "S", "m1": "S", "m2": "N", "r1": "S", "r2": "N"}, ("pk",),
                      gsis=[gsi("multi", None, keys=MULTI_KEYS)])
    m1 = uid("m")
    rows = [("x", "3"), ("x", "1"), ("y", "0"), ("x", "20"), ("w", "5"), ("xa", "2")]
    items = [{"pk": S(uid("mp")), "m1": S(m1), "m2": N(7), "r1": S(r1), "r2": N(r2), "v": N(i)} for i, (r1, r2) in enumerate(rows)]
    others = [
        {"pk": S(uid("mp")), "m1": S(m1), "m2": N(8), "r1": S("x"), "r2": N(1)},   # another partition
        {"pk": S(uid("mp")), "m1": S(m1), "m2": N(7), "r1": S("x")},                # no r2: not indexed
        {"pk": S(uid("mp")), "m1": S(m1), "r1": S("x"), "r2": N(4)},                # no m2: not indexed
    ]
    put_all(ddb, name, items + others)
    ordered = sorted(items, key=lambda it: (it["r1"]["S"].encode(), float(it["r2"]["N"])))
    return name, m1, ordered


def mquery(ddb, name, m1, extra=None, values=None, kce=None, **kw):
    kce = kce or ("m1 = :a AND m2 = :b" + (f" AND {extra}" if extra else ""))
    return ddb.query(TableName=name, IndexName="multi", KeyConditionExpression=kce,
                     ExpressionAttributeValues={":a": S(m1), ":b": N(7), **(values or {})}, **kw)


def test_multi_attribute_gsi_describe(ddb, multi):
    name, _, _ = multi
    (g,) = describe(ddb, name)["GlobalSecondaryIndexes"]
    # up to 4 HASH + 4 RANGE, given order kept [botocore CreateGlobalSecondaryIndexAction.KeySchema;
    # moto-aws test_create_gsi_with_multi_range_keys; alternator test_gsi_composite_describe_2h2r]
    assert g["KeySchema"] == ks(*MULTI_KEYS)


def test_multi_attribute_gsi_queries(ddb, multi):
    name, m1, ordered = multi
    # all HASH attributes by equality; sorted by (r1, r2); items missing any key attribute are absent
    # [moto-aws test_query_hash_only, test_sorting_by_composite_key, test_items_missing_range_key_excluded]
    assert settled(lambda: mquery(ddb, name, m1)["Items"], ordered) == ordered
    assert mquery(ddb, name, m1, ScanIndexForward=False)["Items"] == ordered[::-1]
    x = [it for it in ordered if it["r1"] == S("x")]
    # a prefix of the RANGE attributes, equality then one range condition on the last one used
    # [moto-aws test_query_partial_range_equality, _full_range_comparison, _between_last_key]
    assert mquery(ddb, name, m1, "r1 = :x", {":x": S("x")})["Items"] == x
    assert mquery(ddb, name, m1, "r1 = :x AND r2 > :n", {":x": S("x"), ":n": N(2)})["Items"] == [it for it in x if float(it["r2"]["N"]) > 2]
    assert mquery(ddb, name, m1, "r1 = :x AND r2 BETWEEN :lo AND :hi", {":x": S("x"), ":lo": N(1), ":hi": N(3)})["Items"] == x[:2]
    assert mquery(ddb, name, m1, "r1 > :x", {":x": S("x")})["Items"] == [it for it in ordered if it["r1"]["S"] > "x"]
    assert mquery(ddb, name, m1, "begins_with(r1, :x)", {":x": S("x")})["Items"] == [it for it in ordered if it["r1"]["S"].startswith("x")]
    assert mquery(ddb, name, m1, "r1 = :x AND r2 = :n", {":x": S("x"), ":n": N(3)})["Items"] == [x[1]]
    # clause order in the expression does not matter [alternator test_gsi_composite_query_rk_out_of_order]
    assert mquery(ddb, name, m1, kce="r1 = :x AND m2 = :b AND m1 = :a", values={":x": S("x")})["Items"] == x
    # legacy KeyConditions [moto-aws test_key_conditions_with_range_keys]
    r = ddb.query(TableName=name, IndexName="multi", KeyConditions={
        "m1": {"ComparisonOperator": "EQ", "AttributeValueList": [S(m1)]},
        "m2": {"ComparisonOperator": "EQ", "AttributeValueList": [N(7)]},
        "r1": {"ComparisonOperator": "EQ", "AttributeValueList": [S("x")]},
        "r2": {"ComparisonOperator": "GT", "AttributeValueList": [N(1)]}})
    assert r["Items"] == [it for it in x if float(it["r2"]["N"]) > 1]


def test_multi_attribute_gsi_pagination(ddb, multi):
    name, m1, ordered = multi
    settled(lambda: mquery(ddb, name, m1)["Items"], ordered)
    r = mquery(ddb, name, m1, Limit=2)
    # every index key attribute and the table key [moto-aws test_pagination_with_composite_key]
    assert r["LastEvaluatedKey"] == proj(ordered[1], {"pk", "m1", "m2", "r1", "r2"})
    pages = all_pages(ddb.query, TableName=name, IndexName="multi", KeyConditionExpression="m1 = :a AND m2 = :b",
                      ExpressionAttributeValues={":a": S(m1), ":b": N(7)}, Limit=2)
    assert [it for p in pages for it in p["Items"]] == ordered


@pytest.mark.parametrize("kce,values,names", [
    ("m1 = :a", {}, []),                                               # a HASH attribute missing
    ("m1 = :a AND m2 > :b", {}, []),                                   # HASH by inequality
    ("m1 = :a AND m2 = :b AND r2 = :n", {":n": N(1)}, ["r1"]),         # skipping r1 [moto-aws: 'gsi_sk' in the message]
    ("m1 = :a AND m2 = :b AND r1 > :x AND r2 = :n", {":x": S("x"), ":n": N(1)}, []),  # inequality not on the last one
    ("m1 = :a AND m2 = :b AND r1 > :x AND r2 > :n", {":x": S("x"), ":n": N(1)}, []),  # two inequalities
])
def test_multi_attribute_gsi_key_condition_errors(endpoint, multi, kce, values, names):
    name, m1, _ = multi
    vals = {":a": S(m1), **({":b": N(7)} if ":b" in kce else {}), **values}
    body = {"TableName": name, "IndexName": "multi", "KeyConditionExpression": kce,
            "ExpressionAttributeValues": to_wire(vals)}
    r = raw_request(endpoint, "Query", body)
    # ValidationException [moto-aws test_query_error_skip_range_key / _range_on_non_last_in_query;
    # alternator test_gsi_composite_query_*_rejected]. UNCONFIRMED texts: only the skipped attribute's
    # name in the message is pinned (moto-aws).
    assert r.status_code == 400 and r.json()["__type"] == FULL_TYPES[VE], r.text
    for n in names:
        assert n in r.json().get("message", ""), r.text


def test_multi_attribute_gsi_key_types_checked(ddb, multi):
    name, _, _ = multi
    # each key attribute keeps its own type [alternator test_gsi_composite_wrong_type_key_attr; conformance wording]
    expect_error(lambda: ddb.put_item(TableName=name, Item={"pk": S("bad"), "m1": S("a"), "m2": S("7")}), VE,
                 mismatch("m2", "N", "S", "multi"))
    expect_error(lambda: ddb.put_item(TableName=name, Item={"pk": S("bad"), "r1": N(1)}), VE, mismatch("r1", "S", "N", "multi"))


def test_lsi_with_three_key_elements_rejected(endpoint):
    body = ct_body(PK_SK_L, lsis=[{"IndexName": "lsi1", "KeySchema": ks(("pk", "HASH"), ("sk", "RANGE"), ("l", "RANGE")),
                                   "Projection": projection()}])
    # multi-attribute keys are GSI-only [botocore docs; alternator test_gsi_composite_lsi_multiattr_rejected
    # ('ValidationException.*\\b(?:two|2)\\b')] — UNCONFIRMED text beyond that
    r = raw_request(endpoint, "CreateTable", body)
    assert r.status_code == 400 and r.json()["__type"] == FULL_TYPES[VE], r.text
    assert re.search(r"\b(?:two|2)\b", r.json().get("message", "")), r.text


# --------------------------------------------------------------------------
# ConsumedCapacity with INDEXES
# --------------------------------------------------------------------------


def test_consumed_capacity_breakdown_by_index(ddb):
    name = make_table(ddb, {"pk": "S", "sk": "S", "g": "S", "l": "S"}, ("pk", "sk"),
                      gsis=[gsi("cap_g", "g")], lsis=[lsi("cap_l", "pk", "l", ptype="KEYS_ONLY")])
    item = {"pk": S("a"), "sk": S("1"), "g": S("x"), "l": S("y")}
    # A write to a table with indexes costs a write in the table and one in every
    # index whose entry changed; INDEXES lists each [API reference ConsumedCapacity:
    # "Table", "GlobalSecondaryIndexes", "LocalSecondaryIndexes"; Developer Guide,
    # "Provisioned throughput considerations for GSIs": a put of a new indexed item
    # is one write in the index].
    cc = ddb.put_item(TableName=name, Item=item, ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    assert cc == {"TableName": name, "CapacityUnits": 3.0, "Table": {"CapacityUnits": 1.0},
                  "GlobalSecondaryIndexes": {"cap_g": {"CapacityUnits": 1.0}},
                  "LocalSecondaryIndexes": {"cap_l": {"CapacityUnits": 1.0}}}
    # TOTAL folds the indexes in.
    cc = ddb.put_item(TableName=name, Item={**item, "g": S("z")}, ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
    assert cc["CapacityUnits"] >= 2.0 and set(cc) == {"TableName", "CapacityUnits"}
    # A Query on an index is charged to the index, not the table; an LSI that has
    # to fetch unprojected attributes also reads the table [Developer Guide, "Local
    # secondary indexes: provisioned throughput considerations"].
    want = {"TableName": name, "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.0},
            "GlobalSecondaryIndexes": {"cap_g": {"CapacityUnits": 0.5}}}
    cc = settled(lambda: ddb.query(TableName=name, IndexName="cap_g", KeyConditionExpression="g = :g",
                                   ExpressionAttributeValues={":g": S("z")},
                                   ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"], want)
    assert cc == want
    cc = ddb.query(TableName=name, IndexName="cap_l", KeyConditionExpression="pk = :p",
                   ExpressionAttributeValues={":p": S("a")}, Select="ALL_ATTRIBUTES", ConsistentRead=True,
                   ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    assert cc == {"TableName": name, "CapacityUnits": 2.0, "Table": {"CapacityUnits": 1.0},
                  "LocalSecondaryIndexes": {"cap_l": {"CapacityUnits": 1.0}}}

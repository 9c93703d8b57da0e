"""Query on base tables (no secondary indexes): KeyConditionExpression and the
legacy KeyConditions, FilterExpression / QueryFilter, projections, Select,
Limit and paging (ExclusiveStartKey / LastEvaluatedKey, the 1 MB page),
ScanIndexForward, sort-key ordering for S/N/B keys, ConsumedCapacity, and the
validation errors of all of these.

Source abbreviations used in comments:
  [dynalite]    architect/dynalite test/query.js (written against real AWS;
                exact messages) and db/index.js (its reading of the page rules)
  [alternator]  scylladb/scylladb test/alternator/test_query.py,
                test_key_condition_expression.py, test_key_conditions.py,
                test_query_filter.py, test_returnconsumedcapacity.py — a suite
                that is also run against AWS
  [conformance] nubo-db/dynamodb-conformance, captures of real AWS (2026):
                tests/tier1/query/*, tier3/error-messages/query.test.ts,
                tier3/legacy-api/queryFilter.test.ts, tier3/limits/responseSize.test.ts
  [moto-aws]    getmoto/moto tests/test_dynamodb, tests marked @aws_verified
                (test_dynamodb_select.py, test_dynamodb_query.py)
  [ddb-local]   DynamoDB Local's ErrorFactory message table (message text only)
  [api-ref]     AWS DynamoDB API Reference (Query: Limit, ScanIndexForward,
                LastEvaluatedKey)
  [dev-guide]   AWS DynamoDB Developer Guide (Query.Pagination, Query.Other,
                read-write-operations)
  [pachot]      Franck Pachot, "DynamoDB Scan (and why 128.5 RCU?)" — a full
                1 MB page costs 128.5 RCU eventually consistent
  [repost]      AWS re:Post answers

Expectations marked UNCONFIRMED are ones where the sources disagree or no
capture of real AWS was found; those assertions accept only the documented
alternatives.
"""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest

from awsrules import expected_page, item_bytes, normalise_number, pad_item, page_read_units
from conftest import (
    FULL_TYPES,
    L,
    M,
    N,
    S,
    B,
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
KCE = "Invalid KeyConditionExpression: "
TYPE_MISMATCH = INVALID + "Condition parameter type does not match schema type"


def query(ddb, table, pk, cond=None, values=None, names=None, pk_name="pk", **kw):
    """Query with `pk_name = :p` plus an optional sort-key condition."""
    kce = f"{pk_name} = :p" if cond is None else f"{pk_name} = :p AND {cond}"
    eav = {":p": pk, **(values or {})}
    if names:
        kw["ExpressionAttributeNames"] = names
    return ddb.query(TableName=table, KeyConditionExpression=kce, ExpressionAttributeValues=eav,
                     ConsistentRead=True, **kw)


def sks(items, attr="sk"):
    (t,) = items[0][attr].keys() if items else ("S",)
    return [it[attr][t] for it in items]


def keys_of(item):
    return {"pk": item["pk"], "sk": item["sk"]}


# --------------------------------------------------------------------------
# Fixtures: one sorted partition in the shared composite table (pk S, sk S)
# --------------------------------------------------------------------------

SORTED = [f"k{i:02d}" for i in range(12)]


def sorted_item(pk, i):
    item = {"pk": pk, "sk": S(SORTED[i]), "n": N(i), "par": S("even" if i % 2 == 0 else "odd")}
    if i % 3 == 0:
        item["x"] = S(f"x{i}")
    return item


@pytest.fixture(scope="module")
def part(ddb, composite_table):
    """12 items k00..k11 in one partition, plus a neighbour partition with the
    same sort keys that must never leak into a query of the first."""
    pk = S(unique_name("qpart"))
    items = [sorted_item(pk, i) for i in range(12)]
    for it in items:
        ddb.put_item(TableName=composite_table, Item=it)
    neighbour = S(pk["S"] + "x")
    for i in range(3):
        ddb.put_item(TableName=composite_table, Item={"pk": neighbour, "sk": S(SORTED[i]), "n": N(100 + i)})
    return pk, items


# --------------------------------------------------------------------------
# Basic results and response shape
# --------------------------------------------------------------------------


def test_query_whole_partition_in_sort_order(ddb, composite_table, part):
    pk, items = part
    r = query(ddb, composite_table, pk)
    # [dynalite 'should query a range table with EQ on just hash key'; conformance basic]
    assert r["Items"] == items
    assert (r["Count"], r["ScannedCount"]) == (12, 12)
    assert "LastEvaluatedKey" not in r


def test_query_response_shape(endpoint, composite_table, part):
    pk, items = part
    body = {"TableName": composite_table, "KeyConditionExpression": "pk = :p AND sk = :s",
            "ExpressionAttributeValues": {":p": pk, ":s": S("k03")}, "ConsistentRead": True}
    r = raw_request(endpoint, "Query", body)
    # Exactly these members, nothing else [dynalite 'should query a range table with EQ' (eql)]
    assert r.status_code == 200
    assert r.json() == {"Count": 1, "ScannedCount": 1, "Items": [to_wire(items[3])]}


def test_query_empty_partition(endpoint, hash_table, composite_table):
    for table in (hash_table, composite_table):
        body = {"TableName": table, "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": S(unique_name("nothing"))},
                "ConsistentRead": False, "ReturnConsumedCapacity": "NONE", "ScanIndexForward": True,
                "Select": "ALL_ATTRIBUTES"}
        r = raw_request(endpoint, "Query", body)
        # [dynalite 'should query a hash table when empty'] exact body
        assert r.status_code == 200 and r.json() == {"Count": 0, "ScannedCount": 0, "Items": []}


def test_query_hash_only_table(ddb, hash_table):
    k = {"pk": S(unique_name("qhash"))}
    ddb.put_item(TableName=hash_table, Item={**k, "val": S("hello")})
    r = query(ddb, hash_table, k["pk"])
    # [alternator test_key_condition_expression_hash_only; dynalite 'should query a hash table with items']
    assert r["Items"] == [{**k, "val": S("hello")}]
    assert (r["Count"], r["ScannedCount"]) == (1, 1)


def test_query_nonexistent_table(ddb):
    # [dynalite 'should check table exists before checking key validity'; conformance query validation]
    expect_error(lambda: ddb.query(TableName=unique_name("nope"), KeyConditionExpression="z = :a",
                                   ExpressionAttributeValues={":a": N(1)}),
                 "ResourceNotFoundException", "Requested resource not found")


# --------------------------------------------------------------------------
# Sort-key conditions: KeyConditionExpression and legacy KeyConditions
# --------------------------------------------------------------------------

# (sort-key condition, values, names, expected indexes into SORTED)
SK_CONDITIONS = [
    ("sk = :a", {":a": S("k03")}, None, [3]),
    ("sk < :a", {":a": S("k03")}, None, [0, 1, 2]),
    ("sk <= :a", {":a": S("k03")}, None, [0, 1, 2, 3]),
    ("sk > :a", {":a": S("k08")}, None, [9, 10, 11]),
    ("sk >= :a", {":a": S("k08")}, None, [8, 9, 10, 11]),
    ("sk BETWEEN :a AND :b", {":a": S("k03"), ":b": S("k06")}, None, [3, 4, 5, 6]),
    ("sk BETWEEN :a AND :b", {":a": S("k03"), ":b": S("k03")}, None, [3]),       # inclusive both ends
    ("sk BETWEEN :a AND :b", {":a": S("k035"), ":b": S("k065")}, None, [4, 5, 6]),  # bounds need not exist
    ("begins_with(sk, :a)", {":a": S("k1")}, None, [10, 11]),
    ("begins_with(sk, :a)", {":a": S("k0")}, None, list(range(10))),
    ("begins_with(sk, :a)", {":a": S("k")}, None, list(range(12))),
    ("begins_with(sk, :a)", {":a": S("z")}, None, []),
    ("sk > :a", {":a": S("k11")}, None, []),
    # the value may stand on the left; the comparison flips [conformance keyConditionSemantics;
    # alternator test_key_condition_expression_num_lt_reverse]
    (":a <= sk", {":a": S("k10")}, None, [10, 11]),
    (":a > sk", {":a": S("k02")}, None, [0, 1]),
    (":a = sk", {":a": S("k05")}, None, [5]),
    # names through #placeholders [alternator test_key_condition_expression_name_ref; dynalite]
    ("#s >= :a", {":a": S("k10")}, {"#s": "sk"}, [10, 11]),
    # keywords are case-insensitive, parentheses allowed [alternator _case_insensitive, _parser]
    ("sk BeTwEeN :a aNd :b", {":a": S("k01"), ":b": S("k02")}, None, [1, 2]),
    ("(sk < :a)", {":a": S("k01")}, None, [0]),
]


@pytest.mark.parametrize("cond,values,names,expected", SK_CONDITIONS,
                         ids=[f"{i:02d}-{c[0]}" for i, c in enumerate(SK_CONDITIONS)])
def test_sort_key_conditions(ddb, composite_table, part, cond, values, names, expected):
    pk, items = part
    r = query(ddb, composite_table, pk, cond, values, names)
    assert r["Items"] == [items[i] for i in expected]
    assert r["Count"] == r["ScannedCount"] == len(expected)
    r = query(ddb, composite_table, pk, cond, values, names, ScanIndexForward=False)
    assert r["Items"] == [items[i] for i in reversed(expected)]


@pytest.mark.parametrize("kce,values,expected", [
    # the partition condition need not come first [alternator test_key_condition_expression_order; moto-aws]
    ("sk = :a AND pk = :p", {":a": S("k04")}, [4]),
    ("((sk = :a) AND (pk = :p))", {":a": S("k04")}, [4]),   # one redundant level per node is fine [alternator]
    ("pk = :p and begins_with(sk, :a)", {":a": S("k1")}, [10, 11]),
    ("  pk   =   :p  ", {}, list(range(12))),               # whitespace [alternator _whitespace]
    ("#P = :p", {}, list(range(12))),
])
def test_key_condition_expression_forms(ddb, composite_table, part, kce, values, expected):
    pk, items = part
    kw = {"ExpressionAttributeNames": {"#P": "pk"}} if "#P" in kce else {}
    r = ddb.query(TableName=composite_table, KeyConditionExpression=kce,
                  ExpressionAttributeValues={":p": pk, **values}, ConsistentRead=True, **kw)
    assert r["Items"] == [items[i] for i in expected]


# legacy KeyConditions: (sort-key condition or None, expected indexes)
# [alternator test_key_conditions.py; dynalite 'should query a range table with EQ/LE/LT/GE/GT/BEGINS_WITH/BETWEEN';
#  conformance legacy-api queryFilter]
LEGACY_CONDITIONS = [
    (None, list(range(12))),
    ({"ComparisonOperator": "EQ", "AttributeValueList": [S("k05")]}, [5]),
    ({"ComparisonOperator": "LT", "AttributeValueList": [S("k02")]}, [0, 1]),
    ({"ComparisonOperator": "LE", "AttributeValueList": [S("k02")]}, [0, 1, 2]),
    ({"ComparisonOperator": "GT", "AttributeValueList": [S("k09")]}, [10, 11]),
    ({"ComparisonOperator": "GE", "AttributeValueList": [S("k09")]}, [9, 10, 11]),
    ({"ComparisonOperator": "BETWEEN", "AttributeValueList": [S("k02"), S("k04")]}, [2, 3, 4]),
    ({"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [S("k1")]}, [10, 11]),
]


@pytest.mark.parametrize("skcond,expected", LEGACY_CONDITIONS, ids=["pk-only", "EQ", "LT", "LE", "GT", "GE", "BETWEEN", "BEGINS_WITH"])
def test_legacy_key_conditions(ddb, composite_table, part, skcond, expected):
    pk, items = part
    kc = {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [pk]}}
    if skcond:
        kc["sk"] = skcond
    r = ddb.query(TableName=composite_table, KeyConditions=kc, ConsistentRead=True)
    assert r["Items"] == [items[i] for i in expected]
    assert r["Count"] == r["ScannedCount"] == len(expected)
    r = ddb.query(TableName=composite_table, KeyConditions=kc, ConsistentRead=True, ScanIndexForward=False)
    assert r["Items"] == [items[i] for i in reversed(expected)]


def test_number_sort_key_conditions(ddb, num_table):
    pk = N(uuid.uuid4().int % 10**15)
    for i in range(12):
        ddb.put_item(TableName=num_table, Item={"pk": pk, "sk": N(i)})
    # [alternator test_key_condition_expression_num_*: numeric, not textual, comparison]
    r = query(ddb, num_table, pk, "sk BETWEEN :a AND :b", {":a": N("2.5"), ":b": N("1e1")})
    assert sks(r["Items"]) == ["3", "4", "5", "6", "7", "8", "9", "10"]
    r = query(ddb, num_table, pk, "sk > :a", {":a": N("9")})
    assert sks(r["Items"]) == ["10", "11"]
    r = query(ddb, num_table, pk, "sk = :a", {":a": N("5.000")})
    assert sks(r["Items"]) == ["5"]


def test_binary_sort_key_conditions(ddb, bin_table):
    pk = B(uuid.uuid4().bytes)
    keys = [b"\x01", b"\x01\x00", b"\x01\x02", b"\x02", b"\x7f", b"\x80", b"\xff"]
    for k in keys:
        ddb.put_item(TableName=bin_table, Item={"pk": pk, "sk": B(k)})
    # byte-wise unsigned comparisons and prefixes [conformance query/binaryKeys;
    # alternator test_key_condition_expression_unsigned_bytes, _bytes_begins]
    r = query(ddb, bin_table, pk, "begins_with(sk, :a)", {":a": B(b"\x01")})
    assert sks(r["Items"]) == [b"\x01", b"\x01\x00", b"\x01\x02"]
    r = query(ddb, bin_table, pk, "sk > :a", {":a": B(b"\x7f")})
    assert sks(r["Items"]) == [b"\x80", b"\xff"]
    r = query(ddb, bin_table, pk, "sk BETWEEN :a AND :b", {":a": B(b"\x01\x01"), ":b": B(b"\x7f")})
    assert sks(r["Items"]) == [b"\x01\x02", b"\x02", b"\x7f"]
    r = ddb.query(TableName=bin_table, ConsistentRead=True, KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [pk]},
        "sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [B(b"\x01\x00")]}})
    assert sks(r["Items"]) == [b"\x01\x00"]


# --------------------------------------------------------------------------
# Ordering: S by UTF-8 bytes, N numerically, B by unsigned bytes
# --------------------------------------------------------------------------

# Chosen so that UTF-8 byte order differs from UTF-16 code-unit order
# (U+E000 / U+FF5E / U+FFFD sort before U+10000 / U+1F600 in UTF-8 but after
# them in UTF-16) and from signed-byte order ("z" before "é").
UNICODE_KEYS = ["1", "10", "2", "A", "B", "Z", "a", "aa", "ab", "b", "z", "~", "\x7f", "\u0080", "é", "ÿ",
                "\u0100", "\u07ff", "\u0800", "\ue000", "\uff5e", "\ufffd", "\U00010000", "\U0001f600", " "]


def test_string_sort_keys_order_by_utf8_bytes(ddb, composite_table):
    pk = S(unique_name("qutf8"))
    for k in reversed(UNICODE_KEYS):
        ddb.put_item(TableName=composite_table, Item={"pk": pk, "sk": S(k)})
    by_utf8 = sorted(UNICODE_KEYS, key=lambda s: s.encode("utf-8"))
    by_utf16 = sorted(UNICODE_KEYS, key=lambda s: s.encode("utf-16-be"))
    assert by_utf8 != by_utf16  # the data tells the two orders apart
    # "For type String, the results are stored in order of UTF-8 bytes" [api-ref Query ScanIndexForward];
    # ASCII part of the order [dynalite 'should return items in order for strings']
    r = query(ddb, composite_table, pk)
    assert sks(r["Items"]) == by_utf8
    r = query(ddb, composite_table, pk, ScanIndexForward=False)
    assert sks(r["Items"]) == by_utf8[::-1]
    # paging through the same order one item at a time
    pages = all_pages(ddb.query, TableName=composite_table, KeyConditionExpression="pk = :p",
                      ExpressionAttributeValues={":p": pk}, Limit=4, ConsistentRead=True)
    assert [k for p in pages for k in sks(p["Items"])] == by_utf8


NUMBER_KEYS = ["-9.9999999999999999999999999999999999999E+125", "-1e10", "-99.1", "-10.1", "-9.9", "-9",
               "-1.01", "-1", "-0.9", "-0.1", "-0.09", "-0.01", "-1e-130", "0", "1e-130", "0.01", "0.09",
               "0.1", "0.9", "1", "1.0000000000000000000000000000000000001", "1.1", "1.9", "9", "9.1",
               "10", "10.1", "99.1", "1.5e2", "1e10", "12345678901234567890123456789012345678",
               "9.9999999999999999999999999999999999999E+125"]


def test_number_sort_keys_order_numerically(ddb, num_table):
    pk = N(uuid.uuid4().int % 10**15)
    for k in reversed(NUMBER_KEYS):
        ddb.put_item(TableName=num_table, Item={"pk": pk, "sk": N(k)})
    expected = sorted(NUMBER_KEYS, key=Decimal)
    assert expected == NUMBER_KEYS
    # numeric order incl. negatives, fractions, exponents, 38 digits
    # [dynalite 'should return items in order for numbers'; alternator test_query_sort_order_number;
    #  moto-aws test_gsi_verify_negative_number_order]; values come back normalised
    r = query(ddb, num_table, pk)
    assert sks(r["Items"]) == [normalise_number(k) for k in expected]
    r = query(ddb, num_table, pk, ScanIndexForward=False)
    assert sks(r["Items"]) == [normalise_number(k) for k in reversed(expected)]
    r = query(ddb, num_table, pk, "sk BETWEEN :a AND :b", {":a": N("-1"), ":b": N("1")})
    assert [Decimal(x) for x in sks(r["Items"])] == [Decimal(k) for k in expected if -1 <= Decimal(k) <= 1]


BINARY_KEYS = [b"\x00", b"\x00\x00", b"\x00\x01", b"\x01", b"\x01\x00", b"\x01\x02", b"\x02", b"\x7f",
               b"\x7f\xff", b"\x80", b"\x80\x00", b"\xfe", b"\xff", b"\xff\x00", b"\xff\xff"]


def test_binary_sort_keys_order_by_unsigned_bytes(ddb, bin_table):
    pk = B(uuid.uuid4().bytes)
    for k in reversed(BINARY_KEYS):
        ddb.put_item(TableName=bin_table, Item={"pk": pk, "sk": B(k)})
    assert sorted(BINARY_KEYS) == BINARY_KEYS
    # "DynamoDB treats each byte of the binary data as unsigned" [api-ref Query ScanIndexForward;
    #  dynalite 'should return items in order for binary'; conformance query/binaryKeys]
    r = query(ddb, bin_table, pk)
    assert sks(r["Items"]) == BINARY_KEYS
    r = query(ddb, bin_table, pk, ScanIndexForward=False)
    assert sks(r["Items"]) == BINARY_KEYS[::-1]


# --------------------------------------------------------------------------
# FilterExpression and QueryFilter
# --------------------------------------------------------------------------


@pytest.mark.parametrize("cond,values,filt,fvalues,expected", [
    (None, {}, "par = :e", {":e": S("even")}, [0, 2, 4, 6, 8, 10]),
    ("sk >= :a", {":a": S("k06")}, "par = :e", {":e": S("even")}, [6, 8, 10]),
    (None, {}, "attribute_exists(x)", {}, [0, 3, 6, 9]),
    (None, {}, "n BETWEEN :lo AND :hi AND par = :o", {":lo": N(2), ":hi": N(7), ":o": S("odd")}, [3, 5, 7]),
    (None, {}, "attribute_not_exists(x) OR n = :z", {":z": N(0)}, [0, 1, 2, 4, 5, 7, 8, 10, 11]),
    (None, {}, "par = :nope", {":nope": S("neither")}, []),
])
def test_filter_expression(ddb, composite_table, part, cond, values, filt, fvalues, expected):
    pk, items = part
    r = query(ddb, composite_table, pk, cond, {**values, **fvalues}, FilterExpression=filt)
    in_range = [it for it in items if cond is None or it["sk"]["S"] >= "k06"]
    # Count after the filter, ScannedCount before it [dev-guide Query.Other 'Counting the items';
    # dynalite 'should filter items by query filter'; conformance basic FilterExpression]
    assert r["Items"] == [items[i] for i in expected]
    assert r["Count"] == len(expected)
    assert r["ScannedCount"] == len(in_range)
    assert "LastEvaluatedKey" not in r


def test_query_filter_legacy(ddb, composite_table, part):
    pk, items = part
    kc = {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [pk]}}

    def run(qf, **kw):
        r = ddb.query(TableName=composite_table, KeyConditions=kc, QueryFilter=qf, ConsistentRead=True, **kw)
        assert r["ScannedCount"] == 12
        return [int(it["n"]["N"]) for it in r["Items"]]

    even = {"ComparisonOperator": "EQ", "AttributeValueList": [S("even")]}
    big = {"ComparisonOperator": "GE", "AttributeValueList": [N(9)]}
    # [alternator test_query_filter_eq/_and/_or: several conditions AND by default]
    assert run({"par": even}) == [0, 2, 4, 6, 8, 10]
    assert run({"par": even, "n": big}) == [10]
    assert run({"par": even, "n": big}, ConditionalOperator="AND") == [10]
    assert run({"par": even, "n": big}, ConditionalOperator="OR") == [0, 2, 4, 6, 8, 9, 10, 11]
    assert run({"x": {"ComparisonOperator": "NOT_NULL"}}) == [0, 3, 6, 9]
    assert run({"x": {"ComparisonOperator": "NULL"}}) == [1, 2, 4, 5, 7, 8, 10, 11]
    # an empty QueryFilter is no filter [alternator test_query_filter_empty]
    assert run({}) == list(range(12))


def test_query_filter_may_use_unprojected_attribute(ddb, composite_table, part):
    pk, items = part
    # the filter sees the whole item even if AttributesToGet drops the attribute
    # [alternator test_query_filter_and_attributes_to_get (issue 6951)]
    r = ddb.query(TableName=composite_table, ConsistentRead=True,
                  KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [pk]}},
                  QueryFilter={"x": {"ComparisonOperator": "EQ", "AttributeValueList": [S("x6")]}},
                  AttributesToGet=["n"])
    assert r["Items"] == [{"n": N(6)}]
    r = query(ddb, composite_table, pk, None, {":v": S("x6")}, FilterExpression="x = :v", ProjectionExpression="n")
    assert r["Items"] == [{"n": N(6)}]


@pytest.mark.parametrize("filt,attr", [
    ("sk = :v", "sk"),
    ("pk = :v", "pk"),
    ("attribute_exists(sk) AND n = :v", "sk"),
    ("sk[1] = :v", "sk"),
])
def test_filter_expression_on_key_attribute_rejected(ddb, composite_table, part, filt, attr):
    pk, _ = part
    # [dynalite 'should return ValidationException if hash/range key in FilterExpression'; ddb-local]
    expect_error(lambda: query(ddb, composite_table, pk, None, {":v": N(1)}, FilterExpression=filt), VE,
                 aws_message(f"Filter Expression can only contain non-primary key attributes: Primary key attribute: {attr}"))


@pytest.mark.parametrize("attr", ["sk", "pk"])
def test_query_filter_on_key_attribute_rejected(ddb, composite_table, part, attr):
    pk, _ = part
    # [dynalite 'should return ValidationException if hash/range key in QueryFilter';
    #  alternator test_query_filter_sort_key / _partition_key_2]
    expect_error(lambda: ddb.query(TableName=composite_table,
                                   KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [pk]}},
                                   QueryFilter={attr: {"ComparisonOperator": "EQ", "AttributeValueList": [S("a")]},
                                                "n": {"ComparisonOperator": "EQ", "AttributeValueList": [N(1)]}}),
                 VE, aws_message(f"QueryFilter can only contain non-primary key attributes: Primary key attribute: {attr}"))


# --------------------------------------------------------------------------
# Projections and Select
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def proj_part(ddb, composite_table):
    pk = S(unique_name("qproj"))
    items = [
        {"pk": pk, "sk": S("b1"), "d": S("d1"), "e": M(a=S("b1"), d=S("b1")), "f": L(S("d1"), S("d2"), S("d3"))},
        {"pk": pk, "sk": S("b2")},
        {"pk": pk, "sk": S("b3"), "d": S("d3"), "e": S("e3")},
    ]
    for it in items:
        ddb.put_item(TableName=composite_table, Item=it)
    return pk, items


@pytest.mark.parametrize("kw,expected", [
    # [dynalite 'should only return requested attributes'] — items without any of the
    # attributes come back as {} [alternator test_query_attributes_to_get]
    ({"ProjectionExpression": "sk, d"}, [{"sk": S("b1"), "d": S("d1")}, {"sk": S("b2")}, {"sk": S("b3"), "d": S("d3")}]),
    ({"ProjectionExpression": "#s, #d", "ExpressionAttributeNames": {"#s": "sk", "#d": "d"}},
     [{"sk": S("b1"), "d": S("d1")}, {"sk": S("b2")}, {"sk": S("b3"), "d": S("d3")}]),
    ({"AttributesToGet": ["sk", "d"]}, [{"sk": S("b1"), "d": S("d1")}, {"sk": S("b2")}, {"sk": S("b3"), "d": S("d3")}]),
    ({"AttributesToGet": ["nonexistent"]}, [{}, {}, {}]),
    ({"ProjectionExpression": "nonexistent"}, [{}, {}, {}]),
    # [dynalite 'should only return requested nested attributes'] exact
    ({"ProjectionExpression": "f[2], f[0], e.d, e.a, d"},
     [{"d": S("d1"), "e": M(a=S("b1"), d=S("b1")), "f": L(S("d1"), S("d3"))}, {}, {"d": S("d3")}]),
    ({"ProjectionExpression": "d", "Select": "SPECIFIC_ATTRIBUTES"}, [{"d": S("d1")}, {}, {"d": S("d3")}]),
    ({"AttributesToGet": ["d"], "Select": "SPECIFIC_ATTRIBUTES"}, [{"d": S("d1")}, {}, {"d": S("d3")}]),
])
def test_projection(ddb, composite_table, proj_part, kw, expected):
    pk, _ = proj_part
    if "AttributesToGet" in kw:
        # a non-expression parameter: it cannot be combined with KeyConditionExpression
        # [dynalite 'all expressions and non-expression']
        r = ddb.query(TableName=composite_table, ConsistentRead=True,
                      KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [pk]}}, **kw)
    else:
        r = query(ddb, composite_table, pk, **kw)
    assert r["Items"] == expected
    assert r["Count"] == r["ScannedCount"] == 3


def test_select_all_attributes_and_count(ddb, composite_table, proj_part, endpoint):
    pk, items = proj_part
    assert query(ddb, composite_table, pk, Select="ALL_ATTRIBUTES")["Items"] == items
    # COUNT: no Items member at all [dynalite 'should return COUNT if requested' (eql); conformance select]
    body = {"TableName": composite_table, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": pk},
            "Select": "COUNT", "ConsistentRead": True}
    r = raw_request(endpoint, "Query", body)
    assert r.status_code == 200 and r.json() == {"Count": 3, "ScannedCount": 3}
    body.update(FilterExpression="attribute_exists(d)")
    assert raw_request(endpoint, "Query", body).json() == {"Count": 2, "ScannedCount": 3}


# (extra request members, expected message)
SELECT_ERRORS = [
    # [conformance query/select; moto-aws test_all_projected_attributes_rejected_for_table (Query: enveloped)]
    ({"Select": "ALL_PROJECTED_ATTRIBUTES"}, "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"),
    # [moto-aws test_specific_attributes_requires_attribute_selection; conformance query/select (type only)]
    ({"Select": "SPECIFIC_ATTRIBUTES"}, "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"),
    # [conformance query/select; moto-aws test_projection_expression_rejected_for_non_specific_select]
    ({"Select": "ALL_ATTRIBUTES", "ProjectionExpression": "sk"}, "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"),
    ({"Select": "COUNT", "ProjectionExpression": "sk"}, "Cannot specify the ProjectionExpression when choosing to get only the Count"),
    # [moto-aws test_attributes_to_get_rejected_for_non_specific_select; ddb-local OBTAINING_COUNT_AND_ATTRIBUTES]
    ({"Select": "ALL_ATTRIBUTES", "AttributesToGet": ["sk"]}, "Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES"),
    ({"Select": "COUNT", "AttributesToGet": ["sk"]}, "Cannot specify the AttributesToGet when choosing to get only the Count"),
]


@pytest.mark.parametrize("extra,message", SELECT_ERRORS, ids=[f"{i}" for i in range(len(SELECT_ERRORS))])
def test_select_combinations_rejected(endpoint, composite_table, extra, message):
    legacy = "AttributesToGet" in extra
    body = {"TableName": composite_table, **extra}
    if legacy:
        body["KeyConditions"] = {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("x")]}}
    else:
        body.update(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": S("x")})
    assert_error(raw_request(endpoint, "Query", body), VE, aws_message(message))


@pytest.mark.parametrize("select", ["count", "DOG", ""])
def test_select_enum(endpoint, composite_table, select):
    # [moto-aws test_select_values_are_case_sensitive; conformance error-messages 'invalid Select value']
    body = {"TableName": composite_table, "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": S("x")}, "Select": select}
    assert_error(raw_request(endpoint, "Query", body), VE,
                 f"1 validation error detected: Value '{select}' at 'select' failed to satisfy constraint: "
                 "Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]")


def test_projection_mixing_rejected(endpoint, composite_table):
    # [alternator test_query_filter_and_projection_expression quotes AWS; dynalite 'all expressions and non-expression']
    body = {"TableName": composite_table, "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("x")]}},
            "QueryFilter": {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [S("b")]}},
            "ProjectionExpression": "a"}
    assert_error(raw_request(endpoint, "Query", body), VE, aws_message(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {QueryFilter} Expression parameters: {ProjectionExpression}"))


def test_duplicate_attributes_to_get(endpoint, composite_table):
    # [dynalite 'should return ValidationException for duplicate values in AttributesToGet']
    body = {"TableName": composite_table, "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("x")]}},
            "AttributesToGet": ["a", "a"]}
    assert_error(raw_request(endpoint, "Query", body), VE, aws_message(INVALID + "Duplicate value in attribute name: a"))


# --------------------------------------------------------------------------
# Limit, ExclusiveStartKey, LastEvaluatedKey
# --------------------------------------------------------------------------


def test_limit_pages_forward(ddb, composite_table, part):
    pk, items = part
    kw = dict(TableName=composite_table, KeyConditionExpression="pk = :p",
              ExpressionAttributeValues={":p": pk}, ConsistentRead=True, Limit=5)
    r = ddb.query(**kw)
    # the first Limit items in order; LastEvaluatedKey is the last one's *key* only
    # [dynalite 'should only return Limit items if requested' (eql); alternator test_query_limit]
    assert r["Items"] == items[:5]
    assert (r["Count"], r["ScannedCount"]) == (5, 5)
    assert r["LastEvaluatedKey"] == keys_of(items[4])
    # ExclusiveStartKey is exclusive [conformance 'does not repeat the item equal to ExclusiveStartKey']
    r2 = ddb.query(ExclusiveStartKey=r["LastEvaluatedKey"], **kw)
    assert r2["Items"] == items[5:10] and r2["LastEvaluatedKey"] == keys_of(items[9])
    r3 = ddb.query(ExclusiveStartKey=r2["LastEvaluatedKey"], **kw)
    # the range ran out before Limit: no LastEvaluatedKey [moto-aws test_query_pagination; api-ref]
    assert r3["Items"] == items[10:] and "LastEvaluatedKey" not in r3
    # [alternator test_query_limit_paging]
    for limit in (1, 2, 3, 7, 11, 12, 13, 100):
        pages = all_pages(ddb.query, **dict(kw, Limit=limit))
        assert [it for p in pages for it in p["Items"]] == items
        assert all(len(p["Items"]) <= limit for p in pages)


def test_limit_pages_reverse(ddb, composite_table, part):
    pk, items = part
    kw = dict(TableName=composite_table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": pk},
              ConsistentRead=True, ScanIndexForward=False, Limit=5)
    r = ddb.query(**kw)
    # [dynalite 'should return items in reverse order with Limit' (eql); alternator test_query_reverse]
    assert r["Items"] == items[::-1][:5] and r["LastEvaluatedKey"] == keys_of(items[7])
    r2 = ddb.query(ExclusiveStartKey=r["LastEvaluatedKey"], **kw)
    assert r2["Items"] == items[::-1][5:10] and r2["LastEvaluatedKey"] == keys_of(items[2])
    r3 = ddb.query(ExclusiveStartKey=r2["LastEvaluatedKey"], **kw)
    assert r3["Items"] == items[1::-1] and "LastEvaluatedKey" not in r3
    # [alternator test_query_reverse_paging]
    for limit in (1, 3, 7, 100):
        pages = all_pages(ddb.query, **dict(kw, Limit=limit))
        assert [it for p in pages for it in p["Items"]] == items[::-1]


def test_exclusive_start_key_positions(ddb, composite_table, part):
    pk, items = part
    kw = dict(TableName=composite_table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": pk},
              ConsistentRead=True)
    # reverse from a start key [dynalite 'should return items in reverse order with ExclusiveStartKey']
    r = ddb.query(ExclusiveStartKey=keys_of(items[5]), ScanIndexForward=False, **kw)
    assert r["Items"] == items[4::-1]
    # the start key is a position, it need not be an existing item
    # [dynalite scan.js 'should succeed even if ExclusiveStartKey does not match scan filter']
    r = ddb.query(ExclusiveStartKey={"pk": pk, "sk": S("k05x")}, **kw)
    assert r["Items"] == items[6:]
    r = ddb.query(ExclusiveStartKey={"pk": pk, "sk": S("k05x")}, ScanIndexForward=False, **kw)
    assert r["Items"] == items[5::-1]
    # starting from the last item leaves nothing
    r = ddb.query(ExclusiveStartKey=keys_of(items[11]), **kw)
    assert (r["Items"], r["Count"], r.get("LastEvaluatedKey")) == ([], 0, None)


def test_limit_counts_items_read_not_returned(ddb, composite_table, part):
    pk, items = part
    base = dict(TableName=composite_table, KeyConditionExpression="pk = :p", ConsistentRead=True)
    # Limit bounds the items *read*; the filter runs afterwards [dev-guide Query.Other 'Limiting the number';
    # conformance 'Limit applies to scanned items, not filtered items']
    r = ddb.query(Limit=4, FilterExpression="par = :o", ExpressionAttributeValues={":p": pk, ":o": S("odd")}, **base)
    assert r["Items"] == [items[1], items[3]]
    assert (r["Count"], r["ScannedCount"]) == (2, 4)
    assert r["LastEvaluatedKey"] == keys_of(items[3])
    # LastEvaluatedKey is the last item *evaluated*, even when the filter dropped it
    # [conformance scan 'returns LastEvaluatedKey while items remain, counting scanned-not-matched';
    #  dynalite 'should only return Limit items if requested and QueryFilter']
    r = ddb.query(Limit=2, FilterExpression="par = :e", ExpressionAttributeValues={":p": pk, ":e": S("even")}, **base)
    assert r["Items"] == [items[0]]
    assert (r["Count"], r["ScannedCount"]) == (1, 2)
    assert r["LastEvaluatedKey"] == keys_of(items[1])
    # a page can be empty and still carry LastEvaluatedKey [alternator test_query_filter_paging;
    # conformance scan 'filter that removes all items']
    r = ddb.query(Limit=5, FilterExpression="par = :z", ExpressionAttributeValues={":p": pk, ":z": S("none")}, **base)
    assert (r["Items"], r["Count"], r["ScannedCount"]) == ([], 0, 5)
    assert r["LastEvaluatedKey"] == keys_of(items[4])


def test_limit_with_count_keeps_last_evaluated_key(endpoint, composite_table, part):
    pk, items = part
    body = {"TableName": composite_table, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": pk},
            "ConsistentRead": True, "Select": "COUNT", "Limit": 5}
    r = raw_request(endpoint, "Query", body).json()
    # [dynalite 'should return LastEvaluatedKey even if only Count is selected' (eql)]
    assert r == {"Count": 5, "ScannedCount": 5, "LastEvaluatedKey": to_wire(keys_of(items[4]))}
    body.update(FilterExpression="par = :e", ExpressionAttributeValues={":p": pk, ":e": S("even")})
    r = raw_request(endpoint, "Query", body).json()
    assert r == {"Count": 3, "ScannedCount": 5, "LastEvaluatedKey": to_wire(keys_of(items[4]))}


def test_filtered_paging_with_limit_one(ddb, composite_table, part):
    pk, items = part
    pages = all_pages(ddb.query, TableName=composite_table, KeyConditionExpression="pk = :p", Limit=1,
                      FilterExpression="par = :e", ExpressionAttributeValues={":p": pk, ":e": S("even")},
                      ConsistentRead=True)
    assert [it for p in pages for it in p["Items"]] == items[0::2]
    assert all(p["ScannedCount"] <= 1 for p in pages)
    # AWS needs exactly len(items) pages here (the last page, which reads the last
    # item of the range, has no LastEvaluatedKey); one extra empty page is also
    # tolerated by the alternator suite [alternator test_query_filter_paging]. UNCONFIRMED which is required.
    assert len(pages) in (12, 13)


@pytest.mark.parametrize("cond,values,limit,count", [
    (None, {}, 12, 12),                                # Limit == items in the partition
    ("sk <= :a", {":a": S("k03")}, 4, 4),              # Limit == items in a sort-key range
    ("sk >= :a", {":a": S("k08")}, 4, 4),
])
def test_limit_equal_to_remaining_items(ddb, composite_table, part, cond, values, limit, count):
    pk, items = part
    kce = "pk = :p" + ("" if cond is None else f" AND {cond}")
    kw = dict(TableName=composite_table, KeyConditionExpression=kce, ExpressionAttributeValues={":p": pk, **values},
              ConsistentRead=True, Limit=limit)
    r = ddb.query(**kw)
    assert r["Count"] == count
    # UNCONFIRMED: the sources disagree on whether a page that stops on Limit exactly
    # at the last item of the range carries a LastEvaluatedKey. The API reference
    # ("If DynamoDB processes the number of items up to the limit ... it stops ... and
    # returns ... a key in LastEvaluatedKey") and [repost] (GSI, Limit 10 with exactly
    # 10 items) say yes; [alternator test_query_filter_paging] (AWS needs exactly
    # len(items) pages at Limit=1) and [dynalite 'should not return LastEvaluatedKey if
    # Limit is at least size of response'] (absent for a partition that is not the last
    # in the table) say AWS looks ahead and omits it. Either is accepted; if present it
    # must be the last item's key and lead to an empty final page without one.
    if "LastEvaluatedKey" in r:
        assert r["LastEvaluatedKey"] == keys_of(r["Items"][-1])
        r2 = ddb.query(ExclusiveStartKey=r["LastEvaluatedKey"], **kw)
        assert (r2["Items"], r2["Count"], r2["ScannedCount"]) == ([], 0, 0)
        assert "LastEvaluatedKey" not in r2
    # one more than the range holds: never a LastEvaluatedKey [dynalite scan.js 'Limit is large' (Limit+1);
    # moto-aws test_query_pagination]
    r = ddb.query(**dict(kw, Limit=limit + 1))
    assert r["Count"] == count and "LastEvaluatedKey" not in r


def test_boto3_paginator(ddb, composite_table, part):
    pk, items = part
    paginator = ddb.get_paginator("query")
    # [alternator test_query_basic_restrictions (paginator)]
    for page_size in (None, 1, 5, 12, 50):
        cfg = {"PageSize": page_size} if page_size else {}
        got = []
        for page in paginator.paginate(TableName=composite_table, KeyConditionExpression="pk = :p",
                                       ExpressionAttributeValues={":p": pk}, ConsistentRead=True,
                                       PaginationConfig=cfg):
            got += page["Items"]
        assert got == items
    got = [it for page in paginator.paginate(TableName=composite_table, ConsistentRead=True, ScanIndexForward=False,
                                             KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [pk]}},
                                             PaginationConfig={"PageSize": 5})
           for it in page["Items"]]
    assert got == items[::-1]


def test_limit_zero_rejected(endpoint, composite_table):
    body = {"TableName": composite_table, "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": S("x")}, "Limit": 0}
    # [dynalite "Value '-1' at 'limit' ..." (coral form); conformance error-messages quotes
    # "Value at 'Limit' ..." for Query but "Value '0' at 'limit'" for Scan] — UNCONFIRMED which; both accepted
    assert_error(raw_request(endpoint, "Query", body), VE, re.compile(
        r"^1 validation error detected: Value (?:'0' )?at '[lL]imit' failed to satisfy constraint: "
        r"Member must have value greater than or equal to 1$"))


# --------------------------------------------------------------------------
# ExclusiveStartKey validation
# --------------------------------------------------------------------------


@pytest.mark.parametrize("esk_fn,cond,message", [
    # missing the sort key / an extra attribute [dynalite 'range in ExclusiveStartKey is invalid'] exact
    (lambda pk: {"pk": pk}, None, "The provided starting key is invalid"),
    (lambda pk: {"pk": pk, "sk": S("k01"), "other": S("1")}, None, "The provided starting key is invalid"),
    (lambda pk: {"other": S("1")}, None, "The provided starting key is invalid"),
    # right attributes, wrong type [dynalite 'hash in ExclusiveStartKey and KeyConditions but range has incorrect schema']
    (lambda pk: {"pk": pk, "sk": N(1)}, None, "The provided key element does not match the schema"),
    (lambda pk: {"pk": N(1), "sk": S("k01")}, None, "The provided key element does not match the schema"),
    # another partition [dynalite 'ExclusiveStartKey with out-of-bounds hash key'; ddb-local START_KEY_OUT_OF_BOUNDS]
    (lambda pk: {"pk": S(pk["S"] + "x"), "sk": S("k01")}, None,
     "The provided starting key is outside query boundaries based on provided conditions"),
    # outside the sort-key condition [dynalite 'ExclusiveStartKey with non-matching range key']
    (lambda pk: {"pk": pk, "sk": S("k01")}, "sk > :a", "The provided starting key does not match the range key predicate"),
])
def test_exclusive_start_key_invalid(ddb, composite_table, part, esk_fn, cond, message):
    pk, _ = part
    values = {":a": S("k05")} if cond else {}
    expect_error(lambda: query(ddb, composite_table, pk, cond, values, ExclusiveStartKey=esk_fn(pk)), VE, aws_message(message))


def test_exclusive_start_key_invalid_values(endpoint, composite_table, part):
    pk, _ = part
    body = {"TableName": composite_table, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": pk},
            "ExclusiveStartKey": {"pk": {}}}
    # [dynalite 'unsupported datatype in ExclusiveStartKey'] exact
    assert_error(raw_request(endpoint, "Query", body), VE, aws_message(
        "The provided starting key is invalid: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"))


def test_exclusive_start_key_on_single_row_query(ddb, composite_table, part):
    pk, items = part
    # UNCONFIRMED for base tables: [dynalite] records "The query can return at most one row and
    # cannot be restarted" for an index queried with EQ on both keys ([ddb-local] has the same
    # text); only the type and the family of starting-key messages are pinned here.
    expect_error(lambda: query(ddb, composite_table, pk, "sk = :a", {":a": S("k03")}, ExclusiveStartKey=keys_of(items[2])),
                 VE, re.compile(r"at most one row|starting key"))


# --------------------------------------------------------------------------
# The 1 MB page
# --------------------------------------------------------------------------

BIG_ITEM = 102_000   # 10 items = 1,020,000 B (< 1 MiB), 11 items = 1,122,000 B (> 1 MiB)
BIG_COUNT = 30


@pytest.fixture(scope="module")
def big_part(ddb, composite_table):
    pk = S(unique_name("qbig"))
    items = [pad_item({"pk": pk, "sk": S(f"b{i:02d}"), "tag": S("t")}, BIG_ITEM) for i in range(BIG_COUNT)]
    for it in items:
        ddb.put_item(TableName=composite_table, Item=it)
    return pk, items


def test_one_mb_page_includes_the_crossing_item(ddb, composite_table, big_part):
    pk, items = big_part
    sizes = [item_bytes(it) for it in items]
    assert sizes == [BIG_ITEM] * BIG_COUNT
    assert expected_page(sizes) == 11
    kw = dict(TableName=composite_table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": pk},
              ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    r = ddb.query(**kw)
    # Ten items (1,020,000 B) are under 1 MiB, so the page goes on to read the 11th, which
    # crosses the limit and is still returned; the page then stops with a LastEvaluatedKey
    # [api-ref Query Limit "if the processed dataset size exceeds 1 MB ... stops";
    #  dynalite 'should return all if just under limit' (the crossing item is returned);
    #  pachot (a full page reads more than 1,048,576 B)]. A rule that stopped *before*
    # the limit, or at 1,000,000 B, would give 10.
    assert (r["Count"], r["ScannedCount"]) == (11, 11)
    assert r["Items"] == items[:11]
    assert r["LastEvaluatedKey"] == keys_of(items[10])
    # the page's capacity is the sum of what it read, rounded up once
    # [dev-guide read-write-operations; pachot 128.5 RCU for a full EC page]
    assert r["ConsumedCapacity"]["CapacityUnits"] == page_read_units(sizes[:11], True) == 274.0
    # the remaining pages, and the last one ends with the range (no LastEvaluatedKey)
    pages = all_pages(ddb.query, **kw)
    assert [len(p["Items"]) for p in pages] == [11, 11, 8]
    assert [it for p in pages for it in p["Items"]] == items
    assert "LastEvaluatedKey" not in pages[-1]


def test_one_mb_page_measures_items_read_not_returned(ddb, composite_table, big_part, endpoint):
    pk, items = big_part
    base = {"TableName": composite_table, "KeyConditionExpression": "pk = :p", "ConsistentRead": True}
    lek = to_wire(keys_of(items[10]))
    # a filter that drops everything still reads 1 MB: an empty page with a key
    # [api-ref Scan/Query "first reads up to ... 1 MB of data and then applies any filtering";
    #  alternator test_query_filter_paging (empty pages)]
    r = raw_request(endpoint, "Query", {**base, "FilterExpression": "tag = :n",
                                        "ExpressionAttributeValues": {":p": pk, ":n": S("none")}}).json()
    assert r == {"Count": 0, "ScannedCount": 11, "Items": [], "LastEvaluatedKey": lek}
    # COUNT and a narrow projection do not change what is read
    # [dynalite query.js skipped 1 MB tests use Select COUNT; conformance consumedCapacity (projection)]
    r = raw_request(endpoint, "Query", {**base, "Select": "COUNT", "ExpressionAttributeValues": {":p": pk}}).json()
    assert r == {"Count": 11, "ScannedCount": 11, "LastEvaluatedKey": lek}
    r = raw_request(endpoint, "Query", {**base, "ProjectionExpression": "sk", "ExpressionAttributeValues": {":p": pk}}).json()
    assert r == {"Count": 11, "ScannedCount": 11, "Items": [{"sk": it["sk"]} for it in items[:11]], "LastEvaluatedKey": lek}


def test_one_mb_page_reverse_and_limit(ddb, composite_table, big_part):
    pk, items = big_part
    kw = dict(TableName=composite_table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": pk},
              ConsistentRead=True)
    r = ddb.query(ScanIndexForward=False, **kw)
    assert r["Items"] == items[::-1][:11] and r["LastEvaluatedKey"] == keys_of(items[19])
    pages = all_pages(ddb.query, ScanIndexForward=False, **kw)
    assert [it for p in pages for it in p["Items"]] == items[::-1]
    # whichever limit is hit first ends the page [conformance responseSize 'Limit parameter interacts with 1MB']
    r = ddb.query(Limit=5, **kw)
    assert r["Count"] == 5 and r["LastEvaluatedKey"] == keys_of(items[4])
    r = ddb.query(Limit=20, **kw)
    assert r["Count"] == 11 and r["LastEvaluatedKey"] == keys_of(items[10])
    # a sort-key range starts the size count at its first item
    r = ddb.query(**dict(kw, KeyConditionExpression="pk = :p AND sk >= :a", ExpressionAttributeValues={":p": pk, ":a": S("b05")}))
    assert r["Items"] == items[5:16] and r["LastEvaluatedKey"] == keys_of(items[15])


def test_one_mb_page_ending_on_last_item_of_range(ddb, composite_table, big_part):
    pk, items = big_part
    kw = dict(TableName=composite_table, KeyConditionExpression="pk = :p AND sk <= :a",
              ExpressionAttributeValues={":p": pk, ":a": S("b10")}, ConsistentRead=True)
    r = ddb.query(**kw)
    assert r["Items"] == items[:11]
    # UNCONFIRMED: the 11th item both crosses 1 MB and ends the range. [dynalite]'s
    # recordings ('should return all if just under limit', on a table holding only that
    # partition) returned a LastEvaluatedKey; whether AWS looks ahead past the range end
    # is not known. If present, it leads to an empty last page.
    if "LastEvaluatedKey" in r:
        assert r["LastEvaluatedKey"] == keys_of(items[10])
        r2 = ddb.query(ExclusiveStartKey=r["LastEvaluatedKey"], **kw)
        assert (r2["Count"], r2.get("LastEvaluatedKey")) == (0, None)


# --------------------------------------------------------------------------
# ConsistentRead and ConsumedCapacity
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cap_part(ddb, composite_table):
    pk = S(unique_name("qcap"))
    items = [pad_item({"pk": pk, "sk": S(f"c{i}"), "keep": S("yes" if i == 0 else "no")}, 1500) for i in range(3)]
    for it in items:
        ddb.put_item(TableName=composite_table, Item=it)
    big = [pad_item({"pk": S(pk["S"] + "-5k"), "sk": S(f"d{i}")}, 5000) for i in range(10)]
    for it in big:
        ddb.put_item(TableName=composite_table, Item=it)
    return pk, items, big


def capacity(resp):
    return resp["ConsumedCapacity"]["CapacityUnits"]


@pytest.mark.parametrize("consistent", [True, False])
def test_capacity_sums_the_page_then_rounds(ddb, composite_table, cap_part, consistent):
    pk, items, big = cap_part
    kw = dict(TableName=composite_table, KeyConditionExpression="pk = :p", ConsistentRead=consistent,
              ReturnConsumedCapacity="TOTAL")
    r = ddb.query(ExpressionAttributeValues={":p": pk}, **kw)
    # 3 x 1,500 B = 4,500 B -> 2 units (not 3, which per-item rounding would give), halved
    # when eventually consistent [dev-guide read-write-operations 'Query ... total size ... rounds up
    # to the next 4 KB boundary'; dynalite LSI ALL_ATTRIBUTES capacities; alternator test_query_consumed_capacity]
    assert r["ConsumedCapacity"] == {"TableName": composite_table,
                                     "CapacityUnits": page_read_units([1500] * 3, consistent)}
    assert capacity(r) == (2.0 if consistent else 1.0)
    # 10 x 5,000 B = 50,000 B -> 13 units, 6.5 eventually consistent [repost/stackoverflow worked example;
    # halving, not ceil(size / 8 KB): pachot's 128.5]
    r = ddb.query(ExpressionAttributeValues={":p": big[0]["pk"]}, **kw)
    assert capacity(r) == (13.0 if consistent else 6.5)
    # only what the page read: Limit 2 -> 3,000 B
    r = ddb.query(ExpressionAttributeValues={":p": big[0]["pk"]}, Limit=2, **kw)
    assert capacity(r) == page_read_units([5000] * 2, consistent)
    r = ddb.query(ExpressionAttributeValues={":p": big[0]["pk"], ":a": S("d7")},
                  **dict(kw, KeyConditionExpression="pk = :p AND sk >= :a"))
    assert capacity(r) == page_read_units([5000] * 3, consistent)


def test_capacity_ignores_filter_projection_and_select(ddb, composite_table, cap_part):
    pk, items, big = cap_part
    kw = dict(TableName=composite_table, KeyConditionExpression="pk = :p", ConsistentRead=True,
              ReturnConsumedCapacity="TOTAL")
    plain = capacity(ddb.query(ExpressionAttributeValues={":p": big[0]["pk"]}, **kw))
    # filtered-out items are paid for [conformance tier1/query/consumedCapacity 'a filter matching
    # one row / nothing costs what the unfiltered query costs']
    r = ddb.query(ExpressionAttributeValues={":p": pk, ":k": S("yes")}, FilterExpression="keep = :k", **kw)
    assert r["Count"] == 1 and capacity(r) == 2.0
    r = ddb.query(ExpressionAttributeValues={":p": pk, ":k": S("nothing")}, FilterExpression="keep = :k", **kw)
    assert r["Count"] == 0 and capacity(r) == 2.0
    # projection: [conformance 'projecting the sort key alone costs what selecting everything costs']
    assert capacity(ddb.query(ExpressionAttributeValues={":p": big[0]["pk"]}, ProjectionExpression="sk", **kw)) == plain
    # COUNT reads the same items [repost 'still consumes the same read units']
    assert capacity(ddb.query(ExpressionAttributeValues={":p": big[0]["pk"]}, Select="COUNT", **kw)) == plain


def test_capacity_indexes_and_none(ddb, composite_table, cap_part):
    pk, items, _ = cap_part
    kw = dict(TableName=composite_table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": pk},
              ConsistentRead=True)
    # INDEXES on a table without indexes: a Table copy, no index members
    # [alternator test_return_consumed_capacity_indexes_no_indexes; dynalite query.js INDEXES shapes]
    r = ddb.query(ReturnConsumedCapacity="INDEXES", **kw)
    assert r["ConsumedCapacity"] == {"TableName": composite_table, "CapacityUnits": 2.0, "Table": {"CapacityUnits": 2.0}}
    assert "ConsumedCapacity" not in ddb.query(ReturnConsumedCapacity="NONE", **kw)
    assert "ConsumedCapacity" not in ddb.query(**kw)


def test_consistent_read_sees_latest_write(ddb, composite_table):
    pk = S(unique_name("qcons"))
    for i in range(3):
        ddb.put_item(TableName=composite_table, Item={"pk": pk, "sk": S(f"s{i}"), "v": N(i)})
        r = ddb.query(TableName=composite_table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": pk},
                      ConsistentRead=True)
        assert r["Count"] == i + 1
    # ConsistentRead=false is accepted on a base table and returns the same data here
    r = ddb.query(TableName=composite_table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": pk},
                  ConsistentRead=False)
    assert r["Count"] in (0, 1, 2, 3)


# --------------------------------------------------------------------------
# KeyConditionExpression validation
# --------------------------------------------------------------------------

# (id, table fixture, KeyConditionExpression, values, names, expected message)
KCE_ERRORS = [
    ("sort-key-only", "composite_table", "sk = :v", {":v": S("a")}, None,
     # [conformance error-messages 'missing hash key in KeyConditionExpression'] exact
     aws_message("Query condition missed key schema element: pk")),
    ("non-key-only", "composite_table", "attr1 = :v", {":v": S("a")}, None,
     aws_message("Query condition missed key schema element: pk")),  # [conformance 'non-key attribute']
    ("pk-and-non-key", "composite_table", "pk = :p AND zz = :v", {":p": S("a"), ":v": S("b")}, None,
     # [alternator test_query_which_key quotes AWS: "Query condition missed key schema element: c"]
     aws_message("Query condition missed key schema element: sk")),
    ("three-conditions", "composite_table", "pk = :p AND sk = :v AND zz = :v", {":p": S("a"), ":v": S("b")}, None,
     # [dynalite 'incorrect number of KeyConditions' (expression form); ddb-local INVALID_KEY_CONDITIONS_SIZE]
     aws_message("Conditions can be of length 1 or 2 only")),
    ("hash-table-two-conditions", "hash_table", "pk = :p AND zz = :v", {":p": S("a"), ":v": S("b")}, None,
     # [dynalite 'querying with unsupported conditions' ('a = :a AND b = :a' on a hash table)]
     aws_message("Query key condition not supported")),
    ("hash-lt", "hash_table", "pk < :p", {":p": S("a")}, None,
     aws_message("Query key condition not supported")),  # [dynalite; alternator _partition_eq_only 'supported']
    ("hash-begins-with", "hash_table", "begins_with(pk, :p)", {":p": S("a")}, None,
     aws_message("Query key condition not supported")),  # [dynalite]
    ("hash-between", "hash_table", "pk BETWEEN :p AND :q", {":p": S("a"), ":q": S("b")}, None,
     aws_message("Query key condition not supported")),  # [dynalite]
    ("or", "composite_table", "pk = :p OR sk = :v", {":p": S("a"), ":v": S("b")}, None,
     # [dynalite 'invalid operators'; alternator _parser 'OR'; ddb-local]
     aws_message("Invalid operator used in KeyConditionExpression: OR")),
    ("not", "composite_table", "NOT pk = :p", {":p": S("a")}, None,
     aws_message("Invalid operator used in KeyConditionExpression: NOT")),
    ("ne", "composite_table", "pk = :p AND sk <> :v", {":p": S("a"), ":v": S("b")}, None,
     aws_message("Invalid operator used in KeyConditionExpression: <>")),
    ("in", "composite_table", "pk = :p AND sk IN (:v)", {":p": S("a"), ":v": S("b")}, None,
     aws_message("Invalid operator used in KeyConditionExpression: IN")),
    ("attribute-exists", "composite_table", "pk = :p AND attribute_exists(sk)", {":p": S("a")}, None,
     aws_message("Invalid operator used in KeyConditionExpression: attribute_exists")),
    ("contains", "composite_table", "pk = :p AND contains(sk, :v)", {":p": S("a"), ":v": S("b")}, None,
     aws_message("Invalid operator used in KeyConditionExpression: contains")),
    ("size", "composite_table", "pk = :p AND size(sk) > :n", {":p": S("a"), ":n": N(1)}, None,
     # [dynalite 'nested operations'; ddb-local KEY_CONDITION_EXPRESSION_NESTED_OPERATOR]
     aws_message("KeyConditionExpressions cannot contain nested operations")),
    ("same-key-twice", "composite_table", "pk = :p AND pk = :p", {":p": S("a")}, None,
     # [dynalite 'multiple conditions per key'; alternator _and_same 'one']
     aws_message("KeyConditionExpressions must only contain one condition per key")),
    ("sort-key-twice", "composite_table", "pk = :p AND sk > :a AND sk < :b", {":p": S("a"), ":a": S("a"), ":b": S("b")}, None,
     aws_message("KeyConditionExpressions must only contain one condition per key")),  # [dynalite; alternator _multi]
    ("nested-path", "composite_table", "pk = :p AND sk.x = :v", {":p": S("a"), ":v": S("b")}, None,
     # [dynalite 'nested attributes'; conformance keyConditionSemantics (substring)]
     aws_message("KeyConditionExpressions cannot have conditions on nested attributes")),
    ("nested-index", "composite_table", "pk = :p AND sk[0] = :v", {":p": S("a"), ":v": S("b")}, None,
     aws_message("KeyConditionExpressions cannot have conditions on nested attributes")),
    ("two-names", "composite_table", "pk = :p AND sk = zz", {":p": S("a")}, None,
     # [dynalite 'multiple attribute names']
     aws_message("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")),
    ("no-attribute", "composite_table", ":a = :b", {":a": S("a"), ":b": S("b")}, None,
     aws_message("Invalid condition in KeyConditionExpression: No key attribute specified")),  # [dynalite]
    ("between-value-first", "composite_table", "pk = :p AND :a BETWEEN sk AND :b", {":p": S("a"), ":a": S("a"), ":b": S("b")}, None,
     # [dynalite 'no key attribute as first operator']
     aws_message("Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand")),
    ("begins-with-value-first", "composite_table", "pk = :p AND begins_with(:a, sk)", {":p": S("a"), ":a": S("a")}, None,
     aws_message("Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand")),
    ("hash-type", "composite_table", "pk = :p", {":p": N(1)}, None,
     # [dynalite 'mismatching param type'; alternator _wrong_type 'type']
     aws_message(TYPE_MISMATCH)),
    ("sort-type", "composite_table", "pk = :p AND sk = :v", {":p": S("a"), ":v": N(1)}, None,
     aws_message(TYPE_MISMATCH)),
    ("sort-type-binary", "composite_table", "pk = :p AND sk > :v", {":p": S("a"), ":v": B(b"a")}, None,
     aws_message(TYPE_MISMATCH)),
    ("between-reversed", "composite_table", "pk = :p AND sk BETWEEN :b AND :a", {":p": S("x"), ":a": S("a"), ":b": S("b")}, None,
     # [dynalite 'KeyConditionExpression BETWEEN args are in the incorrect order'] exact
     aws_message(KCE + "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                 "lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}")),
    ("between-mixed-types", "composite_table", "pk = :p AND sk BETWEEN :b AND :a", {":p": S("x"), ":a": S("a"), ":b": N(1)}, None,
     # [dynalite 'KeyConditionExpression BETWEEN args have different types'] exact
     aws_message(KCE + "The BETWEEN operator requires same data type for lower and upper bounds; "
                 "lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}")),
    ("begins-with-number", "composite_table", "pk = :p AND begins_with(sk, :v)", {":p": S("x"), ":v": N(1)}, None,
     # the condition-expression operand check, under the KeyConditionExpression prefix
     # [dynalite 'invalid operand types' (prefix + wording); alternator _num_begins 'begins_with']
     aws_message(KCE + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")),
    ("begins-with-number-key", "num_table", "pk = :p AND begins_with(sk, :v)", {":p": N(1), ":v": N(1)}, None,
     aws_message(KCE + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")),
    ("empty", "composite_table", "", {":p": S("x")}, None,
     # [dynalite; conformance error-messages 'empty KeyConditionExpression'] exact
     aws_message(KCE + "The expression can not be empty;")),
    ("syntax", "composite_table", "pk = :p AND sk != :v", {":p": S("x"), ":v": S("y")}, None,
     aws_message(KCE + "Syntax error; ", suffix=".*")),  # [dynalite (regex); alternator _syntax]
    ("function-case", "composite_table", "pk = :p AND BEGINS_WITH(sk, :v)", {":p": S("x"), ":v": S("y")}, None,
     # [alternator _str_begins_case 'BEGINS_WITH'; wording as for other expressions]
     aws_message(KCE + "Invalid function name; function: BEGINS_WITH")),
    ("undefined-value", "composite_table", "pk = :p AND sk = :nope", {":p": S("x")}, None,
     aws_message(KCE + "An expression attribute value used in expression is not defined; attribute value: :nope")),
    ("undefined-name", "composite_table", "#nope = :p", {":p": S("x")}, None,
     aws_message(KCE + "An expression attribute name used in the document path is not defined; attribute name: #nope")),
    ("unused-value", "composite_table", "pk = :p", {":p": S("x"), ":extra": S("y")}, None,
     # [alternator _partition_unused_val; conformance]
     aws_message("Value provided in ExpressionAttributeValues unused in expressions: keys: {:extra}")),
    ("unused-name", "composite_table", "pk = :p", {":p": S("x")}, {"#unused": "a"},
     # [conformance error-messages 'unused ExpressionAttributeNames'] exact
     aws_message("Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}")),
]


@pytest.mark.parametrize("table_fixture,kce,values,names,message", [e[1:] for e in KCE_ERRORS], ids=[e[0] for e in KCE_ERRORS])
def test_key_condition_expression_errors(request, endpoint, table_fixture, kce, values, names, message):
    table = request.getfixturevalue(table_fixture)
    body = {"TableName": table, "KeyConditionExpression": kce}
    if values:
        body["ExpressionAttributeValues"] = to_wire(values)
    if names:
        body["ExpressionAttributeNames"] = names
    assert_error(raw_request(endpoint, "Query", body), VE, message)


def test_expression_structure_checked_before_table(endpoint):
    # Expression-level errors come before the table lookup, schema errors after it
    # [dynalite: the operator/nesting tests run against a nonexistent table 'abc';
    #  'should check table exists before checking key validity']
    body = {"TableName": unique_name("absent"), "KeyConditionExpression": "pk = :p OR sk = :p",
            "ExpressionAttributeValues": {":p": S("a")}}
    assert_error(raw_request(endpoint, "Query", body), VE, aws_message("Invalid operator used in KeyConditionExpression: OR"))
    body.update(KeyConditionExpression="z = :p")
    assert_error(raw_request(endpoint, "Query", body), "ResourceNotFoundException", "Requested resource not found")


def test_query_needs_a_key_condition(endpoint, composite_table):
    # [dynalite validations/query.js; ddb-local MISSING_KEY_CONDITIONS_AND_EXPRESSION] exact
    assert_error(raw_request(endpoint, "Query", {"TableName": composite_table}), VE,
                 aws_message("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."))


def test_key_conditions_and_expression_together(endpoint, composite_table):
    body = {"TableName": composite_table, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": S("x")},
            "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("x")]}}}
    # [dynalite 'all expressions and non-expression' (format); alternator _and_conditions 'both';
    #  conformance legacy-api (type only)]
    assert_error(raw_request(endpoint, "Query", body), VE, aws_message(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}"))


def test_expression_values_without_expressions(endpoint, composite_table):
    body = {"TableName": composite_table, "ExpressionAttributeValues": {":p": S("x")},
            "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("x")]}}}
    # [dynalite 'ExpressionAttributeValues but no expressions'] exact
    assert_error(raw_request(endpoint, "Query", body), VE, aws_message(
        "ExpressionAttributeValues can only be specified when using expressions: FilterExpression and KeyConditionExpression are null"))
    body = {"TableName": composite_table, "ExpressionAttributeNames": {"#p": "pk"},
            "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("x")]}}}
    assert_error(raw_request(endpoint, "Query", body), VE, aws_message(
        "ExpressionAttributeNames can only be specified when using expressions"))


def test_filter_expression_errors(endpoint, composite_table):
    base = {"TableName": composite_table, "KeyConditionExpression": "pk = :p"}
    # [conformance error-messages 'filter references undefined ExpressionAttributeNames'] exact
    r = raw_request(endpoint, "Query", {**base, "FilterExpression": "#missing = :fv",
                                        "ExpressionAttributeValues": {":p": S("v"), ":fv": S("x")}})
    assert_error(r, VE, aws_message("Invalid FilterExpression: An expression attribute name used in the document path "
                                    "is not defined; attribute name: #missing"))
    # [dynalite 'empty FilterExpression' / 'empty ProjectionExpression']
    r = raw_request(endpoint, "Query", {**base, "FilterExpression": "", "ExpressionAttributeValues": {":p": S("v")}})
    assert_error(r, VE, aws_message("Invalid FilterExpression: The expression can not be empty;"))
    r = raw_request(endpoint, "Query", {**base, "ProjectionExpression": "", "ExpressionAttributeValues": {":p": S("v")}})
    assert_error(r, VE, aws_message("Invalid ProjectionExpression: The expression can not be empty;"))


# --------------------------------------------------------------------------
# Legacy KeyConditions validation
# --------------------------------------------------------------------------

EQ_X = {"ComparisonOperator": "EQ", "AttributeValueList": [S("x")]}
COMPARISON_OPERATORS = ["IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE", "LE",
                        "BEGINS_WITH", "GE", "CONTAINS"]


def wire_conditions(conds: dict) -> dict:
    """KeyConditions/QueryFilter/ScanFilter in JSON wire form (B as base64)."""
    return {attr: ({**c, "AttributeValueList": [to_wire({"v": av})["v"] for av in c["AttributeValueList"]]}
                   if "AttributeValueList" in c else c) for attr, c in conds.items()}

# (id, table fixture, KeyConditions, expected message)
KC_ERRORS = [
    ("empty", "composite_table", {}, aws_message("Conditions can be of length 1 or 2 only")),  # [dynalite]
    ("three", "composite_table", {"pk": EQ_X, "sk": EQ_X, "other": EQ_X},
     aws_message("Conditions can be of length 1 or 2 only")),  # [dynalite; ddb-local]
    ("sort-only", "composite_table", {"sk": EQ_X},
     aws_message("Query condition missed key schema element: pk")),  # [alternator test_query_which_key]
    ("non-key-only", "composite_table", {"z": EQ_X}, aws_message("Query condition missed key schema element: pk")),
    ("pk-and-non-key", "composite_table", {"pk": EQ_X, "z": EQ_X},
     aws_message("Query condition missed key schema element: sk")),  # [alternator quotes AWS]
    ("hash-lt", "hash_table", {"pk": {"ComparisonOperator": "LT", "AttributeValueList": [S("x")]}},
     aws_message("Query key condition not supported")),  # [dynalite; alternator _partition_only_eq]
    ("hash-between", "hash_table", {"pk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [S("a"), S("b")]}},
     aws_message("Query key condition not supported")),
    ("hash-two", "hash_table", {"pk": EQ_X, "other": EQ_X}, aws_message("Query key condition not supported")),  # [dynalite]
    ("sort-in", "composite_table", {"pk": EQ_X, "sk": {"ComparisonOperator": "IN", "AttributeValueList": [S("a")]}},
     # [dynalite 'unsupported comparison on range'; ddb-local NON_INDEXABLE_CONDITION]
     aws_message("Attempted conditional constraint is not an indexable operation")),
    ("sort-contains", "composite_table", {"pk": EQ_X, "sk": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [S("a")]}},
     aws_message("Attempted conditional constraint is not an indexable operation")),
    ("sort-not-null", "composite_table", {"pk": EQ_X, "sk": {"ComparisonOperator": "NOT_NULL"}},
     aws_message("Attempted conditional constraint is not an indexable operation")),
    ("hash-ne", "hash_table", {"pk": {"ComparisonOperator": "NE", "AttributeValueList": [S("a")]}},
     aws_message("Attempted conditional constraint is not an indexable operation")),  # [dynalite 'non-indexable operations']
    ("hash-type", "composite_table", {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [N(1)]}},
     # [dynalite db: type check; public blog quoting the AWS error for a boto3 query]
     aws_message(TYPE_MISMATCH)),
    ("sort-type", "composite_table", {"pk": EQ_X, "sk": {"ComparisonOperator": "GT", "AttributeValueList": [N(1)]}},
     aws_message(TYPE_MISMATCH)),
    ("begins-with-number", "composite_table", {"pk": EQ_X, "sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [N(1)]}},
     # [dynalite 'invalid BEGINS_WITH ComparisonOperator types'] exact
     aws_message(INVALID + "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type")),
    ("eq-two-values", "composite_table", {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [S("a"), S("b")]}},
     # [dynalite 'incorrect number of KeyConditions arguments'; alternator _partition_one 'EQ']
     aws_message(INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator")),
    ("between-one-value", "composite_table", {"pk": EQ_X, "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [S("a")]}},
     aws_message(INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator")),
    ("between-reversed", "composite_table", {"pk": EQ_X, "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [S("b"), S("a")]}},
     # [dynalite 'BETWEEN arguments are in the incorrect order'; ddb-local] exact
     aws_message("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")),
    ("operator-case", "composite_table", {"pk": {"ComparisonOperator": "eq", "AttributeValueList": [S("x")]}},
     # coral enum [dynalite 'incorrect attributes' (keyConditions.<attr>.member.comparisonOperator);
     # alternator _comparison_operator_case 'eq']. The order in which the 13 operators are listed
     # differs between captures ([conformance] validation-ordering) — UNCONFIRMED, any order accepted.
     re.compile(r"^1 validation error detected: Value 'eq' at 'keyConditions\.pk\.member\.comparisonOperator' failed "
                r"to satisfy constraint: Member must satisfy enum value set: \[(?=[A-Z_, ]*\])"
                + "".join(rf"(?=[^\]]*\b{op}\b)" for op in COMPARISON_OPERATORS) + r"[A-Z_, ]+\]$")),
]


@pytest.mark.parametrize("table_fixture,kc,message", [e[1:] for e in KC_ERRORS], ids=[e[0] for e in KC_ERRORS])
def test_key_conditions_errors(request, endpoint, table_fixture, kc, message):
    table = request.getfixturevalue(table_fixture)
    body = {"TableName": table, "KeyConditions": wire_conditions(kc)}
    assert_error(raw_request(endpoint, "Query", body), VE, message)


def test_invalid_conditional_operator(endpoint, composite_table):
    body = {"TableName": composite_table, "KeyConditions": {"pk": EQ_X},
            "QueryFilter": {"a": EQ_X, "b": EQ_X}, "ConditionalOperator": "and"}
    # [alternator test_query_filter_invalid_conditional_operator ('and' is case-sensitive);
    #  dynalite "Value 'AN' at 'conditionalOperator' ... [OR, AND]"]
    assert_error(raw_request(endpoint, "Query", body), VE, re.compile(
        r"^1 validation error detected: Value 'and' at 'conditionalOperator' failed to satisfy constraint: "
        r"Member must satisfy enum value set: \[(?:OR, AND|AND, OR)\]$"))


def test_full_wire_type_on_query_errors(endpoint, composite_table):
    # ValidationException from Query uses the coral namespace like every other operation
    # [dynalite test/helpers.js assertValidation]
    r = raw_request(endpoint, "Query", {"TableName": composite_table})
    assert r.status_code == 400 and r.json()["__type"] == FULL_TYPES[VE]

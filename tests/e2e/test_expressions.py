"""Condition and projection expressions end to end: ConditionExpression on
PutItem / UpdateItem / DeleteItem (comparators, functions, boolean logic,
document paths, substitutions), ConditionalCheckFailedException and
ReturnValuesOnConditionCheckFailure, ProjectionExpression on GetItem, the
validation errors every expression shares, and conditional writes under
concurrency.

UpdateExpression itself lives in test_update_item.py; the legacy parameters
(Expected, AttributeUpdates, AttributesToGet) in test_legacy.py.

Source abbreviations used in comments:
  [alternator]  scylladb/scylladb test/alternator/*.py — a pytest suite that is
                also run against real AWS (test_condition_expression.py,
                test_projection_expression.py, test_returnvalues.py); comments
                there quote AWS's messages
  [dynalite]    architect/dynalite test suite, written against real AWS
  [conformance] nubo-db/dynamodb-conformance, multi-region captures of real AWS (2026)
  [lowvoltage]  jacquev6/LowVoltage exploration tests, which record real DynamoDB's answers
  [api-ref]     AWS DynamoDB API Reference
  [dev-guide]   AWS DynamoDB Developer Guide

Messages marked UNCONFIRMED were not found verbatim in any capture of real AWS
(or the sources disagree); those assertions accept only the error type or a
documented fragment.
"""

from __future__ import annotations

import re
import threading

import pytest
from botocore.exceptions import ClientError

from conftest import (
    BOOL,
    BS,
    FULL_TYPES,
    NS,
    NULL,
    SS,
    B,
    L,
    M,
    N,
    S,
    assert_error,
    aws_message,
    canon,
    expect_error,
    raw_request,
    to_wire,
    unique_name,
)
from awsrules import pad_item, read_units

CCF = "ConditionalCheckFailedException"
CCF_MSG = "The conditional request failed"  # [dynalite helpers.js assertConditional; conformance conditionalCheck]
VE = "ValidationException"


def new_key(prefix: str = "x") -> dict:
    return {"pk": S(unique_name(prefix))}


def get(ddb, table, k, **kw):
    return ddb.get_item(TableName=table, Key=k, ConsistentRead=True, **kw).get("Item")


def expr_kwargs(values=None, names=None) -> dict:
    kw = {}
    if values is not None:
        kw["ExpressionAttributeValues"] = values
    if names is not None:
        kw["ExpressionAttributeNames"] = names
    return kw


def ccf(fn) -> dict:
    """The call must fail its condition with AWS's exact message."""
    return expect_error(fn, CCF, CCF_MSG)


def put_holds(ddb, table, item, cond, values=None, names=None) -> bool:
    """Evaluate `cond` against the stored `item` by a conditional PutItem that
    rewrites the identical item: True if it was accepted, False on a
    ConditionalCheckFailedException (anything else propagates)."""
    try:
        ddb.put_item(TableName=table, Item=item, ConditionExpression=cond, **expr_kwargs(values, names))
        return True
    except ClientError as e:
        if e.response["Error"]["Code"] != CCF:
            raise
        assert e.response["Error"]["Message"] == CCF_MSG
        return False


# --------------------------------------------------------------------------
# The condition matrix: one stored item, many conditions
# --------------------------------------------------------------------------

# Attribute names are deliberately short and unreserved ([dev-guide] "Reserved
# words in DynamoDB"); `status` is reserved and only ever reached through a
# #name. `m.hello` is a top-level attribute whose name contains a dot.
COND_ATTRS = {
    "n": N(1), "two": N(2), "n10": N(10),
    "s": S("cat"), "s10": S("10"), "es": S(""),
    "b": B(b"cat"), "b7f": B(b"\x7f"),
    "t": BOOL(True), "f": BOOL(False), "nul": NULL,
    "l": L(S("hello"), N(42)),
    "mm": M(hello=S("world")),
    "m": M(hello=S("world"), deep=M(arr=L(M(c=S("no")), M(c=S("yes"))))),
    "m.hello": S("literal"),
    "nest": L(S("hi"), NS(1, 2), L(N(3), N(4))),
    "ss": SS("hello", "world"), "ns": NS(1, 2, 3), "bs": BS(b"xyz", b"hi"),
    "status": S("on"),
}


@pytest.fixture(scope="module")
def cond_item(ddb, hash_table):
    item = {"pk": S(unique_name("cond-matrix")), **COND_ATTRS}
    ddb.put_item(TableName=hash_table, Item=item)
    return item


# (condition, values, names, expected outcome)
#
# Semantics and their sources:
# - equality needs the same type and value; a missing attribute is never equal
#   to anything, not even another missing one, and <> is true for it
#   [alternator test_update_condition_eq_different / _eq_two_unset / _ne / _ne_two_unset]
# - sets compare as sets (order-free) [alternator test_update_condition_eq_set]
# - <, <=, >, >=, BETWEEN work on N, S and B; B is unsigned-bytewise; a type
#   mismatch, a missing attribute or an unorderable *item* value just makes
#   the comparison false [alternator test_update_condition_lt/le/gt/ge/between,
#   _comparison_two_unset, test_condition_expression_unsigned_bytes]
# - IN is equality against each listed operand, of any types
#   [alternator test_update_condition_in]
# - the functions per [dev-guide] "Comparison operator and function reference"
#   and [alternator test_update_condition_attribute_*/begins_with/contains/size]
# - NOT binds tighter than AND, AND tighter than OR [dev-guide] "Operator
#   precedence"; keywords are case-insensitive [alternator test_update_condition_and/or/not]
MATRIX = [
    # ---- = and <>
    ("n = :v", {":v": N(1)}, None, True),
    ("n = :v", {":v": N("1.0")}, None, True),          # numbers compare by value
    ("n = :v", {":v": N(2)}, None, False),
    ("n = :v", {":v": S("1")}, None, False),
    ("s = :v", {":v": S("cat")}, None, True),
    ("s = :v", {":v": S("Cat")}, None, False),
    ("b = :v", {":v": B(b"cat")}, None, True),
    ("t = :v", {":v": BOOL(True)}, None, True),
    ("t = :v", {":v": BOOL(False)}, None, False),
    ("nul = :v", {":v": NULL}, None, True),
    ("l = :v", {":v": L(S("hello"), N(42))}, None, True),
    ("l = :v", {":v": L(N(42), S("hello"))}, None, False),  # lists are ordered
    ("mm = :v", {":v": M(hello=S("world"))}, None, True),
    ("ss = :v", {":v": SS("world", "hello")}, None, True),
    ("ss = :v", {":v": SS("hello")}, None, False),
    ("ns = :v", {":v": NS(3, 2, 1)}, None, True),
    ("bs = :v", {":v": BS(b"hi", b"xyz")}, None, True),
    ("n = s", None, None, False),
    ("zz = :v", {":v": N(1)}, None, False),
    ("zz = zy", None, None, False),
    ("n <> :v", {":v": N(2)}, None, True),
    ("n <> :v", {":v": N(1)}, None, False),
    ("n <> :v", {":v": S("1")}, None, True),
    ("zz <> :v", {":v": N(1)}, None, True),
    ("zz <> zy", None, None, True),
    # ---- ordering
    ("n < :v", {":v": N(2)}, None, True),
    ("n < :v", {":v": N(1)}, None, False),
    ("n <= :v", {":v": N(1)}, None, True),
    ("n > :v", {":v": N(0)}, None, True),
    ("n >= :v", {":v": N(2)}, None, False),
    ("n10 > :v", {":v": N(9)}, None, True),            # numeric, not textual
    ("s10 < :v", {":v": S("9")}, None, True),          # textual for strings
    ("s < :v", {":v": S("dog")}, None, True),
    ("s < :v", {":v": S("cat")}, None, False),
    ("s <= :v", {":v": S("cat")}, None, True),
    ("s > :v", {":v": S("aardvark")}, None, True),
    ("b < :v", {":v": B(b"dog")}, None, True),
    ("b >= :v", {":v": B(b"dog")}, None, False),
    ("b7f < :v", {":v": B(b"\x80")}, None, True),      # unsigned bytes
    ("n < :v", {":v": S("17")}, None, False),
    ("zz < :v", {":v": N(1)}, None, False),
    (":v < zz", {":v": N(1)}, None, False),
    ("zz < zy", None, None, False),
    ("zz <= zy", None, None, False),
    ("zz > zy", None, None, False),
    ("zz >= zy", None, None, False),
    ("l < :v", {":v": N(1)}, None, False),             # unorderable item value: false, no error
    (":v < l", {":v": N(1)}, None, False),
    # ---- BETWEEN (inclusive)
    ("n BETWEEN :lo AND :hi", {":lo": N(0), ":hi": N(2)}, None, True),
    ("n BETWEEN :lo AND :hi", {":lo": N(1), ":hi": N(1)}, None, True),
    ("n BETWEEN :lo AND :hi", {":lo": N(2), ":hi": N(7)}, None, False),
    ("n BETWEEN :lo AND :hi", {":lo": S("0"), ":hi": S("2")}, None, False),
    ("s between :lo and :hi", {":lo": S("aardvark"), ":hi": S("dog")}, None, True),
    ("b BETWEEN :lo AND :hi", {":lo": B(b"aardvark"), ":hi": B(b"dog")}, None, True),
    ("two BETWEEN n AND n10", None, None, True),
    ("n BETWEEN two AND :v", {":v": N(1)}, None, False),  # reversed bounds from the item: false, no error
    ("zz BETWEEN :lo AND :hi", {":lo": N(0), ":hi": N(2)}, None, False),
    ("zz between zy and zx", None, None, False),
    # ---- IN
    ("n IN (:a, :b)", {":a": N(5), ":b": N(1)}, None, True),
    ("n IN (:a)", {":a": N(5)}, None, False),
    ("n IN (:a, :b)", {":a": S("dog"), ":b": N(1)}, None, True),  # mixed operand types are fine
    ("s IN (s10, :v)", {":v": S("cat")}, None, True),
    ("l IN (:a)", {":a": L(S("hello"), N(42))}, None, True),
    ("ss IN (:a)", {":a": SS("world", "hello")}, None, True),
    ("zz IN (:a)", {":a": N(1)}, None, False),
    # ---- attribute_exists / attribute_not_exists
    ("attribute_exists(n)", None, None, True),
    ("attribute_exists (n)", None, None, True),
    ("attribute_exists(zz)", None, None, False),
    ("attribute_not_exists(zz)", None, None, True),
    ("attribute_not_exists(n)", None, None, False),
    ("attribute_exists(nul)", None, None, True),
    ("attribute_exists(pk)", None, None, True),
    ("attribute_exists(m.deep.arr[1].c)", None, None, True),
    ("attribute_exists(m.deep.arr[2])", None, None, False),
    ("attribute_exists(m.hello.x)", None, None, False),    # path through a string
    ("attribute_exists(l[0])", None, None, True),
    ("attribute_exists(l.x)", None, None, False),
    ("attribute_exists(mm[0])", None, None, False),
    # ---- attribute_type
    ("attribute_type(n, :t)", {":t": S("N")}, None, True),
    ("attribute_type(n, :t)", {":t": S("S")}, None, False),
    ("attribute_type(s, :t)", {":t": S("S")}, None, True),
    ("attribute_type(b, :t)", {":t": S("B")}, None, True),
    ("attribute_type(t, :t)", {":t": S("BOOL")}, None, True),
    ("attribute_type(nul, :t)", {":t": S("NULL")}, None, True),
    ("attribute_type(l, :t)", {":t": S("L")}, None, True),
    ("attribute_type(mm, :t)", {":t": S("M")}, None, True),
    ("attribute_type(ss, :t)", {":t": S("SS")}, None, True),
    ("attribute_type(ns, :t)", {":t": S("NS")}, None, True),
    ("attribute_type(bs, :t)", {":t": S("BS")}, None, True),
    ("attribute_type(ss, :t)", {":t": S("L")}, None, False),
    ("attribute_type(zz, :t)", {":t": S("S")}, None, False),
    ("attribute_type(:v, :t)", {":v": N(0), ":t": S("N")}, None, True),  # works on a value too [alternator]
    # ---- begins_with
    ("begins_with(s, :v)", {":v": S("ca")}, None, True),
    ("begins_with(s, :v)", {":v": S("cat")}, None, True),
    ("begins_with(s, :v)", {":v": S("dog")}, None, False),
    ("begins_with(b, :v)", {":v": B(b"ca")}, None, True),
    ("begins_with(n, :v)", {":v": S("1")}, None, False),   # item value of the wrong type: false
    ("begins_with(zz, :v)", {":v": S("1")}, None, False),
    ("begins_with(:v, s)", {":v": S("category")}, None, True),  # operands may be swapped [alternator]
    # ---- contains
    ("contains(s, :v)", {":v": S("at")}, None, True),
    ("contains(s, :v)", {":v": S("dog")}, None, False),
    ("contains(ss, :v)", {":v": S("hello")}, None, True),
    ("contains(ss, :v)", {":v": S("nope")}, None, False),
    ("contains(ns, :v)", {":v": N(2)}, None, True),
    ("contains(ns, :v)", {":v": S("2")}, None, False),
    ("contains(bs, :v)", {":v": B(b"xyz")}, None, True),
    ("contains(b, :v)", {":v": B(b"at")}, None, True),
    ("contains(l, :v)", {":v": N(42)}, None, True),
    ("contains(l, :v)", {":v": N(43)}, None, False),
    ("contains(nest, :v)", {":v": NS(2, 1)}, None, True),
    ("contains(nest, :v)", {":v": L(N(3), N(4))}, None, True),
    ("contains(nest, :v)", {":v": L(N(4), N(3))}, None, False),
    ("contains(b, :v)", {":v": NS(1)}, None, False),
    ("contains(zz, :v)", {":v": N(1)}, None, False),
    # ---- size
    ("size(s) = :v", {":v": N(3)}, None, True),
    ("size(es) = :v", {":v": N(0)}, None, True),
    ("size(b) = :v", {":v": N(3)}, None, True),
    ("size(ss) = :v", {":v": N(2)}, None, True),
    ("size(ns) = :v", {":v": N(3)}, None, True),
    ("size(l) = :v", {":v": N(2)}, None, True),
    ("size(mm) = :v", {":v": N(1)}, None, True),
    ("size(nest) = :v", {":v": N(3)}, None, True),
    ("size(m.deep.arr) = :v", {":v": N(2)}, None, True),
    ("size(n) = :v", {":v": N(1)}, None, False),           # no size for N, BOOL, NULL
    ("size(t) = :v", {":v": N(1)}, None, False),
    ("size(nul) = :v", {":v": N(1)}, None, False),
    ("size(zz) = :v", {":v": N(0)}, None, False),
    ("size(s) = :v", {":v": S("3")}, None, False),         # compared to a non-number: false
    ("size(ss) = two", None, None, True),
    ("size(s) <> :v", {":v": N(4)}, None, True),
    ("size(s) < :v", {":v": N(4)}, None, True),
    ("size(s) <= :v", {":v": N(3)}, None, True),
    ("size(s) > :v", {":v": N(3)}, None, False),
    ("size(s) >= :v", {":v": N(2)}, None, True),
    # ---- AND / OR / NOT, precedence, parentheses
    ("n = :one AND s = :cat", {":one": N(1), ":cat": S("cat")}, None, True),
    ("n = :one AND s = :dog", {":one": N(1), ":dog": S("dog")}, None, False),
    ("n = :one aNd s = :cat", {":one": N(1), ":cat": S("cat")}, None, True),
    ("n = :two OR s = :cat", {":two": N(2), ":cat": S("cat")}, None, True),
    ("n = :two oR s = :dog", {":two": N(2), ":dog": S("dog")}, None, False),
    ("NOT n = :two", {":two": N(2)}, None, True),
    ("nOt n = :one", {":one": N(1)}, None, False),
    ("NOT NOT NOT NOT n = :one", {":one": N(1)}, None, True),
    # AND before OR: T OR (F AND F) = T; grouping OR first would give F
    ("n < two OR two < n AND n10 < two", None, None, True),
    # NOT before OR: (NOT T) OR T = T; NOT over the whole OR would give F
    ("NOT n < two OR n < two", None, None, True),
    # NOT before AND: (NOT T) AND F = F; NOT over the whole AND would give T
    ("NOT n < two AND n10 < two", None, None, False),
    # the AND of BETWEEN is not a logical AND
    ("two BETWEEN n AND n10 AND n < two", None, None, True),
    ("(n = :two OR s = :cat) AND (attribute_exists(l) AND (n < two OR n10 < two))",
     {":two": N(2), ":cat": S("cat")}, None, True),
    ("n = :two OR (s = :cat AND n10 < two)", {":two": N(2), ":cat": S("cat")}, None, False),
    ("(attribute_exists(n)) AND (attribute_not_exists(zz))", None, None, True),  # [conformance conditionExpressionParens]
    ("(attribute_exists(n) AND (attribute_not_exists(zz)))", None, None, True),
    # ---- document paths and substitutions
    ("m.hello = :v", {":v": S("world")}, None, True),
    ("m.deep.arr[1].c = :v", {":v": S("yes")}, None, True),
    ("m.deep.arr[0].c = :v", {":v": S("yes")}, None, False),
    ("#m.#d.#a[1].#c = :v", {":v": S("yes")}, {"#m": "m", "#d": "deep", "#a": "arr", "#c": "c"}, True),
    ("#dot = :v", {":v": S("literal")}, {"#dot": "m.hello"}, True),   # one name = one path element
    ("#dot = :v", {":v": S("world")}, {"#dot": "m.hello"}, False),
    ("#st = :v", {":v": S("on")}, {"#st": "status"}, True),          # reserved word via a name
    ("#123 = :123", {":123": N(1)}, {"#123": "n"}, True),             # [alternator test_update_expression_name_token]
    ("#_ = :_", {":_": N(1)}, {"#_": "n"}, True),
    ("l[1] = :v", {":v": N(42)}, None, True),
    ("l[5] = :v", {":v": N(42)}, None, False),
    ("m.deep.arr.c = :v", {":v": S("yes")}, None, False),           # map step into a list: no value
    ("pk = :p", None, None, None),                                   # filled in by the test (key value)
    # short-circuiting must not make the untaken branch's names "unused" [alternator
    # test_update_condition_unused_entries_short_circuit]
    ("#a = :a OR #b = :b", {":a": N(1), ":b": N(2)}, {"#a": "n", "#b": "zz"}, True),
]


@pytest.mark.parametrize("cond,values,names,expected", MATRIX, ids=[f"{i:03d}:{c[0]}" for i, c in enumerate(MATRIX)])
def test_condition_matrix(ddb, hash_table, cond_item, cond, values, names, expected):
    if cond == "pk = :p":
        values, expected = {":p": cond_item["pk"]}, True
    assert put_holds(ddb, hash_table, cond_item, cond, values, names) is expected
    assert canon(get(ddb, hash_table, {"pk": cond_item["pk"]})) == canon(cond_item)


def test_in_accepts_99_operands(ddb, hash_table, cond_item):
    # [alternator test_update_condition_in]: 99 operands in the list (100 with
    # the left operand) are accepted; the [dev-guide] says "up to 100 values".
    values = {f":v{i}": N(i + 100) for i in range(99)}
    listed = ", ".join(values)
    assert put_holds(ddb, hash_table, cond_item, f"n IN ({listed})", values) is False
    values[":v50"] = N(1)
    assert put_holds(ddb, hash_table, cond_item, f"n IN ({listed})", values) is True


# --------------------------------------------------------------------------
# Conditions on each write operation
# --------------------------------------------------------------------------


def test_put_condition_success_and_failure(ddb, hash_table, endpoint):
    k = new_key("ce-put")
    ddb.put_item(TableName=hash_table, Item={**k, "v": N(1)}, ConditionExpression="attribute_not_exists(pk)")
    assert get(ddb, hash_table, k) == {**k, "v": N(1)}
    # Creating again fails; the wire body is exactly type + message
    # [dynalite helpers.js assertConditional; conformance conditionalCheck].
    r = raw_request(endpoint, "PutItem", {"TableName": hash_table, "Item": {**k, "v": {"N": "2"}},
                                          "ConditionExpression": "attribute_not_exists(pk)"})
    assert r.status_code == 400
    assert r.json() == {"__type": FULL_TYPES[CCF], "message": CCF_MSG}
    assert get(ddb, hash_table, k) == {**k, "v": N(1)}
    ddb.put_item(TableName=hash_table, Item={**k, "v": N(3)}, ConditionExpression="v = :old",
                 ExpressionAttributeValues={":old": N(1)})
    assert get(ddb, hash_table, k) == {**k, "v": N(3)}
    ccf(lambda: ddb.put_item(TableName=hash_table, Item={**k, "v": N(4)}, ConditionExpression="v = :old",
                             ExpressionAttributeValues={":old": N(1)}))
    assert get(ddb, hash_table, k) == {**k, "v": N(3)}


def test_update_condition_success_and_failure(ddb, hash_table):
    k = new_key("ce-upd")
    ddb.put_item(TableName=hash_table, Item={**k, "v": N(1), "w": S("keep")})
    ddb.update_item(TableName=hash_table, Key=k, UpdateExpression="SET v = :new", ConditionExpression="v = :old",
                    ExpressionAttributeValues={":new": N(2), ":old": N(1)})
    assert get(ddb, hash_table, k) == {**k, "v": N(2), "w": S("keep")}
    # A failed condition changes nothing [conformance conditionalCheck; alternator].
    ccf(lambda: ddb.update_item(TableName=hash_table, Key=k, UpdateExpression="SET v = :new REMOVE w",
                                ConditionExpression="v = :old",
                                ExpressionAttributeValues={":new": N(3), ":old": N(1)}))
    assert get(ddb, hash_table, k) == {**k, "v": N(2), "w": S("keep")}


def test_delete_condition_success_and_failure(ddb, hash_table):
    k = new_key("ce-del")
    ddb.put_item(TableName=hash_table, Item={**k, "a": N(1)})
    # [alternator test_delete_item_condition]
    ccf(lambda: ddb.delete_item(TableName=hash_table, Key=k, ConditionExpression="a = :v",
                                ExpressionAttributeValues={":v": N(2)}))
    assert get(ddb, hash_table, k) == {**k, "a": N(1)}
    ddb.delete_item(TableName=hash_table, Key=k, ConditionExpression="a = :v", ExpressionAttributeValues={":v": N(1)})
    assert get(ddb, hash_table, k) is None


@pytest.mark.parametrize("cond,names", [
    ("attribute_exists(pk)", None),
    ("attribute_exists(#a)", {"#a": "pk"}),
    ("a = :v", None),
    ("#a = :v", {"#a": "a"}),
])
@pytest.mark.parametrize("op", ["put", "update", "delete"])
def test_condition_against_missing_item_fails(ddb, hash_table, op, cond, names):
    # A missing item has no attributes: every exists/equality check is false
    # [dynalite updateItem.js 'expecting non-existent key to exist'].
    k = new_key("ce-missing")
    values = {":v": S("x")} if ":v" in cond else None
    kw = dict(ConditionExpression=cond, **expr_kwargs(values, names))
    if op == "put":
        ccf(lambda: ddb.put_item(TableName=hash_table, Item={**k, "a": S("x")}, **kw))
    elif op == "update":
        ccf(lambda: ddb.update_item(TableName=hash_table, Key=k, UpdateExpression="SET b = :b",
                                    **{**kw, "ExpressionAttributeValues": {**(values or {}), ":b": N(1)}}))
    else:
        ccf(lambda: ddb.delete_item(TableName=hash_table, Key=k, **kw))
    # ... and nothing is created.
    assert get(ddb, hash_table, k) is None


def test_condition_create_only_idioms(ddb, hash_table, endpoint):
    # attribute_not_exists(pk) and pk <> :p both hold for a missing item
    # [alternator test_update_item_condition_key_attribute_not_exists / _key_ne].
    k1, k2 = new_key("ce-idiom"), new_key("ce-idiom")
    ddb.update_item(TableName=hash_table, Key=k1, ConditionExpression="attribute_not_exists(pk)")
    assert get(ddb, hash_table, k1) == k1
    ccf(lambda: ddb.update_item(TableName=hash_table, Key=k1, ConditionExpression="attribute_not_exists(pk)"))
    ddb.update_item(TableName=hash_table, Key=k2, ConditionExpression="pk <> :p", ExpressionAttributeValues={":p": k2["pk"]})
    assert get(ddb, hash_table, k2) == k2
    ccf(lambda: ddb.update_item(TableName=hash_table, Key=k2, ConditionExpression="pk <> :p",
                                ExpressionAttributeValues={":p": k2["pk"]}))
    # Deleting a missing item under attribute_not_exists succeeds with {} [dynalite deleteItem.js].
    k3 = new_key("ce-idiom")
    r = raw_request(endpoint, "DeleteItem", {"TableName": hash_table, "Key": {"pk": {"S": k3["pk"]["S"]}},
                                             "ConditionExpression": "attribute_not_exists(pk)"})
    assert r.status_code == 200 and r.json() == {}


def test_condition_on_composite_key_table(ddb, composite_table):
    k = {"pk": S(unique_name("ce-comp")), "sk": S("1")}
    ddb.put_item(TableName=composite_table, Item={**k, "v": N(1)},
                 ConditionExpression="attribute_not_exists(pk) AND attribute_not_exists(sk)")
    ccf(lambda: ddb.put_item(TableName=composite_table, Item={**k, "v": N(2)},
                             ConditionExpression="attribute_not_exists(sk)"))
    # Another sort key under the same partition is another item.
    ddb.put_item(TableName=composite_table, Item={"pk": k["pk"], "sk": S("2")}, ConditionExpression="attribute_not_exists(pk)")


# --------------------------------------------------------------------------
# ReturnValuesOnConditionCheckFailure
# --------------------------------------------------------------------------


def _rvoccf_request(op, table, k, rv, cond_value):
    body = {"TableName": table, "ConditionExpression": "s = :v", "ReturnValuesOnConditionCheckFailure": rv}
    if op == "PutItem":
        body["Item"] = {**k, "s": {"S": "new"}}
        body["ExpressionAttributeValues"] = {":v": {"S": cond_value}}
    elif op == "UpdateItem":
        body["Key"] = k
        body["UpdateExpression"] = "SET s = :n"
        body["ExpressionAttributeValues"] = {":v": {"S": cond_value}, ":n": {"S": "new"}}
    else:
        body["Key"] = k
        body["ExpressionAttributeValues"] = {":v": {"S": cond_value}}
    return body


@pytest.mark.parametrize("op", ["PutItem", "UpdateItem", "DeleteItem"])
def test_return_values_on_condition_check_failure(ddb, hash_table, endpoint, op):
    k = {"pk": {"S": unique_name("rvoccf")}}
    # Missing item: the condition fails and there is no Item to return
    # [alternator test_*_returnvalues_on_condition_check_failure].
    r = raw_request(endpoint, op, _rvoccf_request(op, hash_table, k, "ALL_OLD", "dog"))
    assert r.status_code == 400 and r.json() == {"__type": FULL_TYPES[CCF], "message": CCF_MSG}

    old = {**k, "s": {"S": "cat"}, "n": {"N": "7"}, "m": {"M": {"x": {"L": [{"BOOL": True}]}}}}
    ddb.put_item(TableName=hash_table, Item=old)
    # ALL_OLD: the whole stored item rides on the error as `Item`
    # [alternator; conformance conditionalCheck 'ALL_OLD returns item in error'; api-ref].
    r = raw_request(endpoint, op, _rvoccf_request(op, hash_table, k, "ALL_OLD", "dog"))
    assert r.status_code == 400
    assert r.json() == {"__type": FULL_TYPES[CCF], "message": CCF_MSG, "Item": old}
    # botocore models it too: ConditionalCheckFailedException has members message and Item.
    body = _rvoccf_request(op, hash_table, k, "ALL_OLD", "dog")
    fn = {"PutItem": ddb.put_item, "UpdateItem": ddb.update_item, "DeleteItem": ddb.delete_item}[op]
    resp = ccf(lambda: fn(**body))
    assert resp.get("Item") == old
    # NONE (the default): no Item.
    r = raw_request(endpoint, op, _rvoccf_request(op, hash_table, k, "NONE", "dog"))
    assert r.status_code == 400 and r.json() == {"__type": FULL_TYPES[CCF], "message": CCF_MSG}
    assert get(ddb, hash_table, k) == old
    # A successful write returns neither Item nor Attributes.
    r = raw_request(endpoint, op, _rvoccf_request(op, hash_table, k, "ALL_OLD", "cat"))
    assert r.status_code == 200 and r.json() == {}


@pytest.mark.parametrize("rv", ["UPDATED_OLD", "ALL_NEW", "UPDATED_NEW", "all_old", "DOG"])
def test_return_values_on_condition_check_failure_enum(ddb, hash_table, rv):
    # Only ALL_OLD and NONE exist [alternator test_validation_of_returnvalues_on_condition_check_failure; botocore model].
    # UNCONFIRMED wording (presumably the coral enum message naming
    # 'returnValuesOnConditionCheckFailure'); only the parameter name is pinned.
    k = new_key("rvoccf-enum")
    msg = re.compile(r"(?i)returnValuesOnConditionCheckFailure")
    expect_error(lambda: ddb.put_item(TableName=hash_table, Item=k, ConditionExpression="attribute_not_exists(pk)",
                                      ReturnValuesOnConditionCheckFailure=rv), VE, msg)
    assert get(ddb, hash_table, k) is None


# --------------------------------------------------------------------------
# ConditionExpression validation errors (exact bodies over raw HTTP)
# --------------------------------------------------------------------------

IC = "Invalid ConditionExpression: "

# (id, condition, values, names, expected message: str exact (envelope optional) or regex)
COND_ERRORS = [
    ("empty", "", None, None,
     # [dynalite putItem.js 'empty ConditionExpression'; conformance deleteItem envelope capture]
     aws_message(IC + "The expression can not be empty;")),
    ("eof-after-paren", "attribute_not_exists(", None, None,
     # [conformance transactWriteItems error-messages, ConditionCheck]
     aws_message(IC + 'Syntax error; token: "<EOF>", near: "("')),
    ("double-equals", "a = = b", None, None,
     # [conformance validation-ordering 'Deep requests' SYNTAX constant]
     aws_message(IC + 'Syntax error; token: "=", near: "= = b"')),
    ("bare-path", "foo", None, None,
     # [lowvoltage: real DynamoDB and DynamoDB Local give the same text]
     aws_message(IC + 'Syntax error; token: "<EOF>", near: "foo"')),
    ("underscore-name", "attribute_not_exists(_c)", None, None,
     # [dynalite putItem.js 'path token starts with underscore' (prefix only);
     # alternator quotes token "_" for UpdateExpression]. near: UNCONFIRMED
     aws_message(IC + 'Syntax error; token: "_"', suffix=r", near: .*")),
    ("empty-in", "n IN ()", None, None,
     # [alternator test_update_condition_in: 'ValidationException.*yntax error']; token/near UNCONFIRMED
     aws_message(IC + "Syntax error; ", suffix=r".*")),
    ("undefined-value", "n = :nope", None, None,
     # [conformance updateItem 'missing ExpressionAttributeValues reference' (UpdateExpression form)]
     aws_message(IC + "An expression attribute value used in expression is not defined; attribute value: :nope")),
    ("undefined-name", "#nope = :v", {":v": {"N": "1"}}, None,
     # [conformance scan ProjectionExpression capture; dynalite updateItem.js regex]
     aws_message(IC + "An expression attribute name used in the document path is not defined; attribute name: #nope")),
    ("unused-value", "n = :v", {":v": {"N": "1"}, ":extra": {"N": "2"}}, None,
     # [conformance updateItem 'unused ExpressionAttributeValues'; alternator test_update_condition_unused_entries_*]
     aws_message("Value provided in ExpressionAttributeValues unused in expressions: keys: {:extra}")),
    ("unused-name", "n = :v", {":v": {"N": "1"}}, {"#x": "n"},
     aws_message("Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}")),
    ("reserved-word", "status = :v", {":v": {"S": "on"}}, None,
     # [conformance reservedWords (/reserved keyword/); dynalite updateItem.js gives the full wording]
     aws_message(IC + "Attribute name is a reserved keyword; reserved keyword: status")),
    ("reserved-word-case-kept", "StAtUs = :v", {":v": {"S": "on"}}, None,
     # the keyword is echoed as written [dynalite updateItem.js 'abOrt']
     aws_message(IC + "Attribute name is a reserved keyword; reserved keyword: StAtUs")),
    ("unknown-function", "dog(n) = :v", {":v": {"N": "1"}}, None,
     # [alternator test_update_condition_other_funcs; dynalite wording 'Invalid function name; function: ']
     aws_message(IC + "Invalid function name; function: dog")),
    ("function-name-case", "ATTRIBUTE_EXISTS(n)", None, None,
     # function names are case-sensitive [alternator test_update_expression_list_append_basic note; dev-guide]
     aws_message(IC + "Invalid function name; function: ATTRIBUTE_EXISTS")),
    ("size-alone", "size(s)", None, None,
     # [alternator test_update_condition_size_alone quotes the text]
     aws_message(IC + "The function is not allowed to be used this way in an expression; function: size")),
    ("exists-in-comparison", "attribute_exists(n) < :v", {":v": {"N": "1"}}, None,
     # [alternator test_update_condition_attribute_exists_in_comparison]; wording UNCONFIRMED
     re.compile(r"not allowed")),
    ("if-not-exists-in-condition", "if_not_exists(n, n) = :v", {":v": {"N": "1"}}, None,
     re.compile(r"not allowed")),  # [alternator test_update_condition_other_funcs]
    ("list-append-in-condition", "list_append(l, l) = :v", {":v": {"N": "1"}}, None,
     re.compile(r"not allowed")),  # [alternator test_update_condition_other_funcs]
    ("exists-needs-path", "attribute_exists(:v)", {":v": {"N": "1"}}, None,
     # [alternator 'ValidationException.*path'; dynalite wording for if_not_exists] — UNCONFIRMED exact
     re.compile(r"Operator or function requires a document path; operator or function: attribute_exists")),
    ("attribute-type-second-arg-path", "attribute_type(n, s)", None, None,
     None),  # [alternator test_update_condition_attribute_type_second_arg] — wording UNCONFIRMED
    ("attribute-type-unknown", "attribute_type(n, :t)", {":t": {"S": "DOG"}}, None,
     # [alternator 'ValidationException.*DOG']; full text ("Invalid attribute type name
     # found; type: DOG, valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }") UNCONFIRMED
     re.compile(r"DOG")),
    ("begins-with-number", "begins_with(s, :v)", {":v": {"N": "2"}}, None,
     # [conformance scan 'begins_with with non-string operand' (FilterExpression, same grammar)]
     aws_message(IC + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")),
    ("begins-with-number-missing-attr", "begins_with(zz, :v)", {":v": {"N": "2"}}, None,
     # checked before evaluation, even when the path is missing [alternator test_update_condition_begins_with]
     aws_message(IC + "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")),
    ("contains-same-operand", "contains(#a, #a)", None, {"#a": "s"},
     # [conformance putItem error-messages 'contains() with duplicate path and operand']
     aws_message(IC + "The first operand must be distinct from the remaining operands for this operator "
                 "or function; operator: contains, first operand: [s]")),
    ("size-two-operands", "size(s, s) = :v", {":v": {"N": "1"}}, None,
     # [alternator 'ValidationException.*2'; dynalite wording for update functions]
     re.compile(r"Incorrect number of operands for operator or function; operator or function: size, number of operands: 2")),
    ("compare-with-list-constant", "n < :v", {":v": {"L": [{"N": "1"}]}}, None,
     None),  # [alternator test_update_condition_lt: a constant of an unorderable type is an error]; wording UNCONFIRMED
    ("between-reversed-constants", "n BETWEEN :a AND :b", {":a": {"N": "2"}, ":b": {"N": "1"}}, None,
     # [alternator test_update_condition_between]; wording ("The BETWEEN operator requires upper
     # bound to be greater than or equal to lower bound; ...") UNCONFIRMED beyond this fragment
     re.compile(r"BETWEEN")),
    ("between-mixed-constants", "n BETWEEN :a AND :b", {":a": {"N": "2"}, ":b": {"S": "dog"}}, None,
     None),  # [alternator test_update_condition_between]; wording UNCONFIRMED
    ("redundant-parentheses", "((attribute_not_exists(pk)))", None, None,
     # [conformance putItem error-messages 'redundant parentheses']
     aws_message(IC + "The expression has redundant parentheses;")),
    ("too-long", "n = :v" + " AND n = :v" * 373, {":v": {"N": "1"}}, None,
     # 4,109 characters [conformance validation-ordering 'oversized condition']
     aws_message(IC + "Expression size has exceeded the maximum allowed size; expression size: 4109")),
]


@pytest.mark.parametrize("cond,values,names,message", [c[1:] for c in COND_ERRORS], ids=[c[0] for c in COND_ERRORS])
def test_condition_expression_errors_put(ddb, hash_table, endpoint, cond_item, cond, values, names, message):
    body = {"TableName": hash_table, "Item": to_wire(cond_item), "ConditionExpression": cond}
    if values is not None:
        body["ExpressionAttributeValues"] = values
    if names is not None:
        body["ExpressionAttributeNames"] = names
    r = raw_request(endpoint, "PutItem", body)
    assert_error(r, VE, message)
    assert canon(get(ddb, hash_table, {"pk": cond_item["pk"]})) == canon(cond_item)


def test_expression_of_exactly_4kb_is_accepted(ddb, hash_table, cond_item):
    # The limit is 4 KB of expression text [dev-guide "Expression parameters"
    # limits]; 4,109 characters are refused (above). 4,096 characters pass
    # (padded with whitespace so no operator-count limit can interfere).
    cond = "n = :v" + " " * 4090
    assert len(cond) == 4096
    assert put_holds(ddb, hash_table, cond_item, cond, {":v": N(1)}) is True


@pytest.mark.parametrize("op", ["PutItem", "UpdateItem", "DeleteItem"])
@pytest.mark.parametrize("case", ["unused-value", "unused-name", "undefined-name", "undefined-value", "syntax"])
def test_condition_errors_every_operation(ddb, hash_table, endpoint, op, case):
    # The same checks run for all three writes, whether or not the condition
    # would hold [alternator test_update_condition_unused_entries_failed/_succeeded].
    k = {"pk": {"S": unique_name("ce-err-op")}}
    ddb.put_item(TableName=hash_table, Item={"pk": S(k["pk"]["S"]), "a": N(1)})
    cond, values, names, message = {
        "unused-value": ("#a = :v", {":v": {"N": "1"}, ":val3": {"N": "3"}}, {"#a": "a"},
                         aws_message("Value provided in ExpressionAttributeValues unused in expressions: keys: {:val3}")),
        "unused-name": ("#a = :v", {":v": {"N": "1"}}, {"#a": "a", "#name3": "c"},
                        aws_message("Value provided in ExpressionAttributeNames unused in expressions: keys: {#name3}")),
        "undefined-name": ("#b = :v", {":v": {"N": "1"}}, None,
                           aws_message(IC + "An expression attribute name used in the document path is not defined; "
                                       "attribute name: #b")),
        "undefined-value": ("a = :w", None, None,
                            aws_message(IC + "An expression attribute value used in expression is not defined; "
                                        "attribute value: :w")),
        "syntax": ("attribute_not_exists(", None, None, aws_message(IC + 'Syntax error; token: "<EOF>", near: "("')),
    }[case]
    body = {"TableName": hash_table, "ConditionExpression": cond}
    if op == "PutItem":
        body["Item"] = {**k, "a": {"N": "2"}}
    else:
        body["Key"] = k
    if op == "UpdateItem":
        body["UpdateExpression"] = "SET z = :z"
        values = {**(values or {}), ":z": {"N": "9"}}
    if values is not None:
        body["ExpressionAttributeValues"] = values
    if names is not None:
        body["ExpressionAttributeNames"] = names
    assert_error(raw_request(endpoint, op, body), VE, message)
    assert get(ddb, hash_table, {"pk": S(k["pk"]["S"])}) == {"pk": S(k["pk"]["S"]), "a": N(1)}


@pytest.mark.parametrize("op", ["PutItem", "DeleteItem", "UpdateItem"])
def test_expression_attribute_maps_validation(ddb, hash_table, endpoint, op):
    k = {"pk": {"S": unique_name("ce-maps")}}

    def body(**extra):
        b = {"TableName": hash_table, **extra}
        if op == "PutItem":
            b["Item"] = k
        else:
            b["Key"] = k
        return b

    cond = {"ConditionExpression": "attribute_not_exists(a)"}
    # Empty maps [dynalite putItem.js/updateItem.js; conformance deleteItem envelope capture].
    assert_error(raw_request(endpoint, op, body(**cond, ExpressionAttributeValues={})), VE,
                 aws_message("ExpressionAttributeValues must not be empty"))
    assert_error(raw_request(endpoint, op, body(**cond, ExpressionAttributeNames={})), VE,
                 aws_message("ExpressionAttributeNames must not be empty"))
    # Keys without their sigil [dynalite putItem.js 'invalid ExpressionAttributeNames/Values'].
    assert_error(raw_request(endpoint, op, body(**cond, ExpressionAttributeNames={"a": "a"})), VE,
                 aws_message('ExpressionAttributeNames contains invalid key: Syntax error; key: "a"'))
    assert_error(raw_request(endpoint, op, body(**cond, ExpressionAttributeValues={"v": {"S": "a"}})), VE,
                 aws_message('ExpressionAttributeValues contains invalid key: Syntax error; key: "v"'))
    # An invalid value names its key [dynalite updateItem.js 'invalid values in ExpressionAttributeValues'].
    assert_error(raw_request(endpoint, op, body(ConditionExpression="a = :b",
                                                ExpressionAttributeValues={":b": {"SS": []}})), VE,
                 aws_message("ExpressionAttributeValues contains invalid value: One or more parameter values were "
                             "invalid: An string set  may not be empty for key :b"))
    # Maps without any expression. The 2026 captures have no "...: X is null"
    # suffix after the ExpressionAttributeValues message; dynalite recorded one
    # (": ConditionExpression is null" style) — UNCONFIRMED, both accepted
    # [conformance deleteItem 'request validation envelope'; dynalite updateItem.js].
    assert_error(raw_request(endpoint, op, body(ExpressionAttributeValues={":v": {"S": "x"}})), VE,
                 aws_message("ExpressionAttributeValues can only be specified when using expressions",
                             suffix=r"(?:: .* (?:is|are) null)?"))
    assert_error(raw_request(endpoint, op, body(ExpressionAttributeNames={"#a": "a"})), VE,
                 aws_message("ExpressionAttributeNames can only be specified when using expressions"))
    assert get(ddb, hash_table, {"pk": S(k["pk"]["S"])}) is None


@pytest.mark.parametrize("op", ["PutItem", "DeleteItem"])
def test_mixing_expected_and_condition_expression(ddb, hash_table, endpoint, op):
    k = {"pk": {"S": unique_name("ce-mix")}}
    b = {"TableName": hash_table, "Expected": {"pk": {"Exists": False}}, "ConditionExpression": "attribute_not_exists(pk)"}
    b["Item" if op == "PutItem" else "Key"] = k
    # [conformance putItem/deleteItem error-messages 'mixing ... full conflict error']
    assert_error(raw_request(endpoint, op, b), VE, aws_message(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"))
    assert get(ddb, hash_table, {"pk": S(k["pk"]["S"])}) is None


def test_condition_expression_with_attribute_updates_rejected(ddb, hash_table):
    # A ConditionExpression cannot guard legacy AttributeUpdates
    # [alternator test_condition_expression_attribute_updates:
    # 'ValidationException.*ConditionExpression']. The exact text presumably
    # follows the family above ({AttributeUpdates} / {ConditionExpression}) — UNCONFIRMED.
    k = new_key("ce-mix-au")
    expect_error(lambda: ddb.update_item(TableName=hash_table, Key=k,
                                         AttributeUpdates={"a": {"Value": N(1), "Action": "PUT"}},
                                         ConditionExpression="a = :old", ExpressionAttributeValues={":old": N(2)}),
                 VE, re.compile(r"^(?:1 validation error detected: )?Can not use both expression and non-expression "
                                r"parameters in the same request: .*ConditionExpression"))
    assert get(ddb, hash_table, k) is None


def test_invalid_return_values_checked_before_condition(ddb, hash_table):
    # PutItem supports only NONE and ALL_OLD. UNCONFIRMED wording: dynalite and
    # the 2026 captures (DeleteItem) say "ReturnValues can only be ALL_OLD or
    # NONE", moto's AWS-derived tests say "Return values set to invalid value";
    # both accepted, with or without the envelope.
    k = new_key("ce-rv")
    msg = re.compile(r"^(?:1 validation error detected: )?(?:ReturnValues can only be ALL_OLD or NONE|"
                     r"Return values set to invalid value)$")
    for rv in ("ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"):
        expect_error(lambda: ddb.put_item(TableName=hash_table, Item=k, ReturnValues=rv,
                                          ConditionExpression="attribute_not_exists(pk)"), VE, msg)
        expect_error(lambda: ddb.delete_item(TableName=hash_table, Key=k, ReturnValues=rv,
                                             ConditionExpression="attribute_exists(pk)"), VE, msg)
    assert get(ddb, hash_table, k) is None


# --------------------------------------------------------------------------
# ProjectionExpression on GetItem
# --------------------------------------------------------------------------

PROJ_ITEM = {
    "a": M(b=L(N(2), N(4), M(x=S("hi"), y=S("yo"))), c=N(5)),
    "b": S("hello"),
    "l": L(S("l0"), S("l1"), S("l2")),
    "a.b": S("dotted"),
    "status": S("on"),
}


@pytest.fixture(scope="module")
def proj_key(ddb, hash_table):
    k = {"pk": S(unique_name("proj"))}
    ddb.put_item(TableName=hash_table, Item={**k, **PROJ_ITEM})
    return k


# (projection, names, expected Item)
# [alternator test_projection_expression_toplevel/_path/_path_references/_path_dot;
#  conformance getItem projectionValidation 'compacted and index-ordered']
PROJECTIONS = [
    ("b", None, {"b": S("hello")}),
    ("#n", {"#n": "b"}, {"b": S("hello")}),
    ("a.c,b", None, {"a": M(c=N(5)), "b": S("hello")}),
    ("  a.c ,   b  ", None, {"a": M(c=N(5)), "b": S("hello")}),
    ("a", None, {"a": PROJ_ITEM["a"]}),
    ("a.b", None, {"a": M(b=PROJ_ITEM["a"]["M"]["b"])}),
    ("a.b[0]", None, {"a": M(b=L(N(2)))}),
    ("a.b[2]", None, {"a": M(b=L(M(x=S("hi"), y=S("yo"))))}),
    ("a.b[2].y", None, {"a": M(b=L(M(y=S("yo"))))}),
    ("a.b[0], a.b[1]", None, {"a": M(b=L(N(2), N(4)))}),
    ("a.b[0], a.c", None, {"a": M(b=L(N(2)), c=N(5))}),
    ("#l[2], #l[0]", {"#l": "l"}, {"l": L(S("l0"), S("l2"))}),     # compacted, index order
    ("l[1], l[7]", None, {"l": L(S("l1"))}),
    ("#a.#b", {"#a": "a", "#b": "c"}, {"a": M(c=N(5))}),
    ("#d", {"#d": "a.b"}, {"a.b": S("dotted")}),                  # a name is one path element
    ("pk, #s", {"#s": "status"}, None),                           # filled in by the test
    ("x", None, {}),                                              # nothing matches: empty Item
    ("a.b[3]", None, {}),
    ("a.x", None, {}),
    ("a.x.y", None, {}),
    ("a.b.x", None, {}),                                          # map step on a list
    ("a[0]", None, {}),                                           # index on a map
    ("a.b[0][0]", None, {}),
    ("a.x, a.b[0], x, a.b[3].x", None, {"a": M(b=L(N(2)))}),
]


@pytest.mark.parametrize("proj,names,expected", PROJECTIONS, ids=[p[0] for p in PROJECTIONS])
def test_get_item_projection(ddb, hash_table, endpoint, proj_key, proj, names, expected):
    if expected is None:
        expected = {**proj_key, "status": S("on")}
    kw = {"ProjectionExpression": proj}
    if names:
        kw["ExpressionAttributeNames"] = names
    got = ddb.get_item(TableName=hash_table, Key=proj_key, ConsistentRead=True, **kw)
    assert got["Item"] == expected
    if expected == {}:
        # On the wire an existing item whose projection is empty is `"Item": {}`
        # [alternator: get_item(...)['Item'] == {}].
        body = {"TableName": hash_table, "Key": {"pk": {"S": proj_key["pk"]["S"]}}, "ProjectionExpression": proj,
                "ConsistentRead": True}
        r = raw_request(endpoint, "GetItem", body)
        assert r.status_code == 200 and r.json() == {"Item": {}}


def test_projection_of_missing_item(endpoint, hash_table):
    r = raw_request(endpoint, "GetItem", {"TableName": hash_table, "Key": {"pk": {"S": unique_name("proj-missing")}},
                                          "ProjectionExpression": "a, b.c[1]"})
    assert r.status_code == 200 and r.json() == {}


def test_projection_does_not_reduce_read_capacity(ddb, hash_table):
    # Reads are charged on the whole item, projected or not [dev-guide "Capacity
    # unit consumption for reads": the item size, not the returned size].
    k = new_key("proj-cc")
    ddb.put_item(TableName=hash_table, Item=pad_item(k, 9000))
    r = ddb.get_item(TableName=hash_table, Key=k, ConsistentRead=True, ProjectionExpression="pk",
                     ReturnConsumedCapacity="TOTAL")
    assert r["Item"] == k
    assert r["ConsumedCapacity"]["CapacityUnits"] == read_units(9000, True)


PE = "Invalid ProjectionExpression: "
OVERLAP = "Two document paths overlap with each other; must remove or rewrite one of these paths; "
CONFLICT = "Two document paths conflict with each other; must remove or rewrite one of these paths; "

PROJ_ERRORS = [
    # [conformance scan ProjectionExpression rejection messages (exact, same grammar as GetItem)]
    ("a, a", None, aws_message(PE + OVERLAP + "path one: [a], path two: [a]")),
    ("#x, #y", {"#x": "a", "#y": "a"}, aws_message(PE + OVERLAP + "path one: [a], path two: [a]")),
    ("a, a.b", None, aws_message(PE + OVERLAP + "path one: [a], path two: [a, b]")),
    # rendering of list indexes per [alternator test_projection_expression_path comment quoting AWS]
    ("a.b[0],a.b[0]", None, aws_message(PE + OVERLAP + "path one: [a, b, [0]], path two: [a, b, [0]]")),
    # [alternator test_projection_expression_path_conflict comment quoting AWS]
    ("a.b, a[1]", None, aws_message(PE + CONFLICT + "path one: [a, b], path two: [a, [1]]")),
    ("#undef", None, aws_message(PE + "An expression attribute name used in the document path is not defined; "
                                      "attribute name: #undef")),
    ("#n", {"#n": "a", "#unused": "b"}, aws_message("Value provided in ExpressionAttributeNames unused in expressions: "
                                                     "keys: {#unused}")),
    ("pk, status", None, aws_message(PE + "Attribute name is a reserved keyword; reserved keyword: status")),
    # [alternator test_projection_expression_toplevel_syntax quotes "The expression can not be empty"]
    ("", None, aws_message(PE + "The expression can not be empty;")),
    # syntax errors: type only pinned [alternator]; exact token/near UNCONFIRMED
    ("a,", None, aws_message(PE + "Syntax error; ", suffix=".*")),
    (",a", None, aws_message(PE + "Syntax error; ", suffix=".*")),
    ("a,,b", None, aws_message(PE + "Syntax error; ", suffix=".*")),
    ("a[:i]", None, aws_message(PE + "Syntax error; ", suffix=".*")),
]


@pytest.mark.parametrize("proj,names,message", PROJ_ERRORS, ids=[p[0] or "<empty>" for p in PROJ_ERRORS])
def test_get_item_projection_errors(endpoint, hash_table, proj_key, proj, names, message):
    body = {"TableName": hash_table, "Key": {"pk": {"S": proj_key["pk"]["S"]}}, "ProjectionExpression": proj}
    if names is not None:
        body["ExpressionAttributeNames"] = names
    assert_error(raw_request(endpoint, "GetItem", body), VE, message)


@pytest.mark.parametrize("proj", ["a.b, a.b", "a[1], a[1]", "a.b, a", "a.b, a.b[2]", "a.b, a.b.c", "a, a.b[2].c",
                                  "a.b.d, a.b", "a.b.d.e, a.b", "a.b, a.b.d.e"])
def test_projection_overlaps_are_symbolic(endpoint, hash_table, proj):
    # Checked on the paths alone, whether or not the item exists
    # [alternator test_projection_expression_path_overlap].
    body = {"TableName": hash_table, "Key": {"pk": {"S": unique_name("proj-ov")}}, "ProjectionExpression": proj}
    assert_error(raw_request(endpoint, "GetItem", body), VE, re.compile(r"Invalid ProjectionExpression: Two document paths overlap"))


@pytest.mark.parametrize("proj", ["a, b", "a.b, a.c", "a.b.d, a.b.e", "a[1], a[2]", "a.b, a.c[2]", "a.b, a.c[1]"])
def test_projection_non_overlapping_paths_accepted(ddb, hash_table, proj):
    # [alternator test_projection_expression_path_overlap / _conflict non-cases]
    ddb.get_item(TableName=hash_table, Key=new_key("proj-ok"), ProjectionExpression=proj)


def test_projection_expression_and_attributes_to_get_rejected(endpoint, hash_table, proj_key):
    # [alternator test_projection_expression_and_attributes_to_get quotes the text]
    body = {"TableName": hash_table, "Key": {"pk": {"S": proj_key["pk"]["S"]}}, "ProjectionExpression": "a",
            "AttributesToGet": ["b"]}
    assert_error(raw_request(endpoint, "GetItem", body), VE, aws_message(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"))


def test_projection_names_without_expression(endpoint, hash_table):
    # [dynalite batchGetItem.js/getItem.js; conformance deleteItem envelope]
    body = {"TableName": hash_table, "Key": {"pk": {"S": "x"}}, "ExpressionAttributeNames": {"#a": "a"}}
    assert_error(raw_request(endpoint, "GetItem", body), VE,
                 aws_message("ExpressionAttributeNames can only be specified when using expressions"))


# --------------------------------------------------------------------------
# Concurrency: conditions and read-modify-write updates are atomic per item
# --------------------------------------------------------------------------

THREADS = 8


def _run_threads(n, target):
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def wrap(i):
        try:
            start.wait(timeout=30)
            target(i)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=wrap, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "worker threads hung"
    return errors


def test_concurrent_counter_increments_are_not_lost(server, hash_table):
    ddb = server.client()
    k = new_key("conc-counter")
    ddb.put_item(TableName=hash_table, Item={**k, "c": N(0)})
    per_thread = 50

    def work(i):
        c = server.client()
        for _ in range(per_thread):
            c.update_item(TableName=hash_table, Key=k, UpdateExpression="SET c = c + :one",
                          ExpressionAttributeValues={":one": N(1)})

    errors = _run_threads(THREADS, work)
    assert not errors, errors[:3]
    assert get(ddb, hash_table, k) == {**k, "c": N(THREADS * per_thread)}


def test_concurrent_add_creates_and_counts(server, hash_table):
    # ADD on a missing item starts from 0 [api-ref UpdateItem "ADD"], and
    # concurrent ADDs on a not-yet-existing item must all land.
    ddb = server.client()
    k = new_key("conc-add")
    per_thread = 25

    def work(i):
        c = server.client()
        for _ in range(per_thread):
            c.update_item(TableName=hash_table, Key=k, UpdateExpression="ADD c :one",
                          ExpressionAttributeValues={":one": N(1)})

    errors = _run_threads(THREADS, work)
    assert not errors, errors[:3]
    assert get(ddb, hash_table, k) == {**k, "c": N(THREADS * per_thread)}


def test_concurrent_create_if_absent_has_one_winner(server, hash_table):
    ddb = server.client()
    k = new_key("conc-race")
    n = 16
    outcomes: dict[int, str] = {}

    def work(i):
        c = server.client()
        try:
            c.put_item(TableName=hash_table, Item={**k, "owner_id": N(i)}, ConditionExpression="attribute_not_exists(pk)")
            outcomes[i] = "won"
        except ClientError as e:
            assert e.response["Error"]["Code"] == CCF, e.response["Error"]
            assert e.response["Error"]["Message"] == CCF_MSG
            outcomes[i] = "lost"

    errors = _run_threads(n, work)
    assert not errors, errors[:3]
    winners = [i for i, o in outcomes.items() if o == "won"]
    assert len(outcomes) == n and len(winners) == 1, outcomes
    assert get(ddb, hash_table, k) == {**k, "owner_id": N(winners[0])}


def test_concurrent_optimistic_locking(server, hash_table):
    # Read-then-conditional-write loops (version check) lose no increments.
    ddb = server.client()
    k = new_key("conc-optimistic")
    ddb.put_item(TableName=hash_table, Item={**k, "ver": N(0)})
    per_thread = 10
    threads = 4

    def work(i):
        c = server.client()
        done = 0
        while done < per_thread:
            cur = c.get_item(TableName=hash_table, Key=k, ConsistentRead=True)["Item"]["ver"]["N"]
            try:
                c.put_item(TableName=hash_table, Item={**k, "ver": N(int(cur) + 1)}, ConditionExpression="ver = :cur",
                           ExpressionAttributeValues={":cur": N(cur)})
                done += 1
            except ClientError as e:
                if e.response["Error"]["Code"] != CCF:
                    raise

    errors = _run_threads(threads, work)
    assert not errors, errors[:3]
    assert get(ddb, hash_table, k) == {**k, "ver": N(threads * per_thread)}


def test_raw_item_helper_round_trips(ddb, hash_table, endpoint, cond_item):
    # Guard for the helper the raw error tests use: a raw PutItem of the
    # converted item stores exactly the same item (plain PutItem, no expressions).
    k = {"pk": S(unique_name("raw-rt"))}
    item = {**cond_item, **k}
    r = raw_request(endpoint, "PutItem", {"TableName": hash_table, "Item": to_wire(item)})
    assert r.status_code == 200, r.text
    assert canon(get(ddb, hash_table, k)) == canon(item)

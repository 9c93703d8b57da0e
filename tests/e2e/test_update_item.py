"""UpdateItem with UpdateExpression: SET (arithmetic, list_append,
if_not_exists, document paths), REMOVE (including list elements), ADD, DELETE;
item creation; every ReturnValues mode with AWS's projections of updated
nested paths; key-attribute protection; the 400 KB limit on the result;
ConsumedCapacity; and the UpdateExpression validation errors.

Source abbreviations used in comments:
  [alternator]  scylladb/scylladb test/alternator/test_update_expression.py and
                test_returnvalues.py — run against real AWS; comments there quote
                AWS's messages
  [dynalite]    architect/dynalite test/updateItem.js, written against real AWS
  [conformance] nubo-db/dynamodb-conformance, multi-region captures of real AWS (2026)
  [api-ref]     AWS DynamoDB API Reference (UpdateItem, AttributeValueUpdate)
  [dev-guide]   AWS DynamoDB Developer Guide ("Update expressions")

Messages marked UNCONFIRMED were not found verbatim in a capture of real AWS;
those assertions pin only the error type or a fragment.
"""

from __future__ import annotations

import re
import uuid

import pytest

from awsrules import (
    MAX_ITEM_BYTES,
    UPDATE_BASE_COST,
    UPDATE_SET_COST,
    item_bytes,
    pad_item,
    update_item_ceiling,
    write_units,
)
from conftest import (
    BOOL,
    BS,
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
    create_table,
    expect_error,
    raw_request,
    unique_name,
)

VE = "ValidationException"
IU = "Invalid UpdateExpression: "
NO_SUCH_ATTR = "The provided expression refers to an attribute that does not exist in the item"  # [dynalite]
BAD_PATH = "The document path provided in the update expression is invalid for update"  # [dynalite]
BAD_TYPE = "An operand in the update expression has an incorrect data type"  # [dynalite]
TOO_BIG = "Item size to update has exceeded the maximum allowed size"  # [dynalite; conformance itemSizeBySurface]


def new_key(prefix: str = "u") -> dict:
    return {"pk": S(unique_name(prefix))}


def get(ddb, table, k):
    return ddb.get_item(TableName=table, Key=k, ConsistentRead=True).get("Item")


def upd(ddb, table, k, expr, values=None, names=None, **kw):
    if values is not None:
        kw["ExpressionAttributeValues"] = values
    if names is not None:
        kw["ExpressionAttributeNames"] = names
    return ddb.update_item(TableName=table, Key=k, UpdateExpression=expr, **kw)


def invalid(fn, message=None):
    return expect_error(fn, VE, message)


# --------------------------------------------------------------------------
# Item creation and merging
# --------------------------------------------------------------------------


def test_update_creates_missing_item(ddb, hash_table, endpoint):
    k = {"pk": {"S": unique_name("u-create")}}
    # [conformance updateItem basic 'creates an item when it does not exist (upsert)']
    r = raw_request(endpoint, "UpdateItem", {"TableName": hash_table, "Key": k, "UpdateExpression": "SET a = :v",
                                             "ExpressionAttributeValues": {":v": {"S": "x"}}})
    assert r.status_code == 200 and r.json() == {}
    assert get(ddb, hash_table, {"pk": S(k["pk"]["S"])}) == {"pk": S(k["pk"]["S"]), "a": S("x")}


def test_update_without_any_action_creates_key_only_item(ddb, hash_table, endpoint):
    # [dynalite updateItem.js 'should just add item with key if no action' /
    # 'should return empty when there are no old values']
    k = {"pk": {"S": unique_name("u-noaction")}}
    r = raw_request(endpoint, "UpdateItem", {"TableName": hash_table, "Key": k, "ReturnValues": "ALL_OLD"})
    assert r.status_code == 200 and r.json() == {}
    assert get(ddb, hash_table, {"pk": S(k["pk"]["S"])}) == {"pk": S(k["pk"]["S"])}


def test_update_merges_into_existing_item(ddb, hash_table):
    # UpdateItem merges; it does not replace like PutItem [alternator test_update_expression_set_merge].
    k = new_key("u-merge")
    ddb.put_item(TableName=hash_table, Item={**k, "a": S("hi")})
    upd(ddb, hash_table, k, "SET b = :v", {":v": S("hello")})
    assert get(ddb, hash_table, k) == {**k, "a": S("hi"), "b": S("hello")}
    upd(ddb, hash_table, k, "SET a = :v", {":v": S("hey")})
    assert get(ddb, hash_table, k) == {**k, "a": S("hey"), "b": S("hello")}


def test_set_keywords_case_and_whitespace(ddb, hash_table):
    # Clause keywords are case-insensitive, whitespace is free
    # [alternator test_update_expression_action_case / _action_whitespace / _set_multi].
    k = new_key("u-case")
    upd(ddb, hash_table, k, "SET x = :v, y = :v", {":v": N(4)})
    assert get(ddb, hash_table, k) == {**k, "x": N(4), "y": N(4)}
    for i, expr in enumerate(["set b = :v", "sEt b = :v", "  set   b=:v  ", "SET b=:v,c=:v"]):
        upd(ddb, hash_table, k, expr, {":v": N(i)})
        assert get(ddb, hash_table, k)["b"] == N(i)


@pytest.mark.parametrize("name", ["alnum", "Alpha_Numeric_123", "A123_"])
def test_bare_name_tokens(ddb, hash_table, name):
    # A bare name is alphanumeric/underscore starting with a letter
    # [alternator test_update_expression_name_token].
    k = new_key("u-tok")
    upd(ddb, hash_table, k, f"SET {name} = :v", {":v": N(1)})
    assert get(ddb, hash_table, k)[name] == N(1)


@pytest.mark.parametrize("ref", ["#Alpha_Numeric_123", "#123a", "#123", "#_"])
def test_name_and_value_reference_tokens(ddb, hash_table, ref):
    # After # or : any alphanumeric/underscore run is a reference, digits first
    # included; the target name may contain anything [alternator test_update_expression_name_token].
    k = new_key("u-ref")
    silly = "3can include any character!.#="
    upd(ddb, hash_table, k, f"SET {ref} = :{ref[1:]}", {f":{ref[1:]}": N(7)}, {ref: silly})
    assert get(ddb, hash_table, k) == {**k, silly: N(7)}


@pytest.mark.parametrize("expr,values,names", [
    ("SET _123 = :v", {":v": N(1)}, None),
    ("SET _abc = :v", {":v": N(1)}, None),
    ("SET 123a = :v", {":v": N(1)}, None),
    ("SET 123 = :v", {":v": N(1)}, None),
    ("SET hi-there = :v", {":v": N(1)}, None),
    ("SET hi$there = :v", {":v": N(1)}, None),
    ('SET "hithere" = :v', {":v": N(1)}, None),
    ("SET !hithere = :v", {":v": N(1)}, None),
    ("SET #hi-there = :v", {":v": N(1)}, {"#hi-there": "x"}),
    ("SET a = :hi!there", {":hi!there": N(1)}, None),
    ("SET a = :", {":": N(1)}, None),
    ("SET :a = :b", {":a": N(1), ":b": N(2)}, None),
    ("SET a[:i] = :v", {":v": N(1), ":i": N(1)}, None),
    ("SET a[#i] = :v", {":v": N(1)}, None),
    ("SET a = _f(b)", None, None),
])
def test_bad_tokens_are_syntax_errors(ddb, hash_table, endpoint, expr, values, names):
    # [alternator test_update_expression_name_token / _nested_attribute_index_reference(_name) /
    # _unknown_function]. Several of these also carry invalid EAV/EAN keys, which
    # AWS may report first; only the ValidationException is pinned for those.
    k = {"pk": {"S": unique_name("u-badtok")}}
    body = {"TableName": hash_table, "Key": k, "UpdateExpression": expr}
    if values:
        body["ExpressionAttributeValues"] = values
    if names:
        body["ExpressionAttributeNames"] = names
    clean_keys = all(re.fullmatch(r":[A-Za-z0-9_]+", v) for v in (values or {})) and \
        all(re.fullmatch(r"#[A-Za-z0-9_]+", n) for n in (names or {}))
    assert_error(raw_request(endpoint, "UpdateItem", body), VE,
                 aws_message(IU + "Syntax error; ", suffix=".*") if clean_keys else None)
    assert get(ddb, hash_table, {"pk": S(k["pk"]["S"])}) is None


def test_underscore_name_syntax_error_text(endpoint, hash_table):
    # "Invalid UpdateExpression: Syntax error; token: "_", near: "SET _123""
    # [alternator test_update_expression_name_token quotes this for SET _123].
    body = {"TableName": hash_table, "Key": {"pk": {"S": "x"}}, "UpdateExpression": "SET _123 = :v",
            "ExpressionAttributeValues": {":v": {"N": "3"}}}
    assert_error(raw_request(endpoint, "UpdateItem", body), VE,
                 aws_message(IU + 'Syntax error; token: "_", near: "SET _123"'))


# --------------------------------------------------------------------------
# SET: copies, arithmetic, functions
# --------------------------------------------------------------------------


def test_set_copies_and_reads_before_writing(ddb, hash_table):
    # [alternator test_update_expression_set_copy / _multi_with_copy]
    k = new_key("u-copy")
    ddb.put_item(TableName=hash_table, Item={**k, "a": S("hello")})
    upd(ddb, hash_table, k, "SET b = a")
    assert get(ddb, hash_table, k) == {**k, "a": S("hello"), "b": S("hello")}
    upd(ddb, hash_table, k, "SET a = a")
    upd(ddb, hash_table, k, "SET #one = #two", names={"#one": "c", "#two": "a"})
    assert get(ddb, hash_table, k) == {**k, "a": S("hello"), "b": S("hello"), "c": S("hello")}
    # Reads see the item as it was before the update.
    upd(ddb, hash_table, k, "REMOVE a SET d = a")
    assert get(ddb, hash_table, k) == {**k, "b": S("hello"), "c": S("hello"), "d": S("hello")}
    upd(ddb, hash_table, k, "SET e = d REMOVE d")
    assert get(ddb, hash_table, k) == {**k, "b": S("hello"), "c": S("hello"), "e": S("hello")}


@pytest.mark.parametrize("expr,values,existing", [
    ("SET c = z", None, True),
    ("SET c = z", None, False),
    ("SET z = z", None, True),
    ("SET x = :v, y = x", {":v": N(4)}, True),       # y reads the old (missing) x
    ("SET e = list_append(b, c)", None, True),
    ("SET e = zz + :v", {":v": N(1)}, True),
])
def test_set_from_missing_attribute_fails(ddb, hash_table, expr, values, existing):
    # [dynalite updateItem.js 'trying to reference non-existent attribute'; alternator _set_copy]
    k = new_key("u-missing-src")
    if existing:
        ddb.put_item(TableName=hash_table, Item={**k, "a": S("hello")})
    invalid(lambda: upd(ddb, hash_table, k, expr, values), aws_message(NO_SUCH_ATTR))
    assert get(ddb, hash_table, k) == ({**k, "a": S("hello")} if existing else None)


def test_set_reads_key_attributes(ddb, num_table):
    # Key attributes can be read (not written) [alternator test_update_expression_set_key].
    k = {"pk": N(7), "sk": N(uuid.uuid4().int % 10**9)}
    ddb.update_item(TableName=num_table, Key=k, UpdateExpression="SET #n = #p, #nn = #s + #s",
                    ExpressionAttributeNames={"#n": "n", "#p": "pk", "#nn": "nn", "#s": "sk"})
    got = ddb.get_item(TableName=num_table, Key=k, ConsistentRead=True)["Item"]
    assert got == {**k, "n": N(7), "nn": N(2 * int(k["sk"]["N"]))}


def test_set_arithmetic(ddb, hash_table):
    # [alternator test_update_expression_plus_basic / _plus_rmw / _set_nested_copy;
    # conformance paths 'arithmetic on nested path']
    k = new_key("u-arith")
    upd(ddb, hash_table, k, "SET b = :x + :y", {":x": N(4), ":y": N(3)})
    assert get(ddb, hash_table, k)["b"] == N(7)
    upd(ddb, hash_table, k, "SET b = :x - :y", {":x": N(5), ":y": N(2)})
    assert get(ddb, hash_table, k)["b"] == N(3)
    ddb.put_item(TableName=hash_table, Item={**k, "a": N(2), "m": M(c=N(10))})
    upd(ddb, hash_table, k, "SET a = a + :v", {":v": N(3)})
    upd(ddb, hash_table, k, "SET a = :v + a", {":v": N(4)})
    upd(ddb, hash_table, k, "SET b = :v + a", {":v": N(1)})
    upd(ddb, hash_table, k, "SET a = b + a")
    upd(ddb, hash_table, k, "SET d = :seven - a", {":seven": N(7)})
    upd(ddb, hash_table, k, "SET m.c = m.c + :inc", {":inc": N(5)})
    assert get(ddb, hash_table, k) == {**k, "a": N(19), "b": N(10), "d": N(-12), "m": M(c=N(15))}


@pytest.mark.parametrize("x,y,op,want", [
    ("1.5", "2.25", "+", "3.75"),
    ("10", "15", "-", "-5"),
    ("1e2", "1", "+", "101"),
    ("-0.5", "0.5", "+", "0"),
    # DynamoDB numbers are decimal (38 significant digits) [dev-guide data types];
    # UNCONFIRMED by a capture that arithmetic is exact decimal, but binary
    # floating point would give 0.30000000000000004.
    ("0.1", "0.2", "+", "0.3"),
])
def test_set_arithmetic_is_decimal_and_normalised(ddb, hash_table, x, y, op, want):
    k = new_key("u-dec")
    upd(ddb, hash_table, k, f"SET r = :x {op} :y", {":x": N(x), ":y": N(y)})
    assert get(ddb, hash_table, k)["r"] == N(want)


OPERANDS = {
    ":s": S("a"), ":n": N(1), ":b": B(b"a"), ":t": BOOL(False), ":z": NULL, ":ss": SS("a"),
    ":ns": NS(1), ":bs": BS(b"a"), ":m": M(), ":l": L(),
}


@pytest.mark.parametrize("expr,func,typ", [
    # [dynalite updateItem.js 'incorrect types to functions in UpdateExpression'] exact
    ("SET a = a + :s", "+", "S"),
    ("SET a = :s + :b", "+", "S"),
    ("SET a = :b + a", "+", "B"),
    ("SET a = a + :t", "+", "BOOL"),
    ("SET a = a + :z", "+", "NULL"),
    ("SET a = a + :ss", "+", "SS"),
    ("SET a = a + :ns", "+", "NS"),
    ("SET a = a + :bs", "+", "BS"),
    ("SET a = a + :m", "+", "M"),
    ("SET a = a + :l", "+", "L"),
    ("SET a = a - :s", "-", "S"),
    ("SET a = :b - a", "-", "B"),
    ("SET a = a - :l", "-", "L"),
    ("SET a = list_append(:s, a)", "list_append", "S"),
    ("SET a = list_append(a, :n)", "list_append", "N"),
    ("SET a = list_append(:b, a)", "list_append", "B"),
    ("SET a = list_append(:t, a)", "list_append", "BOOL"),
    ("SET a = list_append(:z, a)", "list_append", "NULL"),
    ("SET a = list_append(:ss, a)", "list_append", "SS"),
    ("SET a = list_append(:ns, a)", "list_append", "NS"),
    ("SET a = list_append(:bs, a)", "list_append", "BS"),
    ("SET a = list_append(:m, a)", "list_append", "M"),
])
def test_set_operand_type_errors(ddb, hash_table, expr, func, typ):
    k = new_key("u-optype")
    values = {v: OPERANDS[v] for v in re.findall(r":[a-z]+", expr)}
    invalid(lambda: upd(ddb, hash_table, k, expr, values), aws_message(
        IU + f"Incorrect operand type for operator or function; operator or function: {func}, operand type: {typ}"))
    assert get(ddb, hash_table, k) is None


@pytest.mark.parametrize("expr,values", [
    ("SET e = a + :one", {":one": N(1)}),          # a is a string
    ("SET e = b - :one", {":one": N(1)}),          # b is a map
    ("SET e = list_append(d, :l)", {":l": L()}),   # d is a number set
    ("SET e = list_append(:l, a)", {":l": L()}),
])
def test_set_runtime_type_errors(ddb, hash_table, expr, values):
    # Types only known from the stored item [dynalite 'using expression to delete/add incorrect types'].
    k = new_key("u-rttype")
    item = {**k, "a": S("x"), "b": M(a=SS("1")), "c": N(1), "d": NS(1)}
    ddb.put_item(TableName=hash_table, Item=item)
    invalid(lambda: upd(ddb, hash_table, k, expr, values), aws_message(BAD_TYPE))
    assert canon(get(ddb, hash_table, k)) == canon(item)


def test_more_than_two_arithmetic_operands_is_syntax_error(ddb, hash_table):
    # [alternator test_update_expression_plus_basic; dynalite 'set a = b + c + d']
    k = new_key("u-3ops")
    invalid(lambda: upd(ddb, hash_table, k, "SET b = :a + :b + :c", {":a": N(1), ":b": N(2), ":c": N(3)}),
            aws_message(IU + "Syntax error; ", suffix=".*"))


def test_list_append(ddb, hash_table):
    # [alternator test_update_expression_list_append(_basic); conformance basic 'SET with list_append']
    k = new_key("u-lappend")
    upd(ddb, hash_table, k, "SET a = list_append(:x, :y)", {":x": L(N(4), S("hello")), ":y": L(S("hi"), N(7))})
    assert get(ddb, hash_table, k)["a"] == L(N(4), S("hello"), S("hi"), N(7))
    upd(ddb, hash_table, k, "SET a = :v", {":v": L(S("hi"), N(2))})
    upd(ddb, hash_table, k, "SET a = list_append(a, :v)", {":v": L(N(4), S("hello"))})
    assert get(ddb, hash_table, k)["a"] == L(S("hi"), N(2), N(4), S("hello"))
    upd(ddb, hash_table, k, "SET a = list_append(:v, a)", {":v": L(S("dog"))})
    upd(ddb, hash_table, k, "SET b = list_append(a, :v)", {":v": L(S("cat"))})
    upd(ddb, hash_table, k, "SET c = list_append(a, b)")
    got = get(ddb, hash_table, k)
    a = [S("dog"), S("hi"), N(2), N(4), S("hello")]
    assert got["a"] == {"L": a} and got["b"] == {"L": a + [S("cat")]} and got["c"] == {"L": a + a + [S("cat")]}
    upd(ddb, hash_table, k, "SET #n1 = list_append(#n2, :v)", {":v": L(N(8))}, {"#n1": "a", "#n2": "a"})
    assert get(ddb, hash_table, k)["a"] == {"L": a + [N(8)]}
    # Empty and nested lists are fine.
    upd(ddb, hash_table, k, "SET e = list_append(:x, :y)", {":x": L(), ":y": L(L(S("x")))})
    assert get(ddb, hash_table, k)["e"] == L(L(S("x")))


def test_list_append_with_if_not_exists(ddb, hash_table):
    # The usual "append, creating if needed" idiom; nesting if_not_exists inside
    # list_append is allowed [alternator test_update_expression_function_nesting].
    k = new_key("u-lappend-ine")
    for batch in (["a", "b"], ["c"]):
        upd(ddb, hash_table, k, "SET l = list_append(if_not_exists(l, :empty), :v)",
            {":empty": L(), ":v": {"L": [S(x) for x in batch]}})
    assert get(ddb, hash_table, k)["l"] == L(S("a"), S("b"), S("c"))
    upd(ddb, hash_table, k, "SET x = if_not_exists(b, if_not_exists(c, :v))", {":v": N(3)})
    assert get(ddb, hash_table, k)["x"] == N(3)


@pytest.mark.parametrize("expr,values,message", [
    # [alternator quotes "Invalid UpdateExpression: Incorrect number of operands for
    # operator or function; operator or function: list_append, number of operands: 1";
    # dynalite the same pattern]
    ("SET a = list_append(:x)", {":x": L()},
     aws_message(IU + "Incorrect number of operands for operator or function; operator or function: list_append, "
                 "number of operands: 1")),
    ("SET a = list_append(:x, :y, :z)", {":x": L(), ":y": L(), ":z": L()},
     aws_message(IU + "Incorrect number of operands for operator or function; operator or function: list_append, "
                 "number of operands: 3")),
    ("SET a = if_not_exists(c)", None,
     aws_message(IU + "Incorrect number of operands for operator or function; operator or function: if_not_exists, "
                 "number of operands: 1")),
    # function names are case-sensitive; unknown names fail after parsing
    # [alternator _list_append_basic / _unknown_function quote "Invalid function name; function: f"]
    ("SET a = LIST_APPEND(:x, :y)", {":x": L(), ":y": L()}, aws_message(IU + "Invalid function name; function: LIST_APPEND")),
    ("SET a = f(b, c, d)", None, aws_message(IU + "Invalid function name; function: f")),
    ("SET a = f123_hi(b, c, d)", None, aws_message(IU + "Invalid function name; function: f123_hi")),
    # [dynalite 'incorrect operand path type to functions'; alternator quotes the text]
    ("SET b = if_not_exists(:x, :y)", {":x": N(3), ":y": N(6)},
     aws_message(IU + "Operator or function requires a document path; operator or function: if_not_exists")),
    ("SET b = if_not_exists(if_not_exists(a, :x), :y)", {":x": N(3), ":y": N(6)},
     aws_message(IU + "Operator or function requires a document path; operator or function: if_not_exists")),
    # an undefined value is reported even where a value could never be valid
    # [alternator test_update_expression_if_not_exists]
    ("SET b = if_not_exists(:x, :y)", {":y": N(6)},
     aws_message(IU + "An expression attribute value used in expression is not defined; attribute value: :x")),
    # arithmetic is not an operand of a function [alternator _function_plus_nesting]
    ("SET c = if_not_exists(c, :x + :y)", {":x": N(5), ":y": N(4)}, aws_message(IU + "Syntax error; ", suffix=".*")),
    ("SET b = if_not_exists(non@sense, :x)", {":x": N(6)}, aws_message(IU + "Syntax error; ", suffix=".*")),
    # list_append cannot nest in list_append [alternator _function_nesting quotes
    # "The function is not allowed to be used this way in an expression; function: list_append"]
    ("SET a = list_append(list_append(:x, :y), :z)", {":x": L(), ":y": L(), ":z": L()},
     aws_message(IU + "The function is not allowed to be used this way in an expression; function: list_append")),
])
def test_function_errors(ddb, hash_table, expr, values, message):
    k = new_key("u-fn")
    invalid(lambda: upd(ddb, hash_table, k, expr, values), message)
    assert get(ddb, hash_table, k) is None


def test_if_not_exists(ddb, hash_table):
    # [alternator test_update_expression_if_not_exists; conformance basic if_not_exists cases]
    k = new_key("u-ine")
    upd(ddb, hash_table, k, "SET a = if_not_exists(a, :v)", {":v": N(2)})
    assert get(ddb, hash_table, k)["a"] == N(2)
    upd(ddb, hash_table, k, "SET a = if_not_exists(a, :v)", {":v": N(3)})
    assert get(ddb, hash_table, k)["a"] == N(2)
    upd(ddb, hash_table, k, "SET b = if_not_exists(c, :v)", {":v": N(4)})
    upd(ddb, hash_table, k, "SET b = if_not_exists(c, :v)", {":v": N(5)})
    assert get(ddb, hash_table, k)["b"] == N(5)
    upd(ddb, hash_table, k, "SET b = if_not_exists(a, :v)", {":v": N(6)})   # a exists: its value is copied
    assert get(ddb, hash_table, k) == {**k, "a": N(2), "b": N(2)}
    upd(ddb, hash_table, k, "SET #bk = if_not_exists(#bk, #mv)", names={"#bk": "backup", "#mv": "a"})
    assert get(ddb, hash_table, k)["backup"] == N(2)
    # if_not_exists(...) + value is allowed at the top of a SET value
    # [alternator test_update_expression_function_plus_nesting].
    upd(ddb, hash_table, k, "SET z = if_not_exists(z, :x) + :y", {":x": N(2), ":y": N(3)})
    upd(ddb, hash_table, k, "SET z = if_not_exists(z, :x) + :y", {":x": N(2), ":y": N(3)})
    assert get(ddb, hash_table, k)["z"] == N(8)


# --------------------------------------------------------------------------
# SET on document paths
# --------------------------------------------------------------------------


def test_set_nested_paths(ddb, hash_table):
    # [alternator test_update_expression_nested_attribute_dot/_index/_different_type/_deep;
    # conformance paths]
    k = new_key("u-nested")
    ddb.put_item(TableName=hash_table, Item={**k, "a": M(b=N(3), c=N(4)), "d": N(5), "l": L(S("one"), S("two"), S("three"))})
    upd(ddb, hash_table, k, "SET a.c = :v", {":v": N(7)})
    upd(ddb, hash_table, k, "SET a.d = :v", {":v": N(3)})
    upd(ddb, hash_table, k, "SET l[1] = :v", {":v": S("hello")})
    assert get(ddb, hash_table, k) == {**k, "a": M(b=N(3), c=N(7), d=N(3)), "d": N(5),
                                       "l": L(S("one"), S("hello"), S("three"))}
    upd(ddb, hash_table, k, "SET a.c = :v", {":v": M(one=N(1))})
    upd(ddb, hash_table, k, "SET a.c = :v", {":v": S("replaced by another type")})
    assert get(ddb, hash_table, k)["a"] == M(b=N(3), c=S("replaced by another type"), d=N(3))
    # A deep path through lists and maps, with a name reference, on both sides.
    ddb.put_item(TableName=hash_table, Item={**k, "a": M(b=N(3), c=L(S("hi"), M(x=M(y=L(N(3), N(5), N(7))))))})
    upd(ddb, hash_table, k, "SET a.c[1].#n.y[1] = :v", {":v": N(9)}, {"#n": "x"})
    upd(ddb, hash_table, k, "SET a.z = a.c[1].#n.y[1]", names={"#n": "x"})
    assert get(ddb, hash_table, k)["a"] == M(b=N(3), c=L(S("hi"), M(x=M(y=L(N(3), N(9), N(7))))), z=N(9))


def test_set_list_index_past_the_end_appends(ddb, hash_table):
    # "If the element does not already exist, SET will append the new element
    # at the end of the list ... multiple elements ... are sorted in order by
    # element number" [dev-guide; alternator test_nested_attribute_update_array_out_of_bounds]
    k = new_key("u-append")
    ddb.put_item(TableName=hash_table, Item={**k, "a": L(S("one"), S("two"), S("three")), "e": L()})
    upd(ddb, hash_table, k, "SET a[7] = :v", {":v": S("hello")})
    assert get(ddb, hash_table, k)["a"] == L(S("one"), S("two"), S("three"), S("hello"))
    upd(ddb, hash_table, k, "SET a[84] = :w, a[37] = :x, a[17] = :y, a[50] = :z",
        {":w": S("a1"), ":x": S("a2"), ":y": S("a3"), ":z": S("a4")})
    assert get(ddb, hash_table, k)["a"] == L(S("one"), S("two"), S("three"), S("hello"), S("a3"), S("a2"), S("a4"), S("a1"))
    # Index 0 of an empty list [conformance paths 'SET on list index 0 of empty list'].
    upd(ddb, hash_table, k, "SET e[0] = :v", {":v": S("first")})
    assert get(ddb, hash_table, k)["e"] == L(S("first"))


def test_name_with_dot_is_one_attribute(ddb, hash_table):
    # [alternator test_update_expression_dot_in_name; conformance paths 'without flattening']
    k = new_key("u-dot")
    ddb.put_item(TableName=hash_table, Item={**k, "parent": M(keep=S("k"))})
    upd(ddb, hash_table, k, "SET #a = :v", {":v": N(3)}, {"#a": "a.b"})
    upd(ddb, hash_table, k, "SET parent.child = :v", {":v": S("nested")})
    assert get(ddb, hash_table, k) == {**k, "a.b": N(3), "parent": M(keep=S("k"), child=S("nested"))}


@pytest.mark.parametrize("expr,values", [
    # [dynalite 'update non-existent nested attribute in existing item';
    # alternator test_nested_attribute_update_bad_path_dot/_array]
    ("SET a.c = :v", {":v": N(7)}),      # a is a string
    ("SET b.c = :v", {":v": N(7)}),      # b is a list
    ("SET c.c = :v", {":v": N(7)}),      # c is missing
    ("SET a[0] = :v", {":v": N(7)}),
    ("SET c[0] = :v", {":v": N(7)}),
    ("SET m.x.y = :v", {":v": N(7)}),    # intermediate map missing [conformance paths]
    ("SET m[1] = :v", {":v": N(7)}),     # index into a map
    ("REMOVE a.c", None),
    ("REMOVE b.c", None),
    ("REMOVE c.c", None),
    ("REMOVE a[0]", None),
    ("REMOVE c[0]", None),
    ("ADD c.x :n", {":n": N(1)}),
    ("ADD a[1] :n", {":n": N(1)}),
    ("DELETE c.x :s", {":s": SS("a")}),
    ("DELETE m[1] :s", {":s": SS("a")}),
])
def test_invalid_document_paths(ddb, hash_table, expr, values):
    k = new_key("u-badpath")
    item = {**k, "a": S("hello"), "b": L(S("hi")), "m": M(k=S("v"))}
    ddb.put_item(TableName=hash_table, Item=item)
    invalid(lambda: upd(ddb, hash_table, k, expr, values), aws_message(BAD_PATH))
    assert get(ddb, hash_table, k) == item


@pytest.mark.parametrize("expr", ["SET b.a = :v", "SET b[1] = :v"])
def test_invalid_document_path_on_missing_item(ddb, hash_table, expr):
    # [dynalite 'update non-existent nested attribute in non-existent item']
    k = new_key("u-badpath-missing")
    invalid(lambda: upd(ddb, hash_table, k, expr, {":v": N(1)}), aws_message(BAD_PATH))
    assert get(ddb, hash_table, k) is None


def test_remove_nested_path_from_missing_item_is_a_no_op(ddb, hash_table):
    # DynamoDB silently accepts REMOVE x.y / x[0] when the whole item is
    # missing, and creates nothing [alternator test_nested_attribute_remove_from_missing_item,
    # xfail there because Alternator differs from AWS].
    k = new_key("u-rm-missing")
    upd(ddb, hash_table, k, "REMOVE x.y")
    upd(ddb, hash_table, k, "REMOVE x[0]")
    assert get(ddb, hash_table, k) is None


# --------------------------------------------------------------------------
# REMOVE
# --------------------------------------------------------------------------


def test_remove_attributes(ddb, hash_table):
    # [alternator test_update_expression_remove; conformance basic REMOVE]
    k = new_key("u-rm")
    ddb.put_item(TableName=hash_table, Item={**k, "a": S("hello"), "b": S("hi"), "c": N(1),
                                             "m": M(x=N(3), keep=S("k")), "n": M(sole=N(1)), "o": L(N(1))})
    upd(ddb, hash_table, k, "REMOVE a")
    upd(ddb, hash_table, k, "REMOVE b, c, ghost")                # a missing attribute is fine
    upd(ddb, hash_table, k, "REMOVE m.x, m.nothing")              # so is a missing map key
    upd(ddb, hash_table, k, "REMOVE n.sole, o[0]")                # empty map / list remain
    assert get(ddb, hash_table, k) == {**k, "m": M(keep=S("k")), "n": M(), "o": L()}


def test_remove_list_elements_shift(ddb, hash_table):
    # [conformance paths 'REMOVE list element by index removes and shifts';
    # alternator test_update_expression_nested_remove(_list_item_after_end/_original_number)]
    k = new_key("u-rm-list")
    ddb.put_item(TableName=hash_table, Item={**k, "l": L(S("a"), S("b"), S("c"), S("d"))})
    upd(ddb, hash_table, k, "REMOVE l[1]")
    assert get(ddb, hash_table, k)["l"] == L(S("a"), S("c"), S("d"))
    upd(ddb, hash_table, k, "REMOVE l[17]")                       # past the end: ignored
    assert get(ddb, hash_table, k)["l"] == L(S("a"), S("c"), S("d"))
    # Indexes refer to the list before the update, whatever the clause order.
    for expr in ("REMOVE l[1] SET l[3] = :v", "SET l[3] = :v REMOVE l[1]"):
        ddb.put_item(TableName=hash_table, Item={**k, "l": L(N(2), N(3), N(4), N(5), N(6), N(7))})
        upd(ddb, hash_table, k, expr, {":v": N(17)})
        assert get(ddb, hash_table, k)["l"] == L(N(2), N(4), N(17), N(6), N(7))
    # Several removals in one list: both indexes are original positions
    # (derived from the rule above; UNCONFIRMED as its own capture).
    ddb.put_item(TableName=hash_table, Item={**k, "l": L(S("a"), S("b"), S("c"), S("d"), S("e"))})
    upd(ddb, hash_table, k, "REMOVE l[1], l[3]")
    assert get(ddb, hash_table, k)["l"] == L(S("a"), S("c"), S("e"))
    # Nested removals [alternator test_update_expression_nested_remove].
    ddb.put_item(TableName=hash_table, Item={**k, "a": M(b=N(3), c=L(S("hi"), M(x=M(y=L(N(3), N(5), N(7))), q=N(2))))})
    upd(ddb, hash_table, k, "REMOVE a.c[1].x.y[1], a.c[1].q")
    assert get(ddb, hash_table, k)["a"] == M(b=N(3), c=L(S("hi"), M(x=M(y=L(N(3), N(7))))))


def test_remove_only_update_does_not_create_item(ddb, hash_table, endpoint):
    # [alternator test_update_item_returnvalues_all_new: no item, no Attributes]
    k = {"pk": {"S": unique_name("u-rm-nocreate")}}
    r = raw_request(endpoint, "UpdateItem", {"TableName": hash_table, "Key": k, "UpdateExpression": "REMOVE b",
                                             "ReturnValues": "ALL_NEW"})
    assert r.status_code == 200 and r.json() == {}
    assert get(ddb, hash_table, {"pk": S(k["pk"]["S"])}) is None


# --------------------------------------------------------------------------
# ADD and DELETE
# --------------------------------------------------------------------------


def test_add_numbers(ddb, hash_table):
    # [alternator test_update_expression_add_numbers(_new); api-ref "DynamoDB uses 0 as the initial value"]
    k = new_key("u-addn")
    ddb.put_item(TableName=hash_table, Item={**k, "a": N(3), "b": S("hi")})
    upd(ddb, hash_table, k, "ADD a :v", {":v": N(4)})
    upd(ddb, hash_table, k, "ADD c :v", {":v": N(7)})
    upd(ddb, hash_table, k, "ADD a :v", {":v": N(-10)})
    assert get(ddb, hash_table, k) == {**k, "a": N(-3), "b": S("hi"), "c": N(7)}
    k2 = new_key("u-addn-new")
    upd(ddb, hash_table, k2, "ADD b :v, c :w", {":v": N(8), ":w": N("0.5")})
    assert get(ddb, hash_table, k2) == {**k2, "b": N(8), "c": N("0.5")}


def test_add_sets(ddb, hash_table):
    # [alternator test_update_expression_add_sets(_new); dynalite 'throw away duplicate ... values']
    k = new_key("u-adds")
    ddb.put_item(TableName=hash_table, Item={**k, "ss": SS("beaver", "lynx", "coati"), "ns": NS(1, 2),
                                             "bs": BS(b"\x01\x02", b"\x02")})
    upd(ddb, hash_table, k, "ADD ss :a, ns :b, bs :c, fresh :d",
        {":a": SS("coati", "beaver", "badger"), ":b": NS(2, 3, 4), ":c": BS(b"\x02", b"\x01"), ":d": SS("dog")})
    assert canon(get(ddb, hash_table, k)) == canon({
        **k, "ss": SS("beaver", "lynx", "coati", "badger"), "ns": NS(1, 2, 3, 4),
        "bs": BS(b"\x01\x02", b"\x02", b"\x01"), "fresh": SS("dog")})
    k2 = new_key("u-adds-new")
    upd(ddb, hash_table, k2, "ADD b :v", {":v": SS("cat")})
    assert get(ddb, hash_table, k2) == {**k2, "b": SS("cat")}


@pytest.mark.parametrize("action,value,typ", [
    # [dynalite 'incorrect types in UpdateExpression'] exact
    ("ADD", S("a"), "STRING"),
    ("ADD", NULL, "NULL"),
    ("ADD", BOOL(False), "BOOLEAN"),
    ("ADD", B(b"a"), "BINARY"),
    ("ADD", M(a=L(N(1))), "MAP"),
    ("ADD", L(N(1)), "LIST"),
    ("DELETE", S("a"), "STRING"),
    ("DELETE", NULL, "NULL"),
    ("DELETE", BOOL(False), "BOOLEAN"),
    ("DELETE", B(b"a"), "BINARY"),
    ("DELETE", M(a=L(N(1))), "MAP"),
    ("DELETE", L(N(1)), "LIST"),
    ("DELETE", N(1), "NUMBER"),
])
def test_add_delete_operand_type_errors(ddb, hash_table, action, value, typ):
    k = new_key("u-adtype")
    invalid(lambda: upd(ddb, hash_table, k, f"{action} a.b :v", {":v": value}), aws_message(
        IU + f"Incorrect operand type for operator or function; operator: {action}, operand type: {typ}"))
    assert get(ddb, hash_table, k) is None


@pytest.mark.parametrize("expr,values", [
    # [dynalite 'using expression to delete/add incorrect types'] exact
    ("DELETE d :a", {":a": SS("1")}),      # NS attribute, SS operand
    ("DELETE b :a", {":a": NS(1)}),        # map attribute
    ("DELETE b.a :a", {":a": NS(1)}),      # SS attribute, NS operand
    ("DELETE b.a :a", {":a": BS(b"a")}),
    ("DELETE c :a", {":a": NS(1)}),        # number attribute
    ("ADD b :a", {":a": NS(1)}),           # map attribute
    ("ADD d :a", {":a": N(1)}),            # NS attribute, number operand
    ("ADD e :a", {":a": N(1)}),            # string attribute [alternator _add_numbers quotes the text]
    ("ADD l :a", {":a": NS(3)}),           # list attribute [alternator _add_lists: '.*operand'; exact text UNCONFIRMED]
])
def test_add_delete_runtime_type_errors(ddb, hash_table, expr, values):
    k = new_key("u-adrt")
    item = {**k, "b": M(a=SS("1")), "c": N(1), "d": NS(1), "e": S("hi"), "l": L(N(1), N(2))}
    ddb.put_item(TableName=hash_table, Item=item)
    invalid(lambda: upd(ddb, hash_table, k, expr, values), aws_message(BAD_TYPE))
    assert canon(get(ddb, hash_table, k)) == canon(item)


def test_delete_from_sets(ddb, hash_table):
    # [alternator test_update_expression_delete_sets; conformance basic DELETE]
    k = new_key("u-del")
    ddb.put_item(TableName=hash_table, Item={**k, "a": SS("dog", "cat", "mouse"), "n": NS(1, 2, 3), "b": S("hi")})
    upd(ddb, hash_table, k, "DELETE a :v", {":v": SS("cat", "mouse")})
    assert get(ddb, hash_table, k)["a"] == SS("dog")
    upd(ddb, hash_table, k, "DELETE a :v", {":v": SS("pig")})              # absent element: no-op
    assert get(ddb, hash_table, k)["a"] == SS("dog")
    upd(ddb, hash_table, k, "DELETE a :v, n :w", {":v": SS("dog"), ":w": NS(1, 4)})  # empty set -> attribute gone
    assert canon(get(ddb, hash_table, k)) == canon({**k, "n": NS(2, 3), "b": S("hi")})
    upd(ddb, hash_table, k, "DELETE a :v", {":v": SS("dog")})              # missing attribute: no-op
    assert canon(get(ddb, hash_table, k)) == canon({**k, "n": NS(2, 3), "b": S("hi")})


def test_add_and_delete_reject_empty_sets(endpoint, hash_table):
    # The operand is validated as an AttributeValue first [dynalite
    # 'invalid values in ExpressionAttributeValues'; alternator 'ValidationException.*empty'].
    for action in ("ADD", "DELETE"):
        body = {"TableName": hash_table, "Key": {"pk": {"S": "x"}}, "UpdateExpression": f"{action} a :v",
                "ExpressionAttributeValues": {":v": {"SS": []}}}
        assert_error(raw_request(endpoint, "UpdateItem", body), VE, aws_message(
            "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: "
            "An string set  may not be empty for key :v"))


def test_empty_values_allowed_except_sets(ddb, hash_table, endpoint):
    # [alternator test_update_expression_empty_attribute]
    k = new_key("u-empty")
    body = {"TableName": hash_table, "Key": {"pk": {"S": k["pk"]["S"]}}, "UpdateExpression": "SET a = :v",
            "ExpressionAttributeValues": {":v": {"NS": []}}}
    assert_error(raw_request(endpoint, "UpdateItem", body), VE, aws_message(
        "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: "
        "An number set  may not be empty for key :v"))
    assert get(ddb, hash_table, k) is None
    upd(ddb, hash_table, k, "SET d = :a, e = :b, f = :c, g = :d", {":a": L(), ":b": M(), ":c": S(""), ":d": B(b"")})
    assert get(ddb, hash_table, k) == {**k, "d": L(), "e": M(), "f": S(""), "g": B(b"")}


# --------------------------------------------------------------------------
# Clauses, overlapping paths, names and values
# --------------------------------------------------------------------------


def test_all_clauses_in_any_order(ddb, hash_table, endpoint):
    # [dynalite 'should just add valid ADD actions if nothing exists'; alternator test_update_expression_multi]
    for expr, names in [
        ("REMOVE b DELETE c :c ADD d :d, e :e SET f = :f", None),
        ("ADD #e :e,#d :d DELETE #c :c REMOVE #b SET #f = :f", {f"#{x}": x for x in "bcdef"}),
    ]:
        k = {"pk": {"S": unique_name("u-clauses")}}
        body = {"TableName": hash_table, "Key": k, "UpdateExpression": expr, "ReturnValues": "UPDATED_NEW",
                "ExpressionAttributeValues": {":c": {"SS": ["a", "b"]}, ":d": {"N": "5"}, ":e": {"SS": ["a", "b"]},
                                              ":f": {"L": [{"S": "a"}, {"N": "1"}]}}}
        if names:
            body["ExpressionAttributeNames"] = names
        r = raw_request(endpoint, "UpdateItem", body)
        assert r.status_code == 200, r.text
        attrs = r.json()["Attributes"]
        assert canon(attrs) == canon({"d": {"N": "5"}, "e": {"SS": ["a", "b"]}, "f": {"L": [{"S": "a"}, {"N": "1"}]}})
        assert canon(get(ddb, hash_table, {"pk": S(k["pk"]["S"])})) == canon(
            {"pk": S(k["pk"]["S"]), "d": N(5), "e": SS("a", "b"), "f": L(S("a"), N(1))})


@pytest.mark.parametrize("expr,section", [
    # [dynalite 'multiple sections'] exact
    ("SET a = :v SET b = :v", "SET"),
    ("SET a = :v REMOVE c SET b = :v", "SET"),
    ("REMOVE d SET a = :v REMOVE e", "REMOVE"),
    ("ADD d :n SET a = :v ADD e :n", "ADD"),
    ("DELETE d :s SET a = :v DELETE e :s", "DELETE"),
])
def test_clause_used_twice(ddb, hash_table, expr, section):
    k = new_key("u-twice")
    values = {v: {":v": S("x"), ":n": N(1), ":s": SS("x")}[v] for v in set(re.findall(r":[a-z]", expr))}
    invalid(lambda: upd(ddb, hash_table, k, expr, values or None),
            aws_message(IU + f'The "{section}" section can only be used once in an update expression;'))
    assert get(ddb, hash_table, k) is None


OVERLAP = "Two document paths overlap with each other; must remove or rewrite one of these paths; "
CONFLICT = "Two document paths conflict with each other; must remove or rewrite one of these paths; "


@pytest.mark.parametrize("expr,names,kind,one,two", [
    # [dynalite 'overlapping paths' / 'conflicting paths': path one is the
    # first in the text, indexes render as [n]; alternator _multi_overlap(_nested)/_multi_conflict_nested]
    ("SET a = :v REMOVE a", None, OVERLAP, "[a]", "[a]"),
    ("REMOVE a SET a = :v", None, OVERLAP, "[a]", "[a]"),
    ("SET a = :v, a = :w", None, OVERLAP, "[a]", "[a]"),
    ("SET #a1 = :v, #a2 = :w", {"#a1": "a", "#a2": "a"}, OVERLAP, "[a]", "[a]"),
    ("SET a.b = :v, a = :w", None, OVERLAP, "[a, b]", "[a]"),
    ("SET a = :v, a.b.c.d.e = :w", None, OVERLAP, "[a]", "[a, b, c, d, e]"),
    ("SET a[1] = :v, a[1][2] = :w", None, OVERLAP, "[a, [1]]", "[a, [1], [2]]"),
    ("REMOVE c, c.a", None, OVERLAP, "[c]", "[c, a]"),
    ("SET c.b.c = :v, c = :w", None, OVERLAP, "[c, b, c]", "[c]"),
    ("SET a.b = :v, a[1] = :w", None, CONFLICT, "[a, b]", "[a, [1]]"),
    ("REMOVE a.c SET a[1] = :v", None, CONFLICT, "[a, c]", "[a, [1]]"),
    ("SET a.b.c = :v, a.b[2] = :w", None, CONFLICT, "[a, b, c]", "[a, b, [2]]"),
])
def test_overlapping_and_conflicting_paths(ddb, hash_table, expr, names, kind, one, two):
    # Checked on the text alone, before the item is read [alternator _multi_overlap_nested].
    k = new_key("u-overlap")
    values = {v: N(1) for v in set(re.findall(r":[a-z]", expr))}
    invalid(lambda: upd(ddb, hash_table, k, expr, values or None, names),
            aws_message(IU + kind + f"path one: {one}, path two: {two}"))
    assert get(ddb, hash_table, k) is None


def test_non_overlapping_nested_updates(ddb, hash_table):
    # [alternator test_update_expression_multi_nested]
    k = new_key("u-multi-nested")
    ddb.put_item(TableName=hash_table, Item={**k, "a": M(x=N(3), y=N(4), c=M(y=N(3))), "b": M(x=N(1), y=N(2))})
    upd(ddb, hash_table, k, "SET a.b = :v1, a.c.d = :v2, b.x = :v3 REMOVE a.x, b.y",
        {":v1": N(10), ":v2": S("dog"), ":v3": N(17)})
    assert get(ddb, hash_table, k) == {**k, "a": M(y=N(4), b=N(10), c=M(y=N(3), d=S("dog"))), "b": M(x=N(17))}


@pytest.mark.parametrize("expr,values,names,message", [
    # [conformance updateItem error-messages] exact (envelope varies by region)
    ("INVALID SYNTAX HERE", {":v": S("val")}, None,
     aws_message(IU + 'Syntax error; token: "INVALID", near: "INVALID SYNTAX"')),
    ("SET attr1 = :v", {":v": S("val"), ":unused": S("extra")}, None,
     aws_message("Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}")),
    ("SET attr1 = :v", {":v": S("val")}, {"#unused": "someattr"},
     aws_message("Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}")),
    ("SET attr1 = :v", None, None,
     aws_message(IU + "An expression attribute value used in expression is not defined; attribute value: :v")),
    # [dynalite 'undefined attribute names in UpdateExpression'] (pattern with #)
    ("SET #name = :v", {":v": N(4)}, None,
     aws_message(IU + "An expression attribute name used in the document path is not defined; attribute name: #name")),
    ("SET #one = #two", None, {"#one": "c", "#two": "a", "#three": "z"},
     aws_message("Value provided in ExpressionAttributeNames unused in expressions: keys: {#three}")),
    # [dynalite 'reserved keywords'] exact, keyword echoed as written
    (" remove Absolute ", None, None, aws_message(IU + "Attribute name is a reserved keyword; reserved keyword: Absolute")),
    ("SET status = :v", {":v": S("new")}, None,
     aws_message(IU + "Attribute name is a reserved keyword; reserved keyword: status")),
    # [dynalite 'empty UpdateExpression'; conformance]
    ("", None, None, aws_message(IU + "The expression can not be empty;")),
    # [alternator test_update_expression_non_existent_clause]
    ("HELLO b = :v", {":v": N(4)}, None, aws_message(IU + "Syntax error; ", suffix=".*")),
])
def test_update_expression_validation(ddb, hash_table, endpoint, expr, values, names, message):
    k = {"pk": {"S": unique_name("u-val")}}
    body = {"TableName": hash_table, "Key": k, "UpdateExpression": expr}
    if values is not None:
        body["ExpressionAttributeValues"] = values  # S/N only: wire form == client form
    if names is not None:
        body["ExpressionAttributeNames"] = names
    assert_error(raw_request(endpoint, "UpdateItem", body), VE, message)
    assert get(ddb, hash_table, {"pk": S(k["pk"]["S"])}) is None


@pytest.mark.parametrize("expr", [
    # [dynalite 'syntax errors in UpdateExpression'] (prefix pinned, token/near UNCONFIRMED)
    "whatever", "set a", "add a", "delete a", "set a=set", "remove a = b", "add a = b", "delete a = b",
    "delete a b", "remove a b", "set a b", "set a = b / c", "set a = b * c", 'set a[1] = "eight"',
    "set a[1] = 1", "SET if_not_exist(a, b) = a", "set (a = (b + c))", "set a = (b.c).d + e",
    "set a = (b.c)[0] + e", "set a = b + c + d", "set a = b,",
])
def test_update_expression_syntax_errors(endpoint, hash_table, expr):
    body = {"TableName": hash_table, "Key": {"pk": {"S": unique_name("u-syn")}}, "UpdateExpression": expr}
    assert_error(raw_request(endpoint, "UpdateItem", body), VE, aws_message(IU + "Syntax error; ", suffix=".*"))


def test_mixing_update_expression_and_attribute_updates(endpoint, hash_table):
    # [conformance updateItem error-messages] exact
    body = {"TableName": hash_table, "Key": {"pk": {"S": "em-upd-mix"}}, "UpdateExpression": "SET attr1 = :v",
            "ExpressionAttributeValues": {":v": {"S": "val"}},
            "AttributeUpdates": {"attr1": {"Value": {"S": "val"}, "Action": "PUT"}}}
    assert_error(raw_request(endpoint, "UpdateItem", body), VE, aws_message(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}"))


def test_mixing_update_expression_and_expected(ddb, hash_table):
    # [alternator test_update_expression_and_expected: 'ValidationException.*UpdateExpression'];
    # presumably "... Non-expression parameters: {Expected} Expression
    # parameters: {UpdateExpression}" like the captured family — UNCONFIRMED,
    # only the family's opening and the parameter name are pinned.
    k = new_key("u-mix-exp")
    invalid(lambda: ddb.update_item(TableName=hash_table, Key=k, UpdateExpression="SET a = :v",
                                    ExpressionAttributeValues={":v": N(2)},
                                    Expected={"a": {"ComparisonOperator": "EQ", "AttributeValueList": [N(1)]}}),
            re.compile(r"Can not use both expression and non-expression parameters in the same request: .*UpdateExpression"))
    assert get(ddb, hash_table, k) is None


# --------------------------------------------------------------------------
# Key attributes cannot be updated
# --------------------------------------------------------------------------


@pytest.mark.parametrize("expr,values", [
    # [conformance updateItem error-messages 'cannot update hash/range key attribute' (exact);
    # dynalite 'trying to update key'; alternator test_update_expression_cannot_modify_key]
    ("SET pk = :v", {":v": S("new-val")}),
    ("REMOVE pk", None),
    ("ADD pk :v", {":v": N(1)}),
    ("DELETE pk :v", {":v": SS("cat", "mouse")}),
    ("ADD pk.b :v", {":v": N(1)}),
    ("REMOVE d SET b = :v, pk = :v", {":v": N(1)}),
    ("SET pk = pk", None),
])
def test_key_attributes_cannot_be_updated(ddb, hash_table, expr, values):
    k = new_key("u-key")
    invalid(lambda: upd(ddb, hash_table, k, expr, values),
            "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key")
    assert get(ddb, hash_table, k) is None


@pytest.mark.parametrize("expr", ["SET sk = :v", "REMOVE sk", "SET d[1] = :v ADD sk.b :v"])
def test_range_key_cannot_be_updated(ddb, composite_table, expr):
    k = {"pk": S(unique_name("u-rkey")), "sk": S("sk1")}
    values = {":v": N(1)} if ":v" in expr else None
    invalid(lambda: upd(ddb, composite_table, k, expr, values),
            "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key")
    assert ddb.get_item(TableName=composite_table, Key=k, ConsistentRead=True).get("Item") is None


# --------------------------------------------------------------------------
# ReturnValues
# --------------------------------------------------------------------------


def test_return_values_top_level(ddb, hash_table, endpoint):
    # [alternator test_update_item_returnvalues_*; dynalite 'return ... values';
    # conformance basic 'return values']
    k = new_key("u-rv")
    ddb.put_item(TableName=hash_table, Item={**k, "a": S("hi"), "b": S("dog")})

    def rv(mode, expr, values=None):
        return upd(ddb, hash_table, k, expr, values, ReturnValues=mode).get("Attributes")

    assert rv("NONE", "SET b = :v", {":v": S("cat")}) is None
    assert "Attributes" not in upd(ddb, hash_table, k, "SET b = :v", {":v": S("cat")})
    assert rv("ALL_OLD", "SET b = :v", {":v": S("dog")}) == {**k, "a": S("hi"), "b": S("cat")}
    assert rv("UPDATED_OLD", "SET b = :v, c = :w", {":v": S("cat"), ":w": S("hello")}) == {"b": S("dog")}
    assert rv("UPDATED_OLD", "SET b = :v", {":v": S("cat")}) == {"b": S("cat")}       # same value still counts
    assert rv("UPDATED_OLD", "REMOVE b") == {"b": S("cat")}
    assert rv("UPDATED_OLD", "SET b = :v", {":v": S("x")}) is None                     # was absent
    assert rv("UPDATED_OLD", "SET b = :v, d = :w", {":v": S("y"), ":w": S("lion")}) == {"b": S("x")}
    assert rv("ALL_NEW", "SET b = :v", {":v": S("z")}) == {**k, "a": S("hi"), "b": S("z"), "c": S("hello"), "d": S("lion")}
    assert rv("ALL_NEW", "REMOVE b, c, d") == {**k, "a": S("hi")}
    assert rv("UPDATED_NEW", "SET b = :v, c = :w", {":v": S("cat"), ":w": S("hello")}) == {"b": S("cat"), "c": S("hello")}
    assert rv("UPDATED_NEW", "REMOVE b") is None                                       # removed: not returned
    assert rv("UPDATED_NEW", "SET a = :v, b = :w REMOVE c", {":v": S("dog"), ":w": S("tiger")}) == \
        {"a": S("dog"), "b": S("tiger")}
    upd(ddb, hash_table, k, "SET n = :one", {":one": N(1)})
    assert rv("UPDATED_NEW", "SET n = n + :one", {":one": N(1)}) == {"n": N(2)}
    assert rv("UPDATED_NEW", "ADD n :one", {":one": N(1)}) == {"n": N(3)}
    assert rv("ALL_NEW", "ADD n :one", {":one": N(1)})["n"] == N(4)
    # Creating an item: ALL_OLD has nothing (raw {}), UPDATED_NEW never
    # includes the key, ALL_NEW does.
    k2 = {"pk": {"S": unique_name("u-rv-new")}}
    r = raw_request(endpoint, "UpdateItem", {"TableName": hash_table, "Key": k2, "UpdateExpression": "SET b = :v",
                                             "ExpressionAttributeValues": {":v": {"S": "cat"}}, "ReturnValues": "ALL_OLD"})
    assert r.status_code == 200 and r.json() == {}
    k3, k4 = new_key("u-rv-new"), new_key("u-rv-new")
    assert upd(ddb, hash_table, k3, "SET a = :v", {":v": N(1)}, ReturnValues="UPDATED_NEW")["Attributes"] == {"a": N(1)}
    assert upd(ddb, hash_table, k4, "SET a = :v", {":v": N(1)}, ReturnValues="ALL_NEW")["Attributes"] == {**k4, "a": N(1)}
    # if_not_exists copying the key [dynalite 'should update values from other attributes'].
    k5 = new_key("u-rv-new")
    assert upd(ddb, hash_table, k5, "SET b = if_not_exists(b, pk)", ReturnValues="UPDATED_NEW")["Attributes"] == \
        {"b": k5["pk"]}


# (ReturnValues, UpdateExpression, values, expected Attributes or None)
# The projection rules are AWS's [alternator test_update_item_returnvalues_nested]:
# UPDATED_* return only the touched nested paths inside their containers; a
# list element appears as a one-element list; a path that did not exist
# before is not in UPDATED_OLD; an element appended past the end is not in
# UPDATED_NEW (the index it named does not exist afterwards); REMOVE l[i] puts
# the element that shifted into position i into UPDATED_NEW.
NESTED_RV_STEPS = [
    ("ALL_OLD", "SET doc.tag = :v", {":v": S("green")},
     {"doc": M(tag=S("red"), nums=L(N(10), N(20), N(30))), "aux": S("keep")}),
    ("UPDATED_OLD", "SET doc.tag = :v", {":v": S("blue")}, {"doc": M(tag=S("green"))}),
    ("UPDATED_OLD", "SET doc.nums[1] = :v", {":v": N(21)}, {"doc": M(nums=L(N(20)))}),
    ("UPDATED_OLD", "SET doc.nums[1] = :v, doc.tag = :w", {":v": N(22), ":w": S("red")},
     {"doc": M(tag=S("blue"), nums=L(N(21)))}),
    ("UPDATED_NEW", "SET doc.tag = :v", {":v": S("pink")}, {"doc": M(tag=S("pink"))}),
    ("UPDATED_NEW", "SET doc.nums[1] = :v", {":v": N(23)}, {"doc": M(nums=L(N(23)))}),
    ("UPDATED_NEW", "SET doc.nums[1] = :v, doc.tag = :w", {":v": N(24), ":w": S("red")},
     {"doc": M(tag=S("red"), nums=L(N(24)))}),
    ("ALL_NEW", "SET doc.tag = :v", {":v": S("gold")},
     {"doc": M(tag=S("gold"), nums=L(N(10), N(24), N(30))), "aux": S("keep")}),
    ("UPDATED_OLD", "REMOVE doc.nums[1], doc.nums[3]", None, {"doc": M(nums=L(N(24)))}),  # [3] did not exist
    ("UPDATED_OLD", "SET doc.x1 = :v", {":v": N(1)}, None),
    ("UPDATED_NEW", "SET doc.x2 = :v", {":v": N(2)}, {"doc": M(x2=N(2))}),
    ("UPDATED_NEW", "SET doc.nums[100] = :v", {":v": N(99)}, None),
    ("UPDATED_NEW", "REMOVE doc.nums[1]", None, {"doc": M(nums=L(N(99)))}),
    ("UPDATED_OLD", "SET aux = :v", {":v": S("changed")}, {"aux": S("keep")}),
]


def test_return_values_nested_paths(ddb, hash_table):
    k = new_key("u-rv-nested")
    ddb.put_item(TableName=hash_table, Item={**k, "doc": M(tag=S("red"), nums=L(N(10), N(20), N(30))), "aux": S("keep")})
    for i, (mode, expr, values, want) in enumerate(NESTED_RV_STEPS):
        got = upd(ddb, hash_table, k, expr, values, ReturnValues=mode).get("Attributes")
        if want is not None and mode in ("ALL_OLD", "ALL_NEW"):
            want = {**k, **want}
        assert got == want, f"step {i}: {mode} {expr}"
    assert get(ddb, hash_table, k) == {**k, "doc": M(tag=S("gold"), nums=L(N(10), N(99)), x1=N(1), x2=N(2)),
                                       "aux": S("changed")}


def test_return_values_updated_new_mixed_paths(ddb, hash_table):
    # [dynalite 'should update nested attributes'] (attribute names changed):
    # reads use the old item, indexes past the end append in index order, ADD
    # on a missing list element treats it as absent, and UPDATED_NEW projects
    # each named path on the new item (m.z, m.x, l[1], l[2], l[4]; l[6] and
    # l[8] name positions that do not exist afterwards).
    k = new_key("u-rv-mixed")
    upd(ddb, hash_table, k, "SET m = :m, l = :l", {":m": M(x=N(1), y=N(2), z=N(3)), ":l": L(N(1), N(3))})
    got = upd(ddb, hash_table, k,
              "SET m.z=((l[1])+(m.x)),m.x = pk,l[1] = pk, l[4] = m.x - m.y, l[2] = m.z ADD l[8] :set, l[6] :two",
              {":two": N(2), ":set": SS("a")}, ReturnValues="UPDATED_NEW")
    assert got["Attributes"] == {"m": M(x=k["pk"], z=N(4)), "l": L(k["pk"], N(3), N(2))}
    assert get(ddb, hash_table, k) == {**k, "m": M(x=k["pk"], y=N(2), z=N(4)),
                                       "l": L(N(1), k["pk"], N(3), N(-1), N(2), SS("a"))}


@pytest.mark.parametrize("rv", ["DOG", "none", "all_new"])
def test_invalid_return_values(endpoint, hash_table, rv):
    # [dynalite updateItem.js 'incorrect attributes' (enum order as recorded);
    # alternator: the value is case-sensitive]
    body = {"TableName": hash_table, "Key": {"pk": {"S": "x"}}, "UpdateExpression": "SET a = :v",
            "ExpressionAttributeValues": {":v": {"N": "1"}}, "ReturnValues": rv}
    assert_error(raw_request(endpoint, "UpdateItem", body), VE,
                 f"1 validation error detected: Value '{rv}' at 'returnValues' failed to satisfy constraint: "
                 "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]")


# --------------------------------------------------------------------------
# The 400 KB limit and ConsumedCapacity
# --------------------------------------------------------------------------


def test_update_beyond_400kb_is_refused(ddb, hash_table):
    k = new_key("u-big")
    base = pad_item(k, 300_000)
    ddb.put_item(TableName=hash_table, Item=base)
    invalid(lambda: upd(ddb, hash_table, k, "SET q = :v", {":v": S("y" * 150_000)}), aws_message(TOO_BIG))
    assert get(ddb, hash_table, k) == base
    # ... also when growing an existing attribute through list_append.
    ddb.put_item(TableName=hash_table, Item={**k, "l": L(S("x" * 300_000))})
    invalid(lambda: upd(ddb, hash_table, k, "SET l = list_append(l, l)"), aws_message(TOO_BIG))


def test_update_item_size_boundary_with_long_key(ddb, hash_table):
    # With a key of 20+ bytes the finished item is what is measured: exactly
    # 409,600 bytes is written, 409,601 refused [conformance itemSizeBySurface
    # 'caps at exactly 409,600 with a 100-byte key value'].
    def long_key():
        return {"pk": S(unique_name("u-cap").ljust(100, "k"))}

    ok, over = long_key(), long_key()
    at = pad_item(ok, MAX_ITEM_BYTES, pad_attr="p")
    upd(ddb, hash_table, ok, "SET p = :p", {":p": at["p"]})
    got = get(ddb, hash_table, ok)
    assert got == at and item_bytes(got) == MAX_ITEM_BYTES
    too_big = pad_item(over, MAX_ITEM_BYTES + 1, pad_attr="p")
    invalid(lambda: upd(ddb, hash_table, over, "SET p = :p", {":p": too_big["p"]}), aws_message(TOO_BIG))
    assert get(ddb, hash_table, over) is None


@pytest.mark.xfail(strict=True, reason="ferrodyn measures the finished item against 400 KB; AWS's per-clause "
                   "accounting is known from one capture only (docs/compatibility.md)")
def test_update_item_size_ceiling_with_short_key(ddb):
    # UpdateItem measures what the statement writes plus a per-clause cost, so
    # with a 1-byte key value one SET tops out 19 bytes under 409,600
    # [conformance itemSizeBySurface 'sits below 409,600 at a one-byte key',
    # eu-west-2 capture; undocumented by AWS — see awsrules.update_item_ceiling].
    table = create_table(ddb, unique_name("shortkey"))
    ok, over = {"pk": S("K")}, {"pk": S("L")}
    ceiling = update_item_ceiling(item_bytes(ok), UPDATE_BASE_COST + UPDATE_SET_COST)
    assert ceiling == MAX_ITEM_BYTES - 19
    at = pad_item(ok, ceiling, pad_attr="b")
    upd(ddb, table, ok, "SET b = :pad", {":pad": at["b"]})
    assert item_bytes(get(ddb, table, ok)) == ceiling
    one_more = pad_item(over, ceiling + 1, pad_attr="b")
    invalid(lambda: upd(ddb, table, over, "SET b = :pad", {":pad": one_more["b"]}), aws_message(TOO_BIG))
    # The same finished size is fine for PutItem, which measures the item itself.
    ddb.put_item(TableName=table, Item=one_more)
    ddb.delete_table(TableName=table)


def test_update_consumed_capacity(ddb, hash_table, endpoint):
    # An update costs the larger of the item before and after, 1 KB per unit
    # [dev-guide "UpdateItem ... the larger of the item sizes before and after";
    # dynalite 'ConsumedCapacity for creating (and updating) small/larger item'].
    k = new_key("u-cc")
    first = pad_item(k, 1000, pad_attr="p")
    r = upd(ddb, hash_table, k, "SET p = :p", {":p": first["p"]}, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": write_units(1000)}
    grown = item_bytes({**first, "q": S("x" * 100)})
    r = upd(ddb, hash_table, k, "SET q = :q", {":q": S("x" * 100)}, ReturnConsumedCapacity="INDEXES")
    assert r["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": write_units(1000, grown),
                                     "Table": {"CapacityUnits": write_units(1000, grown)}}
    assert write_units(1000, grown) == 2.0
    r = upd(ddb, hash_table, k, "REMOVE p", ReturnConsumedCapacity="TOTAL")   # shrinking: the old size counts
    assert r["ConsumedCapacity"]["CapacityUnits"] == 2.0
    r = upd(ddb, hash_table, k, "SET r = :r", {":r": N(1)}, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 1.0
    k2 = new_key("u-cc")
    ddb.put_item(TableName=hash_table, Item=pad_item(k2, 3000))
    r = upd(ddb, hash_table, k2, "REMOVE p", ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 3.0
    r = upd(ddb, hash_table, k2, "SET z = :z", {":z": N(1)}, ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in r
    # Raw shape: no Attributes member, just ConsumedCapacity.
    body = {"TableName": hash_table, "Key": {"pk": {"S": k2["pk"]["S"]}}, "UpdateExpression": "SET z = :z",
            "ExpressionAttributeValues": {":z": {"N": "2"}}, "ReturnConsumedCapacity": "TOTAL"}
    r = raw_request(endpoint, "UpdateItem", body)
    assert r.status_code == 200 and r.json() == {"ConsumedCapacity": {"CapacityUnits": 1.0, "TableName": hash_table}}

"""Data plane: PutItem / GetItem / DeleteItem.

Source abbreviations used in comments:
  [dynalite]    architect/dynalite test suite, written against real AWS
  [conformance] nubo-db/dynamodb-conformance, multi-region captures of real AWS (2026)
  [dev-guide]   AWS DynamoDB Developer Guide
  [moto]        getmoto/moto tests that quote AWS messages
"""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from awsrules import MAX_ITEM_BYTES, item_bytes, normalise_number, pad_item, read_units, write_units
from conftest import assert_error, client_error, create_table, raw_request, unique_name, wait_gone


def key(s: str) -> dict:
    return {"pk": {"S": s}}


def get(ddb, table, k, **kw):
    return ddb.get_item(TableName=table, Key=k, ConsistentRead=True, **kw).get("Item")


def expect_validation(fn, message=None) -> str:
    with pytest.raises(ClientError) as ei:
        fn()
    code, msg, status = client_error(ei)
    assert (code, status) == ("ValidationException", 400), (code, msg, status)
    if message is not None:
        if hasattr(message, "search"):
            assert message.search(msg), f"{msg!r} !~ {message.pattern!r}"
        else:
            assert msg == message, f"\n got: {msg!r}\nwant: {message!r}"
    return msg


# Some regions wrap request-validation messages in the coral envelope, some do
# not ([conformance] putItem.test.ts notes 'newer-wording regions add the
# envelope prefix'); accept both, pin the rest.
ENV = r"^(?:1 validation error detected: )?"


# --------------------------------------------------------------------------
# Round trips of every attribute type
# --------------------------------------------------------------------------


def test_put_get_every_type(ddb, hash_table):
    item = {
        "pk": {"S": "all-types"},
        "s": {"S": "héllo wörld ✓ 😀"},
        "n": {"N": "-56.789"},
        "b": {"B": bytes(range(256))},
        "t": {"BOOL": True},
        "f": {"BOOL": False},
        "z": {"NULL": True},
        "ss": {"SS": ["a", "b", "c"]},
        "ns": {"NS": ["1", "-2.5", "300"]},
        "bs": {"BS": [b"\x00", b"\x01\x02", b"\xff"]},
        "l": {"L": [{"S": "a"}, {"N": "1"}, {"B": b"\x01"}, {"BOOL": True}, {"NULL": True},
                    {"SS": ["x"]}, {"NS": ["2"]}, {"BS": [b"\x02"]}, {"L": []}, {"M": {}}]},
        "m": {"M": {"a": {"S": "a"}, "b": {"N": "-56.789"}, "c": {"B": b"b"}, "d": {"BOOL": True},
                    "e": {"NULL": True}, "f": {"SS": ["a"]}, "g": {"NS": ["-56.789"]},
                    "h": {"BS": [b"b"]}, "i": {"L": []},
                    "j": {"M": {"a": {"M": {}}, "b": {"L": [{"M": {"deep": {"S": "yes"}}}]}}}}},
    }
    resp = ddb.put_item(TableName=hash_table, Item=item)
    # PutItem without ReturnValues answers an empty object [dynalite putItem.js 'should put basic item'].
    assert set(resp) == {"ResponseMetadata"}
    got = get(ddb, hash_table, key("all-types"))
    assert {k: v for k, v in got.items() if k not in ("ss", "ns", "bs")} == \
        {k: v for k, v in item.items() if k not in ("ss", "ns", "bs")}
    # Sets are unordered.
    assert sorted(got["ss"]["SS"]) == ["a", "b", "c"]
    assert sorted(got["ns"]["NS"], key=float) == ["-2.5", "1", "300"]
    assert sorted(got["bs"]["BS"]) == [b"\x00", b"\x01\x02", b"\xff"]


def test_put_empty_strings_and_binaries_outside_keys(ddb, hash_table):
    # Empty S/B (and set members) are allowed in non-key attributes
    # [dynalite putItem.js 'should put empty values'; conformance emptyValues.test.ts].
    item = {"pk": {"S": "empties"}, "b": {"S": ""}, "c": {"B": b""}, "d": {"SS": [""]}, "e": {"BS": [b""]},
            "l": {"L": [{"S": ""}, {"S": "hello"}]}, "m": {"M": {"x": {"S": ""}}}}
    ddb.put_item(TableName=hash_table, Item=item)
    assert get(ddb, hash_table, key("empties")) == item


def test_put_replaces_whole_item(ddb, hash_table):
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "replace"}, "a": {"S": "1"}, "b": {"S": "2"}})
    ddb.put_item(TableName=hash_table, Item={"pk": {"S": "replace"}, "c": {"S": "3"}})
    assert get(ddb, hash_table, key("replace")) == {"pk": {"S": "replace"}, "c": {"S": "3"}}


def test_get_missing_item_returns_no_item(ddb, hash_table, endpoint):
    r = raw_request(endpoint, "GetItem", {"TableName": hash_table, "Key": key("never-written")})
    # An empty JSON object, no 'Item' member [dynalite getItem.js 'should return empty response'].
    assert r.status_code == 200 and r.json() == {}


def test_composite_key_items_are_distinct(ddb, composite_table):
    ddb.put_item(TableName=composite_table, Item={"pk": {"S": "h"}, "sk": {"S": "a"}, "v": {"N": "1"}})
    ddb.put_item(TableName=composite_table, Item={"pk": {"S": "h"}, "sk": {"S": "b"}, "v": {"N": "2"}})
    a = ddb.get_item(TableName=composite_table, Key={"pk": {"S": "h"}, "sk": {"S": "a"}}, ConsistentRead=True)
    assert a["Item"]["v"] == {"N": "1"}
    ddb.delete_item(TableName=composite_table, Key={"pk": {"S": "h"}, "sk": {"S": "a"}})
    assert "Item" not in ddb.get_item(TableName=composite_table, Key={"pk": {"S": "h"}, "sk": {"S": "a"}})
    b = ddb.get_item(TableName=composite_table, Key={"pk": {"S": "h"}, "sk": {"S": "b"}}, ConsistentRead=True)
    assert b["Item"]["v"] == {"N": "2"}


def test_number_and_binary_keys(ddb, num_table, bin_table):
    ddb.put_item(TableName=num_table, Item={"pk": {"N": "1.50"}, "sk": {"N": "-0"}, "v": {"S": "x"}})
    # Keys are compared numerically: 1.5 == 1.50 and 0 == -0; output is normalised.
    got = ddb.get_item(TableName=num_table, Key={"pk": {"N": "1.5"}, "sk": {"N": "0"}}, ConsistentRead=True)["Item"]
    assert got == {"pk": {"N": "1.5"}, "sk": {"N": "0"}, "v": {"S": "x"}}
    ddb.put_item(TableName=bin_table, Item={"pk": {"B": b"\x00\xff"}, "sk": {"B": b"\x01"}})
    got = ddb.get_item(TableName=bin_table, Key={"pk": {"B": b"\x00\xff"}, "sk": {"B": b"\x01"}}, ConsistentRead=True)
    assert got["Item"] == {"pk": {"B": b"\x00\xff"}, "sk": {"B": b"\x01"}}


# --------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------

NUMBER_CASES = [
    ("1.0", "1"),                     # [conformance numberPrecision 'trailing decimal zeros']
    ("3.1400", "3.14"),
    ("1e2", "100"),
    ("1.5E2", "150"),
    ("-0", "0"),                      # [conformance numberPrecision 'negative zero']
    ("00042", "42"),
    ("0042.1200", "42.12"),           # [conformance numberByteSize 'trims the zeros']
    ("-0015.789e6", "-15789000"),     # [dynalite putItem.js 'correct old values']
    ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ("0000012345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ("-00001.23456789012345678901234567890123456780000", "-1.2345678901234567890123456789012345678"),
    ("0009.99999999999999999999999999999999999990000e125", "9" * 38 + "0" * 88),
    ("-0009.99999999999999999999999999999999999990000e125", "-" + "9" * 38 + "0" * 88),
    ("0001.000e-130", "0." + "0" * 129 + "1"),   # [dynalite putItem.js 'should put really long numbers']
    ("-0001.000e-130", "-0." + "0" * 129 + "1"),
    ("1E125", "1" + "0" * 125),       # [conformance numberByteSize 'expands an exponent']
]


@pytest.mark.parametrize("literal,expected", NUMBER_CASES)
def test_number_normalisation(ddb, hash_table, literal, expected):
    assert normalise_number(literal) == expected  # the helper agrees with the sources
    k = key(f"num-{literal}")
    ddb.put_item(TableName=hash_table, Item={**k, "n": {"N": literal}, "ns": {"NS": [literal, "7"]},
                                             "l": {"L": [{"N": literal}]}})
    got = get(ddb, hash_table, k)
    assert got["n"] == {"N": expected}
    assert sorted(got["ns"]["NS"]) == sorted([expected, "7"])
    assert got["l"] == {"L": [{"N": expected}]}


@pytest.mark.parametrize("literal,pattern", [
    # [dynalite putItem.js 'empty/invalid numbers'] — regions may add the envelope
    ("123456789012345678901234567890123456789", "Attempting to store more than 38 significant digits in a Number"),
    ("-1.23456789012345678901234567890123456789", "Attempting to store more than 38 significant digits in a Number"),
    ("1e126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("-1e126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("1e-131", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
    ("-1e-131", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
    ("b", "The parameter cannot be converted to a numeric value: b"),
    ("", "The parameter cannot be converted to a numeric value"),
])
def test_invalid_numbers_rejected(ddb, hash_table, literal, pattern):
    k = key(f"badnum-{literal}")
    expect_validation(lambda: ddb.put_item(TableName=hash_table, Item={**k, "n": {"N": literal}}),
                      re.compile(ENV + re.escape(pattern) + "(?::.*)?$"))
    assert get(ddb, hash_table, k) is None


def test_number_set_duplicates_by_value(ddb, hash_table):
    # '1' and '1.0' are the same number, so the set has duplicates.
    # UNCONFIRMED: AWS compares NS members numerically; dynalite only records literal duplicates.
    msg = expect_validation(lambda: ddb.put_item(TableName=hash_table,
                                                 Item={**key("nsdup"), "ns": {"NS": ["1", "1.0"]}}))
    assert "contains duplicates" in msg


# --------------------------------------------------------------------------
# ReturnValues
# --------------------------------------------------------------------------


def test_put_return_values_all_old(ddb, hash_table):
    k = key("rv-put")
    first = ddb.put_item(TableName=hash_table, Item={**k, "b": {"N": "-0015.789e6"}, "c": {"S": "a"}},
                         ReturnValues="ALL_OLD")
    # No previous item: no Attributes member [dynalite putItem.js 'should return empty when there are no old values'].
    assert "Attributes" not in first
    second = ddb.put_item(TableName=hash_table, Item={**k, "b": {"S": "b"}}, ReturnValues="ALL_OLD")
    assert second["Attributes"] == {**k, "b": {"N": "-15789000"}, "c": {"S": "a"}}
    third = ddb.put_item(TableName=hash_table, Item={**k, "b": {"S": "c"}}, ReturnValues="NONE")
    assert "Attributes" not in third


def test_delete_return_values(ddb, hash_table, endpoint):
    k = key("rv-del")
    ddb.put_item(TableName=hash_table, Item={**k, "x": {"SS": ["q"]}})
    gone = ddb.delete_item(TableName=hash_table, Key=k, ReturnValues="ALL_OLD")
    assert gone["Attributes"] == {**k, "x": {"SS": ["q"]}}
    # Deleting a missing item succeeds with an empty object.
    r = raw_request(endpoint, "DeleteItem", {"TableName": hash_table, "Key": k, "ReturnValues": "ALL_OLD"})
    assert r.status_code == 200 and r.json() == {}
    ddb.put_item(TableName=hash_table, Item=k)
    assert "Attributes" not in ddb.delete_item(TableName=hash_table, Key=k, ReturnValues="NONE")
    assert get(ddb, hash_table, k) is None


# UNCONFIRMED: sources disagree on the wording for a ReturnValues that PutItem/DeleteItem
# do not support: dynalite recorded "ReturnValues can only be ALL_OLD or NONE"; moto's tests
# (which quote AWS) use "Return values set to invalid value". Either is accepted.
RV_MSG = re.compile(r"^(?:ReturnValues can only be ALL_OLD or NONE|Return values set to invalid value)$")


@pytest.mark.parametrize("rv", ["UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"])
def test_put_invalid_return_values(ddb, hash_table, rv):
    expect_validation(lambda: ddb.put_item(TableName=hash_table, Item=key("rv-bad"), ReturnValues=rv), RV_MSG)
    assert get(ddb, hash_table, key("rv-bad")) is None


@pytest.mark.parametrize("rv", ["UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"])
def test_delete_invalid_return_values(ddb, hash_table, rv):
    ddb.put_item(TableName=hash_table, Item=key("rv-bad-del"))
    expect_validation(lambda: ddb.delete_item(TableName=hash_table, Key=key("rv-bad-del"), ReturnValues=rv), RV_MSG)
    assert get(ddb, hash_table, key("rv-bad-del")) is not None


# --------------------------------------------------------------------------
# ConsumedCapacity
# --------------------------------------------------------------------------


def test_consumed_capacity_forms(ddb, hash_table, endpoint):
    k = key("cc-forms")
    item = {**k, "data": {"S": "x"}}
    total = ddb.put_item(TableName=hash_table, Item=item, ReturnConsumedCapacity="TOTAL")
    # Exact shapes [dynalite putItem.js 'should return ConsumedCapacity for small item';
    # conformance putItem/consumedCapacity: no Read/WriteCapacityUnits split on single-item ops].
    assert total["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 1.0}
    idx = ddb.put_item(TableName=hash_table, Item=item, ReturnConsumedCapacity="INDEXES")
    assert idx["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}
    none = ddb.put_item(TableName=hash_table, Item=item, ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in none
    g = ddb.get_item(TableName=hash_table, Key=k, ReturnConsumedCapacity="INDEXES", ConsistentRead=True)
    assert g["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}
    d = ddb.delete_item(TableName=hash_table, Key=k, ReturnConsumedCapacity="TOTAL")
    assert d["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 1.0}
    # Raw wire check: the member names and nothing else.
    r = raw_request(endpoint, "GetItem", {"TableName": hash_table, "Key": k, "ReturnConsumedCapacity": "TOTAL"})
    assert r.json() == {"ConsumedCapacity": {"CapacityUnits": 0.5, "TableName": hash_table}}


def test_read_capacity_for_missing_item(ddb, hash_table):
    k = key("cc-missing")
    # [dynalite getItem.js 'should return ConsumedCapacity if specified' / 'full ConsumedCapacity']
    ev = ddb.get_item(TableName=hash_table, Key=k, ReturnConsumedCapacity="TOTAL")
    assert ev["ConsumedCapacity"]["CapacityUnits"] == 0.5
    sc = ddb.get_item(TableName=hash_table, Key=k, ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    assert sc["ConsumedCapacity"]["CapacityUnits"] == 1.0
    ex = ddb.get_item(TableName=hash_table, Key=k, ReturnConsumedCapacity="TOTAL", ConsistentRead=False)
    assert ex["ConsumedCapacity"]["CapacityUnits"] == 0.5


@pytest.mark.parametrize("size", [1, 1023, 1024, 1025, 2048, 2049, 10 * 1024 + 1])
def test_write_capacity_units_by_size(ddb, hash_table, size):
    k = key(f"wcu-{size}")
    item = pad_item(k, size) if size >= item_bytes(k) + 1 else k
    sz = item_bytes(item)
    r = ddb.put_item(TableName=hash_table, Item=item, ReturnConsumedCapacity="TOTAL")
    # 1 WCU per started KB [dev-guide; dynalite putItem.js 1KB boundary tests].
    assert r["ConsumedCapacity"]["CapacityUnits"] == write_units(sz), sz


def test_write_capacity_uses_larger_of_old_and_new(ddb, hash_table):
    k = key("wcu-overwrite")
    big = pad_item(k, 3000)
    ddb.put_item(TableName=hash_table, Item=big)
    # Overwriting a 3 KB item with a tiny one still costs 3 units, the next put 1
    # [dynalite putItem.js 'should return ConsumedCapacity for larger item'].
    r = ddb.put_item(TableName=hash_table, Item=k, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 3.0
    r = ddb.put_item(TableName=hash_table, Item=k, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 1.0


def test_delete_capacity_uses_deleted_item_size(ddb, hash_table):
    k = key("wcu-delete")
    ddb.put_item(TableName=hash_table, Item=pad_item(k, 2100))
    # Deleting costs the deleted item's size in KB [dynalite deleteItem.js 'ConsumedCapacity for larger item'].
    r = ddb.delete_item(TableName=hash_table, Key=k, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 3.0
    # Deleting a missing item costs 1 [dynalite deleteItem.js 'should return ConsumedCapacity if specified'].
    r = ddb.delete_item(TableName=hash_table, Key=k, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 1.0


@pytest.mark.parametrize("size", [4096, 4097, 8192, 8193, 3 * 4096 + 5])
def test_read_capacity_units_by_size(ddb, hash_table, size):
    k = key(f"rcu-{size}")
    ddb.put_item(TableName=hash_table, Item=pad_item(k, size))
    sc = ddb.get_item(TableName=hash_table, Key=k, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    ev = ddb.get_item(TableName=hash_table, Key=k, ReturnConsumedCapacity="TOTAL")
    # 4 KB per RCU strongly consistent, half for eventually consistent
    # [dev-guide; dynalite getItem.js 4KB boundary tests].
    assert sc["ConsumedCapacity"]["CapacityUnits"] == read_units(size, True)
    assert ev["ConsumedCapacity"]["CapacityUnits"] == read_units(size, False)


def test_capacity_counts_document_overhead(ddb, hash_table):
    # An item whose size crosses 1 KB only because of List/Map overhead
    # (3 bytes per container + 1 per element [dev-guide]).
    k = key("cc-doc")
    base = {**k, "m": {"M": {"a": {"S": "x"}, "l": {"L": [{"S": "y"}, {"N": "1"}]}}}}
    item = pad_item(base, 1025)
    r = ddb.put_item(TableName=hash_table, Item=item, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 2.0
    item = pad_item(base, 1024)
    r = ddb.put_item(TableName=hash_table, Item=item, ReturnConsumedCapacity="TOTAL")
    # overwrite of a 1025-byte item: max(old,new) = 1025 -> 2
    assert r["ConsumedCapacity"]["CapacityUnits"] == 2.0
    r = ddb.put_item(TableName=hash_table, Item=item, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 1.0


def test_invalid_return_consumed_capacity(endpoint, hash_table):
    r = raw_request(endpoint, "GetItem", {"TableName": hash_table, "Key": key("x"), "ReturnConsumedCapacity": "hi"})
    # [dynalite getItem.js 'incorrect attributes'] (enum listed in that order).
    assert_error(r, "ValidationException",
                 "1 validation error detected: Value 'hi' at 'returnConsumedCapacity' failed to satisfy "
                 "constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]")


# --------------------------------------------------------------------------
# Item size limit (400 KB = 409,600 bytes)
# --------------------------------------------------------------------------

SIZE_MSG = "Item size has exceeded the maximum allowed size"  # [dynalite; conformance itemSize 'the put wording']


@pytest.mark.parametrize("shape", ["one-attr", "long-name", "many-attrs", "binary", "utf8"])
def test_item_size_limit_exact_boundary(ddb, hash_table, shape):
    k = key(f"size-{shape}")
    if shape == "one-attr":
        base = dict(k)
    elif shape == "long-name":
        base = {**k, "b" * 27: {"S": "z"}}
    elif shape == "many-attrs":
        base = {**k, **{f"a{i}": {"S": "y" * 10} for i in range(10)}, "n": {"N": "12345678901234567890123456789012345678"}}
    elif shape == "binary":
        base = {**k, "bin": {"B": b"\x00" * 200_000}}
    else:
        base = {**k, "u": {"S": "é" * 100_000}}  # 200,000 UTF-8 bytes
    at = pad_item(base, MAX_ITEM_BYTES)
    over = pad_item(base, MAX_ITEM_BYTES + 1)
    # 409,600 accepted, 409,601 refused [conformance itemSize 'the gate, to the byte'].
    expect_validation(lambda: ddb.put_item(TableName=hash_table, Item=over), SIZE_MSG)
    assert get(ddb, hash_table, k) is None
    ddb.put_item(TableName=hash_table, Item=at)
    got = get(ddb, hash_table, k)
    assert got == at
    assert item_bytes(got) == MAX_ITEM_BYTES


def test_item_size_limit_counts_document_overhead(ddb, hash_table):
    # Nested documents: 3 bytes per List/Map + 1 byte per element [dev-guide].
    k = key("size-doc")
    base = {**k, "m": {"M": {"inner": {"L": [{"S": "a"}, {"M": {"x": {"BOOL": True}, "y": {"NULL": True}}}]}}}}
    at = pad_item(base, MAX_ITEM_BYTES)
    over = pad_item(base, MAX_ITEM_BYTES + 1)
    expect_validation(lambda: ddb.put_item(TableName=hash_table, Item=over), SIZE_MSG)
    ddb.put_item(TableName=hash_table, Item=at)
    assert get(ddb, hash_table, k) == at


def test_item_size_number_sizing(ddb, hash_table):
    # Numbers are sized by significant digits, not by their text: '1E125' costs 2
    # bytes although it is stored as 126 digits [conformance numberByteSize].
    k = key("size-num")
    base = {**k, "n": {"N": "1E125"}}
    expect_validation(lambda: ddb.put_item(TableName=hash_table, Item=pad_item(base, MAX_ITEM_BYTES + 1)), SIZE_MSG)
    ddb.put_item(TableName=hash_table, Item=pad_item(base, MAX_ITEM_BYTES))


@pytest.mark.parametrize("literal", ["3.14159", "100.5", "-42", "0.0000001"])
def test_item_size_number_sizing_detail(ddb, hash_table, literal):
    # Byte costs measured against real AWS [conformance src/item-size.ts CAPTURED_NUMBER_BYTES].
    # UNCONFIRMED for '3.14159' and '100.5': the developer guide's rule predicts one byte less.
    k = key(f"size-num-{literal}")
    base = {**k, "n": {"N": literal}}
    expect_validation(lambda: ddb.put_item(TableName=hash_table, Item=pad_item(base, MAX_ITEM_BYTES + 1)), SIZE_MSG)
    ddb.put_item(TableName=hash_table, Item=pad_item(base, MAX_ITEM_BYTES))


def test_item_size_checked_before_table_existence(endpoint):
    # A too-big item for a missing table is a ValidationException, a fitting
    # one a ResourceNotFoundException [dynalite putItem.js 'item is too big with small attribute'].
    k = key("x")
    r = raw_request(endpoint, "PutItem", {"TableName": unique_name("missing"), "Item": pad_item(k, MAX_ITEM_BYTES + 1)})
    assert_error(r, "ValidationException", SIZE_MSG)
    r = raw_request(endpoint, "PutItem", {"TableName": unique_name("missing"), "Item": pad_item(k, MAX_ITEM_BYTES)})
    assert_error(r, "ResourceNotFoundException", "Requested resource not found")


# --------------------------------------------------------------------------
# Key size limits
# --------------------------------------------------------------------------

HASH_MSG = "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"
RANGE_MSG = ("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size "
             "limit of 1024 bytes")
# (sic: no space in 'of2048') [dynalite putItem.js/getItem.js; moto test 'deliberately no space'].


def test_hash_key_size_limit(ddb, hash_table):
    ok = "a" * 2048
    ddb.put_item(TableName=hash_table, Item=key(ok))
    assert get(ddb, hash_table, key(ok)) == key(ok)
    bad = "a" * 2049
    expect_validation(lambda: ddb.put_item(TableName=hash_table, Item=key(bad)), HASH_MSG)
    # Enforced on the read path too [conformance keyLength; dynalite getItem.js].
    expect_validation(lambda: ddb.get_item(TableName=hash_table, Key=key(bad)), HASH_MSG)
    expect_validation(lambda: ddb.delete_item(TableName=hash_table, Key=key(bad)), HASH_MSG)


def test_hash_key_size_counts_utf8_bytes(ddb, hash_table):
    # 1024 x 'é' = 2048 bytes fits; 1025 x 'é' does not [moto test_item_add_long_string_nonascii_hash_key_exception].
    ddb.put_item(TableName=hash_table, Item=key("é" * 1024))
    expect_validation(lambda: ddb.put_item(TableName=hash_table, Item=key("é" * 1025)), HASH_MSG)


def test_range_key_size_limit(ddb, composite_table, bin_table):
    ok = {"pk": {"S": "r"}, "sk": {"S": "b" * 1024}}
    ddb.put_item(TableName=composite_table, Item=ok)
    bad = {"pk": {"S": "r"}, "sk": {"S": "b" * 1025}}
    expect_validation(lambda: ddb.put_item(TableName=composite_table, Item=bad), RANGE_MSG)
    expect_validation(lambda: ddb.get_item(TableName=composite_table, Key=bad), RANGE_MSG)
    ddb.put_item(TableName=bin_table, Item={"pk": {"B": b"\x01" * 2048}, "sk": {"B": b"\x02" * 1024}})
    expect_validation(lambda: ddb.put_item(TableName=bin_table, Item={"pk": {"B": b"\x01" * 2049}, "sk": {"B": b"\x02"}}),
                      HASH_MSG)
    expect_validation(lambda: ddb.put_item(TableName=bin_table, Item={"pk": {"B": b"\x01"}, "sk": {"B": b"\x02" * 1025}}),
                      RANGE_MSG)


# --------------------------------------------------------------------------
# Key shape errors
# --------------------------------------------------------------------------

SCHEMA_MSG = "The provided key element does not match the schema"  # [dynalite getItem.js; conformance getItem/deleteItem]


def test_put_missing_keys(ddb, hash_table, composite_table):
    # [dynalite putItem.js 'missing key' / 'missing range key']
    expect_validation(lambda: ddb.put_item(TableName=hash_table, Item={"b": {"S": "a"}}),
                      "One or more parameter values were invalid: Missing the key pk in the item")
    expect_validation(lambda: ddb.put_item(TableName=composite_table, Item={"pk": {"S": "a"}}),
                      "One or more parameter values were invalid: Missing the key sk in the item")


@pytest.mark.parametrize("av", [
    {"B": b"ab"}, {"N": "1"}, {"BOOL": True}, {"NULL": True}, {"SS": ["a"]}, {"NS": ["1"]},
    {"BS": [b"a"]}, {"M": {}}, {"L": []},
])
def test_put_key_type_mismatch(ddb, hash_table, av):
    actual = next(iter(av))
    # [dynalite putItem.js 'type mismatch for key']
    expect_validation(lambda: ddb.put_item(TableName=hash_table, Item={"pk": av}),
                      f"One or more parameter values were invalid: Type mismatch for key pk expected: S actual: {actual}")


@pytest.mark.parametrize("k", [
    {}, {"b": {"S": "a"}}, {"pk": {"S": "a"}, "extra": {"S": "a"}}, {"pk": {"N": "1"}}, {"pk": {"B": b"a"}},
    {"pk": {"BOOL": True}}, {"pk": {"SS": ["a"]}}, {"pk": {"M": {}}}, {"pk": {"L": []}},
])
@pytest.mark.parametrize("op", ["get", "delete"])
def test_get_delete_key_must_match_schema(ddb, hash_table, k, op):
    fn = ddb.get_item if op == "get" else ddb.delete_item
    # Missing, extra or mistyped key attributes [dynalite getItem.js 'key does not match schema'].
    expect_validation(lambda: fn(TableName=hash_table, Key=k), SCHEMA_MSG)


@pytest.mark.parametrize("op", ["get", "delete"])
def test_get_delete_missing_range_key(ddb, composite_table, op):
    fn = ddb.get_item if op == "get" else ddb.delete_item
    # [conformance tier3/error-messages getItem/deleteItem 'missing range key']
    expect_validation(lambda: fn(TableName=composite_table, Key={"pk": {"S": "a"}}), SCHEMA_MSG)


def test_empty_string_key_rejected(ddb, hash_table, composite_table):
    # [dynalite putItem.js 'empty string key'] (same family as the conformance binary message below)
    expect_validation(lambda: ddb.put_item(TableName=hash_table, Item={"pk": {"S": ""}}),
                      "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                      "contain an empty string value. Key: pk")
    expect_validation(lambda: ddb.put_item(TableName=composite_table, Item={"pk": {"S": "a"}, "sk": {"S": ""}}),
                      "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                      "contain an empty string value. Key: sk")


@pytest.mark.parametrize("op", ["get", "delete"])
def test_empty_string_key_rejected_on_read_path(ddb, hash_table, op):
    fn = ddb.get_item if op == "get" else ddb.delete_item
    # UNCONFIRMED: dynalite recorded "One or more parameter values were invalid: The AttributeValue..."
    # for GetItem; the 2026 conformance captures show "are not valid." for the binary variant on
    # GetItem/DeleteItem. Both wordings accepted.
    expect_validation(lambda: fn(TableName=hash_table, Key={"pk": {"S": ""}}), re.compile(
        r"^One or more parameter values (?:are not valid\.|were invalid:) The AttributeValue for a key "
        r"attribute cannot contain an empty string value\. Key: pk$"))


@pytest.mark.parametrize("op", ["put", "get", "delete"])
def test_empty_binary_key_rejected(ddb, bin_table, op):
    k = {"pk": {"B": b""}, "sk": {"B": b"x"}}
    fn = {"put": lambda: ddb.put_item(TableName=bin_table, Item=k),
          "get": lambda: ddb.get_item(TableName=bin_table, Key=k),
          "delete": lambda: ddb.delete_item(TableName=bin_table, Key=k)}[op]
    # Exact [conformance tier3/error-messages put/get/deleteItem 'empty-binary key value'].
    expect_validation(fn, "One or more parameter values are not valid. The AttributeValue for a key attribute "
                          "cannot contain an empty binary value. Key: pk")


# --------------------------------------------------------------------------
# Sets
# --------------------------------------------------------------------------


@pytest.mark.parametrize("av,core", [
    # Double space in 'set  may' is AWS's [dynalite putItem.js; conformance emptyValues].
    ({"SS": []}, "One or more parameter values were invalid: An string set  may not be empty"),
    ({"NS": []}, "One or more parameter values were invalid: An number set  may not be empty"),
    ({"BS": []}, "One or more parameter values were invalid: Binary sets should not be empty"),
])
def test_empty_sets_rejected(ddb, hash_table, av, core):
    pat = re.compile(ENV + re.escape(core) + "$")
    expect_validation(lambda: ddb.put_item(TableName=hash_table, Item={**key("es"), "s": av}), pat)
    # ... also nested inside documents [conformance emptyValues 'nested inside a Map/List'].
    expect_validation(lambda: ddb.put_item(TableName=hash_table, Item={**key("es"), "m": {"M": {"x": av}}}))
    expect_validation(lambda: ddb.put_item(TableName=hash_table, Item={**key("es"), "l": {"L": [av]}}))
    assert get(ddb, hash_table, key("es")) is None


@pytest.mark.parametrize("av,pieces", [
    # Rendering of the collection varies by region ([a, a] vs ["a", "a"]) [conformance putItem error-messages].
    ({"SS": ["a", "a"]}, ["One or more parameter values were invalid: Input collection", "contains duplicates"]),
    ({"SS": ["", ""]}, ["One or more parameter values were invalid: Input collection", "contains duplicates"]),
    ({"NS": ["1", "1", "2"]}, ["Input collection", "contains duplicates"]),
    ({"BS": [b"b", b"b"]}, ["One or more parameter values were invalid: Input collection", "of type BS contains duplicates"]),
])
def test_duplicate_set_members_rejected(ddb, hash_table, av, pieces):
    msg = expect_validation(lambda: ddb.put_item(TableName=hash_table, Item={**key("dups"), "s": av}))
    for p in pieces:
        assert p in msg, msg


def test_null_false(ddb, hash_table):
    # UNCONFIRMED: split AWS behaviour [conformance putItem error-messages, 2026]: most
    # regions reject {NULL: false} ("Null attribute value types must have the value of
    # true" [dynalite]); eu-west-2 accepts it and stores NULL true.
    k = key("null-false")
    try:
        ddb.put_item(TableName=hash_table, Item={**k, "z": {"NULL": False}})
    except ClientError as e:
        code, msg = e.response["Error"]["Code"], e.response["Error"]["Message"]
        assert code == "ValidationException"
        assert re.search(r"Null attribute value types must have the value of true", msg), msg
        assert get(ddb, hash_table, k) is None
    else:
        assert get(ddb, hash_table, k) == {**k, "z": {"NULL": True}}


# --------------------------------------------------------------------------
# ConsistentRead and durability of acknowledged writes (same server)
# --------------------------------------------------------------------------


def test_eventually_consistent_read_sees_own_write(ddb, hash_table):
    # A single-node server has no replication lag; an eventually consistent read
    # right after an acknowledged write must see it (AWS usually does within ~1s).
    k = key("ec-read")
    ddb.put_item(TableName=hash_table, Item={**k, "v": {"N": "1"}})
    assert ddb.get_item(TableName=hash_table, Key=k, ConsistentRead=False)["Item"]["v"] == {"N": "1"}


def test_items_are_per_table(ddb):
    t1 = create_table(ddb)
    t2 = create_table(ddb)
    ddb.put_item(TableName=t1, Item={**key("same"), "t": {"S": "one"}})
    assert get(ddb, t2, key("same")) is None
    ddb.delete_table(TableName=t1)
    # Recreating the table must not resurrect old items.
    wait_gone(ddb, t1)
    create_table(ddb, t1)
    assert get(ddb, t1, key("same")) is None

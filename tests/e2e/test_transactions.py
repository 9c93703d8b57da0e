"""TransactWriteItems and TransactGetItems: Put/Update/Delete/ConditionCheck across
tables, all-or-nothing cancellation and its CancellationReasons, the exact
TransactionCanceledException message and wire shape, validation errors and limits
(100 actions, duplicate targets, empty lists, 400 KB items, the 4 MB aggregate,
missing tables, bad keys, expression errors), which faults are top-level errors and
which are ValidationError cancellation reasons, TransactGetItems ordering, projection
and missing items, ClientRequestToken idempotency, ConsumedCapacity, a concurrent
bank-transfer workload that must conserve money in every snapshot, and kill -9 in
the middle of transfers.

Source abbreviations used in comments:
  [conformance] nubo-db/dynamodb-conformance; its whole suite passes against real
                DynamoDB (results/dynamodb.json): tests/tier2/transactions/
                transactWrite.test.ts and transactGet.test.ts, tests/tier3/
                error-messages/transactWriteItems.test.ts and transactGetItems.test.ts,
                tests/tier3/limits/transactionLimits.test.ts and itemSizeBySurface.test.ts
  [paritysuite] paritysuite/dynamodb-conformance, captures of us-east-1 and eu-west-2
                (2026-10): tier3/error-messages/transact*.test.ts,
                tier3/validation-ordering/transactions.test.ts; PRs #67 and #74 and
                issue #69 (transactional capacity, characterised in eu-west-2)
  [extenddb]    ExtendDB/extenddb tests run against real DynamoDB:
                test_transact_write_conflict.py, test_transact_expression_validation.py
                ("every expected message was captured from Amazon DynamoDB"),
                test_transaction_operations.py
  [moto-aws]    getmoto/moto tests marked @aws_verified,
                exceptions/test_dynamodb_transactions.py
  [localstack]  localstack test_dynamodb.snapshot.json (recorded against AWS);
                issues #6529 and #13090 (both compare with real AWS)
  [pynamodb]    pynamodb/PynamoDB PR #1144, which quotes a raw cancellation body
  [dynoxide]    nubo-db/dynoxide PRs #57, #123, #188 (capacity rules checked against AWS)
  [dax-client]  AWS's DAX JavaScript client, whose validation mimics DynamoDB's texts
  [dynalite]    architect/dynalite test suite (single-item messages), written against AWS
  [dynalite-fork] a 2018-era dynalite fork's test/transactWriteItem.js
  [thebackend.io] community.thebackend.io/t/topic/197, the error table of a service
                built on DynamoDB transactions (quotes DynamoDB's texts)
  [api-ref]     AWS API Reference and the botocore service model (TransactWriteItems,
                TransactGetItems, TransactionCanceledException, CancellationReason)
  [dev-guide]   AWS Developer Guide, transaction-apis (idempotency, isolation, capacity)
  [debrie]      Alex DeBrie, "DynamoDB Transactions: Use Cases and Examples"

Expectations marked UNCONFIRMED are ones where no capture of real AWS was found or
the sources disagree; those assertions accept only the documented alternatives (or
just the error code).

Note that boto3 fills a fresh ClientRequestToken into every TransactWriteItems call
that does not carry one (the botocore model marks it `idempotencyToken`), so the
server sees a token on every request made through the SDK.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import threading
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from awsrules import MAX_ITEM_BYTES, item_bytes, pad_item, read_units, write_units
from conftest import (
    FerrodynServer,
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
    to_wire,
    unique_name,
    wait_active,
)

VE = "ValidationException"
RNF = "ResourceNotFoundException"
TCE = "TransactionCanceledException"
IPM = "IdempotentParameterMismatchException"
TCE_TYPE = "com.amazonaws.dynamodb.v20120810#TransactionCanceledException"

CANCEL_PREFIX = "Transaction cancelled, please refer cancellation reasons for specific reasons "
CCF_MSG = "The conditional request failed"                                  # [conformance; pynamodb]
CONFLICT_MSG = "Transaction is ongoing for the item"                         # [extenddb conflict test]
DUP_MSG = "Transaction request cannot include multiple operations on one item"  # [conformance; moto-aws]
NOT_FOUND = "Requested resource not found"                                   # [conformance; localstack]
SCHEMA = "The provided key element does not match the schema"                # [conformance tier3]
SIZE_MSG = "Item size has exceeded the maximum allowed size"                 # [conformance itemSizeBySurface]
UPDATE_SIZE_MSG = "Item size to update has exceeded the maximum allowed size"  # [conformance itemSizeBySurface]
BAD_TYPE = "An operand in the update expression has an incorrect data type"  # [api-ref CancellationReason list]
EMPTY_KEY = ("One or more parameter values are not valid. The AttributeValue for a key attribute "
             "cannot contain an empty string value. Key: pk")                # [conformance; moto-aws]
KEY_ATTR = ("One or more parameter values were invalid: Cannot update attribute pk. "
            "This attribute is part of the key")                             # UpdateItem's text [dynalite]


def cancel_msg(codes: list[str]) -> str:
    # One code per action, in request order, joined by ", " [conformance 'two failing
    # actions' and 'one passing, one failing'; localstack test_transaction_write_canceled].
    return CANCEL_PREFIX + "[" + ", ".join(codes) + "]"


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def fresh(prefix: str = "tx") -> str:
    return unique_name(prefix)


def hk(s: str) -> dict:
    return {"pk": S(s)}


def ck(p: str, s: str) -> dict:
    return {"pk": S(p), "sk": S(s)}


def get(ddb, table, key):
    return ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def _with_expr(body: dict, values=None, names=None) -> dict:
    if values is not None:
        body["ExpressionAttributeValues"] = values
    if names is not None:
        body["ExpressionAttributeNames"] = names
    return body


def t_put(table, item, cond=None, values=None, names=None, **extra) -> dict:
    body = {"TableName": table, "Item": item, **extra}
    if cond is not None:
        body["ConditionExpression"] = cond
    return {"Put": _with_expr(body, values, names)}


def t_update(table, key, expr, values=None, names=None, cond=None, **extra) -> dict:
    body = {"TableName": table, "Key": key, "UpdateExpression": expr, **extra}
    if cond is not None:
        body["ConditionExpression"] = cond
    return {"Update": _with_expr(body, values, names)}


def t_delete(table, key, cond=None, values=None, names=None, **extra) -> dict:
    body = {"TableName": table, "Key": key, **extra}
    if cond is not None:
        body["ConditionExpression"] = cond
    return {"Delete": _with_expr(body, values, names)}


def t_check(table, key, cond, values=None, names=None, **extra) -> dict:
    return {"ConditionCheck": _with_expr({"TableName": table, "Key": key, "ConditionExpression": cond, **extra},
                                         values, names)}


def t_get(table, key, **extra) -> dict:
    return {"Get": {"TableName": table, "Key": key, **extra}}


def cancelled(fn, codes: list[str]) -> list[dict]:
    """Run a call that must be cancelled with exactly these reason codes; returns the
    parsed CancellationReasons (botocore lifts modelled error members to the top of
    the error response)."""
    resp = expect_error(fn, TCE, cancel_msg(codes))
    reasons = resp.get("CancellationReasons")
    assert reasons is not None, resp
    assert [r.get("Code") for r in reasons] == codes, reasons
    return reasons


def assert_none_reason(reason: dict) -> None:
    # An action that did not fail reports the literal code "None" and no Message
    # [api-ref TransactionCanceledException: "the message field is omitted entirely
    # for an item that has no error"; extenddb asserts "Message" not in the reason].
    assert reason == {"Code": "None"}, reason


def cap_entry(entry: dict, table: str, units: float, side: str, indexes: bool = False) -> None:
    """One table's transactional ConsumedCapacity entry.

    Transactional responses carry the read/write split at the top level, unlike
    single-item operations [paritysuite issue #69 comment; dynoxide #123]: writes
    report WriteCapacityUnits, reads ReadCapacityUnits, equal to CapacityUnits.
    UNCONFIRMED: whether the other side is present as 0.0 — absent or 0.0 accepted.
    INDEXES adds a Table breakdown with the same split [conformance transactGet
    'INDEXES breakdown includes the table read capacity units'; dynoxide #57]."""
    other = "ReadCapacityUnits" if side == "WriteCapacityUnits" else "WriteCapacityUnits"
    assert entry["TableName"] == table, entry
    assert entry["CapacityUnits"] == units, entry
    assert entry.get(side) == units, entry
    assert entry.get(other, 0.0) == 0.0, entry
    allowed = {"TableName", "CapacityUnits", "ReadCapacityUnits", "WriteCapacityUnits"}
    if indexes:
        table_part = entry.get("Table")
        assert table_part is not None, entry
        assert table_part.get(side) == units, entry
        assert table_part.get("CapacityUnits", units) == units, entry
        assert table_part.get(other, 0.0) == 0.0, entry
        allowed |= {"Table", "GlobalSecondaryIndexes", "LocalSecondaryIndexes"}
    else:
        assert "Table" not in entry, entry
    assert set(entry) <= allowed, entry


def by_table(consumed: list) -> dict:
    names = [c["TableName"] for c in consumed]
    assert len(names) == len(set(names)), consumed
    return {c["TableName"]: c for c in consumed}


def txn_write_units(size: int) -> float:
    # Two write units per 1 KB of each item (prepare + commit) [dev-guide capacity;
    # localstack #13090 and DynamoDB Local issue #31: two sub-1KB puts cost 4.0 on AWS].
    return 2 * write_units(size)


def txn_read_units(size: int) -> float:
    # Two read units per 4 KB of each item, a missing item included [dev-guide;
    # conformance transactGet 'charges 2 read capacity units per item, including a
    # missing item'].
    return 2 * read_units(size, True)


def raw_twi(endpoint, items, **extra):
    return raw_request(endpoint, "TransactWriteItems", {"TransactItems": items, **extra})


def raw_tgi(endpoint, items, **extra):
    return raw_request(endpoint, "TransactGetItems", {"TransactItems": items, **extra})


@pytest.fixture(scope="module")
def hash_table_2(ddb):
    name = create_table(ddb, unique_name("tx-hash2"))
    yield name
    ddb.delete_table(TableName=name)


# ==========================================================================
# TransactWriteItems — functionality
# ==========================================================================


def test_write_all_four_actions_across_two_tables(ddb, hash_table, composite_table):
    new, upd = hk(fresh("tw-new")), hk(fresh("tw-upd"))
    doomed, checked = ck(fresh("tw-del"), "a"), ck(fresh("tw-chk"), "b")
    ddb.put_item(TableName=hash_table, Item={**upd, "n": N(5), "tag": S("old")})
    ddb.put_item(TableName=composite_table, Item={**doomed, "x": S("bye")})
    ddb.put_item(TableName=composite_table, Item={**checked, "state": S("open")})
    new_item = {**new, "l": L(S("a"), N(1)), "m": M(k=S("v"))}
    resp = ddb.transact_write_items(TransactItems=[
        t_put(hash_table, new_item, cond="attribute_not_exists(pk)"),
        t_update(hash_table, upd, "SET tag = :t ADD n :one", {":t": S("new"), ":one": N(1), ":five": N(5)},
                 cond="n = :five"),
        t_delete(composite_table, doomed),
        t_check(composite_table, checked, "#s = :open", {":open": S("open")}, {"#s": "state"}),
    ])
    # Success carries neither ConsumedCapacity nor ItemCollectionMetrics unless asked
    # [localstack test_transaction_write_items: only ResponseMetadata recorded].
    assert set(resp) == {"ResponseMetadata"}, resp
    assert get(ddb, hash_table, new) == new_item
    assert get(ddb, hash_table, upd) == {**upd, "n": N(6), "tag": S("new")}
    assert get(ddb, composite_table, doomed) is None
    # A ConditionCheck leaves its item untouched [api-ref ConditionCheck].
    assert get(ddb, composite_table, checked) == {**checked, "state": S("open")}


def test_write_success_body_is_empty_object(endpoint, ddb, hash_table):
    k = hk(fresh("tw-raw"))
    r = raw_twi(endpoint, [{"Put": {"TableName": hash_table, "Item": to_wire({**k, "a": S("x")})}}])
    # [localstack test_transaction_write_items recorded no output members]
    assert r.status_code == 200, r.text
    assert r.json() == {}
    assert get(ddb, hash_table, k) == {**k, "a": S("x")}


def test_write_update_upserts_and_condition_on_missing_item_creates_nothing(ddb, hash_table):
    created, ghost = hk(fresh("tw-upsert")), hk(fresh("tw-ghost"))
    # attribute_not_exists on a fresh key creates the item [conformance 'Update with
    # attribute_not_exists upserts on non-existent key'].
    ddb.transact_write_items(TransactItems=[
        t_update(hash_table, created, "SET #s = :v", {":v": S("created")}, {"#s": "status"},
                 cond="attribute_not_exists(pk)")])
    assert get(ddb, hash_table, created) == {**created, "status": S("created")}
    # A failing condition on a missing key leaves no ghost item [conformance 'Update
    # with attribute_exists rejects non-existent item'].
    reasons = cancelled(lambda: ddb.transact_write_items(TransactItems=[
        t_update(hash_table, ghost, "ADD hits :one", {":one": N(1)}, cond="attribute_exists(pk)")]),
        ["ConditionalCheckFailed"])
    assert reasons[0] == {"Code": "ConditionalCheckFailed", "Message": CCF_MSG}
    assert get(ddb, hash_table, ghost) is None


def test_write_failed_condition_cancels_every_action(ddb, hash_table, composite_table):
    new, upd = hk(fresh("tw-an-new")), hk(fresh("tw-an-upd"))
    guarded = ck(fresh("tw-an-del"), "z")
    ddb.put_item(TableName=hash_table, Item={**upd, "n": N(1)})
    ddb.put_item(TableName=composite_table, Item={**guarded, "locked": {"BOOL": True}})
    reasons = cancelled(lambda: ddb.transact_write_items(TransactItems=[
        t_put(hash_table, {**new, "a": S("never")}),
        t_update(hash_table, upd, "SET n = n + :one", {":one": N(1)}, cond="attribute_exists(pk)"),
        t_delete(composite_table, guarded, cond="locked = :f", values={":f": {"BOOL": False}}),
    ]), ["None", "None", "ConditionalCheckFailed"])
    # Positional reasons: None for actions that would have succeeded, the failure's
    # code and "The conditional request failed" for the one that did not
    # [conformance 'one passing, one failing: positional reason codes'].
    assert_none_reason(reasons[0])
    assert_none_reason(reasons[1])
    assert reasons[2] == {"Code": "ConditionalCheckFailed", "Message": CCF_MSG}
    # All or nothing [api-ref; conformance 'rolls back entire transaction'].
    assert get(ddb, hash_table, new) is None
    assert get(ddb, hash_table, upd) == {**upd, "n": N(1)}
    assert get(ddb, composite_table, guarded) == {**guarded, "locked": {"BOOL": True}}


def test_write_cancellation_reasons_carry_all_old_item(ddb, hash_table, composite_table):
    checked = ck(fresh("tw-old-chk"), "s")
    stale, new = hk(fresh("tw-old-upd")), hk(fresh("tw-old-new"))
    checked_item = {**checked, "state": S("closed"), "l": L(N(1), S("two")), "m": M(x=N(3))}
    ddb.put_item(TableName=composite_table, Item=checked_item)
    ddb.put_item(TableName=hash_table, Item={**stale, "v2": N(7)})
    reasons = cancelled(lambda: ddb.transact_write_items(TransactItems=[
        t_check(composite_table, checked, "#s = :open", {":open": S("open")}, {"#s": "state"},
                ReturnValuesOnConditionCheckFailure="ALL_OLD"),
        t_put(hash_table, {**new, "a": S("x")}),
        t_update(hash_table, stale, "SET v2 = :v", {":v": N(8), ":w": N(9)}, cond="v2 = :w"),
    ]), ["ConditionalCheckFailed", "None", "ConditionalCheckFailed"])
    # ALL_OLD puts the stored item on the failing action's reason [conformance
    # 'returns ALL_OLD item via ReturnValuesOnConditionCheckFailure'; api-ref
    # CancellationReason.Item]; without it (NONE is the default) there is no Item.
    assert set(reasons[0]) == {"Code", "Message", "Item"}, reasons[0]
    assert reasons[0]["Message"] == CCF_MSG
    assert canon(reasons[0]["Item"]) == canon(checked_item)
    assert_none_reason(reasons[1])
    assert reasons[2] == {"Code": "ConditionalCheckFailed", "Message": CCF_MSG}
    assert get(ddb, hash_table, new) is None
    assert get(ddb, hash_table, stale) == {**stale, "v2": N(7)}


def test_write_cancellation_wire_shape(endpoint, ddb, hash_table):
    new, taken = hk(fresh("tw-wire-new")), hk(fresh("tw-wire-old"))
    ddb.put_item(TableName=hash_table, Item={**taken, "a": S("x")})
    r = raw_twi(endpoint, [
        {"Put": {"TableName": hash_table, "Item": to_wire(new)}},
        {"Put": {"TableName": hash_table, "Item": to_wire(taken), "ConditionExpression": "attribute_not_exists(pk)"}},
    ], ReturnConsumedCapacity="TOTAL")
    # HTTP 400, the DynamoDB-namespace __type, a capital-M Message and the reasons list,
    # nothing else [pynamodb quotes exactly this body from AWS]; a cancelled
    # transaction reports no ConsumedCapacity [paritysuite PR #67].
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["__type"] == TCE_TYPE, body
    # UNCONFIRMED casing beyond the one quoted body: "Message" or "message" accepted
    # (botocore reads either).
    msg_keys = [k for k in body if k.lower() == "message"]
    assert len(msg_keys) == 1, body
    assert body[msg_keys[0]] == cancel_msg(["None", "ConditionalCheckFailed"])
    assert set(body) == {"__type", msg_keys[0], "CancellationReasons"}, body
    assert body["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": CCF_MSG},
    ]
    assert get(ddb, hash_table, new) is None


def test_write_names_and_values_without_an_expression_are_accepted(ddb, hash_table):
    # Unlike the single-item APIs, a transact Put/Delete that declares names or values
    # but has no expression is accepted [extenddb test_transact_expression_validation,
    # captured from AWS].
    p, d = hk(fresh("tw-nx-put")), hk(fresh("tw-nx-del"))
    ddb.put_item(TableName=hash_table, Item=d)
    ddb.transact_write_items(TransactItems=[
        t_put(hash_table, p, names={"#n": "foo"}),
        t_delete(hash_table, d, values={":v": N(1)}),
    ])
    assert get(ddb, hash_table, p) == p
    assert get(ddb, hash_table, d) is None


def test_write_exactly_100_actions(ddb, hash_table, hash_table_2):
    prefix = fresh("tw-100")
    # 100 actions is the documented maximum and succeeds [api-ref; conformance
    # 'TransactWriteItems with exactly 100 Put actions succeeds'], across two tables.
    items = [t_put(hash_table if i % 2 else hash_table_2, {**hk(f"{prefix}-{i}"), "i": N(i)}) for i in range(100)]
    resp = ddb.transact_write_items(TransactItems=items, ReturnConsumedCapacity="TOTAL")
    for i in (0, 1, 98, 99):
        assert get(ddb, hash_table if i % 2 else hash_table_2, hk(f"{prefix}-{i}"))["i"] == N(i)
    # 50 sub-1KB puts per table at 2 units each (the entry's full shape is checked in
    # test_write_consumed_capacity).
    got = by_table(resp["ConsumedCapacity"])
    assert {t: e["CapacityUnits"] for t, e in got.items()} == {hash_table: 100.0, hash_table_2: 100.0}


def test_write_same_key_in_two_tables_is_two_items(ddb, hash_table, hash_table_2):
    k = hk(fresh("tw-two-tables"))
    # "No two actions can target the same item" [api-ref]; an item is a table plus a
    # key, so the same key in two tables is two items.
    ddb.transact_write_items(TransactItems=[t_put(hash_table, {**k, "a": S("1")}),
                                            t_put(hash_table_2, {**k, "b": S("2")})])
    assert get(ddb, hash_table, k) == {**k, "a": S("1")}
    assert get(ddb, hash_table_2, k) == {**k, "b": S("2")}


# ==========================================================================
# TransactWriteItems — validation and limits
# ==========================================================================


def test_write_empty_transact_items(endpoint):
    # boto3 refuses an empty list client-side (min length 1), so it is sent raw.
    # Two regional wordings, both exact [paritysuite 'empty TransactItems'; conformance].
    r = raw_twi(endpoint, [])
    assert_error(r, VE, re.compile(
        r"^1 validation error detected: (?:Value '\[\]' at 'transactItems'|Value at 'TransactItems') "
        r"failed to satisfy constraint: Member must have length greater than or equal to 1$"))


def test_write_101_actions_rejected(ddb, hash_table):
    prefix = fresh("tw-101")
    items = [t_put(hash_table, hk(f"{prefix}-{i}")) for i in range(101)]
    # The old cohort echoes the list as Java toString, the new one names the member
    # [paritysuite '> 100 actions'; conformance transactionLimits].
    expect_error(lambda: ddb.transact_write_items(TransactItems=items), VE, re.compile(
        r"^1 validation error detected: (?:Value '\[.+\]' at 'transactItems'|Value at 'TransactItems') "
        r"failed to satisfy constraint: Member must have length less than or equal to 100$", re.DOTALL))
    assert get(ddb, hash_table, hk(f"{prefix}-0")) is None


@pytest.mark.parametrize("pair", ["put-put", "put-delete", "update-check", "delete-update", "check-check"])
def test_write_two_actions_on_one_item(ddb, hash_table, pair):
    k = hk(fresh("tw-dup"))
    ddb.put_item(TableName=hash_table, Item={**k, "n": N(1)})
    make = {
        "put": lambda: t_put(hash_table, {**k, "n": N(2)}),
        "delete": lambda: t_delete(hash_table, k),
        "update": lambda: t_update(hash_table, k, "SET n = :v", {":v": N(3)}),
        "check": lambda: t_check(hash_table, k, "attribute_exists(pk)"),
    }
    a, b = pair.split("-")
    # A top-level ValidationException, not a cancellation [conformance 'duplicate
    # target keys'; moto-aws put+delete]. (In 2018 AWS cancelled instead
    # [dynalite-fork]; current AWS does not.)
    expect_error(lambda: ddb.transact_write_items(TransactItems=[make[a](), make[b]()]), VE, DUP_MSG)
    assert get(ddb, hash_table, k) == {**k, "n": N(1)}


def test_write_duplicate_detection_ignores_key_attribute_order(ddb, composite_table):
    p = fresh("tw-dup-order")
    # Put names {pk, sk}, Delete names {sk, pk}: still one item [moto-aws
    # test_transact_write_items__put_and_delete_with_different_key_order].
    expect_error(lambda: ddb.transact_write_items(TransactItems=[
        t_put(composite_table, {"pk": S(p), "sk": S("s1"), "x": S("val")}),
        t_delete(composite_table, {"sk": S("s1"), "pk": S(p)}),
    ]), VE, DUP_MSG)
    assert get(ddb, composite_table, ck(p, "s1")) is None


def test_write_missing_table(ddb, hash_table):
    k = hk(fresh("tw-missing"))
    # [conformance 'non-existent table: full ResourceNotFoundException message';
    # localstack exc-not-found-transact-write-items]
    expect_error(lambda: ddb.transact_write_items(TransactItems=[
        t_put(hash_table, k), t_put(unique_name("tw-nope"), hk("x"))]), RNF, NOT_FOUND)
    assert get(ddb, hash_table, k) is None


def test_write_put_item_size_limit(ddb, hash_table):
    at, over = hk(fresh("tw-size-at")), hk(fresh("tw-size-over"))
    # A transacted Put is measured flat: 409,600 bytes stored, 409,601 refused up
    # front as a plain ValidationException, not a cancellation [conformance
    # itemSizeBySurface 'a Put one byte over raises ValidationException'].
    ddb.transact_write_items(TransactItems=[t_put(hash_table, pad_item(at, MAX_ITEM_BYTES))])
    assert item_bytes(get(ddb, hash_table, at)) == MAX_ITEM_BYTES
    expect_error(lambda: ddb.transact_write_items(TransactItems=[
        t_put(hash_table, pad_item(over, MAX_ITEM_BYTES + 1))]), VE, aws_message(SIZE_MSG))
    assert get(ddb, hash_table, over) is None


@pytest.mark.parametrize("existing", [False, True], ids=["fresh-key", "existing-row"])
def test_write_update_item_size_limit_is_a_cancellation(ddb, hash_table, existing):
    at, over = hk(fresh("tw-usize-at")), hk(fresh("tw-usize-over"))
    if existing:
        for k in (at, over):
            ddb.put_item(TableName=hash_table, Item={**k, "p": S("small")})

    def grow(k, size):
        pad = pad_item(k, size, "p")["p"]
        return lambda: ddb.transact_write_items(TransactItems=[t_update(hash_table, k, "SET p = :p", {":p": pad})])

    # A transacted Update is measured flat too (unlike standalone UpdateItem), so a
    # finished item of exactly 409,600 bytes is stored; one byte more can only be
    # known while the transaction runs and surfaces as a ValidationError reason
    # carrying UpdateItem's wording, for a fresh key and an existing row alike
    # [conformance itemSizeBySurface TransactWriteItems describe].
    grow(at, MAX_ITEM_BYTES)()
    assert item_bytes(get(ddb, hash_table, at)) == MAX_ITEM_BYTES
    reasons = cancelled(grow(over, MAX_ITEM_BYTES + 1), ["ValidationError"])
    assert UPDATE_SIZE_MSG in reasons[0].get("Message", ""), reasons
    assert get(ddb, hash_table, over) == ({**over, "p": S("small")} if existing else None)


def test_write_aggregate_size_limit(ddb, hash_table):
    prefix = fresh("tw-4mb")
    payload = "x" * 350_000
    # ~3.5 MB in ten puts succeeds; ~4.2 MB in twelve is refused as a whole
    # [api-ref "aggregate size of the items in the transaction cannot exceed 4 MB";
    # conformance transactionLimits, both cases]. UNCONFIRMED wording: no capture of
    # the message, so only the code is asserted.
    ok = [t_put(hash_table, {**hk(f"{prefix}-ok-{i}"), "p": S(payload)}) for i in range(10)]
    ddb.transact_write_items(TransactItems=ok)
    assert get(ddb, hash_table, hk(f"{prefix}-ok-9"))["p"] == S(payload)
    too_big = [t_put(hash_table, {**hk(f"{prefix}-big-{i}"), "p": S(payload)}) for i in range(12)]
    expect_error(lambda: ddb.transact_write_items(TransactItems=too_big), VE)
    assert get(ddb, hash_table, hk(f"{prefix}-big-0")) is None


@pytest.mark.parametrize("bad,actual", [(N(5), "N"), (L(S("x")), "L")])
def test_write_put_with_wrong_key_type_is_a_cancellation(ddb, hash_table, bad, actual):
    other = hk(fresh("tw-pkt"))
    # A wrong-typed or non-scalar key in a Put item cancels with a ValidationError
    # reason carrying PutItem's wording [conformance tier3 'Put wrong-typed table key'].
    reasons = cancelled(lambda: ddb.transact_write_items(TransactItems=[
        t_put(hash_table, other), t_put(hash_table, {"pk": bad})]), ["None", "ValidationError"])
    assert_none_reason(reasons[0])
    assert reasons[1] == {"Code": "ValidationError", "Message":
                          f"One or more parameter values were invalid: Type mismatch for key pk expected: S actual: {actual}"}
    assert get(ddb, hash_table, other) is None


@pytest.mark.parametrize("kind", ["update", "delete", "check"])
@pytest.mark.parametrize("bad", [N(5), L(S("x"))], ids=["wrong-type", "non-scalar"])
def test_write_key_schema_mismatch_is_a_cancellation(ddb, hash_table, kind, bad):
    key = {"pk": bad}
    action = {
        "update": t_update(hash_table, key, "SET a = :v", {":v": S("x")}),
        "delete": t_delete(hash_table, key),
        "check": t_check(hash_table, key, "attribute_not_exists(pk)"),
    }[kind]
    # Update/Delete/ConditionCheck keys that do not match the schema cancel with the
    # schema-mismatch reason, not PutItem's "Type mismatch" form [conformance tier3,
    # four-region capture].
    reasons = cancelled(lambda: ddb.transact_write_items(TransactItems=[action]), ["ValidationError"])
    assert reasons[0] == {"Code": "ValidationError", "Message": SCHEMA}


@pytest.mark.parametrize("kind", ["put", "update", "delete", "check"])
def test_write_empty_string_key_is_a_top_level_error(ddb, hash_table, kind):
    key = {"pk": S("")}
    action = {
        "put": t_put(hash_table, key),
        "update": t_update(hash_table, key, "SET a = :v", {":v": S("x")}),
        "delete": t_delete(hash_table, key),
        "check": t_check(hash_table, key, "attribute_not_exists(pk)"),
    }[kind]
    # Empty key values are input validation, raised before the transaction runs
    # [conformance tier3 'empty-string Key: top-level'; moto-aws test_transaction_with_empty_key].
    expect_error(lambda: ddb.transact_write_items(TransactItems=[action]), VE, EMPTY_KEY)


def test_write_put_without_its_key_attribute(ddb, hash_table):
    other = hk(fresh("tw-nokey"))
    missing = "One or more parameter values were invalid: Missing the key pk in the item"  # PutItem's [dynalite]
    # UNCONFIRMED: no capture of a key-less transact Put. Accepted: PutItem's text as a
    # top-level ValidationException, or as the ValidationError reason of a
    # cancellation (where the other key faults of a Put land [conformance tier3]).
    with pytest.raises(ClientError) as ei:
        ddb.transact_write_items(TransactItems=[t_put(hash_table, other), t_put(hash_table, {"a": S("x")})])
    err = ei.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    if err["Error"]["Code"] == VE:
        assert err["Error"]["Message"] == missing
    else:
        assert err["Error"]["Code"] == TCE, err["Error"]
        assert err["Error"]["Message"] == cancel_msg(["None", "ValidationError"])
        assert err["CancellationReasons"][1] == {"Code": "ValidationError", "Message": missing}
    assert get(ddb, hash_table, other) is None


def test_write_update_of_a_key_attribute(ddb, hash_table):
    k = hk(fresh("tw-keyupd"))
    ddb.put_item(TableName=hash_table, Item=k)
    # UNCONFIRMED: UpdateItem's text is certain [dynalite; test_update_item.py], but no
    # capture shows whether a transaction reports it top-level or as a ValidationError
    # reason ("One or more parameter values were invalid" is in the reason list
    # [api-ref]). Both accepted; nothing changes.
    with pytest.raises(ClientError) as ei:
        ddb.transact_write_items(TransactItems=[t_update(hash_table, k, "SET pk = :v", {":v": S("other")})])
    err = ei.value.response
    if err["Error"]["Code"] == VE:
        assert err["Error"]["Message"] == KEY_ATTR
    else:
        assert err["Error"]["Code"] == TCE, err["Error"]
        assert err["CancellationReasons"] == [{"Code": "ValidationError", "Message": KEY_ATTR}]
    assert get(ddb, hash_table, k) == k


def test_write_add_to_wrong_type_is_a_cancellation(ddb, hash_table):
    k, other = hk(fresh("tw-addtype")), hk(fresh("tw-addtype-o"))
    ddb.put_item(TableName=hash_table, Item={**k, "s": S("text")})
    # A type error that depends on the stored item is found while the transaction
    # runs: a ValidationError reason with UpdateItem's operand wording [api-ref
    # TransactionCanceledException lists "An operand in the update expression has an
    # incorrect data type" under ValidationError; the trailing period there is the
    # document's punctuation, captures never carry one].
    reasons = cancelled(lambda: ddb.transact_write_items(TransactItems=[
        t_put(hash_table, other), t_update(hash_table, k, "ADD s :one", {":one": N(1)})]),
        ["None", "ValidationError"])
    assert reasons[1] == {"Code": "ValidationError", "Message": BAD_TYPE}
    assert get(ddb, hash_table, k) == {**k, "s": S("text")}
    assert get(ddb, hash_table, other) is None


def test_write_expression_errors_are_top_level(ddb, hash_table):
    k = hk(fresh("tw-expr"))
    # Parse errors carry the per-parameter prefix [extenddb test_transact_expression_
    # validation, captured from AWS; moto-aws test_transact_write_items__update_with_
    # multiple_set_clauses: "In AWS, this is the full error message"].
    expect_error(lambda: ddb.transact_write_items(TransactItems=[
        t_update(hash_table, k, "SET status = :v", {":v": N(1)})]), VE,
        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status")
    expect_error(lambda: ddb.transact_write_items(TransactItems=[
        t_check(hash_table, k, "status > :v", {":v": N(0)})]), VE,
        "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status")
    expect_error(lambda: ddb.transact_write_items(TransactItems=[
        t_update(hash_table, k, "SET a1 = :x SET a2 = :y", {":x": S("1"), ":y": S("2")})]), VE,
        aws_message('Invalid UpdateExpression: The "SET" section can only be used once in an update expression;'))
    assert get(ddb, hash_table, k) is None


def test_write_expression_errors_come_before_missing_tables_and_duplicates(ddb, hash_table):
    k = hk(fresh("tw-order"))
    missing = unique_name("tw-order-missing")
    # A malformed condition on a later action beats a missing table on an earlier one;
    # an unused value beats a missing table and a duplicate target, wherever they sit
    # [paritysuite validation-ordering, us-east-1 and eu-west-2 agree].
    expect_error(lambda: ddb.transact_write_items(TransactItems=[
        t_put(missing, hk("a")), t_check(hash_table, k, "attribute_not_exists(")]), VE,
        'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "("')
    unused = t_check(hash_table, k, "attribute_not_exists(pk)", {":v": S("x")})
    unused_msg = "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}"
    expect_error(lambda: ddb.transact_write_items(TransactItems=[t_put(missing, hk("a")), unused]), VE, unused_msg)
    expect_error(lambda: ddb.transact_write_items(TransactItems=[unused, t_put(missing, hk("a"))]), VE, unused_msg)
    expect_error(lambda: ddb.transact_write_items(TransactItems=[t_put(hash_table, k), unused]), VE, unused_msg)
    # An unused name next to a condition is refused too [extenddb, captured].
    expect_error(lambda: ddb.transact_write_items(TransactItems=[
        t_put(hash_table, k, cond="attribute_not_exists(pk)", names={"#n": "foo"})]), VE,
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}")
    assert get(ddb, hash_table, k) is None


def test_write_invalid_enum_is_reported_first(endpoint, hash_table):
    enum_msg = ("1 validation error detected: Value 'BOGUS' at 'returnConsumedCapacity' failed to satisfy "
                "constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]")
    k = to_wire(hk(fresh("tw-enum")))
    # Member constraints are checked before tables and duplicates [paritysuite
    # validation-ordering, exact message].
    assert_error(raw_twi(endpoint, [{"Put": {"TableName": unique_name("tw-enum-missing"), "Item": k}}],
                         ReturnConsumedCapacity="BOGUS"), VE, enum_msg)
    assert_error(raw_twi(endpoint, [{"Put": {"TableName": hash_table, "Item": k}},
                                    {"Delete": {"TableName": hash_table, "Key": k}}],
                         ReturnConsumedCapacity="BOGUS"), VE, enum_msg)


def test_write_action_with_two_operations(ddb, hash_table):
    a, b = hk(fresh("tw-two-ops-a")), hk(fresh("tw-two-ops-b"))
    ddb.put_item(TableName=hash_table, Item=b)
    # UNCONFIRMED wording (no capture): moto says "... one of Check, Put, Update or
    # Delete", AWS's DAX client (mimicking DynamoDB) "... one of ConditionCheck, Put,
    # Update or Delete". Either is accepted; nothing happens.
    expect_error(lambda: ddb.transact_write_items(TransactItems=[
        {**t_put(hash_table, a), **t_delete(hash_table, b)}]), VE,
        re.compile(r"^TransactItems can only contain one of (?:Check|ConditionCheck), Put, Update or Delete$"))
    assert get(ddb, hash_table, a) is None
    assert get(ddb, hash_table, b) == b


def test_write_action_with_no_operation(ddb, hash_table):
    a = hk(fresh("tw-no-op"))
    # UNCONFIRMED wording: a 2018 recording says "The action or operation requested is
    # invalid. Verify that the action is typed correctly." [dynalite-fork, unknown
    # action]; AWS's DAX client says "Invalid Request: TransactWriteRequest should
    # contain Delete or Put or Update request". Either is accepted.
    expect_error(lambda: ddb.transact_write_items(TransactItems=[t_put(hash_table, a), {}]), VE, re.compile(
        r"^(?:The action or operation requested is invalid\. Verify that the action is typed correctly\."
        r"|Invalid Request: TransactWriteRequest should contain Delete or Put or Update request)$"))
    assert get(ddb, hash_table, a) is None


def test_write_condition_check_without_condition(endpoint, hash_table):
    # boto3 refuses this client-side (ConditionExpression is required), so it is sent
    # raw. UNCONFIRMED: the coral null-member form, as recorded for the other required
    # members of an action ('transactItems.1.member.conditionCheck.key' ...) by
    # [dynalite-fork]; the validation framework's casing is also accepted.
    r = raw_twi(endpoint, [{"ConditionCheck": {"TableName": hash_table, "Key": to_wire(hk("x"))}}])
    assert_error(r, VE, re.compile(
        r"^1 validation error detected: Value (?:null )?at "
        r"'(?i:transactItems\.1\.member\.conditionCheck\.conditionExpression)' "
        r"failed to satisfy constraint: Member must not be null$"))


def test_write_client_request_token_too_long(ddb, hash_table):
    k = hk(fresh("tw-token37"))
    token = "x" * 37
    # 1..36 characters [api-ref]; botocore checks only the minimum, so 37 reaches the
    # server. Two regional wordings [paritysuite validation-ordering].
    expect_error(lambda: ddb.transact_write_items(TransactItems=[t_put(hash_table, k)], ClientRequestToken=token),
                 VE, re.compile(
                     r"^1 validation error detected: (?:Value at 'ClientRequestToken'|Value '" + token
                     + r"' at 'clientRequestToken') failed to satisfy constraint: "
                     r"Member must have length less than or equal to 36$"))
    assert get(ddb, hash_table, k) is None


# ==========================================================================
# TransactGetItems
# ==========================================================================


def test_get_in_request_order_with_projection_and_missing_items(ddb, hash_table, composite_table):
    h, c = hk(fresh("tg-h")), ck(fresh("tg-c"), "s")
    h_item = {**h, "a": S("x"), "n": N(1)}
    c_item = {**c, "name": S("n"), "l": L(S("l0"), S("l1"), S("l2")), "m": M(x=N(1), y=N(2)), "junk": S("j")}
    ddb.put_item(TableName=hash_table, Item=h_item)
    ddb.put_item(TableName=composite_table, Item=c_item)
    resp = ddb.transact_get_items(TransactItems=[
        t_get(hash_table, h),
        t_get(hash_table, hk(fresh("tg-absent"))),
        t_get(composite_table, c, ProjectionExpression="#n, l[1], m.x", ExpressionAttributeNames={"#n": "name"}),
        t_get(composite_table, ck(fresh("tg-absent"), "s")),
    ])
    assert "ConsumedCapacity" not in resp
    # One entry per Get, in request order [api-ref Responses]; a missing item is an
    # entry without Item [extenddb test_transact_get_missing_item; conformance
    # 'returns empty Item for non-existing items']; projections follow GetItem's rules.
    assert resp["Responses"] == [
        {"Item": h_item},
        {},
        {"Item": {"name": S("n"), "l": L(S("l1")), "m": M(x=N(1))}},
        {},
    ]


def test_get_raw_body(endpoint, ddb, hash_table):
    k = hk(fresh("tg-raw"))
    ddb.put_item(TableName=hash_table, Item={**k, "a": S("x")})
    r = raw_tgi(endpoint, [{"Get": {"TableName": hash_table, "Key": to_wire(k)}},
                           {"Get": {"TableName": hash_table, "Key": to_wire(hk(fresh("tg-raw-absent")))}}])
    # [localstack test_transact_get_items: {"Responses": [{"Item": ...}]}; missing as
    # above]
    assert r.status_code == 200, r.text
    assert r.json() == {"Responses": [{"Item": to_wire({**k, "a": S("x")})}, {}]}


def test_get_names_without_projection_accepted_unused_with_projection_refused(ddb, hash_table):
    k = hk(fresh("tg-names"))
    ddb.put_item(TableName=hash_table, Item={**k, "foo": S("a")})
    # [extenddb test_transact_expression_validation, captured]
    resp = ddb.transact_get_items(TransactItems=[t_get(hash_table, k, ExpressionAttributeNames={"#n": "foo"})])
    assert resp["Responses"] == [{"Item": {**k, "foo": S("a")}}]
    expect_error(lambda: ddb.transact_get_items(TransactItems=[
        t_get(hash_table, k, ProjectionExpression="pk", ExpressionAttributeNames={"#n": "foo"})]), VE,
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}")


def test_get_duplicate_keys(ddb, hash_table):
    k = hk(fresh("tg-dup"))
    ddb.put_item(TableName=hash_table, Item=k)
    # A ValidationException [conformance tier2 'rejects duplicate keys in same
    # transaction']. UNCONFIRMED wording: the write text, which a DynamoDB-backed
    # service reports for two reads of one row [thebackend.io error table].
    expect_error(lambda: ddb.transact_get_items(TransactItems=[t_get(hash_table, k), t_get(hash_table, k)]),
                 VE, DUP_MSG)


def test_get_exactly_100_and_101(ddb, hash_table):
    prefix = fresh("tg-100")
    for j in range(0, 50, 25):
        ddb.batch_write_item(RequestItems={hash_table: [
            {"PutRequest": {"Item": {**hk(f"{prefix}-{i}"), "i": N(i)}}} for i in range(j, j + 25)]})
    # 100 Gets succeed and answer in order, half of them missing [conformance
    # 'TransactGetItems with exactly 100 items succeeds'].
    resp = ddb.transact_get_items(TransactItems=[t_get(hash_table, hk(f"{prefix}-{i}")) for i in range(100)])
    assert resp["Responses"] == [{"Item": {**hk(f"{prefix}-{i}"), "i": N(i)}} if i < 50 else {} for i in range(100)]
    # 101 is refused, in either cohort's wording [paritysuite '> 100 gets'].
    expect_error(lambda: ddb.transact_get_items(TransactItems=[
        t_get(hash_table, hk(f"{prefix}-{i}")) for i in range(101)]), VE, re.compile(
        r"^1 validation error detected: (?:Value '\[.+\]' at 'transactItems'|Value at 'TransactItems') "
        r"failed to satisfy constraint: Member must have length less than or equal to 100$", re.DOTALL))


def test_get_empty_list(endpoint):
    # Sent raw: boto3 refuses it client-side [paritysuite 'empty TransactItems'].
    assert_error(raw_tgi(endpoint, []), VE, re.compile(
        r"^1 validation error detected: (?:Value '\[\]' at 'transactItems'|Value at 'TransactItems') "
        r"failed to satisfy constraint: Member must have length greater than or equal to 1$"))


def test_get_missing_table_and_bad_projection(ddb, hash_table):
    # [conformance/paritysuite tier3 transactGetItems, exact messages]
    expect_error(lambda: ddb.transact_get_items(TransactItems=[
        t_get(hash_table, hk("x")), t_get(unique_name("tg-nope"), hk("x"))]), RNF, NOT_FOUND)
    expect_error(lambda: ddb.transact_get_items(TransactItems=[
        t_get(hash_table, hk("x"), ProjectionExpression="!!!")]), VE,
        'Invalid ProjectionExpression: Syntax error; token: "!", near: "!!"')


@pytest.mark.parametrize("key", [{}, {"pk": N(5)}], ids=["empty-key", "wrong-type"])
def test_get_bad_key_is_a_cancellation(ddb, hash_table, key):
    # Per-action key faults come back through the cancellation channel with a
    # ValidationError reason [paritysuite 'missing key attribute'; extenddb
    # test_transact_get_wrong_key_type]. UNCONFIRMED reason text: not asserted.
    reasons = cancelled(lambda: ddb.transact_get_items(TransactItems=[t_get(hash_table, key)]), ["ValidationError"])
    assert set(reasons[0]) <= {"Code", "Message"}, reasons


# ==========================================================================
# ClientRequestToken idempotency
# ==========================================================================


def _add_one(table, key) -> list:
    return [t_update(table, key, "ADD n :one", {":one": N(1)})]


def test_token_replay_applies_once(ddb, hash_table):
    k = hk(fresh("tok-once"))
    ddb.put_item(TableName=hash_table, Item={**k, "n": N(0)})
    token = str(uuid.uuid4())
    # Same token, same parameters: the repeat returns success without making any
    # changes [dev-guide Idempotency; paritysuite PR #74 "a counter reads back 1, not 2"].
    for _ in range(3):
        resp = ddb.transact_write_items(TransactItems=_add_one(hash_table, k), ClientRequestToken=token)
        assert set(resp) == {"ResponseMetadata"}, resp
    assert get(ddb, hash_table, k) == {**k, "n": N(1)}
    # A new token is a new transaction.
    ddb.transact_write_items(TransactItems=_add_one(hash_table, k), ClientRequestToken=str(uuid.uuid4()))
    assert get(ddb, hash_table, k) == {**k, "n": N(2)}


def test_token_replay_does_not_reapply_or_recheck(ddb, hash_table):
    k = hk(fresh("tok-cond"))
    token = str(uuid.uuid4())
    items = [t_put(hash_table, {**k, "v2": N(1)}, cond="attribute_not_exists(pk)")]
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    ddb.put_item(TableName=hash_table, Item={**k, "v2": N(2)})
    # The replay answers like the first call (success, although the condition would
    # now fail) and does not overwrite the newer item [dev-guide "return successfully
    # without making any changes"; conformance 'supports idempotency via ClientRequestToken'].
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    assert get(ddb, hash_table, k) == {**k, "v2": N(2)}


def test_token_with_different_parameters(ddb, hash_table):
    k = hk(fresh("tok-mismatch"))
    token = str(uuid.uuid4())
    ddb.transact_write_items(TransactItems=[t_put(hash_table, {**k, "v2": S("first")})], ClientRequestToken=token)
    # Same token, changed payload: IdempotentParameterMismatchException, HTTP 400
    # [dev-guide; api-ref; conformance 'rejects same ClientRequestToken with different
    # payload']. UNCONFIRMED message: no capture of AWS's text, so it is not asserted.
    err = expect_error(lambda: ddb.transact_write_items(
        TransactItems=[t_put(hash_table, {**k, "v2": S("second")})], ClientRequestToken=token), IPM)
    assert err["Error"]["Code"] == IPM
    assert get(ddb, hash_table, k) == {**k, "v2": S("first")}


def test_token_comparison_ignores_member_order(endpoint, ddb, hash_table):
    k = hk(fresh("tok-order"))
    ddb.put_item(TableName=hash_table, Item={**k, "n": N(0)})
    token = str(uuid.uuid4())
    update = {"TableName": hash_table, "Key": to_wire(k), "UpdateExpression": "ADD n :one",
              "ExpressionAttributeValues": {":one": {"N": "1"}}}
    first = json.dumps({"ClientRequestToken": token, "TransactItems": [{"Update": update}]})
    second = json.dumps({"TransactItems": [{"Update": dict(reversed(list(update.items())))}],
                         "ClientRequestToken": token})
    # Reordered JSON members are the same parameters ["I have verified against AWS, it
    # doesn't care about parameter ordering" — localstack #6529].
    for body in (first, second):
        r = raw_request(endpoint, "TransactWriteItems", body)
        assert r.status_code == 200, r.text
    assert get(ddb, hash_table, k) == {**k, "n": N(1)}


def test_token_of_a_cancelled_call_executes_on_retry(ddb, hash_table):
    k = hk(fresh("tok-retry"))
    token = str(uuid.uuid4())
    items = [t_update(hash_table, k, "SET done = :t", {":t": {"BOOL": True}}, cond="attribute_exists(pk)")]
    cancelled(lambda: ddb.transact_write_items(TransactItems=items, ClientRequestToken=token),
              ["ConditionalCheckFailed"])
    ddb.put_item(TableName=hash_table, Item=k)
    # UNCONFIRMED [debrie]: "If it failed the first time, DynamoDB will apply the
    # writes in the request" — the token remembers only a completed transaction.
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=token)
    assert get(ddb, hash_table, k) == {**k, "done": {"BOOL": True}}


def test_token_replay_reports_read_capacity(ddb, hash_table):
    k = hk(fresh("tok-cap"))
    item = pad_item({**k}, 1500)
    token = str(uuid.uuid4())
    items = [t_put(hash_table, item)]
    # First call: a 1.5 KB put costs 2 x 2 write units. The replay is billed as a
    # transactional read of the item: 2 x 1 read unit [dev-guide "subsequent calls ...
    # return the number of read capacity units consumed in reading the item";
    # paritysuite PR #74: "4 write units on the first call, 2 read on the replay"].
    first = ddb.transact_write_items(TransactItems=items, ClientRequestToken=token, ReturnConsumedCapacity="TOTAL")
    assert len(first["ConsumedCapacity"]) == 1
    cap_entry(first["ConsumedCapacity"][0], hash_table, txn_write_units(1500), "WriteCapacityUnits")
    assert txn_write_units(1500) == 4.0
    replay = ddb.transact_write_items(TransactItems=items, ClientRequestToken=token, ReturnConsumedCapacity="TOTAL")
    assert len(replay["ConsumedCapacity"]) == 1
    cap_entry(replay["ConsumedCapacity"][0], hash_table, txn_read_units(1500), "ReadCapacityUnits")
    assert txn_read_units(1500) == 2.0


# ==========================================================================
# ConsumedCapacity
# ==========================================================================


def test_write_consumed_capacity(ddb, hash_table, composite_table):
    small, mid = hk(fresh("tc-small")), hk(fresh("tc-mid"))
    big, checked = ck(fresh("tc-big"), "s"), ck(fresh("tc-chk"), "s")
    ddb.put_item(TableName=hash_table, Item={**small, "n": N(1)})
    ddb.put_item(TableName=composite_table, Item=pad_item(big, 3000))
    ddb.put_item(TableName=composite_table, Item={**checked, "ok": {"BOOL": True}})

    def run(mode):
        # A 1.5 KB put (2 x 2) and a small update (2) in one table; a 3 KB delete sized
        # on the deleted item (2 x 3) and a small ConditionCheck, billed as a write
        # (2) in the other [paritysuite PR #67 "a standalone ConditionCheck costs 2
        # WCU, billed as write"; dynoxide #188 "deleting a 3KB item ... DynamoDB's 6"].
        return ddb.transact_write_items(TransactItems=[
            t_put(hash_table, pad_item(mid, 1500)),
            t_update(hash_table, small, "SET n = :v", {":v": N(2)}),
            t_delete(composite_table, big),
            t_check(composite_table, checked, "ok = :t", {":t": {"BOOL": True}}),
        ], ReturnConsumedCapacity=mode)

    resp = run("TOTAL")
    expected = {hash_table: txn_write_units(1500) + txn_write_units(20),
                composite_table: txn_write_units(3000) + txn_write_units(20)}
    assert expected == {hash_table: 6.0, composite_table: 8.0}
    # One entry per table [api-ref ConsumedCapacity "one for each table"].
    got = by_table(resp["ConsumedCapacity"])
    assert set(got) == set(expected)
    for t, units in expected.items():
        cap_entry(got[t], t, units, "WriteCapacityUnits")
    # INDEXES adds the Table breakdown; the deleted item is put back so that the same
    # transaction costs the same.
    ddb.put_item(TableName=composite_table, Item=pad_item(big, 3000))
    got = by_table(run("INDEXES")["ConsumedCapacity"])
    for t, units in expected.items():
        cap_entry(got[t], t, units, "WriteCapacityUnits", indexes=True)
    for mode in ("NONE", None):
        kw = {} if mode is None else {"ReturnConsumedCapacity": mode}
        resp = ddb.transact_write_items(TransactItems=[t_update(hash_table, small, "SET n = :v", {":v": N(3)})], **kw)
        assert "ConsumedCapacity" not in resp


def test_get_consumed_capacity(ddb, hash_table, composite_table):
    small, big = hk(fresh("tgc-small")), hk(fresh("tgc-big"))
    c = ck(fresh("tgc-c"), "s")
    ddb.put_item(TableName=hash_table, Item=small)
    ddb.put_item(TableName=hash_table, Item=pad_item(big, 5000))
    ddb.put_item(TableName=composite_table, Item=c)
    gets = [t_get(hash_table, small), t_get(hash_table, hk(fresh("tgc-absent"))),
            t_get(hash_table, big, ProjectionExpression="pk"), t_get(composite_table, c)]
    # 2 read units per 4 KB per Get, a missing item included, whatever the projection
    # [conformance transactGet ConsumedCapacity; dev-guide].
    expected = {hash_table: txn_read_units(item_bytes(small)) + txn_read_units(0) + txn_read_units(5000),
                composite_table: txn_read_units(item_bytes(c))}
    assert expected == {hash_table: 8.0, composite_table: 2.0}
    got = by_table(ddb.transact_get_items(TransactItems=gets, ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"])
    assert set(got) == set(expected)
    for t, units in expected.items():
        cap_entry(got[t], t, units, "ReadCapacityUnits")
    got = by_table(ddb.transact_get_items(TransactItems=gets, ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"])
    for t, units in expected.items():
        cap_entry(got[t], t, units, "ReadCapacityUnits", indexes=True)
    assert "ConsumedCapacity" not in ddb.transact_get_items(TransactItems=gets, ReturnConsumedCapacity="NONE")


# ==========================================================================
# Concurrency: a bank that must never lose or mint money
# ==========================================================================

ACCOUNTS = 100          # one TransactGetItems reads them all (the per-call maximum)
START_BALANCE = 100
TOTAL = ACCOUNTS * START_BALANCE
HOT = 4                 # a few hot accounts so that transactions really collide
MAX_ATTEMPTS = 500      # conflict retries allowed for one transfer


def _acct(i: int) -> dict:
    return {"pk": S(f"acct-{i:03d}")}


def _seed_accounts(client, table) -> None:
    items = [{**_acct(i), "balance": N(START_BALANCE)} for i in range(ACCOUNTS)]
    for j in range(0, ACCOUNTS, 25):
        resp = client.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": it}} for it in items[j:j + 25]]})
        assert resp["UnprocessedItems"] == {}


def _transfer_items(table, src, dst, amount) -> list:
    return [
        t_update(table, _acct(src), "SET balance = balance - :a", {":a": N(amount)}, cond="balance >= :a"),
        t_update(table, _acct(dst), "SET balance = balance + :a", {":a": N(amount)}),
    ]


def _pick_transfer(rng: random.Random) -> tuple[int, int, int]:
    if rng.random() < 0.3:
        src, dst = rng.sample(range(HOT), 2)
    else:
        src, dst = rng.sample(range(ACCOUNTS), 2)
    return src, dst, rng.randint(1, 40)


def _reason_codes(err: ClientError) -> list:
    return [r.get("Code") for r in err.response.get("CancellationReasons") or []]


def _is_conflict(err: ClientError) -> bool:
    # A transaction that loses to a concurrent one is cancelled with a
    # TransactionConflict reason on the contended item(s) and None on the others
    # [extenddb test_transact_write_conflict, run against AWS; dev-guide conflict handling].
    return err.response["Error"]["Code"] == TCE and "TransactionConflict" in _reason_codes(err)


def _snapshot(client, table) -> list[int]:
    resp = client.transact_get_items(TransactItems=[
        t_get(table, _acct(i), ProjectionExpression="balance") for i in range(ACCOUNTS)])
    assert len(resp["Responses"]) == ACCOUNTS
    out = []
    for entry in resp["Responses"]:
        assert "Item" in entry, entry
        out.append(int(entry["Item"]["balance"]["N"]))
    return out


def _expected_balances(transfers) -> list[int]:
    balances = [START_BALANCE] * ACCOUNTS
    for src, dst, amount in transfers:
        balances[src] -= amount
        balances[dst] += amount
    return balances


def test_bank_transfers_conserve_money(server, ddb):
    writers, transfers_each, readers = 16, 60, 4
    table = create_table(ddb, unique_name("bank"))
    _seed_accounts(ddb, table)
    # One client per thread, made here: creating boto3 clients is not thread-safe.
    w_clients = [server.client() for _ in range(writers)]
    r_clients = [server.client() for _ in range(readers)]
    lock = threading.Lock()
    committed: list[tuple[int, int, int]] = []
    stats = {"write_retries": 0, "insufficient": 0, "snapshots": 0, "read_retries": 0}
    errors: list[str] = []
    violations: list[str] = []
    writers_done = threading.Event()
    start = threading.Barrier(writers + readers)
    deadline = time.monotonic() + 120

    def writer(tid: int) -> None:
        rng = random.Random(7919 * tid + 1)
        client = w_clients[tid]
        start.wait()
        try:
            for _ in range(transfers_each):
                src, dst, amount = _pick_transfer(rng)
                for attempt in range(MAX_ATTEMPTS):
                    if time.monotonic() > deadline:
                        raise AssertionError("bank test ran past its deadline")
                    try:
                        client.transact_write_items(TransactItems=_transfer_items(table, src, dst, amount))
                    except ClientError as e:
                        if _is_conflict(e):
                            with lock:
                                stats["write_retries"] += 1
                            time.sleep(rng.uniform(0, 0.002 * min(attempt + 1, 10)))
                            continue
                        if e.response["Error"]["Code"] == TCE and _reason_codes(e) == ["ConditionalCheckFailed", "None"]:
                            with lock:
                                stats["insufficient"] += 1
                            break
                        raise
                    with lock:
                        committed.append((src, dst, amount))
                    break
                else:
                    raise AssertionError(f"transfer {src}->{dst} lost {MAX_ATTEMPTS} conflicts in a row")
        except Exception as e:  # noqa: BLE001 - reported below
            with lock:
                errors.append(f"writer {tid}: {e!r}")

    def reader(rid: int) -> None:
        client = r_clients[rid]
        start.wait()
        try:
            while not writers_done.is_set() and time.monotonic() < deadline:
                try:
                    balances = _snapshot(client, table)
                except ClientError as e:
                    if _is_conflict(e):
                        # A read that meets an in-flight write transaction may be
                        # cancelled [dev-guide "An item within a TransactGetItems request
                        # is part of an ongoing TransactWriteItems"]; retry it.
                        with lock:
                            stats["read_retries"] += 1
                        continue
                    raise
                with lock:
                    stats["snapshots"] += 1
                    # Serializable isolation between TransactGetItems and
                    # TransactWriteItems [dev-guide isolation levels]: every snapshot
                    # sees each transfer entirely or not at all.
                    if sum(balances) != TOTAL:
                        violations.append(f"snapshot sums to {sum(balances)}")
                    if min(balances) < 0:
                        violations.append(f"negative balance {min(balances)}")
        except Exception as e:  # noqa: BLE001 - reported below
            with lock:
                errors.append(f"reader {rid}: {e!r}")

    w_threads = [threading.Thread(target=writer, args=(i,), daemon=True) for i in range(writers)]
    r_threads = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(readers)]
    for t in w_threads + r_threads:
        t.start()
    for t in w_threads:
        t.join(max(1.0, deadline - time.monotonic() + 5))
    writers_done.set()
    for t in r_threads:
        t.join(30)
    assert not any(t.is_alive() for t in w_threads + r_threads), "bank threads hung"
    print(f"bank: {len(committed)} transfers committed, {stats}")
    assert not errors, errors[:5]
    assert not violations, violations[:5]
    assert stats["snapshots"] > 0, "no reader completed a snapshot while transfers ran"
    assert len(committed) + stats["insufficient"] == writers * transfers_each
    # Every committed transfer applied exactly once, nothing else: the final state is
    # the ledger's, account by account (no lost update, no partial transaction).
    final = _snapshot(ddb, table)
    assert sum(final) == TOTAL
    assert final == _expected_balances(committed)
    scanned = ddb.scan(TableName=table, ConsistentRead=True)
    assert scanned["Count"] == ACCOUNTS
    ddb.delete_table(TableName=table)


# ==========================================================================
# Durability: kill -9 in the middle of transfers
# ==========================================================================

CRASH_WRITERS = 8
CRASH_ROUNDS = 3


def _explain(balances: list[int], acked, maybe) -> tuple | None:
    """The subset of in-flight transfers that, with every acknowledged one, yields
    these balances; None if no subset does."""
    for r in range(len(maybe) + 1):
        for subset in itertools.combinations(maybe, r):
            if _expected_balances(list(acked) + list(subset)) == balances:
                return subset
    return None


@pytest.mark.parametrize("round_no", range(CRASH_ROUNDS))
def test_kill9_during_transfers_leaves_every_transaction_whole(tmp_path, round_no):
    srv = FerrodynServer(tmp_path).start()
    try:
        setup = srv.client()
        table = create_table(setup, f"bank_crash_{round_no}")
        _seed_accounts(setup, table)
        clients = [srv.client() for _ in range(CRASH_WRITERS)]
        lock = threading.Lock()
        acked: list[tuple[int, int, int]] = []
        inflight: dict[int, tuple[int, int, int] | None] = {tid: None for tid in range(CRASH_WRITERS)}
        unexpected: list[str] = []
        stop = threading.Event()
        start = threading.Barrier(CRASH_WRITERS + 1)

        def writer(tid: int) -> None:
            rng = random.Random(round_no * 1_000_003 + tid)
            start.wait()
            while not stop.is_set():
                transfer = _pick_transfer(rng)
                inflight[tid] = transfer
                while not stop.is_set():
                    try:
                        clients[tid].transact_write_items(TransactItems=_transfer_items(table, *transfer))
                    except ClientError as e:
                        if _is_conflict(e):
                            time.sleep(rng.uniform(0, 0.002))
                            continue  # cancelled attempts apply nothing; retry the same transfer
                        if e.response["Error"]["Code"] == TCE and _reason_codes(e) == ["ConditionalCheckFailed", "None"]:
                            inflight[tid] = None  # refused: never applied
                            break
                        with lock:
                            unexpected.append(f"writer {tid}: {e.response['Error']}")
                        return
                    except Exception:  # noqa: BLE001 - the server is gone; this transfer stays in flight
                        return
                    with lock:
                        acked.append(transfer)
                    inflight[tid] = None
                    break

        threads = [threading.Thread(target=writer, args=(t,), daemon=True) for t in range(CRASH_WRITERS)]
        for t in threads:
            t.start()
        start.wait()
        time.sleep(random.Random(round_no).uniform(0.6, 2.0))
        srv.kill()  # kill -9 by PID
        stop.set()
        for t in threads:
            t.join(30)
        assert not any(t.is_alive() for t in threads), "writer threads hung after the kill"
        assert not unexpected, unexpected[:5]
        assert acked, "no transfer was acknowledged before the kill; the round proved nothing"

        srv.start()
        c = srv.client()
        wait_active(c, table)
        balances = _snapshot(c, table)
        # Every transaction is whole after recovery: money is conserved and no
        # condition was bypassed [api-ref "either all of them succeed, or all of them
        # fail"] ...
        assert sum(balances) == TOTAL, f"total {sum(balances)} after kill -9 (partial transaction?)"
        assert min(balances) >= 0, f"negative balance {min(balances)} after kill -9"
        # ... every acknowledged transfer survived, and the only others applied are
        # some of the ones in flight at the kill (one per writer at most).
        maybe = [t for t in inflight.values() if t is not None]
        applied = _explain(balances, acked, maybe)
        print(f"kill9 round {round_no}: {len(acked)} acknowledged, {len(maybe)} in flight, "
              f"{'?' if applied is None else len(applied)} of those applied")
        assert applied is not None, (
            f"balances after kill -9 match no combination of {len(acked)} acknowledged and "
            f"{len(maybe)} in-flight transfers")
        assert c.scan(TableName=table, ConsistentRead=True)["Count"] == ACCOUNTS

        # The recovered server keeps serving transactions.
        src = max(range(ACCOUNTS), key=lambda i: balances[i])
        dst = (src + 1) % ACCOUNTS
        c.transact_write_items(TransactItems=_transfer_items(table, src, dst, 1))
        after = _snapshot(c, table)
        assert sum(after) == TOTAL
        assert (after[src], after[dst]) == (balances[src] - 1, balances[dst] + 1)
    finally:
        rc = srv.stop()
    assert rc == 0, f"recovered server did not exit 0 on SIGTERM (rc={rc})\n{srv.log_tail()}"

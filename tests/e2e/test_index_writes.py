"""Writing to tables with secondary indexes: index maintenance when items
change or disappear, index key type and empty-value checks on every write
path, item collection metrics on tables with an LSI, and ConsumedCapacity
broken down by index.

Sources cited as [name] are listed in indexsupport.py; GSI reads after a
write go through settled() because AWS's GSIs are eventually consistent.
"""

from __future__ import annotations

import re

import pytest

from indexsupport import *  # noqa: F403 (helpers, fixtures and builders shared by test_index_*.py)


# --------------------------------------------------------------------------
# Index maintenance: updates, key changes, removals, deletes
# --------------------------------------------------------------------------


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

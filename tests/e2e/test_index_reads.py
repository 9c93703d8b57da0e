"""Reading secondary indexes: Query on GSIs and LSIs for every projection
type, sparse indexes, ConsistentRead, Select, projection and filter rules on
indexes, key-condition errors, paging (Limit, LastEvaluatedKey,
ExclusiveStartKey, the boto3 paginators) and Scan on indexes.

Sources cited as [name] are listed in indexsupport.py; GSI reads after a
write go through settled() because AWS's GSIs are eventually consistent.
"""

from __future__ import annotations

import re

import pytest

from indexsupport import *  # noqa: F403 (helpers, fixtures and builders shared by test_index_*.py)


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

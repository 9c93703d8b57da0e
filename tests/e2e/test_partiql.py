"""PartiQL through boto3: ExecuteStatement, BatchExecuteStatement and
ExecuteTransaction, with AWS's results and messages, and equivalence with
the expression API (a SELECT returns what Scan or Query with the same
condition returns), on the durable and the in-memory engine.

Source abbreviations used in comments:
  [doc:<page>]  the Developer Guide's PartiQL page ql-reference.<page>
  [paritysuite] paritysuite/dynamodb-conformance tests/tier2/partiql (run against AWS)
  [floci]       hectorvent/floci PartiQL integration tests (expectations captured on AWS)
"""

from __future__ import annotations

import random

import pytest

from conftest import N, S, create_table, expect_error, unique_name, wait_active

WELL_FORMED = "Statement wasn't well formed, can't be processed: "


def run(ddb, statement, **kw):
    r = ddb.execute_statement(Statement=statement, **kw)
    r.pop("ResponseMetadata", None)
    return r


def all_items(ddb, statement, **kw):
    """Every item of a SELECT, following NextToken."""
    items, pages = [], 0
    while True:
        r = run(ddb, statement, **kw)
        items += r["Items"]
        pages += 1
        assert pages < 10_000
        if "NextToken" not in r:
            return items, pages
        kw = dict(kw, NextToken=r["NextToken"])


@pytest.fixture
def orders(engine):
    """A table keyed by pk (S) and sk (N), with a GSI on `status`."""
    name = unique_name("pq")
    engine.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "status", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_status",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    wait_active(engine, name)
    return engine, name


def keys(items):
    return sorted((i["pk"]["S"], int(i["sk"]["N"])) for i in items)


def test_insert_select_update_delete(orders):
    ddb, t = orders
    # [doc:insert] INSERT answers no items.
    assert run(ddb, f"INSERT INTO \"{t}\" VALUE {{'pk': 'a', 'sk': 1, 'qty': 2, 'tags': <<'x'>>, 'm': {{'k': [1, 2]}}}}") == {"Items": []}
    # [doc:insert] an existing key: DuplicateItemException.
    expect_error(
        lambda: run(ddb, f"INSERT INTO \"{t}\" VALUE {{'pk': 'a', 'sk': 1}}"),
        "DuplicateItemException",
        "Duplicate primary key exists in table",
    )
    # Parameters bind left to right.
    run(ddb, f'INSERT INTO "{t}" VALUE ?', Parameters=[{"M": {"pk": S("a"), "sk": N(2), "qty": N(5)}}])
    got = run(ddb, f'SELECT * FROM "{t}" WHERE pk = ? AND sk = ?', Parameters=[S("a"), N(1)])
    assert got == {"Items": [{"pk": S("a"), "sk": N(1), "qty": N(2), "tags": {"SS": ["x"]}, "m": {"M": {"k": {"L": [N(1), N(2)]}}}}]}
    # [floci] a nested path comes back under its last step's name.
    got = run(ddb, f"SELECT qty, m.k[1] FROM \"{t}\" WHERE pk = 'a' AND sk = 1")
    assert got["Items"] == [{"qty": N(2), "k[1]": N(2)}]
    # [doc:update] SET, set_add, arithmetic; RETURNING ALL NEW *.
    got = run(ddb, f"UPDATE \"{t}\" SET qty = qty + 3 SET tags = set_add(tags, <<'y'>>) REMOVE m WHERE pk = 'a' AND sk = 1 RETURNING ALL NEW *")
    assert got["Items"] == [{"pk": S("a"), "sk": N(1), "qty": N(5), "tags": {"SS": ["x", "y"]}}]
    # MODIFIED OLD * returns only what changed.
    got = run(ddb, f"UPDATE \"{t}\" SET qty = 9 WHERE pk = 'a' AND sk = 1 RETURNING MODIFIED OLD *")
    assert got["Items"] == [{"qty": N(5)}]
    # [paritysuite] a false predicate: ConditionalCheckFailedException, nothing changed.
    expect_error(
        lambda: run(ddb, f"UPDATE \"{t}\" SET qty = 0 WHERE pk = 'a' AND sk = 1 AND qty = 1"),
        "ConditionalCheckFailedException",
        "The conditional request failed",
    )
    # [doc:update] UPDATE of a missing item fails the same way.
    expect_error(
        lambda: run(ddb, f"UPDATE \"{t}\" SET qty = 0 WHERE pk = 'a' AND sk = 99"),
        "ConditionalCheckFailedException",
    )
    assert ddb.get_item(TableName=t, Key={"pk": S("a"), "sk": N(99)}).get("Item") is None
    # [paritysuite] the whole key is required.
    expect_error(
        lambda: run(ddb, f"UPDATE \"{t}\" SET qty = 0 WHERE pk = 'a'"),
        "ValidationException",
        "Where clause does not contain a mandatory equality on all key attributes",
    )
    # [doc:delete] a missing item is deleted without error, even with a predicate.
    assert run(ddb, f"DELETE FROM \"{t}\" WHERE pk = 'a' AND sk = 77 AND qty = 3") == {"Items": []}
    # An existing item that fails the predicate is kept.
    expect_error(
        lambda: run(ddb, f"DELETE FROM \"{t}\" WHERE pk = 'a' AND sk = 1 AND qty = 3"),
        "ConditionalCheckFailedException",
    )
    # [paritysuite] only ALL OLD * in DELETE.
    expect_error(
        lambda: run(ddb, f"DELETE FROM \"{t}\" WHERE pk = 'a' AND sk = 1 RETURNING ALL NEW *"),
        "ValidationException",
        "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE statements.",
    )
    got = run(ddb, f"DELETE FROM \"{t}\" WHERE pk = 'a' AND sk = 1 RETURNING ALL OLD *")
    assert got["Items"] == [{"pk": S("a"), "sk": N(1), "qty": N(9), "tags": {"SS": ["x", "y"]}}]
    assert "Item" not in ddb.get_item(TableName=t, Key={"pk": S("a"), "sk": N(1)})


def nested(levels):
    """A map literal `levels` maps deep: {'x': {'x': ... 1}}."""
    return "{'x': " * levels + "1" + "}" * levels


def test_errors(orders):
    ddb, t = orders
    for statement, message in [
        # [paritysuite] grammar.test.ts
        (f'SLECT * FROM "{t}"', WELL_FORMED + "Expected data manipulation"),
        (f'SELECT * FROM "{t}" WHERE pk = 1 foo', WELL_FORMED + "Unexpected token after expression"),
        (f'SELECT * FROM "{t}" WHERE', WELL_FORMED + "Unexpected term"),
        (f"SELECT * FROM \"{t}\" WHERE pk = 'p1' AND", WELL_FORMED + "Missing right-hand side expression of infix operator"),
        (f'SELECT * FROM "{t}" # no comment', WELL_FORMED),
        # [floci] EXISTS outside a transaction
        (f"EXISTS(SELECT * FROM \"{t}\" WHERE pk = 'a' AND sk = 1 AND q = 1)", "EXISTS can only be used in ExecuteTransaction write requests."),
        # [paritysuite] writes to an index
        (f"DELETE FROM \"{t}\".\"by_status\" WHERE pk = 'a' AND sk = 1", "This operation is not supported on an index"),
        # [paritysuite] an index the table lacks
        (f'SELECT * FROM "{t}"."nope"', "The table does not have the specified index"),
        # [floci] ORDER BY without WHERE, without a keyed WHERE, on a non-key attribute,
        # and over several partitions without the partition key
        (f'SELECT * FROM "{t}" ORDER BY sk', "Must have WHERE clause in the statement when using ORDER BY clause."),
        (f"SELECT * FROM \"{t}\" WHERE pk > 'a' ORDER BY sk", "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY clause."),
        (f"SELECT * FROM \"{t}\" WHERE pk = 'a' ORDER BY Total", "Attribute Total in ORDER BY clause must be part of the primary key"),
        (f"SELECT * FROM \"{t}\" WHERE pk IN ['o', 'p'] ORDER BY sk DESC", "Must have hash key in ORDER BY clause when more than one hash key condition specified in WHERE clause."),
        # [floci] two values for one key in a write; the same value twice is fine (below)
        (f"UPDATE \"{t}\" SET v = 1 WHERE pk = 'a' AND sk = 1 AND pk = 'b'", "Multiple conditions on same key pk. Only single item Update/Insert/Delete are supported"),
        # [floci] a key value of the wrong type
        (f"SELECT * FROM \"{t}\" WHERE pk = 1", "Key attribute's data type should match its data type in table's schema: Key pk"),
        (f"DELETE FROM \"{t}\" WHERE pk = 'a' AND sk = 'x'", "Key attribute's data type should match its data type in table's schema: Key sk"),
        # [floci] IN limits and overlaps
        (f"SELECT * FROM \"{t}\" WHERE pk IN [{', '.join(repr(str(i)) for i in range(51))}]", "Too many decomposed read operations for a given query."),
        (f"SELECT * FROM \"{t}\" WHERE v IN [{', '.join(str(i) for i in range(101))}]", "The IN operator is provided with too many operands; number of operands: 101"),
        (f"SELECT * FROM \"{t}\" WHERE pk IN ['a', 'a']", "Overlapping conditions with range keys are not supported in where clause"),
        # [floci] 32 levels of lists and maps are too many (the item is one)
        (f"INSERT INTO \"{t}\" VALUE {{'pk': 'a', 'sk': 6, 'd': {nested(32)}}}", "Nesting Levels have exceeded supported limits under root.d" + ".x" * 31),
        # [floci] bags
        (f"INSERT INTO \"{t}\" VALUE {{'pk': 'a', 'sk': 5, 's': <<>>}}", "Empty bags are not supported"),
        (f"INSERT INTO \"{t}\" VALUE {{'pk': 'a', 'sk': 5, 's': <<'a', 1>>}}", "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"),
        (f"INSERT INTO \"{t}\" VALUE {{'pk': 'a', 'sk': 5, 's': <<'a', 'a'>>}}", "One or more parameter values were invalid: Input collection [a, a] contains duplicates."),
    ]:
        expect_error(lambda: run(ddb, statement), "ValidationException", message)
    # 31 levels are allowed.
    run(ddb, f"INSERT INTO \"{t}\" VALUE {{'pk': 'a', 'sk': 7, 'd': {nested(31)}}}")
    # [floci] the same key value twice is one key.
    run(ddb, f"INSERT INTO \"{t}\" VALUE {{'pk': 'a', 'sk': 1}}")
    run(ddb, f"UPDATE \"{t}\" SET v = 1 WHERE pk = 'a' AND sk = 1 AND pk = 'a'")
    # Parameters and `?` must agree in number.
    expect_error(
        lambda: run(ddb, f'SELECT * FROM "{t}" WHERE pk = ?'),
        "ValidationException",
        "Number of parameters in request and statement don't match.",
    )
    # [floci] a `?` stands for a whole value, never inside a literal; nothing is written.
    update = f"UPDATE \"{t}\" SET x = [?] WHERE pk = 'a' AND sk = 1"
    expect_error(
        lambda: run(ddb, update, Parameters=[S("v")]),
        "ValidationException",
        f"Unsupported data type: Parameter under key root[0] at 1:{update.index('?') + 1}:1",
    )
    insert = f"INSERT INTO \"{t}\" VALUE {{'pk': 'lit', 'sk': 1, 'm': {{'k': ?}}}}"
    expect_error(
        lambda: run(ddb, insert, Parameters=[S("v")]),
        "ValidationException",
        f"Unsupported data type: Parameter under key root.k at 1:{insert.index('?') + 1}:1",
    )
    assert run(ddb, f"SELECT * FROM \"{t}\" WHERE pk = 'lit'")["Items"] == []
    assert "x" not in run(ddb, f"SELECT * FROM \"{t}\" WHERE pk = 'a' AND sk = 1")["Items"][0]
    # [paritysuite] a missing table.
    expect_error(lambda: run(ddb, 'SELECT * FROM "no_such_table"'), "ResourceNotFoundException", "Requested resource not found")
    # [paritysuite] consistent reads on a global index.
    expect_error(
        lambda: run(ddb, f"SELECT * FROM \"{t}\".\"by_status\" WHERE status = 'x'", ConsistentRead=True),
        "ValidationException",
        "Strongly consistent read is not supported on Global Secondary Indexes",
    )


def test_keyed_reads_order_and_index(orders):
    ddb, t = orders
    for p in ("a", "b"):
        for sk in range(5):
            ddb.put_item(TableName=t, Item={"pk": S(p), "sk": N(sk), "status": S("open" if sk % 2 else "done")})
    got = run(ddb, f"SELECT sk FROM \"{t}\" WHERE pk = 'a' AND sk >= 2 ORDER BY sk DESC")
    assert [int(i["sk"]["N"]) for i in got["Items"]] == [4, 3, 2]
    got = run(ddb, f"SELECT * FROM \"{t}\" WHERE pk = 'b' AND sk BETWEEN 1 AND 3")
    assert keys(got["Items"]) == [("b", 1), ("b", 2), ("b", 3)]
    # [floci] ORDER BY the partition key orders the partitions.
    got = run(ddb, f"SELECT pk, sk FROM \"{t}\" WHERE pk IN ['a', 'b'] AND sk < 2 ORDER BY pk DESC, sk ASC")
    assert [(i["pk"]["S"], int(i["sk"]["N"])) for i in got["Items"]] == [("b", 0), ("b", 1), ("a", 0), ("a", 1)]
    # IN on the partition key: one Query per value.
    items, _ = all_items(ddb, f"SELECT * FROM \"{t}\" WHERE pk IN ['a', 'b', 'zz'] AND sk < 2")
    assert keys(items) == [("a", 0), ("a", 1), ("b", 0), ("b", 1)]
    # [doc:select] an index read, keyed on the index's partition key.
    items, _ = all_items(ddb, f"SELECT pk, sk FROM \"{t}\".\"by_status\" WHERE status = 'open'")
    assert keys(items) == [("a", 1), ("a", 3), ("b", 1), ("b", 3)]


def test_paging_with_limit_and_next_token(orders):
    ddb, t = orders
    for sk in range(30):
        ddb.put_item(TableName=t, Item={"pk": S("p" + str(sk % 3)), "sk": N(sk), "v": N(sk % 5)})
    for statement in (
        f'SELECT * FROM "{t}" WHERE v >= 2',
        f"SELECT * FROM \"{t}\" WHERE pk IN ['p0', 'p1', 'p2'] AND v >= 2",
    ):
        items, pages = all_items(ddb, statement, Limit=4)
        assert keys(items) == sorted(("p" + str(sk % 3), sk) for sk in range(30) if sk % 5 >= 2)
        # Limit counts items evaluated, not returned (as Scan's and Query's).
        assert pages >= 30 // 4
    first = run(ddb, f'SELECT * FROM "{t}"', Limit=2)
    # [floci] a token is bound to its statement.
    expect_error(
        lambda: run(ddb, f'SELECT * FROM "{t}" WHERE v = 1', NextToken=first["NextToken"]),
        "ValidationException",
        "NextToken does not match request",
    )
    expect_error(lambda: run(ddb, f'SELECT * FROM "{t}"', NextToken="not a token"), "ValidationException", "Invalid NextToken")


# --- equivalence with the expression API ------------------------------------

def predicate(rng, depth=0):
    """A random condition as (PartiQL text, FilterExpression text, values)."""
    values = {}

    def value(v):
        name = f":v{len(values)}_{rng.randrange(10**6)}"
        values[name] = v
        return name

    def leaf():
        kind = rng.randrange(9)
        n = rng.randrange(6)
        op = rng.choice(["=", "<>", "<", "<=", ">", ">="])
        if kind == 0:
            return f"a {op} {n}", f"a {op} {value(N(n))}"
        if kind == 1:
            s = rng.choice(["x", "xy", "y", "yz", ""])
            return f"b {op} '{s}'", f"b {op} {value(S(s))}"
        if kind == 2:
            lo, hi = sorted((rng.randrange(6), rng.randrange(6)))
            return f"a BETWEEN {lo} AND {hi}", f"a BETWEEN {value(N(lo))} AND {value(N(hi))}"
        if kind == 3:
            vs = rng.sample(range(6), 2)
            return f"a IN [{vs[0]}, {vs[1]}]", f"a IN ({value(N(vs[0]))}, {value(N(vs[1]))})"
        if kind == 4:
            return ("c IS MISSING", "attribute_not_exists(c)") if n % 2 else ("c IS NOT MISSING", "attribute_exists(c)")
        if kind == 5:
            p = rng.choice(["x", "y", "xy"])
            return f"begins_with(b, '{p}')", f"begins_with(b, {value(S(p))})"
        if kind == 6:
            return f"contains(c, {n})", f"contains(c, {value(N(n))})"
        if kind == 7:
            return f"size(c) >= {n % 3}", f"size(c) >= {value(N(n % 3))}"
        t = rng.choice(["N", "S", "L", "NULL"])
        return f"attribute_type(c, '{t}')", f"attribute_type(c, {value(S(t))})"

    def tree(d):
        if d >= 2 or rng.random() < 0.35:
            return leaf()
        kind = rng.randrange(3)
        if kind == 0:
            p, f = tree(d + 1)
            return f"NOT ({p})", f"NOT ({f})"
        (p1, f1), (p2, f2) = tree(d + 1), tree(d + 1)
        op = "AND" if kind == 1 else "OR"
        return f"({p1}) {op} ({p2})", f"({f1}) {op} ({f2})"

    p, f = tree(depth)
    return p, f, values


def test_select_equals_scan_and_query_with_the_same_condition(engine):
    rng = random.Random(20261207)
    t = create_table(engine, unique_name("pqeq"), range_key=("sk", "N"))
    for i in range(60):
        item = {"pk": S(f"p{i % 4}"), "sk": N(i)}
        if rng.random() < 0.9:
            item["a"] = N(rng.randrange(6))
        if rng.random() < 0.9:
            item["b"] = S(rng.choice(["x", "xy", "y", "yz", ""]))
        c = rng.randrange(4)
        if c == 1:
            item["c"] = {"L": [N(rng.randrange(6)) for _ in range(rng.randrange(3))]}
        elif c == 2:
            item["c"] = N(rng.randrange(6))
        elif c == 3:
            item["c"] = {"NULL": True}
        engine.put_item(TableName=t, Item=item)
    sizes = []
    for _ in range(60):
        p, f, values = predicate(rng)
        selected, _ = all_items(engine, f'SELECT * FROM "{t}" WHERE {p}', Limit=rng.choice([5, 17, 100]))
        scan_kw = {"TableName": t, "FilterExpression": f}
        if values:
            scan_kw["ExpressionAttributeValues"] = values
        scanned = []
        while True:
            r = engine.scan(**scan_kw)
            scanned += r["Items"]
            if "LastEvaluatedKey" not in r:
                break
            scan_kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
        assert keys(selected) == keys(scanned), (p, f)
        sizes.append(len(scanned))
        # The keyed form: a Query of one partition with a sort-key range.
        part, low = f"p{rng.randrange(4)}", rng.randrange(60)
        selected, _ = all_items(engine, f"SELECT * FROM \"{t}\" WHERE pk = '{part}' AND sk >= {low} AND ({p})")
        q = engine.query(
            TableName=t,
            KeyConditionExpression="pk = :pk AND sk >= :low",
            FilterExpression=f,
            ExpressionAttributeValues={":pk": S(part), ":low": N(low), **values},
        )
        assert "LastEvaluatedKey" not in q
        assert [i["sk"] for i in selected] == [i["sk"] for i in q["Items"]], (p, f)
    # The predicates select neither nothing nor everything, mostly.
    assert sum(0 < n < 60 for n in sizes) >= 30, sizes


# --- BatchExecuteStatement and ExecuteTransaction ----------------------------

def test_batch_execute_statement(orders):
    ddb, t = orders
    writes = [
        {"Statement": f'INSERT INTO "{t}" VALUE {{\'pk\': \'k\', \'sk\': {i}, \'v\': {i}}}'} for i in range(3)
    ]
    writes.append({"Statement": f"INSERT INTO \"{t}\" VALUE {{'pk': 'k', 'sk': 0}}"})
    writes.append({"Statement": f'SLECT oops'})
    r = ddb.batch_execute_statement(Statements=writes)["Responses"]
    assert r[:3] == [{"TableName": t}] * 3
    # [paritysuite] an existing key: DuplicateItem, with the table's name.
    assert r[3] == {"TableName": t, "Error": {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"}}
    # [paritysuite] a parse error: no TableName.
    assert r[4] == {"Error": {"Code": "ValidationError", "Message": WELL_FORMED + "Expected data manipulation"}}
    reads = [
        {"Statement": f'SELECT v FROM "{t}" WHERE pk = ? AND sk = ?', "Parameters": [S("k"), N(1)]},
        {"Statement": f"SELECT * FROM \"{t}\" WHERE pk = 'k' AND sk = 42"},
        {"Statement": f"SELECT * FROM \"{t}\" WHERE pk = 'k'"},
    ]
    r = ddb.batch_execute_statement(Statements=reads, ReturnConsumedCapacity="TOTAL")
    assert r["Responses"][0] == {"TableName": t, "Item": {"v": N(1)}}
    assert r["Responses"][1] == {"TableName": t}
    # [floci] a batch read names one whole key.
    assert r["Responses"][2] == {
        "Error": {
            "Code": "ValidationError",
            "Message": "Select statements within BatchExecuteStatement must specify the primary key in the where clause.",
        }
    }
    assert r["ConsumedCapacity"] == [{"TableName": t, "CapacityUnits": 1.0}]
    expect_error(
        lambda: ddb.batch_execute_statement(Statements=reads[:1] + writes[:1]),
        "ValidationException",
        "Read and write requests together in the same batch is not supported.",
    )


def test_execute_transaction(orders):
    ddb, t = orders
    ok = ddb.execute_transaction(
        TransactStatements=[
            {"Statement": f"INSERT INTO \"{t}\" VALUE {{'pk': 'acct', 'sk': 1, 'bal': 100}}"},
            {"Statement": f"INSERT INTO \"{t}\" VALUE {{'pk': 'acct', 'sk': 2, 'bal': 0}}"},
        ]
    )
    # [paritysuite] writes answer an empty list.
    assert ok["Responses"] == []
    transfer = [
        {"Statement": f'UPDATE "{t}" SET bal = bal - ? WHERE pk = \'acct\' AND sk = 1 AND bal >= ?', "Parameters": [N(60), N(60)]},
        {"Statement": f'UPDATE "{t}" SET bal = bal + ? WHERE pk = \'acct\' AND sk = 2', "Parameters": [N(60)]},
    ]
    ddb.execute_transaction(TransactStatements=transfer)
    # The second transfer would overdraw: cancelled, nothing applied.
    err = expect_error(lambda: ddb.execute_transaction(TransactStatements=transfer), "TransactionCanceledException")
    assert [r["Code"] for r in err["CancellationReasons"]] == ["ConditionalCheckFailed", "None"]
    assert err["Error"]["Message"] == "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]"
    # An EXISTS check gates the writes.
    err = expect_error(
        lambda: ddb.execute_transaction(
            TransactStatements=[
                {"Statement": f"EXISTS(SELECT * FROM \"{t}\" WHERE pk = 'acct' AND sk = 2 AND bal > 1000)"},
                {"Statement": f"DELETE FROM \"{t}\" WHERE pk = 'acct' AND sk = 1"},
            ]
        ),
        "TransactionCanceledException",
    )
    assert [r["Code"] for r in err["CancellationReasons"]] == ["ConditionalCheckFailed", "None"]
    # A duplicate INSERT cancels with DuplicateItem.
    err = expect_error(
        lambda: ddb.execute_transaction(
            TransactStatements=[{"Statement": f"INSERT INTO \"{t}\" VALUE {{'pk': 'acct', 'sk': 1}}"}]
        ),
        "TransactionCanceledException",
    )
    assert err["CancellationReasons"] == [{"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"}]
    # Reads: one response per statement, {} for a missing item.
    got = ddb.execute_transaction(
        TransactStatements=[
            {"Statement": f"SELECT bal FROM \"{t}\" WHERE pk = 'acct' AND sk = 1"},
            {"Statement": f"SELECT bal FROM \"{t}\" WHERE pk = 'acct' AND sk = 2"},
            {"Statement": f"SELECT bal FROM \"{t}\" WHERE pk = 'acct' AND sk = 3"},
        ]
    )["Responses"]
    assert got == [{"Item": {"bal": N(40)}}, {"Item": {"bal": N(60)}}, {}]
    # [floci] reads and writes do not mix.
    expect_error(
        lambda: ddb.execute_transaction(
            TransactStatements=[
                {"Statement": f"SELECT * FROM \"{t}\" WHERE pk = 'acct' AND sk = 1"},
                {"Statement": f"DELETE FROM \"{t}\" WHERE pk = 'acct' AND sk = 1"},
            ]
        ),
        "ValidationException",
        "ExecuteTransaction API does not support both read and write operations in the same request.",
    )
    # [paritysuite] RETURNING is not for transactions.
    expect_error(
        lambda: ddb.execute_transaction(
            TransactStatements=[{"Statement": f"DELETE FROM \"{t}\" WHERE pk = 'acct' AND sk = 1 RETURNING ALL OLD *"}]
        ),
        "ValidationException",
        "Validation failed in TransactStatements[0]: RETURNING clause is not supported in ExecuteTransaction.",
    )
    # Idempotency: the same token and statements apply once.
    once = [{"Statement": f'UPDATE "{t}" SET bal = bal + 1 WHERE pk = \'acct\' AND sk = 2'}]
    ddb.execute_transaction(TransactStatements=once, ClientRequestToken="tok-1")
    ddb.execute_transaction(TransactStatements=once, ClientRequestToken="tok-1")
    assert ddb.get_item(TableName=t, Key={"pk": S("acct"), "sk": N(2)})["Item"]["bal"] == N(61)
    expect_error(
        lambda: ddb.execute_transaction(TransactStatements=transfer, ClientRequestToken="tok-1"),
        "IdempotentParameterMismatchException",
    )


def test_js_sdk_v3(ddb, server):
    """The AWS SDK for JavaScript v3 (@aws-sdk/client-dynamodb, installed by
    scripts/setup into tests/e2e/js) speaks all three operations."""
    import json
    import shutil
    import subprocess
    from pathlib import Path

    js = Path(__file__).resolve().parent / "js"
    node = shutil.which("node")
    if node is None or not (js / "node_modules" / "@aws-sdk" / "client-dynamodb").is_dir():
        pytest.fail("node and tests/e2e/js/node_modules are needed: run scripts/setup --with-python", pytrace=False)
    t = create_table(ddb, unique_name("pqjs"), range_key=("sk", "N"))
    proc = subprocess.run([node, str(js / "partiql.mjs"), server.endpoint, t], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["duplicate"] == {"name": "DuplicateItemException", "message": "Duplicate primary key exists in table", "reasons": None}
    assert out["pages"] == [[6, 5, 4], [3, 2, 1], [0]]
    assert out["batch"] == [{"TableName": t, "Item": {"n": {"N": "30"}}}, {"TableName": t}]
    assert out["cancelled"]["name"] == "TransactionCanceledException"
    assert out["cancelled"]["reasons"] == [{"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}]
    assert out["read"] == [{"Item": {"n": {"N": "1"}}}, {}]
    assert out["syntax"]["name"] == "ValidationException"
    assert out["syntax"]["message"] == WELL_FORMED + "Expected data manipulation"


def test_index_projections(ddb):
    """[paritysuite] a SELECT of an index may only name what it projects."""
    name = unique_name("pqix")
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi-inc",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]},
            }
        ],
    )
    wait_active(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": S("1"), "g": S("x"), "a": {"M": {"b": N(1)}}, "z": N(2)})
    got = run(ddb, f"SELECT pk, a.b FROM \"{name}\".\"gsi-inc\" WHERE g = 'x'")
    assert got["Items"] == [{"pk": S("1"), "b": N(1)}]
    expect_error(
        lambda: run(ddb, f"SELECT z FROM \"{name}\".\"gsi-inc\" WHERE g = 'x'"),
        "ValidationException",
        "One or more parameter values were invalid: Global secondary index gsi-inc does not project [z]",
    )
    expect_error(
        lambda: run(ddb, f"SELECT * FROM \"{name}\".\"gsi-inc\" WHERE g = 'x' AND z = 2"),
        "ValidationException",
        "One or more parameter values were invalid: Secondary index gsi-inc does not project one or more filter attributes: [z]",
    )
    # [floci] without the index's key, the filter sees what the index holds:
    # an attribute it does not project is absent, so nothing matches.
    assert run(ddb, f"SELECT * FROM \"{name}\".\"gsi-inc\" WHERE z = 2")["Items"] == []
    entry = {"pk": S("1"), "g": S("x"), "a": {"M": {"b": N(1)}}}
    assert run(ddb, f"SELECT * FROM \"{name}\".\"gsi-inc\" WHERE a.b = 1")["Items"] == [entry]
    assert run(ddb, f"SELECT * FROM \"{name}\".\"gsi-inc\" WHERE z IS MISSING")["Items"] == [entry]

"""AWS DynamoDB sizing and capacity rules, written down once so tests can
compute expectations instead of hard-coding magic numbers.

Sources:
- AWS Developer Guide, "DynamoDB item sizes and formats"
  (CapacityUnitCalculations.html): item size = sum over attributes of
  UTF-8 name bytes + value size; strings are UTF-8 bytes, binaries raw bytes,
  BOOL/NULL 1 byte, List/Map 3 bytes overhead + nested sizes, and "each List
  or Map element also requires 1 byte of overhead".
- Numbers: the guide says "approximately 1 byte per two significant digits
  plus 1 byte". nubo-db/dynamodb-conformance (src/item-size.ts) measured the
  exact rule against real DynamoDB to the byte (eu-west-2, 2026-08-18):
  1 + ceil(int_sig/2) + ceil(frac_sig/2) + (1 if negative), over the value
  with leading/trailing zeros trimmed; the exponent is not counted.
- Limit: 409,600 bytes accepted, 409,601 refused (same capture; dynalite's
  MAX_SIZE = 409600 agrees).
- Capacity: 1 WCU per 1 KB (rounded up) of max(old, new) item for a write,
  1 RCU per 4 KB for a strongly consistent read, half that when eventually
  consistent (Developer Guide "Read/write capacity mode"; dynalite
  test/putItem.js and test/getItem.js "should return ConsumedCapacity ...").
"""

from __future__ import annotations

import math
import re
from decimal import Context, Decimal

MAX_ITEM_BYTES = 409_600


def number_bytes(literal: str) -> int:
    m = re.fullmatch(r"([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?", literal.strip())
    if not m or not (m.group(2) or m.group(3)):
        raise ValueError(f"not a number literal: {literal!r}")
    sign, int_text, frac_text, exp_text = m.group(1), m.group(2), m.group(3) or "", m.group(4)
    digits = int_text + frac_text
    if not re.search(r"[1-9]", digits):
        return 1
    point = len(int_text) + int(exp_text or 0)
    if point <= 0:
        int_part, frac_part = "", "0" * (-point) + digits
    elif point >= len(digits):
        int_part, frac_part = digits + "0" * (point - len(digits)), ""
    else:
        int_part, frac_part = digits[:point], digits[point:]
    int_part = int_part.lstrip("0")
    frac_part = frac_part.rstrip("0")
    int_sig = len(int_part.rstrip("0")) if frac_part == "" else len(int_part)
    frac_sig = len(frac_part.lstrip("0")) if int_part == "" else len(frac_part)
    return 1 + math.ceil(int_sig / 2) + math.ceil(frac_sig / 2) + (1 if sign == "-" else 0)


def value_bytes(av: dict) -> int:
    (t, v), = av.items()
    if t == "S":
        return len(v.encode("utf-8"))
    if t == "N":
        return number_bytes(v)
    if t == "B":
        return len(v)
    if t in ("BOOL", "NULL"):
        return 1
    if t == "SS":
        return sum(len(s.encode("utf-8")) for s in v)
    if t == "NS":
        return sum(number_bytes(n) for n in v)
    if t == "BS":
        return sum(len(b) for b in v)
    if t == "L":
        return 3 + sum(1 + value_bytes(e) for e in v)
    if t == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + value_bytes(e) for k, e in v.items())
    raise ValueError(t)


def item_bytes(item: dict) -> int:
    return sum(len(k.encode("utf-8")) + value_bytes(v) for k, v in item.items())


def pad_item(base: dict, target: int, pad_attr: str = "p") -> dict:
    """`base` plus one ASCII string attribute so the item measures exactly `target` bytes."""
    pad = target - item_bytes(base) - len(pad_attr)
    assert pad >= 0, f"base item already {item_bytes(base)} bytes > {target}"
    item = dict(base)
    item[pad_attr] = {"S": "x" * pad}
    assert item_bytes(item) == target
    return item


def write_units(*sizes: int) -> float:
    return float(max(1, math.ceil(max(sizes) / 1024)))


def read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / 4096))
    return float(units) if consistent else units / 2


def normalise_number(literal: str) -> str:
    """DynamoDB's canonical output form: plain decimal, no exponent, no
    leading/trailing zeros, '-0' -> '0' (dynalite test/putItem.js 'should put
    really long numbers'; dynamodb-conformance numberPrecision/numberByteSize)."""
    ctx = Context(prec=200)
    d = Decimal(literal)
    if d == 0:
        return "0"
    s = format(d.normalize(ctx), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


# UpdateItem measures its 400 KB gate differently from every other write
# surface ([conformance] tests/tier3/limits/itemSizeBySurface.test.ts, captured
# against eu-west-2 on 2026-08-18/19, undocumented by AWS):
#   accepted  <=>  finished item <= 409,600  AND
#                  finished item - (bytes the statement does not write) + action cost <= 409,600
# where "bytes not written" are the key attributes plus untouched attributes,
# and the action cost is 3 bytes plus 19 per SET/ADD clause and 2 per
# REMOVE/DELETE clause. With a key of 20+ bytes the plain 409,600 bound binds.
# The refusal wording is "Item size to update has exceeded the maximum allowed
# size" ([dynalite] test/updateItem.js; [conformance] same file).
UPDATE_BASE_COST = 3
UPDATE_SET_COST = 19
UPDATE_REMOVE_COST = 2


def update_item_ceiling(uncounted_bytes: int, action_cost: int) -> int:
    """Largest finished item a standalone UpdateItem accepts."""
    return min(MAX_ITEM_BYTES, MAX_ITEM_BYTES + uncounted_bytes - action_cost)


# Query/Scan pages. A page reads items until the bytes read reach 1 MB; the
# item that crosses the limit is still part of the page and the page then
# carries a LastEvaluatedKey ([api-ref] Query/Scan: "if the processed dataset
# size exceeds 1 MB ... it stops the operation ... and a key in
# LastEvaluatedKey"; [dynalite] test/query.js 'should return all if just under
# limit' shows the crossing item returned; [pachot] a full 1 MB page costs
# 128.5 RCU eventually consistent, i.e. more than 1,048,576 bytes were read).
# The limit counts items *read*, before FilterExpression and projection.
PAGE_LIMIT_BYTES = 1_048_576


def page_read_units(sizes, consistent: bool) -> float:
    """Capacity of one Query/Scan page: the sizes of every item read on the
    page (filtered-out ones included) are summed first, then rounded up to
    4 KB once, then halved when eventually consistent ([dev-guide]
    read-write-operations, Query; [dynalite] query.js LSI 'ALL_ATTRIBUTES'
    capacities; [conformance] tier1/query/consumedCapacity)."""
    return read_units(sum(sizes), consistent)


# A Scan page costs at least one read unit per storage partition it passes
# through, and a new table starts with 4 partitions: a Scan of a one-item
# on-demand table costs 4.0 strongly consistent, 2.0 eventually consistent
# ([alternator] test_returnconsumedcapacity.py::test_scan_consumed_capacity, run
# against AWS: "nobody knows why"). UNCONFIRMED rule, chosen to fit that and the
# size rule above for full pages ([pachot] 128.5 for a 1 MB page): a page that
# covers `partitions` of the 4 (a whole-table page 4, a segment of 4 or more
# TotalSegments 1) costs max(page_read_units, partitions) strongly consistent,
# half that eventually consistent.
SCAN_PARTITIONS = 4


def scan_page_read_units(sizes, consistent: bool, partitions: int = SCAN_PARTITIONS) -> float:
    """Capacity of one Scan page covering `partitions` storage partitions."""
    units = max(read_units(sum(sizes), True), float(partitions))
    return units if consistent else units / 2


def expected_page(sizes, limit=None) -> int:
    """How many of `sizes` (in read order) one page takes under the rule above.
    Whether a page whose total lands exactly on 1,048,576 bytes stops there is
    UNCONFIRMED (the docs say "exceeds"); the suite never lands on it."""
    total = 0
    for i, size in enumerate(sizes):
        total += size
        if (limit is not None and i + 1 >= limit) or total >= PAGE_LIMIT_BYTES:
            return i + 1
    return len(sizes)


# Batch operations. BatchGetItem and BatchWriteItem are charged item by item:
# "DynamoDB processes each item in the batch as an individual GetItem [PutItem
# or DeleteItem] request ... first rounds up the size of each item to the next
# 4 KB [1 KB] boundary, and then calculates the total size" ([dev-guide]
# read-write-operations: 1.5 KB + 6.5 KB reads cost 4 KB + 8 KB; 500 B + 3.5 KB
# writes cost 1 KB + 4 KB). A key that finds no item still costs the minimum
# read ([dynalite] batchGetItem.js 'ConsumedCapacity ... small/larger item':
# three keys, one missing, 3 units strongly consistent / 1.5 eventually), a
# delete of a missing item one write unit ([dynalite] batchWriteItem.js
# 'ConsumedCapacity ... larger item', second INDEXES round). Units are summed
# per table; each table gets one ConsumedCapacity entry.
def batch_read_units(sizes, consistent: bool) -> float:
    """Per-table BatchGetItem capacity; a missing item is size 0."""
    return float(sum(read_units(s, consistent) for s in sizes))


def batch_write_units(sizes) -> float:
    """Per-table BatchWriteItem capacity. Each entry is one request's size, or
    an (old, new) tuple for a put over an existing item (the larger counts,
    as for PutItem); a delete of a missing item is size 0."""
    return float(sum(write_units(*(s if isinstance(s, tuple) else (s,))) for s in sizes))


# BatchGetItem answers at most 16 MB; "if you ask to retrieve 100 items, but
# each individual item is 300 KB in size, the system returns 52 items (so as
# not to exceed the 16 MB limit)" ([api-ref] BatchGetItem). The documented
# example fits neither reading of "16 MB" exactly (52 x 307,200 bytes is under
# 16,000,000; 54 would fit under 16 MiB), so the precise cutoff is UNCONFIRMED:
# tests only require that a partial answer never exceeds 16 MiB of item data
# and that it would not have fitted one more item under 16,000,000 bytes.
BATCH_GET_RESPONSE_MAX = 16 * 1024 * 1024
BATCH_GET_RESPONSE_MIN_FULL = 16_000_000

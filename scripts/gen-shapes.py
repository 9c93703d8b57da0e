#!/usr/bin/env python3
"""Extracts the request shapes of DynamoDB's service model into the compact
table that ferrodyn-api validates requests against.

The authoritative description of every DynamoDB operation's input (member
names, types, required members, lengths, ranges, patterns and enums) is
botocore's service model. This script keeps only what request validation
needs, so the server carries a small, reviewable file:

    pip download --no-deps botocore
    unzip botocore-*.whl 'botocore/data/dynamodb/*' 'botocore/data/dynamodbstreams/*'
    python3 scripts/gen-shapes.py botocore/data/dynamodb/2012-08-10/service-2.json(.gz) \
        botocore/data/dynamodbstreams/2012-08-10/service-2.json(.gz) \
        > crates/ferrodyn-api/src/wire/shapes.json

The second model (DynamoDB Streams, optional) is merged in: its operations
are named by their whole target (`DynamoDBStreams_20120810.GetRecords`) and
its shapes prefixed with `Streams.`, so that nothing collides with
DynamoDB's own.
"""
import gzip
import json
import sys

KEEP = ("type", "required", "min", "max", "pattern", "enum")


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        return json.load(f)


def extract(model, out_shapes, ops, op_prefix="", shape_prefix=""):
    shapes = model["shapes"]

    def visit(name):
        key = shape_prefix + name
        if key in out_shapes:
            return
        s = shapes[name]
        o = {k: s[k] for k in KEEP if k in s}
        out_shapes[key] = o
        if s["type"] == "structure":
            o["members"] = [[m, shape_prefix + spec["shape"]] for m, spec in s["members"].items()]
            for _, spec in s["members"].items():
                visit(spec["shape"])
        elif s["type"] == "list":
            o["member"] = shape_prefix + s["member"]["shape"]
            visit(s["member"]["shape"])
        elif s["type"] == "map":
            o["key"] = shape_prefix + s["key"]["shape"]
            o["value"] = shape_prefix + s["value"]["shape"]
            visit(s["key"]["shape"])
            visit(s["value"]["shape"])

    for name, op in sorted(model["operations"].items()):
        if "input" in op:
            ops[op_prefix + name] = shape_prefix + op["input"]["shape"]
            visit(op["input"]["shape"])


def main(path, streams_path=None):
    model = load(path)
    out_shapes = {}
    ops = {}
    extract(model, out_shapes, ops)
    if streams_path:
        streams = load(streams_path)
        prefix = streams["metadata"]["targetPrefix"] + "."
        extract(streams, out_shapes, ops, op_prefix=prefix, shape_prefix="Streams.")
    json.dump(
        {"version": model["metadata"]["apiVersion"], "operations": ops, "shapes": out_shapes},
        sys.stdout,
        indent=None,
        separators=(",", ":"),
        sort_keys=False,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])

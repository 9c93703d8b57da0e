#!/usr/bin/env python3
"""Extracts the request shapes of DynamoDB's service model into the compact
table that ferrodyn-api validates requests against.

The authoritative description of every DynamoDB operation's input (member
names, types, required members, lengths, ranges, patterns and enums) is
botocore's service model. This script keeps only what request validation
needs, so the server carries a small, reviewable file:

    pip download --no-deps botocore
    unzip botocore-*.whl 'botocore/data/dynamodb/*'
    python3 scripts/gen-shapes.py botocore/data/dynamodb/2012-08-10/service-2.json(.gz) \
        > crates/ferrodyn-api/src/wire/shapes.json
"""
import gzip
import json
import sys

KEEP = ("type", "required", "min", "max", "pattern", "enum")


def main(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        model = json.load(f)
    shapes = model["shapes"]
    out_shapes = {}

    def visit(name):
        if name in out_shapes:
            return
        s = shapes[name]
        o = {k: s[k] for k in KEEP if k in s}
        out_shapes[name] = o
        if s["type"] == "structure":
            o["members"] = [[m, spec["shape"]] for m, spec in s["members"].items()]
            for _, spec in s["members"].items():
                visit(spec["shape"])
        elif s["type"] == "list":
            o["member"] = s["member"]["shape"]
            visit(s["member"]["shape"])
        elif s["type"] == "map":
            o["key"] = s["key"]["shape"]
            o["value"] = s["value"]["shape"]
            visit(s["key"]["shape"])
            visit(s["value"]["shape"])

    ops = {}
    for name, op in sorted(model["operations"].items()):
        if "input" in op:
            ops[name] = op["input"]["shape"]
            visit(op["input"]["shape"])
    json.dump(
        {"version": model["metadata"]["apiVersion"], "operations": ops, "shapes": out_shapes},
        sys.stdout,
        indent=None,
        separators=(",", ":"),
        sort_keys=False,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])

"""Asks one question of `tnactl -j graph` (or of a graph JSON on stdin).

    graphq.py [--tnactl PATH --sock SOCK] [-p] EXPR

EXPR is a Python expression over:
    N        {id: node}            node(ID)  the node, or {} when absent
    E        {(from, rel, to)}     S         {id: service}
    kind(K)  the nodes of kind K
Exits 0 when EXPR is true, 1 when false or when it looks up what is not there,
2 when the graph cannot be read.
With -p, prints EXPR's value as JSON instead and exits 0.
"""

import argparse
import json
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tnactl")
    ap.add_argument("--sock")
    ap.add_argument("-p", "--print", action="store_true")
    ap.add_argument("expr")
    args = ap.parse_args()
    try:
        if args.tnactl:
            text = subprocess.run([args.tnactl, "-j", "-s", args.sock, "graph"], check=True,
                                  capture_output=True, text=True, timeout=10).stdout
        else:
            text = sys.stdin.read()
        doc = json.loads(text)
    except (subprocess.SubprocessError, json.JSONDecodeError) as e:
        print(f"graphq: cannot read the graph: {e}", file=sys.stderr)
        return 2
    nodes = {n["id"]: n for n in doc.get("nodes", [])}
    scope = {
        "N": nodes,
        "E": {(e["from"], e["rel"], e["to"]) for e in doc.get("edges", [])},
        "S": {s["id"]: s for s in doc.get("services", [])},
        "node": lambda i: nodes.get(i, {}),
        "kind": lambda k: [n for n in nodes.values() if n.get("kind") == k],
    }
    try:
        value = eval(args.expr, scope)  # the expressions come from the test scripts
    except (KeyError, IndexError, TypeError, AttributeError) as e:
        # A node or field not there yet: "not yet" while a test polls.
        if args.print:
            print(f"graphq: {type(e).__name__}: {e}", file=sys.stderr)
            return 2
        return 1
    if args.print:
        print(json.dumps(value))
        return 0
    return 0 if value else 1


if __name__ == "__main__":
    sys.exit(main())

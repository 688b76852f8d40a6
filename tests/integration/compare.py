"""Compares `tnactl -j graph` with the kernel's own dumps, object for object.

Run it inside the namespace the daemon watches:
    compare.py --tnactl PATH --sock SOCK [--kinds links,routes,...] [--settle S]
Prints one "ok - " / "not ok - " line per object kind, each failure followed by
"# " lines naming the mismatched objects. The graph follows the kernel through
events, so a mismatch is retried against fresh snapshots for up to --settle s.
"""

import argparse
import collections
import json
import subprocess
import sys
import time

import edges
import graphview
import kernel
import services

MAX_SHOWN = 15


def flatten(attrs, prefix=""):
    flat = {}
    for key, value in attrs.items():
        if isinstance(value, dict) and value:
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def diff_views(want, have, what):
    """want/have: {key: attrs}. Every kernel attribute must match; the graph may carry more."""
    out = []
    for key in sorted(set(want) - set(have), key=repr):
        out.append(f"{what} {key}: in the kernel, not in the graph")
    for key in sorted(set(have) - set(want), key=repr):
        out.append(f"{what} {key}: in the graph, not in the kernel")
    for key in sorted(set(want) & set(have), key=repr):
        w, h = flatten(want[key]), flatten(have[key])
        for attr, value in w.items():
            if h.get(attr) != value:
                out.append(f"{what} {key}: {attr} is {h.get(attr)!r} in the graph, "
                           f"{value!r} in the kernel")
    return out


def diff_multisets(want, have, what):
    want, have = collections.Counter(want), collections.Counter(have)
    return [f"{what} {key}: {want[key]}x in the kernel, {have[key]}x in the graph"
            for key in sorted(set(want) | set(have), key=repr) if want[key] != have[key]]


def diff_tc(want, have):
    out = diff_views(want[0], have[0], "qdisc") + diff_views(want[1], have[1], "class")
    # tc lists a classifier's head and each of its filters (u32: head, hash table,
    # key); the graph may or may not make the head a node of its own.
    for key in sorted(set(want[2]) | set(have[2]), key=repr):
        want_n = want[2].get(key, {}).get("count", 0)
        have_n = have[2].get(key, {}).get("count", 0)
        if not 1 <= have_n <= want_n:
            out.append(f"filter {key}: {have_n} graph nodes for {want_n} kernel entries")
    return out


def route_families(args):
    return tuple(f for f in ("4", "6") if ("inet" if f == "4" else "inet6") in args.families)


def kinds(args):
    """{kind: (kernel view, graph view, diff)}."""
    return {
        "links": (kernel.view_links, graphview.links, lambda w, h: diff_views(w, h, "link")),
        "ports": (kernel.view_ports, graphview.ports, lambda w, h: diff_views(w, h, "port")),
        "addresses": (kernel.view_addresses, graphview.addresses,
                      lambda w, h: diff_views(w, h, "address")),
        "routes": (lambda k: kernel.view_routes(k, route_families(args)),
                   lambda g: graphview.routes(g, args.families),
                   lambda w, h: diff_views(w, h, "route")),
        "rules": (kernel.view_rules, graphview.rules, lambda w, h: diff_multisets(w, h, "rule")),
        "listeners": (kernel.view_listeners, graphview.listeners,
                      lambda w, h: diff_views(w, h, "listener")),
        "nft-tables": (kernel.view_nft_tables, lambda g: graphview.tables(g, "nft-table"),
                       lambda w, h: diff_views(w, h, "nft table")),
        "nft-chains": (kernel.view_nft_chains, graphview.nft_chains,
                       lambda w, h: diff_views(w, h, "chain")),
        "ipt-tables": (kernel.view_ipt_tables, lambda g: graphview.tables(g, "ipt-table"),
                       lambda w, h: diff_views(w, h, "ipt table")),
        "tc": (kernel.view_tc, graphview.tc, diff_tc),
        "edges": (edges.expected, lambda g: g, edges.compare),
        "services": (services.expected, lambda g: g, services.compare),
    }


def snapshot(args, wanted):
    """Every kernel view first, then the graph, each read once: a change that
    lands between the two reads costs one more attempt, not a false result."""
    table = kinds(args)
    k = kernel.Kernel()
    k.preload()
    want = {kind: table[kind][0](k) for kind in wanted}
    g = graphview.fetch(args.tnactl, args.sock)
    results = {}
    for kind in wanted:
        g.problems = []
        results[kind] = table[kind][2](want[kind], table[kind][1](g)) + g.problems
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tnactl", required=True)
    ap.add_argument("--sock", required=True)
    ap.add_argument("--kinds", default=",".join(kinds(None)))
    ap.add_argument("--families", default="inet,inet6",
                    help="route families to compare (inet, inet6)")
    ap.add_argument("--settle", type=float, default=3.0)
    ap.add_argument("--label", default="", help="appended to each result line")
    args = ap.parse_args()
    args.families = args.families.split(",")
    wanted = args.kinds.split(",")
    unknown = [k for k in wanted if k not in kinds(args)]
    if unknown:
        ap.error(f"unknown kinds {unknown}; known: {', '.join(kinds(args))}")

    deadline = time.monotonic() + args.settle
    while True:
        try:
            results = snapshot(args, wanted)
        except (subprocess.CalledProcessError, json.JSONDecodeError) as e:
            detail = getattr(e, "stderr", "") or ""
            results = {kind: [f"cannot read a view: {e} {detail.strip()}"] for kind in wanted}
        if not any(results.values()) or time.monotonic() >= deadline:
            break
        time.sleep(0.3)

    failed = 0
    for kind, mismatches in results.items():
        label = f"graph {kind} == kernel{args.label}"
        if not mismatches:
            print(f"ok - {label}")
            continue
        failed += 1
        print(f"not ok - {label}")
        for line in mismatches[:MAX_SHOWN]:
            print(f"#   {line}")
        if len(mismatches) > MAX_SHOWN:
            print(f"#   ... and {len(mismatches) - MAX_SHOWN} more")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""The graph's side of the comparison: `tnactl -j graph` turned into the same
{key: attrs} views that kernel.py builds from the kernel's dumps."""

import json
import re
import subprocess

import kernel


def fetch(tnactl, sock):
    out = subprocess.run([tnactl, "-j", "-s", sock, "graph"], check=True,
                         capture_output=True, text=True).stdout
    return Graph(json.loads(out))


class Graph:
    def __init__(self, doc):
        self.nodes = doc.get("nodes", [])
        self.edges = doc.get("edges", [])
        self.services = doc.get("services", [])
        self.by_id = {n["id"]: n for n in self.nodes}
        self.problems = []  # malformed ids, duplicate keys: reported with their kind

    def kind(self, kind):
        return [n for n in self.nodes if n.get("kind") == kind]

    def check_id(self, node, want, exact=True):
        ok = node["id"] == want if exact else node["id"].startswith(want)
        if not ok:
            self.problems.append(
                f"id {node['id']!r} should {'be' if exact else 'start with'} {want!r}")
        return ok


def links(g):
    view = {}
    for n in g.kind("link"):
        g.check_id(n, f"link:{n.get('ifindex')}")
        a = dict(n)
        xdp = n.get("xdp")
        a["xdp"] = xdp.get("prog_id") if isinstance(xdp, dict) else xdp
        view[n.get("ifindex")] = a
    return view


def ports(g):
    return {n["ifindex"]: {"master": n.get("master"), "state": n["port"].get("state")}
            for n in g.kind("link") if n.get("port")}


def addresses(g):
    view = {}
    for n in g.kind("address"):
        g.check_id(n, f"address:{n.get('ifindex')}:{n.get('address')}")
        view[(n.get("ifindex"), n.get("address"))] = n
    return view


def route_key(n):
    tos = re.search(r",tos=(\d+)", n["id"])
    return kernel.route_key(n.get("family"), n.get("table"), n.get("dst"), n.get("metric"),
                            int(tos.group(1)) if tos else 0, n.get("type"), n.get("dev"))


def routes(g, families=("inet", "inet6")):
    view = {}
    for n in g.kind("route"):
        if n.get("family") not in families:
            continue
        g.check_id(n, f"route:{n.get('table')}:{n.get('dst')}", exact=False)
        key = route_key(n)
        a = dict(n)
        a["protocol"] = str(n.get("protocol"))
        hops = n.get("nexthops")
        a["nexthops"] = [(h.get("dev"), h.get("gateway"), h.get("weight")) for h in hops] \
            if hops else None
        if key in view:
            g.problems.append(f"route {key}: two graph nodes ({view[key]['id']}, {n['id']})")
        view[key] = a
    return view


def rules(g):
    return [kernel.rule_tuple(n.get("family"), n.get("priority"), n.get("action"),
                              n.get("table"), n.get("src"), n.get("dst"), n.get("iif"),
                              n.get("oif"), n.get("fwmark"), n.get("tos"))
            for n in g.kind("rule")]


def listeners(g):
    view = {}
    for n in g.kind("listener"):
        g.check_id(n, "listener:tcp:", exact=False)
        view[(n.get("family"), n.get("address"), n.get("port"), n.get("dev"))] = n
    return view


def tables(g, kind):
    view = {}
    for n in g.kind(kind):
        g.check_id(n, f"{kind}:{n.get('family')}:{n.get('table')}")
        view[(n.get("family"), n.get("table"))] = {}
    return view


def nft_chains(g):
    view = {}
    for n in g.kind("nft-chain"):
        g.check_id(n, f"nft-chain:{n.get('family')}:{n.get('table')}:{n.get('chain')}")
        rule_list = n.get("rule_list") or []
        for r in rule_list:
            if not isinstance(r.get("exprs"), str) or not r["exprs"]:
                g.problems.append(f"{n['id']}: rule {r.get('handle')} has no exprs")
        a = dict(n)
        a["rule_list"] = [{"handle": r.get("handle"), "drop": r.get("drop"),
                           "ct_established": r.get("ct_established")}
                          for r in sorted(rule_list, key=lambda r: r.get("handle") or 0)]
        view[(n.get("family"), n.get("table"), n.get("chain"))] = a
    return view


def tc(g):
    """(qdiscs, classes, filters) keyed as kernel.view_tc keys them; a tc
    node's "type" is what tc calls its kind (htb, tbf, u32, ...)."""
    by_object = {"qdisc": {}, "class": {}}
    filters = {}
    for n in g.kind("tc"):
        obj = n.get("object")
        parent = n.get("parent")
        if parent != "clsact":
            parent = kernel.tc_parent(parent)
        if obj == "filter":
            key = (n.get("ifindex"), parent, n.get("type"))
            filters.setdefault(key, {"count": 0, "link": n.get("link")})["count"] += 1
        elif obj in by_object:
            g.check_id(n, f"tc:{n.get('ifindex')}:{obj}:{n.get('handle')}")
            by_object[obj][(n.get("ifindex"), n.get("handle"))] = {
                "type": n.get("type"), "parent": parent, "link": n.get("link")}
        else:
            g.problems.append(f"{n['id']}: object {obj!r} is none of qdisc, class, filter")
    return by_object["qdisc"], by_object["class"], filters

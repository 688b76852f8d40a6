"""The kernel's own view of the namespace this process runs in, from ip, bridge,
ss, nft, tc and /proc, normalised to the spelling of controller/GRAPH.md.

Each view_* function returns {key: attrs}; compare.py builds the same keys from
the graph, so the two can be compared object for object.
"""

import ipaddress
import json
import os
import re
import subprocess

def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def run_json(*cmd):
    out = run(*cmd).strip()
    return json.loads(out) if out else []


def prefix(addr, length=None):
    """Canonical "ADDR/LEN"; ip prints "default" and host routes without a length."""
    if addr == "default":
        return None
    if "/" not in addr:
        addr = f"{addr}/{length}" if length is not None else addr
    net = ipaddress.ip_interface(addr)
    return f"{net.ip}/{net.network.prefixlen}"


def number(value):
    """ip prints marks and tos as hex strings; the graph may use numbers."""
    if value is None:
        return None
    return int(value, 0) if isinstance(value, str) else int(value)


class Kernel:
    """One snapshot of the kernel's configuration, read lazily."""

    def __init__(self):
        self._cache = {}

    def _get(self, name, fn):
        if name not in self._cache:
            self._cache[name] = fn()
        return self._cache[name]

    def links(self):
        return self._get("links", lambda: run_json("ip", "-j", "-d", "link", "show"))

    def addrs(self):
        return self._get("addrs", lambda: run_json("ip", "-j", "addr", "show"))

    def ifindex(self, name):
        return next(l["ifindex"] for l in self.links() if l["ifname"] == name)

    def routes(self, family):
        return self._get(f"routes{family}", lambda: run_json(
            "ip", "-j", "-d", f"-{family}", "route", "show", "table", "all"))

    def rules(self, family):
        return self._get(f"rules{family}", lambda: run_json("ip", "-j", f"-{family}", "rule"))

    def bridge_ports(self):
        return self._get("bports", lambda: run_json("bridge", "-j", "link", "show"))

    def ruleset(self):
        return self._get("nft", lambda: run_json("nft", "-j", "list", "ruleset")["nftables"])

    def qdiscs(self):
        return self._get("qdiscs", lambda: run_json("tc", "-j", "qdisc", "show"))

    def sockets(self):
        return self._get("ss", lambda: run("ss", "-Htlne"))

    def preload(self):
        """Reads every raw view now, so that a comparison sees one moment."""
        self.links(), self.addrs(), self.routes("4"), self.routes("6"), self.rules("4")
        self.rules("6"), self.bridge_ports(), self.ruleset(), self.qdiscs(), self.sockets()


def _forwarding(name):
    out = {}
    for fam, key in (("4", "ipv4"), ("6", "ipv6")):
        path = f"/proc/sys/net/ipv{fam}/conf/{name}/forwarding"
        try:
            with open(path) as f:
                out[key] = f.read().strip() != "0"
        except OSError:
            out[key] = None
    return out


def view_links(k):
    names = {l["ifname"]: l["ifindex"] for l in k.links()}
    view = {}
    for l in k.links():
        info = l.get("linkinfo", {})
        kind = info.get("info_kind")
        if not kind:
            kind = "loopback" if l.get("link_type") == "loopback" else "physical"
        a = {
            "name": l["ifname"],
            "ifindex": l["ifindex"],
            "type": kind,
            "state": l["operstate"],
            "admin": "up" if "UP" in l["flags"] else "down",
            "mtu": l["mtu"],
            "mac": l.get("address"),
            "master": l.get("master"),
            "forwarding": _forwarding(l["ifname"]),
            "xdp": l.get("xdp", {}).get("prog", {}).get("id") if "xdp" in l else None,
        }
        if kind == "veth":
            if "link_index" in l:
                a["peer"], a["peer_netnsid"] = l["link_index"], l.get("link_netnsid")
            else:
                a["peer"], a["peer_netnsid"] = names.get(l.get("link")), None
        data = info.get("info_data", {})
        if kind == "bridge":
            a["bridge"] = {
                "stp": data["stp_state"] != 0,
                "stp_state": data["stp_state"],
                "ageing_time": data["ageing_time"] // 100,
                "forward_delay": data["forward_delay"] // 100,
                "vlan_filtering": bool(data["vlan_filtering"]),
            }
        if info.get("info_slave_kind") == "bridge":
            s = info["info_slave_data"]
            a["port"] = {
                "state": s["state"],
                "learning": s["learning"],
                "flood": s["flood"],
                "mcast_flood": s["mcast_flood"],
                "bcast_flood": s["bcast_flood"],
                "hairpin": s["hairpin"],
                "isolated": s["isolated"],
            }
        view[l["ifindex"]] = a
    return view


def view_ports(k):
    """bridge link: every bridge port, its master and STP state."""
    return {p["ifindex"]: {"master": p.get("master"), "state": p.get("state")}
            for p in k.bridge_ports()}


def view_addresses(k):
    view = {}
    for l in k.addrs():
        for a in l.get("addr_info", []):
            addr = prefix(a["local"], a["prefixlen"])
            attrs = {"address": addr, "family": a["family"], "link": l["ifname"],
                     "ifindex": l["ifindex"], "scope": a["scope"]}
            if "address" in a and a["address"] != a["local"]:
                attrs["peer"] = a["address"]
            view[(l["ifindex"], addr)] = attrs
    return view


def route_key(family, table, dst, metric, tos, rtype, dev):
    """What tells two routes apart: the id's components in GRAPH.md."""
    return (family, table, dst, metric, tos, rtype, dev if family == "inet6" else None)


def view_routes(k, families=("4", "6")):
    view = {}
    for fam in families:
        family = "inet" if fam == "4" else "inet6"
        any_dst = "0.0.0.0/0" if fam == "4" else "::/0"
        for r in k.routes(fam):
            dst = prefix(r["dst"]) or any_dst
            hops = [(h.get("dev"), h.get("gateway"), h.get("weight", 1))
                    for h in r.get("nexthops", [])]
            attrs = {
                "dst": dst, "family": family, "table": r.get("table", "main"),
                "type": r.get("type", "unicast"), "protocol": str(r.get("protocol", "boot")),
                "scope": r.get("scope", "global"), "metric": r.get("metric", 0),
                "dev": r.get("dev"), "gateway": r.get("gateway"),
                "prefsrc": r.get("prefsrc"), "nexthops": hops or None,
            }
            key = route_key(family, attrs["table"], dst, attrs["metric"],
                            number(r.get("tos", 0)), attrs["type"], attrs["dev"])
            view[key] = attrs
    return view


def rule_tuple(family, priority, action, table, src, dst, iif, oif, fwmark, tos):
    # Only lookup rules name a table; the others carry none worth comparing.
    return (family, priority, action, table if action == "lookup" else None,
            src, dst, iif, oif, number(fwmark), number(tos) or None)


def view_rules(k):
    view = []
    for fam in ("4", "6"):
        family = "inet" if fam == "4" else "inet6"
        host = 32 if fam == "4" else 128
        for r in k.rules(fam):
            action = r.get("action", "lookup" if "table" in r else None)
            if "goto" in r:
                action = "goto"
            src = None if r.get("src", "all") == "all" else prefix(r["src"], r.get("srclen", host))
            dst = None if r.get("dst", "all") == "all" else prefix(r["dst"], r.get("dstlen", host))
            view.append(rule_tuple(family, r["priority"], action, r.get("table"), src, dst,
                                   r.get("iif"), r.get("oif"), r.get("fwmark"), r.get("tos")))
    return view


_SS_LOCAL = re.compile(r"^(?:\[(?P<v6>[^\]]+)\]|(?P<star>\*)|(?P<v4>[0-9.]+))"
                       r"(?:%(?P<dev>[^:]+))?:(?P<port>\d+)$")


def view_listeners(k):
    """ss -Htlne: "*" is ss's spelling of a dual-stack IPv6 wildcard."""
    view = {}
    for line in k.sockets().splitlines():
        cols = line.split()
        if len(cols) < 5:
            continue
        m = _SS_LOCAL.match(cols[3])
        if not m:
            raise ValueError(f"cannot parse ss local address {cols[3]!r}")
        addr = m["v4"] or m["v6"] or "::"
        family = "inet" if m["v4"] else "inet6"
        attrs = {"address": str(ipaddress.ip_address(addr)), "port": int(m["port"]),
                 "family": family, "owner": "kernel", "dev": m["dev"]}
        if family == "inet6":
            v6only = next((c.split(":")[1] for c in cols if c.startswith("v6only:")), None)
            attrs["v6only"] = None if v6only is None else v6only == "1"
        view[(family, attrs["address"], attrs["port"], m["dev"])] = attrs
    return view


def view_nft_tables(k):
    return {(t["table"]["family"], t["table"]["name"]): {} for t in k.ruleset() if "table" in t}


def _verdict_drop(expr):
    return any("drop" in e or "reject" in e for e in expr)


def _matches_established(expr):
    for e in expr:
        m = e.get("match")
        if not m or m.get("left") != {"ct": {"key": "state"}}:
            continue
        right = m.get("right")
        if isinstance(right, dict):
            right = right.get("set", [])
        if right == "established" or (isinstance(right, list) and "established" in right):
            return True
    return False


def _netdev_device(c):
    """nft -j omits a netdev chain's device; its text listing has it."""
    if c.get("dev"):
        return c["dev"]
    text = run("nft", "list", "chain", c["family"], c["table"], c["name"])
    m = re.search(r'device "?([^";\s]+)"?', text)
    return m.group(1) if m else None


def view_nft_chains(k):
    view = {}
    for obj in k.ruleset():
        if "chain" in obj:
            c = obj["chain"]
            base = "hook" in c
            view[(c["family"], c["table"], c["name"])] = {
                "hook": c.get("hook"),
                "priority": c.get("prio") if base else None,
                "type": c.get("type") if base else None,
                "policy": c.get("policy") if base else None,
                "dev": _netdev_device(c) if c["family"] == "netdev" and base else None,
                "rules": 0, "rule_list": [],
            }
    for obj in k.ruleset():
        if "rule" in obj:
            r = obj["rule"]
            chain = view[(r["family"], r["table"], r["chain"])]
            chain["rules"] += 1
            chain["rule_list"].append({"handle": r["handle"], "drop": _verdict_drop(r["expr"]),
                                       "ct_established": _matches_established(r["expr"])})
    for chain in view.values():
        chain["rule_list"].sort(key=lambda r: r["handle"])
    return view


def view_ipt_tables(k):
    view = {}
    for family, proc in (("ip", "ip_tables_names"), ("ip6", "ip6_tables_names"),
                         ("arp", "arp_tables_names")):
        path = os.path.join("/proc/net", proc)
        if os.path.exists(path):
            with open(path) as f:
                for name in f.read().split():
                    view[(family, name)] = {}
    return view


# A clsact (or ingress) qdisc sits at ffff:fff1; its filters at ffff:fff2 and ffff:fff3.
TC_SPECIAL = {"ffff:fff1": "ingress", "ffff:fff2": "ingress", "ffff:fff3": "egress",
              "ffff:ffff": "root"}


def tc_parent(parent):
    return TC_SPECIAL.get(parent, parent)


def view_tc(k):
    """(qdiscs, classes, filters): qdiscs and classes keyed (ifindex, handle),
    filters (ifindex, site, type) with how many entries tc lists for them; the
    site is the root qdisc's handle, "ingress" or "egress"."""
    qdiscs, classes, filters = {}, {}, {}
    hooks, root_handles = {}, {}
    for q in k.qdiscs():
        ifindex = k.ifindex(q["dev"])
        if q.get("root"):
            parent = "root"
        elif q["kind"] == "clsact":
            parent = "clsact"
        else:
            parent = tc_parent(q.get("parent", "root"))
        qdiscs[(ifindex, q["handle"])] = {"type": q["kind"], "parent": parent, "link": q["dev"]}
        if q["kind"] == "clsact":
            hooks[q["dev"]] = ["ingress", "egress"]
        elif q["kind"] == "ingress":
            hooks[q["dev"]] = ["ingress"]
        if q.get("root"):
            root_handles[q["dev"]] = q["handle"]
    for dev, handle in root_handles.items():
        ifindex = k.ifindex(dev)
        for line in run("tc", "class", "show", "dev", dev).splitlines():
            m = re.match(r"class (\S+) (\S+) (?:root|parent (\S+))", line)
            if m:
                classes[(ifindex, m.group(2))] = {"type": m.group(1),
                                                  "parent": m.group(3) or "root", "link": dev}
        sites = [(handle, [])] + [(hook, [hook]) for hook in hooks.get(dev, [])]
        for site, args in sites:
            for f in run_json("tc", "-j", "filter", "show", "dev", dev, *args):
                key = (ifindex, site, f["kind"])
                filters.setdefault(key, {"count": 0, "link": dev})["count"] += 1
    return qdiscs, classes, filters

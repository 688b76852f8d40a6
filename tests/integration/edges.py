"""Edges the kernel's configuration implies (controller/GRAPH.md, "Edges"),
compared with the graph's. Node ids are built from kernel identities where
GRAPH.md fixes them (links, addresses); route and listener nodes are matched by
their attributes, since their ids carry optional parts."""

import ipaddress

import graphview
import kernel

RELS = {"member-of", "peer-of", "address-on", "nexthop-dev", "route-via", "listens-on",
        "filters", "attached-to", "steers-to"}


def _most_specific(routes, key, gateway):
    """Keys of the most specific routes in key's table containing gateway, key excluded."""
    gw = ipaddress.ip_address(gateway)
    best, found = -1, set()
    for other, r in routes.items():
        if other == key or other[:2] != key[:2]:
            continue
        net = ipaddress.ip_network(r["dst"], strict=False)
        if gw.version != net.version or gw not in net:
            continue
        if net.prefixlen > best:
            best, found = net.prefixlen, set()
        if net.prefixlen == best:
            found.add(other)
    return found


def expected(k):
    links = kernel.view_links(k)
    addrs = kernel.view_addresses(k)
    routes = kernel.view_routes(k)
    ifindex = {a["name"]: i for i, a in links.items()}
    exp = {
        "member-of": {(f"link:{i}", f"link:{ifindex[a['master']]}")
                      for i, a in links.items() if a.get("master")},
        "peer-of": {frozenset((f"link:{i}", f"link:{a['peer']}")) for i, a in links.items()
                    if a.get("peer") and a.get("peer_netnsid") is None},
        "address-on": {(f"address:{i}:{addr}", f"link:{i}") for i, addr in addrs},
        "nexthop-dev": {},
        "route-via": {},
        "listens-on": {},
        "filters": {},
    }
    for key, r in routes.items():
        devs = [r["dev"]] if r["dev"] else [h[0] for h in r["nexthops"] or []]
        exp["nexthop-dev"][key] = {f"link:{ifindex[d]}" for d in devs if d}
        gws = [r["gateway"]] if r["gateway"] else [h[1] for h in r["nexthops"] or [] if h[1]]
        exp["route-via"][key] = [_most_specific(routes, key, gw) for gw in gws]
    for key, l in kernel.view_listeners(k).items():
        targets = set()
        if l["dev"]:
            targets.add(f"link:{ifindex[l['dev']]}")
        if not ipaddress.ip_address(l["address"]).is_unspecified:
            targets |= {f"address:{i}:{a}" for i, a in addrs
                        if a.split("/")[0] == l["address"]}
        exp["listens-on"][key] = targets
    exp["filters"] = _filters(k, links, addrs)
    return exp


def _filters(k, links, addrs):
    """{chain key: (least, most)} sets of link ids a chain's filters edges may reach."""
    fams = {"ip": ("inet",), "ip6": ("inet6",), "inet": ("inet", "inet6")}
    fwd_key = {"inet": "ipv4", "inet6": "ipv6"}
    ports_and_bridges = {f"link:{i}" for i, a in links.items()
                         if a["type"] == "bridge" or "port" in a}
    out = {}
    for key, c in kernel.view_nft_chains(k).items():
        family = key[0]
        if not c["hook"]:
            out[key] = (set(), set())
        elif family == "netdev":
            dev = {f"link:{i}" for i, a in links.items() if a["name"] == c["dev"]}
            out[key] = (dev, dev)
        elif family == "bridge":
            out[key] = (ports_and_bridges, ports_and_bridges)
        elif family in fams:
            with_addr = {f"link:{i}" for i, a in addrs
                         if addrs[(i, a)]["family"] in fams[family]}
            forwarding = {f"link:{i}" for i, a in links.items()
                          if any(a["forwarding"].get(fwd_key[f]) for f in fams[family])}
            # GRAPH.md: base chains see links with an address of their family and,
            # on the forward hook, links with forwarding on.
            if c["hook"] == "forward":
                out[key] = (forwarding, with_addr | forwarding)
            else:
                out[key] = (with_addr, with_addr)
    return out


def compare(exp, g):
    out = []
    by_rel = {}
    for e in g.edges:
        by_rel.setdefault(e.get("rel"), set()).add((e.get("from"), e.get("to")))
        for end in ("from", "to"):
            if e.get(end) not in g.by_id:
                out.append(f"edge {e}: {end} names no node")
    for rel in set(by_rel) - RELS:
        out.append(f"unknown rel {rel!r} ({len(by_rel[rel])} edges)")

    for rel in ("member-of", "address-on"):
        have = by_rel.get(rel, set())
        out += [f"{rel} {e}: in the kernel, not in the graph" for e in exp[rel] - have]
        out += [f"{rel} {e}: in the graph, not in the kernel" for e in have - exp[rel]]
    peers = {frozenset(e) for e in by_rel.get("peer-of", set())}
    out += [f"peer-of {sorted(p)}: missing" for p in exp["peer-of"] - peers]
    out += [f"peer-of {sorted(p)}: not veth peers" for p in peers - exp["peer-of"]]

    out += _compare_routes(exp, g, by_rel)
    out += _compare_by_key(exp["listens-on"], graphview.listeners(g), by_rel, "listens-on")
    out += _compare_filters(exp["filters"], g, by_rel)
    for n in g.kind("tc"):
        have = {to for frm, to in by_rel.get("attached-to", set()) if frm == n["id"]}
        if have != {f"link:{n.get('ifindex')}"}:
            out.append(f"attached-to from {n['id']}: {sorted(have)}")
    return out


def _targets(by_rel, rel, node_id):
    return {to for frm, to in by_rel.get(rel, set()) if frm == node_id}


def _compare_by_key(exp, view, by_rel, rel):
    out = []
    for key, n in view.items():
        if key in exp and _targets(by_rel, rel, n["id"]) != exp[key]:
            out.append(f"{rel} from {n['id']}: {sorted(_targets(by_rel, rel, n['id']))}, "
                       f"expected {sorted(exp[key])}")
    return out


def _compare_routes(exp, g, by_rel):
    view = graphview.routes(g)
    out = _compare_by_key(exp["nexthop-dev"], view, by_rel, "nexthop-dev")
    key_of = {n["id"]: key for key, n in view.items()}
    for key, n in view.items():
        if key not in exp["route-via"]:
            continue
        have = {key_of.get(to) for to in _targets(by_rel, "route-via", n["id"])}
        have.discard(key)  # a default route whose gateway only it contains
        wanted = [c for c in exp["route-via"][key] if c]
        if any(not (c & have) for c in wanted) or have - set().union(*wanted):
            out.append(f"route-via from {n['id']}: {sorted(map(str, have))}, expected one of "
                       f"each of {[sorted(map(str, c)) for c in wanted]}")
    return out


def _compare_filters(exp, g, by_rel):
    out = []
    for key, n in graphview.nft_chains(g).items():
        if key not in exp:
            continue
        have = _targets(by_rel, "filters", n["id"])
        least, most = exp[key]
        if not least <= have <= most:
            out.append(f"filters from {n['id']}: {sorted(have)}; must include "
                       f"{sorted(least)} and stay within {sorted(most)}")
    return out

"""Services the kernel's configuration implies (controller/GRAPH.md, "Services"),
compared with the graph's."""

import re

import kernel


def expected(k):
    links = kernel.view_links(k)
    addrs = kernel.view_addresses(k)
    exp = {}
    for i, a in links.items():
        if a["type"] != "bridge":
            continue
        ports = [p for p in links.values() if p.get("master") == a["name"] and "port" in p]
        exp[f"bridging:{a['name']}"] = {
            "bridge": a["name"],
            "ports": sorted(p["name"] for p in ports),
            "forwarding_ports": sorted(p["name"] for p in ports if p["admin"] == "up"
                                       and p["port"]["state"] == "forwarding"),
            "stp": a["bridge"]["stp"],
        }
    for family, key in (("inet", "ipv4"), ("inet6", "ipv6")):
        if any(a["forwarding"].get(key) for a in links.values()):
            with_addr = {i for i, _ in addrs if addrs[(i, _)]["family"] == family}
            exp[f"{key}-forwarding"] = {"links": sorted(
                a["name"] for i, a in links.items()
                if a["admin"] == "up" and a["type"] != "loopback"
                and a["forwarding"].get(key) and i in with_addr)}
    for i, a in links.items():
        mine = sorted(addr.split("/")[0] for j, addr in addrs if j == i)
        if mine:
            exp[f"local-delivery:{a['name']}"] = {"link": a["name"], "addresses": mine}
    for l in kernel.view_listeners(k).values():
        dev = f"%{l['dev']}" if l["dev"] else ""
        exp[f"tcp-listener:{l['address']}:{l['port']}{dev}"] = {
            "address": l["address"], "port": l["port"], "owner": l["owner"]}
    return exp


def _normalise(service):
    s = dict(service)
    for field in ("ports", "forwarding_ports", "links"):
        if isinstance(s.get(field), list):
            s[field] = sorted(s[field])
    if isinstance(s.get("addresses"), list):
        s["addresses"] = sorted(str(a).split("/")[0] for a in s["addresses"])
    return s


def _service_id(sid):
    """GRAPH.md leaves open where a device-bound listener's %IFNAME goes: after
    the address (as in listener ids) or at the end. Both become ADDR:PORT%IFNAME."""
    m = re.fullmatch(r"tcp-listener:(.*)%([^:%]+):(\d+)", str(sid))
    return f"tcp-listener:{m[1]}:{m[3]}%{m[2]}" if m else sid


def compare(exp, g):
    out = []
    have = {_service_id(s.get("id")): _normalise(s) for s in g.services}
    known = ("bridging:", "ipv4-forwarding", "ipv6-forwarding", "local-delivery:",
             "tcp-listener:")
    for sid in sorted(set(exp) - set(have)):
        out.append(f"service {sid}: implied by the kernel, not in the graph")
    for sid in sorted(set(have) - set(exp)):
        if str(sid).startswith(known):
            out.append(f"service {sid}: in the graph, not implied by the kernel")
    for sid in sorted(set(exp) & set(have)):
        for attr, value in exp[sid].items():
            if have[sid].get(attr) != value:
                out.append(f"service {sid}: {attr} is {have[sid].get(attr)!r} in the graph, "
                           f"{value!r} in the kernel")
    return out

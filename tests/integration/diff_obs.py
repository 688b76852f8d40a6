#!/usr/bin/env python3
"""Observations for the differential bridge tests (difflib.bash), as stable text.

  fdb < bridge -j fdb show br BR
      One line per entry: "fdb MAC DEV STATE FLAGS" (no timers), sorted.
  links [--bytes] DEV... < ip -j -s link show
      Per device named: a line of its packet and drop counters, and one of its
      byte counters, compared only with --bytes (else a "#" line).
  fdb-macs < bridge -j fdb show br BR
      The dynamic and static MACs with their port, "MAC@DEV" space separated.
  fdb-age MAC FIELD < bridge -j -s fdb show br BR
      The entry's "used" or "updated" age in seconds, or "absent".
  accel STATS EXPR...
      STATS is `tnactl -j stats` (or an empty file without the daemon). Each
      EXPR is a Python expression over the names of ports: `pa.redirected > 0`,
      `pa.punt('egress_mtu') > 0`, `all_redirected == 0`. A port without a
      pipeline reads 0 everywhere. Prints one summary line per port, then the
      expressions that do not hold; exits 1 if any.
"""
import json
import sys


def fdb(entries):
    lines = []
    for e in entries:
        state = e.get("state") or "dynamic"
        flags = ",".join(sorted(e.get("flags", []))) or "-"
        where = "master" if e.get("master") else "self"
        lines.append("fdb %s %s %s %s %s" % (e["mac"], e.get("ifname", "?"), where, state,
                                             flags))
    return sorted(set(lines))


def links(data, names, with_bytes):
    by_name = {l["ifname"]: l for l in data}
    out = []
    for n in names:
        l = by_name.get(n)
        if l is None:
            out.append("link %s absent" % n)
            continue
        s = l.get("stats64") or l.get("stats") or {}
        rx, tx = s.get("rx", {}), s.get("tx", {})
        out.append("link %s rx=%d rx_drop=%d tx=%d tx_drop=%d" % (
            n, rx.get("packets", 0), rx.get("dropped", 0), tx.get("packets", 0),
            tx.get("dropped", 0)))
        out.append("%slink %s rx_bytes=%d tx_bytes=%d" % (
            "" if with_bytes else "# ", n, rx.get("bytes", 0), tx.get("bytes", 0)))
    return out


class Port:
    def __init__(self, stats):
        self.stats = stats or {}
        self.redirected = self.stats.get("redirected", 0)
        self.punted = self.stats.get("punted", 0)
        self.packets = self.stats.get("packets", 0)
        self.pipeline = bool(stats)

    def punt(self, reason):
        return sum(f.get("punted", {}).get(reason, 0) for f in self.stats.get("fpms", []))

    def reasons(self):
        r = {}
        for f in self.stats.get("fpms", []):
            for k, v in f.get("punted", {}).items():
                r[k] = r.get(k, 0) + v
        return r


def find(v, key):
    if isinstance(v, dict):
        if key in v:
            return v[key]
        v = list(v.values())
    if isinstance(v, list):
        for x in v:
            r = find(x, key)
            if r is not None:
                return r
    return None


def accel(path, exprs):
    text = open(path).read().strip()
    ifaces = find(json.loads(text), "interfaces") if text else []
    ports = {i["ifname"]: Port(i) for i in ifaces or []}
    names = {}
    for e in exprs:
        for word in e.replace("(", " ").replace(".", " ").split():
            if word.isidentifier() and word not in ports:
                names[word] = Port(None)
    names.update(ports)
    names["all_redirected"] = sum(p.redirected for p in ports.values())
    for n, p in sorted(ports.items()):
        print("# %s: packets=%d redirected=%d punted %s" % (n, p.packets, p.redirected,
                                                            json.dumps(p.reasons())))
    bad = [e for e in exprs if not eval(e, {}, names)]
    for e in bad:
        print("# does not hold: %s" % e)
    return 1 if bad else 0


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "accel":
        sys.exit(accel(args[0], args[1:]))
    data = json.load(sys.stdin)
    if cmd == "fdb":
        print("\n".join(fdb(data)))
    elif cmd == "links":
        with_bytes = args[:1] == ["--bytes"]
        print("\n".join(links(data, args[1:] if with_bytes else args, with_bytes)))
    elif cmd == "fdb-macs":
        print(" ".join(sorted("%s@%s" % (e["mac"], e.get("ifname")) for e in data
                              if e.get("master") and e.get("state") != "permanent")))
    elif cmd == "fdb-age":
        for e in data:
            if e["mac"] == args[0] and e.get("master"):
                print(e.get(args[1], "?"))
                return
        print("absent")
    else:
        sys.exit("diff_obs.py: unknown command %s" % cmd)


if __name__ == "__main__":
    main()
